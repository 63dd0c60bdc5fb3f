//! Stock operations end to end on the demo clinic: what they write, what
//! they refuse, and that the ledger stays sound after each.

mod common;

use chrono::{Duration, NaiveDate};
use wardstock::domain::roles::Operation;
use wardstock::domain::{LotStatus, Role};
use wardstock::i18n::{self, Lang};
use wardstock::ops::Actor;
use wardstock::ops::items::BadQuantity;
use wardstock::ops::stock::{self, LotUse, ReceiveLine, StockError, WasteReason};
use wardstock::store::{Store, check};

use common::actor;

fn sound(store: &Store) {
    let report = check::run(&store.conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

fn today() -> NaiveDate {
    common::anchor().date_naive()
}

fn qty_at(store: &Store, place: &str, item: &str, lot: &str) -> i64 {
    store
        .conn
        .query_row(
            "SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN places p ON p.id = b.place_id JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
             WHERE p.code = ?1 AND i.code = ?2 AND l.lot_number = ?3",
            [place, item, lot],
            |r| r.get(0),
        )
        .unwrap()
}

fn line(store: &Store, item: &str, lot: &str, expiry: Option<NaiveDate>, qty: i64) -> ReceiveLine {
    ReceiveLine {
        item: stock::item_by_code(&store.conn, item).unwrap(),
        lot_number: lot.into(),
        expiry,
        qty,
        supplier: Some("Pharma Supply".into()),
        order_ref: Some("DN-1".into()),
        location: None,
    }
}

fn rcv(
    store: &mut Store,
    a: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    item: &str,
    lot: &str,
    expiry: Option<NaiveDate>,
    qty: i64,
) -> Result<stock::Received, StockError> {
    let l = line(store, item, lot, expiry, qty);
    stock::receive(store, a, now, &l, 90, None)
}

#[test]
fn receiving_refuses_expired_goods_and_flags_short_dated_ones() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    let ok = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "NEW-1",
        Some(today() + Duration::days(400)),
        200,
    )
    .unwrap();
    assert_eq!(ok.short_dated_days, None);
    assert_eq!(qty_at(&store, "PHARM", "PARA500T", "NEW-1"), 200);
    let short = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "NEW-2",
        Some(today() + Duration::days(45)),
        20,
    )
    .unwrap();
    assert_eq!(short.short_dated_days, Some(45));
    let e = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "OLD-1",
        Some(today() - Duration::days(1)),
        20,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::Expired { lot, expiry, verb: LotUse::Received, .. }
            if lot == "OLD-1" && *expiry == today() - Duration::days(1)),
        "{e}"
    );
    // A medicine without an expiry, or a lot number given a second expiry, is refused.
    let e = rcv(&mut store, &keeper, now, "PARA500T", "NEW-3", None, 20).unwrap_err();
    assert!(matches!(&e, StockError::ExpiryRequired { .. }), "{e}");
    let e = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "NEW-1",
        Some(today() + Duration::days(300)),
        5,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::ExpiryMismatch { lot, given, .. }
            if lot == "NEW-1" && *given == Some(today() + Duration::days(300))),
        "{e}"
    );
    // Wrong role.
    let nurse = actor(&store, "nurse");
    let e = rcv(
        &mut store,
        &nurse,
        now,
        "PARA500T",
        "NEW-9",
        Some(today() + Duration::days(400)),
        5,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::Forbidden(f)
            if f.user == "nurse" && f.role == Role::Nurse && f.op == Operation::Receive),
        "{e}"
    );
    // A rejected line leaves stock untouched.
    {
        let l = line(
            &store,
            "PARA500T",
            "BAD-1",
            Some(today() + Duration::days(400)),
            50,
        );
        stock::reject_receipt(&mut store, &keeper, now, &l, "carton crushed")
    }
    .unwrap();
    assert_eq!(qty_at(&store, "PHARM", "PARA500T", "BAD-1"), 0);
    assert_eq!(qty_at(&store, "PHARM", "PARA500T", "NEW-1"), 200);
    sound(&store);
}

