//! `wardstock check`: is the file sound and does every balance equal its ledger?

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// What was checked: the ledger, or the file as well (`--full`).
    pub scope: Scope,
    pub movements: i64,
    pub balances: i64,
    /// Each problem found; empty when all is well. The words are in
    /// `i18n::errors`.
    pub problems: Vec<Problem>,
}

/// What `check` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// SQLite's integrity check, in its own words.
    Integrity { detail: String },
    /// A row pointing to a missing parent (`row` is `None` for tables without rowid).
    Reference {
        table: String,
        row: Option<i64>,
        parent: String,
    },
    /// A stored balance that is not what its ledger sums to.
    Balance {
        place: String,
        lot: String,
        item: String,
        stored: i64,
        ledger: i64,
    },
    /// A stored balance at a storage location that is not what its ledger
    /// (movements and moves between locations) sums to.
    LocationBalance {
        place: String,
        location: String,
        lot: String,
        item: String,
        stored: i64,
        ledger: i64,
    },
    Negative {
        place: String,
        lot: String,
        qty: i64,
    },
    /// A balance's copy of its lot's expiry or status differs from the lot.
    LotCopy { place: String, lot: String },
    /// A balance or movement naming another item than its lot.
    Item { row: i64, lot: i64 },
    /// A running total kept beside the balances or the ledger (what the
    /// warnings read) that is not what they sum to.
    Total {
        total: TotalKind,
        place: String,
        item: String,
        stored: i64,
        ledger: i64,
    },
}

/// Which running total [`Problem::Total`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalKind {
    /// Units of a place and item in lots whose status is ok (`ok_totals`),
    /// against the balances.
    OkUnits,
    /// Units a place has used of an item to date (`use_totals`, its latest
    /// day), against the ledger.
    Used,
}

impl Default for CheckReport {
    fn default() -> Self {
        CheckReport {
            scope: Scope::Full,
            movements: 0,
            balances: 0,
            problems: Vec::new(),
        }
    }
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Balances per (place, lot) summed from the ledger alone, in key order.
pub fn ledger_balances(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT place_id, lot_id, SUM(qty) FROM (
             SELECT to_place_id AS place_id, lot_id, qty FROM movements WHERE to_place_id IS NOT NULL
             UNION ALL
             SELECT from_place_id, lot_id, -qty FROM movements WHERE from_place_id IS NOT NULL)
         GROUP BY place_id, lot_id HAVING SUM(qty) <> 0 ORDER BY place_id, lot_id",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Balances as stored, in key order.
pub fn stored_balances(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    let mut stmt =
        conn.prepare("SELECT place_id, lot_id, qty FROM balances ORDER BY place_id, lot_id")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// How much `check` verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The ledger: every balance (per place and per storage location)
    /// equals what its movements sum to, none negative, each balance's copy
    /// of its lot, and each movement's item. Seconds at hospital scale.
    Ledger,
    /// The ledger, and first the file itself: SQLite's integrity check
    /// (every page and index) and every reference between rows. Reads the
    /// whole file: much slower on a large database.
    Full,
}

/// The full check: the file's integrity and references, then the ledger.
pub fn run(conn: &Connection) -> rusqlite::Result<CheckReport> {
    run_scope(conn, Scope::Full)
}

/// The ledger check alone (what `wardstock check` runs; `--full` adds the
/// file's own integrity and references).
pub fn ledger(conn: &Connection) -> rusqlite::Result<CheckReport> {
    run_scope(conn, Scope::Ledger)
}

pub fn run_scope(conn: &Connection, scope: Scope) -> rusqlite::Result<CheckReport> {
    let mut report = CheckReport {
        scope,
        ..CheckReport::default()
    };
    if scope == Scope::Full {
        file_integrity(conn, &mut report)?;
        if report
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Integrity { .. }))
        {
            // A damaged file cannot be trusted further.
            return Ok(report);
        }
    }
    report.balances = conn.query_row("SELECT count(*) FROM balances", [], |r| r.get(0))?;
    let wrong_item = ledger_sums(conn, &mut report)?;
    copies_and_signs(conn, &mut report)?;
    report.problems.extend(wrong_item);
    Ok(report)
}

