//! Stock held for scheduled cases: booking a case's kit at its ward or
//! theatre, the units it holds (never picked, issued or returned for
//! anything else), using it (units issued to the patient, lot-traced,
//! first-expired-first-out, controlled drugs signed by two), closing it
//! (what is left is released) and cancelling it (everything is released).
//! Nothing moves when units are released: they are simply free again.

// Operations take the store, who and when, then what the user gave.
#![allow(clippy::too_many_arguments)]

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, allow, is_busy, qty_ok};
use super::stock::{ItemRef, PlaceRef, StockError, Taken};
use crate::domain::fefo::LotStock;
use crate::domain::reservations::{self as rules, CaseTimeProblem};
use crate::domain::roles::Operation;
use crate::domain::{PlaceKind, instant_from_text, instant_to_text};
use crate::store::Store;

mod risk;
pub use risk::*;

/// Why a case was not booked, used or cancelled.
#[derive(Debug)]
pub enum ReserveError {
    Forbidden(Forbidden),
    Stock(StockError),
    /// A case is held at a ward or theatre, not at the pharmacy.
    NotAWard(String),
    UnknownPatient(String),
    /// A case with no item in its kit.
    NoItems,
    /// The same item twice in one kit.
    ItemTwice(String),
    /// A kit line as typed that is not CODE:QTY.
    BadLine(String),
    /// A time that is not a date and time.
    BadTime(String),
    /// `at` on the site's clock.
    TimeProblem {
        at: chrono::NaiveDateTime,
        problem: CaseTimeProblem,
    },
    UnknownCase(String),
    /// A used or cancelled case cannot be changed.
    Closed {
        case: String,
        status: String,
    },
    NotOnCase {
        case: String,
        item: String,
    },
    /// More units used than the case still holds of the item.
    MoreThanHeld {
        case: String,
        item: String,
        unit: String,
        held: i64,
        wanted: i64,
    },
    ReasonNeeded,
    Busy,
    Db(rusqlite::Error),
}

impl std::error::Error for ReserveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReserveError::Forbidden(e) => Some(e),
            ReserveError::Stock(e) => Some(e),
            ReserveError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for ReserveError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            ReserveError::Busy
        } else {
            ReserveError::Db(e)
        }
    }
}

impl From<Forbidden> for ReserveError {
    fn from(e: Forbidden) -> Self {
        ReserveError::Forbidden(e)
    }
}

impl From<StockError> for ReserveError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Forbidden(f) => ReserveError::Forbidden(f),
            StockError::Busy => ReserveError::Busy,
            e => ReserveError::Stock(e),
        }
    }
}

impl From<BadQuantity> for ReserveError {
    fn from(e: BadQuantity) -> Self {
        ReserveError::Stock(StockError::Quantity(e))
    }
}

pub type Result<T, E = ReserveError> = std::result::Result<T, E>;

// ---------------------------------------------------------------- what is held

/// Units of an item held at a place for scheduled cases, and the cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    pub qty: i64,
    pub cases: Vec<String>,
}

/// Units of an item held at a place by booked cases (all but `except`):
/// one read through the open cases' index.
pub fn held(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
    except: Option<i64>,
) -> rusqlite::Result<Held> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.reference, l.qty - l.used - l.released FROM reservations r
         JOIN reservation_lines l ON l.reservation_id = r.id
         WHERE r.status = 'booked' AND r.place_id = ?1 AND l.item_id = ?2 AND r.id IS NOT ?3
           AND l.qty > l.used + l.released
         ORDER BY r.case_at, r.id",
    )?;
    let mut out = Held::default();
    for row in stmt.query_map(params![place_id, item_id, except], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (case, qty) = row?;
        out.qty += qty;
        out.cases.push(case);
    }
    Ok(out)
}

