//! Service: stock-outs per ward and item over a period — doses not given
//! for lack of supply, urgent requests to the pharmacy, and the times the
//! ward's stock of the item fell to nothing — each counted with its last
//! occurrence.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::types::{instant_from_text, instant_to_text};

/// One ward and item's stock-outs over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceRow {
    pub ward: String,
    pub item: String,
    pub item_name: String,
    /// Doses recorded "not given: no supply" (the prescribed item).
    pub doses_not_given: i64,
    pub last_dose_not_given: Option<DateTime<Utc>>,
    /// Urgent transfer orders to the ward naming the item.
    pub urgent_requests: i64,
    pub urgent_units: i64,
    pub last_urgent_request: Option<DateTime<Utc>>,
    /// Times the ward's stock of the item (every lot on hand) fell to zero.
    pub times_at_zero: i64,
    pub last_at_zero: Option<DateTime<Utc>>,
}

/// The service report: a row per ward and item with any stock-out, worst
/// first, and the total.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    pub ward: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rows: Vec<ServiceRow>,
    pub total: ServiceRow,
}

fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.max(b)
}

/// Stock-outs from `from` (included) to `to` (excluded), on one ward (by
/// id) or every ward.
pub fn service_report(
    conn: &Connection,
    ward: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<ServiceReport> {
    let (from_t, to_t) = (instant_to_text(from), instant_to_text(to));
    // (ward, item) → row
    let mut rows: BTreeMap<(String, String), ServiceRow> = BTreeMap::new();

    // Doses not given for lack of supply, on the patient's ward.
    let mut st = conn.prepare(
        "SELECT w.code, i.code, i.name, COUNT(*), MAX(a.recorded_at)
         FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
         JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
         JOIN items i ON i.id = r.item_id
         WHERE a.outcome = 'not_given_supply' AND a.recorded_at >= ?1 AND a.recorded_at < ?2
           AND (?3 IS NULL OR w.id = ?3)
         GROUP BY w.id, i.id",
    )?;
    for r in st.query_map(params![from_t, to_t, ward], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
        ))
    })? {
        let (w, item, name, n, last) = r?;
        let row = row_of(&mut rows, w, item, name);
        row.doses_not_given += n;
        row.last_dose_not_given = instant_from_text(&last);
    }

    // Urgent transfer orders to a ward (raised for a dose not given, or a
    // past-due delivery of the plan).
    let mut st = conn.prepare(&format!(
        "SELECT w.code, i.code, i.name, COUNT(DISTINCT o.id), SUM(t.qty_requested), MAX(o.created_at)
         FROM transfer_orders o JOIN transfer_lines t ON t.order_id = o.id
         JOIN places w ON w.id = o.to_place_id JOIN items i ON i.id = t.item_id
         WHERE {} AND w.kind = 'ward' AND o.created_at >= ?1 AND o.created_at < ?2
           AND (?3 IS NULL OR w.id = ?3)
         GROUP BY w.id, i.id",
        crate::ops::stock::transfers::URGENT
    ))?;
    for r in st.query_map(params![from_t, to_t, ward], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
        ))
    })? {
        let (w, item, name, n, units, last) = r?;
        let row = row_of(&mut rows, w, item, name);
        row.urgent_requests += n;
        row.urgent_units += units;
        row.last_urgent_request = instant_from_text(&last);
    }

    // The ward's stock of each item over the period, from the ledger: the
    // balance now less what moved since `from` gives the balance at `from`;
    // each movement after it is replayed, and a fall to zero counted.
    let mut on_hand: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut st = conn.prepare(
        "SELECT b.place_id, b.item_id, SUM(b.qty) FROM balances b JOIN places w ON w.id = b.place_id
         WHERE w.kind = 'ward' AND (?1 IS NULL OR w.id = ?1) GROUP BY 1, 2",
    )?;
    for r in st.query_map(params![ward], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (w, i, q) = r?;
        on_hand.insert((w, i), q);
    }
    // What came in (+) and went out (−) of each ward, from `?1` to `?2`.
    let moves = |cols: &str, tail: &str| {
        format!(
            "SELECT {cols} FROM (
                 SELECT m.to_place_id AS w, m.item_id AS i, m.at AS at, m.id AS id, m.qty AS q
                 FROM movements m JOIN places p ON p.id = m.to_place_id
                 WHERE m.at >= ?1 AND m.at < ?2 AND p.kind = 'ward' AND (?3 IS NULL OR p.id = ?3)
                 UNION ALL
                 SELECT m.from_place_id, m.item_id, m.at, m.id, -m.qty
                 FROM movements m JOIN places p ON p.id = m.from_place_id
                 WHERE m.at >= ?1 AND m.at < ?2 AND p.kind = 'ward' AND (?3 IS NULL OR p.id = ?3)
             ) {tail}"
        )
    };
    // Every instant is written before this one.
    let end = "9999-12-31T23:59:59Z";
    let mut st = conn.prepare(&moves("w, i, SUM(q)", "GROUP BY w, i"))?;
    for r in st.query_map(params![from_t, end, ward], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (w, i, q) = r?;
        *on_hand.entry((w, i)).or_default() -= q;
    }
    // `on_hand` now holds each balance at `from`: replay the period.
    let mut zero: BTreeMap<(i64, i64), (i64, String)> = BTreeMap::new();
    let mut st = conn.prepare(&moves("w, i, at, q", "ORDER BY w, i, at, id"))?;
    let mut replay = st.query(params![from_t, to_t, ward])?;
    while let Some(r) = replay.next()? {
        let (w, i, q): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(3)?);
        let bal = on_hand.entry((w, i)).or_default();
        let before = *bal;
        *bal += q;
        if before > 0 && *bal <= 0 {
            let z = zero.entry((w, i)).or_insert((0, String::new()));
            z.0 += 1;
            z.1 = r.get(2)?;
        }
    }
    if !zero.is_empty() {
        let mut names = conn.prepare_cached(
            "SELECT w.code, i.code, i.name FROM places w, items i WHERE w.id = ?1 AND i.id = ?2",
        )?;
        for ((w, i), (n, last)) in zero {
            let (wc, ic, name) = names.query_row(params![w, i], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let row = row_of(&mut rows, wc, ic, name);
            row.times_at_zero += n;
            row.last_at_zero = instant_from_text(&last);
        }
    }

    let mut rows: Vec<ServiceRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        (b.doses_not_given, b.urgent_requests, b.times_at_zero)
            .cmp(&(a.doses_not_given, a.urgent_requests, a.times_at_zero))
            .then_with(|| (&a.ward, &a.item).cmp(&(&b.ward, &b.item)))
    });
    let mut total = ServiceRow::default();
    for r in &rows {
        total.doses_not_given += r.doses_not_given;
        total.last_dose_not_given = later(total.last_dose_not_given, r.last_dose_not_given);
        total.urgent_requests += r.urgent_requests;
        total.urgent_units += r.urgent_units;
        total.last_urgent_request = later(total.last_urgent_request, r.last_urgent_request);
        total.times_at_zero += r.times_at_zero;
        total.last_at_zero = later(total.last_at_zero, r.last_at_zero);
    }
    let ward = match ward {
        Some(id) => {
            Some(conn.query_row("SELECT code FROM places WHERE id = ?1", [id], |r| r.get(0))?)
        }
        None => None,
    };
    Ok(ServiceReport {
        ward,
        from,
        to,
        rows,
        total,
    })
}

fn row_of(
    rows: &mut BTreeMap<(String, String), ServiceRow>,
    ward: String,
    item: String,
    item_name: String,
) -> &mut ServiceRow {
    rows.entry((ward.clone(), item.clone()))
        .or_insert_with(|| ServiceRow {
            ward,
            item,
            item_name,
            ..ServiceRow::default()
        })
}
