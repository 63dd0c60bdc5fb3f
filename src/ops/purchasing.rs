//! Purchase orders to suppliers: created by the pharmacy (from MRP
//! suggestions or by hand), received against at the pharmacy door, and
//! measured for each supplier (on time, quantity delivered).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, ItemRef, allow, qty_ok};
use crate::domain::instant_to_text;
use crate::domain::roles::Operation;
use crate::store::Store;

/// Why a purchasing operation is refused, with its facts.
#[derive(Debug)]
pub enum PurchaseError {
    Forbidden(Forbidden),
    Quantity(BadQuantity),
    UnknownSupplier(String),
    EmptyOrder,
    CancelReasonRequired,
    UnknownOrder(i64),
    /// Only an open or partly received order is cancelled.
    NotCancellable {
        order: i64,
        status: String,
    },
    /// An order reference that starts like "PO" but has no number.
    ReferenceWithoutNumber(String),
    /// A delivery is booked only on an open or partly received order.
    NotReceivable {
        order: i64,
        status: String,
    },
    NoLine {
        order: i64,
        item: String,
    },
    Store(rusqlite::Error),
}

impl std::error::Error for PurchaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PurchaseError::Forbidden(e) => Some(e),
            PurchaseError::Quantity(e) => Some(e),
            PurchaseError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for PurchaseError {
    fn from(e: rusqlite::Error) -> Self {
        PurchaseError::Store(e)
    }
}

impl From<Forbidden> for PurchaseError {
    fn from(e: Forbidden) -> Self {
        PurchaseError::Forbidden(e)
    }
}

impl From<BadQuantity> for PurchaseError {
    fn from(e: BadQuantity) -> Self {
        PurchaseError::Quantity(e)
    }
}

pub type Result<T, E = PurchaseError> = std::result::Result<T, E>;

/// A supplier, by code.
pub fn supplier_id(conn: &Connection, code: &str) -> Result<(i64, i64)> {
    conn.query_row(
        "SELECT id, lead_days FROM suppliers WHERE code = ?1 COLLATE NOCASE",
        [code.trim()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| PurchaseError::UnknownSupplier(code.trim().to_string()))
}

/// The supplier an item is ordered from.
pub fn supplier_of(conn: &Connection, item: i64) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT s.id, s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id WHERE i.id = ?1",
            [item],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A line as ordered: in whole packs of the supplier's pack, rounded up
/// from what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ordered {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    /// Units asked for.
    pub asked: i64,
    /// Units ordered: whole packs.
    pub qty: i64,
    pub packs: i64,
    pub units_per_pack: i64,
}

impl Ordered {
    /// Rounded up to whole packs.
    pub fn rounded(&self) -> bool {
        self.qty != self.asked
    }
}

/// `qty` units of `item` in whole packs (rounded up).
pub fn whole_packs(item: &ItemRef, qty: i64) -> Ordered {
    let per = item.units_per_pack.max(1);
    let packs = (qty + per - 1) / per;
    Ordered {
        item: item.code.clone(),
        item_name: item.name.clone(),
        unit: item.dose_unit.clone(),
        asked: qty,
        qty: packs * per,
        packs,
        units_per_pack: per,
    }
}

/// A purchase order as created: its number and its lines in whole packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoCreated {
    pub id: i64,
    pub supplier: String,
    pub lines: Vec<Ordered>,
}

