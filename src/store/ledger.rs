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
    /// The storage location the units leave; `None` takes them from the
    /// lot's locations at the place in location order (see [`append`]).
    pub from_location: Option<i64>,
    /// The storage location the units arrive at; `None` is the item's
    /// location at the place ([`default_location`]).
    pub to_location: Option<i64>,
    pub qty: i64,
    pub reason: Option<String>,
    pub patient_id: Option<i64>,
    pub order_ref: Option<String>,
}

/// Appends one movement; its balances change in the same statement.
///
/// Units are always taken from and put at a storage location. A movement out
/// of a place that does not name its location takes the lot from wherever it
/// lies there, location by location in code order, as one movement per
/// location; the id returned is the last one's.
pub fn append(conn: &Connection, m: &NewMovement) -> rusqlite::Result<i64> {
    let to_location = match (m.to_place, m.to_location) {
        (Some(place), None) => Some(default_location(conn, place, m.item_id)?),
        (_, given) => given,
    };
    let (Some(place), None) = (m.from_place, m.from_location) else {
        return insert(conn, m, m.from_location, to_location, m.qty);
    };
    let mut left = m.qty;
    let mut last = None;
    let mut sources = lot_locations(conn, place, m.lot_id)?;
    if m.kind == MovementKind::Adjustment {
        // A count corrects the record wherever the units lie, held or not.
        sources.extend(held_at_place(conn, place, m.lot_id)?);
    }
    for (location, _, held) in sources {
        if left == 0 {
            break;
        }
        let take = held.min(left);
        last = Some(insert(conn, m, Some(location), to_location, take)?);
        left -= take;
    }
    match last {
        Some(id) if left == 0 => Ok(id),
        // Not enough at the place: the ledger's triggers refuse the rest.
        _ => {
            let from = place_default_location(conn, place)?;
            insert(conn, m, Some(from), to_location, left)
        }
    }
}

fn insert(
    conn: &Connection,
    m: &NewMovement,
    from_location: Option<i64>,
    to_location: Option<i64>,
    qty: i64,
) -> rusqlite::Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO movements (at, user_id, kind, item_id, lot_id, from_place_id, to_place_id, qty, reason, patient_id, order_ref, from_location_id, to_location_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    stmt.execute(params![
        instant_to_text(m.at),
        m.user_id,
        m.kind.as_ref(),
        m.item_id,
        m.lot_id,
        m.from_place,
        m.to_place,
        qty,
        m.reason,
        m.patient_id,
        m.order_ref,
        from_location,
        to_location,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Where a lot lies at a place: (location id, location code, units), in
/// location code order — the order a movement out takes the units in, and
/// so the order the pick list names them. Units held at a location after a
/// cold-chain excursion are not listed: they never leave it unasked.
pub fn lot_locations(
    conn: &Connection,
    place_id: i64,
    lot_id: i64,
) -> rusqlite::Result<Vec<(i64, String, i64)>> {
    conn.prepare_cached(
        "SELECT b.location_id, l.code, b.qty FROM location_balances b JOIN locations l ON l.id = b.location_id
         WHERE b.place_id = ?1 AND b.lot_id = ?2 AND b.qty > 0
           AND NOT EXISTS (SELECT 1 FROM cold_holds h
                           WHERE h.location_id = b.location_id AND h.lot_id = b.lot_id AND h.decision IS NULL)
         ORDER BY l.code, l.id",
    )?
    .query_map(params![place_id, lot_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// Where units of a lot are held at a place after a cold-chain excursion,
/// awaiting a pharmacist: (location id, location code, units).
pub fn held_at_place(
    conn: &Connection,
    place_id: i64,
    lot_id: i64,
) -> rusqlite::Result<Vec<(i64, String, i64)>> {
    conn.prepare_cached(
        "SELECT b.location_id, l.code, b.qty FROM cold_holds h
         JOIN location_balances b ON b.location_id = h.location_id AND b.lot_id = h.lot_id
         JOIN locations l ON l.id = b.location_id
         WHERE b.place_id = ?1 AND h.lot_id = ?2 AND h.decision IS NULL AND b.qty > 0 ORDER BY l.code, l.id",
    )?
    .query_map(params![place_id, lot_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// The place's default location, made ("MAIN") if the place has none yet.
pub fn place_default_location(conn: &Connection, place_id: i64) -> rusqlite::Result<i64> {
    let set: Option<i64> = conn
        .prepare_cached("SELECT default_location_id FROM places WHERE id = ?1")?
        .query_row([place_id], |r| r.get(0))?;
    if let Some(id) = set {
        return Ok(id);
    }
    let first: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM locations WHERE place_id = ?1 AND closed_at IS NULL
             ORDER BY CASE kind WHEN 'shelf' THEN 0 WHEN 'trolley' THEN 1 ELSE 2 END, id LIMIT 1",
        )?
        .query_row([place_id], |r| r.get(0))
        .optional()?;
    let id = match first {
        Some(id) => id,
        None => {
            conn.execute(
                "INSERT INTO locations (place_id, code, name, kind) VALUES (?1, 'MAIN', 'Main store', 'shelf')",
                [place_id],
            )?;
            conn.last_insert_rowid()
        }
    };
    conn.execute(
        "UPDATE places SET default_location_id = ?2 WHERE id = ?1",
        params![place_id, id],
    )?;
    Ok(id)
}

/// Where an item arrives at a place when nobody says where: the location
/// set for it there; else, for a cold or frozen item or a controlled drug,
/// the place's fridge, freezer or safe; else where it is already kept there
/// (the location holding most of it); else the place's default location.
pub fn default_location(conn: &Connection, place_id: i64, item_id: i64) -> rusqlite::Result<i64> {
    let found: Option<i64> = conn
        .prepare_cached(
            "SELECT COALESCE(
                 (SELECT il.location_id FROM item_locations il JOIN locations l ON l.id = il.location_id
                  WHERE il.place_id = ?1 AND il.item_id = ?2 AND l.closed_at IS NULL),
                 (SELECT l.id FROM locations l, items i
                  WHERE i.id = ?2 AND l.place_id = ?1 AND l.closed_at IS NULL
                    AND l.kind = CASE WHEN i.controlled = 1 THEN 'cd_safe'
                                      WHEN i.storage = 'cold' THEN 'fridge'
                                      WHEN i.storage = 'frozen' THEN 'freezer' END
                  ORDER BY l.code, l.id LIMIT 1),
                 (SELECT lb.location_id FROM balances b CROSS JOIN location_balances lb
                    ON lb.place_id = b.place_id AND lb.lot_id = b.lot_id
                  JOIN locations l ON l.id = lb.location_id
                  WHERE b.place_id = ?1 AND b.item_id = ?2 AND l.closed_at IS NULL
                  GROUP BY lb.location_id ORDER BY sum(lb.qty) DESC, lb.location_id LIMIT 1))",
        )?
        .query_row(params![place_id, item_id], |r| r.get(0))?;
    match found {
        Some(id) => Ok(id),
        None => place_default_location(conn, place_id),
    }
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
