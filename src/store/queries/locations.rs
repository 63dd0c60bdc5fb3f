//! Storage locations inside a place, and what each holds.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A storage location, with what it holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationRecord {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub place_id: i64,
    pub place: String,
    pub code: String,
    pub name: String,
    /// shelf, fridge, freezer, cold_room, cd_safe, trolley, other.
    pub kind: String,
    /// Where stock arrives at the place when nobody says where.
    pub default: bool,
    pub closed_at: Option<String>,
    /// Lots with stock here, and their units.
    pub lots: i64,
    pub units: i64,
}

const LOCATION_SELECT: &str = "SELECT l.id, l.place_id, p.code, l.code, l.name, l.kind,
        p.default_location_id IS l.id, l.closed_at,
        (SELECT count(*) FROM location_balances b WHERE b.location_id = l.id AND b.qty > 0),
        (SELECT COALESCE(sum(qty), 0) FROM location_balances b WHERE b.location_id = l.id)
     FROM locations l JOIN places p ON p.id = l.place_id";

fn location_row(r: &rusqlite::Row) -> rusqlite::Result<LocationRecord> {
    Ok(LocationRecord {
        id: r.get(0)?,
        place_id: r.get(1)?,
        place: r.get(2)?,
        code: r.get(3)?,
        name: r.get(4)?,
        kind: r.get(5)?,
        default: r.get(6)?,
        closed_at: r.get(7)?,
        lots: r.get(8)?,
        units: r.get(9)?,
    })
}

/// The locations of one place (by code) or of every place the site keeps
/// (not the place of goods in transit): open ones first, by place and
/// location code.
pub fn location_records(
    conn: &Connection,
    place: Option<&str>,
) -> rusqlite::Result<Vec<LocationRecord>> {
    let sql = format!(
        "{LOCATION_SELECT} WHERE p.kind <> 'transit' AND (?1 IS NULL OR p.code = ?1 COLLATE NOCASE)
         ORDER BY l.closed_at IS NOT NULL, p.code, l.code"
    );
    conn.prepare(&sql)?
        .query_map([place], location_row)?
        .collect()
}

/// One location of a place, by codes (either case).
pub fn location_record(
    conn: &Connection,
    place_id: i64,
    code: &str,
) -> rusqlite::Result<Option<LocationRecord>> {
    let sql = format!("{LOCATION_SELECT} WHERE l.place_id = ?1 AND l.code = ?2 COLLATE NOCASE");
    conn.prepare(&sql)?
        .query_row(params![place_id, code.trim()], location_row)
        .optional()
}

/// Units of a lot at one location.
pub fn held_at(conn: &Connection, location_id: i64, lot_id: i64) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT qty FROM location_balances WHERE location_id = ?1 AND lot_id = ?2")?
        .query_row(params![location_id, lot_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The location set for an item at a place, if one is (its code).
pub fn item_location(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT l.code FROM item_locations il JOIN locations l ON l.id = il.location_id
         WHERE il.place_id = ?1 AND il.item_id = ?2",
    )?
    .query_row(params![place_id, item_id], |r| r.get(0))
    .optional()
}
