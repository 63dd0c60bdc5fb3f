//! The MRP problem built from the database: the prescriptions' scheduled
//! doses, a forecast of goods used without prescriptions, the usable stock
//! with its expiry, the orders already on their way and each place's levels.

use super::*;

/// Builds the planning problem of the whole hospital at `now`.
///
/// Each table is read once. The longest read, the recent ledger behind the
/// forecast, runs beside the others on a second connection when the
/// database is a file.
pub fn build_problem(conn: &Connection, now: DateTime<Utc>, opt: PlanOptions) -> Result<Problem> {
    let since = instant_to_text(now - Duration::days(opt.forecast_days.max(1)));
    let issued = |c: &Connection| crate::store::queries::issued_since(c, &since);
    std::thread::scope(|scope| {
        let running = crate::store::queries::beside(scope, conn, &issued);
        build(conn, now, opt, || {
            crate::store::queries::taken(conn, running, &issued)
        })
    })
}

/// [`build_problem`], with the units issued per (place, item) over the
/// forecast's days given by `issued` when they are needed.
fn build(
    conn: &Connection,
    now: DateTime<Utc>,
    opt: PlanOptions,
    issued: impl FnOnce() -> rusqlite::Result<HashMap<(i64, i64), i64>>,
) -> Result<Problem> {
    let h = opt.bucket_hours.max(1);
    let n = opt.buckets.max(1);
    let zone = crate::store::queries::site_zone(conn)?;
    let start = plan_start(&zone, now);
    let end = bucket_instant(&zone, start, h, n);
    let today = now.with_timezone(&zone).date_naive();

    // Places: the pharmacy and the wards with their transport time.
    let mut stmt = conn.prepare(
        "SELECT id, code, kind, transport_minutes FROM places WHERE kind IN ('pharmacy', 'ward') ORDER BY kind <> 'pharmacy', code",
    )?;
    let places: Vec<(i64, String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let pharmacy = places
        .iter()
        .find(|p| p.2 == "pharmacy")
        .map(|p| p.1.clone())
        .ok_or(PlanError::NoPharmacy)?;
    let code_of: HashMap<i64, String> = places.iter().map(|p| (p.0, p.1.clone())).collect();
    let transport_minutes: HashMap<i64, i64> = places.iter().map(|p| (p.0, p.3)).collect();
    let transport: HashMap<i64, i64> = places
        .iter()
        .map(|p| {
            (
                p.0,
                if p.2 == "pharmacy" {
                    0
                } else {
                    // A transport longer than any horizon is beyond it.
                    buckets_up(p.3, h).min(crate::planning::problem::MAX_BUCKETS)
                },
            )
        })
        .collect();

    // Items: code, pack, supplier lead time; strength for doses.
    let mut stmt = conn.prepare(
        "SELECT i.id, i.code, i.units_per_pack, COALESCE(x.lead_days, s.lead_days, i.supplier_lead_days), COALESCE(i.strength_milli, 0),
                i.in_use_days IS NOT NULL, i.kind
         FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id
         LEFT JOIN item_suppliers x ON x.item_id = i.id AND x.supplier_id = i.supplier_id",
    )?;
    struct It {
        code: String,
        /// The item's place among the items ordered by code.
        rank: u32,
        pack: i64,
        lead_days: i64,
        strength: i64,
        multi: bool,
    }
    let mut items: HashMap<i64, It> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                It {
                    code: r.get(1)?,
                    rank: 0,
                    pack: r.get(2)?,
                    lead_days: r.get(3)?,
                    strength: r.get(4)?,
                    multi: r.get(5)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Requirements are kept by the places' and items' ranks in code order,
    // and written out with their codes at the end, in the same order.
    let mut by_code: Vec<(&str, i64)> = items
        .iter()
        .map(|(id, it)| (it.code.as_str(), *id))
        .collect();
    by_code.sort_unstable();
    let ranks: Vec<(i64, u32)> = by_code
        .iter()
        .enumerate()
        .map(|(rank, (_, id))| (*id, rank as u32))
        .collect();
    for (id, rank) in ranks {
        if let Some(it) = items.get_mut(&id) {
            it.rank = rank;
        }
    }
    let mut item_codes: Vec<&str> = vec![""; items.len()];
    for it in items.values() {
        item_codes[it.rank as usize] = it.code.as_str();
    }
    let mut place_codes: Vec<(&str, i64)> = places.iter().map(|p| (p.1.as_str(), p.0)).collect();
    place_codes.sort_unstable();
    let place_rank: HashMap<i64, u32> = place_codes
        .iter()
        .enumerate()
        .map(|(rank, (_, id))| (*id, rank as u32))
        .collect();
    let pharmacy_rank = places
        .iter()
        .find(|p| p.2 == "pharmacy")
        .map_or(0, |p| place_rank[&p.0]);
    let wards: HashSet<i64> = places
        .iter()
        .filter(|p| p.2 == "ward")
        .map(|p| p.0)
        .collect();
    let mut used: HashSet<i64> = HashSet::new();

    // Usable stock with its expiry (held lots do not count), per place, item
    // and expiry. Read row by row through the covering (place, item, status,
    // expiry) index and summed here: SQLite would first copy every row into
    // a temporary tree to group them. (`+b.expiry`: through the expiry index
    // SQLite would fetch the rows one by one.)
    let mut rows: Vec<(i64, i64, Option<u32>, i64)> = Vec::new();
    // The expiry texts, each once: a few hundred days for a hundred thousand lots.
    let mut texts: Vec<String> = Vec::new();
    {
        let mut text_id: HashMap<String, u32> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT b.place_id, b.item_id, b.qty, b.expiry FROM balances b
             WHERE b.status = 'ok' AND b.qty > 0 AND (+b.expiry IS NULL OR +b.expiry >= ?1)",
        )?;
        let mut q = stmt.query([today.to_string()])?;
        while let Some(r) = q.next()? {
            let place: i64 = r.get(0)?;
            if !code_of.contains_key(&place) {
                continue;
            }
            let expiry = match r.get_ref(3)? {
                rusqlite::types::ValueRef::Null => None,
                v => {
                    let t = v.as_str().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?;
                    Some(match text_id.get(t) {
                        Some(id) => *id,
                        None => {
                            let id = texts.len() as u32;
                            texts.push(t.to_string());
                            text_id.insert(t.to_string(), id);
                            id
                        }
                    })
                }
            };
            rows.push((place, r.get(1)?, expiry, r.get(2)?));
        }
    }
    // The order SQLite's GROUP BY gave: place, item, then expiry as text
    // (none first). The index already gives it, so this sort only checks.
    let text = |e: Option<u32>| e.map(|id| texts[id as usize].as_str());
    rows.sort_by(|a, b| (a.0, a.1, text(a.2)).cmp(&(b.0, b.1, text(b.2))));
    let dates: Vec<Option<chrono::NaiveDate>> = texts
        .iter()
        .map(|t| crate::domain::date_from_text(t))
        .collect();
    let mut stock: Vec<StockLot> = Vec::new();
    let mut stocked: HashSet<(i64, i64)> = HashSet::new();
    let mut i = 0;
    while i < rows.len() {
        let (place, item, expiry, mut qty) = rows[i];
        i += 1;
        while i < rows.len() && rows[i].0 == place && rows[i].1 == item && rows[i].2 == expiry {
            qty = qty
                .checked_add(rows[i].3)
                .ok_or(rusqlite::Error::IntegralValueOutOfRange(2, rows[i].3))?;
            i += 1;
        }
        used.insert(item);
        stocked.insert((place, item));
        stock.push(StockLot {
            place: code_of[&place].clone(),
            item: items[&item].code.clone(),
            qty,
            expiry: expiry.and_then(|id| dates[id as usize]),
        });
    }

    // On its way: transfers not yet received (dispatched ones arrive after
    // the transport time; open ones are still to be picked, so they also
    // hold pharmacy stock), and open purchase orders.
    let mut receipts = Vec::new();
    let mut reqs = Reqs::default();
    let mut stmt = conn.prepare(
        "SELECT o.id, o.to_place_id, o.status, o.dispatched_at, l.item_id, l.qty_requested,
                COALESCE((SELECT SUM(pk.qty) FROM picks pk WHERE pk.line_id = l.id), 0), o.needed_at
         FROM transfer_orders o JOIN transfer_lines l ON l.order_id = o.id
         WHERE o.status IN ('open', 'in_transit')",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    for row in rows {
        let (order, ward, status, dispatched, item, requested, picked, needed) = row?;
        let needed = needed.as_deref().and_then(instant_from_text);
        let Some(ward_code) = code_of.get(&ward) else {
            continue;
        };
        used.insert(item);
        // Arrival: dispatched (or, still to pick, now) plus the transport time.
        // A transport time beyond reckoning (mistyped) counts as none.
        let tt = Duration::try_minutes(transport_minutes.get(&ward).copied().unwrap_or(0))
            .filter(|d| *d <= Duration::days(crate::ops::items::MAX_DAYS))
            .unwrap_or_default();
        let (bucket, qty) = if status == "in_transit" {
            let at = dispatched
                .as_deref()
                .and_then(instant_from_text)
                .unwrap_or(now);
            (bucket_of(&zone, start, h, at + tt), picked)
        } else {
            // Still to pick: the rest holds pharmacy stock from when it must
            // leave (now, or for a delivery planned ahead, its needed day
            // less the transport time).
            let leaves = needed.map_or(now, |n| (n - tt).max(now));
            let rest = (requested - picked).max(0);
            if rest > 0 {
                reqs.add(
                    pharmacy_rank,
                    items[&item].rank,
                    bucket_of(&zone, start, h, leaves).clamp(0, n - 1),
                    format!("TO-{order}"),
                    rest,
                );
            }
            (bucket_of(&zone, start, h, leaves + tt), requested)
        };
        if qty > 0 {
            receipts.push(ScheduledReceipt {
                place: ward_code.clone(),
                item: items[&item].code.clone(),
                bucket: bucket.clamp(0, n - 1),
                qty,
            });
        }
    }
    let mut stmt = conn.prepare(
        "SELECT o.expected_at, l.item_id, l.qty - l.received FROM purchase_orders o JOIN purchase_order_lines l ON l.order_id = o.id
         WHERE o.status IN ('open', 'partial') AND l.qty > l.received",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (expected, item, qty) = row?;
        used.insert(item);
        let at = instant_from_text(&expected).unwrap_or(now);
        receipts.push(ScheduledReceipt {
            place: pharmacy.clone(),
            item: items[&item].code.clone(),
            bucket: bucket_of(&zone, start, h, at).clamp(0, n - 1),
            qty,
        });
    }

    // Requirements: the doses of every active (or awaiting) prescription in
    // the horizon, from now on; PRN at its recent rate.
    let mut stmt = conn.prepare(
        "SELECT r.id, p.ward_id, r.item_id, r.dose_milli, r.frequency, r.times, r.start_at, r.end_at, r.status,
                r.prn_max_per_day,
                CASE WHEN r.frequency = 'prn' THEN
                  (SELECT count(*) FROM administrations a WHERE a.prescription_id = r.id AND a.outcome IN ('given', 'partially_given')
                     AND a.recorded_at >= ?1)
                ELSE 0 END
         FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         WHERE r.status IN ('active', 'awaiting_validation') AND p.ward_id IS NOT NULL",
    )?;
    let week_ago = instant_to_text(now - Duration::days(7));
    let rows = stmt.query_map([&week_ago], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, i64>(10)?,
            r.get::<_, Option<i64>>(9)?,
        ))
    })?;
    // The products a generic prescription allows, the preferred first.
    let mut stmt = conn.prepare(
        "SELECT pp.prescription_id, pp.item_id FROM prescription_products pp JOIN prescriptions r ON r.id = pp.prescription_id
         WHERE r.status IN ('active', 'awaiting_validation') ORDER BY pp.prescription_id, pp.item_id <> r.item_id, pp.item_id",
    )?;
    let mut generic: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (rx, item) = row?;
        generic.entry(rx).or_default().push(item);
    }
    // Doses already recorded (given early, held, refused) need nothing more.
    let mut stmt = conn.prepare(
        "SELECT prescription_id, scheduled_at FROM administrations WHERE scheduled_at >= ?1",
    )?;
    // By prescription: most have none, and their doses are not written out.
    let mut recorded: HashMap<i64, HashSet<String>> = HashMap::new();
    for row in stmt.query_map([instant_to_text(now)], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (rx, at): (i64, String) = row?;
        recorded.entry(rx).or_default().insert(at);
    }
    let mut prn_items: HashSet<(i64, i64)> = HashSet::new();
    // Doses in thousandths of the strength unit, per ward, item, bucket and prescription.
    let mut milli: Vec<((i64, i64, i64, i64), i64)> = Vec::new();
    for row in rows {
        let (rx, ward, item, dose, freq, times, start_at, end_at, given_week, prn_max) = row?;
        if !code_of.contains_key(&ward) {
            continue;
        }
        // A generic prescription is given with the preferred product while
        // the ward holds it, else with an allowed one it holds.
        let item = match generic.get(&rx) {
            Some(products) if !stocked.contains(&(ward, item)) => products
                .iter()
                .copied()
                .find(|p| stocked.contains(&(ward, *p)))
                .unwrap_or(item),
            _ => item,
        };
        let Ok(freq) = freq.parse::<Frequency>() else {
            continue;
        };
        let Some(rx_start) = instant_from_text(&start_at) else {
            continue;
        };
        let rx_end = end_at.as_deref().and_then(instant_from_text);
        if freq == Frequency::Prn {
            // The recent rate, at least one dose a day, at most the maximum.
            let per_day = ((given_week + 6) / 7)
                .max(1)
                .min(prn_max.unwrap_or(i64::MAX));
            // Spread over the buckets with cumulative rounding, so that the
            // total does not grow with shorter buckets.
            let it = &items[&item];
            let (mut doses_x24, mut before) = (0i64, 0i64);
            for k in 0..n {
                let at = bucket_instant(&zone, start, h, k);
                if at < rx_start || rx_end.is_some_and(|e| at >= e) {
                    continue;
                }
                doses_x24 += per_day * h;
                let units = if it.strength > 0 {
                    (doses_x24 * dose + 24 * it.strength - 1) / (24 * it.strength)
                } else {
                    (doses_x24 + 23) / 24
                };
                if units > before {
                    reqs.add(
                        place_rank[&ward],
                        it.rank,
                        k,
                        format!("RX-{rx}"),
                        units - before,
                    );
                    before = units;
                }
            }
            used.insert(item);
            prn_items.insert((ward, item));
            continue;
        }
        let list: Vec<NaiveTime> = times
            .split(',')
            .filter_map(|t| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
            .collect();
        let list = if list.is_empty() {
            freq.default_times()
        } else {
            list
        };
        let done = recorded.get(&rx);
        for at in schedule::expand(&zone, freq, &list, rx_start, rx_end, now, end) {
            if done.is_some_and(|d| d.contains(&instant_to_text(at))) {
                continue;
            }
            let k = bucket_of(&zone, start, h, at);
            if (0..n).contains(&k) {
                milli.push(((ward, item, k, rx), dose));
            }
        }
    }
    // Summed per key, in key order (as a sorted map would give them).
    milli.sort_by_key(|e| e.0);
    milli.dedup_by(|later, first| {
        if later.0 == first.0 {
            first.1 += later.1;
            true
        } else {
            false
        }
    });
    let mut prescribed: HashSet<(i64, i64)> = prn_items;
    // Multi-dose packs (vials, bottles, pens) last several doses: a new pack
    // is needed each time the doses drawn pass the content of the packs
    // open now and those opened since. Per ward and item, over the horizon.
    // (ward, item) → bucket → (thousandths drawn, prescriptions drawing).
    type Drawn = BTreeMap<i64, (i64, Vec<i64>)>;
    let mut multi: BTreeMap<(i64, i64), Drawn> = BTreeMap::new();
    for ((ward, item, k, rx), m) in milli {
        let it = &items[&item];
        used.insert(item);
        prescribed.insert((ward, item));
        if it.multi && it.strength > 0 {
            let e = multi.entry((ward, item)).or_default().entry(k).or_default();
            e.0 += m;
            e.1.push(rx);
            continue;
        }
        // Whole stock units per dose-bucket (a 750 mg dose of 500 mg tablets is 2).
        let units = crate::domain::units_for(m, it.strength);
        reqs.add(place_rank[&ward], it.rank, k, format!("RX-{rx}"), units);
    }
    // What is left in the packs open now, per place and item, in one read:
    // the doses drawn from each open pack summed in one pass.
    let mut left: HashMap<(i64, i64), i64> = HashMap::new();
    if !multi.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT o.place_id, o.item_id, SUM(o.content_milli - COALESCE(d.drawn, 0))
             FROM open_packs o JOIN lots l ON l.id = o.lot_id
             LEFT JOIN (SELECT a.open_pack_id AS id, SUM(a.dose_milli) AS drawn FROM administrations a
                        WHERE a.open_pack_id IS NOT NULL GROUP BY a.open_pack_id) d ON d.id = o.id
             WHERE o.closed_at IS NULL AND o.discard_at > ?1
               AND l.status = 'ok' AND (l.expiry IS NULL OR l.expiry >= ?2)
             GROUP BY o.place_id, o.item_id",
        )?;
        let rows = stmt.query_map(params![instant_to_text(now), today.to_string()], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (key, milli) = row?;
            left.insert(key, milli);
        }
    }
    for ((ward, item), by_bucket) in multi {
        let it = &items[&item];
        let open = left.get(&(ward, item)).copied().unwrap_or(0);
        let packs = |cum: i64| {
            if cum <= 0 {
                0
            } else {
                crate::domain::units_for(cum, it.strength)
            }
        };
        let mut cum = -open;
        for (k, (m, rxs)) in by_bucket {
            let before = packs(cum);
            cum += m;
            let units = packs(cum) - before;
            if units > 0 {
                let mut rxs = rxs;
                rxs.sort_unstable();
                rxs.dedup();
                let label = rxs
                    .iter()
                    .map(|r| format!("RX-{r}"))
                    .collect::<Vec<_>>()
                    .join(",");
                reqs.add(place_rank[&ward], it.rank, k, label, units);
            }
        }
    }

    // Scheduled cases: what each booked case still holds is required at its
    // place on its day (a case already due is required now).
    let mut stmt = conn.prepare_cached(
        "SELECT r.place_id, r.case_at, r.reference, l.item_id, l.qty - l.used - l.released
         FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id
         WHERE r.status = 'booked' AND l.qty > l.used + l.released",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (place, at, case, item, qty) = row?;
        let (Some(rank), Some(it)) = (place_rank.get(&place), items.get(&item)) else {
            continue;
        };
        let k = bucket_of(&zone, start, h, instant_from_text(&at).unwrap_or(now)).max(0);
        if k < n {
            used.insert(item);
            reqs.add(*rank, it.rank, k, case, qty);
        }
    }

    // Forecast: goods used on a ward without prescriptions (issues), at the
    // mean daily rate of the recent past, spread so that the totals are exact.
    let issued = issued()?;
    for ((ward, item), total) in issued {
        if !wards.contains(&ward) || prescribed.contains(&(ward, item)) || total <= 0 {
            continue;
        }
        used.insert(item);
        // total over forecast_days, per bucket of h hours: cumulative rounding.
        let per_bucket_x = total * h; // ÷ (forecast_days · 24)
        let denom = opt.forecast_days.max(1) * 24;
        let mut prev = 0;
        for k in 0..n {
            let cum = per_bucket_x * (k + 1) / denom;
            if cum > prev {
                reqs.add(
                    place_rank[&ward],
                    items[&item].rank,
                    k,
                    "forecast".into(),
                    cum - prev,
                );
            }
            prev = cum;
        }
    }

    // Levels and lot sizing per place and item.
    let mut policies: BTreeMap<(i64, i64), Policy> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT place_id, item_id, safety_stock FROM stock_policies WHERE safety_stock > 0",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (place, item, ss) = row?;
        let Some(place_code) = code_of.get(&place) else {
            continue;
        };
        used.insert(item);
        policies.insert(
            (place, item),
            Policy {
                place: place_code.clone(),
                item: items[&item].code.clone(),
                safety_stock: ss,
                min_order: 0,
                lot_sizing: LotSizing::LotForLot {},
            },
        );
    }
    let mut stmt = conn.prepare(
        "SELECT place_id, item_id, rule, qty, periods, order_cost, holding_cost, min_qty, max_qty, min_order FROM planning_params",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<f64>>(5)?,
            r.get::<_, Option<f64>>(6)?,
            r.get::<_, Option<i64>>(7)?,
            r.get::<_, Option<i64>>(8)?,
            r.get::<_, i64>(9)?,
        ))
    })?;
    for row in rows {
        let (place, item, rule, qty, periods, s, hc, min, max, min_order) = row?;
        let Some(place_code) = code_of.get(&place) else {
            continue;
        };
        used.insert(item);
        let sizing = match rule.as_str() {
            "fixed_quantity" => LotSizing::FixedQuantity {
                qty: qty.unwrap_or(1),
            },
            "period" => LotSizing::Period {
                periods: periods.unwrap_or(1),
            },
            "eoq" => LotSizing::Eoq {
                order_cost: s.unwrap_or(0.0),
                holding_cost: hc.unwrap_or(1.0),
            },
            "min_max" => LotSizing::MinMax {
                min: min.unwrap_or(0),
                max: max.unwrap_or(0),
            },
            _ => LotSizing::LotForLot {},
        };
        let p = policies.entry((place, item)).or_insert_with(|| Policy {
            place: place_code.clone(),
            item: items[&item].code.clone(),
            safety_stock: 0,
            min_order: 0,
            lot_sizing: LotSizing::LotForLot {},
        });
        p.lot_sizing = sizing;
        p.min_order = min_order;
    }

    let mut item_list: Vec<Item> = used
        .iter()
        .map(|id| {
            let it = &items[id];
            Item {
                code: it.code.clone(),
                pack_size: it.pack.max(1),
                supplier_lead_buckets: buckets_up(it.lead_days.saturating_mul(24 * 60), h)
                    .min(crate::planning::problem::MAX_BUCKETS),
            }
        })
        .collect();
    item_list.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Problem {
        start: Some(start),
        bucket_hours: h,
        buckets: n,
        pharmacy,
        items: item_list,
        places: places
            .iter()
            .map(|p| Place {
                code: p.1.clone(),
                transport_buckets: transport[&p.0],
            })
            .collect(),
        policies: policies.into_values().collect(),
        stock,
        scheduled_receipts: receipts,
        requirements: reqs
            .into_sorted()
            .into_iter()
            .map(|(place, item, bucket, source, qty)| Requirement {
                place: place_codes[place as usize].0.to_string(),
                item: item_codes[item as usize].to_string(),
                bucket,
                qty,
                source: Some(source),
            })
            .collect(),
    })
}

/// Requirements by (place rank, item rank, bucket, source) with their
/// quantity; a key given twice is summed.
#[derive(Default)]
struct Reqs(Vec<(u32, u32, i64, String, i64)>);

impl Reqs {
    fn add(&mut self, place: u32, item: u32, bucket: i64, source: String, qty: i64) {
        self.0.push((place, item, bucket, source, qty));
    }

    /// Summed per key, in key order: places and items by code, then bucket,
    /// then source as text.
    fn into_sorted(mut self) -> Vec<(u32, u32, i64, String, i64)> {
        self.0
            .sort_by(|a, b| (a.0, a.1, a.2, &a.3).cmp(&(b.0, b.1, b.2, &b.3)));
        self.0.dedup_by(|later, first| {
            if (later.0, later.1, later.2, &later.3) == (first.0, first.1, first.2, &first.3) {
                first.4 += later.4;
                true
            } else {
                false
            }
        });
        self.0
    }
}