/// SQLite's own integrity check and the references between rows.
fn file_integrity(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if lines != ["ok"] {
        report.problems.extend(
            lines
                .into_iter()
                .map(|detail| Problem::Integrity { detail }),
        );
        return Ok(());
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let fk: Vec<Problem> = stmt
        .query_map([], |r| {
            Ok(Problem::Reference {
                table: r.get(0)?,
                // Tables without rowid report no row number.
                row: r.get(1)?,
                parent: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    report.problems.extend(fk);
    Ok(())
}

/// The ledger summed in one pass over the movements (and one over the moves
/// between locations), compared with the stored balances. Sums are kept in
/// 128 bits: a ledger that overflows 64 bits is a mismatch, not a failure.
/// (place, storage location, lot): a location balance's key.
type LocationKey = (i64, Option<i64>, i64);

/// Returns the movements naming another item than their lot, reported last.
fn ledger_sums(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<Vec<Problem>> {
    use std::collections::HashMap;

    // Place id → (code, the location its stock without one is held at).
    let mut places: HashMap<i64, (String, Option<i64>)> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, code, legacy_location_id FROM places")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            places.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
        }
    }
    // Lot id → item id.
    let mut lot_item: HashMap<i64, i64> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, item_id FROM lots")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            lot_item.insert(r.get(0)?, r.get(1)?);
        }
    }

    let mut by_place: HashMap<(i64, i64), i128> = HashMap::new();
    let mut by_location: HashMap<LocationKey, i128> = HashMap::new();
    let mut wrong_item: Vec<(i64, i64)> = Vec::new();
    // Units used per (place, item): what left a place to be given, issued
    // or sent on.
    let mut used: HashMap<(i64, i64), i128> = HashMap::new();
    let mut movements = 0i64;
    {
        let mut stmt = conn.prepare(
            "SELECT id, item_id, lot_id, from_place_id, to_place_id, from_location_id, to_location_id, qty, kind FROM movements",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            movements += 1;
            let id: i64 = r.get(0)?;
            let item: i64 = r.get(1)?;
            let lot: i64 = r.get(2)?;
            let from: Option<i64> = r.get(3)?;
            let to: Option<i64> = r.get(4)?;
            let from_loc: Option<i64> = r.get(5)?;
            let to_loc: Option<i64> = r.get(6)?;
            let qty = i128::from(r.get::<_, i64>(7)?);
            if lot_item.get(&lot).is_some_and(|&i| i != item) {
                wrong_item.push((id, lot));
            }
            if let Some(place) = from
                && matches!(
                    r.get_ref(8)?.as_str(),
                    Ok("administration" | "issue" | "transfer")
                )
            {
                *used.entry((place, item)).or_default() += qty;
            }
            for (place, loc, signed) in [(to, to_loc, qty), (from, from_loc, -qty)] {
                let Some(place) = place else { continue };
                *by_place.entry((place, lot)).or_default() += signed;
                // Stock at a place that is not on file has no location to count.
                if let Some((_, legacy)) = places.get(&place) {
                    *by_location
                        .entry((place, loc.or(*legacy), lot))
                        .or_default() += signed;
                }
            }
        }
    }
    report.movements = movements;
    {
        let mut stmt = conn.prepare(
            "SELECT place_id, from_location_id, to_location_id, lot_id, qty FROM location_moves",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let place: i64 = r.get(0)?;
            let lot: i64 = r.get(3)?;
            let qty = i128::from(r.get::<_, i64>(4)?);
            *by_location.entry((place, r.get(2)?, lot)).or_default() += qty;
            *by_location.entry((place, r.get(1)?, lot)).or_default() -= qty;
        }
    }

    // (place, lot, ledger, stored), compared in key order.
    let mut off: Vec<((i64, i64), i128, i64)> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT place_id, lot_id, qty FROM balances")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key = (r.get(0)?, r.get(1)?);
            let stored: i64 = r.get(2)?;
            let ledger = by_place.remove(&key).unwrap_or(0);
            if ledger != i128::from(stored) {
                off.push((key, ledger, stored));
            }
        }
    }
    off.extend(
        by_place
            .into_iter()
            .filter(|(_, q)| *q != 0)
            .map(|(k, q)| (k, q, 0)),
    );
    off.sort_by_key(|(k, _, _)| *k);

    // ((place, location, lot), ledger, stored).
    let mut off_loc: Vec<(LocationKey, i128, i64)> = Vec::new();
    {
        let mut stmt =
            conn.prepare("SELECT place_id, location_id, lot_id, qty FROM location_balances")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key = (r.get(0)?, r.get(1)?, r.get(2)?);
            let stored: i64 = r.get(3)?;
            let ledger = by_location.remove(&key).unwrap_or(0);
            if ledger != i128::from(stored) {
                off_loc.push((key, ledger, stored));
            }
        }
    }
    off_loc.extend(
        by_location
            .into_iter()
            .filter(|(_, q)| *q != 0)
            .map(|(k, q)| (k, q, 0)),
    );
    off_loc.sort_by_key(|(k, _, _)| *k);

    // Names only for what is wrong (normally nothing).
    let place_code = |id: i64| {
        places
            .get(&id)
            .map_or_else(|| "?".to_string(), |p| p.0.clone())
    };
    let mut lot_stmt = conn.prepare(
        "SELECT lt.lot_number, i.code FROM lots lt LEFT JOIN items i ON i.id = lt.item_id WHERE lt.id = ?1",
    )?;
    let mut lot_names = |lot: i64| -> rusqlite::Result<(String, String)> {
        let found: Option<(Option<String>, Option<String>)> = lot_stmt
            .query_row([lot], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (l, i) = found.unwrap_or((None, None));
        Ok((
            l.unwrap_or_else(|| "?".into()),
            i.unwrap_or_else(|| "?".into()),
        ))
    };
    let mut loc_stmt = conn.prepare("SELECT code FROM locations WHERE id = ?1")?;
    let mut loc_code = |loc: Option<i64>| -> rusqlite::Result<String> {
        Ok(match loc {
            Some(id) => loc_stmt
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()?
                .unwrap_or_else(|| "?".into()),
            None => "?".into(),
        })
    };
    let clamp = |q: i128| i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX });
    for ((place, lot), ledger, stored) in off {
        let (lot_number, item) = lot_names(lot)?;
        report.problems.push(Problem::Balance {
            place: place_code(place),
            lot: lot_number,
            item,
            stored,
            ledger: clamp(ledger),
        });
    }
    for ((place, loc, lot), ledger, stored) in off_loc {
        let (lot_number, item) = lot_names(lot)?;
        report.problems.push(Problem::LocationBalance {
            place: place_code(place),
            location: loc_code(loc)?,
            lot: lot_number,
            item,
            stored,
            ledger: clamp(ledger),
        });
    }
    let totals = running_totals(conn, used)?;
    let mut item_stmt = conn.prepare("SELECT code FROM items WHERE id = ?1")?;
    for (total, (place, item), ledger, stored) in totals {
        let item = item_stmt
            .query_row([item], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_else(|| "?".into());
        report.problems.push(Problem::Total {
            total,
            place: place_code(place),
            item,
            stored,
            ledger: clamp(ledger),
        });
    }
    Ok(wrong_item
        .into_iter()
        .map(|(row, lot)| Problem::Item { row, lot })
        .collect())
}

