//! Stock warnings: the lots that may raise one, usable units, stock levels,
//! and every warning with the names a person reads, worst first.

use super::*;

/// A row of (place, item, lot, expiry, status, qty, unit price) as a balance.
fn lot_balance_row(r: &rusqlite::Row) -> rusqlite::Result<LotBalance> {
    Ok(LotBalance {
        place_id: r.get(0)?,
        item_id: r.get(1)?,
        lot_id: r.get(2)?,
        expiry: date_at(r, 3)?,
        status: enum_at(r, 4)?,
        qty: r.get(5)?,
        unit_price_cents: r.get(6)?,
    })
}

/// Lot balances with stock, for one place or all; what the warnings read.
pub fn lot_balances(conn: &Connection, place_id: Option<i64>) -> rusqlite::Result<Vec<LotBalance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.qty > 0 AND (?1 IS NULL OR b.place_id = ?1)",
    )?;
    stmt.query_map([place_id], lot_balance_row)?.collect()
}

/// Lots at a place (or all) that may raise a warning today: not ok, or
/// expiring by `horizon`. Everything else is quiet and is not read.
pub fn alert_candidates(
    conn: &Connection,
    place_id: Option<i64>,
    horizon: NaiveDate,
) -> rusqlite::Result<Vec<LotBalance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.expiry <= ?2 AND b.status = 'ok' AND (?1 IS NULL OR b.place_id = ?1)
         UNION ALL
         SELECT b.place_id, b.item_id, b.lot_id, b.expiry, b.status, b.qty, i.unit_price_cents
         FROM balances b JOIN items i ON i.id = b.item_id
         WHERE b.status <> 'ok' AND (?1 IS NULL OR b.place_id = ?1)",
    )?;
    stmt.query_map(params![place_id, date_text(horizon)], lot_balance_row)?
        .collect()
}

/// Usable units (status ok, not expired on `today`) per (place, item).
pub fn usable_totals(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    // `+expiry`: through the expiry index SQLite would fetch every row one
    // by one; the (place, item, status, expiry, qty) index holds them all.
    let mut stmt = conn.prepare_cached(
        "SELECT place_id, item_id, SUM(qty) FROM balances
         WHERE status = 'ok' AND (+expiry IS NULL OR +expiry >= ?2) AND (?1 IS NULL OR place_id = ?1)
         GROUP BY place_id, item_id",
    )?;
    stmt.query_map(params![place_id, date_text(today)], |r| {
        Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
    })?
    .collect()
}

/// Units per (place, item) pair.
pub type UnitsByPair = HashMap<(i64, i64), i64>;

