//! One function per user operation: load what it needs, apply the pure
//! domain rule, write in one `BEGIN IMMEDIATE` transaction. The console and
//! the CLI both call these; nothing else changes the database.

pub mod auth;
pub mod backups;
pub mod cold;
pub mod early;
pub mod fhir;
pub mod import;
pub mod items;
pub mod mar;
pub mod plan;
pub mod purchasing;
pub mod refdata;
pub mod reports;
pub mod reservations;
pub mod rx;
pub mod scan;
pub mod site;
pub mod stock;
pub mod substitutes;
pub mod suppliers;
pub mod ward;

/// Who is doing an operation, and when (the clock is passed in so tests
/// and replays are exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub role: crate::domain::Role,
}