/// Writes a purchase order inside an open transaction; each line in whole
/// packs of the supplier's pack (rounded up: say so to the user).
pub fn insert_po(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    supplier: i64,
    lines: &[(ItemRef, i64)],
    expected: DateTime<Utc>,
    note: Option<&str>,
) -> Result<PoCreated> {
    if lines.is_empty() {
        return Err(PurchaseError::EmptyOrder);
    }
    for (_, qty) in lines {
        qty_ok(*qty)?;
    }
    tx.execute(
        "INSERT INTO purchase_orders (supplier_id, status, created_at, created_by, expected_at, note) VALUES (?1, 'open', ?2, ?3, ?4, ?5)",
        params![supplier, instant_to_text(now), actor.user_id, instant_to_text(expected), note],
    )?;
    let id = tx.last_insert_rowid();
    let mut ordered: Vec<Ordered> = Vec::new();
    for (item, qty) in lines {
        // In the supplier's own pack when it has one.
        let mut item = item.clone();
        if let Some(pack) = crate::ops::suppliers::supplier_pack(tx, item.id, supplier)? {
            item.units_per_pack = pack;
        }
        let item = &item;
        // The same item twice is one line: its quantities add up first.
        match ordered.iter_mut().find(|o| o.item == item.code) {
            Some(o) => *o = whole_packs(item, o.asked + qty),
            None => ordered.push(whole_packs(item, *qty)),
        }
    }
    for o in &ordered {
        qty_ok(o.qty)?;
    }
    for o in &ordered {
        tx.execute(
            "INSERT INTO purchase_order_lines (order_id, item_id, qty)
             SELECT ?1, id, ?3 FROM items WHERE code = ?2",
            params![id, o.item, o.qty],
        )?;
    }
    let supplier: String = tx.query_row(
        "SELECT code FROM suppliers WHERE id = ?1",
        [supplier],
        |r| r.get(0),
    )?;
    Ok(PoCreated {
        id,
        supplier,
        lines: ordered,
    })
}

/// Orders from a supplier; expected after its lead time unless given.
pub fn create_po(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    supplier_code: &str,
    lines: &[(ItemRef, i64)],
    expected: Option<DateTime<Utc>>,
) -> Result<PoCreated> {
    allow(actor, Operation::Order)?;
    store.write(|tx| {
        let (supplier, lead) = supplier_id(tx, supplier_code)?;
        // A lead time beyond reckoning (mistyped) counts as none.
        let expected = expected.unwrap_or_else(|| {
            Duration::try_days(lead)
                .and_then(|d| now.checked_add_signed(d))
                .unwrap_or(now)
        });
        insert_po(tx, actor, now, supplier, lines, expected, None)
    })
}

/// Cancels what is still to come of a purchase order.
pub fn cancel_po(store: &mut Store, actor: &Actor, id: i64, reason: &str) -> Result<()> {
    allow(actor, Operation::Order)?;
    if reason.trim().is_empty() {
        return Err(PurchaseError::CancelReasonRequired);
    }
    store.write(|tx| {
        let status: String = tx
            .query_row(
                "SELECT status FROM purchase_orders WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(PurchaseError::UnknownOrder(id))?;
        if !matches!(status.as_str(), "open" | "partial") {
            return Err(PurchaseError::NotCancellable { order: id, status });
        }
        tx.execute(
            "UPDATE purchase_orders SET status = 'cancelled', note = COALESCE(note || '; ', '') || ?2 WHERE id = ?1",
            params![id, format!("cancelled by {}: {}", actor.username, reason.trim())],
        )?;
        Ok(())
    })
}

/// The purchase order a receipt's order reference names ("PO-12", "po 12",
/// "PO12"), if it names one; a reference that starts like one but is not
/// is refused rather than silently not booked.
pub fn po_number(order_ref: Option<&str>) -> Result<Option<i64>> {
    let Some(r) = order_ref.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let upper = r.to_ascii_uppercase();
    let Some(rest) = upper
        .strip_prefix("PO")
        .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
    else {
        return Ok(None);
    };
    let digits = rest.trim_start_matches(['-', ' ', '#']).trim();
    match digits.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(PurchaseError::ReferenceWithoutNumber(r.to_string())),
    }
}

