//! wardstock: hospital ward and pharmacy stock, prescriptions and the
//! administration record, in one terminal console on a local SQLite file.
//!
//! Layers, top to bottom (nothing flows back up):
//! - [`cli`] and [`tui`]: the two faces; both call [`ops`] and read [`store`];
//! - [`ops`]: one function per user operation, one transaction each;
//! - [`store`]: SQLite, migrations, the ledger writer and read queries;
//! - [`domain`], [`gs1`], [`planning`]: pure rules, no I/O.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod gs1;
pub mod i18n;
pub mod ops;
pub mod planning;
pub mod store;
pub mod tui;
