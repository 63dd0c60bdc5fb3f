//! A recall's trace accounts for every unit of the lot: to patients, used
//! on wards without a patient, wasted (by reason), missing at stocktakes,
//! and still held.

mod common;

use common::{actor, anchor};
use wardstock::ops::stock::{self, WasteReason};

#[test]
fn every_unit_of_every_lot_is_accounted_for() {
    let (_d, store) = common::open_demo();
    let lots: Vec<(String, String)> = {
        let mut st = store
            .conn
            .prepare("SELECT l.lot_number, i.code FROM lots l JOIN items i ON i.id = l.item_id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(lots.len() > 50);
    let mut without_patient = 0;
    for (lot, code) in &lots {
        let item = stock::item_by_code(&store.conn, code).unwrap();
        for t in stock::trace(&store.conn, lot, Some(&item)).unwrap() {
            let (came, went) = t.account.balances();
            assert_eq!(came, went, "{code} {lot}: {:?}", t.account);
            let held: i64 = t.holdings.iter().map(|h| h.qty).sum();
            assert_eq!(t.account.held, held, "{code} {lot}");
            let given: i64 = t.given.iter().map(|g| g.qty).sum();
            assert_eq!(t.account.to_patients, given, "{code} {lot}");
            without_patient += t.account.without_patient.len();
        }
    }
    // The demo's history uses stock on wards without naming a patient: named as such.
    assert!(without_patient > 0);
}

#[test]
fn waste_and_use_on_the_ward_show_in_the_trace_by_place_and_reason() {
    let (_d, mut store) = common::open_demo();
    let now = anchor();
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let lot: String = store
        .conn
        .query_row(
            "SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
             WHERE b.place_id = ?1 AND b.item_id = ?2 AND b.qty >= 10 AND l.status = 'ok' LIMIT 1",
            [ward.id, item.id],
            |r| r.get(0),
        )
        .unwrap();
    let before = stock::trace(&store.conn, &lot, Some(&item))
        .unwrap()
        .remove(0)
        .account;
    stock::waste(
        &mut store,
        &manager,
        now,
        &ward,
        &item,
        &lot,
        3,
        WasteReason::Damaged,
        Some("torn"),
        None,
    )
    .unwrap();
    stock::issue(
        &mut store,
        &manager,
        now,
        &ward,
        &item,
        4,
        Some(&lot),
        Some("dressing round"),
        None,
    )
    .unwrap();
    let after = stock::trace(&store.conn, &lot, Some(&item))
        .unwrap()
        .remove(0)
        .account;
    let of = |l: &[(String, i64)], k: &str| l.iter().find(|(x, _)| x == k).map_or(0, |(_, q)| *q);
    assert_eq!(
        of(&after.wasted, "damaged"),
        of(&before.wasted, "damaged") + 3
    );
    assert_eq!(
        of(&after.without_patient, "W-MED"),
        of(&before.without_patient, "W-MED") + 4
    );
    assert_eq!(after.held, before.held - 7);
    let (came, went) = after.balances();
    assert_eq!(came, went);
    // The command line says so.
    let out = assert_cmd::Command::cargo_bin("wardstock")
        .unwrap()
        .arg("--db")
        .arg(store.path())
        .env("WARDSTOCK_LANG", "en")
        .args(["trace", "--lot", &lot, "--item", "GLOVE-M"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("damaged") && text.contains("accounted for"),
        "{text}"
    );
}

#[test]
fn a_nurse_disposes_of_stock_on_a_ward_only() {
    use wardstock::ops::stock::StockError;
    let (_d, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let pharmacy = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let item = stock::item_by_code(&store.conn, "GLOVE-M").unwrap();
    let lot: String = store
        .conn
        .query_row(
            "SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
             WHERE b.place_id = ?1 AND b.item_id = ?2 AND b.qty > 0 LIMIT 1",
            [pharmacy.id, item.id],
            |r| r.get(0),
        )
        .unwrap();
    let e = stock::waste(
        &mut store,
        &nurse,
        anchor(),
        &pharmacy,
        &item,
        &lot,
        1,
        WasteReason::Damaged,
        None,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e, StockError::NurseWasteOffWard(ref p) if p == "PHARM"),
        "{e:?}"
    );
}
