//! What a simulation reports: per policy, in total and per drug, the cost
//! of eq. 6 by component, service, stock and order counts, each a mean over
//! the replications with its 95 % confidence interval; the saving of TO BE
//! against AS IS as a paired difference; the stock build-up of replication 0.
//!
//! Money is in euro as `f64`: these are estimates of expected values, not
//! amounts to book.

use serde::Serialize;

use super::engine::{DrugLevels, DrugTally, Tally};
use super::scenario::Scenario;
use super::stats::Estimate;

/// The result of [`super::simulate`]. Serializes to JSON with a stable
/// shape: every field is always present (`null` where a value cannot be
/// estimated).
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    /// The scenario's name and description.
    pub scenario: String,
    pub description: String,
    /// Days of analysis (after the warm-up).
    pub days: usize,
    pub warmup_days: usize,
    pub replications: usize,
    pub seed: u64,
    /// Confidence level of every interval (0.95).
    pub confidence: f64,
    /// The scenario's target service level and its normal quantile.
    pub service_level_target: f64,
    pub z: f64,
    /// Drug codes, in the scenario's order (the order of every per-drug list).
    pub drugs: Vec<String>,
    /// Par levels and safety stocks of replication 0 (each replication
    /// estimates its own from its own history).
    pub levels: Vec<DrugLevels>,
    pub as_is: PolicyResult,
    pub to_be: PolicyResult,
    pub saving: Saving,
    /// Total cost of each replication under both policies.
    pub per_replication: Vec<ReplicationTotals>,
    /// End-of-day stock of every drug in replication 0 (the paper's
    /// Figures 5 and 6).
    pub series: Series,
}

/// One policy's results.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyResult {
    /// `as_is` or `to_be`.
    pub policy: String,
    pub total: Metrics,
    pub drugs: Vec<DrugMetrics>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrugMetrics {
    pub drug: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// The measures of one policy, for one drug or in total, over the days of
/// analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub cost: Costs,
    /// Share of demanded units met from ward stock.
    pub fill_rate: Estimate,
    /// Share of days without a stock-out on the ward (in total: of any drug).
    pub cycle_service_level: Estimate,
    /// Stock-outs: hours in which a drug ran out on the ward, each met by one
    /// urgent delivery (in total: summed over drugs).
    pub stockouts: Estimate,
    pub units_demanded: Estimate,
    /// Units met by urgent delivery rather than from ward stock.
    pub units_short: Estimate,
    pub average_stock: AverageStock,
    /// Supplier order lines (regular).
    pub supplier_order_lines: Estimate,
    /// Ward-to-pharmacy order lines (regular).
    pub ward_order_lines: Estimate,
    /// Regular deliveries to the ward (per drug: those carrying the drug).
    pub ward_deliveries: Estimate,
    /// Urgent purchase lines when the pharmacy lacked stock.
    pub urgent_purchases: Estimate,
}

/// The cost function of eq. 6, euro over the days of analysis;
/// `total` is the sum of the other five.
#[derive(Debug, Clone, Serialize)]
pub struct Costs {
    pub ordering: Estimate,
    pub purchasing: Estimate,
    pub holding: Estimate,
    pub shortage: Estimate,
    pub distribution: Estimate,
    pub total: Estimate,
}

/// Average stock on hand (over every hour of the days of analysis).
#[derive(Debug, Clone, Serialize)]
pub struct AverageStock {
    pub ward_units: Estimate,
    pub ward_value: Estimate,
    pub pharmacy_units: Estimate,
    pub pharmacy_value: Estimate,
}