#[test]
fn a_transfer_is_picked_fefo_travels_and_is_received_on_the_ward() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    // Two fresh lots: the earlier-expiring one is the FEFO suggestion.
    rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "LATE",
        Some(today() + Duration::days(900)),
        100,
    )
    .unwrap();
    rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "SOON",
        Some(today() + Duration::days(120)),
        100,
    )
    .unwrap();
    let order = stock::request_transfer(
        &mut store,
        &manager,
        now,
        &ward,
        &[(item.clone(), 40)],
        Some("weekly top-up"),
    )
    .unwrap();
    let o = stock::transfer_order(&store.conn, order, now).unwrap();
    let first = &o.lines[0].suggestions[0];
    let pharm_before: Vec<i64> = stock::lot_stock(&store.conn, 1, item.id)
        .unwrap()
        .iter()
        .map(|l| l.qty)
        .collect();
    assert!(!pharm_before.is_empty());
    // The suggestion is FEFO over all usable pharmacy lots.
    let all = stock::lot_stock(
        &store.conn,
        stock::place_by_code(&store.conn, "PHARM").unwrap().id,
        item.id,
    )
    .unwrap();
    let fefo = wardstock::domain::fefo::fefo_order(&all, today());
    assert_eq!(first.lot_id, fefo[0].lot_id);

    // Scanning the suggested lot: no deviation. Scanning another usable lot: recorded.
    let p1 = stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        &first.lot_number,
        Some(10),
        true,
    )
    .unwrap();
    assert_eq!(p1.deviation_from, None);
    let p2 = stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        "LATE",
        Some(10),
        true,
    )
    .unwrap();
    assert!(p2.deviation_from.is_some());
    assert_eq!(p2.line_open, 20);
    let reason: String = store
        .conn
        .query_row(
            "SELECT reason FROM movements ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.starts_with("picked instead of FEFO lot"), "{reason}");
    assert_eq!(qty_at(&store, "TRANSIT", "PARA500T", "LATE"), 10);

    // The ward cannot receive what has not been dispatched; nothing picked cannot be dispatched.
    let nurse = actor(&store, "nurse");
    assert!(matches!(
        stock::confirm_receipt(&mut store, &nurse, now, order, &Default::default()),
        Err(StockError::NotDispatched { order: o, status }) if o == order && status == "open"
    ));
    let o = stock::dispatch(&mut store, &keeper, now, order, None).unwrap();
    assert_eq!(o.status, "in_transit");
    assert_eq!(o.lines[0].open, 20, "the shortfall is shown on the order");
    // …and goes on a back-order, open for picking, for the same ward.
    let b = o.backorder.expect("a back-order");
    let back = stock::transfer_order(&store.conn, b, now).unwrap();
    assert_eq!(
        (back.status.as_str(), back.to.as_str()),
        ("open", o.to.as_str())
    );
    assert_eq!(
        (back.lines[0].item.code.as_str(), back.lines[0].requested),
        ("PARA500T", 20)
    );
    let e = stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        "LATE",
        Some(1),
        true,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::PickNotOpen { status, .. } if status == "in_transit"),
        "{e}"
    );
    let ward_before = qty_at(&store, "W-MED", "PARA500T", "LATE");
    let got = stock::confirm_receipt(
        &mut store,
        &nurse,
        now + Duration::hours(1),
        order,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(got.iter().map(|t| t.qty).sum::<i64>(), 20);
    assert_eq!(
        qty_at(&store, "W-MED", "PARA500T", "LATE"),
        ward_before + 10
    );
    assert_eq!(qty_at(&store, "TRANSIT", "PARA500T", "LATE"), 0);
    assert_eq!(
        stock::transfer_order(&store.conn, order, now)
            .unwrap()
            .status,
        "received"
    );
    sound(&store);
}

