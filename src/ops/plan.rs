//! Replenishment planning from the database: the MRP problem is built from
//! the prescriptions' scheduled doses (look-ahead), a forecast of goods used
//! without prescriptions, the usable stock with its expiry, the orders
//! already on their way and each place's levels; the pure engine in
//! [`crate::planning`] plans it. The pharmacist accepts a suggestion (it
//! becomes a transfer order with its FEFO pick list, or a purchase order) or
//! rejects it with a reason, both attributed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, allow};
use super::purchasing::PurchaseError;
use super::stock::{StockError, item_by_code};
use crate::domain::roles::Operation;
use crate::domain::schedule::{self, Frequency};
use crate::domain::{instant_from_text, instant_to_text};
use crate::planning::problem::{
    Item, LotSizing, Place, Policy, Problem, Requirement, ScheduledReceipt, StockLot,
};
use crate::store::Store;

/// Why planning, or a decision on a suggestion, is refused, with its facts.
#[derive(Debug)]
pub enum PlanError {
    Forbidden(Forbidden),
    Quantity(BadQuantity),
    NoPharmacy,
    /// The database gives a problem the engine cannot plan.
    Unplannable(crate::planning::problem::ProblemError),
    /// A decision on the place and item was taken after the plan was made.
    Stale {
        item: String,
        place: String,
    },
    NoSupplier {
        item: String,
    },
    TransitNotPlanned,
    RejectReasonRequired,
    FixedQuantityRange {
        most: i64,
    },
    PeriodRange,
    MaximumRange {
        most: i64,
    },
    EoqCostRange,
    EoqCosts,
    MinMaxRange,
    SmallestOrderRange {
        most: i64,
    },
    NotAWard(String),
    NoUse {
        ward: String,
        days: i64,
    },
    PaperScenario(crate::planning::sim::ScenarioError),
    BadScenario {
        ward: String,
        cause: Box<crate::planning::sim::ScenarioError>,
    },
    Stock(StockError),
    Purchase(PurchaseError),
    Store(rusqlite::Error),
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanError::Forbidden(e) => Some(e),
            PlanError::Quantity(e) => Some(e),
            PlanError::Unplannable(e) => Some(e),
            PlanError::PaperScenario(e) => Some(e),
            PlanError::BadScenario { cause, .. } => Some(cause.as_ref()),
            PlanError::Stock(e) => Some(e),
            PlanError::Purchase(e) => Some(e),
            PlanError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for PlanError {
    fn from(e: rusqlite::Error) -> Self {
        PlanError::Store(e)
    }
}

impl From<Forbidden> for PlanError {
    fn from(e: Forbidden) -> Self {
        PlanError::Forbidden(e)
    }
}

impl From<BadQuantity> for PlanError {
    fn from(e: BadQuantity) -> Self {
        PlanError::Quantity(e)
    }
}

impl From<StockError> for PlanError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Forbidden(e) => PlanError::Forbidden(e),
            StockError::Quantity(e) => PlanError::Quantity(e),
            StockError::Store(e) => PlanError::Store(e),
            e => PlanError::Stock(e),
        }
    }
}

impl From<PurchaseError> for PlanError {
    fn from(e: PurchaseError) -> Self {
        match e {
            PurchaseError::Forbidden(e) => PlanError::Forbidden(e),
            PurchaseError::Quantity(e) => PlanError::Quantity(e),
            PurchaseError::Store(e) => PlanError::Store(e),
            e => PlanError::Purchase(e),
        }
    }
}

pub type Result<T, E = PlanError> = std::result::Result<T, E>;

/// The horizon of a plan from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    pub buckets: i64,
    pub bucket_hours: i64,
    /// Days of past use behind the forecast of goods used without prescriptions.
    pub forecast_days: i64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            buckets: 28,
            bucket_hours: 24,
            forecast_days: 28,
        }
    }
}

