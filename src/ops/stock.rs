//! Stock operations: receive, reject, transfer (request, pick, dispatch,
//! confirm), issue, waste, return, quarantine, release, recall, stocktake.
//!
//! Each checks the role, reads what it needs inside a `BEGIN IMMEDIATE`
//! transaction, applies the pure rule (FEFO, usability), and appends
//! movements through the one ledger writer — all or nothing.

// Operations take the store, who and when, then what the user gave.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, is_busy, qty_ok};
pub use super::items::{ItemRef, MAX_UNITS, allow};

mod locations;
use super::purchasing::PurchaseError;
use crate::domain::fefo::{self, LotProblem, LotStock};
use crate::domain::roles::Operation;
use crate::domain::{LotStatus, MovementKind, PlaceKind, date_from_text, instant_to_text};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};
pub use locations::*;

/// What an operation on stock is to do with a lot that may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotUse {
    Received,
    Issued,
    SentToWard,
    Used,
}

/// Why a stock operation is refused, with the facts the user needs to fix it.
#[derive(Debug)]
pub enum StockError {
    Forbidden(Forbidden),
    UnknownItem(String),
    UnknownItemId(i64),
    UnknownGtin(String),
    UnknownLot {
        item: String,
        lot: String,
    },
    UnknownLotId(i64),
    UnknownPlace(String),
    UnknownPlaceId(i64),
    /// The database has no place of this kind (no pharmacy).
    NoPlaceOfKind(PlaceKind),
    Quantity(BadQuantity),
    /// Goods in transit are handled only on their transfer order.
    InTransit,
    Expired {
        lot: String,
        item: String,
        expiry: NaiveDate,
        verb: LotUse,
    },
    NotUsable {
        lot: String,
        item: String,
        status: LotStatus,
        verb: LotUse,
    },
    NotEnoughInLot {
        item: String,
        lot: String,
        place: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    UnknownLocation {
        place: String,
        code: String,
    },
    LocationClosed {
        place: String,
        location: String,
    },
    /// A move whose two locations are the same.
    SameLocation {
        location: String,
    },
    /// The item may not be kept at that location: cold off the fridge, a
    /// controlled drug out of the safe.
    WrongStorage {
        item: String,
        place: String,
        location: String,
        needs: crate::domain::storage::Needs,
    },
    NotEnoughAtLocation {
        item: String,
        lot: String,
        /// "place/location".
        location: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    NotEnough {
        item: String,
        place: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    ExpiryMismatch {
        item: String,
        lot: String,
        recorded: Option<NaiveDate>,
        given: Option<NaiveDate>,
    },
    /// The item was retired from the formulary: it is no longer received.
    Retired {
        item: String,
        on: String,
    },
    ExpiryRequired {
        item: String,
    },
    LotNumberRequired,
    Gtin(crate::domain::gtin::GtinError),
    GtinTaken {
        gtin: String,
        item: String,
        code: String,
    },
    RejectReasonRequired,
    ReturnReasonRequired,
    /// Quarantine, release or recall without a reason.
    StatusReasonRequired(Operation),
    IssueNotOnWard(String),
    ReturnNotFromWard(String),
    TransferNotToWard(String),
    /// The ward was closed: nothing is sent to it.
    PlaceClosed(String),
    AlreadyStatus {
        lot: String,
        status: LotStatus,
    },
    NotQuarantined {
        lot: String,
    },
    RecalledNotReleased {
        lot: String,
    },
    EmptyTransfer,
    UnknownTransfer(i64),
    PickNotOpen {
        order: i64,
        status: String,
    },
    NotOnTransfer {
        item: String,
        order: i64,
    },
    FullyPicked {
        item: String,
        order: i64,
        picked: i64,
        requested: i64,
    },
    PackLargerThanOpen {
        item: String,
        unit: String,
        open: i64,
        pack: i64,
    },
    UnpickNotOpen {
        order: i64,
    },
    NotPicked {
        lot: String,
        item: String,
        order: i64,
    },
    DispatchNotOpen {
        order: i64,
        status: String,
    },
    NothingPicked {
        order: i64,
    },
    /// A picked lot became unusable before the order left.
    PickedLotUnusable {
        order: i64,
        item_code: String,
        lot: String,
        cause: Box<StockError>,
    },
    NotDispatched {
        order: i64,
        status: String,
    },
    Levels(super::refdata::RefDataError),
    CoverDays,
    StocktakeOpen {
        id: i64,
        place: String,
    },
    NothingToCount {
        place: String,
        filter: String,
    },
    UnknownStocktake(i64),
    NegativeCount,
    StocktakeClosed {
        id: i64,
        status: String,
    },
    CountNotRecorded,
    /// (item code, lot number) of each line not counted yet.
    NotCounted(Vec<(String, String)>),
    /// (item code, lot number) of each line whose stock moved since its count.
    MovedSinceCount(Vec<(String, String)>),
    UnknownLotNumber(String),
    Purchase(PurchaseError),
    /// The ledger refused to go negative: someone took the stock meanwhile.
    TakenMeanwhile,
    Busy,
    Store(rusqlite::Error),
}

impl std::error::Error for StockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StockError::Forbidden(e) => Some(e),
            StockError::Quantity(e) => Some(e),
            StockError::Gtin(e) => Some(e),
            StockError::PickedLotUnusable { cause, .. } => Some(cause.as_ref()),
            StockError::Levels(e) => Some(e),
            StockError::Purchase(e) => Some(e),
            StockError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StockError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::ConstraintViolation;
        match &e {
            _ if is_busy(&e) => StockError::Busy,
            // The ledger's own last line of defence: stock moved by someone else meanwhile.
            rusqlite::Error::SqliteFailure(f, Some(msg))
                if f.code == ConstraintViolation && msg.starts_with("not enough stock") =>
            {
                StockError::TakenMeanwhile
            }
            _ => StockError::Store(e),
        }
    }
}

impl From<Forbidden> for StockError {
    fn from(e: Forbidden) -> Self {
        StockError::Forbidden(e)
    }
}

impl From<BadQuantity> for StockError {
    fn from(e: BadQuantity) -> Self {
        StockError::Quantity(e)
    }
}

impl From<PurchaseError> for StockError {
    fn from(e: PurchaseError) -> Self {
        match e {
            PurchaseError::Store(e) => e.into(),
            e => StockError::Purchase(e),
        }
    }
}

pub type Result<T, E = StockError> = std::result::Result<T, E>;

/// Goods in transit are handled only on their transfer order.
fn not_in_transit(place: &PlaceRef) -> Result<()> {
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
            })
        })
        .optional()
}

