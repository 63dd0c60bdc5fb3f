//! Therapeutic substitutes: the pharmacist's list, its use for one
//! prescription at the bedside at the substitute's own strength, and
//! `find` offering it when the item is short.

mod common;

use chrono::{DateTime, Duration, Utc};
use predicates::prelude::*;
use wardstock::domain::schedule::Frequency;
use wardstock::domain::seven_rights::Failure;
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::rx::{self, Decision, NewRx};
use wardstock::ops::stock::item_by_code;
use wardstock::ops::substitutes::{self as subs, SubstituteError};
use wardstock::store::Store;

use common::{actor, base_rx, patient_on};

fn active(store: &mut Store, rx: &NewRx, now: DateTime<Utc>) -> i64 {
    let id = rx::prescribe(store, &actor(store, "manager"), now, rx).unwrap();
    let decision = Decision::Accept { comment: None };
    rx::validate(store, &actor(store, "pharm"), now, id, &decision).unwrap();
    id
}

#[test]
fn an_approved_substitute_is_given_at_its_own_strength_once_allowed_for_the_prescription() {
    let (_dir, mut store) = common::open_demo();
    // From an empty list (the demo approves a few).
    store.conn.execute("DELETE FROM substitutes", []).unwrap();
    let now = common::anchor();
    // A ward holding two strengths of one drug, the weaker a divisor of the stronger.
    let (ward, strong, weak): (String, String, String) = store
        .conn
        .query_row(
            "SELECT w.code, b.code, a.code
             FROM items a JOIN items b ON b.atc = a.atc AND b.id <> a.id AND b.strength_milli > a.strength_milli
                  AND b.strength_milli % a.strength_milli = 0 AND b.strength_unit = a.strength_unit AND b.form = a.form
             JOIN places w ON w.kind = 'ward'
             WHERE a.in_use_days IS NULL AND a.controlled = 0 AND b.controlled = 0 AND a.high_alert = 0 AND b.high_alert = 0
               AND (SELECT SUM(qty) FROM balances x WHERE x.place_id = w.id AND x.item_id = a.id AND x.status = 'ok' AND x.expiry > '2027-01-01') >= 10
             ORDER BY w.code, a.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("two strengths of one drug");
    let (strong_item, weak_item) = (
        item_by_code(&store.conn, &strong).unwrap(),
        item_by_code(&store.conn, &weak).unwrap(),
    );
    let strength = |code: &str| -> i64 {
        store
            .conn
            .query_row(
                "SELECT strength_milli FROM items WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .unwrap()
    };
    let ratio = strength(&strong) / strength(&weak);
    let mrn = patient_on(&store, &ward);
    let rx = base_rx(
        &mrn,
        &strong,
        strength(&strong),
        Frequency::Qid,
        now - Duration::hours(1),
    );
    let id = active(&mut store, &rx, now);
    let due = common::due(&store, id, 2);
    let lot: String = store
        .conn
        .query_row(
            "SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN places w ON w.id = b.place_id
             WHERE w.code = ?1 AND b.item_id = ?2 AND b.status = 'ok' AND b.expiry > '2027-01-01' ORDER BY b.qty DESC LIMIT 1",
            rusqlite::params![ward, weak_item.id],
            |r| r.get(0),
        )
        .unwrap();
    let dose = |units: i64, at| DoseInput {
        rx_id: id,
        scheduled_at: Some(at),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.clone()),
        patient_dob: None,
        pack: Some((weak_item.id, lot.clone())),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        route_confirmed: true,
        timing_reason: None,
        reason: None,
        witness: None,
        double_check: None,
    };
    let nurse = actor(&store, "nurse");
    // Before any approval, the weaker product is the wrong drug.
    let e = mar::administer(&mut store, &nurse, due[0], &dose(ratio, due[0])).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.contains(&Failure::Drug)),
        "{e:?}"
    );
    assert!(!subs::listed_for(&store.conn, strong_item.id, weak_item.id).unwrap());
    // Not on the list: the prescription cannot be allowed it.
    let pharm = actor(&store, "pharm");
    let e = subs::allow_for_prescription(&mut store, &pharm, now, id, &weak_item, "out of stock")
        .unwrap_err();
    assert!(matches!(e, SubstituteError::NotListed { .. }), "{e}");
    // Only a pharmacist approves; then the list holds it with its conversion.
    let e = subs::add_substitute(
        &mut store,
        &nurse,
        now,
        &strong_item,
        &weak_item,
        false,
        None,
    )
    .unwrap_err();
    assert!(matches!(e, SubstituteError::Forbidden(_)), "{e}");
    subs::add_substitute(
        &mut store,
        &pharm,
        now,
        &strong_item,
        &weak_item,
        false,
        None,
    )
    .unwrap();
    let list = subs::substitutes(&store.conn, Some(&strong_item)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].per_unit, Some(ratio as f64));
    // The bedside names the way to give it: a listed substitute, one way only.
    assert!(subs::listed_for(&store.conn, strong_item.id, weak_item.id).unwrap());
    assert!(!subs::listed_for(&store.conn, weak_item.id, strong_item.id).unwrap());
    // On the list, but not yet allowed for this prescription: still refused.
    let e = mar::administer(&mut store, &nurse, due[0], &dose(ratio, due[0])).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.contains(&Failure::Drug)),
        "{e:?}"
    );
    // A reason is required; then the prescription allows it.
    let e = subs::allow_for_prescription(&mut store, &pharm, now, id, &weak_item, " ").unwrap_err();
    assert!(matches!(e, SubstituteError::ReasonNeeded), "{e}");
    subs::allow_for_prescription(&mut store, &pharm, now, id, &weak_item, "out of stock").unwrap();
    let recorded: (String, i64) = store
        .conn
        .query_row(
            "SELECT reason, approved_by FROM prescription_substitutions WHERE prescription_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(recorded, ("out of stock".to_string(), pharm.user_id));
    // Counted at its own strength: one unit is too little, `ratio` units make the dose.
    let e = mar::administer(&mut store, &nurse, due[0], &dose(1, due[0])).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.iter().any(|x| matches!(x, Failure::Dose { .. }))),
        "{e:?}"
    );
    mar::administer(&mut store, &nurse, due[0], &dose(ratio, due[0])).unwrap();
    // The prescribed product is still allowed.
    assert_eq!(
        rx::allowed_products(&store.conn, id).unwrap(),
        vec![strong_item.id, weak_item.id]
    );
    common::assert_clean(&store);
}

