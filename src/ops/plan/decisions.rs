//! Decisions on a plan: whether a suggestion still stands, accepting it (a
//! transfer or a purchase order), rejecting it, and setting an item's stock
//! policy at a place.

use super::*;

/// A suggestion is decided once: a decision on the same place and item
/// taken after its plan was computed means the plan is out of date.
fn still_current(tx: &Connection, place: i64, item: i64, s: &Suggestion) -> Result<()> {
    let later: i64 = tx.query_row(
        "SELECT count(*) FROM plan_decisions WHERE place_id = ?1 AND item_id = ?2 AND at >= ?3",
        params![place, item, instant_to_text(s.planned_at)],
        |r| r.get(0),
    )?;
    if later > 0 {
        return Err(PlanError::Stale {
            item: s.item.clone(),
            place: s.place.clone(),
        });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// "TO-12" (a transfer order with its FEFO pick list) or "PO-3".
    pub order_ref: String,
    pub qty: i64,
    /// Units of a delivery the pharmacy cannot pick from usable stock now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_pick: Option<i64>,
    /// A purchase: the line as ordered, in whole packs of the supplier's
    /// pack (`qty` is then the units ordered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordered: Option<crate::ops::purchasing::Ordered>,
}

/// Accepts a suggestion, with the quantity the pharmacist settles on: a
/// ward delivery becomes a transfer order (urgent when past due), a
/// pharmacy order a purchase order to the item's supplier due when the
/// plan needs it.
pub fn accept(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    s: &Suggestion,
    qty: Option<i64>,
    opt: PlanOptions,
) -> Result<Accepted> {
    allow(actor, Operation::Plan)?;
    let qty = qty.unwrap_or(s.qty);
    crate::ops::items::qty_ok(qty)?;
    let zone = store.zone();
    store.write(|tx| {
        let item = item_by_code(tx, &s.item)?;
        let place = crate::ops::stock::place_by_code(tx, &s.place)?;
        still_current(tx, place.id, item.id, s)?;
        let mut cannot_pick = None;
        let mut ordered = None;
        let mut qty = qty;
        let order_ref =
            match place.kind {
                crate::domain::PlaceKind::Ward => {
                    let note = format!(
                        "{}MRP: needed on the ward {}",
                        if s.past_due { "URGENT: " } else { "" },
                        bucket_instant(
                            &zone,
                            plan_start(&zone, now),
                            opt.bucket_hours,
                            s.receipt_bucket
                        )
                        .with_timezone(&zone)
                        .format("%d %b")
                    );
                    let id = crate::ops::stock::insert_transfer(
                        tx,
                        actor,
                        now,
                        place.id,
                        &[(item.clone(), qty)],
                        Some(&note),
                    )?;
                    // Needed later than today: the plan keeps it for that day.
                    if s.receipt_bucket > 0 {
                        let needed = bucket_instant(
                            &zone,
                            plan_start(&zone, now),
                            opt.bucket_hours,
                            s.receipt_bucket,
                        );
                        tx.execute(
                            "UPDATE transfer_orders SET needed_at = ?2 WHERE id = ?1",
                            params![id, instant_to_text(needed)],
                        )?;
                    }
                    let short: i64 = crate::ops::stock::transfer_order(tx, id, now)?
                        .lines
                        .iter()
                        .map(|l| l.shortfall)
                        .sum();
                    if short > 0 {
                        cannot_pick = Some(short);
                    }
                    format!("TO-{id}")
                }
                crate::domain::PlaceKind::Pharmacy => {
                    let (supplier, _) = crate::ops::purchasing::supplier_of(tx, item.id)?
                        .ok_or_else(|| PlanError::NoSupplier {
                            item: item.name.clone(),
                        })?;
                    let expected = bucket_instant(
                        &zone,
                        plan_start(&zone, now),
                        opt.bucket_hours,
                        s.receipt_bucket,
                    )
                    .max(now);
                    let note = format!(
                        "MRP suggestion{}",
                        if s.past_due { ", expedite" } else { "" }
                    );
                    let po = crate::ops::purchasing::insert_po(
                        tx,
                        actor,
                        now,
                        supplier,
                        &[(item.clone(), qty)],
                        expected,
                        Some(&note),
                    )?;
                    let line = po.lines.into_iter().next();
                    qty = line.as_ref().map_or(qty, |l| l.qty);
                    ordered = line;
                    format!("PO-{}", po.id)
                }
                crate::domain::PlaceKind::Transit => {
                    return Err(PlanError::TransitNotPlanned);
                }
            };
        decision(
            tx,
            actor,
            now,
            "accepted",
            place.id,
            item.id,
            s.qty,
            Some(qty),
            Some(&order_ref),
            None,
        )?;
        Ok(Accepted {
            order_ref,
            qty,
            cannot_pick,
            ordered,
        })
    })
}

/// What accepting a set of suggestions at once made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AcceptedSet {
    /// Suggestions accepted.
    pub accepted: usize,
    /// "TO-12" …: one per ward and day needed (urgent deliveries apart).
    pub transfer_orders: Vec<String>,
    /// "PO-3" …: one per supplier and day expected.
    pub purchase_orders: Vec<String>,
    /// Units of the deliveries the pharmacy cannot pick from usable stock now.
    pub cannot_pick: i64,
    /// Purchase lines rounded up to whole packs of the supplier's pack.
    pub rounded: usize,
}

