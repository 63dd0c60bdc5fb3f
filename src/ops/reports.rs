//! The reports a manager, a pharmacist or an auditor is asked for, read
//! from the ledger. Each is data; the words and the files (text, CSV,
//! JSON) are made at the edge.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::types::{instant_from_text, instant_to_text};
use crate::ops::stock::{self, StockError};

/// The stock card of an item (or one of its lots) at a place over a
/// period: the balance at its start, every movement in or out with the
/// running balance, and the balance at its end.
#[derive(Debug, Clone, Serialize)]
pub struct StockCard {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub place: String,
    /// One lot only, when asked.
    pub lot: Option<String>,
    pub from: DateTime<Utc>,
    /// The end of the period (not included).
    pub to: DateTime<Utc>,
    pub opening: i64,
    pub lines: Vec<CardLine>,
    pub total_in: i64,
    pub total_out: i64,
    pub closing: i64,
}

/// One movement of the card.
#[derive(Debug, Clone, Serialize)]
pub struct CardLine {
    pub at: DateTime<Utc>,
    /// The movement's kind as the ledger names it (receipt, transfer, …).
    pub kind: String,
    pub lot: String,
    /// The other place (where it came from, or went to), if any.
    pub other_place: Option<String>,
    /// The patient's MRN for a dose or an issue to a patient.
    pub patient: Option<String>,
    /// The order (PO-…, TO-…) or the reason recorded.
    pub reference: Option<String>,
    pub user: String,
    #[serde(rename = "in")]
    pub qty_in: i64,
    #[serde(rename = "out")]
    pub qty_out: i64,
    pub balance: i64,
}

/// The stock card: `item` and `place` by code, `lot` by number.
pub fn stock_card(
    conn: &Connection,
    item: &str,
    place: &str,
    lot: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<StockCard, StockError> {
    let it = stock::item_by_code(conn, item)?;
    let pl = stock::place_by_code(conn, place)?;
    let lot_id: Option<i64> = match lot {
        None => None,
        Some(l) => Some(
            conn.query_row(
                "SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2",
                params![it.id, l],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StockError::UnknownLot {
                item: it.name.clone(),
                lot: l.to_string(),
            })?,
        ),
    };
    let (from_t, to_t) = (instant_to_text(from), instant_to_text(to));
    let opening: i64 = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN to_place_id = ?2 THEN qty ELSE 0 END), 0)
              - COALESCE(SUM(CASE WHEN from_place_id = ?2 THEN qty ELSE 0 END), 0)
         FROM movements INDEXED BY movements_item_at
         WHERE item_id = ?1 AND at < ?3 AND (?4 IS NULL OR lot_id = ?4)
           AND (from_place_id = ?2 OR to_place_id = ?2)",
        params![it.id, pl.id, from_t, lot_id],
        |r| r.get(0),
    )?;
    let mut st = conn.prepare(
        "SELECT m.at, m.kind, l.lot_number, COALESCE(m.from_place_id = ?2, 0), fp.code, tp.code, p.mrn,
                COALESCE(m.order_ref, m.reason), u.username, m.qty
         FROM movements m INDEXED BY movements_item_at
         JOIN lots l ON l.id = m.lot_id JOIN users u ON u.id = m.user_id
         LEFT JOIN places fp ON fp.id = m.from_place_id LEFT JOIN places tp ON tp.id = m.to_place_id
         LEFT JOIN patients p ON p.id = m.patient_id
         WHERE m.item_id = ?1 AND m.at >= ?3 AND m.at < ?4 AND (?5 IS NULL OR m.lot_id = ?5)
           AND (m.from_place_id = ?2 OR m.to_place_id = ?2)
         ORDER BY m.at, m.id",
    )?;
    let mut balance = opening;
    let (mut total_in, mut total_out) = (0, 0);
    let rows = st.query_map(params![it.id, pl.id, from_t, to_t, lot_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, i64>(9)?,
        ))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (at, kind, lot, out, from_code, to_code, patient, reference, user, qty) = row?;
        let (qty_in, qty_out, other) = if out {
            (0, qty, to_code)
        } else {
            (qty, 0, from_code)
        };
        balance += qty_in - qty_out;
        total_in += qty_in;
        total_out += qty_out;
        lines.push(CardLine {
            at: instant_from_text(&at).unwrap_or(from),
            kind,
            lot,
            other_place: other,
            patient,
            reference,
            user,
            qty_in,
            qty_out,
            balance,
        });
    }
    Ok(StockCard {
        item: it.code,
        item_name: it.name,
        unit: it.dose_unit,
        place: pl.code,
        lot: lot.map(String::from),
        from,
        to,
        opening,
        lines,
        total_in,
        total_out,
        closing: balance,
    })
}

/// How a consumption report groups what left the wards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::EnumString, strum::AsRefStr)]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Ward,
    Item,
    Patient,
    /// The ATC group at its third level (e.g. N02B).
    Atc,
    Prescriber,
}

/// Units and their money (each at the unit price of its day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Used {
    pub units: i64,
    pub cents: i64,
}

impl Used {
    fn add(&mut self, units: i64, cents: i64) {
        self.units += units;
        self.cents += cents;
    }
}

/// What one group used, split by where it went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UseRow {
    pub key: String,
    pub name: String,
    /// Given to patients (doses and issues to a named patient).
    pub to_patients: Used,
    /// Used on the ward without a patient named.
    pub without_patient: Used,
    pub wasted: Used,
    /// Sent back to the pharmacy.
    pub returned: Used,
    /// Used: to patients, without a patient and wasted (returns are not use).
    pub used: Used,
    /// Share of the whole cost, cumulative in this order (Pareto).
    pub cumulative_share: f64,
    /// Among the groups that make the first 80 % of the cost.
    pub top: bool,
}