/// Units held per item at a place by booked cases.
pub fn held_at(conn: &Connection, place_id: i64) -> rusqlite::Result<HashMap<i64, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.item_id, SUM(l.qty - l.used - l.released) FROM reservations r
         JOIN reservation_lines l ON l.reservation_id = r.id
         WHERE r.status = 'booked' AND r.place_id = ?1 GROUP BY l.item_id",
    )?;
    stmt.query_map([place_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Units held by booked cases at one place and item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAt {
    pub place_id: i64,
    pub place: String,
    pub item: String,
    pub qty: i64,
    /// The cases' references, comma separated.
    pub cases: String,
}

/// Units held by booked cases at each place and item, every place.
pub fn held_everywhere(conn: &Connection) -> rusqlite::Result<Vec<HeldAt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.code, i.code, SUM(l.qty - l.used - l.released), group_concat(r.reference, ', ')
         FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id
         JOIN places p ON p.id = r.place_id JOIN items i ON i.id = l.item_id
         WHERE r.status = 'booked' AND l.qty > l.used + l.released GROUP BY p.id, i.code",
    )?;
    stmt.query_map([], |r| {
        Ok(HeldAt {
            place_id: r.get(0)?,
            place: r.get(1)?,
            item: r.get(2)?,
            qty: r.get(3)?,
            cases: r.get(4)?,
        })
    })?
    .collect()
}

/// The lots of an item at a place as FEFO sees them for a use other than
/// the cases holding units there (`except`: the case being used, whose own
/// units it may take).
pub fn free_lot_stock(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
    day: NaiveDate,
    except: Option<i64>,
) -> rusqlite::Result<Vec<LotStock>> {
    let lots = crate::store::queries::lot_stock(conn, place_id, item_id)?;
    let h = held(conn, place_id, item_id, except)?;
    Ok(rules::hold_back(lots, h.qty, day))
}

/// Refuses taking `qty` usable units of an item at a place when that would
/// leave its scheduled cases short (all but `except`), naming the cases.
pub fn guard(
    conn: &Connection,
    place: &PlaceRef,
    item: &ItemRef,
    qty: i64,
    day: NaiveDate,
    except: Option<i64>,
) -> Result<(), StockError> {
    let h = held(conn, place.id, item.id, except)?;
    if h.qty <= 0 {
        return Ok(());
    }
    let usable: i64 = crate::store::queries::lot_stock(conn, place.id, item.id)?
        .iter()
        .filter(|l| l.usable_on(day))
        .map(|l| l.qty)
        .sum();
    if rules::leaves_enough(usable, h.qty, qty) {
        return Ok(());
    }
    Err(StockError::Reserved {
        item: item.name.clone(),
        place: place.code.clone(),
        unit: item.dose_unit.clone(),
        free: rules::free(usable, h.qty),
        wanted: qty,
        cases: h.cases,
    })
}

// ---------------------------------------------------------------- booking

/// A kit line whose units the place cannot cover today (booked all the
/// same: the plan brings what is missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShortLine {
    pub item: String,
    pub name: String,
    pub unit: String,
    pub wanted: i64,
    /// Usable units not held for other cases.
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booked {
    pub reference: String,
    pub place: String,
    pub case_at: DateTime<Utc>,
    pub short: Vec<ShortLine>,
}

/// One line of a kit as typed: `CODE:QTY`.
pub fn parse_kit_line(text: &str) -> Result<(String, i64)> {
    let bad = || ReserveError::BadLine(text.to_string());
    let (code, qty) = text.rsplit_once(':').ok_or_else(bad)?;
    let code = code.trim();
    if code.is_empty() {
        return Err(bad());
    }
    let qty: i64 = qty.trim().parse().map_err(|_| bad())?;
    Ok((code.to_string(), qty))
}

