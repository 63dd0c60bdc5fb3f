//! The plan's problem as the database gives it: built the fast way (one
//! read per table, the recent ledger read beside the rest) it is the very
//! problem the first, straightforward build gave, kept here as the
//! reference: the same places, items, stock, receipts, requirements (in the
//! same order) and levels, for a database file and one in memory, at
//! several horizons and bucket lengths.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
use wardstock::domain::schedule::{self, Frequency};
use wardstock::domain::{instant_from_text, instant_to_text};
use wardstock::ops::plan::{PlanOptions, bucket_instant, build_problem, plan_start};
use wardstock::planning::problem::{
    Item, LotSizing, Place, Policy, Problem, Requirement, ScheduledReceipt, StockLot,
};
use wardstock::store::Store;

fn options() -> Vec<PlanOptions> {
    vec![
        PlanOptions::default(),
        PlanOptions {
            buckets: 90,
            bucket_hours: 24,
            forecast_days: 28,
        },
        PlanOptions {
            buckets: 30,
            bucket_hours: 8,
            forecast_days: 7,
        },
    ]
}

fn same_problems(conn: &Connection) {
    for at in [common::anchor(), common::anchor() + Duration::hours(30)] {
        for opt in options() {
            let fast = build_problem(conn, at, opt).unwrap();
            let reference = reference_build(conn, at, opt).unwrap();
            assert!(!fast.requirements.is_empty() && !fast.stock.is_empty());
            assert_eq!(fast, reference, "at {at} with {opt:?}");
        }
    }
}

#[test]
fn the_fast_build_gives_the_reference_problem_from_a_file() {
    let (_dir, store) = common::open_demo();
    same_problems(&store.conn);
}

#[test]
fn the_fast_build_gives_the_reference_problem_in_memory() {
    let (_dir, path) = common::demo_db();
    let mut memory = Store::open_in_memory().unwrap();
    {
        let file = Connection::open(&path).unwrap();
        let backup = rusqlite::backup::Backup::new(&file, &mut memory.conn).unwrap();
        backup
            .run_to_completion(1000, std::time::Duration::ZERO, None)
            .unwrap();
    }
    assert_eq!(memory.conn.path(), Some(""));
    same_problems(&memory.conn);
}

fn bucket_of(zone: &Tz, start: NaiveDateTime, bucket_hours: i64, at: DateTime<Utc>) -> i64 {
    let local = at.with_timezone(zone).naive_local();
    (local - start).num_minutes().div_euclid(bucket_hours * 60)
}

fn buckets_up(minutes: i64, bucket_hours: i64) -> i64 {
    let b = bucket_hours * 60;
    minutes.max(0).saturating_add(b - 1) / b
}

