//! Replenishment from the database: the problem built from prescriptions,
//! forecast, stock and orders on their way; suggestions accepted into
//! transfer and purchase orders, or rejected; receipts against purchase
//! orders and the supplier's performance.

mod common;

use chrono::{Duration, NaiveTime};
use wardstock::domain::schedule::{self, Frequency};
use wardstock::ops::plan::{self, PlanOptions, Suggestion};
use wardstock::ops::{purchasing, stock};
use wardstock::planning::mrp;
use wardstock::store::Store;

use common::{actor, assert_clean, base_rx, patient_on};

#[test]
fn the_problem_takes_every_scheduled_dose_of_the_horizon_and_the_forecast() {
    let (_dir, store) = common::open_demo();
    let now = common::anchor();
    let opt = PlanOptions::default();
    let problem = plan::build_problem(&store.conn, now, opt).unwrap();
    problem.validate().unwrap();
    assert_eq!((problem.buckets, problem.bucket_hours), (28, 24));
    assert!(
        problem
            .requirements
            .iter()
            .any(|r| r.source.as_deref() == Some("forecast"))
    );

    // One scheduled prescription: its doses from now to the horizon's end, in stock units.
    let (rx, ward, item, dose, strength, freq, times, start): (i64, String, String, i64, i64, String, String, String) = store
        .conn
        .query_row(
            "SELECT r.id, w.code, i.code, r.dose_milli, i.strength_milli, r.frequency, r.times, r.start_at
             FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id JOIN items i ON i.id = r.item_id
             WHERE r.status = 'active' AND r.frequency IN ('bid', 'tid', 'qid') AND r.end_at IS NULL AND i.in_use_days IS NULL
               AND i.strength_milli > 0 ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )
        .unwrap();
    let freq: Frequency = freq.parse().unwrap();
    let times: Vec<NaiveTime> = times
        .split(',')
        .map(|t| NaiveTime::parse_from_str(t, "%H:%M").unwrap())
        .collect();
    let start = wardstock::domain::instant_from_text(&start).unwrap();
    let end = plan::bucket_instant(&store.zone(), plan::plan_start(&store.zone(), now), 24, 28);
    let doses = schedule::expand(&store.zone(), freq, &times, start, None, now, end).len() as i64;
    let per_dose = (dose + strength - 1) / strength;
    let source = format!("RX-{rx}");
    let total: i64 = problem
        .requirements
        .iter()
        .filter(|r| r.source.as_deref() == Some(source.as_str()))
        .inspect(|r| {
            assert_eq!(
                (r.place.as_str(), r.item.as_str()),
                (ward.as_str(), item.as_str())
            )
        })
        .map(|r| r.qty)
        .sum();
    assert!(doses > 20);
    assert_eq!(total, doses * per_dose);

    // Held lots are not usable stock; the plan of the problem is deterministic.
    let held: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM balances WHERE status <> 'ok' AND qty > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(held > 0);
    let usable: i64 = store
        .conn
        .query_row(
            "SELECT SUM(b.qty) FROM balances b JOIN places p ON p.id = b.place_id
             WHERE p.kind IN ('pharmacy', 'ward') AND b.status = 'ok' AND (b.expiry IS NULL OR b.expiry >= ?1)",
            [store.today(now).to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(problem.stock.iter().map(|s| s.qty).sum::<i64>(), usable);
    let a = serde_json::to_value(mrp::plan(&problem)).unwrap();
    let b = serde_json::to_value(mrp::plan(&problem)).unwrap();
    assert_eq!(a, b);
}

fn first(store: &Store, pharmacy: bool) -> Suggestion {
    let (_, p) = plan::plan_now(&store.conn, common::anchor(), PlanOptions::default()).unwrap();
    let o = p
        .planned_orders()
        .find(|o| (o.place == p.pharmacy()) == pharmacy)
        .expect("a suggestion");
    Suggestion::from_order(&o, common::anchor())
}

#[test]
fn an_accepted_ward_delivery_becomes_a_transfer_order_that_the_next_plan_counts() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let s = first(&store, false);
    let nurse = actor(&store, "nurse");
    assert!(matches!(
        plan::accept(&mut store, &nurse, now, &s, None, PlanOptions::default()),
        Err(plan::PlanError::Forbidden(..))
    ));
    let pharm = actor(&store, "pharm");
    let a = plan::accept(&mut store, &pharm, now, &s, None, PlanOptions::default()).unwrap();
    let id: i64 = a.order_ref.strip_prefix("TO-").unwrap().parse().unwrap();
    let order = stock::transfer_order(&store.conn, id, now).unwrap();
    assert_eq!(order.to, s.place);
    assert_eq!(order.lines.len(), 1);
    assert_eq!(
        (order.lines[0].item.code.as_str(), order.lines[0].requested),
        (s.item.as_str(), s.qty)
    );
    // Its FEFO pick list is ready for the storekeeper.
    assert!(!order.lines[0].suggestions.is_empty() || order.lines[0].shortfall > 0);
    // The next plan sees it on its way.
    let problem = plan::build_problem(&store.conn, now, PlanOptions::default()).unwrap();
    assert!(
        problem
            .scheduled_receipts
            .iter()
            .any(|r| r.place == s.place && r.item == s.item && r.qty >= s.qty)
    );
    let (decision, by): (String, String) = store
        .conn
        .query_row(
            "SELECT d.decision || ' ' || d.order_ref, u.username FROM plan_decisions d JOIN users u ON u.id = d.user_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (decision, by),
        (format!("accepted {}", a.order_ref), "pharm".to_string())
    );
    // The same suggestion is not decided twice from a plan made before.
    let e = plan::accept(&mut store, &pharm, now, &s, None, PlanOptions::default()).unwrap_err();
    assert!(
        matches!(&e, plan::PlanError::Stale { item, place } if *item == s.item && *place == s.place),
        "{e}"
    );
    // A rejection (from a newer plan) needs its reason.
    let newer = Suggestion {
        planned_at: now + Duration::seconds(1),
        ..s.clone()
    };
    let later = now + Duration::seconds(2);
    assert!(matches!(
        plan::reject(&mut store, &pharm, later, &newer, " "),
        Err(plan::PlanError::RejectReasonRequired)
    ));
    plan::reject(
        &mut store,
        &pharm,
        later,
        &newer,
        "ward closing beds this week",
    )
    .unwrap();
    assert_clean(&store);
}

#[test]
fn an_accepted_purchase_becomes_a_purchase_order_received_against_at_the_door() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let s = first(&store, true);
    let pharm = actor(&store, "pharm");
    let a = plan::accept(
        &mut store,
        &pharm,
        now,
        &s,
        Some(s.qty),
        PlanOptions::default(),
    )
    .unwrap();
    let po: i64 = a.order_ref.strip_prefix("PO-").unwrap().parse().unwrap();
    let order = purchasing::purchase_orders(&store.conn, true)
        .unwrap()
        .into_iter()
        .find(|o| o.id == po)
        .unwrap();
    assert_eq!(
        (order.lines[0].item.as_str(), order.lines[0].qty),
        (s.item.as_str(), s.qty)
    );

    // Received in two deliveries: partly, then complete; another item is refused.
    let keeper = actor(&store, "store");
    let item = stock::item_by_code(&store.conn, &s.item).unwrap();
    let line = |qty: i64, lot: &str, item: &stock::ItemRef| stock::ReceiveLine {
        item: item.clone(),
        lot_number: lot.into(),
        expiry: Some((now + Duration::days(400)).date_naive()),
        qty,
        supplier: None,
        order_ref: Some(format!("PO-{po}")),
        location: None,
    };
    let other = stock::item_by_code(
        &store.conn,
        if s.item == "PARA500T" {
            "IBU400T"
        } else {
            "PARA500T"
        },
    )
    .unwrap();
    let e =
        stock::receive(&mut store, &keeper, now, &line(10, "X1", &other), 90, None).unwrap_err();
    assert!(
        matches!(&e, stock::StockError::Purchase(purchasing::PurchaseError::NoLine { order, item })
            if *order == po && *item == other.name),
        "{e}"
    );
    let part = (s.qty / 2).max(1);
    stock::receive(&mut store, &keeper, now, &line(part, "R1", &item), 90, None).unwrap();
    let status = |store: &Store| -> String {
        store
            .conn
            .query_row(
                "SELECT status FROM purchase_orders WHERE id = ?1",
                [po],
                |r| r.get(0),
            )
            .unwrap()
    };
    if part < s.qty {
        assert_eq!(status(&store), "partial");
        stock::receive(
            &mut store,
            &keeper,
            now,
            &line(s.qty - part, "R2", &item),
            90,
            None,
        )
        .unwrap();
    }
    assert_eq!(status(&store), "received");
    let e = stock::receive(&mut store, &keeper, now, &line(1, "R3", &item), 90, None).unwrap_err();
    assert!(
        matches!(&e, stock::StockError::Purchase(purchasing::PurchaseError::NotReceivable { order, status })
            if *order == po && status == "received"),
        "{e}"
    );
    // The supplier's record: this order on time and complete.
    let perf = purchasing::supplier_performance(&store.conn).unwrap();
    let supplier: String = store
        .conn
        .query_row(
            "SELECT s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id WHERE i.code = ?1",
            [&s.item],
            |r| r.get(0),
        )
        .unwrap();
    let p = perf.iter().find(|p| p.supplier == supplier).unwrap();
    assert!(p.lines_received >= 1 && p.on_time_percent.is_some() && p.quantity_percent.is_some());
    assert_clean(&store);
}

