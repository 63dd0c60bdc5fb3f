//! Early warnings (demand surge, supplier risk, a critical item with one
//! supplier) and several suppliers per item: the rules on the demo clinic,
//! the command line, a purchase suggestion's suppliers and the console.

mod common;

use common::console::Console;
use common::{actor, anchor, cli, demo_db, open_demo};
use crossterm::event::KeyCode;
use wardstock::domain::alerts::AlertKind;
use wardstock::domain::early::EarlySettings;
use wardstock::i18n::Lang;
use wardstock::ops::early::{EarlyWarning, early_warnings};
use wardstock::ops::plan::{self, PlanOptions};
use wardstock::ops::suppliers::{self as sup, LinkTerms};
use wardstock::store::Store;

fn warnings(store: &Store, s: &EarlySettings) -> Vec<EarlyWarning> {
    early_warnings(&store.conn, anchor(), s, None).unwrap()
}

fn surges(list: &[EarlyWarning]) -> Vec<&EarlyWarning> {
    list.iter()
        .filter(|w| matches!(w.row.alert.kind, AlertKind::DemandSurge { .. }))
        .collect()
}

fn risks(list: &[EarlyWarning]) -> Vec<&EarlyWarning> {
    list.iter()
        .filter(|w| matches!(w.row.alert.kind, AlertKind::SupplierRisk { .. }))
        .collect()
}

fn singles(list: &[EarlyWarning]) -> Vec<&EarlyWarning> {
    list.iter()
        .filter(|w| w.row.alert.kind == AlertKind::SingleSupplier)
        .collect()
}