/// The order a suggestion goes on when a set is accepted: ward deliveries
/// share a transfer order per ward, day needed and urgency; purchases a
/// purchase order per supplier, day expected and urgency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderKey {
    pub purchase: bool,
    /// The ward (a delivery) or the supplier (a purchase).
    pub to: String,
    pub receipt_bucket: i64,
    pub urgent: bool,
}

impl OrderKey {
    /// The order of a suggestion; `supplier` is the item's supplier, for a purchase.
    pub fn of(s: &Suggestion, purchase: bool, supplier: Option<&str>) -> OrderKey {
        OrderKey {
            purchase,
            to: if purchase {
                supplier.unwrap_or_default().to_string()
            } else {
                s.place.clone()
            },
            receipt_bucket: s.receipt_bucket,
            urgent: s.past_due,
        }
    }
}

/// How many orders accepting a set makes: (transfer orders, purchase orders).
pub fn orders_made<'a>(
    set: impl IntoIterator<Item = (&'a Suggestion, bool, Option<&'a str>)>,
) -> (usize, usize) {
    let keys: HashSet<OrderKey> = set
        .into_iter()
        .map(|(s, purchase, supplier)| OrderKey::of(s, purchase, supplier))
        .collect();
    let purchases = keys.iter().filter(|k| k.purchase).count();
    (keys.len() - purchases, purchases)
}