/// Books a receipt against its purchase order line, inside the receipt's
/// transaction: the order must be open and have a line for the item.
/// Returns the units received beyond the line's quantity, if any.
pub fn book_receipt(
    tx: &Connection,
    po: i64,
    item: &ItemRef,
    qty: i64,
    movement_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let status: String = tx
        .query_row(
            "SELECT status FROM purchase_orders WHERE id = ?1",
            [po],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(PurchaseError::UnknownOrder(po))?;
    if !matches!(status.as_str(), "open" | "partial") {
        return Err(PurchaseError::NotReceivable { order: po, status });
    }
    let (line, ordered, before): (i64, i64, i64) = tx
        .query_row(
            "SELECT id, qty, received FROM purchase_order_lines WHERE order_id = ?1 AND item_id = ?2",
            params![po, item.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| PurchaseError::NoLine {
            order: po,
            item: item.name.clone(),
        })?;
    tx.execute(
        "UPDATE purchase_order_lines SET received = received + ?2 WHERE id = ?1",
        params![line, qty],
    )?;
    tx.execute(
        "INSERT INTO purchase_receipts (line_id, movement_id, at, qty) VALUES (?1, ?2, ?3, ?4)",
        params![line, movement_id, instant_to_text(now), qty],
    )?;
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM purchase_order_lines WHERE order_id = ?1 AND received < qty",
        [po],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE purchase_orders SET status = ?2 WHERE id = ?1",
        params![po, if open == 0 { "received" } else { "partial" }],
    )?;
    let over = (before + qty - ordered).min(qty);
    Ok((over > 0).then_some(over))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierPerformance {
    pub supplier: String,
    pub name: String,
    pub lead_days: i64,
    pub orders: i64,
    /// Lines with a receipt.
    pub lines_received: i64,
    /// Of those, the share whose first receipt came by the expected day.
    pub on_time_percent: Option<f64>,
    /// Units received against units ordered, over lines with a receipt.
    pub quantity_percent: Option<f64>,
}

/// On-time and quantity performance of every supplier, from the receipts
/// booked against their orders.
pub fn supplier_performance(conn: &Connection) -> Result<Vec<SupplierPerformance>> {
    let mut stmt = conn.prepare(
        "SELECT s.code, s.name, s.lead_days,
                (SELECT count(*) FROM purchase_orders o WHERE o.supplier_id = s.id),
                count(l.id),
                SUM(CASE WHEN (SELECT MIN(pr.at) FROM purchase_receipts pr WHERE pr.line_id = l.id)
                              < strftime('%Y-%m-%dT%H:%M:%SZ', o.expected_at, '+1 day', 'start of day') THEN 1 ELSE 0 END),
                SUM(l.received), SUM(l.qty)
         FROM suppliers s
         LEFT JOIN purchase_orders o ON o.supplier_id = s.id
         LEFT JOIN purchase_order_lines l ON l.order_id = o.id AND l.received > 0
         GROUP BY s.id ORDER BY s.code",
    )?;
    let rows = stmt.query_map([], |r| {
        let lines: i64 = r.get(4)?;
        let on_time: Option<i64> = r.get(5)?;
        let received: Option<i64> = r.get(6)?;
        let ordered: Option<i64> = r.get(7)?;
        Ok(SupplierPerformance {
            supplier: r.get(0)?,
            name: r.get(1)?,
            lead_days: r.get(2)?,
            orders: r.get(3)?,
            lines_received: lines,
            on_time_percent: (lines > 0)
                .then(|| 100.0 * on_time.unwrap_or(0) as f64 / lines as f64),
            quantity_percent: match (received, ordered) {
                (Some(r), Some(o)) if o > 0 => Some(100.0 * r as f64 / o as f64),
                _ => None,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoLine {
    pub item: String,
    pub item_name: String,
    pub qty: i64,
    pub received: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseOrder {
    pub id: i64,
    pub supplier: String,
    pub status: String,
    pub created_at: String,
    pub expected_at: String,
    pub note: Option<String>,
    pub lines: Vec<PoLine>,
}

/// Purchase orders, newest first (`open_only`: open and partly received).
pub fn purchase_orders(conn: &Connection, open_only: bool) -> Result<Vec<PurchaseOrder>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, s.code, o.status, o.created_at, o.expected_at, o.note FROM purchase_orders o
         JOIN suppliers s ON s.id = o.supplier_id
         WHERE (?1 = 0 OR o.status IN ('open', 'partial')) ORDER BY o.id DESC",
    )?;
    let mut orders: Vec<PurchaseOrder> = stmt
        .query_map([open_only], |r| {
            Ok(PurchaseOrder {
                id: r.get(0)?,
                supplier: r.get(1)?,
                status: r.get(2)?,
                created_at: r.get(3)?,
                expected_at: r.get(4)?,
                note: r.get(5)?,
                lines: vec![],
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT i.code, i.name, l.qty, l.received FROM purchase_order_lines l JOIN items i ON i.id = l.item_id
         WHERE l.order_id = ?1 ORDER BY i.code",
    )?;
    for o in &mut orders {
        o.lines = stmt
            .query_map([o.id], |r| {
                Ok(PoLine {
                    item: r.get(0)?,
                    item_name: r.get(1)?,
                    qty: r.get(2)?,
                    received: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(orders)
}

/// A purchase order as the supplier is to receive it: who orders, from
/// whom, when it is expected, and each line in packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSheet {
    pub id: i64,
    pub site: Option<String>,
    pub supplier: String,
    pub supplier_name: String,
    pub contact: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub expected_at: String,
    pub status: String,
    pub lines: Vec<SheetLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetLine {
    pub item: String,
    pub item_name: String,
    pub gtin: Option<String>,
    pub packs: i64,
    pub units_per_pack: i64,
    pub qty: i64,
    pub unit: String,
}

/// The order sheet of purchase order `id`.
pub fn order_sheet(conn: &Connection, id: i64) -> Result<OrderSheet> {
    let head = conn
        .query_row(
            "SELECT s.code, s.name, s.contact, o.created_at, u.full_name, o.expected_at, o.status
             FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id JOIN users u ON u.id = o.created_by
             WHERE o.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?
        .ok_or(PurchaseError::UnknownOrder(id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT i.code, i.name, (SELECT g.gtin FROM item_gtins g WHERE g.item_id = i.id ORDER BY g.gtin LIMIT 1),
                i.units_per_pack, l.qty, i.dose_unit
         FROM purchase_order_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 ORDER BY i.code",
    )?;
    let lines = stmt
        .query_map([id], |r| {
            let per: i64 = r.get::<_, i64>(3)?.max(1);
            let qty: i64 = r.get(4)?;
            Ok(SheetLine {
                item: r.get(0)?,
                item_name: r.get(1)?,
                gtin: r.get(2)?,
                packs: (qty + per - 1) / per,
                units_per_pack: per,
                qty,
                unit: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(OrderSheet {
        id,
        site: crate::store::queries::setting(conn, "site_name")?,
        supplier: head.0,
        supplier_name: head.1,
        contact: head.2,
        created_at: head.3,
        created_by: head.4,
        expected_at: head.5,
        status: head.6,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_order_references_are_read_in_any_usual_form() {
        for r in ["PO-12", "po-12", "PO 12", "po12", " PO#12 "] {
            assert_eq!(po_number(Some(r)).unwrap(), Some(12), "{r}");
        }
        for r in ["DN-4", "POS-7", "", "delivery 3"] {
            assert_eq!(po_number(Some(r)).unwrap(), None, "{r}");
        }
        assert!(matches!(
            po_number(Some("PO-")),
            Err(PurchaseError::ReferenceWithoutNumber(r)) if r == "PO-"
        ));
        assert!(matches!(
            po_number(Some("po-x1")),
            Err(PurchaseError::ReferenceWithoutNumber(_))
        ));
    }
}