/// The stock levels of a place (or all), each with the units of its pair
/// in lots whose status is ok, expired ones included (the running totals
/// kept beside the balances).
pub fn levels_and_ok_units(
    conn: &Connection,
    place_id: Option<i64>,
) -> rusqlite::Result<(Vec<LevelPolicy>, UnitsByPair)> {
    // Both tables in the order of their keys, merged here: one pass over
    // each instead of a search of the totals for every level.
    let policies = level_policies(conn, place_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT place_id, item_id, qty FROM ok_totals WHERE ?1 IS NULL OR place_id = ?1
         ORDER BY place_id, item_id",
    )?;
    let totals: Vec<((i64, i64), i64)> = stmt
        .query_map([place_id], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut units = HashMap::with_capacity(policies.len());
    let mut at = 0;
    for p in &policies {
        let key = (p.place_id, p.item_id);
        while totals.get(at).is_some_and(|(k, _)| *k < key) {
            at += 1;
        }
        let ok = totals
            .get(at)
            .filter(|(k, _)| *k == key)
            .map_or(0, |(_, q)| *q);
        units.insert(key, ok);
    }
    Ok((policies, units))
}

/// Every stock warning of a place (or all places) today, worst first.
pub fn alerts(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
) -> rusqlite::Result<Vec<Alert>> {
    Ok(alerts_and(conn, place_id, today, cfg, &|_| Ok(()))?.0)
}

/// [`alerts`], and what `also` reads where the rate of use is read: for
/// every place, beside the stock on a second connection.
fn alerts_and<X: Send>(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
    also: &(dyn Fn(&Connection) -> rusqlite::Result<X> + Sync),
) -> rusqlite::Result<(Vec<Alert>, X)> {
    let candidates = alert_candidates(conn, place_id, alerts::expiry_horizon(today, cfg))?;
    // Projected waste, for the items with usable lots expiring within the horizon.
    let mut pairs: Vec<(i64, i64, i64)> = candidates
        .iter()
        .filter(|b| {
            b.status == crate::domain::LotStatus::Ok && b.expiry.is_some_and(|e| e >= today)
        })
        // Waste matters where an expiry warning would: within the tiers, or the
        // longer horizon of high-value stock.
        .filter(|b| {
            let days = b.expiry.map_or(i64::MAX, |e| (e - today).num_days());
            days <= cfg.expiry_tiers.iter().copied().max().unwrap_or(0)
                || (b.unit_price_cents >= cfg.high_value_cents
                    && days <= cfg.high_value_horizon_days)
        })
        .map(|b| (b.place_id, b.item_id, b.unit_price_cents))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let wanted: Vec<(i64, i64)> = pairs.iter().map(|p| (p.0, p.1)).collect();
    let now = use_window_end(conn, today)?;
    let days = cfg.usage_window_days;
    let read_rates = |c: &Connection| Ok((pair_use(c, &wanted, now, days)?, also(c)?));
    let ((rates, more), (policies, mut usable), held, mut lots) = std::thread::scope(|s| {
        // The rate of use is the longest read: for every place, it is read
        // beside the stock on a second connection (a rate over weeks does
        // not need the same instant).
        let running = place_id
            .is_none()
            .then(|| beside(s, conn, &read_rates))
            .flatten();
        let levels = levels_and_ok_units(conn, place_id)?;
        // Units held after a cold-chain excursion are not usable, and warn.
        let held = cold_holds(conn, place_id)?;
        let lots = waste_lots(conn, &candidates, &wanted, &held)?;
        let rates = taken(conn, running, &read_rates)?;
        Ok::<_, rusqlite::Error>((rates, levels, held, lots))
    })?;
    // Usable units: those in lots whose status is ok, less the expired ones
    // (every expired lot is among the candidates) and the held ones.
    for b in &candidates {
        if b.status == LotStatus::Ok
            && b.expiry.is_some_and(|e| e < today)
            && let Some(u) = usable.get_mut(&(b.place_id, b.item_id))
        {
            *u -= b.qty;
        }
    }
    alerts::subtract_held(&mut usable, &held);
    let mut list = alerts::build_with_usable(&candidates, &policies, &usable, today, cfg);
    list.extend(alerts::cold_alerts(&held));
    let horizon = (alerts::expiry_horizon(today, cfg) - today).num_days();
    for (place, item, price) in pairs {
        let rate = rates.get(&(place, item)).copied().unwrap_or(0);
        let here = lots.remove(&(place, item)).unwrap_or_default();
        list.extend(alerts::waste_alerts(
            place, item, &here, price, rate, today, horizon,
        ));
    }
    alerts::sort_worst_first(&mut list);
    Ok((list, more))
}

/// Where the window of the rate of use ends for the warnings of `today`:
/// midday of the site's day, so that every reading on one day agrees.
pub fn use_window_end(conn: &Connection, today: NaiveDate) -> rusqlite::Result<DateTime<Utc>> {
    Ok(crate::domain::schedule::local_instant(
        &site_zone(conn)?,
        today,
        chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
    )
    .unwrap_or_else(Utc::now))
}

/// The lots held at cold locations after an excursion (of one place, or all).
pub fn cold_holds(
    conn: &Connection,
    place_id: Option<i64>,
) -> rusqlite::Result<Vec<alerts::ColdHold>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.place_id, b.item_id, b.lot_id, SUM(b.qty), MAX(e.minutes), e.peak_tenths, i.unit_price_cents
         FROM cold_holds h CROSS JOIN excursions e CROSS JOIN location_balances b CROSS JOIN items i
         WHERE e.id = h.excursion_id AND b.location_id = h.location_id AND b.lot_id = h.lot_id
           AND i.id = b.item_id AND h.decision IS NULL AND b.qty > 0 AND (?1 IS NULL OR b.place_id = ?1)
         GROUP BY b.place_id, b.lot_id",
    )?;
    // From the few open holds to their balances (SQLite would otherwise
    // read every location balance of the site to find them).
    stmt.query_map([place_id], |r| {
        Ok(alerts::ColdHold {
            place_id: r.get(0)?,
            item_id: r.get(1)?,
            lot_id: r.get(2)?,
            qty: r.get(3)?,
            minutes: r.get(4)?,
            peak_tenths: r.get(5)?,
            unit_price_cents: r.get(6)?,
        })
    })?
    .collect()
}

