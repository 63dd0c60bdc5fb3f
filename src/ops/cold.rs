//! The cold chain: temperature readings of a cold location (by hand on the
//! round, or a data logger's export), the excursions they raise, the hold
//! an excursion puts on the stock of that location, and the pharmacist's
//! decision per lot (release, or dispose).
//!
//! A hold is on a lot *at one location*: the same lot elsewhere stays
//! usable. Held units are never taken out of their location: FEFO skips
//! them (`store::queries::lot_stock`), the ledger never takes them when no
//! location is named (`store::ledger::lot_locations`), every operation that
//! takes a lot out refuses them with [`StockError::ColdHeld`], and the
//! ledger's own trigger refuses a movement out of a held location.
//!
//! A lot's cumulative time out of range is the sum of the minutes recorded
//! on its released holds ([`cumulative_minutes`]).

// Operations take the store, who and when, then what the user gave.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Actor;
use super::items::{Forbidden, allow, is_busy};
use super::stock::{ItemRef, StockError};
use crate::domain::cold::{self, BadLine, Cause, ColdRules, Reading};
use crate::domain::roles::Operation;
use crate::domain::{MovementKind, instant_from_text, instant_to_text};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};

mod decide;
pub use decide::*;

/// Why a cold-chain operation is refused.
#[derive(Debug)]
pub enum ColdError {
    Forbidden(Forbidden),
    /// No location of that code (`PLACE/CODE`, or a code of one place).
    UnknownLocation(String),
    /// A code several places use: the place must be named.
    AmbiguousLocation {
        code: String,
        places: Vec<String>,
    },
    /// The location does not keep a temperature log (a shelf, a safe).
    NotCold {
        location: String,
        kind: String,
    },
    /// A temperature that is not a number of degrees.
    BadTemperature(String),
    /// A minimum above the current, or the current above the maximum.
    MinMaxOrder,
    /// The range's low end is not below its high end.
    RangeOrder,
    /// A reading in the future.
    InFuture(DateTime<Utc>),
    /// A logger's export with lines that do not read: nothing was written.
    BadLines {
        file: String,
        lines: Vec<BadLine>,
    },
    /// A logger's export without a reading.
    EmptyFile(String),
    /// The lot is not held at that location.
    NotHeld {
        location: String,
        lot: String,
    },
    UnknownLot {
        item: String,
        lot: String,
    },
    /// A release without its comment.
    CommentRequired,
    /// Disposing of the held units failed (a controlled drug's second
    /// signature, stock moved meanwhile).
    Stock(Box<StockError>),
    Busy,
    Store(rusqlite::Error),
}

impl std::error::Error for ColdError {}

impl From<rusqlite::Error> for ColdError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            ColdError::Busy
        } else {
            ColdError::Store(e)
        }
    }
}

impl From<Forbidden> for ColdError {
    fn from(e: Forbidden) -> Self {
        ColdError::Forbidden(e)
    }
}

impl From<StockError> for ColdError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Busy => ColdError::Busy,
            StockError::Store(e) => e.into(),
            e => ColdError::Stock(Box::new(e)),
        }
    }
}

pub type Result<T, E = ColdError> = std::result::Result<T, E>;

/// A cold location as the operations see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColdLocation {
    pub id: i64,
    pub place_id: i64,
    pub place: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub rules: ColdRules,
}

impl ColdLocation {
    /// "PLACE/CODE", as the command line takes it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.place, self.code)
    }
}