#[test]
fn a_surge_above_the_ratio_is_raised_naming_its_prescriptions_and_not_below_it() {
    let (_d, store) = open_demo();
    let list = warnings(&store, &EarlySettings::default());
    let s = surges(&list);
    let w = s
        .iter()
        .find(|w| w.row.place == wardstock::demo::early::SURGE_WARD)
        .expect("the demo's ward surges");
    // Its sources are the ward's prescriptions of the item, by number.
    let rx: Vec<String> = {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT 'RX-' || p.id FROM prescriptions p JOIN patients pa ON pa.id = p.patient_id
                 JOIN places w ON w.id = pa.ward_id JOIN items i ON i.id = p.item_id
                 WHERE w.code = ?1 AND i.code = ?2 AND p.status = 'active' ORDER BY p.id",
            )
            .unwrap();
        stmt.query_map([&w.row.place, &w.row.item], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(rx.len(), 5);
    for r in &rx {
        assert!(
            w.sources.contains(r),
            "{r} behind the surge: {:?}",
            w.sources
        );
    }
    assert!(w.row.message.contains(&rx[0]), "{}", w.row.message);
    let AlertKind::DemandSurge { usual, percent, .. } = w.row.alert.kind else {
        unreachable!()
    };
    assert!(
        w.row.alert.qty > 2 * usual,
        "{} vs {usual}",
        w.row.alert.qty
    );
    // The same need under a higher ratio is not a surge.
    let ratio = percent.unwrap_or(10_000) + 1;
    let higher = EarlySettings {
        surge_percent: ratio.max(101),
        ..EarlySettings::default()
    };
    let none = warnings(&store, &higher);
    assert!(
        !surges(&none)
            .iter()
            .any(|x| x.row.place == w.row.place && x.row.item == w.row.item),
        "below the ratio: no surge"
    );
    // Nor when the need is below the least quantity that counts.
    let tiny = EarlySettings {
        surge_min_units: w.row.alert.qty + 1,
        ..EarlySettings::default()
    };
    assert!(
        !surges(&warnings(&store, &tiny))
            .iter()
            .any(|x| x.row.item == w.row.item && x.row.place == w.row.place)
    );
}

#[test]
fn a_supplier_below_the_threshold_over_its_last_lines_is_a_risk_and_not_otherwise() {
    let (_d, store) = open_demo();
    let list = warnings(&store, &EarlySettings::default());
    let r = risks(&list);
    assert!(!r.is_empty(), "the demo's late supplier");
    let late = wardstock::demo::early::LATE_SUPPLIER;
    assert!(r.iter().all(|w| w.supplier.as_deref() == Some(late)));
    let w = r[0];
    let AlertKind::SupplierRisk {
        lines,
        on_time_percent,
        ..
    } = w.row.alert.kind
    else {
        unreachable!()
    };
    assert_eq!(lines, 10, "the last 10 order lines");
    assert!(on_time_percent < 80);
    assert!(!w.sources.is_empty(), "the late orders are named");
    assert!(w.row.message.contains(late), "{}", w.row.message);
    // The item with an alternative names it.
    assert!(
        r.iter()
            .any(|w| w.alternative.as_deref() == Some(wardstock::demo::early::ALTERNATIVE_SUPPLIER))
    );
    // A lower threshold: the same deliveries are not a risk.
    let lenient = EarlySettings {
        supplier_min_percent: on_time_percent.max(1),
        ..EarlySettings::default()
    };
    let AlertKind::SupplierRisk {
        in_full_percent, ..
    } = w.row.alert.kind
    else {
        unreachable!()
    };
    if in_full_percent >= on_time_percent {
        assert!(risks(&warnings(&store, &lenient)).is_empty());
    }
    // Over its last 4 lines only (the two latest orders, both late).
    let recent = EarlySettings {
        supplier_lines: 4,
        ..EarlySettings::default()
    };
    let list = warnings(&store, &recent);
    let r4 = risks(&list);
    let AlertKind::SupplierRisk {
        lines,
        on_time_percent,
        ..
    } = r4[0].row.alert.kind
    else {
        unreachable!()
    };
    assert_eq!((lines, on_time_percent), (4, 0));
}

#[test]
fn a_critical_item_with_one_supplier_is_raised_until_it_has_two() {
    let (_d, mut store) = open_demo();
    let flagged: String = store
        .conn
        .query_row("SELECT code FROM items WHERE critical = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let list = warnings(&store, &EarlySettings::default());
    let one = singles(&list);
    let w = one
        .iter()
        .find(|w| w.row.item == flagged)
        .expect("the flagged item has one supplier");
    assert_eq!(
        w.row.alert.severity,
        wardstock::domain::alerts::Severity::Medium
    );
    assert!(w.row.message.contains("ALLIANCE"), "{}", w.row.message);
    let admin = actor(&store, "admin");
    let item = wardstock::ops::stock::item_by_code(&store.conn, &flagged).unwrap();
    sup::link(
        &mut store,
        &admin,
        anchor(),
        &item,
        "PHOENIX",
        &LinkTerms::default(),
    )
    .unwrap();
    let after = warnings(&store, &EarlySettings::default());
    assert!(!singles(&after).iter().any(|w| w.row.item == flagged));
}

#[test]
fn existing_items_keep_their_one_supplier_as_the_preferred_one() {
    let (_d, store) = open_demo();
    let mismatched: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM items i LEFT JOIN item_suppliers x ON x.item_id = i.id AND x.preferred = 1
             WHERE i.supplier_id IS NOT x.supplier_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        mismatched, 0,
        "items.supplier_id names the preferred supplier"
    );
    // Setting an item's supplier the old way moves the preferred flag.
    store
        .conn
        .execute(
            "UPDATE items SET supplier_id = (SELECT id FROM suppliers WHERE code = 'PHOENIX') WHERE code = 'AMCL12IV'",
            [],
        )
        .unwrap();
    let prefs: Vec<(String, bool)> = {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT s.code, x.preferred FROM item_suppliers x JOIN suppliers s ON s.id = x.supplier_id
                 JOIN items i ON i.id = x.item_id WHERE i.code = 'AMCL12IV' ORDER BY s.code",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        prefs,
        vec![
            ("ALLIANCE".to_string(), false),
            ("PHOENIX".to_string(), true)
        ]
    );
}

#[test]
fn a_purchase_names_its_preferred_supplier_and_alternative_and_goes_to_the_preferred_in_its_packs()
{
    let (_d, mut store) = open_demo();
    let opt = PlanOptions::default();
    let (_, p) = plan::plan_now(&store.conn, anchor(), opt).unwrap();
    let sheet = plan::sheet(&store.conn, anchor(), &p).unwrap();
    let line = sheet
        .suggestions
        .iter()
        .find(|l| l.purchase && l.suppliers.is_some())
        .expect("a purchase suggestion")
        .clone();
    let old = line.suppliers.clone().unwrap().preferred;
    let other = if old == "PHOENIX" {
        "ALLIANCE"
    } else {
        "PHOENIX"
    };
    // The other supplier becomes preferred, in packs of 7, two days away.
    let admin = actor(&store, "admin");
    let item = wardstock::ops::stock::item_by_code(&store.conn, &line.s.item).unwrap();
    let terms = LinkTerms {
        lead_days: Some(2),
        units_per_pack: Some(7),
        preferred: true,
        ..LinkTerms::default()
    };
    sup::link(&mut store, &admin, anchor(), &item, other, &terms).unwrap();
    let (_, p) = plan::plan_now(&store.conn, anchor(), opt).unwrap();
    let sheet = plan::sheet(&store.conn, anchor(), &p).unwrap();
    let line = sheet
        .suggestions
        .iter()
        .find(|l| l.purchase && l.s.item == line.s.item)
        .expect("still suggested")
        .clone();
    let c = line.suppliers.clone().unwrap();
    assert_eq!(c.preferred, other);
    assert_eq!(c.lead_days, 2);
    assert_eq!(c.alternative.as_deref(), Some(old.as_str()));
    assert_eq!(line.from.as_deref(), Some(other));
    // The MRP lead time is the preferred supplier's.
    let (problem, _) = plan::plan_now(&store.conn, anchor(), opt).unwrap();
    let it = problem
        .items
        .iter()
        .find(|i| i.code == line.s.item)
        .unwrap();
    assert_eq!(it.supplier_lead_buckets, 2);
    // Accepted: to the preferred supplier, in whole packs of 7.
    let pharm = actor(&store, "pharm");
    let a = plan::accept(&mut store, &pharm, anchor(), &line.s, None, opt).unwrap();
    let po: i64 = a.order_ref.trim_start_matches("PO-").parse().unwrap();
    let (supplier, qty): (String, i64) = store
        .conn
        .query_row(
            "SELECT s.code, l.qty FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id
             JOIN purchase_order_lines l ON l.order_id = o.id WHERE o.id = ?1",
            [po],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(supplier, other);
    assert_eq!(qty % 7, 0, "{qty} in packs of 7");
    assert!(qty >= line.s.qty);
}

#[test]
fn the_demo_shows_both_early_warnings_on_the_command_line() {
    let (_d, path) = demo_db();
    let out = cli(&path).args(["alerts", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"demand_surge"), "{kinds:?}");
    assert!(kinds.contains(&"supplier_risk"), "{kinds:?}");
    let surge = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "demand_surge")
        .unwrap();
    assert!(surge["sources"].as_array().is_some_and(|s| !s.is_empty()));
    // And in text, in both languages.
    let en = cli(&path).arg("alerts").output().unwrap();
    let en = String::from_utf8_lossy(&en.stdout);
    assert!(en.contains("surge") && en.contains("supplier"), "{en}");
    let zh = cli(&path)
        .env("WARDSTOCK_LANG", "zh-CN")
        .arg("alerts")
        .output()
        .unwrap();
    let zh = String::from_utf8_lossy(&zh.stdout);
    assert!(zh.contains("需求突增") && zh.contains("供应商"), "{zh}");
}

#[test]
fn the_command_line_links_lists_and_unlinks_suppliers() {
    let (_d, path) = demo_db();
    let ok = |args: &[&str]| {
        let out = cli(&path).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    ok(&[
        "supplier",
        "link",
        "AMCL12IV",
        "PHOENIX",
        "--user",
        "store",
        "--lead-days",
        "3",
        "--price",
        "1.50",
        "--pack",
        "12",
    ]);
    let of = ok(&["supplier", "of", "AMCL12IV", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&of).unwrap();
    assert_eq!(v[0]["supplier"], "ALLIANCE");
    assert_eq!(v[0]["preferred"], true);
    assert_eq!(v[1]["supplier"], "PHOENIX");
    assert_eq!(v[1]["units_per_pack"], 12);
    assert_eq!(v[1]["price_cents"], 150);
    assert!(ok(&["supplier", "items", "PHOENIX"]).contains("AMCL12IV"));
    ok(&[
        "supplier",
        "link",
        "AMCL12IV",
        "PHOENIX",
        "--user",
        "store",
        "--preferred",
    ]);
    let store = Store::open(&path).unwrap();
    let sid: String = store
        .conn
        .query_row(
            "SELECT s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id WHERE i.code = 'AMCL12IV'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sid, "PHOENIX", "the item's supplier is the preferred one");
    drop(store);
    ok(&[
        "supplier", "unlink", "AMCL12IV", "ALLIANCE", "--user", "store",
    ]);
    assert!(!ok(&["supplier", "of", "AMCL12IV"]).contains("ALLIANCE"));
}

#[test]
fn bad_input_on_the_supplier_links_is_refused_in_one_line_and_nothing_is_written() {
    let (_d, path) = demo_db();
    let links = || {
        Store::open(&path)
            .unwrap()
            .conn
            .query_row(
                "SELECT count(*) || '/' || sum(preferred) || '/' || group_concat(COALESCE(units_per_pack, 0)) FROM item_suppliers",
                [],
                |r| r.get::<_, String>(0),
            )
            .unwrap()
    };
    let before = links();
    for args in [
        &["supplier", "link", "AMCL12IV", "NOPE", "--user", "store"][..],
        &["supplier", "link", "NOPE", "PHOENIX", "--user", "store"],
        &[
            "supplier", "link", "AMCL12IV", "PHOENIX", "--user", "store", "--pack", "0",
        ],
        &[
            "supplier",
            "link",
            "AMCL12IV",
            "PHOENIX",
            "--user",
            "store",
            "--lead-days",
            "-1",
        ],
        &[
            "supplier", "link", "AMCL12IV", "PHOENIX", "--user", "store", "--price", "cheap",
        ],
        &["supplier", "link", "AMCL12IV", "PHOENIX", "--user", "nurse"],
        &[
            "supplier", "unlink", "AMCL12IV", "PHOENIX", "--user", "store",
        ],
        &["supplier", "unlink", "ADAL40P", "DIRECT", "--user", "store"],
        &["supplier", "items", "NOPE"],
        &["supplier", "critical", "AMCL12IV", "--user", "nurse"],
    ] {
        let out = cli(&path).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(links(), before, "{args:?}: nothing written");
    }
    // The preferred supplier goes last, and the refusal says what to do.
    let out = cli(&path)
        .args(["supplier", "unlink", "ADAL40P", "DIRECT", "--user", "store"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--preferred"));
    // With --json the refusal is JSON too.
    let out = cli(&path)
        .args([
            "supplier", "link", "AMCL12IV", "NOPE", "--user", "store", "--json",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.trim_start().starts_with('{'), "{text}");
}

#[test]
fn the_alerts_tab_shows_an_early_warning_and_what_is_behind_it_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("pharm");
        c.key(KeyCode::Char('5'));
        assert!(
            c.app
                .tabs
                .alerts
                .view
                .rows
                .iter()
                .any(|r| matches!(r.alert.kind, AlertKind::DemandSurge { .. })),
            "the early warnings are in the list"
        );
        let screen = c.screen();
        let (surge, supplier) = match lang {
            Lang::En => ("demand surge", "supplier risk"),
            _ => ("需求突增", "供应商风险"),
        };
        assert!(
            screen.contains(surge),
            "{lang:?}: the kind's total\n{screen}"
        );
        assert!(screen.contains(supplier), "{lang:?}\n{screen}");
        // Filtered to the surging ward's item, the surge is selected and
        // its prescriptions named under the list.
        let item = c
            .app
            .tabs
            .alerts
            .view
            .rows
            .iter()
            .find(|r| matches!(r.alert.kind, AlertKind::DemandSurge { .. }))
            .unwrap()
            .item
            .clone();
        c.typed(&format!("{} {item}", wardstock::demo::early::SURGE_WARD));
        let at = {
            let t = &c.app.tabs.alerts;
            t.filtered
                .iter()
                .position(|&i| matches!(t.view.rows[i].alert.kind, AlertKind::DemandSurge { .. }))
                .expect("the surge matches")
        };
        for _ in 0..at {
            c.key(KeyCode::Down);
        }
        let screen = c.screen();
        assert!(screen.contains("RX-"), "{lang:?}: the sources\n{screen}");
        let mark = match lang {
            Lang::En => "surge",
            _ => "需求突增",
        };
        assert!(screen.contains(mark), "{lang:?}\n{screen}");
    }
}