#[test]
fn no_operation_that_supplies_stock_takes_expired_or_quarantined_units() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    let pharmacist = actor(&store, "pharm");
    let manager = actor(&store, "manager");
    let nurse = actor(&store, "nurse");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&store.conn, "IBU400T").unwrap();
    // The only stock: one lot that will be expired, one quarantined.
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    for place in [&pharm, &ward] {
        for l in stock::lot_stock(&store.conn, place.id, item.id).unwrap() {
            let number: String = store
                .conn
                .query_row(
                    "SELECT lot_number FROM lots WHERE id = ?1",
                    [l.lot_id],
                    |r| r.get(0),
                )
                .unwrap();
            stock::waste(
                &mut store,
                &keeper,
                now,
                place,
                &item,
                &number,
                l.qty,
                WasteReason::Other,
                Some("clearing for the test"),
                None,
            )
            .unwrap();
        }
    }
    rcv(
        &mut store,
        &keeper,
        now,
        "IBU400T",
        "EXP-SOON",
        Some(today() + Duration::days(5)),
        30,
    )
    .unwrap();
    rcv(
        &mut store,
        &keeper,
        now,
        "IBU400T",
        "HELD",
        Some(today() + Duration::days(500)),
        30,
    )
    .unwrap();
    stock::quarantine(&mut store, &keeper, now, &item, "HELD", "fridge alarm").unwrap();
    let later = now + Duration::days(10); // EXP-SOON has expired by then
    let order = stock::request_transfer(
        &mut store,
        &manager,
        later,
        &ward,
        &[(item.clone(), 10)],
        None,
    )
    .unwrap();
    let o = stock::transfer_order(&store.conn, order, later).unwrap();
    assert!(
        o.lines[0].suggestions.is_empty(),
        "FEFO suggests nothing usable"
    );
    assert_eq!(o.lines[0].shortfall, 10);
    for lot in ["EXP-SOON", "HELD"] {
        let e =
            stock::pick(&mut store, &keeper, later, order, &item, lot, Some(5), true).unwrap_err();
        assert!(
            matches!(e, StockError::Expired { .. } | StockError::NotUsable { .. }),
            "{lot}: {e}"
        );
    }
    // Move both lots to the ward by a route that is allowed (a return the other way round is not
    // possible, so use today, when EXP-SOON is still good) and try to issue them there later.
    let order2 = stock::request_transfer(
        &mut store,
        &manager,
        now,
        &ward,
        &[(item.clone(), 10)],
        None,
    )
    .unwrap();
    stock::pick(
        &mut store,
        &keeper,
        now,
        order2,
        &item,
        "EXP-SOON",
        Some(10),
        true,
    )
    .unwrap();
    stock::dispatch(&mut store, &keeper, now, order2, None).unwrap();
    stock::confirm_receipt(&mut store, &nurse, now, order2, &Default::default()).unwrap();
    // An expired lot is refused with its number and expiry, in the nurse's language.
    let e = stock::issue(
        &mut store,
        &nurse,
        later,
        &ward,
        &item,
        1,
        Some("EXP-SOON"),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::Expired { lot, verb: LotUse::Issued, .. } if lot == "EXP-SOON"),
        "{e}"
    );
    i18n::set_thread_lang(Lang::ZhCn);
    let zh = e.to_string();
    i18n::set_thread_lang(Lang::En);
    assert!(zh.contains("过期") && zh.contains("EXP-SOON"), "{zh}");
    assert!(e.to_string().contains("expired on"), "{e}");
    for lot in [Some("EXP-SOON"), None] {
        let e =
            stock::issue(&mut store, &nurse, later, &ward, &item, 1, lot, None, None).unwrap_err();
        assert!(
            matches!(e, StockError::Expired { .. } | StockError::NotEnough { .. }),
            "{lot:?}: {e}"
        );
    }
    stock::release(
        &mut store,
        &pharmacist,
        now,
        &item,
        "HELD",
        "fridge log checked: within range",
    )
    .unwrap();
    stock::recall(
        &mut store,
        &pharmacist,
        now,
        &item,
        "HELD",
        "manufacturer recall 2026-17",
    )
    .unwrap();
    let e = stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        "HELD",
        Some(1),
        true,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::NotUsable { lot, status: LotStatus::Recalled, .. } if lot == "HELD"),
        "{e}"
    );
    sound(&store);
}