/// Units used per day (in thousandths) at each (place, item) pair over the
/// window of [`use_days`], as [`daily_use`] gives them: two rows a pair of
/// the running use totals.
pub fn pair_use(
    conn: &Connection,
    pairs: &[(i64, i64)],
    now: DateTime<Utc>,
    days: i64,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let (first, last, days) = use_days(now, days);
    let before = first.pred_opt().unwrap_or(first);
    let list = Pairs::new(pairs);
    let mut stmt = conn.prepare_cached(&format!(
        "WITH p(place, item) AS MATERIALIZED ({})
         SELECT p.place, p.item,
                (SELECT t.running FROM use_totals t WHERE t.place_id = p.place AND t.item_id = p.item AND t.day <= ?2
                 ORDER BY t.day DESC LIMIT 1),
                (SELECT t.running FROM use_totals t WHERE t.place_id = p.place AND t.item_id = p.item AND t.day <= ?3
                 ORDER BY t.day DESC LIMIT 1)
         FROM p",
        list.rows()
    ))?;
    let rows = stmt.query_map(params![list, date_text(last), date_text(before)], |r| {
        let to: Option<i64> = r.get(2)?;
        let from: Option<i64> = r.get(3)?;
        Ok(((r.get(0)?, r.get(1)?), (to, from)))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (key, (to, from)) = row?;
        let total = to.unwrap_or(0) - from.unwrap_or(0);
        if to.is_some() && total > 0 {
            out.insert(key, total * 1000 / days);
        }
    }
    Ok(out)
}

/// The lots of each (place, item) pair in `pairs` that a projection of
/// waste reads, as FEFO sees them: the candidates of the pair, with their
/// held units apart. A lot's waste depends only on the lots FEFO takes
/// before it (expiring no later), and a lot that may warn expires within
/// the horizon: every lot it depends on is a candidate too. The time a lot
/// was received only orders lots that expire on the same day, so it is
/// read for those alone (elsewhere it is left 0).
fn waste_lots(
    conn: &Connection,
    candidates: &[LotBalance],
    pairs: &[(i64, i64)],
    held: &[alerts::ColdHold],
) -> rusqlite::Result<HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>>> {
    let mut out: HashMap<(i64, i64), Vec<crate::domain::fefo::LotStock>> = HashMap::new();
    for b in candidates {
        let key = (b.place_id, b.item_id);
        if pairs.binary_search(&key).is_ok() {
            out.entry(key)
                .or_default()
                .push(crate::domain::fefo::LotStock {
                    lot_id: b.lot_id,
                    expiry: b.expiry,
                    received_seq: 0,
                    status: b.status,
                    qty: b.qty,
                });
        }
    }
    if !held.is_empty() {
        let held: HashMap<(i64, i64), i64> = held
            .iter()
            .map(|h| ((h.place_id, h.lot_id), h.qty))
            .collect();
        for ((place, _), lots) in out.iter_mut() {
            *lots = split_held(*place, std::mem::take(lots), &held);
        }
    }
    // Lots of a pair that share their expiry day.
    let mut tied: Vec<i64> = Vec::new();
    for lots in out.values() {
        let mut days: HashMap<Option<NaiveDate>, usize> = HashMap::new();
        for l in lots {
            *days.entry(l.expiry).or_default() += 1;
        }
        tied.extend(
            lots.iter()
                .filter(|l| days[&l.expiry] > 1)
                .map(|l| l.lot_id),
        );
    }
    if !tied.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT id, received_at FROM lots WHERE id IN (SELECT value FROM rarray(?1))",
        )?;
        let received: HashMap<i64, i64> = stmt
            .query_map([id_list(&tied)], |r| {
                let at: String = r.get(1)?;
                Ok((r.get(0)?, received_seq(&at)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for lots in out.values_mut() {
            for l in lots.iter_mut() {
                if let Some(seq) = received.get(&l.lot_id) {
                    l.received_seq = *seq;
                }
            }
        }
    }
    Ok(out)
}

pub fn level_policies(
    conn: &Connection,
    place_id: Option<i64>,
) -> rusqlite::Result<Vec<LevelPolicy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT place_id, item_id, safety_stock, max_stock FROM stock_policies
         WHERE ?1 IS NULL OR place_id = ?1 ORDER BY place_id, item_id",
    )?;
    stmt.query_map([place_id], |r| {
        Ok(LevelPolicy {
            place_id: r.get(0)?,
            item_id: r.get(1)?,
            safety_stock: r.get(2)?,
            max_stock: r.get(3)?,
        })
    })?
    .collect()
}

/// A warning with the names a person reads: place, item, unit, lot, and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRow {
    #[serde(flatten)]
    pub alert: Alert,
    pub place: String,
    pub item: String,
    pub item_name: String,
    pub dose_unit: String,
    pub lot: Option<String>,
    pub expiry: Option<NaiveDate>,
    pub message: String,
}

