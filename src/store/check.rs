//! `wardstock check`: is the file sound and does every balance equal its ledger?

use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
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

pub fn run(conn: &Connection) -> rusqlite::Result<CheckReport> {
    let mut report = CheckReport::default();
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
        // A damaged file cannot be trusted further.
        return Ok(report);
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

    report.movements = conn.query_row("SELECT count(*) FROM movements", [], |r| r.get(0))?;
    report.balances = conn.query_row("SELECT count(*) FROM balances", [], |r| r.get(0))?;

    let mut stmt = conn.prepare(
        "WITH ledger AS (
             SELECT place_id, lot_id, SUM(qty) AS qty FROM (
                 SELECT to_place_id AS place_id, lot_id, qty FROM movements WHERE to_place_id IS NOT NULL
                 UNION ALL
                 SELECT from_place_id, lot_id, -qty FROM movements WHERE from_place_id IS NOT NULL)
             GROUP BY place_id, lot_id)
         SELECT p.code, lt.lot_number, i.code, k.ledger_qty, k.stored_qty FROM (
             SELECT COALESCE(l.place_id, b.place_id) AS place_id, COALESCE(l.lot_id, b.lot_id) AS lot_id,
                    COALESCE(l.qty, 0) AS ledger_qty, COALESCE(b.qty, 0) AS stored_qty
             FROM ledger l FULL OUTER JOIN balances b ON b.place_id = l.place_id AND b.lot_id = l.lot_id
             WHERE COALESCE(l.qty, 0) <> COALESCE(b.qty, 0)) k
         LEFT JOIN places p ON p.id = k.place_id
         LEFT JOIN lots lt ON lt.id = k.lot_id
         LEFT JOIN items i ON i.id = lt.item_id
         ORDER BY k.place_id, k.lot_id",
    )?;
    let mismatches = stmt.query_map([], |r| {
        Ok(Problem::Balance {
            place: r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "?".into()),
            lot: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| "?".into()),
            item: r.get::<_, Option<String>>(2)?.unwrap_or_else(|| "?".into()),
            stored: r.get(4)?,
            ledger: r.get(3)?,
        })
    })?;
    for m in mismatches {
        report.problems.push(m?);
    }

    let mut stmt = conn.prepare(
        "WITH ledger AS (
             SELECT place_id, location_id, lot_id, SUM(qty) AS qty FROM (
                 SELECT m.to_place_id AS place_id, COALESCE(m.to_location_id, p.legacy_location_id) AS location_id, m.lot_id, m.qty
                 FROM movements m JOIN places p ON p.id = m.to_place_id
                 UNION ALL
                 SELECT m.from_place_id, COALESCE(m.from_location_id, p.legacy_location_id), m.lot_id, -m.qty
                 FROM movements m JOIN places p ON p.id = m.from_place_id
                 UNION ALL
                 SELECT place_id, to_location_id, lot_id, qty FROM location_moves
                 UNION ALL
                 SELECT place_id, from_location_id, lot_id, -qty FROM location_moves)
             GROUP BY place_id, location_id, lot_id)
         SELECT p.code, loc.code, lt.lot_number, i.code, k.ledger_qty, k.stored_qty FROM (
             SELECT COALESCE(l.place_id, b.place_id) AS place_id, COALESCE(l.location_id, b.location_id) AS location_id,
                    COALESCE(l.lot_id, b.lot_id) AS lot_id,
                    COALESCE(l.qty, 0) AS ledger_qty, COALESCE(b.qty, 0) AS stored_qty
             FROM ledger l FULL OUTER JOIN location_balances b
               ON b.place_id = l.place_id AND b.location_id IS l.location_id AND b.lot_id = l.lot_id
             WHERE COALESCE(l.qty, 0) <> COALESCE(b.qty, 0)) k
         LEFT JOIN places p ON p.id = k.place_id
         LEFT JOIN locations loc ON loc.id = k.location_id
         LEFT JOIN lots lt ON lt.id = k.lot_id
         LEFT JOIN items i ON i.id = lt.item_id
         ORDER BY k.place_id, k.location_id, k.lot_id",
    )?;
    let mismatches = stmt.query_map([], |r| {
        Ok(Problem::LocationBalance {
            place: r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "?".into()),
            location: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| "?".into()),
            lot: r.get::<_, Option<String>>(2)?.unwrap_or_else(|| "?".into()),
            item: r.get::<_, Option<String>>(3)?.unwrap_or_else(|| "?".into()),
            stored: r.get(5)?,
            ledger: r.get(4)?,
        })
    })?;
    for m in mismatches {
        report.problems.push(m?);
    }

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
        "SELECT b.place_id, b.lot_id FROM balances b JOIN lots l ON l.id = b.lot_id WHERE l.item_id <> b.item_id
         UNION ALL
         SELECT m.id, m.lot_id FROM movements m JOIN lots l ON l.id = m.lot_id WHERE l.item_id <> m.item_id",
    )?;
    for n in stmt.query_map([], |r| {
        Ok(Problem::Item {
            row: r.get(0)?,
            lot: r.get(1)?,
        })
    })? {
        report.problems.push(n?);
    }
    Ok(report)
}