/// Books a case: its place (a ward or theatre), time, patient and kit.
/// Refused: a time gone or beyond the horizon, an unknown patient or
/// item, a quantity out of bounds, an item twice. A kit the place cannot
/// cover today is booked with the short lines told.
pub fn book(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    at: DateTime<Utc>,
    mrn: &str,
    kit: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<Booked> {
    allow(actor, Operation::Reserve)?;
    if place.kind != PlaceKind::Ward {
        return Err(ReserveError::NotAWard(place.code.clone()));
    }
    if let Some(problem) = rules::case_time_problem(at, now) {
        return Err(ReserveError::TimeProblem {
            at: at.with_timezone(&store.zone()).naive_local(),
            problem,
        });
    }
    if kit.is_empty() {
        return Err(ReserveError::NoItems);
    }
    for (i, (item, qty)) in kit.iter().enumerate() {
        qty_ok(*qty)?;
        if kit[..i].iter().any(|(o, _)| o.id == item.id) {
            return Err(ReserveError::ItemTwice(item.code.clone()));
        }
    }
    let today = store.today(now);
    store.write(|tx| {
        let patient: i64 = tx
            .query_row("SELECT id FROM patients WHERE mrn = ?1", [mrn.trim()], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| ReserveError::UnknownPatient(mrn.trim().to_string()))?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let id: i64 = tx.query_row(
            "INSERT INTO reservations (reference, place_id, patient_id, case_at, note, created_by, created_at)
             VALUES ('CASE-' || (SELECT COALESCE(MAX(id), 0) + 1 FROM reservations), ?1, ?2, ?3, ?4, ?5, ?6)
             RETURNING id",
            params![place.id, patient, instant_to_text(at), note, actor.user_id, instant_to_text(now)],
            |r| r.get(0),
        )?;
        let reference: String =
            tx.query_row("SELECT reference FROM reservations WHERE id = ?1", [id], |r| r.get(0))?;
        let mut short = Vec::new();
        for (item, qty) in kit {
            // What the place has free for it now, before this case holds it.
            let h = held(tx, place.id, item.id, Some(id))?;
            let usable: i64 = crate::store::queries::lot_stock(tx, place.id, item.id)?
                .iter()
                .filter(|l| l.usable_on(today))
                .map(|l| l.qty)
                .sum();
            let free = rules::free(usable, h.qty);
            if free < *qty {
                short.push(ShortLine {
                    item: item.code.clone(),
                    name: item.name.clone(),
                    unit: item.dose_unit.clone(),
                    wanted: *qty,
                    free,
                });
            }
            tx.execute(
                "INSERT INTO reservation_lines (reservation_id, item_id, qty) VALUES (?1, ?2, ?3)",
                params![id, item.id, qty],
            )?;
            event(tx, id, now, actor, None, "booked", Some(item.id), Some(*qty), None)?;
        }
        event(tx, id, now, actor, None, "booked", None, None, note)?;
        Ok(Booked {
            reference,
            place: place.code.clone(),
            case_at: at,
            short,
        })
    })
}

fn event(
    tx: &Connection,
    case: i64,
    now: DateTime<Utc>,
    actor: &Actor,
    witness: Option<i64>,
    what: &str,
    item: Option<i64>,
    qty: Option<i64>,
    note: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO reservation_events (reservation_id, at, user_id, witness_id, event, item_id, qty, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![case, instant_to_text(now), actor.user_id, witness, what, item, qty, note])?;
    Ok(())
}

// ---------------------------------------------------------------- reading

/// One line of a case's kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseLine {
    pub item_id: i64,
    pub item: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    pub used: i64,
    pub released: i64,
    /// Still held: booked less used and released (none once closed).
    pub held: i64,
    /// Held units the place's usable stock cannot cover today, the cases
    /// due earlier served first.
    pub short: i64,
}

/// A scheduled case with its kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: i64,
    pub reference: String,
    pub place: String,
    pub place_id: i64,
    pub mrn: String,
    pub patient: String,
    pub patient_id: i64,
    pub case_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// booked, used or cancelled.
    pub status: String,
    pub created_by: String,
    pub created_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub lines: Vec<CaseLine>,
}

impl Case {
    pub fn is_open(&self) -> bool {
        self.status == "booked"
    }

    pub fn short(&self) -> bool {
        self.lines.iter().any(|l| l.short > 0)
    }
}

