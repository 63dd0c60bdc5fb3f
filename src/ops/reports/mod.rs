//! The reports a manager, a pharmacist or an auditor is asked for, read
//! from the ledger. Each is data; the words and the files (text, CSV,
//! JSON) are made at the edge.

pub mod compliance;
pub mod service;
pub mod suppliers;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::types::{instant_from_text, instant_to_text};
use crate::ops::stock::{self, StockError};

pub mod series;

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

/// The place a report is limited to, by code (`None`: every place).
fn place_id(conn: &Connection, place: Option<&str>) -> Result<Option<i64>, StockError> {
    place
        .map(|p| stock::place_by_code(conn, p).map(|p| p.id))
        .transpose()
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
    let place_id = place_id(conn, place)?;
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

/// A lot that expires soon at a place, and what of it will go to waste
/// at the place's rate of use (first expired, first out).
#[derive(Debug, Clone, Serialize)]
pub struct Expiring {
    pub place: String,
    pub item: String,
    pub item_name: String,
    pub lot: String,
    pub expiry: chrono::NaiveDate,
    pub days_left: i64,
    pub qty: i64,
    /// Units a day used here over the last 28 days.
    pub daily_use: f64,
    pub projected_waste: i64,
    pub projected_waste_cents: i64,
}

/// What was wasted over the period, by place and reason.
#[derive(Debug, Clone, Serialize)]
pub struct Wasted {
    pub place: String,
    pub reason: String,
    pub units: i64,
    pub cents: i64,
}

/// The expiry report: what expires within `days` of `today` (with its
/// projected waste), and what was wasted over `[from, to)` and why.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiryReport {
    pub today: chrono::NaiveDate,
    pub days: i64,
    pub expiring: Vec<Expiring>,
    pub projected_waste_units: i64,
    pub projected_waste_cents: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub wasted: Vec<Wasted>,
    pub wasted_units: i64,
    pub wasted_cents: i64,
}

/// Days of use behind the projected waste.
const USE_WINDOW_DAYS: i64 = 28;