#[test]
fn issue_waste_and_return_move_the_right_units() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let nurse = actor(&store, "nurse");
    let manager = actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-GER").unwrap();
    // A consumable with stock on the ward.
    let (code, lot, have): (String, String, i64) = store
        .conn
        .query_row(
            "SELECT i.code, l.lot_number, b.qty FROM balances b JOIN items i ON i.id = b.item_id JOIN lots l ON l.id = b.lot_id
             WHERE b.place_id = ?1 AND i.kind = 'consumable' AND b.status = 'ok' AND (b.expiry IS NULL OR b.expiry > '2027-01-01') AND b.qty >= 10
             ORDER BY b.qty DESC LIMIT 1",
            [ward.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let item = stock::item_by_code(&store.conn, &code).unwrap();
    let taken = stock::issue(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        3,
        Some(&lot),
        Some("dressing trolley"),
        None,
    )
    .unwrap();
    assert_eq!(taken[0].qty, 3);
    assert_eq!(qty_at(&store, "W-GER", &code, &lot), have - 3);
    let e = stock::issue(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        have,
        Some(&lot),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e, StockError::NotEnoughInLot { available, .. } if available == have - 3),
        "{e}"
    );
    let e = stock::waste(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        &lot,
        1,
        WasteReason::Damaged,
        None,
        None,
    )
    .map(|_| ());
    // A nurse disposes of a broken ampoule on the ward.
    assert!(e.is_ok(), "{e:?}");
    stock::waste(
        &mut store,
        &manager,
        now,
        &ward,
        &item,
        &lot,
        2,
        WasteReason::Contaminated,
        Some("dropped"),
        None,
    )
    .unwrap();
    let pharm_before = qty_at(&store, "PHARM", &code, &lot);
    stock::return_to_pharmacy(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        &lot,
        1,
        "overstocked",
        None,
    )
    .unwrap();
    assert_eq!(qty_at(&store, "W-GER", &code, &lot), have - 7);
    assert_eq!(qty_at(&store, "PHARM", &code, &lot), pharm_before + 1);
    assert!(
        matches!(
            stock::issue(&mut store, &nurse, now, &ward, &item, 0, None, None, None),
            Err(StockError::Quantity(BadQuantity::NotPositive(0)))
        ),
        "zero is refused"
    );
    sound(&store);
}

#[test]
fn a_recall_blocks_every_unit_everywhere_and_says_where_they_are() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let pharmacist = actor(&store, "pharm");
    let keeper = actor(&store, "store");
    // A lot held in more than one place.
    let (code, lot): (String, String) = store
        .conn
        .query_row(
            "SELECT i.code, l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
             WHERE b.status = 'ok' GROUP BY b.lot_id HAVING count(*) >= 2 ORDER BY b.lot_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let item = stock::item_by_code(&store.conn, &code).unwrap();
    let e = stock::recall(&mut store, &keeper, now, &item, &lot, "x").unwrap_err();
    assert!(matches!(&e, StockError::Forbidden(f) if f.op == Operation::Recall));
    let where_ = stock::recall(
        &mut store,
        &pharmacist,
        now,
        &item,
        &lot,
        "manufacturer notice",
    )
    .unwrap();
    assert!(where_.len() >= 2);
    let statuses: Vec<String> = store
        .conn
        .prepare("SELECT b.status FROM balances b JOIN lots l ON l.id = b.lot_id WHERE l.lot_number = ?1")
        .unwrap()
        .query_map([&lot], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(statuses.iter().all(|s| s == LotStatus::Recalled.as_ref()));
    let e = stock::release(&mut store, &pharmacist, now, &item, &lot, "mistake").unwrap_err();
    assert!(
        matches!(&e, StockError::RecalledNotReleased { lot: l } if *l == lot),
        "{e}"
    );
    let events: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM lot_events WHERE action = 'recall'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 1);
    sound(&store);
}