/// The first build, read statement by statement as it was written.
fn reference_build(
    conn: &Connection,
    now: DateTime<Utc>,
    opt: PlanOptions,
) -> Result<Problem, Box<dyn std::error::Error>> {
    let h = opt.bucket_hours.max(1);
    let n = opt.buckets.max(1);
    let zone = wardstock::store::queries::site_zone(conn)?;
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
        .ok_or("no pharmacy")?;
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
                    buckets_up(p.3, h).min(wardstock::planning::problem::MAX_BUCKETS)
                },
            )
        })
        .collect();

    // Items: code, pack, supplier lead time; strength for doses.
    let mut stmt = conn.prepare(
        "SELECT i.id, i.code, i.units_per_pack, COALESCE(s.lead_days, i.supplier_lead_days), COALESCE(i.strength_milli, 0),
                i.in_use_days IS NOT NULL, i.kind
         FROM items i LEFT JOIN suppliers s ON s.id = i.supplier_id",
    )?;
    struct It {
        code: String,
        pack: i64,
        lead_days: i64,
        strength: i64,
        multi: bool,
    }
    let items: HashMap<i64, It> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                It {
                    code: r.get(1)?,
                    pack: r.get(2)?,
                    lead_days: r.get(3)?,
                    strength: r.get(4)?,
                    multi: r.get(5)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut used: HashSet<i64> = HashSet::new();

    // Usable stock with its expiry (held lots do not count).
    let mut stock = Vec::new();
    let mut stocked: HashSet<(i64, i64)> = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT b.place_id, b.item_id, SUM(b.qty), b.expiry FROM balances b JOIN places p ON p.id = b.place_id
         WHERE p.kind IN ('pharmacy', 'ward') AND b.status = 'ok' AND b.qty > 0 AND (b.expiry IS NULL OR b.expiry >= ?1)
         GROUP BY b.place_id, b.item_id, b.expiry",
    )?;
    let rows = stmt.query_map([today.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (place, item, qty, expiry) = row?;
        used.insert(item);
        stocked.insert((place, item));
        stock.push(StockLot {
            place: code_of[&place].clone(),
            item: items[&item].code.clone(),
            qty,
            expiry: expiry
                .as_deref()
                .and_then(wardstock::domain::date_from_text),
        });
    }

    // On its way: transfers not yet received (dispatched ones arrive after
    // the transport time; open ones are still to be picked, so they also
    // hold pharmacy stock), and open purchase orders.
    let mut receipts = Vec::new();
    let mut reqs: BTreeMap<(String, String, i64, String), i64> = BTreeMap::new();
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
            .filter(|d| *d <= Duration::days(wardstock::ops::items::MAX_DAYS))
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
                *reqs
                    .entry((
                        pharmacy.clone(),
                        items[&item].code.clone(),
                        bucket_of(&zone, start, h, leaves).clamp(0, n - 1),
                        format!("TO-{order}"),
                    ))
                    .or_default() += rest;
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
                (SELECT count(*) FROM administrations a WHERE a.prescription_id = r.id AND a.outcome IN ('given', 'partially_given')
                   AND a.recorded_at >= ?1)
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
    let recorded: HashSet<(i64, String)> = stmt
        .query_map([instant_to_text(now)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut prn_items: HashSet<(i64, i64)> = HashSet::new();
    // Doses in thousandths of the strength unit, per ward, item, bucket and prescription.
    let mut milli: BTreeMap<(i64, i64, i64, i64), i64> = BTreeMap::new();
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
                    *reqs
                        .entry((
                            code_of[&ward].clone(),
                            it.code.clone(),
                            k,
                            format!("RX-{rx}"),
                        ))
                        .or_default() += units - before;
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
        for at in schedule::expand(&zone, freq, &list, rx_start, rx_end, now, end) {
            if recorded.contains(&(rx, instant_to_text(at))) {
                continue;
            }
            let k = bucket_of(&zone, start, h, at);
            if (0..n).contains(&k) {
                *milli.entry((ward, item, k, rx)).or_default() += dose;
            }
        }
    }
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
        let units = wardstock::domain::units_for(m, it.strength);
        *reqs
            .entry((
                code_of[&ward].clone(),
                it.code.clone(),
                k,
                format!("RX-{rx}"),
            ))
            .or_default() += units;
    }
    for ((ward, item), by_bucket) in multi {
        let it = &items[&item];
        let open: i64 = conn.query_row(
            "SELECT COALESCE(SUM(pl.remaining_milli), 0)
             FROM open_packs o JOIN open_pack_left pl ON pl.open_pack_id = o.id JOIN lots l ON l.id = o.lot_id
             WHERE o.place_id = ?1 AND o.item_id = ?2 AND o.closed_at IS NULL AND o.discard_at > ?3
               AND l.status = 'ok' AND (l.expiry IS NULL OR l.expiry >= ?4)",
            params![ward, item, instant_to_text(now), today.to_string()],
            |r| r.get(0),
        )?;
        let packs = |cum: i64| {
            if cum <= 0 {
                0
            } else {
                wardstock::domain::units_for(cum, it.strength)
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
                *reqs
                    .entry((code_of[&ward].clone(), it.code.clone(), k, label))
                    .or_default() += units;
            }
        }
    }

    // Scheduled cases: what each booked case still holds, at its place on its day.
    let mut stmt = conn.prepare(
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
        let Some(place_code) = code_of.get(&place) else {
            continue;
        };
        let k = bucket_of(&zone, start, h, instant_from_text(&at).unwrap_or(now)).max(0);
        if k < n {
            used.insert(item);
            *reqs
                .entry((place_code.clone(), items[&item].code.clone(), k, case))
                .or_default() += qty;
        }
    }

    // Forecast: goods used on a ward without prescriptions (issues), at the
    // mean daily rate of the recent past, spread so that the totals are exact.
    let since = instant_to_text(now - Duration::days(opt.forecast_days.max(1)));
    let mut stmt = conn.prepare(
        "SELECT m.from_place_id, m.item_id, SUM(m.qty) FROM movements m JOIN places p ON p.id = m.from_place_id
         WHERE p.kind = 'ward' AND m.kind = 'issue' AND m.at >= ?1 GROUP BY m.from_place_id, m.item_id",
    )?;
    let rows = stmt.query_map([&since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (ward, item, total) = row?;
        if prescribed.contains(&(ward, item)) || total <= 0 {
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
                reqs.insert(
                    (
                        code_of[&ward].clone(),
                        items[&item].code.clone(),
                        k,
                        "forecast".into(),
                    ),
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
                    .min(wardstock::planning::problem::MAX_BUCKETS),
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
            .into_iter()
            .map(|((place, item, bucket, source), qty)| Requirement {
                place,
                item,
                bucket,
                qty,
                source: Some(source),
            })
            .collect(),
    })
}