fn rules_of(conn: &Connection, id: i64, kind: &str) -> rusqlite::Result<ColdRules> {
    let set: Option<ColdRules> = conn
        .prepare_cached(
            "SELECT min_tenths, max_tenths, allowed_minutes, round_minutes FROM cold_settings
             WHERE location_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([id], |r| {
            Ok(ColdRules {
                min_tenths: r.get(0)?,
                max_tenths: r.get(1)?,
                allowed_minutes: r.get(2)?,
                round_minutes: r.get(3)?,
            })
        })
        .optional()?;
    Ok(set.unwrap_or_else(|| cold::default_rules(kind)))
}

type LocRow = (i64, i64, String, String, String, String);

fn location_rows(conn: &Connection, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<LocRow>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map(p, |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn to_location(conn: &Connection, row: LocRow) -> Result<ColdLocation> {
    let (id, place_id, place, code, name, kind) = row;
    if !cold::is_cold_kind(&kind) {
        return Err(ColdError::NotCold {
            location: format!("{place}/{code}"),
            kind,
        });
    }
    let rules = rules_of(conn, id, &kind)?;
    Ok(ColdLocation {
        id,
        place_id,
        place,
        code,
        name,
        kind,
        rules,
    })
}

const LOCATION_SQL: &str = "SELECT l.id, l.place_id, p.code, l.code, l.name, l.kind FROM locations l JOIN places p ON p.id = l.place_id";

/// The cold location `PLACE/CODE` (or `CODE`, when one place alone has it).
pub fn location(conn: &Connection, text: &str) -> Result<ColdLocation> {
    let text = text.trim();
    let rows = match text.split_once('/') {
        Some((place, code)) => location_rows(
            conn,
            &format!(
                "{LOCATION_SQL} WHERE p.code = ?1 COLLATE NOCASE AND l.code = ?2 COLLATE NOCASE AND l.closed_at IS NULL"
            ),
            &[&place.trim(), &code.trim()],
        )?,
        None => location_rows(
            conn,
            &format!(
                "{LOCATION_SQL} WHERE l.code = ?1 COLLATE NOCASE AND l.closed_at IS NULL ORDER BY p.code"
            ),
            &[&text],
        )?,
    };
    match rows.len() {
        0 => Err(ColdError::UnknownLocation(text.to_string())),
        1 => to_location(
            conn,
            rows.into_iter()
                .next()
                .ok_or(ColdError::UnknownLocation(text.to_string()))?,
        ),
        _ => Err(ColdError::AmbiguousLocation {
            code: text.to_string(),
            places: rows.into_iter().map(|r| r.2).collect(),
        }),
    }
}

/// Every open cold location (of one place, or all), by place and code.
pub fn locations(conn: &Connection, place: Option<&str>) -> Result<Vec<ColdLocation>> {
    let rows = location_rows(
        conn,
        &format!(
            "{LOCATION_SQL} WHERE l.closed_at IS NULL AND l.kind IN ('fridge', 'freezer', 'cold_room')
             AND (?1 IS NULL OR p.code = ?1 COLLATE NOCASE) ORDER BY p.code, l.code"
        ),
        &[&place],
    )?;
    rows.into_iter().map(|r| to_location(conn, r)).collect()
}

// ---------------------------------------------------------------- readings

/// A reading entered by hand: the current temperature and, from a min/max
/// thermometer, the lowest and highest since the last reset (°C, as typed).
#[derive(Debug, Clone, Default)]
pub struct HandReading<'a> {
    pub current: &'a str,
    pub min: Option<&'a str>,
    pub max: Option<&'a str>,
    /// When it was read; `None`: now.
    pub at: Option<DateTime<Utc>>,
}

/// An excursion raised or extended by an operation, and the lots it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raised {
    pub excursion_id: i64,
    pub location: String,
    pub cause: Cause,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub minutes: i64,
    pub peak_tenths: Option<i32>,
    pub ongoing: bool,
    /// Newly raised (not an excursion already on record, extended).
    pub new: bool,
    /// Lots put on hold by it: (item code, lot number, units).
    pub held: Vec<(String, String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub location: String,
    pub readings: usize,
    /// Readings of the file already on record at the same time (not written again).
    pub already: usize,
    pub raised: Vec<Raised>,
}

fn temp(text: &str) -> Result<i32> {
    cold::parse_celsius(text).ok_or_else(|| ColdError::BadTemperature(text.trim().to_string()))
}

/// Records a reading taken by hand on the round, and raises what it shows.
pub fn record_reading(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    r: &HandReading,
) -> Result<Recorded> {
    allow(actor, Operation::ColdReading)?;
    let reading = Reading {
        at: r.at.unwrap_or(now),
        current: temp(r.current)?,
        min: r.min.map(temp).transpose()?,
        max: r.max.map(temp).transpose()?,
    };
    if reading.at > now + chrono::Duration::minutes(5) {
        return Err(ColdError::InFuture(reading.at));
    }
    if reading.min.is_some_and(|m| m > reading.current)
        || reading.max.is_some_and(|m| m < reading.current)
    {
        return Err(ColdError::MinMaxOrder);
    }
    store.write(|tx| {
        let loc = location(tx, location_text)?;
        let written = insert_reading(tx, actor, now, &loc, &reading, "hand", None)?;
        let raised = evaluate(tx, actor, now, &loc, reading.at)?;
        Ok(Recorded {
            location: loc.label(),
            readings: usize::from(written),
            already: usize::from(!written),
            raised,
        })
    })
}

/// Imports a data logger's CSV export (`text`, read from `file`): every
/// reading or none; a line that does not read is named by its number.
pub fn import_logger(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    file: &str,
    text: &str,
) -> Result<Recorded> {
    allow(actor, Operation::ColdReading)?;
    let zone = store.zone();
    let rows = cold::parse_logger_csv(text, &zone).map_err(|lines| ColdError::BadLines {
        file: file.to_string(),
        lines,
    })?;
    let Some(first) = rows.first().map(|r| r.0) else {
        return Err(ColdError::EmptyFile(file.to_string()));
    };
    if let Some(late) = rows
        .iter()
        .map(|r| r.0)
        .find(|t| *t > now + chrono::Duration::minutes(5))
    {
        return Err(ColdError::InFuture(late));
    }
    store.write(|tx| {
        let loc = location(tx, location_text)?;
        let mut written = 0;
        for (at, t) in &rows {
            let reading = Reading {
                at: *at,
                current: *t,
                min: None,
                max: None,
            };
            if insert_reading(tx, actor, now, &loc, &reading, "logger", Some(file))? {
                written += 1;
            }
        }
        let raised = evaluate(tx, actor, now, &loc, first)?;
        Ok(Recorded {
            location: loc.label(),
            readings: written,
            already: rows.len() - written,
            raised,
        })
    })
}

/// Writes a reading; `false` if one is already on record at that instant.
fn insert_reading(
    tx: &Transaction,
    actor: &Actor,
    now: DateTime<Utc>,
    loc: &ColdLocation,
    r: &Reading,
    source: &str,
    file: Option<&str>,
) -> rusqlite::Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT INTO temperature_readings (location_id, at, current_tenths, min_tenths, max_tenths, user_id, source, file, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (location_id, at) DO NOTHING",
        )?
        .execute(params![
            loc.id,
            instant_to_text(r.at),
            r.current,
            r.min,
            r.max,
            actor.user_id,
            source,
            file,
            instant_to_text(now)
        ])?;
    Ok(n == 1)
}

fn readings_from(
    conn: &Connection,
    location_id: i64,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> rusqlite::Result<Vec<StoredReading>> {
    conn.prepare_cached(
        "SELECT r.at, r.current_tenths, r.min_tenths, r.max_tenths, u.username, r.source, r.file
         FROM temperature_readings r JOIN users u ON u.id = r.user_id
         WHERE r.location_id = ?1 AND r.at >= ?2 AND (?3 IS NULL OR r.at <= ?3) ORDER BY r.at",
    )?
    .query_map(
        params![location_id, instant_to_text(from), to.map(instant_to_text)],
        |r| {
            let at: String = r.get(0)?;
            Ok(StoredReading {
                reading: Reading {
                    at: instant_from_text(&at).unwrap_or_default(),
                    current: r.get(1)?,
                    min: r.get(2)?,
                    max: r.get(3)?,
                },
                user: r.get(4)?,
                source: r.get(5)?,
                file: r.get(6)?,
            })
        },
    )?
    .collect()
}

/// Judges the readings from the one before `since` (and from the start of an
/// excursion still going) on, and records what they raise.
fn evaluate(
    tx: &Transaction,
    actor: &Actor,
    now: DateTime<Utc>,
    loc: &ColdLocation,
    since: DateTime<Utc>,
) -> Result<Vec<Raised>> {
    let ongoing: Option<String> = tx
        .prepare_cached(
            "SELECT MIN(started_at) FROM excursions WHERE location_id = ?1 AND ongoing = 1",
        )?
        .query_row([loc.id], |r| r.get(0))?;
    let mut from = since;
    if let Some(t) = ongoing.as_deref().and_then(instant_from_text) {
        from = from.min(t);
    }
    let before: Option<String> = tx
        .prepare_cached(
            "SELECT MAX(at) FROM temperature_readings WHERE location_id = ?1 AND at < ?2",
        )?
        .query_row(params![loc.id, instant_to_text(from)], |r| r.get(0))?;
    if let Some(t) = before.as_deref().and_then(instant_from_text) {
        from = t;
    }
    let readings: Vec<Reading> = readings_from(tx, loc.id, from, None)?
        .into_iter()
        .map(|r| r.reading)
        .collect();
    let mut out = Vec::new();
    for e in cold::excursions(&loc.rules, &readings) {
        out.push(record_excursion(tx, actor, now, loc, &e)?);
    }
    Ok(out)
}

/// Records an excursion: extends one on record that it overlaps (same
/// cause), or raises a new one and holds the stock of the location.
fn record_excursion(
    tx: &Transaction,
    actor: &Actor,
    now: DateTime<Utc>,
    loc: &ColdLocation,
    e: &cold::Excursion,
) -> Result<Raised> {
    let existing: Option<(i64, String, String, Option<i32>)> = tx
        .prepare_cached(
            "SELECT id, started_at, ended_at, peak_tenths FROM excursions
             WHERE location_id = ?1 AND cause = ?2 AND started_at <= ?4 AND ended_at >= ?3
             ORDER BY started_at LIMIT 1",
        )?
        .query_row(
            params![
                loc.id,
                e.cause.as_ref(),
                instant_to_text(e.start),
                instant_to_text(e.end)
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (id, start, end, peak, new, hold) = match existing {
        Some((id, s, en, p)) => {
            let s = instant_from_text(&s).unwrap_or(e.start).min(e.start);
            let old_end = instant_from_text(&en).unwrap_or(e.end);
            let end = old_end.max(e.end);
            let peak = match (p, e.peak) {
                (Some(a), Some(b)) => Some(if loc.rules.distance(b) > loc.rules.distance(a) {
                    b
                } else {
                    a
                }),
                (a, b) => a.or(b),
            };
            let ongoing = if e.end >= old_end { e.ongoing } else { false };
            tx.execute(
                "UPDATE excursions SET started_at = ?2, ended_at = ?3, ongoing = ?4, minutes = ?5, peak_tenths = ?6 WHERE id = ?1",
                params![id, instant_to_text(s), instant_to_text(end), ongoing, (end - s).num_minutes().max(0), peak],
            )?;
            // Stock is held again only while the location stays out of range.
            let hold = e.cause == Cause::OutOfRange && end > old_end;
            (id, s, end, peak, false, hold)
        }
        None => {
            tx.execute(
                "INSERT INTO excursions (location_id, cause, started_at, ended_at, ongoing, minutes, peak_tenths, raised_at, raised_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    loc.id,
                    e.cause.as_ref(),
                    instant_to_text(e.start),
                    instant_to_text(e.end),
                    e.ongoing,
                    e.minutes(),
                    e.peak,
                    instant_to_text(now),
                    actor.user_id
                ],
            )?;
            (tx.last_insert_rowid(), e.start, e.end, e.peak, true, true)
        }
    };
    let held = if hold {
        hold_stock(tx, now, loc, id)?
    } else {
        Vec::new()
    };
    let ongoing: bool =
        tx.query_row("SELECT ongoing FROM excursions WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    Ok(Raised {
        excursion_id: id,
        location: loc.label(),
        cause: e.cause,
        start,
        end,
        minutes: (end - start).num_minutes().max(0),
        peak_tenths: peak,
        ongoing,
        new,
        held,
    })
}

/// Holds every lot with stock at the location (those not held already).
fn hold_stock(
    tx: &Transaction,
    now: DateTime<Utc>,
    loc: &ColdLocation,
    excursion_id: i64,
) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let lots: Vec<(i64, String, String, i64)> = tx
        .prepare_cached(
            "SELECT b.lot_id, i.code, l.lot_number, b.qty FROM location_balances b
             JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
             WHERE b.location_id = ?1 AND b.qty > 0 ORDER BY i.code, l.lot_number",
        )?
        .query_map([loc.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (lot_id, item, lot, qty) in lots {
        let n = tx
            .prepare_cached(
                "INSERT INTO cold_holds (location_id, lot_id, excursion_id, held_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![loc.id, lot_id, excursion_id, instant_to_text(now)])?;
        if n == 1 {
            out.push((item, lot, qty));
        }
    }
    Ok(out)
}

/// Raises a missed reading at every cold location whose round is overdue
/// (of one place, or all): its stock is held until a pharmacist decides.
pub fn check_rounds(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: Option<&str>,
) -> Result<Vec<Raised>> {
    allow(actor, Operation::ColdReading)?;
    store.write(|tx| {
        let mut out = Vec::new();
        for loc in locations(tx, place)? {
            let last = last_reading(tx, loc.id)?.map(|r| r.reading.at);
            if let Some(e) = cold::missed_round(&loc.rules, last, now) {
                out.push(record_excursion(tx, actor, now, &loc, &e)?);
            }
        }
        Ok(out)
    })
}

/// Whether any cold location's round is overdue now (a read only: the
/// console checks this before it writes a missed round).
pub fn rounds_overdue(conn: &Connection, now: DateTime<Utc>) -> Result<bool> {
    for loc in locations(conn, None)? {
        let last = last_reading(conn, loc.id)?.map(|r| r.reading.at);
        if cold::missed_round(&loc.rules, last, now).is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Sets a cold location's range, allowed time out of range and round
/// interval (°C as typed; `None` keeps what is set).
pub fn set_rules(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    min: Option<&str>,
    max: Option<&str>,
    allowed_minutes: Option<i64>,
    round_minutes: Option<Option<i64>>,
) -> Result<ColdLocation> {
    allow(actor, Operation::ColdSettings)?;
    let min = min.map(temp).transpose()?;
    let max = max.map(temp).transpose()?;
    store.write(|tx| {
        let loc = location(tx, location_text)?;
        let rules = ColdRules {
            min_tenths: min.unwrap_or(loc.rules.min_tenths),
            max_tenths: max.unwrap_or(loc.rules.max_tenths),
            allowed_minutes: allowed_minutes.unwrap_or(loc.rules.allowed_minutes).max(0),
            round_minutes: round_minutes
                .unwrap_or(loc.rules.round_minutes)
                .filter(|m| *m > 0),
        };
        if rules.min_tenths >= rules.max_tenths {
            return Err(ColdError::RangeOrder);
        }
        tx.execute(
            "INSERT INTO cold_settings (location_id, min_tenths, max_tenths, allowed_minutes, round_minutes, user_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                loc.id,
                rules.min_tenths,
                rules.max_tenths,
                rules.allowed_minutes,
                rules.round_minutes,
                actor.user_id,
                instant_to_text(now)
            ],
        )?;
        Ok(ColdLocation { rules, ..loc })
    })
}

// ---------------------------------------------------------------- what is held

/// A lot held at a location, awaiting a pharmacist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldLot {
    pub hold_id: i64,
    pub location_id: i64,
    pub location: String,
    pub place_id: i64,
    pub item_id: i64,
    pub item_code: String,
    pub item_name: String,
    pub lot_id: i64,
    pub lot: String,
    pub qty: i64,
    pub unit: String,
    pub excursion_id: i64,
    pub minutes: i64,
    pub peak_tenths: Option<i32>,
    pub cause: Cause,
    pub held_at: DateTime<Utc>,
}

const HELD_SQL: &str = "SELECT h.id, h.location_id, p.code || '/' || lo.code, p.id, i.id, i.code, i.name, l.id, l.lot_number,
        COALESCE((SELECT qty FROM location_balances b WHERE b.location_id = h.location_id AND b.lot_id = h.lot_id), 0),
        i.dose_unit, e.id, e.minutes, e.peak_tenths, e.cause, h.held_at
     FROM cold_holds h JOIN locations lo ON lo.id = h.location_id JOIN places p ON p.id = lo.place_id
     JOIN lots l ON l.id = h.lot_id JOIN items i ON i.id = l.item_id JOIN excursions e ON e.id = h.excursion_id
     WHERE h.decision IS NULL";

fn held_row(r: &rusqlite::Row) -> rusqlite::Result<HeldLot> {
    let cause: String = r.get(14)?;
    let at: String = r.get(15)?;
    Ok(HeldLot {
        hold_id: r.get(0)?,
        location_id: r.get(1)?,
        location: r.get(2)?,
        place_id: r.get(3)?,
        item_id: r.get(4)?,
        item_code: r.get(5)?,
        item_name: r.get(6)?,
        lot_id: r.get(7)?,
        lot: r.get(8)?,
        qty: r.get(9)?,
        unit: r.get(10)?,
        excursion_id: r.get(11)?,
        minutes: r.get(12)?,
        peak_tenths: r.get(13)?,
        cause: cause.parse().unwrap_or(Cause::OutOfRange),
        held_at: instant_from_text(&at).unwrap_or_default(),
    })
}

/// Every lot held at a cold location (of one place, or all).
pub fn held_lots(conn: &Connection, place_id: Option<i64>) -> rusqlite::Result<Vec<HeldLot>> {
    conn.prepare_cached(&format!(
        "{HELD_SQL} AND (?1 IS NULL OR p.id = ?1) ORDER BY p.code, lo.code, i.code, l.lot_number"
    ))?
    .query_map([place_id], held_row)?
    .collect()
}

fn held_at_location(conn: &Connection, location_id: i64) -> rusqlite::Result<Vec<HeldLot>> {
    conn.prepare_cached(&format!(
        "{HELD_SQL} AND h.location_id = ?1 ORDER BY i.code, l.lot_number"
    ))?
    .query_map([location_id], held_row)?
    .collect()
}

/// A lot's cumulative time out of range: the minutes recorded on its
/// released holds.
pub fn cumulative_minutes(conn: &Connection, lot_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(minutes), 0) FROM cold_holds WHERE lot_id = ?1 AND decision = 'release'",
    )?
    .query_row([lot_id], |r| r.get(0))
}

// ---------------------------------------------------------------- status and log

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredReading {
    #[serde(flatten)]
    pub reading: Reading,
    pub user: String,
    /// hand or logger.
    pub source: String,
    pub file: Option<String>,
}

/// How a cold location stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::AsRefStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ColdState {
    /// In range at the last reading, which is not overdue.
    Ok,
    /// Out of range at the last reading.
    OutOfRange,
    /// The round's reading is overdue.
    Overdue,
    /// No reading yet.
    NoReadings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationStatus {
    #[serde(flatten)]
    pub location: ColdLocation,
    pub last: Option<StoredReading>,
    pub state: ColdState,
    pub held: Vec<HeldLot>,
}

fn last_reading(conn: &Connection, location_id: i64) -> rusqlite::Result<Option<StoredReading>> {
    let at: Option<String> = conn
        .prepare_cached("SELECT MAX(at) FROM temperature_readings WHERE location_id = ?1")?
        .query_row([location_id], |r| r.get(0))?;
    let Some(at) = at.as_deref().and_then(instant_from_text) else {
        return Ok(None);
    };
    Ok(readings_from(conn, location_id, at, Some(at))?
        .into_iter()
        .next())
}

/// Each cold location (of one place, or all): last reading, state, held lots.
pub fn status(
    conn: &Connection,
    place: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<LocationStatus>> {
    let mut out = Vec::new();
    for loc in locations(conn, place)? {
        let last = last_reading(conn, loc.id)?;
        let state = match &last {
            None => ColdState::NoReadings,
            Some(r) if !loc.rules.in_range(r.reading.current) => ColdState::OutOfRange,
            Some(r) if cold::missed_round(&loc.rules, Some(r.reading.at), now).is_some() => {
                ColdState::Overdue
            }
            Some(_) => ColdState::Ok,
        };
        let held = held_at_location(conn, loc.id)?;
        out.push(LocationStatus {
            location: loc,
            last,
            state,
            held,
        });
    }
    Ok(out)
}

/// A decision on a held lot, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldRecord {
    pub item_code: String,
    pub lot: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcursionRecord {
    pub id: i64,
    pub cause: Cause,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub ongoing: bool,
    pub minutes: i64,
    pub peak_tenths: Option<i32>,
    pub raised_by: String,
    pub holds: Vec<HoldRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColdLog {
    pub location: ColdLocation,
    pub readings: Vec<StoredReading>,
    pub excursions: Vec<ExcursionRecord>,
}

/// An excursion as stored: id, cause, start, end, ongoing, minutes, peak, raised by.
type ExcursionRow = (i64, String, String, String, bool, i64, Option<i32>, String);

/// A location's readings and excursions (with their decisions) between two instants.
pub fn log(
    conn: &Connection,
    location_text: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<ColdLog> {
    let loc = location(conn, location_text)?;
    let from_t = from.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let readings = readings_from(conn, loc.id, from_t, to)?;
    let rows: Vec<ExcursionRow> = conn
        .prepare_cached(
            "SELECT e.id, e.cause, e.started_at, e.ended_at, e.ongoing, e.minutes, e.peak_tenths, u.username
             FROM excursions e JOIN users u ON u.id = e.raised_by
             WHERE e.location_id = ?1 AND e.ended_at >= ?2 AND (?3 IS NULL OR e.started_at <= ?3) ORDER BY e.started_at",
        )?
        .query_map(params![loc.id, instant_to_text(from_t), to.map(instant_to_text)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut excursions = Vec::new();
    for (id, cause, s, e, ongoing, minutes, peak, by) in rows {
        let holds = conn
            .prepare_cached(
                "SELECT i.code, l.lot_number, h.decision, u.username, h.decided_at, h.comment
                 FROM cold_holds h JOIN lots l ON l.id = h.lot_id JOIN items i ON i.id = l.item_id
                 LEFT JOIN users u ON u.id = h.decided_by WHERE h.excursion_id = ?1 ORDER BY i.code, l.lot_number",
            )?
            .query_map([id], |r| {
                Ok(HoldRecord {
                    item_code: r.get(0)?,
                    lot: r.get(1)?,
                    decision: r.get(2)?,
                    decided_by: r.get(3)?,
                    decided_at: r.get(4)?,
                    comment: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        excursions.push(ExcursionRecord {
            id,
            cause: cause.parse().unwrap_or(Cause::OutOfRange),
            start: instant_from_text(&s).unwrap_or_default(),
            end: instant_from_text(&e).unwrap_or_default(),
            ongoing,
            minutes,
            peak_tenths: peak,
            raised_by: by,
            holds,
        });
    }
    Ok(ColdLog {
        location: loc,
        readings,
        excursions,
    })
}

/// An excursion of a location, for the report of every excursion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocatedExcursion {
    pub location: String,
    #[serde(flatten)]
    pub excursion: ExcursionRecord,
}

/// Every excursion (of one place's cold locations, or all) between two
/// instants, with the decision on each lot it held: the report of the
/// cold chain.
pub fn excursions(
    conn: &Connection,
    place: Option<&str>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<LocatedExcursion>> {
    let mut out = Vec::new();
    for loc in locations(conn, place)? {
        let label = loc.label();
        for e in log(conn, &label, from, to)?.excursions {
            out.push(LocatedExcursion {
                location: label.clone(),
                excursion: e,
            });
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.excursion.start));
    Ok(out)
}
