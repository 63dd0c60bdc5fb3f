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
