//! Finding items, places and lots (by code, GTIN or id), and the steps every
//! stock operation shares: balances, usable lots, writing a movement, taking
//! units from a lot, linking a scanned GTIN.

use super::*;

/// Goods in transit are handled only on their transfer order.
pub(super) fn not_in_transit(place: &PlaceRef) -> Result<()> {
    if place.kind == PlaceKind::Transit {
        return Err(StockError::InTransit);
    }
    Ok(())
}

fn item_row(
    conn: &Connection,
    sql: &str,
    key: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Option<ItemRef>> {
    conn.prepare_cached(sql)?
        .query_row([key], |r| {
            Ok(ItemRef {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                dose_unit: r.get(3)?,
                units_per_pack: r.get(4)?,
                is_drug: r.get::<_, String>(5)? == "drug",
                controlled: r.get(6)?,
            })
        })
        .optional()
}

pub fn item_by_code(conn: &Connection, code: &str) -> Result<ItemRef> {
    item_row(conn, "SELECT id, code, name, dose_unit, units_per_pack, kind, controlled FROM items WHERE code = ?1 COLLATE NOCASE", &code)?
        .ok_or_else(|| StockError::UnknownItem(code.to_string()))
}

pub fn item_by_id(conn: &Connection, id: i64) -> Result<ItemRef> {
    item_row(
        conn,
        "SELECT id, code, name, dose_unit, units_per_pack, kind, controlled FROM items WHERE id = ?1",
        &id,
    )?
    .ok_or(StockError::UnknownItemId(id))
}

/// The item a GTIN (any length, check digit verified by the caller) is linked to.
pub fn item_by_gtin(conn: &Connection, gtin14: &str) -> Result<ItemRef> {
    item_row(
        conn,
        "SELECT i.id, i.code, i.name, i.dose_unit, i.units_per_pack, i.kind, i.controlled FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE g.gtin = ?1",
        &gtin14,
    )?
    .ok_or_else(|| StockError::UnknownGtin(gtin14.to_string()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: PlaceKind,
    pub transport_minutes: i64,
}

fn place_row(
    conn: &Connection,
    sql: &str,
    key: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Option<PlaceRef>> {
    conn.prepare_cached(sql)?
        .query_row([key], |r| {
            let kind: String = r.get(3)?;
            Ok(PlaceRef {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                kind: kind.parse().unwrap_or(PlaceKind::Ward),
                transport_minutes: r.get(4)?,
            })
        })
        .optional()
}

pub fn place_by_code(conn: &Connection, code: &str) -> Result<PlaceRef> {
    place_row(
        conn,
        "SELECT id, code, name, kind, transport_minutes FROM places WHERE code = ?1 COLLATE NOCASE",
        &code,
    )?
    .ok_or_else(|| StockError::UnknownPlace(code.to_string()))
}

pub(crate) fn place_by_id(conn: &Connection, id: i64) -> Result<PlaceRef> {
    place_row(
        conn,
        "SELECT id, code, name, kind, transport_minutes FROM places WHERE id = ?1",
        &id,
    )?
    .ok_or(StockError::UnknownPlaceId(id))
}

/// The transit place, created on first use.
pub(super) fn transit_place(tx: &Transaction) -> Result<PlaceRef> {
    if let Ok(p) = place_of_kind(tx, PlaceKind::Transit) {
        return Ok(p);
    }
    tx.execute("INSERT INTO places (code, name, kind, transport_minutes) VALUES ('TRANSIT', 'In transit to wards', 'transit', 0)", [])?;
    place_of_kind(tx, PlaceKind::Transit)
}

pub(super) fn place_of_kind(conn: &Connection, kind: PlaceKind) -> Result<PlaceRef> {
    place_row(conn, "SELECT id, code, name, kind, transport_minutes FROM places WHERE kind = ?1 ORDER BY id LIMIT 1", &kind.as_ref())?
        .ok_or(StockError::NoPlaceOfKind(kind))
}

/// A lot as operations see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotRef {
    pub id: i64,
    pub item_id: i64,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    pub status: LotStatus,
    pub received_at: String,
}

fn lot_row(
    conn: &Connection,
    sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Option<LotRef>> {
    conn.prepare_cached(sql)?
        .query_row(p, |r| {
            let status: String = r.get(4)?;
            Ok(LotRef {
                id: r.get(0)?,
                item_id: r.get(1)?,
                lot_number: r.get(2)?,
                expiry: r
                    .get::<_, Option<String>>(3)?
                    .as_deref()
                    .and_then(date_from_text),
                status: status.parse().unwrap_or(LotStatus::Quarantined),
                received_at: r.get(5)?,
            })
        })
        .optional()
}

/// Whether a scanned pack may be given: a lot on record that is recalled,
/// quarantined or expired is refused at the scan, before any form is
/// filled. (A lot not on record is left to the check when recording.)
pub fn pack_usable(
    conn: &Connection,
    item: &ItemRef,
    lot_number: &str,
    day: NaiveDate,
) -> Result<()> {
    match lot_by_number(conn, item, lot_number) {
        Ok(l) => usable(&l, item, day, LotUse::Used),
        Err(StockError::UnknownLot { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

pub fn lot_by_number(conn: &Connection, item: &ItemRef, lot_number: &str) -> Result<LotRef> {
    lot_row(
        conn,
        "SELECT id, item_id, lot_number, expiry, status, received_at FROM lots WHERE item_id = ?1 AND lot_number = ?2",
        &[&item.id, &lot_number],
    )?
    .ok_or_else(|| StockError::UnknownLot { item: item.name.clone(), lot: lot_number.to_string() })
}

pub(super) fn lot_by_id(conn: &Connection, id: i64) -> Result<LotRef> {
    lot_row(
        conn,
        "SELECT id, item_id, lot_number, expiry, status, received_at FROM lots WHERE id = ?1",
        &[&id],
    )?
    .ok_or(StockError::UnknownLotId(id))
}

pub(super) fn balance(conn: &Connection, place_id: i64, lot_id: i64) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT qty FROM balances WHERE place_id = ?1 AND lot_id = ?2")?
        .query_row(params![place_id, lot_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The lots of an item at a place, as FEFO sees them.
pub fn lot_stock(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
) -> rusqlite::Result<Vec<LotStock>> {
    crate::store::queries::lot_stock(conn, place_id, item_id)
}

/// Refuses a lot that may not be supplied for use on `day`.
pub(super) fn usable(lot: &LotRef, item: &ItemRef, day: NaiveDate, verb: LotUse) -> Result<()> {
    let status = match fefo::lot_problem(lot.status, lot.expiry, day) {
        None => return Ok(()),
        Some(LotProblem::Expired { on }) => {
            return Err(StockError::Expired {
                lot: lot.lot_number.clone(),
                item: item.name.clone(),
                expiry: on,
                verb,
            });
        }
        Some(LotProblem::Quarantined) => LotStatus::Quarantined,
        Some(LotProblem::Recalled) => LotStatus::Recalled,
    };
    Err(StockError::NotUsable {
        lot: lot.lot_number.clone(),
        item: item.name.clone(),
        status,
        verb,
    })
}

pub(super) fn movement(
    actor: &Actor,
    now: DateTime<Utc>,
    kind: MovementKind,
    item: &ItemRef,
    lot_id: i64,
) -> NewMovement {
    NewMovement {
        at: now,
        user_id: actor.user_id,
        kind,
        item_id: item.id,
        lot_id,
        from_place: None,
        to_place: None,
        from_location: None,
        to_location: None,
        qty: 0,
        reason: None,
        patient_id: None,
        order_ref: None,
    }
}

pub(super) fn take_from_lot(
    tx: &Transaction,
    place: &PlaceRef,
    item: &ItemRef,
    lot: &LotRef,
    qty: i64,
) -> Result<()> {
    let have = balance(tx, place.id, lot.id)?;
    if have >= qty {
        // Units held at a cold location after an excursion never leave it.
        crate::ops::cold::refuse_held(tx, place.id, &item.name, lot.id, &lot.lot_number, qty)?;
    }
    if have < qty {
        return Err(StockError::NotEnoughInLot {
            item: item.name.clone(),
            lot: lot.lot_number.clone(),
            place: place.code.clone(),
            unit: item.dose_unit.clone(),
            available: have,
            wanted: qty,
        });
    }
    Ok(())
}

/// Links a barcode GTIN to an item (a new pack design, a new supplier).
/// A GTIN already linked to another item is refused.
pub fn link_gtin(store: &mut Store, actor: &Actor, gtin: &str, item: &ItemRef) -> Result<String> {
    allow(actor, Operation::LinkGtin)?;
    let g = crate::domain::gtin::normalize(gtin).map_err(StockError::Gtin)?;
    store.write(|tx| {
        if let Ok(other) = item_by_gtin(tx, &g) {
            if other.id == item.id {
                return Ok(g.clone());
            }
            return Err(StockError::GtinTaken {
                gtin: g.clone(),
                item: other.name,
                code: other.code,
            });
        }
        tx.execute(
            "INSERT INTO item_gtins (gtin, item_id) VALUES (?1, ?2)",
            params![g, item.id],
        )?;
        Ok(g.clone())
    })
}