/// One change to a case, attributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub at: Option<DateTime<Utc>>,
    pub user: String,
    pub witness: Option<String>,
    pub event: String,
    pub item: Option<String>,
    pub qty: Option<i64>,
    pub note: Option<String>,
}

const CASE_SQL: &str =
    "SELECT r.id, r.reference, p.code, p.id, pa.mrn, pa.name, pa.id, r.case_at, r.note, r.status,
            u.username, r.created_at, c.username, r.closed_at, r.reason
     FROM reservations r JOIN places p ON p.id = r.place_id JOIN patients pa ON pa.id = r.patient_id
     JOIN users u ON u.id = r.created_by LEFT JOIN users c ON c.id = r.closed_by";

fn case_row(r: &rusqlite::Row) -> rusqlite::Result<Case> {
    let t = |s: Option<String>| s.as_deref().and_then(instant_from_text);
    Ok(Case {
        id: r.get(0)?,
        reference: r.get(1)?,
        place: r.get(2)?,
        place_id: r.get(3)?,
        mrn: r.get(4)?,
        patient: r.get(5)?,
        patient_id: r.get(6)?,
        case_at: t(r.get(7)?),
        note: r.get(8)?,
        status: r.get(9)?,
        created_by: r.get(10)?,
        created_at: t(r.get(11)?),
        closed_by: r.get(12)?,
        closed_at: t(r.get(13)?),
        reason: r.get(14)?,
        lines: Vec::new(),
    })
}

/// The cases of a place (or every place): booked ones by time, then the
/// closed ones of the last `days_closed` days, newest first.
pub fn cases(
    conn: &Connection,
    place_id: Option<i64>,
    now: DateTime<Utc>,
    days_closed: i64,
) -> rusqlite::Result<Vec<Case>> {
    let since = instant_to_text(now - chrono::Duration::days(days_closed.max(0)));
    let mut stmt = conn.prepare_cached(&format!(
        "{CASE_SQL} WHERE (?1 IS NULL OR r.place_id = ?1) AND (r.status = 'booked' OR r.closed_at >= ?2)
         ORDER BY r.status <> 'booked', CASE WHEN r.status = 'booked' THEN r.case_at END, r.closed_at DESC, r.id"
    ))?;
    let mut list: Vec<Case> = stmt
        .query_map(params![place_id, since], case_row)?
        .collect::<rusqlite::Result<_>>()?;
    fill_lines(conn, &mut list, now)?;
    Ok(list)
}

/// A case by its reference (`CASE-12`, or `12`).
pub fn case_by_ref(conn: &Connection, reference: &str, now: DateTime<Utc>) -> Result<Case> {
    let r = reference.trim();
    let id: Option<i64> = r.parse().ok();
    let mut stmt = conn.prepare_cached(&format!(
        "{CASE_SQL} WHERE r.reference = ?1 COLLATE NOCASE OR r.id IS ?2"
    ))?;
    let mut case = stmt
        .query_row(params![r, id], case_row)
        .optional()?
        .ok_or_else(|| ReserveError::UnknownCase(r.to_string()))?;
    let mut one = vec![case.clone()];
    fill_lines(conn, &mut one, now)?;
    if let Some(c) = one.pop() {
        case = c;
    }
    Ok(case)
}

/// The history of a case, oldest first.
pub fn case_events(conn: &Connection, case_id: i64) -> rusqlite::Result<Vec<CaseEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, u.username, w.username, e.event, i.code, e.qty, e.note FROM reservation_events e
         JOIN users u ON u.id = e.user_id LEFT JOIN users w ON w.id = e.witness_id
         LEFT JOIN items i ON i.id = e.item_id WHERE e.reservation_id = ?1 ORDER BY e.id",
    )?;
    stmt.query_map([case_id], |r| {
        Ok(CaseEvent {
            at: instant_from_text(&r.get::<_, String>(0)?),
            user: r.get(1)?,
            witness: r.get(2)?,
            event: r.get(3)?,
            item: r.get(4)?,
            qty: r.get(5)?,
            note: r.get(6)?,
        })
    })?
    .collect()
}

