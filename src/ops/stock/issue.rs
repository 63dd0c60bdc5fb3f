//! Issuing stock for use, wasting it (disposal with a reason), and returning
//! it to the pharmacy.

use super::*;

// ---------------------------------------------------------------- issue, waste, return

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display, strum::EnumString, strum::AsRefStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum WasteReason {
    Expired,
    Damaged,
    Contaminated,
    Other,
}

/// A lot and quantity taken by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    pub lot_id: i64,
    pub lot_number: String,
    pub qty: i64,
    pub movement_id: i64,
    /// Why these units must be set aside and returned (a lot held or
    /// expired on the way arrived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<crate::domain::fefo::LotProblem>,
    /// Where the units were put, for goods arriving on a ward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Issues ward stock for non-patient use: from the given lot, or FEFO.
/// Expired, quarantined and recalled stock is never issued.
pub fn issue(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    item: &ItemRef,
    qty: i64,
    lot: Option<&str>,
    reason: Option<&str>,
    witness: Option<&Actor>,
) -> Result<Vec<Taken>> {
    allow(actor, Operation::Issue)?;
    qty_ok(qty)?;
    if place.kind != PlaceKind::Ward {
        return Err(StockError::IssueNotOnWard(place.code.clone()));
    }
    let day = store.today(now);
    store.write(|tx| {
        issue_in(
            tx,
            actor,
            now,
            day,
            place,
            item,
            qty,
            lot,
            reason,
            witness,
            &IssueFor::default(),
        )
    })
}

/// Who and what an issue is for, beyond the ward's own use: the patient
/// named on the movement, its order reference, and the case whose held
/// units it may take (units held for other cases are never taken).
#[derive(Debug, Clone, Default)]
pub(crate) struct IssueFor {
    pub patient_id: Option<i64>,
    pub order_ref: Option<String>,
    pub case_id: Option<i64>,
}

/// [`issue`] inside the caller's transaction (the role, quantity and place
/// checked by the caller): the one path that issues stock, with its
/// controlled-drug signature.
pub(crate) fn issue_in(
    tx: &Transaction,
    actor: &Actor,
    now: DateTime<Utc>,
    day: NaiveDate,
    place: &PlaceRef,
    item: &ItemRef,
    qty: i64,
    lot: Option<&str>,
    reason: Option<&str>,
    witness: Option<&Actor>,
    to: &IssueFor,
) -> Result<Vec<Taken>> {
    let signed = cosign(tx, actor, witness, item, now)?;
    let picks: Vec<(i64, i64)> = match lot {
        Some(number) => {
            let l = lot_by_number(tx, item, number)?;
            usable(&l, item, day, LotUse::Issued)?;
            take_from_lot(tx, place, item, &l, qty)?;
            crate::ops::reservations::guard(tx, place, item, qty, day, to.case_id)?;
            vec![(l.id, qty)]
        }
        None => {
            let stock =
                crate::ops::reservations::free_lot_stock(tx, place.id, item.id, day, to.case_id)?;
            let plan = fefo::pick(&stock, qty, day);
            if plan.shortfall > 0 {
                // Short because units are held for cases: say which.
                crate::ops::reservations::guard(tx, place, item, qty, day, to.case_id)?;
                return Err(StockError::NotEnough {
                    item: item.name.clone(),
                    place: place.code.clone(),
                    unit: item.dose_unit.clone(),
                    available: plan.picked(),
                    wanted: qty,
                });
            }
            plan.picks.iter().map(|p| (p.lot_id, p.qty)).collect()
        }
    };
    let mut out = Vec::new();
    for (lot_id, q) in picks {
        let mut m = movement(actor, now, MovementKind::Issue, item, lot_id);
        m.from_place = Some(place.id);
        m.qty = q;
        m.reason = reason.map(str::to_string);
        m.patient_id = to.patient_id;
        m.order_ref = to.order_ref.clone();
        let movement_id = append_signed(tx, &m, signed)?;
        out.push(Taken {
            lot_id,
            lot_number: lot_by_id(tx, lot_id)?.lot_number,
            qty: q,
            movement_id,
            warning: None,
            location: None,
        });
    }
    Ok(out)
}

/// Disposes of stock of a lot at a place, whatever its status: this is how
/// expired, damaged and recalled units leave stock.
pub fn waste(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    item: &ItemRef,
    lot: &str,
    qty: i64,
    reason: WasteReason,
    note: Option<&str>,
    witness: Option<&Actor>,
) -> Result<Taken> {
    allow(actor, Operation::Waste)?;
    qty_ok(qty)?;
    not_in_transit(place)?;
    // A nurse disposes of what breaks on the ward, not of the pharmacy's stock.
    if actor.role == crate::domain::Role::Nurse && place.kind != PlaceKind::Ward {
        return Err(StockError::NurseWasteOffWard(place.code.clone()));
    }
    store.write(|tx| {
        let signed = cosign(tx, actor, witness, item, now)?;
        let l = lot_by_number(tx, item, lot)?;
        take_from_lot(tx, place, item, &l, qty)?;
        let mut m = movement(actor, now, MovementKind::Waste, item, l.id);
        m.from_place = Some(place.id);
        m.qty = qty;
        m.reason = Some(match note {
            Some(n) if !n.trim().is_empty() => format!("{}: {}", reason.as_ref(), n.trim()),
            _ => reason.as_ref().to_string(),
        });
        let movement_id = append_signed(tx, &m, signed)?;
        Ok(Taken {
            lot_id: l.id,
            lot_number: l.lot_number,
            qty,
            movement_id,
            warning: None,
            location: None,
        })
    })
}

/// Sends units of a lot from a ward back to the central pharmacy (any
/// status: unusable stock goes back for disposal or supplier return).
pub fn return_to_pharmacy(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    ward: &PlaceRef,
    item: &ItemRef,
    lot: &str,
    qty: i64,
    reason: &str,
    witness: Option<&Actor>,
) -> Result<Taken> {
    allow(actor, Operation::Return)?;
    qty_ok(qty)?;
    if ward.kind != PlaceKind::Ward {
        return Err(StockError::ReturnNotFromWard(ward.code.clone()));
    }
    if reason.trim().is_empty() {
        return Err(StockError::ReturnReasonRequired);
    }
    store.write(|tx| {
        let signed = cosign(tx, actor, witness, item, now)?;
        let pharmacy = place_of_kind(tx, PlaceKind::Pharmacy)?;
        let l = lot_by_number(tx, item, lot)?;
        take_from_lot(tx, ward, item, &l, qty)?;
        // Usable units held for a scheduled case stay on the ward.
        let day =
            crate::store::queries::site_zone(tx).map(|z| now.with_timezone(&z).date_naive())?;
        if fefo::lot_problem(l.status, l.expiry, day).is_none() {
            crate::ops::reservations::guard(tx, ward, item, qty, day, None)?;
        }
        let mut m = movement(actor, now, MovementKind::Return, item, l.id);
        m.from_place = Some(ward.id);
        m.to_place = Some(pharmacy.id);
        m.qty = qty;
        m.reason = Some(reason.trim().to_string());
        let movement_id = append_signed(tx, &m, signed)?;
        Ok(Taken {
            lot_id: l.id,
            lot_number: l.lot_number,
            qty,
            movement_id,
            warning: None,
            location: None,
        })
    })
}