/// A running total that is off: which, its (place, item), what it should
/// be, what is stored.
type TotalOff = (TotalKind, (i64, i64), i128, i64);

/// The running totals the warnings read, against what they total: units
/// in ok lots per (place, item) against the balances, and units used to
/// date (the latest day's running total) against the ledger's `used`.
fn running_totals(
    conn: &Connection,
    mut used: std::collections::HashMap<(i64, i64), i128>,
) -> rusqlite::Result<Vec<TotalOff>> {
    use std::collections::HashMap;
    let mut off = Vec::new();
    let mut ok: HashMap<(i64, i64), i128> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT place_id, item_id, SUM(qty) FROM balances WHERE status = 'ok' GROUP BY place_id, item_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            ok.insert((r.get(0)?, r.get(1)?), i128::from(r.get::<_, i64>(2)?));
        }
        let mut stmt = conn.prepare("SELECT place_id, item_id, qty FROM ok_totals")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key = (r.get(0)?, r.get(1)?);
            let stored: i64 = r.get(2)?;
            let sum = ok.remove(&key).unwrap_or(0);
            if sum != i128::from(stored) {
                off.push((TotalKind::OkUnits, key, sum, stored));
            }
        }
    }
    off.extend(
        ok.into_iter()
            .filter(|(_, q)| *q != 0)
            .map(|(k, q)| (TotalKind::OkUnits, k, q, 0)),
    );
    {
        // Each pair's rows in day order: the last is its use to date.
        let mut stmt = conn.prepare(
            "SELECT place_id, item_id, running FROM use_totals ORDER BY place_id, item_id, day",
        )?;
        let mut rows = stmt.query([])?;
        let mut last: Option<((i64, i64), i64)> = None;
        let mut settle = |pair: (i64, i64), stored: i64, off: &mut Vec<_>| {
            let sum = used.remove(&pair).unwrap_or(0);
            if sum != i128::from(stored) {
                off.push((TotalKind::Used, pair, sum, stored));
            }
        };
        while let Some(r) = rows.next()? {
            let pair = (r.get(0)?, r.get(1)?);
            let running: i64 = r.get(2)?;
            if let Some((before, stored)) = last
                && before != pair
            {
                settle(before, stored, &mut off);
            }
            last = Some((pair, running));
        }
        if let Some((pair, stored)) = last {
            settle(pair, stored, &mut off);
        }
    }
    off.extend(
        used.into_iter()
            .filter(|(_, q)| *q != 0)
            .map(|(k, q)| (TotalKind::Used, k, q, 0)),
    );
    off.sort_by_key(|(kind, k, _, _)| (*kind == TotalKind::Used, *k));
    Ok(off)
}