/// Every warning of a place (or all places) today with its names, worst first.
pub fn alert_rows(
    conn: &Connection,
    place_id: Option<i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
) -> rusqlite::Result<Vec<AlertRow>> {
    // The names are read beside the warnings, as their rate of use is.
    let (list, mut items) = alerts_and(conn, place_id, today, cfg, &item_names)?;
    // An item made at another workstation between the two reads.
    if list.iter().any(|a| !items.contains_key(&a.item_id)) {
        items = item_names(conn)?;
    }
    let places: HashMap<i64, String> = places(conn)?.into_iter().map(|p| (p.id, p.code)).collect();
    let lot_ids: Vec<i64> = list.iter().filter_map(|a| a.lot_id).collect();
    let lots = lot_numbers(conn, &lot_ids)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let (item, item_name, dose_unit) = items.get(&a.item_id).cloned().unwrap_or_default();
            let (lot, expiry) = match a.lot_id.and_then(|l| lots.get(&l)) {
                Some((n, e)) => (Some(n.clone()), *e),
                None => (None, None),
            };
            AlertRow {
                message: a.message(&dose_unit, lot.as_deref(), expiry),
                place: places.get(&a.place_id).cloned().unwrap_or_default(),
                item,
                item_name,
                dose_unit,
                lot,
                expiry,
                alert: a,
            }
        })
        .collect())
}

/// Each item's code, name and dose unit.
fn item_names(conn: &Connection) -> rusqlite::Result<HashMap<i64, (String, String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, code, name, dose_unit FROM items")?;
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
        .collect()
}

pub fn lot_numbers(
    conn: &Connection,
    ids: &[i64],
) -> rusqlite::Result<HashMap<i64, (String, Option<NaiveDate>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, lot_number, expiry FROM lots WHERE id IN (SELECT value FROM rarray(?1))",
    )?;
    stmt.query_map([id_list(ids)], |r| {
        Ok((r.get(0)?, (r.get::<_, String>(1)?, opt_date(r.get(2)?))))
    })?
    .collect()
}