#[test]
fn a_stocktake_adjusts_variances_and_refuses_when_stock_moved_since_counting() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = actor(&store, "manager");
    let nurse = actor(&store, "nurse");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let id = stock::start_stocktake(&mut store, &manager, now, &ward, "glove", None).unwrap();
    let st = stock::stocktake(&store.conn, id).unwrap();
    assert!(!st.lines.is_empty());
    assert!(
        st.lines
            .iter()
            .all(|l| l.item_name.to_lowercase().contains("glove"))
    );
    let e = stock::start_stocktake(&mut store, &manager, now, &ward, "", None).unwrap_err();
    assert!(
        matches!(&e, StockError::StocktakeOpen { id: open, .. } if *open == id),
        "{e}"
    );
    // Not all counted: refused.
    let e = stock::approve_stocktake(&mut store, &manager, now, id, None).unwrap_err();
    assert!(
        matches!(&e, StockError::NotCounted(lines) if lines.len() == st.lines.len()),
        "{e}"
    );
    let mut expected_after = Vec::new();
    for (k, l) in st.lines.iter().enumerate() {
        let item = stock::item_by_code(&store.conn, &l.item_code).unwrap();
        let counted = if k == 0 { l.expected - 2 } else { l.expected };
        stock::count(&mut store, &nurse, now, id, &item, &l.lot_number, counted).unwrap();
        expected_after.push((l.item_code.clone(), l.lot_number.clone(), counted));
    }
    // Someone uses a glove from a counted lot before approval: refused, recount that line.
    let first = &st.lines[0];
    let item = stock::item_by_code(&store.conn, &first.item_code).unwrap();
    stock::issue(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        1,
        Some(&first.lot_number),
        None,
        None,
    )
    .unwrap();
    let e = stock::approve_stocktake(&mut store, &manager, now, id, None).unwrap_err();
    assert!(
        matches!(&e, StockError::MovedSinceCount(lines)
            if *lines == [(first.item_code.clone(), first.lot_number.clone())]),
        "{e}"
    );
    stock::count(
        &mut store,
        &nurse,
        now,
        id,
        &item,
        &first.lot_number,
        first.expected - 3,
    )
    .unwrap();
    expected_after[0].2 = first.expected - 3;
    // A nurse may count but not approve.
    assert!(matches!(
        stock::approve_stocktake(&mut store, &nurse, now, id, None),
        Err(StockError::Forbidden { .. })
    ));
    stock::approve_stocktake(&mut store, &manager, now, id, None).unwrap();
    for (code, lot, q) in expected_after {
        assert_eq!(qty_at(&store, "W-MED", &code, &lot), q, "{code} {lot}");
    }
    let adjustments: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM movements WHERE kind = 'adjustment' AND order_ref = ?1",
            [format!("ST-{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(adjustments, 1);
    sound(&store);
}

#[test]
fn a_short_dated_delivery_larger_than_the_use_is_flagged_as_projected_waste() {
    use wardstock::domain::alerts::{AlertConfig, AlertKind};
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "TOO-MANY",
        Some(today() + Duration::days(20)),
        5000,
    )
    .unwrap();
    let rows =
        wardstock::store::queries::alert_rows(&store.conn, None, today(), &AlertConfig::default())
            .unwrap();
    let w = rows
        .iter()
        .find(|r| {
            r.lot.as_deref() == Some("TOO-MANY")
                && matches!(r.alert.kind, AlertKind::ExpiryWaste { .. })
        })
        .expect("a waste warning");
    let AlertKind::ExpiryWaste { units, days_left } = w.alert.kind else {
        unreachable!()
    };
    assert_eq!(days_left, 20);
    assert!(units > 4000 && units <= 5000, "{units}");
    assert_eq!(w.alert.value_cents, units * 3, "paracetamol at 3 cents");
    assert!(
        w.message
            .contains("will expire before use at the current rate"),
        "{}",
        w.message
    );
}