/// Start of the plan: the start of today on the clinic's clock.
pub fn plan_start(zone: &Tz, now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(zone)
        .date_naive()
        .and_time(NaiveTime::MIN)
}

/// The instant a bucket starts.
pub fn bucket_instant(zone: &Tz, start: NaiveDateTime, bucket_hours: i64, k: i64) -> DateTime<Utc> {
    let naive = start + Duration::hours(bucket_hours * k);
    // A wall-clock time in a spring-forward gap moves to the first minute that exists.
    schedule::local_instant(zone, naive.date(), naive.time()).unwrap_or_else(|| naive.and_utc())
}

fn bucket_of(zone: &Tz, start: NaiveDateTime, bucket_hours: i64, at: DateTime<Utc>) -> i64 {
    let local = at.with_timezone(zone).naive_local();
    (local - start).num_minutes().div_euclid(bucket_hours * 60)
}

fn buckets_up(minutes: i64, bucket_hours: i64) -> i64 {
    let b = bucket_hours * 60;
    (minutes.max(0) + b - 1) / b
}

/// Builds the planning problem of the whole hospital at `now`.
pub fn build_problem(conn: &Connection, now: DateTime<Utc>, opt: PlanOptions) -> Result<Problem> {
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
                    buckets_up(p.3, h)
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
            expiry: expiry.as_deref().and_then(crate::domain::date_from_text),
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
        let tt = Duration::minutes(transport_minutes.get(&ward).copied().unwrap_or(0));
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
        let units = crate::domain::units_for(m, it.strength);
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
                *reqs
                    .entry((code_of[&ward].clone(), it.code.clone(), k, label))
                    .or_default() += units;
            }
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
                supplier_lead_buckets: buckets_up(it.lead_days * 24 * 60, h),
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

/// A planned order as the pharmacist sees it, to accept or reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The place that receives: a ward (a delivery from the pharmacy) or the pharmacy (a purchase).
    pub place: String,
    pub item: String,
    pub qty: i64,
    pub release_bucket: i64,
    pub receipt_bucket: i64,
    pub past_due: bool,
    /// When the plan that made the suggestion was computed.
    pub planned_at: DateTime<Utc>,
}

impl Suggestion {
    /// A planned order of the plan computed at `planned_at`, to decide on.
    pub fn from_order(
        o: &crate::planning::mrp::PlannedOrder<'_>,
        planned_at: DateTime<Utc>,
    ) -> Suggestion {
        Suggestion {
            place: o.place.to_string(),
            item: o.item.to_string(),
            qty: i64::try_from(o.qty).unwrap_or(i64::MAX),
            release_bucket: o.release_bucket as i64,
            receipt_bucket: o.receipt_bucket as i64,
            past_due: o.past_due,
            planned_at,
        }
    }
}

/// The hospital's problem from the database at `now`, and its plan.
pub fn plan_now(
    conn: &Connection,
    now: DateTime<Utc>,
    opt: PlanOptions,
) -> Result<(Problem, crate::planning::mrp::Plan)> {
    let problem = build_problem(conn, now, opt)?;
    problem.validate().map_err(PlanError::Unplannable)?;
    let plan = crate::planning::mrp::plan(&problem);
    Ok((problem, plan))
}

/// What a planned order covers, summed by source: a prescription, the
/// forecast, or (for a purchase) a ward's deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cover {
    pub source: String,
    pub qty: u64,
}

/// A suggestion as both faces show it: the console's plan screen and
/// `wardstock plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionLine {
    #[serde(flatten)]
    pub s: Suggestion,
    pub item_name: String,
    /// A purchase from a supplier (not a ward delivery).
    pub purchase: bool,
    /// The supplier of a purchase (`None`: the item has none); the pharmacy
    /// for a ward delivery.
    pub from: Option<String>,
    /// Empty: the order only keeps the safety stock.
    pub covers: Vec<Cover>,
    pub release: chrono::NaiveDate,
    pub receipt: chrono::NaiveDate,
}

