//! Demo data: deterministic for a seed, plausible enough that stock
//! levels, expiries and alerts mean something.

mod common;

use chrono::Duration;
use wardstock::demo::{self, DemoError, DemoOptions, Scale};
use wardstock::domain::alerts::{self, AlertConfig, AlertKind};
use wardstock::domain::gtin;
use wardstock::store::{Store, check, queries};

fn dump(store: &Store) -> String {
    let mut out = String::new();
    for table in [
        "places",
        "locations",
        "items",
        "item_gtins",
        "lots",
        "movements",
        "balances",
        "patients",
        "patient_allergies",
        "users",
        "stock_policies",
        "prescriptions",
        "administrations",
        "settings",
    ] {
        let mut stmt = store
            .conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut line = String::new();
                for i in 0..n {
                    line.push_str(&format!("{:?}|", r.get::<_, rusqlite::types::Value>(i)?));
                }
                Ok(line)
            })
            .unwrap();
        out.push_str(table);
        out.push('\n');
        for r in rows {
            out.push_str(&r.unwrap());
            out.push('\n');
        }
    }
    out
}

fn clinic(seed: u64) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    demo::generate(
        &mut store,
        &DemoOptions {
            scale: Scale::Clinic,
            seed,
            anchor: common::anchor(),
        },
    )
    .unwrap();
    store
}

#[test]
fn the_same_seed_gives_the_same_database_and_another_seed_another() {
    let a = dump(&clinic(7));
    let b = dump(&clinic(7));
    assert!(a.len() > 1_000_000);
    assert!(a == b, "two clinics from seed 7 differ");
    assert_ne!(a, dump(&clinic(8)));
}

#[test]
fn demo_data_goes_only_into_an_empty_database() {
    let mut store = clinic(1);
    let err = demo::generate(
        &mut store,
        &DemoOptions {
            scale: Scale::Clinic,
            seed: 1,
            anchor: common::anchor(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, DemoError::NotEmpty));
}

#[test]
fn the_clinic_is_a_plausible_small_hospital() {
    let (_dir, store) = common::open_demo();
    let conn = &store.conn;
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM places WHERE kind = 'ward'"), 3);
    assert_eq!(
        count("SELECT count(*) FROM places WHERE kind = 'pharmacy'"),
        1
    );
    assert!((140..=170).contains(&count("SELECT count(*) FROM items")));
    assert!(count("SELECT count(*) FROM items WHERE kind = 'consumable'") >= 20);
    assert!(
        count("SELECT count(DISTINCT substr(atc, 1, 1)) FROM items WHERE atc IS NOT NULL") >= 10,
        "many ATC groups"
    );
    assert!(
        count("SELECT count(*) FROM items WHERE name GLOB '*[一-龥]*'") >= 3,
        "some Chinese names"
    );
    assert!((35..=45).contains(&count("SELECT count(*) FROM patients")));
    assert!(count("SELECT count(DISTINCT patient_id) FROM patient_allergies") >= 5);
    assert_eq!(
        count("SELECT count(DISTINCT role) FROM users"),
        5,
        "every role"
    );
    assert!(count("SELECT count(*) FROM prescriptions WHERE status = 'active'") >= 50);
    assert!(count("SELECT count(*) FROM prescriptions WHERE status = 'awaiting_validation'") >= 1);
    assert!(count("SELECT count(*) FROM administrations") >= 100);
    // 90 days of history.
    let first: String = conn
        .query_row("SELECT min(at) FROM movements", [], |r| r.get(0))
        .unwrap();
    assert!(
        first.as_str()
            <= (common::anchor() - Duration::days(89))
                .format("%Y-%m-%d")
                .to_string()
                .as_str()
    );
    for kind in ["receipt", "transfer", "administration", "issue", "waste"] {
        assert!(
            count(&format!(
                "SELECT count(*) FROM movements WHERE kind = '{kind}'"
            )) > 0,
            "{kind} movements"
        );
    }
    // Every GTIN has a valid check digit.
    let gtins: Vec<String> = conn
        .prepare("SELECT gtin FROM item_gtins")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(gtins.iter().all(|g| gtin::normalize(g).is_ok()));
    assert!(check::run(conn).unwrap().ok());

    // The warnings have something to say: expired, expiring soon, low.
    let today = store.today(common::anchor());
    let list = alerts::build(
        &queries::lot_balances(conn, None).unwrap(),
        &queries::level_policies(conn, None).unwrap(),
        today,
        &AlertConfig::default(),
    );
    let has = |f: &dyn Fn(&AlertKind) -> bool| list.iter().any(|a| f(&a.kind));
    assert!(has(&|k| *k == AlertKind::Expired), "some lots expired");
    assert!(
        has(&|k| matches!(k, AlertKind::Expiring { tier_days: 30, .. })),
        "some expiring within 30 days"
    );
    assert!(
        has(&|k| matches!(k, AlertKind::BelowSafetyStock | AlertKind::OutOfStock)),
        "some items low"
    );
    assert!(has(&|k| *k == AlertKind::Recalled));
}

#[test]
fn the_demo_reports_its_progress_to_whoever_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("p.sqlite")).unwrap();
    let mut seen: Vec<demo::Progress> = Vec::new();
    demo::generate_reporting(
        &mut store,
        &DemoOptions {
            scale: Scale::Clinic,
            seed: 7,
            anchor: common::anchor(),
        },
        &mut |p| seen.push(p),
    )
    .unwrap();
    let first = seen.first().unwrap();
    let last = seen.last().unwrap();
    assert_eq!(first.stage, demo::Stage::Reference);
    assert_eq!(last.stage, demo::Stage::Finishing);
    assert_eq!(last.done, last.total);
    assert!(seen.iter().any(|p| p.stage == demo::Stage::History));
    // Never backwards, never past the end.
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert!(seen.iter().all(|p| p.done <= p.total));
}
