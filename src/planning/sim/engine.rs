//! The hour-by-hour run of one policy over one demand path: the ward and the
//! central pharmacy, their deliveries, orders, stock-outs and stock.
//!
//! Within an hour, in this order: deliveries due arrive (supplier → pharmacy,
//! pharmacy → ward); at the review hour the policy acts (AS IS on review
//! days, TO BE every day): the pharmacy picks and ships the ward's order, then
//! orders from its suppliers; then the hour's demand is taken from ward stock.
//! A dose the ward lacks is brought at once by an urgent delivery of whole
//! packs (the patient is served, the rest of the pack stays on the ward).
//! When the pharmacy lacks stock for any delivery, the missing packs are
//! bought urgently and arrive in time. Stock is measured at the end of each
//! hour. Only the days after the warm-up are counted.

use std::collections::HashMap;

use serde::Serialize;

use super::demand::{DemandPath, HOURS, HistoryStats};
use super::scenario::Scenario;
use crate::planning::lot_sizing::round_to_packs;
use crate::planning::mrp;
use crate::planning::problem::{
    Item, LotSizing, MAX_BUCKETS, Place, Policy, Problem, Requirement, ScheduledReceipt, StockLot,
};

const PHARMACY: &str = "PHARMACY";
const WARD: &str = "WARD";

/// The two policies compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PolicyKind {
    AsIs,
    ToBe,
}

/// The stock levels one replication's history gives each drug.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrugLevels {
    pub drug: String,
    /// Daily demand estimated from the history: mean and standard deviation.
    pub mean_daily: f64,
    pub sd_daily: f64,
    /// The same for the unplanned part.
    pub mean_unplanned: f64,
    pub sd_unplanned: f64,
    /// AS IS: order-up-to levels of the ward and the pharmacy.
    pub ward_par: u64,
    pub pharmacy_par: u64,
    /// TO BE: safety stocks of the ward and the pharmacy.
    pub ward_safety_stock: u64,
    pub pharmacy_safety_stock: u64,
}

/// Order-up-to level `mean·P + z·sd·√P` over a protection period of `P`
/// days, rounded up to whole units.
fn level(mean: f64, sd: f64, z: f64, period_days: f64) -> u64 {
    let v = mean * period_days + z * sd * period_days.sqrt();
    if v.is_finite() {
        v.max(0.0).ceil() as u64
    } else {
        0
    }
}

/// AS IS par levels over `R + L` and TO BE safety stocks (unplanned part
/// only) over `1 + L`, `L` the lead time in days of each level.
pub(super) fn levels(scenario: &Scenario, stats: &[HistoryStats], z: f64) -> Vec<DrugLevels> {
    let r = f64::from(scenario.as_is.review_days.max(1));
    let ward_lead = f64::from(scenario.timing.transport_hours) / HOURS as f64;
    let supplier_lead = f64::from(scenario.timing.supplier_lead_hours) / HOURS as f64;
    scenario
        .drugs
        .iter()
        .zip(stats)
        .map(|(d, s)| DrugLevels {
            drug: d.code.clone(),
            mean_daily: s.mean,
            sd_daily: s.sd,
            mean_unplanned: s.mean_unplanned,
            sd_unplanned: s.sd_unplanned,
            ward_par: level(s.mean, s.sd, z, r + ward_lead),
            pharmacy_par: level(s.mean, s.sd, z, r + supplier_lead),
            ward_safety_stock: level(0.0, s.sd_unplanned, z, 1.0 + ward_lead),
            pharmacy_safety_stock: level(0.0, s.sd_unplanned, z, 1.0 + supplier_lead),
        })
        .collect()
}

/// What one policy did with one drug over the counted days.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct DrugTally {
    /// Units demanded on the ward.
    pub demand: u64,
    /// Units not met from ward stock (brought by urgent delivery).
    pub short: u64,
    /// Urgent deliveries: hours in which the ward lacked the drug.
    pub stockouts: u64,
    /// Days with at least one stock-out of the drug.
    pub stockout_days: u64,
    pub urgent_purchases: u64,
    pub urgent_purchase_units: u64,
    pub supplier_lines: u64,
    pub supplier_units: u64,
    /// Regular ward order lines (each is one delivery carrying the drug).
    pub ward_lines: u64,
    /// Regular deliveries shared equally among the drugs each carried.
    pub delivery_share: f64,
    /// Sum over counted hours of end-of-hour stock (unit-hours).
    pub ward_unit_hours: u64,
    pub pharmacy_unit_hours: u64,
}

