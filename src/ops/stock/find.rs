//! When a ward runs out: every usable unit of an item elsewhere, and the
//! emergency transfer that brings some of it from another ward.

use std::collections::HashMap;

use super::*;

/// Usable units of an item at one storage location of a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usable {
    pub place: String,
    pub place_name: String,
    pub pharmacy: bool,
    pub location: String,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub qty: i64,
    /// Minutes to bring it to the asking ward: from the pharmacy, that
    /// ward's transport time; from another ward, both wards' times (by the
    /// pharmacy's routes, the only ones the site records).
    pub minutes: i64,
    /// What the place holds of the item above its safety stock (all of it
    /// where no level is set): what it can lend without running short.
    pub spare: i64,
}

/// What [`find_stock`] found, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub item: String,
    pub item_name: String,
    pub dose_unit: String,
    /// The asking ward, left out of the list.
    pub for_place: Option<String>,
    pub holdings: Vec<Usable>,
    pub total: i64,
    /// The item's approved substitutes and their usable units.
    pub substitutes: Vec<SubstituteStock>,
}

/// An approved substitute of the item asked for, and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubstituteStock {
    pub item: String,
    pub name: String,
    /// Its units that make one unit of the item asked for.
    pub per_unit: Option<f64>,
    /// Usable at the ward asking.
    pub here: i64,
    /// Usable at the pharmacy and the other wards.
    pub elsewhere: i64,
}

/// Every usable unit of `item` at the pharmacy and the wards (not the ward
/// asking, not in transit): lots neither held nor expired by the day it
/// would arrive, by storage location, the pharmacy first, then the nearest
/// ward, soonest expiry first within a place.
pub fn find_stock(
    conn: &Connection,
    item: &ItemRef,
    for_place: Option<&PlaceRef>,
    now: DateTime<Utc>,
) -> Result<Found> {
    let holdings = find_stock_only(conn, item, for_place, now)?;
    let mut substitutes = Vec::new();
    for s in crate::ops::substitutes::substitutes(conn, Some(item))? {
        let sub = item_by_code(conn, &s.substitute)?;
        let everywhere = find_stock_only(conn, &sub, None, now)?;
        let here: i64 = everywhere
            .iter()
            .filter(|h| for_place.is_some_and(|p| p.code == h.place))
            .map(|h| h.qty)
            .sum();
        let all: i64 = everywhere.iter().map(|h| h.qty).sum();
        substitutes.push(SubstituteStock {
            item: s.substitute,
            name: s.substitute_name,
            per_unit: s.per_unit,
            here,
            elsewhere: all - here,
        });
    }
    Ok(Found {
        item: item.code.clone(),
        item_name: item.name.clone(),
        dose_unit: item.dose_unit.clone(),
        for_place: for_place.map(|p| p.code.clone()),
        total: holdings.iter().map(|h| h.qty).sum(),
        holdings,
        substitutes,
    })
}