/// The plan as the pharmacist reads it: the suggestions still to decide and
/// the exceptions, worst first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanSheet {
    pub start: Option<NaiveDateTime>,
    pub bucket_hours: i64,
    /// Past due first, then by release day; ward deliveries before
    /// purchases on a day. A suggestion rejected in the last 24 hours is left
    /// out (the pharmacist decided on it; it returns a day later).
    pub suggestions: Vec<SuggestionLine>,
    /// How many suggestions were left out as rejected in the last 24 hours.
    pub rejected: usize,
    /// Worst first: expedite, below safety stock, expiring, cancel, defer;
    /// then by day.
    pub exceptions: Vec<crate::planning::mrp::Exception>,
}

/// How long a rejected suggestion stays out of the plan.
pub const REJECTION_HOURS: i64 = 24;

/// The (place, item) pairs whose suggestion was rejected in the last
/// [`REJECTION_HOURS`] before `now`.
pub fn recently_rejected(
    conn: &Connection,
    now: DateTime<Utc>,
) -> Result<HashSet<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.code, i.code FROM plan_decisions d JOIN places p ON p.id = d.place_id JOIN items i ON i.id = d.item_id
         WHERE d.decision = 'rejected' AND d.at >= ?1",
    )?;
    let rows = stmt.query_map(
        [instant_to_text(now - Duration::hours(REJECTION_HOURS))],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The order in which exceptions are shown: what needs acting on first.
pub fn exception_rank(k: crate::planning::mrp::ExceptionKind) -> u8 {
    use crate::planning::mrp::ExceptionKind;
    match k {
        ExceptionKind::Expedite => 0,
        ExceptionKind::BelowSafetyStock => 1,
        ExceptionKind::ExpiringBeforeUse => 2,
        ExceptionKind::Cancel => 3,
        ExceptionKind::Defer => 4,
    }
}

/// The sheet of a plan computed at `now`: one rule for the console and the
/// command line.
pub fn sheet(
    conn: &Connection,
    now: DateTime<Utc>,
    plan: &crate::planning::mrp::Plan,
) -> Result<PlanSheet> {
    let rejected = recently_rejected(conn, now)?;
    let names: HashMap<String, String> = {
        let mut stmt = conn.prepare_cached("SELECT code, name FROM items")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let suppliers: HashMap<String, String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT i.code, s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let day = |k: usize| plan.bucket_start(k).map(|t| t.date()).unwrap_or_default();
    let is_rejected = |o: &crate::planning::mrp::PlannedOrder<'_>| {
        rejected.contains(&(o.place.to_string(), o.item.to_string()))
    };
    let mut left_out = 0;
    let mut suggestions = Vec::new();
    for o in plan.planned_orders() {
        if is_rejected(&o) {
            left_out += 1;
            continue;
        }
        let mut covers: Vec<Cover> = Vec::new();
        for p in o.pegging.iter() {
            let source = match p.source {
                Some("planned_release") | None => p.place.to_string(),
                Some(src) => src.to_string(),
            };
            match covers.iter_mut().find(|c| c.source == source) {
                Some(c) => c.qty += p.qty,
                None => covers.push(Cover { source, qty: p.qty }),
            }
        }
        let purchase = o.place == plan.pharmacy();
        suggestions.push(SuggestionLine {
            s: Suggestion::from_order(&o, now),
            item_name: names.get(o.item).cloned().unwrap_or_default(),
            purchase,
            from: if purchase {
                suppliers.get(o.item).cloned()
            } else {
                Some(plan.pharmacy().to_string())
            },
            covers,
            release: day(o.release_bucket),
            receipt: day(o.receipt_bucket),
        });
    }
    suggestions.sort_by(|a, b| {
        (
            !a.s.past_due,
            a.s.release_bucket,
            a.purchase,
            &a.s.place,
            &a.s.item,
        )
            .cmp(&(
                !b.s.past_due,
                b.s.release_bucket,
                b.purchase,
                &b.s.place,
                &b.s.item,
            ))
    });
    let mut exceptions = plan.exceptions().to_vec();
    exceptions.sort_by_key(|e| (exception_rank(e.kind), e.bucket));
    Ok(PlanSheet {
        start: plan.bucket_start(0),
        bucket_hours: plan.bucket_hours(),
        suggestions,
        rejected: left_out,
        exceptions,
    })
}

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
    super::items::qty_ok(qty)?;
    let zone = store.zone();
    store.write(|tx| {
        let item = item_by_code(tx, &s.item)?;
        let place = super::stock::place_by_code(tx, &s.place)?;
        still_current(tx, place.id, item.id, s)?;
        let mut cannot_pick = None;
        let order_ref = match place.kind {
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
                let id = super::stock::insert_transfer(
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
                let short: i64 = super::stock::transfer_order(tx, id, now)?
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
                let (supplier, _) =
                    super::purchasing::supplier_of(tx, item.id)?.ok_or_else(|| {
                        PlanError::NoSupplier {
                            item: item.name.clone(),
                        }
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
                let id = super::purchasing::insert_po(
                    tx,
                    actor,
                    now,
                    supplier,
                    &[(item.clone(), qty)],
                    expected,
                    Some(&note),
                )?;
                format!("PO-{id}")
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
        })
    })
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
        let place = super::stock::place_by_code(tx, &s.place)?;
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
    let most = super::items::MAX_UNITS;
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
        let place = super::stock::place_by_code(tx, place)?;
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

/// A simulation scenario for one ward from its own use: each drug's daily
/// mean and variability over the last 90 days, its pack and price; the
/// share of use on PRN prescriptions or issued without one is the unplanned
/// share; the transport time is the ward's. Costs and timing come from the
/// paper scenario file.
pub fn scenario_from_db(
    conn: &Connection,
    ward: &str,
    now: DateTime<Utc>,
) -> Result<crate::planning::sim::Scenario> {
    use crate::planning::sim;
    let place = super::stock::place_by_code(conn, ward)?;
    if place.kind != crate::domain::PlaceKind::Ward {
        return Err(PlanError::NotAWard(place.code));
    }
    let days = 90;
    let uses = crate::store::queries::ward_drug_use(conn, place.id, now, days, 10)?;
    if uses.is_empty() {
        return Err(PlanError::NoUse {
            ward: place.code,
            days,
        });
    }
    let mut s = sim::Scenario::paper().map_err(PlanError::PaperScenario)?;
    s.name = format!("{}-from-db", place.code.to_ascii_lowercase());
    s.description = format!(
        "Ward {} ({}): its {} most expensive drugs by use over the last {days} days, with the paper's costs and timing",
        place.code,
        place.name,
        uses.len()
    );
    let total: i64 = uses.iter().map(|u| u.total).sum();
    let unplanned: i64 = uses.iter().map(|u| u.unplanned).sum();
    if total > 0 {
        s.demand.unplanned_share = (unplanned as f64 / total as f64).clamp(0.0, 1.0);
    }
    s.timing.transport_hours = u32::try_from((place.transport_minutes.max(0) + 59) / 60)
        .unwrap_or(1)
        .max(1);
    s.drugs = uses
        .iter()
        .map(|u| sim::Drug {
            code: u.code.clone(),
            name: u.name.clone(),
            mean_daily: u.mean_daily,
            cv: u.cv.min(sim::MAX_CV),
            pack: u32::try_from(u.pack.max(1)).unwrap_or(1),
            price: u.price_cents as f64 / 100.0,
        })
        .collect();
    s.validate().map_err(|cause| PlanError::BadScenario {
        ward: place.code.clone(),
        cause: Box::new(cause),
    })?;
    Ok(s)
}