/// One policy's run over one demand path.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Tally {
    pub drugs: Vec<DrugTally>,
    /// Regular pharmacy-to-ward deliveries.
    pub deliveries: u64,
    /// Counted days on which no drug ran out on the ward.
    pub days_without_stockout: u64,
    pub days: u64,
    /// End-of-day stock per drug (when recorded): ward, pharmacy.
    pub ward_series: Vec<Vec<u64>>,
    pub pharmacy_series: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, Copy)]
struct Shipment {
    at: usize,
    drug: usize,
    qty: u64,
}

/// The settings one run needs.
pub(super) struct Run<'a> {
    pub scenario: &'a Scenario,
    pub levels: &'a [DrugLevels],
    pub path: &'a DemandPath,
    pub warmup_days: usize,
    pub days: usize,
    /// Keep the end-of-day stock series.
    pub record: bool,
}

/// Hours the TO BE plan looks ahead: the known days, at least long enough
/// to see the orders that must be placed before the next planning, and
/// beyond that the reach of a period lot-sizing rule.
pub(super) fn horizon_hours(scenario: &Scenario) -> usize {
    let known = (scenario.demand.known_ahead_days as usize + 1) * HOURS;
    let lead = scenario.timing.supplier_lead_hours as usize
        + scenario.timing.transport_hours as usize
        + HOURS;
    let reach = |rule: &LotSizing| match rule {
        LotSizing::Period { periods } => usize::try_from(*periods).unwrap_or(0),
        _ => 0,
    };
    let period =
        reach(&scenario.to_be.ward_lot_sizing).max(reach(&scenario.to_be.pharmacy_lot_sizing));
    known.max(lead + period).min(MAX_BUCKETS as usize)
}

/// The daily MRP of TO BE: the planning problem, kept between days.
struct Mrp<'a> {
    problem: Problem,
    index: HashMap<&'a str, usize>,
    horizon: usize,
    /// Forecast of unplanned demand per drug, units an hour.
    unplanned_rate: Vec<f64>,
    /// Forecast of the doses not yet prescribed (days beyond what is
    /// known), per drug and hour of the day, units a day: the planned part
    /// of the mean at the administration rounds.
    planned_rate: Vec<[f64; HOURS]>,
}

impl<'a> Mrp<'a> {
    fn new(scenario: &'a Scenario, levels: &[DrugLevels]) -> Mrp<'a> {
        let horizon = horizon_hours(scenario);
        let items = scenario
            .drugs
            .iter()
            .map(|d| Item {
                code: d.code.clone(),
                pack_size: i64::from(d.pack.max(1)),
                supplier_lead_buckets: i64::from(scenario.timing.supplier_lead_hours),
            })
            .collect();
        let mut policies = Vec::with_capacity(2 * scenario.drugs.len());
        for (d, lv) in scenario.drugs.iter().zip(levels) {
            policies.push(Policy {
                place: WARD.into(),
                item: d.code.clone(),
                safety_stock: qty(lv.ward_safety_stock),
                min_order: 0,
                lot_sizing: scenario.to_be.ward_lot_sizing.clone(),
            });
            policies.push(Policy {
                place: PHARMACY.into(),
                item: d.code.clone(),
                safety_stock: qty(lv.pharmacy_safety_stock),
                min_order: 0,
                lot_sizing: scenario.to_be.pharmacy_lot_sizing.clone(),
            });
        }
        let problem = Problem {
            start: None,
            bucket_hours: 1,
            buckets: horizon as i64,
            pharmacy: PHARMACY.into(),
            items,
            places: vec![
                Place {
                    code: PHARMACY.into(),
                    transport_buckets: 0,
                },
                Place {
                    code: WARD.into(),
                    transport_buckets: i64::from(scenario.timing.transport_hours),
                },
            ],
            policies,
            stock: Vec::new(),
            scheduled_receipts: Vec::new(),
            requirements: Vec::new(),
        };
        Mrp {
            problem,
            index: scenario
                .drugs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.code.as_str(), i))
                .collect(),
            horizon,
            unplanned_rate: levels
                .iter()
                .map(|l| l.mean_unplanned.max(0.0) / HOURS as f64)
                .collect(),
            planned_rate: levels
                .iter()
                .map(|l| {
                    let rounds = &scenario.timing.administration_hours;
                    let planned = (l.mean_daily - l.mean_unplanned).max(0.0);
                    let mut by_hour = [0.0; HOURS];
                    for &h in rounds {
                        by_hour[(h as usize).min(HOURS - 1)] += planned / rounds.len() as f64;
                    }
                    by_hour
                })
                .collect(),
        }
    }
}

