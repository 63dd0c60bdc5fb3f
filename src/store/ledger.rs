//! The one place that writes stock movements and lots.
//!
//! Balances are kept by triggers in the same transaction as the movement,
//! and a balance can never go below zero (the insert fails as a whole).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::{LotStatus, MovementKind, instant_to_text};

/// A movement to append to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    pub at: DateTime<Utc>,
    pub user_id: i64,
    pub kind: MovementKind,
    pub item_id: i64,
    pub lot_id: i64,
    pub from_place: Option<i64>,
    pub to_place: Option<i64>,
    pub qty: i64,
    pub reason: Option<String>,
    pub patient_id: Option<i64>,
    pub order_ref: Option<String>,
}

/// Appends one movement; its balances change in the same statement.
pub fn append(conn: &Connection, m: &NewMovement) -> rusqlite::Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO movements (at, user_id, kind, item_id, lot_id, from_place_id, to_place_id, qty, reason, patient_id, order_ref)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    stmt.execute(params![
        instant_to_text(m.at),
        m.user_id,
        m.kind.as_ref(),
        m.item_id,
        m.lot_id,
        m.from_place,
        m.to_place,
        m.qty,
        m.reason,
        m.patient_id,
        m.order_ref,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The lot of `item_id` with `lot_number`, created if it does not exist.
/// An existing lot keeps its expiry; a different expiry is refused by the caller.
pub fn lot_id_or_create(
    conn: &Connection,
    item_id: i64,
    lot_number: &str,
    expiry: Option<NaiveDate>,
    received_at: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2")?
        .query_row(params![item_id, lot_number], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO lots (item_id, lot_number, expiry, status, received_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![
            item_id,
            lot_number,
            expiry.map(|d| d.format("%Y-%m-%d").to_string()),
            LotStatus::Ok.as_ref(),
            instant_to_text(received_at),
        ])?;
    Ok(conn.last_insert_rowid())
}