/// Negative balances, balances whose copy of the lot differs, and balances
/// naming another item than their lot.
fn copies_and_signs(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT p.code, lt.lot_number, b.qty FROM balances b
         JOIN places p ON p.id = b.place_id JOIN lots lt ON lt.id = b.lot_id WHERE b.qty < 0",
    )?;
    for n in stmt.query_map([], |r| {
        Ok(Problem::Negative {
            place: r.get(0)?,
            lot: r.get(1)?,
            qty: r.get(2)?,
        })
    })? {
        report.problems.push(n?);
    }

    let mut stmt = conn.prepare(
        "SELECT p.code, l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN places p ON p.id = b.place_id
         WHERE b.status IS NOT l.status OR b.expiry IS NOT l.expiry",
    )?;
    for n in stmt.query_map([], |r| {
        Ok(Problem::LotCopy {
            place: r.get(0)?,
            lot: r.get(1)?,
        })
    })? {
        report.problems.push(n?);
    }

    let mut stmt = conn.prepare(
        "SELECT b.place_id, b.lot_id FROM balances b JOIN lots l ON l.id = b.lot_id WHERE l.item_id <> b.item_id",
    )?;
    for n in stmt.query_map([], |r| {
        Ok(Problem::Item {
            row: r.get(0)?,
            lot: r.get(1)?,
        })
    })? {
        report.problems.push(n?);
    }
    Ok(())
}