#[test]
fn goods_in_transit_and_held_lots_are_handled_only_on_their_order() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let keeper = actor(&store, "store");
    let manager = actor(&store, "manager");
    let nurse = actor(&store, "nurse");
    let pharmacist = actor(&store, "pharm");
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "A-1",
        Some(today() + Duration::days(30)),
        100,
    )
    .unwrap();
    rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "B-1",
        Some(today() + Duration::days(600)),
        100,
    )
    .unwrap();
    let order = stock::request_transfer(
        &mut store,
        &manager,
        now,
        &ward,
        &[(item.clone(), 20)],
        None,
    )
    .unwrap();
    stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        "A-1",
        Some(20),
        true,
    )
    .unwrap();
    // Nothing is issued, disposed of or counted in transit, nor issued at the pharmacy.
    let transit = stock::place_by_code(&store.conn, "TRANSIT").unwrap();
    let pharm = stock::place_by_code(&store.conn, "PHARM").unwrap();
    let e = stock::issue(
        &mut store,
        &nurse,
        now,
        &transit,
        &item,
        1,
        Some("A-1"),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::IssueNotOnWard(p) if p == "TRANSIT"),
        "{e}"
    );
    let e = stock::waste(
        &mut store,
        &manager,
        now,
        &transit,
        &item,
        "A-1",
        1,
        WasteReason::Damaged,
        None,
        None,
    )
    .unwrap_err();
    assert!(matches!(&e, StockError::InTransit), "{e}");
    assert!(matches!(
        stock::issue(&mut store, &nurse, now, &pharm, &item, 1, None, None, None),
        Err(StockError::IssueNotOnWard(p)) if p == "PHARM"
    ));
    // The picked lot is recalled before dispatch: it may not leave; unpick, pick another.
    stock::recall(
        &mut store,
        &pharmacist,
        now,
        &item,
        "A-1",
        "supplier notice",
    )
    .unwrap();
    let e = stock::dispatch(&mut store, &keeper, now, order, None).unwrap_err();
    assert!(
        matches!(&e, StockError::PickedLotUnusable { order: o, lot, cause, .. }
            if *o == order && lot == "A-1"
                && matches!(**cause, StockError::NotUsable { status: LotStatus::Recalled, .. })),
        "{e}"
    );
    let back = stock::unpick(&mut store, &keeper, now, order, &item, "A-1").unwrap();
    assert_eq!(back.qty, 20);
    assert_eq!(qty_at(&store, "TRANSIT", "PARA500T", "A-1"), 0);
    stock::pick(
        &mut store,
        &keeper,
        now,
        order,
        &item,
        "B-1",
        Some(20),
        true,
    )
    .unwrap();
    stock::dispatch(&mut store, &keeper, now, order, None).unwrap();
    // Quarantined on the way: received blocked, with a warning for the ward.
    stock::quarantine(
        &mut store,
        &keeper,
        now,
        &item,
        "B-1",
        "temperature log lost",
    )
    .unwrap();
    let got = stock::confirm_receipt(&mut store, &nurse, now, order, &Default::default()).unwrap();
    assert_eq!(
        got[0].warning,
        Some(wardstock::domain::fefo::LotProblem::Quarantined),
        "the ward is told to set the held lot aside"
    );
    // Absurd quantities are refused before they can overflow anything.
    let e = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "HUGE",
        Some(today() + Duration::days(600)),
        4_000_000_000_000_000_000,
    )
    .unwrap_err();
    assert!(
        matches!(&e, StockError::Quantity(BadQuantity::TooLarge(_))),
        "{e}"
    );
    sound(&store);
}

