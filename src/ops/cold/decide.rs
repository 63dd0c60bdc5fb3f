//! The pharmacist's decision on a lot held after an excursion: release it
//! (the excursion recorded on the lot) or dispose of it.

use super::*;

/// What the pharmacist decided, with what was recorded on the lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided {
    pub location: String,
    pub item: String,
    pub lot: String,
    pub decision: String,
    /// The time out of range and the peak recorded on the lot.
    pub minutes: i64,
    pub peak_tenths: Option<i32>,
    /// The lot's cumulative time out of range after this decision.
    pub cumulative_minutes: i64,
    /// Units disposed of.
    pub disposed: i64,
    pub movement_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Release,
    Dispose,
}

/// Releases a lot held at a location: the excursion's duration and peak
/// are recorded on the lot with the comment, and the units are usable again.
pub fn release(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    item: &ItemRef,
    lot: &str,
    comment: &str,
) -> Result<Decided> {
    decide(
        store,
        actor,
        now,
        location_text,
        item,
        lot,
        comment,
        Decision::Release,
        None,
    )
}

/// Disposes of the units of a lot held at a location: a waste movement
/// with the excursion as its reason (a controlled drug's, signed by the
/// witness).
pub fn dispose(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    item: &ItemRef,
    lot: &str,
    comment: &str,
    witness: Option<&Actor>,
) -> Result<Decided> {
    decide(
        store,
        actor,
        now,
        location_text,
        item,
        lot,
        comment,
        Decision::Dispose,
        witness,
    )
}

fn decide(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    location_text: &str,
    item: &ItemRef,
    lot: &str,
    comment: &str,
    decision: Decision,
    witness: Option<&Actor>,
) -> Result<Decided> {
    allow(actor, Operation::ColdDecision)?;
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(ColdError::CommentRequired);
    }
    store.write(|tx| {
        let loc = location(tx, location_text)?;
        let lot_id: i64 = tx
            .prepare_cached("SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2")?
            .query_row(params![item.id, lot.trim()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| ColdError::UnknownLot {
                item: item.name.clone(),
                lot: lot.trim().to_string(),
            })?;
        let Some(h) = held_at_location(tx, loc.id)?
            .into_iter()
            .find(|h| h.lot_id == lot_id)
        else {
            return Err(ColdError::NotHeld {
                location: loc.label(),
                lot: lot.trim().to_string(),
            });
        };
        // Every excursion at the location since the hold began counts.
        let (minutes, peak) = exposure(tx, &loc, h.excursion_id)?;
        let word = match decision {
            Decision::Release => "release",
            Decision::Dispose => "dispose",
        };
        // The decision closes the hold first: the ledger refuses units
        // leaving a held location.
        tx.execute(
            "UPDATE cold_holds SET decision = ?2, decided_by = ?3, decided_at = ?4, comment = ?5, minutes = ?6, peak_tenths = ?7
             WHERE id = ?1",
            params![h.hold_id, word, actor.user_id, instant_to_text(now), comment, minutes, peak],
        )?;
        let mut movement_id = None;
        let mut disposed = 0;
        if decision == Decision::Dispose && h.qty > 0 {
            let signed = crate::ops::stock::cosign(tx, actor, witness, item, now)?;
            let m = NewMovement {
                at: now,
                user_id: actor.user_id,
                kind: MovementKind::Waste,
                item_id: item.id,
                lot_id,
                from_place: Some(loc.place_id),
                to_place: None,
                from_location: Some(loc.id),
                to_location: None,
                qty: h.qty,
                reason: Some(format!(
                    "cold_chain: excursion {} at {} ({} min, peak {} °C): {comment}",
                    h.excursion_id,
                    loc.label(),
                    minutes,
                    peak.map(cold::celsius_text).unwrap_or_else(|| "-".into())
                )),
                patient_id: None,
                order_ref: None,
            };
            let id = crate::ops::stock::append_signed(tx, &m, signed)?;
            tx.execute("UPDATE cold_holds SET movement_id = ?2 WHERE id = ?1", params![h.hold_id, id])?;
            movement_id = Some(id);
            disposed = h.qty;
        }
        Ok(Decided {
            location: loc.label(),
            item: item.code.clone(),
            lot: h.lot,
            decision: word.to_string(),
            minutes,
            peak_tenths: peak,
            cumulative_minutes: cumulative_minutes(tx, lot_id)?,
            disposed,
            movement_id,
        })
    })
}

/// The minutes out of range and the worst temperature at a location from
/// the start of an excursion on (a missed reading counts only when it is
/// the excursion that held the lot: it is no time known out of range).
fn exposure(
    conn: &Connection,
    loc: &ColdLocation,
    excursion_id: i64,
) -> rusqlite::Result<(i64, Option<i32>)> {
    let rows: Vec<(i64, Option<i32>)> = conn
        .prepare_cached(
            "SELECT minutes, peak_tenths FROM excursions WHERE location_id = ?1
             AND (cause = 'out_of_range' OR id = ?2)
             AND started_at >= (SELECT started_at FROM excursions WHERE id = ?2)",
        )?
        .query_map(params![loc.id, excursion_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let minutes = rows.iter().map(|r| r.0).sum();
    let peak = rows
        .iter()
        .filter_map(|r| r.1)
        .max_by_key(|t| loc.rules.distance(*t));
    Ok((minutes, peak))
}

// ---------------------------------------------------------------- the refusal the stock paths share

/// Refuses taking `qty` units of a lot out of a place when the units not
/// held there are fewer: held units never leave their location.
pub(crate) fn refuse_held(
    conn: &Connection,
    place_id: i64,
    item_name: &str,
    lot_id: i64,
    lot_number: &str,
    qty: i64,
) -> Result<(), StockError> {
    let held = ledger::held_at_place(conn, place_id, lot_id)?;
    let Some((_, location, _)) = held.first() else {
        return Ok(());
    };
    let held_qty: i64 = held.iter().map(|h| h.2).sum();
    let on_hand: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE place_id = ?1 AND lot_id = ?2",
        )?
        .query_row(params![place_id, lot_id], |r| r.get(0))?;
    if on_hand - held_qty >= qty {
        return Ok(());
    }
    Err(StockError::ColdHeld {
        item: item_name.to_string(),
        lot: lot_number.to_string(),
        location: location.clone(),
    })
}
