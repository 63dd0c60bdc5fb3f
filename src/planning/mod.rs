//! Pure planning: MRP netting, lot sizing and (later) the policy simulation.
//! No I/O here: no rusqlite, ratatui or crossterm.
//!
//! - [`problem`]: the planning problem (a problem file, or built by the store
//!   side), with validation that names the offending field;
//! - [`mrp`]: the two-level, expiry-aware MRP engine ([`mrp::plan`]): wards
//!   are netted first, their planned releases become the pharmacy's gross
//!   requirements (domain.md §3, eq. 5);
//! - [`lot_sizing`]: order quantities (lot-for-lot, fixed quantity, period
//!   order quantity, EOQ, min/max; packs and minimum order);
//! - [`sim`]: the policy simulation (AS IS par levels against TO BE MRP) on common random demand.

pub mod lot_sizing;
pub mod mrp;
pub mod problem;
pub mod sim;
