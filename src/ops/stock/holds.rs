//! Holds on a lot: what is held, quarantine, release and recall.

use super::*;

// ---------------------------------------------------------------- quarantine, release, recall

/// Where the units of a lot are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub place: String,
    pub place_name: String,
    pub qty: i64,
    /// A multi-dose pack of the lot, open on the ward, closed with it: what
    /// is left in it is to be discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_pack: Option<i64>,
}

pub fn holdings(conn: &Connection, lot_id: i64) -> rusqlite::Result<Vec<Holding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.code, p.name, b.qty FROM balances b JOIN places p ON p.id = b.place_id WHERE b.lot_id = ?1 AND b.qty > 0 ORDER BY p.code",
    )?;
    stmt.query_map([lot_id], |r| {
        Ok(Holding {
            place: r.get(0)?,
            place_name: r.get(1)?,
            qty: r.get(2)?,
            open_pack: None,
        })
    })?
    .collect()
}

fn set_status(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
    op: Operation,
) -> Result<Vec<Holding>> {
    allow(actor, op)?;
    if reason.trim().is_empty() {
        return Err(StockError::StatusReasonRequired(op));
    }
    store.write(|tx| {
        let l = lot_by_number(tx, item, lot)?;
        let (new, action) = match op {
            Operation::Quarantine => {
                if l.status != LotStatus::Ok {
                    return Err(StockError::AlreadyStatus { lot: l.lot_number, status: l.status });
                }
                (LotStatus::Quarantined, "quarantine")
            }
            Operation::Release => {
                match l.status {
                    LotStatus::Ok => return Err(StockError::NotQuarantined { lot: l.lot_number }),
                    LotStatus::Recalled => return Err(StockError::RecalledNotReleased { lot: l.lot_number }),
                    LotStatus::Quarantined => {}
                }
                (LotStatus::Ok, "release")
            }
            _ => {
                if l.status == LotStatus::Recalled {
                    return Err(StockError::AlreadyStatus { lot: l.lot_number, status: LotStatus::Recalled });
                }
                (LotStatus::Recalled, "recall")
            }
        };
        // One statement: every unit of the lot, in every place, at once.
        tx.execute("UPDATE lots SET status = ?2 WHERE id = ?1", params![l.id, new.as_ref()])?;
        tx.execute(
            "INSERT INTO lot_events (at, user_id, lot_id, action, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![instant_to_text(now), actor.user_id, l.id, action, reason.trim()],
        )?;
        let mut held = holdings(tx, l.id)?;
        if new != LotStatus::Ok {
            // Multi-dose packs of the lot open on wards are closed with it:
            // what is left in them is discarded.
            let mut stmt = tx.prepare(
                "SELECT o.id, p.code, p.name FROM open_packs o JOIN places p ON p.id = o.place_id
                 WHERE o.lot_id = ?1 AND o.closed_at IS NULL ORDER BY o.id",
            )?;
            let open: Vec<(i64, String, String)> = stmt
                .query_map([l.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, code, name) in open {
                tx.execute(
                    "UPDATE open_packs SET closed_at = ?2, closed_by = ?3, closed_reason = ?4 WHERE id = ?1",
                    params![id, instant_to_text(now), actor.user_id, format!("lot {action}: discard the rest")],
                )?;
                held.push(Holding {
                    place: code,
                    place_name: name,
                    qty: 1,
                    open_pack: Some(id),
                });
            }
        }
        Ok(held)
    })
}

/// Quarantines a lot everywhere until a pharmacist decides.
pub fn quarantine(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Quarantine)
}

/// Releases a quarantined lot (pharmacist).
pub fn release(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Release)
}

/// Recalls a lot: every unit in every place is blocked at once; returns where they are.
pub fn recall(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &ItemRef,
    lot: &str,
    reason: &str,
) -> Result<Vec<Holding>> {
    set_status(store, actor, now, item, lot, reason, Operation::Recall)
}
