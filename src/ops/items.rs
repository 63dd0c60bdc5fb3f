//! What the operations share: the item as they see it, who may do what, and
//! the quantity one movement may carry. Stock, purchasing and planning use
//! these without importing each other.

use serde::Serialize;

use super::Actor;
use crate::domain::Role;
use crate::domain::roles::{Operation, may};

/// What an operation needs to know of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub dose_unit: String,
    pub units_per_pack: i64,
    pub is_drug: bool,
    /// A controlled drug: each movement is signed by a second user.
    pub controlled: bool,
}

/// A user whose role may not do an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub user: String,
    pub role: Role,
    pub op: Operation,
}

impl std::error::Error for Forbidden {}

/// Refuses an operation the actor's role may not do.
pub fn allow(actor: &Actor, op: Operation) -> Result<(), Forbidden> {
    if may(actor.role, op) {
        Ok(())
    } else {
        Err(Forbidden {
            user: actor.username.clone(),
            role: actor.role,
            op,
        })
    }
}

/// The most units one movement may carry: far above any real delivery,
/// low enough that stock values and rates never overflow.
pub const MAX_UNITS: i64 = 100_000_000;

/// A quantity no movement may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadQuantity {
    /// Zero or below.
    NotPositive(i64),
    /// Above [`MAX_UNITS`].
    TooLarge(i64),
}

impl std::error::Error for BadQuantity {}

/// A quantity of units one movement may carry: above zero, at most [`MAX_UNITS`].
pub fn qty_ok(q: i64) -> Result<(), BadQuantity> {
    if q > MAX_UNITS {
        Err(BadQuantity::TooLarge(q))
    } else if q > 0 {
        Ok(())
    } else {
        Err(BadQuantity::NotPositive(q))
    }
}

/// A count or level (zero allowed) within the receipt's bound: a number
/// above [`MAX_UNITS`] is a slip of the keyboard or scanner, and stored it
/// would overflow the sums `check` and `plan` make.
pub fn count_ok(q: i64) -> Result<(), BadQuantity> {
    if q > MAX_UNITS {
        Err(BadQuantity::TooLarge(q))
    } else {
        Ok(())
    }
}

/// The longest span of days a user may give (prescription length, days of
/// cover, windows of use): a little over ten years.
pub const MAX_DAYS: i64 = 3660;

/// The longest transport to a place, in minutes: as many days as any span
/// a user may give.
pub const MAX_TRANSPORT_MINUTES: i64 = MAX_DAYS * 24 * 60;

/// Whether a database failure is another workstation holding the write lock
/// (after the store's own bounded wait: see `store::busy`). Every operation's
/// error turns it into "another workstation is busy; nothing was written,
/// try again".
pub fn is_busy(e: &rusqlite::Error) -> bool {
    crate::store::busy::is_busy(e)
}