/// The whole units of a forecast at `rate` units per step in step `k`,
/// spread so that the forecast over any run of steps sums to its mean (to
/// within a unit).
fn forecast(rate: f64, k: usize) -> u64 {
    let cum = |i: usize| (i as f64 * rate).floor();
    (cum(k + 1) - cum(k)).max(0.0) as u64
}

fn qty(v: u64) -> i64 {
    i64::try_from(v)
        .unwrap_or(i64::MAX)
        .min(crate::planning::problem::MAX_QTY)
}

struct State<'a> {
    run: &'a Run<'a>,
    packs: Vec<u64>,
    ward: Vec<u64>,
    pharmacy: Vec<u64>,
    to_ward: Vec<Shipment>,
    from_supplier: Vec<Shipment>,
    short_today: Vec<bool>,
    tally: Tally,
}

/// Runs one policy over the path.
pub(super) fn run(run: &Run<'_>, policy: PolicyKind) -> Tally {
    let sc = run.scenario;
    let n = sc.drugs.len();
    let (ward, pharmacy) = match policy {
        PolicyKind::AsIs => (
            run.levels.iter().map(|l| l.ward_par).collect(),
            run.levels.iter().map(|l| l.pharmacy_par).collect(),
        ),
        PolicyKind::ToBe => (
            run.levels.iter().map(|l| l.ward_safety_stock).collect(),
            // Enough for the first days, before the first supplier delivery.
            run.levels
                .iter()
                .map(|l| l.pharmacy_safety_stock + level(l.mean_daily, 0.0, 0.0, 2.0))
                .collect(),
        ),
    };
    let mut st = State {
        run,
        packs: sc.drugs.iter().map(|d| u64::from(d.pack.max(1))).collect(),
        ward,
        pharmacy,
        to_ward: Vec::new(),
        from_supplier: Vec::new(),
        short_today: vec![false; n],
        tally: Tally {
            drugs: vec![DrugTally::default(); n],
            ward_series: if run.record {
                vec![Vec::with_capacity(run.days); n]
            } else {
                Vec::new()
            },
            pharmacy_series: if run.record {
                vec![Vec::with_capacity(run.days); n]
            } else {
                Vec::new()
            },
            ..Tally::default()
        },
    };
    let mut mrp = match policy {
        PolicyKind::ToBe => Some(Mrp::new(sc, run.levels)),
        PolicyKind::AsIs => None,
    };
    let review_hour = (sc.timing.review_hour as usize).min(HOURS - 1);
    let review_days = (sc.as_is.review_days as usize).max(1);
    let total_days = run.warmup_days + run.days;
    for t in 0..total_days * HOURS {
        let (day, hour) = (t / HOURS, t % HOURS);
        let counted = day >= run.warmup_days;
        st.receive(t);
        if hour == review_hour {
            match &mut mrp {
                None if day % review_days == 0 => st.review(t, counted),
                None => {}
                Some(m) => st.plan_and_release(m, t, day, counted),
            }
        }
        st.consume(day, hour, counted);
        if counted {
            for f in 0..n {
                let d = &mut st.tally.drugs[f];
                d.ward_unit_hours += st.ward[f];
                d.pharmacy_unit_hours += st.pharmacy[f];
            }
        }
        if hour == HOURS - 1 {
            st.end_of_day(counted);
        }
    }
    st.tally
}