pub fn item_by_code(conn: &Connection, code: &str) -> Result<ItemRef> {
    item_row(conn, "SELECT id, code, name, dose_unit, units_per_pack, kind FROM items WHERE code = ?1 COLLATE NOCASE", &code)?
        .ok_or_else(|| StockError::UnknownItem(code.to_string()))
}

pub fn item_by_id(conn: &Connection, id: i64) -> Result<ItemRef> {
    item_row(
        conn,
        "SELECT id, code, name, dose_unit, units_per_pack, kind FROM items WHERE id = ?1",
        &id,
    )?
    .ok_or(StockError::UnknownItemId(id))
}

/// The item a GTIN (any length, check digit verified by the caller) is linked to.
pub fn item_by_gtin(conn: &Connection, gtin14: &str) -> Result<ItemRef> {
    item_row(
        conn,
        "SELECT i.id, i.code, i.name, i.dose_unit, i.units_per_pack, i.kind FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE g.gtin = ?1",
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

fn place_by_id(conn: &Connection, id: i64) -> Result<PlaceRef> {
    place_row(
        conn,
        "SELECT id, code, name, kind, transport_minutes FROM places WHERE id = ?1",
        &id,
    )?
    .ok_or(StockError::UnknownPlaceId(id))
}

/// The transit place, created on first use.
fn transit_place(tx: &Transaction) -> Result<PlaceRef> {
    if let Ok(p) = place_of_kind(tx, PlaceKind::Transit) {
        return Ok(p);
    }
    tx.execute("INSERT INTO places (code, name, kind, transport_minutes) VALUES ('TRANSIT', 'In transit to wards', 'transit', 0)", [])?;
    place_of_kind(tx, PlaceKind::Transit)
}

fn place_of_kind(conn: &Connection, kind: PlaceKind) -> Result<PlaceRef> {
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

pub fn lot_by_number(conn: &Connection, item: &ItemRef, lot_number: &str) -> Result<LotRef> {
    lot_row(
        conn,
        "SELECT id, item_id, lot_number, expiry, status, received_at FROM lots WHERE item_id = ?1 AND lot_number = ?2",
        &[&item.id, &lot_number],
    )?
    .ok_or_else(|| StockError::UnknownLot { item: item.name.clone(), lot: lot_number.to_string() })
}

fn lot_by_id(conn: &Connection, id: i64) -> Result<LotRef> {
    lot_row(
        conn,
        "SELECT id, item_id, lot_number, expiry, status, received_at FROM lots WHERE id = ?1",
        &[&id],
    )?
    .ok_or(StockError::UnknownLotId(id))
}

fn balance(conn: &Connection, place_id: i64, lot_id: i64) -> rusqlite::Result<i64> {
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
fn usable(lot: &LotRef, item: &ItemRef, day: NaiveDate, verb: LotUse) -> Result<()> {
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

fn movement(
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

fn take_from_lot(
    tx: &Transaction,
    place: &PlaceRef,
    item: &ItemRef,
    lot: &LotRef,
    qty: i64,
) -> Result<()> {
    let have = balance(tx, place.id, lot.id)?;
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

// ---------------------------------------------------------------- receive

/// A delivery line from a supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveLine {
    pub item: ItemRef,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    /// In dose units.
    pub qty: i64,
    pub supplier: Option<String>,
    pub order_ref: Option<String>,
    /// The storage location it is put at (code); `None` is the item's usual
    /// location in the pharmacy.
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub movement_id: i64,
    pub lot_id: i64,
    pub place: String,
    /// Where to put it: the storage location in the pharmacy.
    pub location: String,
    pub qty: i64,
    /// Days to expiry when within the short-dated threshold.
    pub short_dated_days: Option<i64>,
    /// Units delivered beyond what the purchase order asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_order: Option<i64>,
}

/// Receives goods into the central pharmacy. Expired goods are refused;
/// goods expiring within `short_dated_days` are accepted and flagged.
pub fn receive(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    line: &ReceiveLine,
    short_dated_days: i64,
) -> Result<Received> {
    allow(actor, Operation::Receive)?;
    qty_ok(line.qty)?;
    let lot_number = line.lot_number.trim();
    if lot_number.is_empty() {
        return Err(StockError::LotNumberRequired);
    }
    let day = store.today(now);
    if line.expiry.is_none() && line.item.is_drug {
        return Err(StockError::ExpiryRequired {
            item: line.item.name.clone(),
        });
    }
    if let Some(e) = line.expiry.filter(|e| *e < day) {
        return Err(StockError::Expired {
            lot: lot_number.to_string(),
            item: line.item.name.clone(),
            expiry: e,
            verb: LotUse::Received,
        });
    }
    store.write(|tx| {
        let retired: Option<String> = tx.query_row(
            "SELECT retired_at FROM items WHERE id = ?1",
            [line.item.id],
            |r| r.get(0),
        )?;
        if let Some(on) = retired {
            return Err(StockError::Retired {
                item: line.item.name.clone(),
                on,
            });
        }
        let pharmacy = place_of_kind(tx, PlaceKind::Pharmacy)?;
        if let Ok(existing) = lot_by_number(tx, &line.item, lot_number) {
            if existing.expiry != line.expiry {
                return Err(StockError::ExpiryMismatch {
                    item: line.item.name.clone(),
                    lot: lot_number.to_string(),
                    recorded: existing.expiry,
                    given: line.expiry,
                });
            }
            if existing.status != LotStatus::Ok {
                return Err(StockError::NotUsable {
                    lot: lot_number.to_string(),
                    item: line.item.name.clone(),
                    status: existing.status,
                    verb: LotUse::Received,
                });
            }
        }
        let location = arrival_location(tx, &pharmacy, &line.item, line.location.as_deref())?;
        storage_fits(tx, &pharmacy, &line.item, &location)?;
        let lot_id = ledger::lot_id_or_create(tx, line.item.id, lot_number, line.expiry, now)?;
        let mut m = movement(actor, now, MovementKind::Receipt, &line.item, lot_id);
        m.to_place = Some(pharmacy.id);
        m.to_location = Some(location.id);
        m.qty = line.qty;
        m.reason = line.supplier.as_ref().map(|s| format!("from {s}"));
        m.order_ref = line.order_ref.clone();
        let movement_id = ledger::append(tx, &m)?;
        // A delivery against a purchase order ("PO-12") is booked on its line.
        let over_order = match super::purchasing::po_number(line.order_ref.as_deref())? {
            Some(po) => {
                super::purchasing::book_receipt(tx, po, &line.item, line.qty, movement_id, now)?
            }
            None => None,
        };
        let days = line.expiry.map(|e| (e - day).num_days());
        Ok(Received {
            movement_id,
            lot_id,
            place: pharmacy.code,
            location: location.code,
            qty: line.qty,
            short_dated_days: days.filter(|d| *d <= short_dated_days),
            over_order,
        })
    })
}

/// Records a delivery line refused at the quality check; nothing enters stock.
pub fn reject_receipt(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    line: &ReceiveLine,
    reason: &str,
) -> Result<i64> {
    allow(actor, Operation::RejectReceipt)?;
    qty_ok(line.qty)?;
    if reason.trim().is_empty() {
        return Err(StockError::RejectReasonRequired);
    }
    store.write(|tx| {
        tx.execute(
            "INSERT INTO receipt_rejections (at, user_id, item_id, lot_number, expiry, qty, supplier, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![instant_to_text(now), actor.user_id, line.item.id, line.lot_number, line.expiry.map(|d| d.to_string()), line.qty, line.supplier, reason.trim()],
        )?;
        Ok(tx.last_insert_rowid())
    })
}

// ---------------------------------------------------------------- issue, waste, return

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display, strum::EnumString, strum::AsRefStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum WasteReason {
    Expired,
    Damaged,
    Contaminated,
    Other,
}

/// A lot and quantity taken by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    pub lot_id: i64,
    pub lot_number: String,
    pub qty: i64,
    pub movement_id: i64,
    /// Why these units must be set aside and returned (a lot held or
    /// expired on the way arrived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<crate::domain::fefo::LotProblem>,
    /// Where the units were put, for goods arriving on a ward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Issues ward stock for non-patient use: from the given lot, or FEFO.
/// Expired, quarantined and recalled stock is never issued.
pub fn issue(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    item: &ItemRef,
    qty: i64,
    lot: Option<&str>,
    reason: Option<&str>,
) -> Result<Vec<Taken>> {
    allow(actor, Operation::Issue)?;
    qty_ok(qty)?;
    if place.kind != PlaceKind::Ward {
        return Err(StockError::IssueNotOnWard(place.code.clone()));
    }
    let day = store.today(now);
    store.write(|tx| {
        let picks: Vec<(i64, i64)> = match lot {
            Some(number) => {
                let l = lot_by_number(tx, item, number)?;
                usable(&l, item, day, LotUse::Issued)?;
                take_from_lot(tx, place, item, &l, qty)?;
                vec![(l.id, qty)]
            }
            None => {
                let stock = lot_stock(tx, place.id, item.id)?;
                let plan = fefo::pick(&stock, qty, day);
                if plan.shortfall > 0 {
                    return Err(StockError::NotEnough {
                        item: item.name.clone(),
                        place: place.code.clone(),
                        unit: item.dose_unit.clone(),
                        available: plan.picked(),
                        wanted: qty,
                    });
                }
                plan.picks.iter().map(|p| (p.lot_id, p.qty)).collect()
            }
        };
        let mut out = Vec::new();
        for (lot_id, q) in picks {
            let mut m = movement(actor, now, MovementKind::Issue, item, lot_id);
            m.from_place = Some(place.id);
            m.qty = q;
            m.reason = reason.map(str::to_string);
            let movement_id = ledger::append(tx, &m)?;
            out.push(Taken {
                lot_id,
                lot_number: lot_by_id(tx, lot_id)?.lot_number,
                qty: q,
                movement_id,
                warning: None,
                location: None,
            });
        }
        Ok(out)
    })
}

/// Disposes of stock of a lot at a place, whatever its status: this is how
/// expired, damaged and recalled units leave stock.
pub fn waste(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    item: &ItemRef,
    lot: &str,
    qty: i64,
    reason: WasteReason,
    note: Option<&str>,
) -> Result<Taken> {
    allow(actor, Operation::Waste)?;
    qty_ok(qty)?;
    not_in_transit(place)?;
    store.write(|tx| {
        let l = lot_by_number(tx, item, lot)?;
        take_from_lot(tx, place, item, &l, qty)?;
        let mut m = movement(actor, now, MovementKind::Waste, item, l.id);
        m.from_place = Some(place.id);
        m.qty = qty;
        m.reason = Some(match note {
            Some(n) if !n.trim().is_empty() => format!("{}: {}", reason.as_ref(), n.trim()),
            _ => reason.as_ref().to_string(),
        });
        let movement_id = ledger::append(tx, &m)?;
        Ok(Taken {
            lot_id: l.id,
            lot_number: l.lot_number,
            qty,
            movement_id,
            warning: None,
            location: None,
        })
    })
}

/// Sends units of a lot from a ward back to the central pharmacy (any
/// status: unusable stock goes back for disposal or supplier return).
pub fn return_to_pharmacy(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward: &PlaceRef,
    item: &ItemRef,
    lot: &str,
    qty: i64,
    reason: &str,
) -> Result<Taken> {
    allow(actor, Operation::Return)?;
    qty_ok(qty)?;
    if ward.kind != PlaceKind::Ward {
        return Err(StockError::ReturnNotFromWard(ward.code.clone()));
    }
    if reason.trim().is_empty() {
        return Err(StockError::ReturnReasonRequired);
    }
    store.write(|tx| {
        let pharmacy = place_of_kind(tx, PlaceKind::Pharmacy)?;
        let l = lot_by_number(tx, item, lot)?;
        take_from_lot(tx, ward, item, &l, qty)?;
        let mut m = movement(actor, now, MovementKind::Return, item, l.id);
        m.from_place = Some(ward.id);
        m.to_place = Some(pharmacy.id);
        m.qty = qty;
        m.reason = Some(reason.trim().to_string());
        let movement_id = ledger::append(tx, &m)?;
        Ok(Taken {
            lot_id: l.id,
            lot_number: l.lot_number,
            qty,
            movement_id,
            warning: None,
            location: None,
        })
    })
}

// ---------------------------------------------------------------- quarantine, release, recall

/// Where the units of a lot are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub place: String,
    pub place_name: String,
    pub qty: i64,
    /// A multi-dose pack of the lot, open on the ward, closed with it: what
    /// is left in it is to be discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_pack: Option<i64>,
}

pub fn holdings(conn: &Connection, lot_id: i64) -> rusqlite::Result<Vec<Holding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.code, p.name, b.qty FROM balances b JOIN places p ON p.id = b.place_id WHERE b.lot_id = ?1 AND b.qty > 0 ORDER BY p.code",
    )?;
    stmt.query_map([lot_id], |r| {
        Ok(Holding {
            place: r.get(0)?,
            place_name: r.get(1)?,
            qty: r.get(2)?,
            open_pack: None,
        })
    })?
    .collect()
}

fn set_status(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
    op: Operation,
) -> Result<Vec<Holding>> {
    allow(actor, op)?;
    if reason.trim().is_empty() {
        return Err(StockError::StatusReasonRequired(op));
    }
    store.write(|tx| {
        let l = lot_by_number(tx, item, lot)?;
        let (new, action) = match op {
            Operation::Quarantine => {
                if l.status != LotStatus::Ok {
                    return Err(StockError::AlreadyStatus { lot: l.lot_number, status: l.status });
                }
                (LotStatus::Quarantined, "quarantine")
            }
            Operation::Release => {
                match l.status {
                    LotStatus::Ok => return Err(StockError::NotQuarantined { lot: l.lot_number }),
                    LotStatus::Recalled => return Err(StockError::RecalledNotReleased { lot: l.lot_number }),
                    LotStatus::Quarantined => {}
                }
                (LotStatus::Ok, "release")
            }
            _ => {
                if l.status == LotStatus::Recalled {
                    return Err(StockError::AlreadyStatus { lot: l.lot_number, status: LotStatus::Recalled });
                }
                (LotStatus::Recalled, "recall")
            }
        };
        // One statement: every unit of the lot, in every place, at once.
        tx.execute("UPDATE lots SET status = ?2 WHERE id = ?1", params![l.id, new.as_ref()])?;
        tx.execute(
            "INSERT INTO lot_events (at, user_id, lot_id, action, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![instant_to_text(now), actor.user_id, l.id, action, reason.trim()],
        )?;
        let mut held = holdings(tx, l.id)?;
        if new != LotStatus::Ok {
            // Multi-dose packs of the lot open on wards are closed with it:
            // what is left in them is discarded.
            let mut stmt = tx.prepare(
                "SELECT o.id, p.code, p.name FROM open_packs o JOIN places p ON p.id = o.place_id
                 WHERE o.lot_id = ?1 AND o.closed_at IS NULL ORDER BY o.id",
            )?;
            let open: Vec<(i64, String, String)> = stmt
                .query_map([l.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, code, name) in open {
                tx.execute(
                    "UPDATE open_packs SET closed_at = ?2, closed_by = ?3, closed_reason = ?4 WHERE id = ?1",
                    params![id, instant_to_text(now), actor.user_id, format!("lot {action}: discard the rest")],
                )?;
                held.push(Holding {
                    place: code,
                    place_name: name,
                    qty: 1,
                    open_pack: Some(id),
                });
            }
        }
        Ok(held)
    })
}

/// Quarantines a lot everywhere until a pharmacist decides.
pub fn quarantine(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Quarantine)
}

/// Releases a quarantined lot (pharmacist).
pub fn release(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Release)
}

/// Recalls a lot: every unit in every place is blocked at once; returns where they are.
pub fn recall(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Recall)
}

// ---------------------------------------------------------------- transfers

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub lot_id: i64,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    /// Where to find it: the storage location in the sending place.
    pub location: String,
    pub qty: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickLine {
    pub line_id: i64,
    pub item: ItemRef,
    pub requested: i64,
    pub picked: i64,
    /// Units still to pick (the shortfall once dispatched).
    pub open: i64,
    /// FEFO lots for the open quantity, by expiry; a lot kept at two
    /// locations is one suggestion per location.
    pub suggestions: Vec<Suggestion>,
    /// Units no usable lot can cover.
    pub shortfall: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferOrder {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub status: String,
    pub created_at: String,
    pub lines: Vec<PickLine>,
    /// On dispatch: the new order that carries what could not be picked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backorder: Option<i64>,
}

/// Day the goods will be used: arrival on the ward after transport, on the
/// site's clock.
fn arrival_day(
    conn: &Connection,
    now: DateTime<Utc>,
    to: &PlaceRef,
) -> rusqlite::Result<NaiveDate> {
    let zone = crate::store::queries::site_zone(conn)?;
    Ok((now + Duration::minutes(to.transport_minutes))
        .with_timezone(&zone)
        .date_naive())
}

/// Creates a transfer order from the pharmacy to a ward.
pub fn request_transfer(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward: &PlaceRef,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    allow(actor, Operation::RequestTransfer)?;
    if ward.kind != PlaceKind::Ward {
        return Err(StockError::TransferNotToWard(ward.code.clone()));
    }
    if lines.is_empty() {
        return Err(StockError::EmptyTransfer);
    }
    for (_, q) in lines {
        qty_ok(*q)?;
    }
    store.write(|tx| insert_transfer(tx, actor, now, ward.id, lines, note))
}

/// Writes a transfer order pharmacy → ward within the caller's transaction.
pub(crate) fn insert_transfer(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    ward_id: i64,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    let (code, closed): (String, Option<String>) = tx.query_row(
        "SELECT code, closed_at FROM places WHERE id = ?1",
        [ward_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if closed.is_some() {
        return Err(StockError::PlaceClosed(code));
    }
    let pharmacy = place_of_kind(tx, PlaceKind::Pharmacy)?;
    tx.execute(
        "INSERT INTO transfer_orders (created_at, created_by, from_place_id, to_place_id, status, note) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
        params![instant_to_text(now), actor.user_id, pharmacy.id, ward_id, note],
    )?;
    let id = tx.last_insert_rowid();
    for (item, q) in lines {
        tx.execute(
            "INSERT INTO transfer_lines (order_id, item_id, qty_requested) VALUES (?1, ?2, ?3)
             ON CONFLICT (order_id, item_id) DO UPDATE SET qty_requested = qty_requested + excluded.qty_requested",
            params![id, item.id, q],
        )?;
    }
    Ok(id)
}

/// The order with its pick list: per line, the FEFO lots to pick for what is still open.
pub fn transfer_order(
    conn: &Connection,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<TransferOrder> {
    let head = conn
        .query_row(
            "SELECT o.from_place_id, o.to_place_id, o.status, o.created_at FROM transfer_orders o WHERE o.id = ?1",
            [order_id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)),
        )
        .optional()?
        .ok_or(StockError::UnknownTransfer(order_id))?;
    let from = place_by_id(conn, head.0)?;
    let to = place_by_id(conn, head.1)?;
    let day = arrival_day(conn, now, &to)?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.item_id, l.qty_requested, COALESCE((SELECT SUM(qty) FROM picks p WHERE p.line_id = l.id), 0)
         FROM transfer_lines l WHERE l.order_id = ?1 ORDER BY l.id",
    )?;
    let raw: Vec<(i64, i64, i64, i64)> = stmt
        .query_map([order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lines = Vec::new();
    for (line_id, item_id, requested, picked) in raw {
        let item = item_by_id(conn, item_id)?;
        let open = (requested - picked).max(0);
        let plan = fefo::pick(&lot_stock(conn, from.id, item_id)?, open, day);
        let mut suggestions = Vec::new();
        for p in &plan.picks {
            let l = lot_by_id(conn, p.lot_id)?;
            // Units are taken location by location in this order (the ledger's).
            let mut left = p.qty;
            for (location, held) in crate::store::queries::lot_places(conn, from.id, l.id)? {
                if left == 0 {
                    break;
                }
                let qty = held.min(left);
                left -= qty;
                suggestions.push(Suggestion {
                    lot_id: l.id,
                    lot_number: l.lot_number.clone(),
                    expiry: l.expiry,
                    location,
                    qty,
                });
            }
        }
        lines.push(PickLine {
            line_id,
            item,
            requested,
            picked,
            open,
            suggestions,
            shortfall: plan.shortfall,
        });
    }
    // The pick list walks the store: lines in the order of the locations of
    // their first lot; lines with nothing to pick last.
    lines.sort_by(|a, b| {
        let at = |l: &PickLine| l.suggestions.first().map(|s| s.location.clone());
        (at(a).is_none(), at(a), a.line_id).cmp(&(at(b).is_none(), at(b), b.line_id))
    });
    Ok(TransferOrder {
        id: order_id,
        from: from.code,
        to: to.code,
        status: head.2,
        created_at: head.3,
        lines,
        backorder: None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picked {
    pub lot_number: String,
    pub qty: i64,
    /// The FEFO suggestion, when another lot was picked.
    pub deviation_from: Option<String>,
    pub line_open: i64,
}

/// Picks units of a lot for an order line (by scanning a pack, or typed).
/// Another lot than the FEFO suggestion is accepted only if usable, and the
/// deviation is recorded. The units move to "in transit".
pub fn pick(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    item: &ItemRef,
    lot: &str,
    qty: Option<i64>,
    scanned: bool,
) -> Result<Picked> {
    allow(actor, Operation::Pick)?;
    store.write(|tx| {
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::PickNotOpen { order: order_id, status: order.status });
        }
        let Some(line) = order.lines.iter().find(|l| l.item.id == item.id) else {
            return Err(StockError::NotOnTransfer { item: item.name.clone(), order: order_id });
        };
        if line.open == 0 {
            return Err(StockError::FullyPicked { item: item.name.clone(), order: order_id, picked: line.picked, requested: line.requested });
        }
        // A lot that may not go to the ward is refused first, whatever the quantity.
        let to = place_by_code(tx, &order.to)?;
        let l = lot_by_number(tx, item, lot)?;
        usable(&l, item, arrival_day(tx, now, &to)?, LotUse::SentToWard)?;
        // One scan is one whole pack, unless a quantity is given; never more than is open.
        let qty = match qty {
            Some(q) => q.min(line.open),
            None if item.units_per_pack > line.open => {
                return Err(StockError::PackLargerThanOpen {
                    item: item.name.clone(),
                    unit: item.dose_unit.clone(),
                    open: line.open,
                    pack: item.units_per_pack,
                });
            }
            None => item.units_per_pack,
        };
        qty_ok(qty)?;
        let from = place_by_code(tx, &order.from)?;
        let transit = transit_place(tx)?;
        take_from_lot(tx, &from, item, &l, qty)?;
        let suggested = line.suggestions.first();
        let deviation = suggested.is_some_and(|s| s.lot_id != l.id);
        let mut m = movement(actor, now, MovementKind::Transfer, item, l.id);
        m.from_place = Some(from.id);
        m.to_place = Some(transit.id);
        m.qty = qty;
        m.order_ref = Some(format!("TO-{order_id}"));
        m.reason = deviation.then(|| format!("picked instead of FEFO lot {}", suggested.map(|s| s.lot_number.as_str()).unwrap_or("")));
        let movement_id = ledger::append(tx, &m)?;
        tx.execute(
            "INSERT INTO picks (line_id, lot_id, qty, suggested_lot_id, deviation, scanned, at, user_id, movement_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![line.line_id, l.id, qty, suggested.map(|s| s.lot_id), deviation, scanned, instant_to_text(now), actor.user_id, movement_id],
        )?;
        Ok(Picked {
            lot_number: l.lot_number,
            qty,
            deviation_from: if deviation { suggested.map(|s| s.lot_number.clone()) } else { None },
            line_open: line.open - qty,
        })
    })
}

/// (item, lot, units) picked on an order.
fn picked_lots(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.item_id, p.lot_id, SUM(p.qty) FROM picks p JOIN transfer_lines l ON l.id = p.line_id
         WHERE l.order_id = ?1 GROUP BY l.item_id, p.lot_id ORDER BY l.item_id, p.lot_id",
    )?;
    stmt.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Takes a lot off an open order: its picked units go back from transit to
/// the pharmacy shelf and the line is open again.
pub fn unpick(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
    item: &ItemRef,
    lot: &str,
) -> Result<Taken> {
    allow(actor, Operation::Pick)?;
    store.write(|tx| {
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::UnpickNotOpen { order: order_id });
        }
        let l = lot_by_number(tx, item, lot)?;
        let Some(&(_, _, qty)) = picked_lots(tx, order_id)?.iter().find(|(i, lt, _)| *i == item.id && *lt == l.id) else {
            return Err(StockError::NotPicked { lot: lot.to_string(), item: item.name.clone(), order: order_id });
        };
        let from = place_by_code(tx, &order.from)?;
        let transit = transit_place(tx)?;
        // Back to the location it was picked from, if that is still open.
        let back: Option<i64> = tx
            .query_row(
                "SELECT m.from_location_id FROM picks p JOIN transfer_lines tl ON tl.id = p.line_id
                 JOIN movements m ON m.id = p.movement_id JOIN locations loc ON loc.id = m.from_location_id
                 WHERE tl.order_id = ?1 AND tl.item_id = ?2 AND p.lot_id = ?3 AND loc.closed_at IS NULL
                 ORDER BY p.id LIMIT 1",
                params![order_id, item.id, l.id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let mut m = movement(actor, now, MovementKind::Transfer, item, l.id);
        m.from_place = Some(transit.id);
        m.to_place = Some(from.id);
        m.to_location = back;
        m.qty = qty;
        m.order_ref = Some(format!("TO-{order_id}"));
        m.reason = Some("taken off the order".into());
        let movement_id = ledger::append(tx, &m)?;
        // The ledger keeps both movements; the order forgets the pick.
        tx.execute(
            "DELETE FROM picks WHERE lot_id = ?2 AND line_id IN (SELECT id FROM transfer_lines WHERE order_id = ?1 AND item_id = ?3)",
            params![order_id, l.id, item.id],
        )?;
        Ok(Taken { lot_id: l.id, lot_number: l.lot_number, qty, movement_id, warning: None, location: None })
    })
}

/// Sends the picked goods; what was not picked stays open on the order as its shortfall.
pub fn dispatch(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
) -> Result<TransferOrder> {
    allow(actor, Operation::Dispatch)?;
    store.write(|tx| {
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "open" {
            return Err(StockError::DispatchNotOpen {
                order: order_id,
                status: order.status,
            });
        }
        if order.lines.iter().all(|l| l.picked == 0) {
            return Err(StockError::NothingPicked { order: order_id });
        }
        // A lot held or expired since it was picked does not leave.
        let to = place_by_code(tx, &order.to)?;
        for (item_id, lot_id, _) in picked_lots(tx, order_id)? {
            let item = item_by_id(tx, item_id)?;
            let lot = lot_by_id(tx, lot_id)?;
            if let Err(e) = usable(&lot, &item, arrival_day(tx, now, &to)?, LotUse::SentToWard) {
                return Err(StockError::PickedLotUnusable {
                    order: order_id,
                    item_code: item.code,
                    lot: lot.lot_number,
                    cause: Box::new(e),
                });
            }
        }
        tx.execute(
            "UPDATE transfer_orders SET status = 'in_transit', dispatched_at = ?2 WHERE id = ?1",
            params![order_id, instant_to_text(now)],
        )?;
        // What could not be picked goes on a back-order, open for picking.
        let rest: Vec<(ItemRef, i64)> = order
            .lines
            .iter()
            .filter(|l| l.open > 0)
            .map(|l| (l.item.clone(), l.open))
            .collect();
        let backorder = if rest.is_empty() {
            None
        } else {
            Some(insert_transfer(
                tx,
                actor,
                now,
                to.id,
                &rest,
                Some(&format!("back-order of TO-{order_id}")),
            )?)
        };
        let mut sent = transfer_order(tx, order_id, now)?;
        sent.backorder = backorder;
        Ok(sent)
    })
}

/// The ward confirms the delivery: the picked units move from transit into ward stock.
pub fn confirm_receipt(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    order_id: i64,
) -> Result<Vec<Taken>> {
    allow(actor, Operation::ConfirmReceipt)?;
    store.write(|tx| {
        let order = transfer_order(tx, order_id, now)?;
        if order.status != "in_transit" {
            return Err(StockError::NotDispatched { order: order_id, status: order.status });
        }
        let to = place_by_code(tx, &order.to)?;
        let transit = place_of_kind(tx, PlaceKind::Transit)?;
        let day = arrival_day(tx, now, &to)?;
        let mut out = Vec::new();
        for (item_id, lot_id, qty) in picked_lots(tx, order_id)? {
            let item = item_by_id(tx, item_id)?;
            let lot = lot_by_id(tx, lot_id)?;
            // The goods are here whatever happened on the way; a lot held since
            // is received blocked, and the ward is told what to do with it.
            let warning = fefo::lot_problem(lot.status, lot.expiry, day);
            let at = arrival_location(tx, &to, &item, None)?;
            let mut m = movement(actor, now, MovementKind::Transfer, &item, lot_id);
            m.from_place = Some(transit.id);
            m.to_place = Some(to.id);
            m.to_location = Some(at.id);
            m.qty = qty;
            m.order_ref = Some(format!("TO-{order_id}"));
            let movement_id = ledger::append(tx, &m)?;
            out.push(Taken { lot_id, lot_number: lot.lot_number, qty, movement_id, warning, location: Some(at.code) });
        }
        tx.execute(
            "UPDATE transfer_orders SET status = 'received', received_at = ?2, received_by = ?3 WHERE id = ?1",
            params![order_id, instant_to_text(now), actor.user_id],
        )?;
        Ok(out)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferSummary {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub status: String,
    pub created_at: String,
}

/// Transfer orders, newest first, optionally only those to one ward or with one status.
pub fn transfer_orders(
    conn: &Connection,
    to_place: Option<i64>,
    status: Option<&str>,
) -> rusqlite::Result<Vec<TransferSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, f.code, t.code, o.status, o.created_at FROM transfer_orders o
         JOIN places f ON f.id = o.from_place_id JOIN places t ON t.id = o.to_place_id
         WHERE (?1 IS NULL OR o.to_place_id = ?1) AND (?2 IS NULL OR o.status = ?2) ORDER BY o.id DESC",
    )?;
    stmt.query_map(params![to_place, status], |r| {
        Ok(TransferSummary {
            id: r.get(0)?,
            from: r.get(1)?,
            to: r.get(2)?,
            status: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?
    .collect()
}

// ---------------------------------------------------------------- levels

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Levels {
    pub item: String,
    pub safety_stock: i64,
    pub max_stock: i64,
    /// The rate of use they came from, in thousandths of a unit a day.
    pub daily_use_milli: Option<i64>,
}

/// Sets the safety stock and maximum of an item at a place.
pub fn set_levels(
    store: &mut Store,
    actor: &Actor,
    place: &PlaceRef,
    item: &ItemRef,
    safety: i64,
    max: i64,
) -> Result<Levels> {
    allow(actor, Operation::SetLevels)?;
    store.write(|tx| {
        crate::ops::refdata::set_policy(tx, place.id, item.id, safety, max)
            .map_err(StockError::Levels)?;
        Ok(Levels {
            item: item.code.clone(),
            safety_stock: safety,
            max_stock: max,
            daily_use_milli: None,
        })
    })
}

/// Sets every item's levels at a place from its use over the last
/// `window_days`: `safety_days` and `max_days` of cover. Items unused in
/// the window keep their levels.
pub fn levels_from_use(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    safety_days: i64,
    max_days: i64,
    window_days: i64,
) -> Result<Vec<Levels>> {
    allow(actor, Operation::SetLevels)?;
    if safety_days < 0 || max_days < safety_days || window_days < 1 {
        return Err(StockError::CoverDays);
    }
    store.write(|tx| {
        let items: Vec<i64> = tx
            .prepare("SELECT item_id FROM balances WHERE place_id = ?1 UNION SELECT item_id FROM stock_policies WHERE place_id = ?1")?
            .query_map([place.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let rates = crate::store::queries::daily_use(tx, &items, now, window_days)?;
        let mut out = Vec::new();
        for item_id in items {
            let Some(&rate) = rates.get(&(place.id, item_id)) else { continue };
            let (safety, max) = crate::domain::alerts::levels_from_use(rate, safety_days, max_days);
            crate::ops::refdata::set_policy(tx, place.id, item_id, safety, max).map_err(StockError::Levels)?;
            out.push(Levels { item: item_by_id(tx, item_id)?.code, safety_stock: safety, max_stock: max, daily_use_milli: Some(rate) });
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------- stocktake

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountLine {
    pub lot_id: i64,
    pub item_code: String,
    pub item_name: String,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    /// Stock when the line was last counted (or when the stocktake started).
    pub expected: i64,
    pub counted: Option<i64>,
    /// Stock now.
    pub current: i64,
}

impl CountLine {
    pub fn variance(&self) -> Option<i64> {
        self.counted.map(|c| c - self.expected)
    }
    /// Stock moved since the line was counted: it must be counted again.
    pub fn moved(&self) -> bool {
        self.current != self.expected
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stocktake {
    pub id: i64,
    pub place: String,
    pub status: String,
    pub filter: String,
    /// The one storage location counted, when not the whole place.
    pub location: Option<String>,
    pub lines: Vec<CountLine>,
}

/// Starts counting a place, or one storage location of it: every lot with
/// stock there (whose item matches `filter` on code, name or ATC, when
/// given) becomes a line to count.
pub fn start_stocktake(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    filter: &str,
    location: Option<&str>,
) -> Result<i64> {
    allow(actor, Operation::StartStocktake)?;
    not_in_transit(place)?;
    store.write(|tx| {
        let location = location
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| location_by_code(tx, place, l))
            .transpose()?;
        let open: Option<i64> = tx
            .query_row("SELECT id FROM stocktakes WHERE place_id = ?1 AND status = 'open'", [place.id], |r| r.get(0))
            .optional()?;
        if let Some(id) = open {
            return Err(StockError::StocktakeOpen { id, place: place.code.clone() });
        }
        let location_id = location.as_ref().map(|l| l.id);
        tx.execute(
            "INSERT INTO stocktakes (place_id, filter, status, started_at, started_by, location_id) VALUES (?1, ?2, 'open', ?3, ?4, ?5)",
            params![place.id, filter.trim(), instant_to_text(now), actor.user_id, location_id],
        )?;
        let id = tx.last_insert_rowid();
        let like = format!("%{}%", filter.trim());
        let n = tx.execute(
            "INSERT INTO stocktake_lines (stocktake_id, lot_id, item_id, expected)
             SELECT ?1, b.lot_id, b.item_id, sum(b.qty) FROM location_balances b JOIN items i ON i.id = b.item_id
             WHERE b.place_id = ?2 AND b.qty > 0 AND (?4 IS NULL OR b.location_id = ?4)
               AND (?3 = '%%' OR i.code LIKE ?3 OR i.name LIKE ?3 OR i.generic_name LIKE ?3 OR COALESCE(i.atc, '') LIKE ?3)
             GROUP BY b.lot_id, b.item_id",
            params![id, place.id, like, location_id],
        )?;
        if n == 0 && !filter.trim().is_empty() {
            return Err(StockError::NothingToCount { place: place.code.clone(), filter: filter.trim().to_string() });
        }
        Ok(id)
    })
}

/// The stocktake open at a place, if any.
pub fn open_stocktake(conn: &Connection, place_id: i64) -> Result<Option<Stocktake>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM stocktakes WHERE place_id = ?1 AND status = 'open'",
            [place_id],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| stocktake(conn, id)).transpose()
}

pub fn stocktake(conn: &Connection, id: i64) -> Result<Stocktake> {
    let (place_id, status, filter, location_id): (i64, String, String, Option<i64>) = conn
        .query_row(
            "SELECT place_id, status, filter, location_id FROM stocktakes WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or(StockError::UnknownStocktake(id))?;
    let place = place_by_id(conn, place_id)?;
    let location: Option<String> = location_id
        .map(|l| {
            conn.query_row("SELECT code FROM locations WHERE id = ?1", [l], |r| {
                r.get(0)
            })
        })
        .transpose()?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.lot_id, i.code, i.name, l.lot_number, l.expiry, s.expected, s.counted,
                COALESCE((SELECT sum(qty) FROM location_balances b
                          WHERE b.place_id = ?2 AND b.lot_id = s.lot_id AND (?3 IS NULL OR b.location_id = ?3)), 0)
         FROM stocktake_lines s JOIN items i ON i.id = s.item_id JOIN lots l ON l.id = s.lot_id
         WHERE s.stocktake_id = ?1 ORDER BY i.name, l.expiry, l.lot_number",
    )?;
    let lines = stmt
        .query_map(params![id, place_id, location_id], |r| {
            Ok(CountLine {
                lot_id: r.get(0)?,
                item_code: r.get(1)?,
                item_name: r.get(2)?,
                lot_number: r.get(3)?,
                expiry: r
                    .get::<_, Option<String>>(4)?
                    .as_deref()
                    .and_then(date_from_text),
                expected: r.get(5)?,
                counted: r.get(6)?,
                current: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Stocktake {
        id,
        place: place.code,
        status,
        filter,
        location,
        lines,
    })
}

/// Records a count for a lot (a lot found on the shelf but not listed is
/// added). The line's expected stock is taken at the moment of counting.
pub fn count(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    stocktake_id: i64,
    item: &ItemRef,
    lot: &str,
    counted: i64,
) -> Result<CountLine> {
    allow(actor, Operation::Count)?;
    if counted < 0 {
        return Err(StockError::NegativeCount);
    }
    store.write(|tx| {
        let st = stocktake(tx, stocktake_id)?;
        if st.status != "open" {
            return Err(StockError::StocktakeClosed { id: stocktake_id, status: st.status });
        }
        let place = place_by_code(tx, &st.place)?;
        let l = lot_by_number(tx, item, lot)?;
        let current = match &st.location {
            Some(code) => crate::store::queries::held_at(tx, location_by_code(tx, &place, code)?.id, l.id)?,
            None => balance(tx, place.id, l.id)?,
        };
        tx.execute(
            "INSERT INTO stocktake_lines (stocktake_id, lot_id, item_id, expected, counted, counted_by, counted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (stocktake_id, lot_id) DO UPDATE SET expected = excluded.expected, counted = excluded.counted,
                 counted_by = excluded.counted_by, counted_at = excluded.counted_at",
            params![stocktake_id, l.id, item.id, current, counted, actor.user_id, instant_to_text(now)],
        )?;
        stocktake(tx, stocktake_id)?
            .lines
            .into_iter()
            .find(|c| c.lot_id == l.id)
            .ok_or(StockError::CountNotRecorded)
    })
}

/// Approves a stocktake: every line counted and nothing moved since its
/// count, then each variance is written as an adjustment movement.
pub fn approve_stocktake(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    stocktake_id: i64,
) -> Result<Vec<CountLine>> {
    allow(actor, Operation::ApproveStocktake)?;
    store.write(|tx| {
        let st = stocktake(tx, stocktake_id)?;
        if st.status != "open" {
            return Err(StockError::StocktakeClosed { id: stocktake_id, status: st.status });
        }
        let uncounted: Vec<(String, String)> = st.lines.iter().filter(|l| l.counted.is_none()).map(|l| (l.item_code.clone(), l.lot_number.clone())).collect();
        if !uncounted.is_empty() {
            return Err(StockError::NotCounted(uncounted));
        }
        let moved: Vec<(String, String)> = st.lines.iter().filter(|l| l.moved()).map(|l| (l.item_code.clone(), l.lot_number.clone())).collect();
        if !moved.is_empty() {
            return Err(StockError::MovedSinceCount(moved));
        }
        let place = place_by_code(tx, &st.place)?;
        // A count of one location adjusts that location; a count of the
        // whole place takes missing units location by location and puts
        // found ones where the item is kept.
        let location = st.location.as_deref().map(|c| location_by_code(tx, &place, c)).transpose()?;
        for l in st.lines.iter().filter(|l| l.variance() != Some(0)) {
            let item = item_by_code(tx, &l.item_code)?;
            let diff = l.variance().unwrap_or(0);
            let mut m = movement(actor, now, MovementKind::Adjustment, &item, l.lot_id);
            if diff > 0 {
                m.to_place = Some(place.id);
                m.to_location = location.as_ref().map(|l| l.id);
            } else {
                m.from_place = Some(place.id);
                m.from_location = location.as_ref().map(|l| l.id);
            }
            m.qty = diff.abs();
            m.reason = Some(format!("stocktake {stocktake_id}: counted {} of {}", l.counted.unwrap_or(0), l.expected));
            m.order_ref = Some(format!("ST-{stocktake_id}"));
            ledger::append(tx, &m)?;
        }
        tx.execute(
            "UPDATE stocktakes SET status = 'approved', approved_at = ?2, approved_by = ?3 WHERE id = ?1",
            params![stocktake_id, instant_to_text(now), actor.user_id],
        )?;
        Ok(st.lines)
    })
}

// ---------------------------------------------------------------- trace

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GivenUnits {
    pub at: String,
    pub mrn: String,
    pub patient: String,
    pub ward: Option<String>,
    pub qty: i64,
    pub by: String,
    /// The prescription, when the dose was given against one.
    pub order_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotTrace {
    pub item: String,
    pub item_name: String,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub status: LotStatus,
    /// Every patient who received units of the lot, oldest first.
    pub given: Vec<GivenUnits>,
    /// Where the rest of the lot is now.
    pub holdings: Vec<Holding>,
}

/// Which patients received units of a lot, and where the remaining units
/// are: the answer a recall needs. A lot number used by several items gives
/// one trace each unless `item` narrows it.
pub fn trace(conn: &Connection, lot_number: &str, item: Option<&ItemRef>) -> Result<Vec<LotTrace>> {
    let mut stmt = conn.prepare(
        "SELECT l.id, i.code, i.name, l.lot_number FROM lots l JOIN items i ON i.id = l.item_id
         WHERE l.lot_number = ?1 AND (?2 IS NULL OR l.item_id = ?2) ORDER BY i.code",
    )?;
    let lots: Vec<(i64, String, String, String)> = stmt
        .query_map(params![lot_number.trim(), item.map(|i| i.id)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if lots.is_empty() {
        return Err(StockError::UnknownLotNumber(lot_number.trim().to_string()));
    }
    let mut out = Vec::new();
    for (lot_id, code, name, number) in lots {
        let lot = lot_by_id(conn, lot_id)?;
        let mut stmt = conn.prepare_cached(
            "SELECT m.at, p.mrn, p.name, w.code, m.qty, u.username, m.order_ref
             FROM movements m JOIN patients p ON p.id = m.patient_id JOIN users u ON u.id = m.user_id
             LEFT JOIN places w ON w.id = m.from_place_id
             WHERE m.lot_id = ?1 AND m.kind = 'administration'
             UNION ALL
             -- Doses drawn from an opened multi-dose pack of the lot (the pack left stock when opened).
             SELECT a.recorded_at, p.mrn, p.name, w.code, 0, u.username, 'RX-' || a.prescription_id || ' (open pack ' || a.open_pack_id || ')'
             FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id JOIN patients p ON p.id = r.patient_id
             JOIN users u ON u.id = a.user_id JOIN open_packs o ON o.id = a.open_pack_id LEFT JOIN places w ON w.id = o.place_id
             WHERE a.lot_id = ?1 AND a.movement_id IS NULL
             ORDER BY 1",
        )?;
        let given = stmt
            .query_map([lot_id], |r| {
                Ok(GivenUnits {
                    at: r.get(0)?,
                    mrn: r.get(1)?,
                    patient: r.get(2)?,
                    ward: r.get(3)?,
                    qty: r.get(4)?,
                    by: r.get(5)?,
                    order_ref: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.push(LotTrace {
            item: code,
            item_name: name,
            lot: number,
            expiry: lot.expiry,
            status: lot.status,
            given,
            holdings: holdings(conn, lot_id)?,
        });
    }
    Ok(out)
}