#[test]
fn the_demo_supplier_record_shows_a_late_short_delivery() {
    let (_dir, store) = common::open_demo();
    let perf = purchasing::supplier_performance(&store.conn).unwrap();
    let a = perf.iter().find(|p| p.supplier == "ALLIANCE").unwrap();
    assert_eq!(a.lines_received, 2);
    assert_eq!(a.on_time_percent, Some(0.0));
    let q = a.quantity_percent.unwrap();
    assert!(q > 50.0 && q < 100.0, "{q}");
}

#[test]
fn a_lot_sizing_policy_set_for_a_place_and_item_shapes_the_next_plan() {
    use wardstock::planning::problem::LotSizing;
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let s = first(&store, false);
    let manager = actor(&store, "manager");
    let bad = plan::set_policy(
        &mut store,
        &manager,
        now,
        &s.place,
        &s.item,
        &LotSizing::FixedQuantity { qty: 0 },
        0,
    );
    assert!(matches!(
        bad,
        Err(plan::PlanError::FixedQuantityRange { .. })
    ));
    let pack: i64 = store
        .conn
        .query_row(
            "SELECT units_per_pack FROM items WHERE code = ?1",
            [&s.item],
            |r| r.get(0),
        )
        .unwrap();
    let q = pack * 7;
    plan::set_policy(
        &mut store,
        &manager,
        now,
        &s.place,
        &s.item,
        &LotSizing::FixedQuantity { qty: q },
        0,
    )
    .unwrap();
    let problem = plan::build_problem(&store.conn, now, PlanOptions::default()).unwrap();
    let p = mrp::plan(&problem);
    let orders: Vec<u64> = p
        .planned_orders()
        .filter(|o| o.place == s.place && o.item == s.item)
        .map(|o| o.qty)
        .collect();
    assert!(!orders.is_empty());
    assert!(
        orders.iter().all(|&o| o % q as u64 == 0),
        "{orders:?} not multiples of {q}"
    );
    assert_clean(&store);
}

