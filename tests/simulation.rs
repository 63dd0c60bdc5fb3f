//! The policy simulation (planning::sim): the paper's case study of one ward
//! and the central pharmacy, AS IS (periodic review to par levels) against
//! TO BE (daily MRP from prescriptions), on the same random demand.
//!
//! Runs here are short (a month, a few replications) to keep the debug build
//! quick; the full paper run is measured by `cargo bench --bench sim`.

use wardstock::planning::sim::{
    self, Estimate, Metrics, PAPER_TOML, Scenario, ScenarioError, SimOptions, SimResult,
    inverse_normal, t_quantile_975,
};

fn paper() -> Scenario {
    Scenario::paper().expect("the built-in paper scenario reads")
}

fn run(scenario: &Scenario, days: usize, replications: usize, seed: u64) -> SimResult {
    sim::simulate(
        scenario,
        &SimOptions {
            days,
            replications,
            seed,
        },
        &mut |_, _| {},
    )
}

fn json(r: &SimResult) -> String {
    serde_json::to_string(r).unwrap()
}

/// Every (policy, metrics) pair: the totals and each drug.
fn all_metrics(r: &SimResult) -> Vec<(&'static str, String, &Metrics)> {
    let mut out = Vec::new();
    for (name, p) in [("AS IS", &r.as_is), ("TO BE", &r.to_be)] {
        out.push((name, "total".to_string(), &p.total));
        for d in &p.drugs {
            out.push((name, d.drug.clone(), &d.metrics));
        }
    }
    out
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

// ---------------------------------------------------------------------------
// The scenario

#[test]
fn the_paper_scenario_holds_the_ten_drugs_of_table_3() {
    let s = paper();
    assert_eq!(s.name, "paper");
    let table: [(f64, f64, u32, f64); 10] = [
        (366.0, 0.7, 2, 2.67),
        (28.2, 0.8, 1, 16.60),
        (11.4, 1.0, 1, 641.18),
        (4.2, 3.0, 1, 594.56),
        (351.6, 1.8, 1, 90.95),
        (33.0, 0.9, 1, 79.73),
        (494.4, 1.7, 1, 70.58),
        (7.8, 1.1, 1, 21.98),
        (27.6, 0.5, 10, 8.11),
        (18.6, 1.1, 10, 68.96),
    ];
    assert_eq!(s.drugs.len(), 10);
    for (d, (mean, cv, pack, price)) in s.drugs.iter().zip(table) {
        assert_eq!(
            (d.mean_daily, d.cv, d.pack, d.price),
            (mean, cv, pack, price)
        );
    }
    // Table 2: lead times, review period, service level.
    assert_eq!(s.timing.supplier_lead_hours, 24);
    assert_eq!(s.timing.transport_hours, 1);
    assert_eq!(s.as_is.review_days, 3);
    assert_eq!(s.service_level, 0.98);
}

#[test]
fn a_scenario_reads_from_json_as_well_as_toml() {
    let s = paper();
    let text = serde_json::to_string_pretty(&s).unwrap();
    assert_eq!(Scenario::from_json(&text).unwrap(), s);
    assert_eq!(Scenario::from_text(&text).unwrap(), s);
    assert_eq!(Scenario::from_text(PAPER_TOML).unwrap(), s);
}

#[test]
fn a_malformed_scenario_is_reported_by_field() {
    // A missing field.
    let text = PAPER_TOML.replacen("price = 2.67\n", "", 1);
    let e = Scenario::from_toml(&text).unwrap_err();
    assert!(matches!(e, ScenarioError::Toml(_)));
    assert!(e.to_string().contains("price"), "{e}");

    // An unknown field.
    let text = PAPER_TOML.replacen("review_days = 3", "review_days = 3\nreveiw_hour = 7", 1);
    let e = Scenario::from_toml(&text).unwrap_err();
    assert!(e.to_string().contains("reveiw_hour"), "{e}");

    // A wrong type names the line.
    let text = PAPER_TOML.replacen("pack = 10\n", "pack = \"ten\"\n", 1);
    let e = Scenario::from_toml(&text).unwrap_err().to_string();
    assert!(e.contains("line"), "{e}");

    // Values out of range name the field's path.
    let cases: [(&str, &str, &str); 5] = [
        ("cv = 0.8\n", "cv = -0.8\n", "drugs[1].cv"),
        (
            "service_level = 0.98",
            "service_level = 1.2",
            "service_level",
        ),
        ("review_days = 3", "review_days = 0", "as_is.review_days"),
        (
            "unplanned_share = 0.2",
            "unplanned_share = 1.5",
            "demand.unplanned_share",
        ),
        (
            "pharmacy_lot_sizing = { rule = \"lot_for_lot\" }",
            "pharmacy_lot_sizing = { rule = \"period\", periods = 0 }",
            "to_be.pharmacy_lot_sizing.periods",
        ),
    ];
    for (from, to, path) in cases {
        let text = PAPER_TOML.replacen(from, to, 1);
        assert_ne!(text, PAPER_TOML, "{from}");
        let e = Scenario::from_toml(&text).unwrap_err();
        assert_eq!(e.path(), Some(path), "{e}");
        assert!(e.to_string().starts_with(path), "{e}");
    }

    // Repeated drug codes.
    let mut s = paper();
    s.drugs[4].code = s.drugs[0].code.clone();
    assert_eq!(s.validate().unwrap_err().path(), Some("drugs[4].code"));

    // JSON errors give the line.
    let e = Scenario::from_json("{\n  \"name\": 3\n}").unwrap_err();
    assert!(matches!(e, ScenarioError::Json { line: 2, .. }), "{e}");
}

// ---------------------------------------------------------------------------
// Statistics

#[test]
fn the_inverse_normal_gives_the_known_quantiles() {
    assert!((inverse_normal(0.98) - 2.0537).abs() < 1e-4);
    assert!((inverse_normal(0.98) - 2.053_748_911).abs() < 1e-8);
    assert_eq!(inverse_normal(0.5), 0.0);
    assert!((inverse_normal(0.975) - 1.959_963_985).abs() < 1e-8);
    assert!((inverse_normal(0.95) - 1.644_853_627).abs() < 1e-8);
    assert!((inverse_normal(0.025) + 1.959_963_985).abs() < 1e-8);
    // Tails (the other branch of the approximation).
    assert!((inverse_normal(0.999) - 3.090_232_306).abs() < 1e-7);
    assert!((inverse_normal(1e-6) + 4.753_424_309).abs() < 1e-6);
    assert_eq!(inverse_normal(0.0), f64::NEG_INFINITY);
    assert_eq!(inverse_normal(1.0), f64::INFINITY);
}

#[test]
fn the_t_quantile_matches_tables() {
    assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
    assert!((t_quantile_975(29) - 2.045).abs() < 1e-3);
    assert!((t_quantile_975(60) - 2.0003).abs() < 2e-4);
    assert!((t_quantile_975(100_000) - 1.96).abs() < 1e-3);
}

// ---------------------------------------------------------------------------
// The simulation

#[test]
fn a_seed_gives_the_same_result_and_another_seed_another() {
    let s = paper();
    let a = json(&run(&s, 30, 3, 7));
    let b = json(&run(&s, 30, 3, 7));
    let c = json(&run(&s, 30, 3, 8));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn both_policies_see_the_same_demand() {
    let r = run(&paper(), 30, 4, 11);
    assert_eq!(r.as_is.total.units_demanded, r.to_be.total.units_demanded);
    for (a, b) in r.as_is.drugs.iter().zip(&r.to_be.drugs) {
        assert_eq!(a.metrics.units_demanded, b.metrics.units_demanded);
        assert!(a.metrics.units_demanded.mean > 0.0, "{}", a.drug);
    }
}

#[test]
fn without_variability_both_policies_give_full_service() {
    let mut s = paper();
    for d in &mut s.drugs {
        d.cv = 0.0;
    }
    s.demand.unplanned_share = 0.0;
    let r = run(&s, 30, 3, 5);
    for (policy, drug, m) in all_metrics(&r) {
        assert_eq!(m.fill_rate.mean, 1.0, "{policy} {drug}");
        assert_eq!(m.cycle_service_level.mean, 1.0, "{policy} {drug}");
        assert_eq!(m.stockouts.mean, 0.0, "{policy} {drug}");
        assert_eq!(m.units_short.mean, 0.0, "{policy} {drug}");
        assert_eq!(m.cost.shortage.mean, 0.0, "{policy} {drug}");
        assert_eq!(m.urgent_purchases.mean, 0.0, "{policy} {drug}");
    }
    // The same demand every day: 366 units of drug 1 a day for 30 days.
    assert_eq!(r.as_is.drugs[0].metrics.units_demanded.mean, 366.0 * 30.0);
}

#[test]
fn with_every_dose_known_a_day_ahead_mrp_never_runs_out() {
    // Highly variable demand, but all of it prescribed a day ahead: the
    // plan delivers each day's doses in time and buys tomorrow's today.
    let mut s = paper();
    s.demand.unplanned_share = 0.0;
    let r = run(&s, 30, 3, 9);
    let m = &r.to_be.total;
    assert_eq!(m.fill_rate.mean, 1.0);
    assert_eq!(m.stockouts.mean, 0.0);
    assert_eq!(m.urgent_purchases.mean, 0.0);
    // No safety stock is needed: the ward ends each day empty.
    for d in &r.series.drugs {
        assert!(
            d.to_be.ward.iter().all(|&v| v < 10),
            "{}: {:?}",
            d.drug,
            d.to_be.ward
        );
    }
    // Periodic review from history still runs out now and then.
    assert!(r.as_is.total.stockouts.mean > 0.0);
}

#[test]
fn costs_add_up_to_their_components() {
    let r = run(&paper(), 30, 4, 3);
    for (policy, drug, m) in all_metrics(&r) {
        let c = &m.cost;
        let sum = c.ordering.mean
            + c.purchasing.mean
            + c.holding.mean
            + c.shortage.mean
            + c.distribution.mean;
        assert!(
            close(c.total.mean, sum, 1e-6),
            "{policy} {drug}: {} vs {sum}",
            c.total.mean
        );
        for part in [
            c.ordering,
            c.purchasing,
            c.holding,
            c.shortage,
            c.distribution,
        ] {
            assert!(part.mean >= 0.0, "{policy} {drug}");
        }
    }
    for p in [&r.as_is, &r.to_be] {
        let by_drug: f64 = p.drugs.iter().map(|d| d.metrics.cost.total.mean).sum();
        assert!(close(p.total.cost.total.mean, by_drug, 1e-6));
        let dist: f64 = p
            .drugs
            .iter()
            .map(|d| d.metrics.cost.distribution.mean)
            .sum();
        assert!(close(p.total.cost.distribution.mean, dist, 1e-6));
    }
    // Per replication too, and the saving is the paired difference.
    assert_eq!(r.per_replication.len(), 4);
    let mean_as_is = r.per_replication.iter().map(|x| x.as_is).sum::<f64>() / 4.0;
    assert!(close(mean_as_is, r.as_is.total.cost.total.mean, 1e-9));
    let diff = r.as_is.total.cost.total.mean - r.to_be.total.cost.total.mean;
    assert!(close(r.saving.total.mean, diff, 1e-9));
}

#[test]
fn the_cost_rates_price_what_happened() {
    let mut s = paper();
    s.costs.ward_delivery = 10.0;
    s.costs.supplier_order_line = 20.0;
    s.costs.ward_order_line = 0.0;
    let r = run(&s, 30, 2, 4);
    for p in [&r.as_is, &r.to_be] {
        let m = &p.total;
        assert!(close(
            m.cost.distribution.mean,
            10.0 * m.ward_deliveries.mean,
            1e-9
        ));
        assert!(close(
            m.cost.ordering.mean,
            20.0 * m.supplier_order_lines.mean,
            1e-9
        ));
    }
    // TO BE delivers every day, AS IS every third day.
    assert_eq!(r.to_be.total.ward_deliveries.mean, 30.0);
    assert_eq!(r.as_is.total.ward_deliveries.mean, 10.0);
}

#[test]
fn a_longer_review_period_raises_stock_under_as_is_only() {
    let mut s = paper();
    let r3 = run(&s, 30, 3, 21);
    s.as_is.review_days = 6;
    let r6 = run(&s, 30, 3, 21);
    let (a3, a6) = (&r3.as_is.total.average_stock, &r6.as_is.total.average_stock);
    assert!(
        a6.ward_units.mean > a3.ward_units.mean * 1.2,
        "{a3:?} {a6:?}"
    );
    assert!(a6.ward_value.mean > a3.ward_value.mean);
    assert!(a6.pharmacy_units.mean > a3.pharmacy_units.mean);
    assert!(r6.as_is.total.cost.holding.mean > r3.as_is.total.cost.holding.mean);
    // TO BE does not review periodically: the same result.
    assert_eq!(
        serde_json::to_string(&r3.to_be).unwrap(),
        serde_json::to_string(&r6.to_be).unwrap()
    );
}

#[test]
fn mrp_keeps_less_stock_than_par_levels_in_the_paper_case() {
    let r = run(&paper(), 30, 3, 42);
    let (a, b) = (&r.as_is.total, &r.to_be.total);
    assert!(b.average_stock.ward_value.mean < a.average_stock.ward_value.mean / 2.0);
    assert!(b.average_stock.pharmacy_value.mean < a.average_stock.pharmacy_value.mean / 2.0);
    assert!(b.cost.holding.mean < a.cost.holding.mean);
    // The price of it: more orders and deliveries.
    assert!(b.supplier_order_lines.mean > a.supplier_order_lines.mean);
    assert!(b.ward_deliveries.mean > a.ward_deliveries.mean);
    for m in [a, b] {
        assert!((0.0..=1.0).contains(&m.fill_rate.mean));
        assert!((0.0..=1.0).contains(&m.cycle_service_level.mean));
        assert!(m.fill_rate.mean > 0.9);
    }
}

#[test]
fn intervals_surround_the_mean_and_need_two_replications() {
    let r = run(&paper(), 20, 5, 1);
    let e: Estimate = r.as_is.total.cost.total;
    let (lo, hi) = (e.low.unwrap(), e.high.unwrap());
    assert!(lo < e.mean && e.mean < hi);
    assert!(r.saving.percent.is_some());

    let one = run(&paper(), 20, 1, 1);
    assert_eq!(one.as_is.total.cost.total.low, None);
    let v: serde_json::Value = serde_json::from_str(&json(&one)).unwrap();
    assert!(v["as_is"]["total"]["cost"]["total"]["low"].is_null());
}

#[test]
fn the_result_has_a_stable_json_shape() {
    let r = run(&paper(), 10, 2, 2);
    let v: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
    for key in [
        "scenario",
        "days",
        "replications",
        "seed",
        "z",
        "levels",
        "as_is",
        "to_be",
        "saving",
        "per_replication",
        "series",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let total = &v["to_be"]["total"];
    for key in [
        "cost",
        "fill_rate",
        "cycle_service_level",
        "stockouts",
        "average_stock",
        "supplier_order_lines",
        "ward_deliveries",
    ] {
        assert!(total.get(key).is_some(), "{key}");
    }
    for key in [
        "ordering",
        "purchasing",
        "holding",
        "shortage",
        "distribution",
        "total",
    ] {
        assert!(total["cost"][key]["mean"].is_number(), "{key}");
    }
    assert_eq!(v["to_be"]["drugs"][3]["drug"], "D04");
    assert!(v["to_be"]["drugs"][3]["cost"]["total"]["mean"].is_number());
    assert_eq!(v["saving"]["drugs"].as_array().map(Vec::len), Some(10));
}

#[test]
fn replication_zero_gives_the_daily_stock_build_up() {
    let r = run(&paper(), 25, 2, 6);
    assert_eq!(r.series.days, 25);
    assert_eq!(r.series.drugs.len(), 10);
    for d in &r.series.drugs {
        for s in [&d.as_is, &d.to_be] {
            assert_eq!(s.ward.len(), 25, "{}", d.drug);
            assert_eq!(s.pharmacy.len(), 25, "{}", d.drug);
        }
    }
    // AS IS stock never exceeds the par level it orders up to.
    for (d, lv) in r.series.drugs.iter().zip(&r.levels) {
        let pack = 10;
        assert!(
            d.as_is.ward.iter().all(|&v| v <= lv.ward_par + pack),
            "{}",
            d.drug
        );
    }
}

#[test]
fn progress_is_reported_after_each_replication() {
    let mut seen = Vec::new();
    sim::simulate(
        &paper(),
        &SimOptions {
            days: 5,
            replications: 3,
            seed: 1,
        },
        &mut |done, total| seen.push((done, total)),
    );
    assert_eq!(seen, vec![(0, 3), (1, 3), (2, 3), (3, 3)]);
}

#[test]
fn a_scenario_built_in_code_runs_like_a_file() {
    // As the console does from the database: the paper's settings, other drugs.
    let mut s = paper();
    s.name = "ward 3B".into();
    s.drugs.truncate(2);
    s.drugs[0].code = "AMOX500".into();
    s.drugs[1].code = "PARA1G".into();
    s.drugs[1].cv = 0.0;
    s.validate().unwrap();
    let r = run(&s, 14, 2, 3);
    assert_eq!(r.scenario, "ward 3B");
    assert_eq!(r.drugs, vec!["AMOX500".to_string(), "PARA1G".to_string()]);
    assert_eq!(r.to_be.drugs.len(), 2);
}

#[test]
fn the_to_be_policy_plans_with_the_product_engine() {
    // The engine applies the scenario's lot-sizing rule: a period rule of
    // three days (72 hourly buckets) for the pharmacy cuts its order lines.
    let mut s = paper();
    let daily = run(&s, 30, 2, 8);
    s.to_be.pharmacy_lot_sizing = wardstock::planning::problem::LotSizing::Period { periods: 72 };
    let period = run(&s, 30, 2, 8);
    assert!(
        period.to_be.total.supplier_order_lines.mean
            < daily.to_be.total.supplier_order_lines.mean * 0.7
    );
}