impl State<'_> {
    fn receive(&mut self, t: usize) {
        let (ward, pharmacy) = (&mut self.ward, &mut self.pharmacy);
        self.to_ward.retain(|s| {
            let due = s.at <= t;
            if due {
                ward[s.drug] += s.qty;
            }
            !due
        });
        self.from_supplier.retain(|s| {
            let due = s.at <= t;
            if due {
                pharmacy[s.drug] += s.qty;
            }
            !due
        });
    }

    /// Takes `qty` from the pharmacy, buying urgently what it lacks; returns
    /// the units bought urgently.
    fn issue(&mut self, f: usize, qty: u64, counted: bool) -> u64 {
        let mut bought = 0;
        if self.pharmacy[f] < qty {
            bought = round_to_packs(qty - self.pharmacy[f], self.packs[f]);
            self.pharmacy[f] += bought;
            if counted {
                let d = &mut self.tally.drugs[f];
                d.urgent_purchases += 1;
                d.urgent_purchase_units += bought;
            }
        }
        self.pharmacy[f] -= qty;
        bought
    }

    /// Picks and ships one regular delivery to the ward; returns the units
    /// bought urgently per drug to make it.
    fn deliver(&mut self, t: usize, lines: &[(usize, u64)], counted: bool) -> Vec<u64> {
        let mut urgent = vec![0; self.ward.len()];
        if lines.is_empty() {
            return urgent;
        }
        let transport = self.run.scenario.timing.transport_hours as usize;
        let share = 1.0 / lines.len() as f64;
        for &(f, q) in lines {
            urgent[f] = self.issue(f, q, counted);
            if transport == 0 {
                self.ward[f] += q;
            } else {
                self.to_ward.push(Shipment {
                    at: t + transport,
                    drug: f,
                    qty: q,
                });
            }
            if counted {
                let d = &mut self.tally.drugs[f];
                d.ward_lines += 1;
                d.delivery_share += share;
            }
        }
        if counted {
            self.tally.deliveries += 1;
        }
        urgent
    }

    /// Places a supplier order line.
    fn buy(&mut self, t: usize, f: usize, q: u64, counted: bool) {
        if q == 0 {
            return;
        }
        let lead = self.run.scenario.timing.supplier_lead_hours as usize;
        if lead == 0 {
            self.pharmacy[f] += q;
        } else {
            self.from_supplier.push(Shipment {
                at: t + lead,
                drug: f,
                qty: q,
            });
        }
        if counted {
            let d = &mut self.tally.drugs[f];
            d.supplier_lines += 1;
            d.supplier_units += q;
        }
    }

    /// AS IS: the ward orders up to its par levels; the pharmacy ships, then
    /// orders up to its own par levels. Positions count what is on its way.
    fn review(&mut self, t: usize, counted: bool) {
        let n = self.ward.len();
        let mut lines = Vec::new();
        for f in 0..n {
            let on_way: u64 = self
                .to_ward
                .iter()
                .filter(|s| s.drug == f)
                .map(|s| s.qty)
                .sum();
            let position = self.ward[f] + on_way;
            let par = self.run.levels[f].ward_par;
            if position < par {
                lines.push((f, round_to_packs(par - position, self.packs[f])));
            }
        }
        self.deliver(t, &lines, counted);
        for f in 0..n {
            let on_way: u64 = self
                .from_supplier
                .iter()
                .filter(|s| s.drug == f)
                .map(|s| s.qty)
                .sum();
            let position = self.pharmacy[f] + on_way;
            let par = self.run.levels[f].pharmacy_par;
            if position < par {
                let q = round_to_packs(par - position, self.packs[f]);
                self.buy(t, f, q, counted);
            }
        }
    }

    /// TO BE: plans the ward and the pharmacy with the MRP engine from the
    /// known doses, the forecast of unplanned demand, stock and what is on
    /// its way; delivers the ward orders due before the next planning time
    /// and places the supplier orders due before then.
    fn plan_and_release(&mut self, m: &mut Mrp<'_>, t: usize, day: usize, counted: bool) {
        let sc = self.run.scenario;
        let horizon = m.horizon;
        let known_until = day + sc.demand.known_ahead_days as usize;
        let p = &mut m.problem;
        p.stock.clear();
        p.scheduled_receipts.clear();
        p.requirements.clear();
        for (f, d) in sc.drugs.iter().enumerate() {
            for (place, q) in [(WARD, self.ward[f]), (PHARMACY, self.pharmacy[f])] {
                if q > 0 {
                    p.stock.push(StockLot {
                        place: place.into(),
                        item: d.code.clone(),
                        qty: qty(q),
                        expiry: None,
                    });
                }
            }
        }
        for (place, list) in [(WARD, &self.to_ward), (PHARMACY, &self.from_supplier)] {
            for s in list {
                p.scheduled_receipts.push(ScheduledReceipt {
                    place: place.into(),
                    item: sc.drugs[s.drug].code.clone(),
                    bucket: (s.at.saturating_sub(t)).min(horizon - 1) as i64,
                    qty: qty(s.qty),
                });
            }
        }
        for (f, d) in sc.drugs.iter().enumerate() {
            for b in 0..horizon {
                let at = t + b;
                let (dd, hh) = (at / HOURS, at % HOURS);
                // Known doses, or beyond what is known their forecast (the
                // same hour each day: one step a day).
                let planned = if dd <= known_until {
                    self.run.path.planned(dd, f, hh)
                } else {
                    forecast(m.planned_rate[f][hh], dd)
                };
                let q = planned + forecast(m.unplanned_rate[f], at);
                if q > 0 {
                    p.requirements.push(Requirement {
                        place: WARD.into(),
                        item: d.code.clone(),
                        bucket: b as i64,
                        qty: qty(q),
                        source: None,
                    });
                }
            }
        }
        let plan = mrp::plan(p);

        let n = self.ward.len();
        let mut to_ward = vec![0u64; n];
        let mut to_buy = vec![0u64; n];
        for o in plan.planned_orders() {
            if o.release_bucket >= HOURS {
                continue;
            }
            let Some(&f) = m.index.get(o.item) else {
                continue;
            };
            if o.place == WARD {
                to_ward[f] += o.qty;
            } else if o.place == PHARMACY {
                to_buy[f] += o.qty;
            }
        }
        let lines: Vec<(usize, u64)> = to_ward
            .iter()
            .enumerate()
            .filter(|&(_, &q)| q > 0)
            .map(|(f, &q)| (f, q))
            .collect();
        let urgent = self.deliver(t, &lines, counted);
        for f in 0..n {
            // What was just bought urgently for the delivery covers that much
            // of the plan's past-due purchase.
            let q = round_to_packs(to_buy[f].saturating_sub(urgent[f]), self.packs[f]);
            self.buy(t, f, q, counted);
        }
    }

    /// The hour's demand from ward stock; urgent deliveries for what lacks.
    fn consume(&mut self, day: usize, hour: usize, counted: bool) {
        for f in 0..self.ward.len() {
            let want = self.run.path.total(day, f, hour);
            if want == 0 {
                continue;
            }
            if self.ward[f] >= want {
                self.ward[f] -= want;
            } else {
                let short = want - self.ward[f];
                let brought = round_to_packs(short, self.packs[f]);
                self.issue(f, brought, counted);
                self.ward[f] = brought - short;
                self.short_today[f] = true;
                if counted {
                    let d = &mut self.tally.drugs[f];
                    d.short += short;
                    d.stockouts += 1;
                }
            }
            if counted {
                self.tally.drugs[f].demand += want;
            }
        }
    }

    fn end_of_day(&mut self, counted: bool) {
        if counted {
            self.tally.days += 1;
            let mut clean = true;
            for (f, short) in self.short_today.iter().enumerate() {
                if *short {
                    clean = false;
                    self.tally.drugs[f].stockout_days += 1;
                }
            }
            if clean {
                self.tally.days_without_stockout += 1;
            }
            if self.run.record {
                for f in 0..self.ward.len() {
                    self.tally.ward_series[f].push(self.ward[f]);
                    self.tally.pharmacy_series[f].push(self.pharmacy[f]);
                }
            }
        }
        self.short_today.fill(false);
    }
}
