//! Receiving stock into a place (goods in), and rejecting a delivery.

use super::*;

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
    witness: Option<&Actor>,
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
        let signed = cosign(tx, actor, witness, &line.item, now)?;
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
        let movement_id = append_signed(tx, &m, signed)?;
        // A delivery against a purchase order ("PO-12") is booked on its line.
        let over_order = match crate::ops::purchasing::po_number(line.order_ref.as_deref())? {
            Some(po) => crate::ops::purchasing::book_receipt(
                tx,
                po,
                &line.item,
                line.qty,
                movement_id,
                now,
            )?,
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