/// TO BE against AS IS: `AS IS − TO BE` per replication (positive is a
/// saving), and that as a percentage of AS IS.
#[derive(Debug, Clone, Serialize)]
pub struct Saving {
    pub total: Estimate,
    /// `null` when some replication's AS IS cost is 0.
    pub percent: Option<Estimate>,
    /// The same without the purchasing component (ordering, holding,
    /// shortage and distribution only).
    pub operating: Estimate,
    pub operating_percent: Option<Estimate>,
    pub drugs: Vec<DrugSaving>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrugSaving {
    pub drug: String,
    pub total: Estimate,
    pub percent: Option<Estimate>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReplicationTotals {
    pub as_is: f64,
    pub to_be: f64,
}

/// End-of-day stock of every drug in replication 0, one value per day of
/// analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub days: usize,
    pub drugs: Vec<DrugSeries>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrugSeries {
    pub drug: String,
    pub as_is: StockSeries,
    pub to_be: StockSeries,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockSeries {
    pub ward: Vec<u64>,
    pub pharmacy: Vec<u64>,
}

/// One replication's measures as plain numbers.
#[derive(Debug, Clone, Copy, Default)]
struct Raw {
    ordering: f64,
    purchasing: f64,
    holding: f64,
    shortage: f64,
    distribution: f64,
    total: f64,
    fill_rate: f64,
    cycle_service_level: f64,
    stockouts: f64,
    units_demanded: f64,
    units_short: f64,
    ward_units: f64,
    ward_value: f64,
    pharmacy_units: f64,
    pharmacy_value: f64,
    supplier_order_lines: f64,
    ward_order_lines: f64,
    ward_deliveries: f64,
    urgent_purchases: f64,
}

fn drug_raw(scenario: &Scenario, f: usize, t: &DrugTally, days: f64) -> Raw {
    let c = &scenario.costs;
    let price = scenario.drugs[f].price;
    let hours = days * 24.0;
    let ward_units = t.ward_unit_hours as f64 / hours;
    let pharmacy_units = t.pharmacy_unit_hours as f64 / hours;
    let ordering =
        t.supplier_lines as f64 * c.supplier_order_line + t.ward_lines as f64 * c.ward_order_line;
    let purchasing = (t.supplier_units + t.urgent_purchase_units) as f64 * price;
    // Σ over days of (the day's average stock value × the daily rate).
    let holding = (t.ward_unit_hours as f64 / 24.0) * price * c.ward_holding_daily_rate
        + (t.pharmacy_unit_hours as f64 / 24.0) * price * c.pharmacy_holding_daily_rate;
    let shortage = t.stockouts as f64 * c.urgent_delivery
        + t.short as f64 * c.unit_short
        + t.urgent_purchases as f64 * c.urgent_purchase;
    let distribution = t.delivery_share * c.ward_delivery;
    Raw {
        ordering,
        purchasing,
        holding,
        shortage,
        distribution,
        total: ordering + purchasing + holding + shortage + distribution,
        fill_rate: fill_rate(t.demand, t.short),
        cycle_service_level: 1.0 - t.stockout_days as f64 / days,
        stockouts: t.stockouts as f64,
        units_demanded: t.demand as f64,
        units_short: t.short as f64,
        ward_units,
        ward_value: ward_units * price,
        pharmacy_units,
        pharmacy_value: pharmacy_units * price,
        supplier_order_lines: t.supplier_lines as f64,
        ward_order_lines: t.ward_lines as f64,
        ward_deliveries: t.ward_lines as f64,
        urgent_purchases: t.urgent_purchases as f64,
    }
}

fn fill_rate(demand: u64, short: u64) -> f64 {
    if demand == 0 {
        1.0
    } else {
        (demand - short.min(demand)) as f64 / demand as f64
    }
}

/// Per-drug measures and the total of one replication.
fn raws(scenario: &Scenario, tally: &Tally) -> (Vec<Raw>, Raw) {
    let days = (tally.days as f64).max(1.0);
    let drugs: Vec<Raw> = tally
        .drugs
        .iter()
        .enumerate()
        .map(|(f, t)| drug_raw(scenario, f, t, days))
        .collect();
    let mut total = Raw::default();
    for r in &drugs {
        total.ordering += r.ordering;
        total.purchasing += r.purchasing;
        total.holding += r.holding;
        total.shortage += r.shortage;
        total.distribution += r.distribution;
        total.total += r.total;
        total.stockouts += r.stockouts;
        total.units_demanded += r.units_demanded;
        total.units_short += r.units_short;
        total.ward_units += r.ward_units;
        total.ward_value += r.ward_value;
        total.pharmacy_units += r.pharmacy_units;
        total.pharmacy_value += r.pharmacy_value;
        total.supplier_order_lines += r.supplier_order_lines;
        total.ward_order_lines += r.ward_order_lines;
        total.urgent_purchases += r.urgent_purchases;
    }
    let demand: u64 = tally.drugs.iter().map(|t| t.demand).sum();
    let short: u64 = tally.drugs.iter().map(|t| t.short).sum();
    total.fill_rate = fill_rate(demand, short);
    total.cycle_service_level = tally.days_without_stockout as f64 / days;
    total.ward_deliveries = tally.deliveries as f64;
    (drugs, total)
}

fn metrics(rs: &[Raw]) -> Metrics {
    let est = |f: fn(&Raw) -> f64| Estimate::from_samples(&rs.iter().map(f).collect::<Vec<_>>());
    Metrics {
        cost: Costs {
            ordering: est(|r| r.ordering),
            purchasing: est(|r| r.purchasing),
            holding: est(|r| r.holding),
            shortage: est(|r| r.shortage),
            distribution: est(|r| r.distribution),
            total: est(|r| r.total),
        },
        fill_rate: est(|r| r.fill_rate),
        cycle_service_level: est(|r| r.cycle_service_level),
        stockouts: est(|r| r.stockouts),
        units_demanded: est(|r| r.units_demanded),
        units_short: est(|r| r.units_short),
        average_stock: AverageStock {
            ward_units: est(|r| r.ward_units),
            ward_value: est(|r| r.ward_value),
            pharmacy_units: est(|r| r.pharmacy_units),
            pharmacy_value: est(|r| r.pharmacy_value),
        },
        supplier_order_lines: est(|r| r.supplier_order_lines),
        ward_order_lines: est(|r| r.ward_order_lines),
        ward_deliveries: est(|r| r.ward_deliveries),
        urgent_purchases: est(|r| r.urgent_purchases),
    }
}

/// Per replication, one policy's per-drug and total measures.
struct PolicyRaws {
    drugs: Vec<Vec<Raw>>,
    total: Vec<Raw>,
}

fn policy_raws(scenario: &Scenario, tallies: &[Tally]) -> PolicyRaws {
    let n = scenario.drugs.len();
    let mut out = PolicyRaws {
        drugs: vec![Vec::with_capacity(tallies.len()); n],
        total: Vec::with_capacity(tallies.len()),
    };
    for t in tallies {
        let (drugs, total) = raws(scenario, t);
        for (f, r) in drugs.into_iter().enumerate() {
            if let Some(list) = out.drugs.get_mut(f) {
                list.push(r);
            }
        }
        out.total.push(total);
    }
    out
}

fn policy_result(scenario: &Scenario, name: &str, raws: &PolicyRaws) -> PolicyResult {
    PolicyResult {
        policy: name.to_string(),
        total: metrics(&raws.total),
        drugs: scenario
            .drugs
            .iter()
            .zip(&raws.drugs)
            .map(|(d, rs)| DrugMetrics {
                drug: d.code.clone(),
                metrics: metrics(rs),
            })
            .collect(),
    }
}

/// The paired saving `a − b` and its percentage of `a`.
fn paired(a: &[f64], b: &[f64]) -> (Estimate, Option<Estimate>) {
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let percent = if a.iter().all(|&x| x > 0.0) {
        let pct: Vec<f64> = diff.iter().zip(a).map(|(d, x)| 100.0 * d / x).collect();
        Some(Estimate::from_samples(&pct))
    } else {
        None
    };
    (Estimate::from_samples(&diff), percent)
}

/// What the simulation passes on from its replications.
pub(super) struct Collected {
    pub as_is: Vec<Tally>,
    pub to_be: Vec<Tally>,
    pub levels: Vec<DrugLevels>,
    pub z: f64,
    pub days: usize,
    pub seed: u64,
}

pub(super) fn build(scenario: &Scenario, c: Collected) -> SimResult {
    let a = policy_raws(scenario, &c.as_is);
    let b = policy_raws(scenario, &c.to_be);
    let totals = |rs: &[Raw]| rs.iter().map(|r| r.total).collect::<Vec<_>>();
    let operating = |rs: &[Raw]| {
        rs.iter()
            .map(|r| r.total - r.purchasing)
            .collect::<Vec<_>>()
    };
    let (total, percent) = paired(&totals(&a.total), &totals(&b.total));
    let (op, op_percent) = paired(&operating(&a.total), &operating(&b.total));
    let drugs_saving = scenario
        .drugs
        .iter()
        .enumerate()
        .map(|(f, d)| {
            let (t, p) = paired(&totals(&a.drugs[f]), &totals(&b.drugs[f]));
            DrugSaving {
                drug: d.code.clone(),
                total: t,
                percent: p,
            }
        })
        .collect();
    let per_replication = a
        .total
        .iter()
        .zip(&b.total)
        .map(|(x, y)| ReplicationTotals {
            as_is: x.total,
            to_be: y.total,
        })
        .collect();
    let series_of = |tallies: &[Tally], f: usize| {
        let first = tallies.first();
        StockSeries {
            ward: first
                .and_then(|t| t.ward_series.get(f))
                .cloned()
                .unwrap_or_default(),
            pharmacy: first
                .and_then(|t| t.pharmacy_series.get(f))
                .cloned()
                .unwrap_or_default(),
        }
    };
    let series = Series {
        days: c.days,
        drugs: scenario
            .drugs
            .iter()
            .enumerate()
            .map(|(f, d)| DrugSeries {
                drug: d.code.clone(),
                as_is: series_of(&c.as_is, f),
                to_be: series_of(&c.to_be, f),
            })
            .collect(),
    };
    SimResult {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        days: c.days,
        warmup_days: scenario.timing.warmup_days as usize,
        replications: c.as_is.len(),
        seed: c.seed,
        confidence: 0.95,
        service_level_target: scenario.service_level,
        z: c.z,
        drugs: scenario.drugs.iter().map(|d| d.code.clone()).collect(),
        levels: c.levels,
        as_is: policy_result(scenario, "as_is", &a),
        to_be: policy_result(scenario, "to_be", &b),
        saving: Saving {
            total,
            percent,
            operating: op,
            operating_percent: op_percent,
            drugs: drugs_saving,
        },
        per_replication,
        series,
    }
}