/// The kits of the cases, with what the places' usable stock leaves short
/// (every booked case of the place counted, earlier cases first).
fn fill_lines(conn: &Connection, list: &mut [Case], now: DateTime<Utc>) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.item_id, i.code, i.name, i.dose_unit, l.qty, l.used, l.released
         FROM reservation_lines l JOIN items i ON i.id = l.item_id WHERE l.reservation_id = ?1 ORDER BY i.code",
    )?;
    for case in list.iter_mut() {
        let open = case.is_open();
        case.lines = stmt
            .query_map([case.id], |r| {
                let (qty, used, released): (i64, i64, i64) = (r.get(4)?, r.get(5)?, r.get(6)?);
                Ok(CaseLine {
                    item_id: r.get(0)?,
                    item: r.get(1)?,
                    name: r.get(2)?,
                    unit: r.get(3)?,
                    qty,
                    used,
                    released,
                    held: if open { qty - used - released } else { 0 },
                    short: 0,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    // Short: per (place, item), the usable stock served to the booked cases
    // in time order (all of the place's cases, listed or not).
    let zone = crate::store::queries::site_zone(conn)?;
    let today = now.with_timezone(&zone).date_naive();
    let mut keys: Vec<(i64, i64)> = list
        .iter()
        .filter(|c| c.is_open())
        .flat_map(|c| c.lines.iter().map(move |l| (c.place_id, l.item_id)))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut order = conn.prepare_cached(
        "SELECT r.id, l.qty - l.used - l.released FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id
         WHERE r.status = 'booked' AND r.place_id = ?1 AND l.item_id = ?2 ORDER BY r.case_at, r.id",
    )?;
    let mut short: HashMap<(i64, i64), i64> = HashMap::new();
    for (place, item) in keys {
        let mut left: i64 = crate::store::queries::lot_stock(conn, place, item)?
            .iter()
            .filter(|l| l.usable_on(today))
            .map(|l| l.qty)
            .sum();
        for row in order.query_map(params![place, item], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (case, qty) = row?;
            let covered = qty.min(left.max(0));
            left -= covered;
            if qty > covered {
                short.insert((case, item), qty - covered);
            }
        }
    }
    for case in list.iter_mut() {
        for l in case.lines.iter_mut() {
            l.short = short.get(&(case.id, l.item_id)).copied().unwrap_or(0);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- use, close, cancel

/// What a case used: per item, the lots issued to the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsedLine {
    pub item: String,
    pub qty: i64,
    pub lots: Vec<Taken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Used {
    pub reference: String,
    pub mrn: String,
    pub used: Vec<UsedLine>,
    /// Whether the case was closed (what was left is released).
    pub closed: bool,
    /// Units released, per item code.
    pub released: Vec<(String, i64)>,
}

fn open_case(tx: &Connection, reference: &str, now: DateTime<Utc>) -> Result<Case> {
    let case = case_by_ref(tx, reference, now)?;
    if !case.is_open() {
        return Err(ReserveError::Closed {
            case: case.reference,
            status: case.status,
        });
    }
    Ok(case)
}

/// Records what a case used: each item's units issued to the patient from
/// the place, first expired first out among the lots (the case's own held
/// units and the free ones, never another case's), controlled drugs
/// signed by the witness. `uses` empty: the whole kit as booked. With
/// `close`, the case is done and what is left is released.
pub fn use_case(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    reference: &str,
    uses: &[(ItemRef, i64)],
    close: bool,
    witness: Option<&Actor>,
) -> Result<Used> {
    allow(actor, Operation::Issue)?;
    for (_, q) in uses {
        qty_ok(*q)?;
    }
    let day = store.today(now);
    store.write(|tx| {
        let case = open_case(tx, reference, now)?;
        let place = crate::ops::stock::place_by_id(tx, case.place_id)?;
        let wanted: Vec<(ItemRef, i64)> = if uses.is_empty() {
            let mut all = Vec::new();
            for l in case.lines.iter().filter(|l| l.held > 0) {
                all.push((crate::ops::stock::item_by_id(tx, l.item_id)?, l.held));
            }
            all
        } else {
            uses.to_vec()
        };
        let mut out = Vec::new();
        for (item, qty) in &wanted {
            let Some(line) = case.lines.iter().find(|l| l.item_id == item.id) else {
                return Err(ReserveError::NotOnCase {
                    case: case.reference.clone(),
                    item: item.code.clone(),
                });
            };
            let asked: i64 = wanted
                .iter()
                .filter(|(i, _)| i.id == item.id)
                .map(|(_, q)| q)
                .sum();
            if asked > line.held {
                return Err(ReserveError::MoreThanHeld {
                    case: case.reference.clone(),
                    item: item.name.clone(),
                    unit: item.dose_unit.clone(),
                    held: line.held,
                    wanted: asked,
                });
            }
            let lots = crate::ops::stock::issue_in(
                tx,
                actor,
                now,
                day,
                &place,
                item,
                *qty,
                None,
                Some(&format!("case {}", case.reference)),
                witness,
                &crate::ops::stock::IssueFor {
                    patient_id: Some(case.patient_id),
                    order_ref: Some(case.reference.clone()),
                    case_id: Some(case.id),
                },
            )?;
            tx.execute(
                "UPDATE reservation_lines SET used = used + ?3 WHERE reservation_id = ?1 AND item_id = ?2",
                params![case.id, item.id, qty],
            )?;
            let signed = if item.controlled {
                witness.map(|w| w.user_id)
            } else {
                None
            };
            event(tx, case.id, now, actor, signed, "used", Some(item.id), Some(*qty), None)?;
            out.push(UsedLine {
                item: item.code.clone(),
                qty: *qty,
                lots,
            });
        }
        let released = if close {
            close_in(tx, &case, now, actor, "used", None)?
        } else {
            Vec::new()
        };
        Ok(Used {
            reference: case.reference,
            mrn: case.mrn,
            used: out,
            closed: close,
            released,
        })
    })
}

/// Releases what a case still holds and closes it (`status`: used or
/// cancelled). Gives the units released per item code.
fn close_in(
    tx: &Transaction,
    case: &Case,
    now: DateTime<Utc>,
    actor: &Actor,
    status: &str,
    reason: Option<&str>,
) -> Result<Vec<(String, i64)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT i.code, l.qty - l.used - l.released FROM reservation_lines l JOIN items i ON i.id = l.item_id
         WHERE l.reservation_id = ?1 AND l.qty > l.used + l.released ORDER BY i.code",
    )?;
    let released: Vec<(String, i64)> = stmt
        .query_map([case.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute(
        "UPDATE reservation_lines SET released = qty - used WHERE reservation_id = ?1",
        [case.id],
    )?;
    tx.execute(
        "UPDATE reservations SET status = ?2, closed_by = ?3, closed_at = ?4, reason = ?5 WHERE id = ?1",
        params![case.id, status, actor.user_id, instant_to_text(now), reason],
    )?;
    let what = if status == "cancelled" {
        "cancelled"
    } else {
        "closed"
    };
    event(tx, case.id, now, actor, None, what, None, None, reason)?;
    Ok(released)
}

/// Cancels a case (its nurse manager or a pharmacist, with the reason):
/// everything it held is free again.
pub fn cancel(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    reference: &str,
    reason: &str,
) -> Result<Vec<(String, i64)>> {
    allow(actor, Operation::Reserve)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReserveError::ReasonNeeded);
    }
    store.write(|tx| {
        let case = open_case(tx, reference, now)?;
        close_in(tx, &case, now, actor, "cancelled", Some(reason))
    })
}

/// Closes a case without using anything more: what is left is released.
pub fn close(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    reference: &str,
) -> Result<Vec<(String, i64)>> {
    allow(actor, Operation::Issue)?;
    store.write(|tx| {
        let case = open_case(tx, reference, now)?;
        close_in(tx, &case, now, actor, "used", None)
    })
}