/// The usable units of `item` elsewhere than `for_place`, nearest first.
fn find_stock_only(
    conn: &Connection,
    item: &ItemRef,
    for_place: Option<&PlaceRef>,
    now: DateTime<Utc>,
) -> Result<Vec<Usable>> {
    let zone = crate::store::queries::site_zone(conn)?;
    let here = for_place.map_or(0, |p| p.transport_minutes);
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.code, p.name, p.kind, p.transport_minutes, loc.code, l.lot_number, l.expiry, l.status, lb.qty
         FROM location_balances lb JOIN places p ON p.id = lb.place_id
         JOIN locations loc ON loc.id = lb.location_id JOIN lots l ON l.id = lb.lot_id
         WHERE lb.item_id = ?1 AND lb.qty > 0 AND p.kind IN ('pharmacy', 'ward')
           AND p.closed_at IS NULL AND (?2 IS NULL OR p.id <> ?2)
           -- Units held at a cold location after an excursion are not usable.
           AND NOT EXISTS (SELECT 1 FROM cold_holds h
                           WHERE h.location_id = lb.location_id AND h.lot_id = lb.lot_id AND h.decision IS NULL)",
    )?;
    let rows = st.query_map(params![item.id, for_place.map(|p| p.id)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, i64>(9)?,
        ))
    })?;
    let mut found: Vec<(i64, Usable)> = Vec::new();
    for row in rows {
        let (place_id, code, name, kind, minutes, location, lot, expiry, status, qty) = row?;
        let pharmacy = kind == "pharmacy";
        let minutes = if pharmacy { here } else { here + minutes };
        let expiry = expiry.as_deref().and_then(crate::domain::date_from_text);
        let status: LotStatus = status.parse().unwrap_or(LotStatus::Quarantined);
        // Usable on the day it would arrive.
        let day = (now + chrono::TimeDelta::minutes(minutes))
            .with_timezone(&zone)
            .date_naive();
        if fefo::lot_problem(status, expiry, day).is_some() {
            continue;
        }
        found.push((
            place_id,
            Usable {
                place: code,
                place_name: name,
                pharmacy,
                location,
                lot,
                expiry,
                qty,
                minutes,
                spare: 0,
            },
        ));
    }
    // What each place may lend: its usable units above its safety stock,
    // less those held for its scheduled cases.
    let mut usable: HashMap<i64, i64> = HashMap::new();
    for (p, h) in &found {
        *usable.entry(*p).or_default() += h.qty;
    }
    let mut safety = conn.prepare_cached(
        "SELECT safety_stock FROM stock_policies WHERE place_id = ?1 AND item_id = ?2",
    )?;
    let mut spare: HashMap<i64, i64> = HashMap::new();
    for (p, u) in &usable {
        let s: i64 = safety
            .query_row(params![p, item.id], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let held = crate::ops::reservations::held(conn, *p, item.id, None)?.qty;
        spare.insert(*p, (u - s - held).max(0));
    }
    for (p, h) in &mut found {
        h.spare = spare.get(p).copied().unwrap_or(0);
    }
    found.sort_by(|(_, a), (_, b)| {
        (
            !a.pharmacy,
            a.minutes,
            &a.place,
            a.expiry,
            &a.lot,
            &a.location,
        )
            .cmp(&(
                !b.pharmacy,
                b.minutes,
                &b.place,
                b.expiry,
                &b.lot,
                &b.location,
            ))
    });
    Ok(found.into_iter().map(|(_, h)| h).collect())
}

/// An emergency transfer from another ward (`from`) to a ward that ran out
/// (`to`): an urgent transfer order the lending ward picks and dispatches
/// and the receiving ward confirms, as any transfer (controlled drugs
/// signed by two at each end). Refused when the lending ward holds no
/// usable unit of an item asked for.
pub fn request_emergency_transfer(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    from: &PlaceRef,
    to: &PlaceRef,
    lines: &[(ItemRef, i64)],
    note: Option<&str>,
) -> Result<i64> {
    allow(actor, Operation::RequestTransfer)?;
    if to.kind != PlaceKind::Ward {
        return Err(StockError::TransferNotToWard(to.code.clone()));
    }
    if from.kind != PlaceKind::Ward || from.id == to.id {
        return Err(StockError::LendNotFromWard {
            from: from.code.clone(),
            to: to.code.clone(),
        });
    }
    if lines.is_empty() {
        return Err(StockError::EmptyTransfer);
    }
    for (item, q) in lines {
        qty_ok(*q)?;
        // Where the item is (its substitutes are not asked for here).
        let holdings = find_stock_only(&store.conn, item, Some(to), now)?;
        if !holdings.iter().any(|h| h.place == from.code) {
            return Err(StockError::NothingToLend {
                from: from.code.clone(),
                item: item.name.clone(),
            });
        }
    }
    let note = match note {
        Some(n) if !n.trim().is_empty() => format!(
            "URGENT: emergency transfer from {}: {}",
            from.code,
            n.trim()
        ),
        _ => format!("URGENT: emergency transfer from {}", from.code),
    };
    store.write(|tx| insert_transfer_from(tx, actor, now, Some(from.id), to.id, lines, Some(&note)))
}