#[test]
fn a_multi_dose_bottle_is_planned_by_its_content_not_one_per_dose() {
    use wardstock::ops::mar::{self, DoseInput, Outcome};
    use wardstock::ops::rx::{self, Decision};
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-GER");
    let start = now - Duration::hours(6);
    let new = base_rx(&mrn, "LACT200", 15_000, Frequency::Bid, start);
    let (manager, pharm, nurse) = (
        actor(&store, "manager"),
        actor(&store, "pharm"),
        actor(&store, "nurse"),
    );
    let id = rx::prescribe(&mut store, &manager, now, &new).unwrap();
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Accept { comment: None },
    )
    .unwrap();
    let source = format!("RX-{id}");
    let bottles = |store: &Store| -> i64 {
        plan::build_problem(&store.conn, now, PlanOptions::default())
            .unwrap()
            .requirements
            .iter()
            .filter(|r| {
                r.item == "LACT200"
                    && r.source
                        .as_deref()
                        .is_some_and(|s| s.split(',').any(|x| x == source))
            })
            .map(|r| r.qty)
            .sum()
    };
    let times = [
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    ];
    let end = plan::bucket_instant(&store.zone(), plan::plan_start(&store.zone(), now), 24, 28);
    let doses = schedule::expand(&store.zone(), Frequency::Bid, &times, start, None, now, end);
    let ml = doses.len() as i64 * 15;
    assert_eq!(
        bottles(&store),
        (ml + 199) / 200,
        "{} doses of 15 ml from 200 ml bottles",
        doses.len()
    );
    // A bottle opened for the next dose: what is left in it counts.
    let at = doses[0];
    mar::administer(
        &mut store,
        &nurse,
        at,
        &DoseInput {
            rx_id: id,
            scheduled_at: Some(at),
            outcome: Outcome::Given,
            patient_mrn: Some(mrn),
            patient_dob: None,
            pack: None,
            pack_expiry: None,
            unable_to_scan: Some("NOBARCODE".into()),
            units: 0,
            route_confirmed: true,
            timing_reason: None,
            reason: None,
            witness: None,
            double_check: None,
        },
    )
    .unwrap();
    let left = ml - 15 - 185;
    assert_eq!(bottles(&store), (left.max(0) + 199) / 200);
    assert_clean(&store);
}