#[test]
fn a_trace_names_every_patient_who_received_the_lot_and_where_the_rest_is() {
    let (_dir, store) = common::open_demo();
    // A lot given to patients in the demo's last two days.
    let (lot, item, patients, units): (String, String, i64, i64) = store
        .conn
        .query_row(
            "SELECT l.lot_number, i.code, count(DISTINCT m.patient_id), sum(m.qty) FROM movements m JOIN lots l ON l.id = m.lot_id JOIN items i ON i.id = m.item_id
             WHERE m.kind = 'administration' AND m.patient_id IS NOT NULL GROUP BY m.lot_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let item = stock::item_by_code(&store.conn, &item).unwrap();
    let traces = stock::trace(&store.conn, &lot, Some(&item)).unwrap();
    assert_eq!(traces.len(), 1);
    let t = &traces[0];
    let mrns: std::collections::HashSet<&str> = t.given.iter().map(|g| g.mrn.as_str()).collect();
    assert_eq!(mrns.len() as i64, patients);
    assert_eq!(t.given.iter().map(|g| g.qty).sum::<i64>(), units);
    assert!(
        t.given
            .iter()
            .all(|g| g.order_ref.as_deref().is_some_and(|r| r.starts_with("RX-")))
    );
    let on_hand: i64 = store
        .conn
        .query_row("SELECT COALESCE(sum(b.qty), 0) FROM balances b JOIN lots l ON l.id = b.lot_id WHERE l.lot_number = ?1 AND l.item_id = ?2", rusqlite::params![lot, item.id], |r| r.get(0))
        .unwrap();
    assert_eq!(t.holdings.iter().map(|h| h.qty).sum::<i64>(), on_hand);
    assert!(matches!(
        stock::trace(&store.conn, "NO-SUCH-LOT", None),
        Err(StockError::UnknownLotNumber(l)) if l == "NO-SUCH-LOT"
    ));
}

#[test]
fn an_expired_lot_is_refused_as_expired_whatever_the_quantity_picked() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    // A lot at the pharmacy that expired before the ward would get it.
    let (code, lot): (String, String) = store
        .conn
        .query_row(
            "SELECT i.code, l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = l.item_id
             JOIN places p ON p.id = b.place_id
             WHERE p.kind = 'pharmacy' AND b.qty > 0 AND l.status = 'ok' AND l.expiry < ?1 AND i.units_per_pack > 1 LIMIT 1",
            [now.date_naive().to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an expired lot at the pharmacy");
    let item = stock::item_by_code(&store.conn, &code).unwrap();
    let ward = stock::place_by_code(&store.conn, "W-MED").unwrap();
    let manager = actor(&store, "manager");
    // Less than a pack is open: the pack-size rule would speak first.
    let order =
        stock::request_transfer(&mut store, &manager, now, &ward, &[(item.clone(), 1)], None)
            .unwrap();
    let keeper = actor(&store, "store");
    let e = stock::pick(&mut store, &keeper, now, order, &item, &lot, None, true).unwrap_err();
    assert!(matches!(e, StockError::Expired { .. }), "{e:?}");
}

#[test]
fn a_retired_item_is_no_longer_received() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let admin = actor(&store, "admin");
    wardstock::ops::refdata::item_retire(&mut store, &admin, now, "PARA500T").unwrap();
    let keeper = actor(&store, "store");
    let e = rcv(
        &mut store,
        &keeper,
        now,
        "PARA500T",
        "NEW-1",
        NaiveDate::from_ymd_opt(2029, 1, 31),
        20,
    )
    .unwrap_err();
    assert!(matches!(&e, StockError::Retired { .. }), "{e:?}");
    i18n::set_thread_lang(Lang::ZhCn);
    assert!(e.to_string().contains("停用"), "{e}");
    i18n::set_thread_lang(Lang::En);
    // Other items are received as before.
    assert!(
        rcv(
            &mut store,
            &keeper,
            now,
            "IBU400T",
            "NEW-2",
            NaiveDate::from_ymd_opt(2029, 1, 31),
            20
        )
        .is_ok()
    );
}

#[test]
fn nothing_is_sent_to_a_closed_ward() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let admin = actor(&store, "admin");
    use wardstock::ops::refdata;
    refdata::place_add(
        &mut store,
        &admin,
        now,
        "W-OLD",
        "Old annex",
        wardstock::domain::PlaceKind::Ward,
        10,
    )
    .unwrap();
    refdata::place_close(&mut store, &admin, now, "W-OLD").unwrap();
    let ward = stock::place_by_code(&store.conn, "W-OLD").unwrap();
    let item = stock::item_by_code(&store.conn, "PARA500T").unwrap();
    let manager = actor(&store, "manager");
    let e =
        stock::request_transfer(&mut store, &manager, now, &ward, &[(item, 20)], None).unwrap_err();
    assert!(
        matches!(&e, StockError::PlaceClosed(code) if code == "W-OLD"),
        "{e:?}"
    );
    i18n::set_thread_lang(Lang::ZhCn);
    assert!(e.to_string().contains("已关闭"), "{e}");
    i18n::set_thread_lang(Lang::En);
}