/// Accepts a whole set of suggestions as suggested, in one transaction:
/// all of them or (the first refusal said) none. Ward deliveries go on one
/// transfer order per ward and day needed, past-due ones on an urgent order
/// of their own; purchases on one purchase order per supplier and day
/// expected, in whole packs. Each suggestion's decision is recorded with
/// its order.
pub fn accept_all(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    set: &[Suggestion],
    opt: PlanOptions,
) -> Result<AcceptedSet> {
    allow(actor, Operation::Plan)?;
    for s in set {
        crate::ops::items::qty_ok(s.qty)?;
    }
    let zone = store.zone();
    let start = plan_start(&zone, now);
    let (mut out, transfer_ids) = store.write(|tx| {
        // Each suggestion checked, and sorted onto its order.
        let mut groups: BTreeMap<OrderKey, Vec<(usize, crate::ops::stock::ItemRef, i64)>> =
            BTreeMap::new();
        let mut supplier_ids: HashMap<String, i64> = HashMap::new();
        // The decisions taken since the oldest plan, read once: the latest per
        // place and item (a set may hold thousands of suggestions).
        let since = set.iter().map(|s| s.planned_at).min().unwrap_or(now);
        let latest: HashMap<(i64, i64), String> = {
            let mut stmt = tx.prepare(
                "SELECT place_id, item_id, max(at) FROM plan_decisions WHERE at >= ?1 GROUP BY place_id, item_id",
            )?;
            let rows = stmt.query_map([instant_to_text(since)], |r| {
                Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut items: HashMap<String, crate::ops::stock::ItemRef> = HashMap::new();
        let mut places: HashMap<String, crate::ops::stock::PlaceRef> = HashMap::new();
        for (i, s) in set.iter().enumerate() {
            if !items.contains_key(&s.item) {
                items.insert(s.item.clone(), item_by_code(tx, &s.item)?);
            }
            if !places.contains_key(&s.place) {
                places.insert(s.place.clone(), crate::ops::stock::place_by_code(tx, &s.place)?);
            }
            let (Some(item), Some(place)) = (items.get(&s.item).cloned(), places.get(&s.place))
            else {
                continue;
            };
            // Decided since its plan was made: the plan is out of date.
            if latest
                .get(&(place.id, item.id))
                .is_some_and(|at| *at >= instant_to_text(s.planned_at))
            {
                return Err(PlanError::Stale {
                    item: s.item.clone(),
                    place: s.place.clone(),
                });
            }
            let key =
                match place.kind {
                    crate::domain::PlaceKind::Ward => OrderKey::of(s, false, None),
                    crate::domain::PlaceKind::Pharmacy => {
                        let (id, code) = crate::ops::purchasing::supplier_of(tx, item.id)?
                            .ok_or_else(|| PlanError::NoSupplier {
                                item: item.name.clone(),
                            })?;
                        supplier_ids.insert(code.clone(), id);
                        OrderKey::of(s, true, Some(&code))
                    }
                    crate::domain::PlaceKind::Transit => return Err(PlanError::TransitNotPlanned),
                };
            groups.entry(key).or_default().push((i, item, place.id));
        }
        let mut out = AcceptedSet::default();
        let mut transfer_ids = Vec::new();
        for (key, lines) in &groups {
            let day = bucket_instant(&zone, start, opt.bucket_hours, key.receipt_bucket);
            let items: Vec<(crate::ops::stock::ItemRef, i64)> = lines
                .iter()
                .map(|(i, item, _)| (item.clone(), set[*i].qty))
                .collect();
            // The quantity each suggestion was accepted with, by item.
            let mut accepted_qty: HashMap<String, i64> = HashMap::new();
            let order_ref = if key.purchase {
                let supplier = supplier_ids.get(&key.to).copied().unwrap_or_default();
                let note = format!(
                    "MRP suggestion{}",
                    if key.urgent { ", expedite" } else { "" }
                );
                let po = crate::ops::purchasing::insert_po(
                    tx,
                    actor,
                    now,
                    supplier,
                    &items,
                    day.max(now),
                    Some(&note),
                )?;
                for l in &po.lines {
                    if l.rounded() {
                        out.rounded += 1;
                    }
                    accepted_qty.insert(l.item.clone(), l.qty);
                }
                let r = format!("PO-{}", po.id);
                out.purchase_orders.push(r.clone());
                r
            } else {
                let note = format!(
                    "{}MRP: needed on the ward {}",
                    if key.urgent { "URGENT: " } else { "" },
                    day.with_timezone(&zone).format("%d %b")
                );
                let ward = lines.first().map(|l| l.2).unwrap_or_default();
                let id =
                    crate::ops::stock::insert_transfer(tx, actor, now, ward, &items, Some(&note))?;
                if key.receipt_bucket > 0 {
                    tx.execute(
                        "UPDATE transfer_orders SET needed_at = ?2 WHERE id = ?1",
                        params![id, instant_to_text(day)],
                    )?;
                }
                transfer_ids.push(id);
                let r = format!("TO-{id}");
                out.transfer_orders.push(r.clone());
                r
            };
            for (i, item, place) in lines {
                let s = &set[*i];
                let qty = accepted_qty.get(&item.code).copied().unwrap_or(s.qty);
                decision(
                    tx,
                    actor,
                    now,
                    "accepted",
                    *place,
                    item.id,
                    s.qty,
                    Some(qty),
                    Some(&order_ref),
                    None,
                )?;
                out.accepted += 1;
            }
        }
        Ok((out, transfer_ids))
    })?;
    // What the pharmacy cannot pick now, read after the write: the pick
    // lists are no part of the transaction.
    for id in transfer_ids {
        out.cannot_pick += crate::ops::stock::transfer_order(&store.conn, id, now)?
            .lines
            .iter()
            .map(|l| l.shortfall)
            .sum::<i64>();
    }
    Ok(out)
}

/// Rejects a suggestion with the reason, attributed.
pub fn reject(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    s: &Suggestion,
    reason: &str,
) -> Result<()> {
    allow(actor, Operation::Plan)?;
    if reason.trim().is_empty() {
        return Err(PlanError::RejectReasonRequired);
    }
    store.write(|tx| {
        let item = item_by_code(tx, &s.item)?;
        let place = crate::ops::stock::place_by_code(tx, &s.place)?;
        still_current(tx, place.id, item.id, s)?;
        decision(
            tx,
            actor,
            now,
            "rejected",
            place.id,
            item.id,
            s.qty,
            None,
            None,
            Some(reason.trim()),
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn decision(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    what: &str,
    place: i64,
    item: i64,
    suggested: i64,
    qty: Option<i64>,
    order_ref: Option<&str>,
    reason: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO plan_decisions (at, user_id, decision, place_id, item_id, suggested, qty, order_ref, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![instant_to_text(now), actor.user_id, what, place, item, suggested, qty, order_ref, reason],
    )?;
    Ok(())
}

/// Sets how MRP sizes the orders of a place and item (lot-for-lot removes
/// the row), with the smallest order; checked as a problem file would be.
pub fn set_policy(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &str,
    item: &str,
    rule: &LotSizing,
    min_order: i64,
) -> Result<()> {
    allow(actor, Operation::SetLevels)?;
    let most = crate::ops::items::MAX_UNITS;
    match *rule {
        LotSizing::FixedQuantity { qty } if !(1..=most).contains(&qty) => {
            return Err(PlanError::FixedQuantityRange { most });
        }
        LotSizing::Period { periods } if !(1..=366).contains(&periods) => {
            return Err(PlanError::PeriodRange);
        }
        LotSizing::MinMax { max, .. } if max > most => {
            return Err(PlanError::MaximumRange { most });
        }
        LotSizing::Eoq {
            order_cost,
            holding_cost,
        } if order_cost > 1.0e7 || holding_cost < 1.0e-4 => {
            return Err(PlanError::EoqCostRange);
        }
        LotSizing::Eoq {
            order_cost,
            holding_cost,
        } if !(order_cost.is_finite()
            && holding_cost.is_finite()
            && order_cost >= 0.0
            && holding_cost > 0.0) =>
        {
            return Err(PlanError::EoqCosts);
        }
        LotSizing::MinMax { min, max } if min < 0 || max < min.max(1) => {
            return Err(PlanError::MinMaxRange);
        }
        _ => {}
    }
    if !(0..=most).contains(&min_order) {
        return Err(PlanError::SmallestOrderRange { most });
    }
    store.write(|tx| {
        let place = crate::ops::stock::place_by_code(tx, place)?;
        let item = item_by_code(tx, item)?;
        let (name, qty, periods, s, h, min, max) = match *rule {
            LotSizing::LotForLot {} => ("lot_for_lot", None, None, None, None, None, None),
            LotSizing::FixedQuantity { qty } => ("fixed_quantity", Some(qty), None, None, None, None, None),
            LotSizing::Period { periods } => ("period", None, Some(periods), None, None, None, None),
            LotSizing::Eoq { order_cost, holding_cost } => ("eoq", None, None, Some(order_cost), Some(holding_cost), None, None),
            LotSizing::MinMax { min, max } => ("min_max", None, None, None, None, Some(min), Some(max)),
        };
        tx.execute(
            "INSERT INTO planning_params (place_id, item_id, rule, qty, periods, order_cost, holding_cost, min_qty, max_qty, min_order,
                                          changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (place_id, item_id) DO UPDATE SET rule = excluded.rule, qty = excluded.qty, periods = excluded.periods,
                 order_cost = excluded.order_cost, holding_cost = excluded.holding_cost, min_qty = excluded.min_qty,
                 max_qty = excluded.max_qty, min_order = excluded.min_order, changed_by = excluded.changed_by,
                 changed_at = excluded.changed_at",
            params![place.id, item.id, name, qty, periods, s, h, min, max, min_order, actor.user_id, instant_to_text(now)],
        )?;
        Ok(())
    })
}