#[test]
fn a_delivery_larger_than_its_order_is_received_and_flagged() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    let supplier: String = store
        .conn
        .query_row(
            "SELECT s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id WHERE i.code = 'PARA500T'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let po = purchasing::create_po(
        &mut store,
        &keeper,
        now,
        &supplier,
        &[(item.clone(), 100)],
        None,
    )
    .unwrap()
    .id;
    let got = stock::receive(
        &mut store,
        &keeper,
        now,
        &stock::ReceiveLine {
            item: item.clone(),
            lot_number: "OVER1".into(),
            expiry: Some((now + Duration::days(400)).date_naive()),
            qty: 120,
            supplier: None,
            order_ref: Some(format!("po {po}")),
            location: None,
        },
        90,
        None,
    )
    .unwrap();
    assert_eq!(got.over_order, Some(20));
    assert!(got.warnings().contains("20 unit(s) MORE than ordered"));
    let status: String = store
        .conn
        .query_row(
            "SELECT status FROM purchase_orders WHERE id = ?1",
            [po],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "received");
    assert_clean(&store);
}

#[test]
fn a_generic_prescription_is_planned_on_the_allowed_product_the_ward_holds() {
    use wardstock::ops::rx::{self, Decision, NewRx};
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    // A ward that holds one tablet strength of a drug and not the other.
    let (ward, absent, held, atc): (String, String, String, String) = store
        .conn
        .query_row(
            "SELECT w.code, a.code, b.code, a.atc FROM items a JOIN items b ON b.atc = a.atc AND b.id <> a.id
               AND COALESCE(b.strength_unit, '') = COALESCE(a.strength_unit, '') AND a.form IN ('tablet', 'capsule')
               AND b.form IN ('tablet', 'capsule')
             JOIN places w ON w.kind = 'ward'
             WHERE NOT EXISTS (SELECT 1 FROM balances x WHERE x.place_id = w.id AND x.item_id = a.id AND x.qty > 0)
               AND EXISTS (SELECT 1 FROM balances x WHERE x.place_id = w.id AND x.item_id = b.id AND x.qty > 0 AND x.status = 'ok')
             ORDER BY w.code, a.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("a ward holding one strength only");
    let mrn = patient_on(&store, &ward);
    let strength: i64 = store
        .conn
        .query_row(
            "SELECT strength_milli FROM items WHERE code = ?1",
            [&held],
            |r| r.get(0),
        )
        .unwrap();
    let new = NewRx {
        generic_atc: Some(atc),
        alternatives: vec![held.clone()],
        ..base_rx(
            &mrn,
            &absent,
            strength,
            Frequency::Bid,
            now - Duration::hours(1),
        )
    };
    let (manager, pharm) = (actor(&store, "manager"), actor(&store, "pharm"));
    let id = rx::prescribe(&mut store, &manager, now, &new).unwrap();
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Accept {
            comment: Some("reviewed".into()),
        },
    )
    .unwrap();
    let problem = plan::build_problem(&store.conn, now, PlanOptions::default()).unwrap();
    let source = format!("RX-{id}");
    let mine: Vec<_> = problem
        .requirements
        .iter()
        .filter(|r| r.source.as_deref() == Some(source.as_str()))
        .collect();
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|r| r.item == held && r.place == ward),
        "{mine:?}"
    );
}