#[test]
fn another_substance_needs_an_alternative_with_a_note_and_strengths_that_convert() {
    let (_dir, db) = common::demo_db();
    // From an empty list (the demo approves a few).
    Store::open(&db)
        .unwrap()
        .conn
        .execute("DELETE FROM substitutes", [])
        .unwrap();
    let run = |args: &[&str]| {
        let mut c = common::cli(&db);
        c.args(args);
        c
    };
    run(&["substitute", "add", "PARA1GT", "IBU400T", "--user", "pharm"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not the same substance"));
    run(&[
        "substitute",
        "add",
        "PARA1GT",
        "IBU400T",
        "--user",
        "pharm",
        "--alternative",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("--note"));
    run(&["substitute", "add", "PARA1GT", "PARA1GT", "--user", "pharm"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("its own substitute"));
    run(&[
        "substitute",
        "add",
        "PARA1GT",
        "PARA500T",
        "--user",
        "pharm",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("2 tablet"));
    run(&["substitute", "list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"per_unit\": 2.0"));
    // `find` offers it when the item is asked for.
    run(&["find", "PARA1GT", "--for", "W-GER"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Approved substitutes of PARA1GT"))
        .stdout(predicate::str::contains("PARA500T"));
    run(&["--lang", "zh-CN", "find", "PARA1GT", "--for", "W-GER"])
        .assert()
        .success()
        .stdout(predicate::str::contains("的已批准替代品"));
    run(&[
        "substitute",
        "remove",
        "PARA1GT",
        "PARA500T",
        "--user",
        "pharm",
    ])
    .assert()
    .success();
    run(&["substitute", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No approved substitutes"));
    run(&[
        "substitute",
        "remove",
        "PARA1GT",
        "PARA500T",
        "--user",
        "pharm",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("not an approved substitute"));
}

/// The bedside offers the approved substitute while the prescribed item has
/// no usable unit on the ward: to be allowed by a pharmacist, then allowed.
#[test]
fn the_bedside_offers_the_approved_substitute_when_the_ward_has_none_of_the_item() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let today = store.today(now);
    // The demo's W-MED is out of paracetamol 1 g; a prescription for it.
    let (rx_id, ward): (i64, i64) = store
        .conn
        .query_row(
            "SELECT r.id, p.ward_id FROM prescriptions r JOIN items i ON i.id = r.item_id
             JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
             WHERE i.code = 'PARA1GT' AND w.code = 'W-MED' ORDER BY r.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let offer = subs::bedside_offer(&store.conn, rx_id, ward, today)
        .unwrap()
        .expect("an offer on a ward without the item");
    assert_eq!(offer.item, "PARA1GT");
    let sub = offer
        .substitutes
        .iter()
        .find(|s| s.code == "PARA500T")
        .expect("the approved substitute held on the ward");
    assert!(sub.on_ward > 0);
    assert!(!sub.allowed, "not yet allowed for this prescription");
    let pharm = common::actor(&store, "pharm");
    let para500 = item_by_code(&store.conn, "PARA500T").unwrap();
    subs::allow_for_prescription(&mut store, &pharm, now, rx_id, &para500, "none on the ward")
        .unwrap();
    let offer = subs::bedside_offer(&store.conn, rx_id, ward, today)
        .unwrap()
        .unwrap();
    assert!(
        offer
            .substitutes
            .iter()
            .any(|s| s.code == "PARA500T" && s.allowed)
    );
    // Another ward holding paracetamol 1 g: nothing is offered there.
    let stocked: i64 = store
        .conn
        .query_row(
            "SELECT b.place_id FROM balances b JOIN items i ON i.id = b.item_id JOIN places w ON w.id = b.place_id
             WHERE i.code = 'PARA1GT' AND w.kind = 'ward' AND b.status = 'ok' AND b.qty > 0 AND b.expiry > ?1 LIMIT 1",
            [today.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        subs::bedside_offer(&store.conn, rx_id, stocked, today).unwrap(),
        None
    );
}
