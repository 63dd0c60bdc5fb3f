//! Stock at storage locations: finding a location, and moving units of a
//! lot between two locations of one place.

use super::*;

/// An open storage location of a place, by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationRef {
    pub id: i64,
    pub code: String,
    /// shelf, fridge, freezer, cold_room, cd_safe, trolley, other.
    pub kind: String,
}

/// The open location `code` of `place`.
pub fn location_by_code(conn: &Connection, place: &PlaceRef, code: &str) -> Result<LocationRef> {
    let found: Option<(LocationRef, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, code, kind, closed_at FROM locations WHERE place_id = ?1 AND code = ?2 COLLATE NOCASE",
        )?
        .query_row(params![place.id, code.trim()], |r| {
            Ok((
                LocationRef {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    kind: r.get(2)?,
                },
                r.get(3)?,
            ))
        })
        .optional()?;
    match found {
        None => Err(StockError::UnknownLocation {
            place: place.code.clone(),
            code: code.trim().to_string(),
        }),
        Some((l, Some(_))) => Err(StockError::LocationClosed {
            place: place.code.clone(),
            location: l.code,
        }),
        Some((l, None)) => Ok(l),
    }
}

/// Refuses a location where the item may not be kept (a cold item off the
/// fridge, a controlled drug out of the safe).
pub(super) fn storage_fits(
    conn: &Connection,
    place: &PlaceRef,
    item: &ItemRef,
    at: &LocationRef,
) -> Result<()> {
    let (storage, controlled): (String, bool) = conn
        .prepare_cached("SELECT storage, controlled FROM items WHERE id = ?1")?
        .query_row([item.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let storage = storage.parse().unwrap_or(crate::domain::StorageClass::Room);
    crate::domain::storage::fits(storage, controlled, &at.kind).map_err(|needs| {
        StockError::WrongStorage {
            item: item.name.clone(),
            place: place.code.clone(),
            location: at.code.clone(),
            needs,
        }
    })
}

/// The location an item arrives at when none is given.
pub(super) fn arrival_location(
    conn: &Connection,
    place: &PlaceRef,
    item: &ItemRef,
    given: Option<&str>,
) -> Result<LocationRef> {
    match given.map(str::trim).filter(|g| !g.is_empty()) {
        Some(code) => location_by_code(conn, place, code),
        None => {
            let id = ledger::default_location(conn, place.id, item.id)?;
            Ok(conn.query_row(
                "SELECT id, code, kind FROM locations WHERE id = ?1",
                [id],
                |r| {
                    Ok(LocationRef {
                        id: r.get(0)?,
                        code: r.get(1)?,
                        kind: r.get(2)?,
                    })
                },
            )?)
        }
    }
}

/// Units moved between two locations of a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relocated {
    pub move_id: i64,
    pub place: String,
    pub item: String,
    pub lot: String,
    pub from: String,
    pub to: String,
    pub qty: i64,
}

/// What to move: a lot of an item, from one location to another of a place.
#[derive(Debug, Clone)]
pub struct Relocation<'a> {
    pub place: &'a PlaceRef,
    pub item: &'a ItemRef,
    pub lot: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// Units; `None` moves all the lot holds at `from`.
    pub qty: Option<i64>,
    pub reason: Option<&'a str>,
}

/// Moves units of a lot from one location of a place to another (the
/// shelf to the fridge, the overflow store to the trolley). The place's
/// stock does not change; the move is kept in its own append-only book.
pub fn relocate(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    r: &Relocation,
) -> Result<Relocated> {
    allow(actor, Operation::MoveStock)?;
    not_in_transit(r.place)?;
    store.write(|tx| {
        let from = location_by_code(tx, r.place, r.from)?;
        let to = location_by_code(tx, r.place, r.to)?;
        if from.id == to.id {
            return Err(StockError::SameLocation { location: from.code });
        }
        storage_fits(tx, r.place, r.item, &to)?;
        let lot = lot_by_number(tx, r.item, r.lot)?;
        // Units held at a cold location after an excursion stay there.
        if crate::store::ledger::held_at_place(tx, r.place.id, lot.id)?
            .iter()
            .any(|h| h.0 == from.id)
        {
            return Err(StockError::ColdHeld {
                item: r.item.name.clone(),
                lot: lot.lot_number,
                location: from.code,
            });
        }
        let held = crate::store::queries::held_at(tx, from.id, lot.id)?;
        let qty = r.qty.unwrap_or(held);
        if r.qty.is_some() {
            qty_ok(qty)?;
        }
        if held == 0 || held < qty {
            return Err(StockError::NotEnoughAtLocation {
                item: r.item.name.clone(),
                lot: lot.lot_number,
                location: format!("{}/{}", r.place.code, from.code),
                unit: r.item.dose_unit.clone(),
                available: held,
                wanted: qty,
            });
        }
        tx.execute(
            "INSERT INTO location_moves (at, user_id, place_id, item_id, lot_id, from_location_id, to_location_id, qty, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                instant_to_text(now),
                actor.user_id,
                r.place.id,
                r.item.id,
                lot.id,
                from.id,
                to.id,
                qty,
                r.reason.map(str::trim).filter(|s| !s.is_empty())
            ],
        )?;
        Ok(Relocated {
            move_id: tx.last_insert_rowid(),
            place: r.place.code.clone(),
            item: r.item.code.clone(),
            lot: lot.lot_number,
            from: from.code,
            to: to.code,
            qty,
        })
    })
}
