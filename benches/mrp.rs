//! The full MRP plan at hospital scale (design.md budget: ≤ 250 ms for
//! 26 wards × 5,000 items × 90 daily buckets), next to a single linear pass
//! over the same input, measured in one run so the ratio can be quoted.
//!
//! The problem is generated in code from a fixed seed: each ward uses 300 to
//! 600 items with a requirement on most days (one prescription or forecast
//! line per day), one or two dated lots, an occasional delivery in transit,
//! and a mix of every lot-sizing rule; the pharmacy stocks most items, has
//! some outpatient demand and deliveries due from suppliers.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wardstock::planning::mrp;
use wardstock::planning::problem::{
    Item, LotSizing, Place, Policy, Problem, Requirement, ScheduledReceipt, StockLot,
};

const WARDS: usize = 26;
const ITEMS: usize = 5_000;
const BUCKETS: i64 = 90;

fn rule(rng: &mut ChaCha8Rng, mean: i64, pack: i64) -> LotSizing {
    match rng.random_range(0..100) {
        0..40 => LotSizing::LotForLot {},
        40..60 => LotSizing::FixedQuantity {
            qty: pack * rng.random_range(1..=5) * (1 + mean / pack.max(1)),
        },
        60..75 => LotSizing::Period {
            periods: rng.random_range(2..=7),
        },
        75..90 => LotSizing::Eoq {
            order_cost: f64::from(rng.random_range(5u32..60)),
            holding_cost: f64::from(rng.random_range(1u32..20)) / 100.0,
        },
        _ => {
            let min = mean * rng.random_range(2..=4);
            LotSizing::MinMax {
                min,
                max: min + mean * rng.random_range(3..=8),
            }
        }
    }
}

fn hospital(seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let packs = [1, 1, 1, 10, 14, 20, 28, 30, 50, 100];
    let items: Vec<Item> = (0..ITEMS)
        .map(|i| Item {
            code: format!("ITEM{i:05}"),
            pack_size: packs[rng.random_range(0..packs.len())],
            supplier_lead_buckets: rng.random_range(1..=4),
        })
        .collect();
    let mut places = vec![Place {
        code: "PHARM".into(),
        transport_buckets: 0,
    }];
    for w in 0..WARDS {
        places.push(Place {
            code: format!("W{w:02}"),
            transport_buckets: rng.random_range(0..=1),
        });
    }
    let mut p = Problem {
        start: Some(start.and_hms_opt(0, 0, 0).unwrap()),
        bucket_hours: 24,
        buckets: BUCKETS,
        pharmacy: "PHARM".into(),
        items,
        places,
        policies: vec![],
        stock: vec![],
        scheduled_receipts: vec![],
        requirements: vec![],
    };
    let mut rx = 0u64;
    let mut add_pair =
        |p: &mut Problem, rng: &mut ChaCha8Rng, place: String, i: usize, scale: i64, daily: f64| {
            let item = p.items[i].code.clone();
            let pack = p.items[i].pack_size;
            let mean = rng.random_range(1..=20) * scale;
            if rng.random_bool(0.8) {
                p.policies.push(Policy {
                    place: place.clone(),
                    item: item.clone(),
                    safety_stock: mean * rng.random_range(0..=3),
                    min_order: if rng.random_bool(0.2) { pack * 2 } else { 0 },
                    lot_sizing: rule(rng, mean, pack),
                });
            }
            for _ in 0..rng.random_range(1..=2) {
                p.stock.push(StockLot {
                    place: place.clone(),
                    item: item.clone(),
                    qty: mean * rng.random_range(2..=12),
                    expiry: if rng.random_bool(0.9) {
                        Some(start + TimeDelta::days(rng.random_range(5..400)))
                    } else {
                        None
                    },
                });
            }
            if rng.random_bool(0.1) {
                p.scheduled_receipts.push(ScheduledReceipt {
                    place: place.clone(),
                    item: item.clone(),
                    bucket: rng.random_range(0..4),
                    qty: mean * rng.random_range(2..=6),
                });
            }
            if daily > 0.0 {
                rx += 1;
                let source = if rng.random_bool(0.7) {
                    format!("rx-{rx}")
                } else {
                    "forecast".to_string()
                };
                for b in 0..BUCKETS {
                    if rng.random_bool(daily) {
                        p.requirements.push(Requirement {
                            place: place.clone(),
                            item: item.clone(),
                            bucket: b,
                            qty: rng.random_range(0..=2 * mean),
                            source: Some(source.clone()),
                        });
                    }
                }
            }
        };
    for w in 0..WARDS {
        let ward = format!("W{w:02}");
        let n = rng.random_range(300..=600);
        let mut used: Vec<usize> = (0..ITEMS).collect();
        // A partial shuffle picks the ward's items.
        for k in 0..n {
            let j = rng.random_range(k..ITEMS);
            used.swap(k, j);
        }
        let mut used = used[..n].to_vec();
        used.sort_unstable();
        for i in used {
            add_pair(&mut p, &mut rng, ward.clone(), i, 1, 0.85);
        }
    }
    for i in 0..ITEMS {
        if rng.random_bool(0.9) {
            let outpatients = if rng.random_bool(0.05) { 0.5 } else { 0.0 };
            add_pair(&mut p, &mut rng, "PHARM".into(), i, 20, outpatients);
        }
    }
    p.validate().expect("generated problem is valid");
    p
}

/// One linear scan of the requirements into per-(place, item) gross arrays:
/// the least any planner must do with the same input.
fn gross_arrays(p: &Problem) -> usize {
    let b = p.buckets as usize;
    let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
    let mut gross: Vec<u64> = Vec::new();
    for r in &p.requirements {
        let next = pairs.len();
        let at = *pairs
            .entry((r.place.as_str(), r.item.as_str()))
            .or_insert(next);
        if at == next {
            gross.resize(gross.len() + b, 0);
        }
        gross[at * b + r.bucket as usize] += r.qty as u64;
    }
    black_box(&gross);
    pairs.len()
}

/// A line of /proc/self/status (Linux), e.g. the peak resident set.
fn status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l[key.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn benches(c: &mut Criterion) {
    let problem = hospital(42);
    let before = status("VmRSS:");
    let plan = mrp::plan(&problem);
    eprintln!(
        "resident memory: {before} with the problem, {} with its plan (peak {})",
        status("VmRSS:"),
        status("VmHWM:")
    );
    let pegs: usize = plan.planned_orders().map(|o| o.pegging.len()).sum();
    eprintln!(
        "hospital problem: {} requirements, {} lots, {} policies, {} scheduled receipts; plan: {} records, {} planned orders, {} pegs, {} exceptions",
        problem.requirements.len(),
        problem.stock.len(),
        problem.policies.len(),
        problem.scheduled_receipts.len(),
        plan.records().len(),
        plan.planned_orders().len(),
        pegs,
        plan.exceptions().len(),
    );

    let mut g = c.benchmark_group("mrp");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("plan_hospital_26x5000x90", |b| {
        b.iter(|| mrp::plan(black_box(&problem)))
    });
    g.bench_function("single_pass_gross_arrays", |b| {
        b.iter(|| gross_arrays(black_box(&problem)))
    });
    g.bench_function("single_pass_sum_record_gross", |b| {
        b.iter(|| {
            black_box(&plan)
                .records()
                .map(|r| r.gross.iter().sum::<u64>())
                .sum::<u64>()
        })
    });
    g.finish();
}

criterion_group!(mrp_benches, benches);
criterion_main!(mrp_benches);
