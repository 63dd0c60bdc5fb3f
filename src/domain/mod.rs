//! Pure rules and types of the field: no I/O, no database, no terminal.
//!
//! Everything here is deterministic given its inputs (including "now"), so
//! it is tested with unit and property tests and reused by the store, the
//! operations, the console and the demo generator.

pub mod alerts;
pub mod auth;
pub mod cold;
pub mod early;
pub mod fefo;
pub mod gtin;
pub mod reservations;
pub mod roles;
pub mod schedule;
pub mod seven_rights;
pub mod storage;
pub mod types;
pub mod validation;

pub use types::*;