/// Consumption and cost over a period, largest cost first.
#[derive(Debug, Clone, Serialize)]
pub struct Consumption {
    pub by: By,
    pub place: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rows: Vec<UseRow>,
    pub total: UseRow,
}

/// The unit price of each item over time, from the item's history: the
/// price in force at a moment is that of the last change before it.
struct Prices {
    current: std::collections::HashMap<i64, i64>,
    /// Item → (from when, price), in time order; the first entry's "before".
    changes: std::collections::HashMap<i64, Vec<(String, i64, i64)>>,
}

impl Prices {
    fn load(conn: &Connection) -> rusqlite::Result<Prices> {
        let mut current = std::collections::HashMap::new();
        let mut by_code = std::collections::HashMap::new();
        let mut st = conn.prepare("SELECT id, code, unit_price_cents FROM items")?;
        for r in st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (id, code, price) = r?;
            current.insert(id, price);
            by_code.insert(code, id);
        }
        let price = |json: Option<&str>| -> Option<i64> {
            let v: serde_json::Value = serde_json::from_str(json?).ok()?;
            v.get("unit_price_cents")?.as_i64()
        };
        let mut changes: std::collections::HashMap<i64, Vec<(String, i64, i64)>> =
            std::collections::HashMap::new();
        let mut st = conn.prepare(
            "SELECT code, at, before, after FROM reference_history
             WHERE kind = 'item' AND action = 'changed' ORDER BY at, id",
        )?;
        for r in st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })? {
            let (code, at, before, after) = r?;
            if let (Some(&id), Some(b), Some(a)) = (
                by_code.get(&code),
                price(before.as_deref()),
                price(Some(&after)),
            ) && a != b
            {
                changes.entry(id).or_default().push((at, b, a));
            }
        }
        Ok(Prices { current, changes })
    }

    fn at(&self, item: i64, at: &str) -> i64 {
        match self.changes.get(&item) {
            Some(c) => match c.iter().rposition(|(when, _, _)| when.as_str() <= at) {
                Some(k) => c[k].2,
                None => c[0].1,
            },
            None => self.current.get(&item).copied().unwrap_or(0),
        }
    }
}

/// What left the wards (or one place) over `[from, to)`, by `by`: doses
/// and issues to patients, use without a patient, waste and returns, in
/// units and money; the groups that make 80 % of the cost marked.
pub fn consumption(
    conn: &Connection,
    place: Option<&str>,
    by: By,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Consumption, StockError> {
    let place_id = match place {
        Some(p) => Some(stock::place_by_code(conn, p)?.id),
        None => None,
    };
    let prices = Prices::load(conn)?;
    let key = match by {
        By::Ward => "w.code, w.name",
        By::Item => "i.code, i.name",
        By::Patient => "COALESCE(p.mrn, ''), COALESCE(p.name, '')",
        By::Atc => "COALESCE(substr(i.atc, 1, 4), ''), ''",
        By::Prescriber => "COALESCE(r.prescriber, ''), ''",
    };
    let sql = format!(
        "SELECT {key}, m.item_id, m.at, m.kind, m.patient_id IS NOT NULL, m.qty
         FROM movements m JOIN places w ON w.id = m.from_place_id JOIN items i ON i.id = m.item_id
         LEFT JOIN patients p ON p.id = m.patient_id
         LEFT JOIN administrations a ON a.movement_id = m.id
         LEFT JOIN prescriptions r ON r.id = a.prescription_id
         WHERE m.at >= ?1 AND m.at < ?2
           AND m.kind IN ('administration', 'issue', 'waste', 'return')
           AND (?3 IS NULL AND w.kind = 'ward' OR m.from_place_id = ?3)"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(
        params![instant_to_text(from), instant_to_text(to), place_id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, i64>(6)?,
            ))
        },
    )?;
    let mut groups: std::collections::HashMap<String, UseRow> = std::collections::HashMap::new();
    let mut total = UseRow::default();
    for row in rows {
        let (key, name, item, at, kind, with_patient, qty) = row?;
        let cents = qty * prices.at(item, &at);
        let g = groups.entry(key.clone()).or_insert_with(|| UseRow {
            key,
            name,
            ..UseRow::default()
        });
        for u in [&mut *g, &mut total] {
            match kind.as_str() {
                "waste" => u.wasted.add(qty, cents),
                "return" => u.returned.add(qty, cents),
                _ if with_patient => u.to_patients.add(qty, cents),
                _ => u.without_patient.add(qty, cents),
            }
            if kind != "return" {
                u.used.add(qty, cents);
            }
        }
    }
    let mut rows: Vec<UseRow> = groups.into_values().collect();
    rows.sort_by(|a, b| {
        b.used
            .cents
            .cmp(&a.used.cents)
            .then(b.used.units.cmp(&a.used.units))
            .then(a.key.cmp(&b.key))
    });
    let whole = total.used.cents.max(1) as f64;
    let mut running = 0i64;
    for r in &mut rows {
        let before = running as f64 / whole;
        running += r.used.cents;
        r.cumulative_share = running as f64 / whole;
        // A group is in the top while the cost before it is under 80 %.
        r.top = before < 0.8 && r.used.cents > 0;
    }
    total.cumulative_share = 1.0;
    Ok(Consumption {
        by,
        place: place.map(String::from),
        from,
        to,
        rows,
        total,
    })
}