#[test]
fn accepting_a_delivery_the_pharmacy_cannot_pick_says_so() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let s = first(&store, false);
    // Every pharmacy lot of the item held back.
    let lots: Vec<String> = store
        .conn
        .prepare(
            "SELECT DISTINCT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id WHERE p.kind = 'pharmacy' AND i.code = ?1 AND b.qty > 0 AND l.status = 'ok'",
        )
        .unwrap()
        .query_map([&s.item], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pharm = actor(&store, "pharm");
    let item = stock::item_by_code(&store.conn, &s.item).unwrap();
    for lot in &lots {
        stock::quarantine(&mut store, &pharm, now, &item, lot, "temperature excursion").unwrap();
    }
    let a = plan::accept(&mut store, &pharm, now, &s, None, PlanOptions::default()).unwrap();
    assert_eq!(a.cannot_pick, Some(s.qty), "none of it can be picked now");
    let w = a.warning().expect("a warning");
    assert!(w.contains(&s.qty.to_string()), "{w}");
    assert_clean(&store);
}

#[test]
fn the_console_and_the_command_line_show_the_same_plan_without_a_suggestion_rejected_today() {
    use assert_cmd::Command;
    let (_dir, db) = common::demo_db();
    let mut store = Store::open(&db).unwrap();
    let now = chrono::Utc::now();
    let (_, p) = plan::plan_now(&store.conn, now, PlanOptions::default()).unwrap();
    let o = p.planned_orders().next().expect("a suggestion");
    let rejected = Suggestion::from_order(&o, now);
    let pharm = actor(&store, "pharm");
    plan::reject(
        &mut store,
        &pharm,
        now,
        &rejected,
        "ward closing beds this week",
    )
    .unwrap();

    // The console's plan screen.
    let view = wardstock::tui::views::PlanView::load(
        &store.conn,
        chrono::Utc::now(),
        PlanOptions::default(),
    )
    .unwrap();
    let console: Vec<(String, String, i64)> = view
        .rows
        .iter()
        .map(|r| (r.s.place.clone(), r.s.item.clone(), r.s.qty))
        .collect();
    // `wardstock plan --json`.
    let out = Command::cargo_bin("wardstock")
        .unwrap()
        .env_remove("WARDSTOCK_LANG")
        .arg("--db")
        .arg(&db)
        .args(["plan", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let cli: Vec<(String, String, i64)> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["place"].as_str().unwrap().to_string(),
                s["item"].as_str().unwrap().to_string(),
                s["qty"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(!console.is_empty());
    assert_eq!(
        console, cli,
        "both faces show the same suggestions in the same order"
    );
    let is_rejected = |l: &(String, String, i64)| l.0 == rejected.place && l.1 == rejected.item;
    assert!(
        !console.iter().any(is_rejected),
        "the console hides the rejected suggestion"
    );
    assert!(
        !cli.iter().any(is_rejected),
        "wardstock plan hides the rejected suggestion"
    );
    assert!(v["rejected"].as_u64() >= Some(1));
    let orders = v["planned_orders"].as_array().unwrap();
    assert!(
        !orders
            .iter()
            .any(|o| o["place"] == rejected.place.as_str() && o["item"] == rejected.item.as_str()),
        "nor among the planned orders"
    );
    assert_eq!(orders.len(), cli.len());
}