#[allow(clippy::too_many_arguments)]
pub fn expiry(
    conn: &Connection,
    place: Option<&str>,
    days: i64,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ExpiryReport, StockError> {
    use crate::domain::fefo::LotStock;
    let place_id = place_id(conn, place)?;
    let until = today + chrono::Days::new(days.clamp(0, 3650) as u64);
    // Every usable lot of the pairs that hold a lot expiring soon: the
    // earlier lots are used first.
    let mut st = conn.prepare(
        "WITH pairs AS (SELECT DISTINCT place_id, item_id FROM balances
                        WHERE qty > 0 AND status = 'ok' AND expiry >= ?1 AND expiry <= ?2
                          AND (?3 IS NULL OR place_id = ?3))
         SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.qty, pl.code, i.code, i.name, l.lot_number
         FROM pairs JOIN balances b ON b.place_id = pairs.place_id AND b.item_id = pairs.item_id
         JOIN places pl ON pl.id = b.place_id JOIN items i ON i.id = b.item_id JOIN lots l ON l.id = b.lot_id
         WHERE b.qty > 0 AND b.status = 'ok' AND pl.kind IN ('pharmacy', 'ward')
         ORDER BY b.place_id, b.item_id, b.expiry, b.lot_id",
    )?;
    type Lot = (
        i64,
        i64,
        i64,
        Option<String>,
        i64,
        String,
        String,
        String,
        String,
    );
    let lots: Vec<Lot> = st
        .query_map(
            params![today.to_string(), until.to_string(), place_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    // The rate of use the warnings read, over the same window.
    let mut pairs: Vec<(i64, i64)> = lots.iter().map(|l| (l.0, l.1)).collect();
    pairs.dedup();
    let end = crate::store::queries::use_window_end(conn, today)?;
    let rates = crate::store::queries::pair_use(conn, &pairs, end, USE_WINDOW_DAYS)?;
    let prices = Prices::load(conn)?;
    let now_text = instant_to_text(now);
    let mut expiring = Vec::new();
    let mut k = 0;
    while k < lots.len() {
        let (place, item) = (lots[k].0, lots[k].1);
        let end = lots[k..]
            .iter()
            .position(|l| (l.0, l.1) != (place, item))
            .map_or(lots.len(), |n| k + n);
        let pair = &lots[k..end];
        let daily_milli = rates.get(&(place, item)).copied().unwrap_or(0);
        let stock: Vec<LotStock> = pair
            .iter()
            .map(|l| LotStock {
                lot_id: l.2,
                expiry: l.3.as_deref().and_then(|e| e.parse().ok()),
                received_seq: l.2,
                status: crate::domain::LotStatus::Ok,
                qty: l.4,
            })
            .collect();
        let waste: std::collections::HashMap<i64, i64> =
            crate::domain::alerts::projected_waste(&stock, daily_milli, today)
                .into_iter()
                .collect();
        let price = prices.at(item, &now_text);
        for l in pair {
            let Some(expiry) =
                l.3.as_deref()
                    .and_then(|e| e.parse::<chrono::NaiveDate>().ok())
            else {
                continue;
            };
            if expiry < today || expiry > until {
                continue;
            }
            let w = waste.get(&l.2).copied().unwrap_or(0);
            expiring.push(Expiring {
                place: l.5.clone(),
                item: l.6.clone(),
                item_name: l.7.clone(),
                lot: l.8.clone(),
                expiry,
                days_left: (expiry - today).num_days(),
                qty: l.4,
                daily_use: daily_milli as f64 / 1000.0,
                projected_waste: w,
                projected_waste_cents: w * price,
            });
        }
        k = end;
    }
    expiring.sort_by(|a, b| {
        (a.expiry, &a.place, &a.item, &a.lot).cmp(&(b.expiry, &b.place, &b.item, &b.lot))
    });
    let mut st = conn.prepare(
        "SELECT pl.code, COALESCE(m.reason, ''), m.item_id, m.at, m.qty
         FROM movements m JOIN places pl ON pl.id = m.from_place_id
         WHERE m.kind = 'waste' AND m.at >= ?1 AND m.at < ?2 AND (?3 IS NULL OR m.from_place_id = ?3)",
    )?;
    let mut wasted: std::collections::BTreeMap<(String, String), (i64, i64)> = Default::default();
    for r in st.query_map(
        params![instant_to_text(from), instant_to_text(to), place_id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        },
    )? {
        let (place, reason, item, at, qty) = r?;
        let e = wasted.entry((place, reason)).or_default();
        e.0 += qty;
        e.1 += qty * prices.at(item, &at);
    }
    let wasted: Vec<Wasted> = wasted
        .into_iter()
        .map(|((place, reason), (units, cents))| Wasted {
            place,
            reason,
            units,
            cents,
        })
        .collect();
    Ok(ExpiryReport {
        today,
        days,
        projected_waste_units: expiring.iter().map(|e| e.projected_waste).sum(),
        projected_waste_cents: expiring.iter().map(|e| e.projected_waste_cents).sum(),
        expiring,
        from,
        to,
        wasted_units: wasted.iter().map(|w| w.units).sum(),
        wasted_cents: wasted.iter().map(|w| w.cents).sum(),
        wasted,
    })
}

/// The stock of one place: its value, how long it lasts, what does not move.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceValue {
    pub place: String,
    pub name: String,
    /// Units held (all lots, any status).
    pub units: i64,
    /// At today's unit prices.
    pub value_cents: i64,
    /// Value used (given, issued, sent on, wasted) over the window.
    pub used_cents: i64,
    /// Value on hand over value used per day; `None` when nothing was used.
    pub days_of_cover: Option<f64>,
    /// Items held here that nothing moved out of over the window.
    pub dead: Vec<DeadItem>,
    pub dead_value_cents: i64,
}

/// An item held at a place with no movement out for the window.
#[derive(Debug, Clone, Serialize)]
pub struct DeadItem {
    pub item: String,
    pub name: String,
    pub units: i64,
    pub value_cents: i64,
}

/// Stock value and turnover per place (the pharmacy and the wards) over
/// the last `days` days.
pub fn stock_value(
    conn: &Connection,
    place: Option<&str>,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<PlaceValue>, StockError> {
    let place_id = place_id(conn, place)?;
    let days = days.clamp(1, 3650);
    let since = instant_to_text(now - chrono::Duration::days(days));
    let mut st = conn.prepare(
        "SELECT pl.id, pl.code, pl.name, i.code, i.name, SUM(b.qty), SUM(b.qty) * i.unit_price_cents,
                EXISTS (SELECT 1 FROM movements m INDEXED BY movements_item_at
                        WHERE m.item_id = b.item_id AND m.at >= ?2 AND m.from_place_id = b.place_id)
         FROM balances b JOIN places pl ON pl.id = b.place_id JOIN items i ON i.id = b.item_id
         WHERE pl.kind IN ('pharmacy', 'ward') AND (?1 IS NULL OR pl.id = ?1)
         GROUP BY b.place_id, b.item_id HAVING SUM(b.qty) > 0
         ORDER BY pl.kind = 'ward', pl.code, i.code",
    )?;
    let mut out: Vec<PlaceValue> = Vec::new();
    let mut ids = Vec::new();
    for r in st.query_map(params![place_id, since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, bool>(7)?,
        ))
    })? {
        let (id, code, name, item, item_name, units, value, moved) = r?;
        if out.last().is_none_or(|p| p.place != code) {
            ids.push(id);
            out.push(PlaceValue {
                place: code,
                name,
                units: 0,
                value_cents: 0,
                used_cents: 0,
                days_of_cover: None,
                dead: Vec::new(),
                dead_value_cents: 0,
            });
        }
        let Some(p) = out.last_mut() else { continue };
        p.units += units;
        p.value_cents += value;
        if !moved {
            p.dead_value_cents += value;
            p.dead.push(DeadItem {
                item,
                name: item_name,
                units,
                value_cents: value,
            });
        }
    }
    // What each place used over the window, in one pass over the ledger.
    let mut used_st = conn.prepare(
        "SELECT m.from_place_id, SUM(m.qty * i.unit_price_cents) FROM movements m JOIN items i ON i.id = m.item_id
         WHERE m.at >= ?1 AND m.from_place_id IS NOT NULL
           AND m.kind IN ('administration', 'issue', 'transfer', 'waste')
         GROUP BY m.from_place_id",
    )?;
    let used: std::collections::HashMap<i64, i64> = used_st
        .query_map([&since], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (p, id) in out.iter_mut().zip(ids) {
        p.used_cents = used.get(&id).copied().unwrap_or(0);
        p.days_of_cover =
            (p.used_cents > 0).then(|| p.value_cents as f64 / (p.used_cents as f64 / days as f64));
        p.dead.sort_by_key(|d| std::cmp::Reverse(d.value_cents));
    }
    Ok(out)
}

/// What the approved stocktakes of a period found, per place and item.
#[derive(Debug, Clone, Serialize)]
pub struct Variance {
    pub place: String,
    pub item: String,
    pub name: String,
    /// Lots counted.
    pub lots: i64,
    pub expected: i64,
    pub counted: i64,
    /// Found over what was expected (units, money).
    pub found: Used,
    /// Missing against what was expected.
    pub missing: Used,
    /// Counted − expected, in money.
    pub net_cents: i64,
}

/// Stocktake variances: the lines counted in stocktakes approved over
/// `[from, to)`, in units and money at the price of the approval day.
pub fn stocktake_variances(
    conn: &Connection,
    place: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Variance>, StockError> {
    let place_id = place_id(conn, place)?;
    let prices = Prices::load(conn)?;
    let mut st = conn.prepare(
        "SELECT pl.code, i.id, i.code, i.name, s.approved_at, l.expected, l.counted
         FROM stocktake_lines l JOIN stocktakes s ON s.id = l.stocktake_id
         JOIN places pl ON pl.id = s.place_id JOIN items i ON i.id = l.item_id
         WHERE s.status = 'approved' AND s.approved_at >= ?1 AND s.approved_at < ?2
           AND l.counted IS NOT NULL AND (?3 IS NULL OR s.place_id = ?3)
         ORDER BY pl.code, i.code",
    )?;
    let mut out: Vec<Variance> = Vec::new();
    for r in st.query_map(
        params![instant_to_text(from), instant_to_text(to), place_id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        },
    )? {
        let (place, item_id, item, name, at, expected, counted) = r?;
        let price = prices.at(item_id, &at);
        if out
            .last()
            .is_none_or(|v| (v.place.as_str(), v.item.as_str()) != (place.as_str(), item.as_str()))
        {
            out.push(Variance {
                place,
                item,
                name,
                lots: 0,
                expected: 0,
                counted: 0,
                found: Used::default(),
                missing: Used::default(),
                net_cents: 0,
            });
        }
        let Some(v) = out.last_mut() else { continue };
        let diff = counted - expected;
        v.lots += 1;
        v.expected += expected;
        v.counted += counted;
        if diff > 0 {
            v.found.add(diff, diff * price);
        } else {
            v.missing.add(-diff, -diff * price);
        }
        v.net_cents += diff * price;
    }
    Ok(out)
}
