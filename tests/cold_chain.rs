//! The cold chain: a fridge's readings raise an excursion, which holds the
//! stock of that fridge (and nothing else) until a pharmacist releases it
//! or disposes of it; held stock leaves by no path.

mod common;

use chrono::{DateTime, Duration, Utc};
use wardstock::domain::alerts::{AlertConfig, AlertKind};
use wardstock::domain::cold::{BadLine, Cause};
use wardstock::domain::schedule::Frequency;
use wardstock::ops::cold::{self, ColdError, HandReading};
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::rx::{self, Decision, NewRx};
use wardstock::ops::stock::{self, Relocation, StockError, WasteReason};
use wardstock::store::{Store, queries};

use common::console::Console;
use common::{actor, anchor, assert_clean};
use crossterm::event::KeyCode;
use wardstock::domain::roles::Operation;
use wardstock::i18n::Lang;
use wardstock::tui::popups::Popup;

const WARD: &str = "W-SUR";
const FRIDGE: &str = "W-SUR/FRIDGE";

fn hand<'a>(current: &'a str, max: Option<&'a str>, at: DateTime<Utc>) -> HandReading<'a> {
    HandReading {
        current,
        min: None,
        max,
        at: Some(at),
    }
}

/// A nurse's two readings on the round: in range, then back in range with
/// a maximum of 11 °C since — two hours out of range, an excursion.
fn warm_night(store: &mut Store, location: &str) -> cold::Recorded {
    let nurse = actor(store, "nurse");
    let now = anchor();
    let first = cold::record_reading(
        store,
        &nurse,
        now,
        location,
        &hand("5.0", None, now - Duration::hours(2)),
    )
    .unwrap();
    assert!(first.raised.is_empty());
    cold::record_reading(
        store,
        &nurse,
        now,
        location,
        &hand("5.5", Some("11.0"), now),
    )
    .unwrap()
}

/// (item code, lot number, units) at a place's location.
fn stock_at(store: &Store, place: &str, location: &str) -> Vec<(String, String, i64)> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT i.code, l.lot_number, b.qty FROM location_balances b JOIN places p ON p.id = b.place_id
             JOIN locations lo ON lo.id = b.location_id JOIN items i ON i.id = b.item_id JOIN lots l ON l.id = b.lot_id
             WHERE p.code = ?1 AND lo.code = ?2 AND b.qty > 0 ORDER BY i.code, l.lot_number",
        )
        .unwrap();
    stmt.query_map([place, location], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// (location "PLACE/CODE", item code, lot number) of every open hold.
fn holds(store: &Store) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = cold::held_lots(&store.conn, None)
        .unwrap()
        .into_iter()
        .map(|h| (h.location, h.item_code, h.lot))
        .collect();
    v.sort();
    v
}

fn place(store: &Store, code: &str) -> stock::PlaceRef {
    stock::place_by_code(&store.conn, code).unwrap()
}

fn item(store: &Store, code: &str) -> stock::ItemRef {
    stock::item_by_code(&store.conn, code).unwrap()
}

fn is_held(e: &StockError, lot: &str) -> bool {
    matches!(e, StockError::ColdHeld { lot: l, .. } if l == lot)
}

#[test]
fn readings_within_range_raise_nothing() {
    let (_d, mut store) = common::open_demo();
    let before = holds(&store);
    let nurse = actor(&store, "nurse");
    for (h, t) in [(6, "4.1"), (4, "5.0"), (2, "7.9"), (0, "2.0")] {
        let at = anchor() - Duration::hours(h);
        let done = cold::record_reading(
            &mut store,
            &nurse,
            anchor(),
            FRIDGE,
            &HandReading {
                current: t,
                min: Some("2.0"),
                max: Some("8.0"),
                at: Some(at),
            },
        )
        .unwrap();
        assert!(done.raised.is_empty(), "{t}: {:?}", done.raised);
    }
    assert_eq!(holds(&store), before);
    let status = cold::status(&store.conn, Some(WARD), anchor()).unwrap();
    let fridge = status.iter().find(|s| s.location.code == "FRIDGE").unwrap();
    assert_eq!(fridge.state, cold::ColdState::Ok);
    assert!(fridge.held.is_empty());
}

#[test]
fn an_excursion_holds_exactly_that_locations_stock_and_nothing_else() {
    let (_d, mut store) = common::open_demo();
    let before = holds(&store);
    let in_fridge = stock_at(&store, WARD, "FRIDGE");
    assert!(!in_fridge.is_empty());
    let done = warm_night(&mut store, FRIDGE);
    assert_eq!(done.raised.len(), 1);
    let ex = &done.raised[0];
    assert_eq!(ex.cause, Cause::OutOfRange);
    assert_eq!(ex.minutes, 120);
    assert_eq!(ex.peak_tenths, Some(110));
    assert_eq!(ex.held, in_fridge);
    // Exactly the fridge's lots are held, there; the holds before are unchanged.
    let mut expected = before.clone();
    expected.extend(
        in_fridge
            .iter()
            .map(|(i, l, _)| (FRIDGE.to_string(), i.clone(), l.clone())),
    );
    expected.sort();
    assert_eq!(holds(&store), expected);
    // The same lot elsewhere stays usable: the pharmacy sends it out.
    let (code, lot, _) = in_fridge
        .iter()
        .find(|(i, l, _)| {
            stock_at(&store, "PHARM", "FRIDGE")
                .iter()
                .any(|(pi, pl, q)| pi == i && pl == l && *q > 0)
        })
        .expect("a lot of the ward's fridge is in the pharmacy's fridge too")
        .clone();
    let manager = actor(&store, "manager");
    let (med, it, keeper) = (
        place(&store, "W-MED"),
        item(&store, &code),
        actor(&store, "store"),
    );
    let order = stock::request_transfer(
        &mut store,
        &manager,
        anchor(),
        &med,
        &[(it.clone(), 1)],
        None,
    )
    .unwrap();
    let picked = stock::pick(
        &mut store,
        &keeper,
        anchor(),
        order,
        &it,
        &lot,
        Some(1),
        false,
    )
    .unwrap();
    assert_eq!(picked.qty, 1);
    // The alert list shows each held lot, with the excursion.
    let alerts = queries::alerts(
        &store.conn,
        Some(place(&store, WARD).id),
        store.today(anchor()),
        &AlertConfig::default(),
    )
    .unwrap();
    let cold_alerts: Vec<_> = alerts
        .iter()
        .filter(|a| {
            matches!(
                a.kind,
                AlertKind::ColdHeld {
                    minutes: 120,
                    peak_tenths: Some(110)
                }
            )
        })
        .collect();
    assert_eq!(cold_alerts.len(), in_fridge.len());
    assert_clean(&store);
}

#[test]
fn every_path_out_of_the_fridge_refuses_a_held_lot_and_fefo_takes_another() {
    let (_d, mut store) = common::open_demo();
    // A second fridge on the ward: one lot moves there before the excursion.
    let ward_id = place(&store, WARD).id;
    store
        .conn
        .execute(
            "INSERT INTO locations (place_id, code, name, kind) VALUES (?1, 'FRIDGE2', 'Second fridge', 'fridge')",
            [ward_id],
        )
        .unwrap();
    let rocu: Vec<(String, String, i64)> = stock_at(&store, WARD, "FRIDGE")
        .into_iter()
        .filter(|s| s.0 == "ROCU50V")
        .collect();
    assert!(rocu.len() >= 2, "{rocu:?}");
    let (moved, kept) = (rocu[0].1.clone(), rocu[1].1.clone());
    let nurse = actor(&store, "nurse");
    let (ward, rocu_item) = (place(&store, WARD), item(&store, "ROCU50V"));
    stock::relocate(
        &mut store,
        &nurse,
        anchor(),
        &Relocation {
            place: &ward,
            item: &rocu_item,
            lot: &moved,
            from: "FRIDGE",
            to: "FRIDGE2",
            qty: None,
            reason: None,
        },
    )
    .unwrap();
    warm_night(&mut store, FRIDGE);

    // Issue of the held lot.
    let e = stock::issue(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &rocu_item,
        1,
        Some(&kept),
        None,
        None,
    )
    .unwrap_err();
    assert!(is_held(&e, &kept), "{e:?}");
    // FEFO takes the lot in the other fridge, never the held one.
    let taken = stock::issue(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &rocu_item,
        2,
        None,
        None,
        None,
    )
    .unwrap();
    assert!(taken.iter().all(|t| t.lot_number == moved), "{taken:?}");
    let from_fridge: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM movements m JOIN locations l ON l.id = m.from_location_id
             WHERE m.id IN (SELECT value FROM json_each(?1)) AND l.code = 'FRIDGE'",
            [
                serde_json::to_string(&taken.iter().map(|t| t.movement_id).collect::<Vec<_>>())
                    .unwrap(),
            ],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(from_fridge, 0);
    // More than the other fridge holds: not enough usable, though on hand.
    let left = stock_at(&store, WARD, "FRIDGE2")[0].2;
    let e = stock::issue(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &rocu_item,
        left + 1,
        None,
        None,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e, StockError::NotEnough { available, .. } if available == left),
        "{e:?}"
    );
    // Waste and return are no way out either: dispose is the pharmacist's decision.
    let e = stock::waste(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &rocu_item,
        &kept,
        1,
        WasteReason::Damaged,
        None,
        None,
    )
    .unwrap_err();
    assert!(is_held(&e, &kept), "{e:?}");
    let e = stock::return_to_pharmacy(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &rocu_item,
        &kept,
        1,
        "not needed",
        None,
    )
    .unwrap_err();
    assert!(is_held(&e, &kept), "{e:?}");
    // Nor moving it out of the fridge.
    let e = stock::relocate(
        &mut store,
        &nurse,
        anchor(),
        &Relocation {
            place: &ward,
            item: &rocu_item,
            lot: &kept,
            from: "FRIDGE",
            to: "FRIDGE2",
            qty: Some(1),
            reason: None,
        },
    )
    .unwrap_err();
    assert!(is_held(&e, &kept), "{e:?}");
    // The refusal speaks both languages.
    for lang in [wardstock::i18n::Lang::En, wardstock::i18n::Lang::ZhCn] {
        wardstock::i18n::set_thread_lang(lang);
        let text = e.to_string();
        assert!(text.contains(&kept) && text.contains("FRIDGE"), "{text}");
    }
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert_clean(&store);
}

#[test]
fn the_pharmacy_picks_no_held_lot_and_its_pick_list_skips_them() {
    let (_d, mut store) = common::open_demo();
    let in_fridge = stock_at(&store, "PHARM", "FRIDGE");
    warm_night(&mut store, "PHARM/FRIDGE");
    let (code, lot, _) = in_fridge[0].clone();
    let manager = actor(&store, "manager");
    let (ward, it, keeper) = (
        place(&store, WARD),
        item(&store, &code),
        actor(&store, "store"),
    );
    let order = stock::request_transfer(
        &mut store,
        &manager,
        anchor(),
        &ward,
        &[(it.clone(), 1)],
        None,
    )
    .unwrap();
    let list = stock::transfer_order(&store.conn, order, anchor()).unwrap();
    assert!(list.lines[0].suggestions.is_empty(), "{:?}", list.lines[0]);
    let e = stock::pick(
        &mut store,
        &keeper,
        anchor(),
        order,
        &it,
        &lot,
        Some(1),
        false,
    )
    .unwrap_err();
    assert!(is_held(&e, &lot), "{e:?}");
}

#[test]
fn a_held_lot_is_not_given_at_the_bedside() {
    let (_d, mut store) = common::open_demo();
    let now = anchor();
    let adal = stock_at(&store, WARD, "FRIDGE")
        .into_iter()
        .find(|s| s.0 == "ADAL40P")
        .expect("adalimumab in the ward's fridge");
    let mrn = common::patient_on(&store, WARD);
    let new = NewRx {
        route: "SC".into(),
        ..common::base_rx(
            &mrn,
            "ADAL40P",
            40_000,
            Frequency::Qd,
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
        &Decision::Accept { comment: None },
    )
    .unwrap();
    warm_night(&mut store, FRIDGE);
    let due = common::due(&store, id, 1);
    let dose = |pack: Option<(i64, String)>| DoseInput {
        rx_id: id,
        scheduled_at: Some(due[0]),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.clone()),
        patient_dob: None,
        unable_to_scan: pack.is_none().then(|| "SCANNER".to_string()),
        pack,
        pack_expiry: None,
        units: 1,
        route_confirmed: true,
        timing_reason: None,
        reason: None,
        witness: None,
        double_check: None,
    };
    let nurse = actor(&store, "nurse");
    let item_id = item(&store, "ADAL40P").id;
    // The held pack, scanned: refused.
    let e = mar::administer(
        &mut store,
        &nurse,
        due[0],
        &dose(Some((item_id, adal.1.clone()))),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Stock(s) if is_held(s, &adal.1)),
        "{e:?}"
    );
    // Not scanned: FEFO finds no usable pen on the ward.
    let e = mar::administer(&mut store, &nurse, due[0], &dose(None)).unwrap_err();
    assert!(!matches!(e, DoseError::Store(_)), "{e:?}");
    let given: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM movements WHERE kind = 'administration' AND order_ref = ?1",
            [format!("RX-{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(given, 0);
}

#[test]
fn a_release_records_the_excursion_on_the_lot_and_the_stock_is_usable_again() {
    let (_d, mut store) = common::open_demo();
    let in_fridge = stock_at(&store, WARD, "FRIDGE");
    warm_night(&mut store, FRIDGE);
    let (code, lot, _) = in_fridge[0].clone();
    let pharm = actor(&store, "pharm");
    let it = item(&store, &code);
    let e = cold::release(&mut store, &pharm, anchor(), FRIDGE, &it, &lot, "  ").unwrap_err();
    assert!(matches!(e, ColdError::CommentRequired));
    let done = cold::release(
        &mut store,
        &pharm,
        anchor(),
        FRIDGE,
        &it,
        &lot,
        "stable 4 days at 25 °C (SmPC)",
    )
    .unwrap();
    assert_eq!((done.minutes, done.peak_tenths), (120, Some(110)));
    assert_eq!(done.cumulative_minutes, 120);
    let lot_id: i64 = store
        .conn
        .query_row(
            "SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2",
            rusqlite::params![it.id, lot],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cold::cumulative_minutes(&store.conn, lot_id).unwrap(), 120);
    // Usable again: issued from the fridge.
    let (nurse, ward) = (actor(&store, "nurse"), place(&store, WARD));
    stock::issue(
        &mut store,
        &nurse,
        anchor(),
        &ward,
        &it,
        1,
        Some(&lot),
        None,
        None,
    )
    .unwrap();
    // A decision is made once.
    let e = cold::release(&mut store, &pharm, anchor(), FRIDGE, &it, &lot, "again").unwrap_err();
    assert!(matches!(e, ColdError::NotHeld { .. }), "{e:?}");
    // The log shows the excursion and the decision.
    let log = cold::log(&store.conn, FRIDGE, None, None).unwrap();
    assert_eq!(log.readings.len(), 2);
    let hold = log.excursions[0]
        .holds
        .iter()
        .find(|h| h.lot == lot)
        .unwrap();
    assert_eq!(hold.decision.as_deref(), Some("release"));
    assert_eq!(hold.decided_by.as_deref(), Some("pharm"));
    assert_clean(&store);
}

#[test]
fn a_dispose_takes_the_held_stock_out_as_waste() {
    let (_d, mut store) = common::open_demo();
    let in_fridge = stock_at(&store, WARD, "FRIDGE");
    warm_night(&mut store, FRIDGE);
    let (code, lot, qty) = in_fridge[0].clone();
    let pharm = actor(&store, "pharm");
    let it = item(&store, &code);
    let done = cold::dispose(
        &mut store,
        &pharm,
        anchor(),
        FRIDGE,
        &it,
        &lot,
        "no stability data above 8 °C",
        None,
    )
    .unwrap();
    assert_eq!(done.disposed, qty);
    let (kind, reason, q): (String, String, i64) = store
        .conn
        .query_row(
            "SELECT kind, reason, qty FROM movements WHERE id = ?1",
            [done.movement_id.unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((kind.as_str(), q), ("waste", qty));
    assert!(reason.starts_with("cold_chain"), "{reason}");
    assert!(
        !stock_at(&store, WARD, "FRIDGE")
            .iter()
            .any(|s| s.0 == code && s.1 == lot)
    );
    assert!(!holds(&store).iter().any(|h| h.0 == FRIDGE && h.2 == lot));
    assert_clean(&store);
}

#[test]
fn a_nurse_cannot_decide() {
    let (_d, mut store) = common::open_demo();
    let in_fridge = stock_at(&store, WARD, "FRIDGE");
    warm_night(&mut store, FRIDGE);
    let (code, lot, _) = in_fridge[0].clone();
    let it = item(&store, &code);
    for who in ["nurse", "manager", "store", "admin"] {
        let a = actor(&store, who);
        let e =
            cold::release(&mut store, &a, anchor(), FRIDGE, &it, &lot, "looks fine").unwrap_err();
        assert!(matches!(e, ColdError::Forbidden(_)), "{who}: {e:?}");
        let e =
            cold::dispose(&mut store, &a, anchor(), FRIDGE, &it, &lot, "bin it", None).unwrap_err();
        assert!(matches!(e, ColdError::Forbidden(_)), "{who}: {e:?}");
    }
    assert!(holds(&store).iter().any(|h| h.0 == FRIDGE && h.2 == lot));
}

#[test]
fn a_logger_csv_with_a_bad_line_writes_nothing_and_names_the_line() {
    let (_d, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let count = |store: &Store| -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM temperature_readings", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let before = count(&store);
    let csv = "No.;Time;Temperature(°C)\n1;22/11/2026 08:00;4,5\n2;22/11/2026 08:30;hot\n3;22/11/2026 09:00;4,9\n4;31/11/2026 09:30;5,0\n";
    let e =
        cold::import_logger(&mut store, &nurse, anchor(), FRIDGE, "fridge.csv", csv).unwrap_err();
    let ColdError::BadLines { lines, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        lines.iter().map(BadLine::line).collect::<Vec<_>>(),
        vec![3, 5]
    );
    assert!(
        e.to_string().contains("3") && e.to_string().contains("5"),
        "{e}"
    );
    assert_eq!(count(&store), before);
    // Put right, it is imported whole, each reading attributed to the file.
    let csv = csv.replace("hot", "4,7").replace("31/11", "22/11");
    let done =
        cold::import_logger(&mut store, &nurse, anchor(), FRIDGE, "fridge.csv", &csv).unwrap();
    assert_eq!((done.readings, done.already), (4, 0));
    assert!(done.raised.is_empty());
    // Imported again: nothing doubled.
    let again =
        cold::import_logger(&mut store, &nurse, anchor(), FRIDGE, "fridge.csv", &csv).unwrap();
    assert_eq!((again.readings, again.already), (0, 4));
    let log = cold::log(&store.conn, FRIDGE, None, None).unwrap();
    assert!(
        log.readings
            .iter()
            .all(|r| r.file.as_deref() == Some("fridge.csv") && r.user == "nurse")
    );
}

#[test]
fn a_logger_export_that_shows_a_warm_spell_raises_an_excursion() {
    let (_d, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let mut csv = String::from("time,temp\n");
    for k in 0..12 {
        let at = anchor() - Duration::minutes(15 * (12 - k));
        let t = if (4..8).contains(&k) { "9.5" } else { "5.0" };
        csv.push_str(&format!("{},{t}\n", at.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    let done = cold::import_logger(&mut store, &nurse, anchor(), FRIDGE, "log.csv", &csv).unwrap();
    assert_eq!(done.raised.len(), 1);
    assert_eq!(done.raised[0].minutes, 75);
    assert!(!done.raised[0].held.is_empty());
}

#[test]
fn a_missed_round_raises_an_excursion() {
    let (_d, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let last = anchor() - Duration::hours(14);
    cold::record_reading(
        &mut store,
        &nurse,
        anchor(),
        FRIDGE,
        &hand("5.0", None, last),
    )
    .unwrap();
    // Nobody read the fridge on the last round (every 12 hours by default).
    let raised = cold::check_rounds(&mut store, &nurse, anchor(), Some(WARD)).unwrap();
    let ex = raised
        .iter()
        .find(|r| r.location == FRIDGE)
        .expect("the fridge's missed round");
    assert_eq!(ex.cause, Cause::NoReading);
    assert_eq!(ex.start, last + Duration::hours(12));
    assert!(!ex.held.is_empty());
    // The next reading closes it.
    let done = cold::record_reading(
        &mut store,
        &nurse,
        anchor(),
        FRIDGE,
        &hand("5.0", None, anchor()),
    )
    .unwrap();
    let closed = done
        .raised
        .iter()
        .find(|r| r.cause == Cause::NoReading)
        .unwrap();
    assert_eq!(closed.excursion_id, ex.excursion_id);
    assert!(!closed.ongoing);
    assert_eq!(closed.minutes, 120);
}

#[test]
fn the_demo_fridge_is_held_awaiting_a_pharmacist() {
    let (_d, store) = common::open_demo();
    let status = cold::status(&store.conn, None, anchor()).unwrap();
    let warm: Vec<_> = status.iter().filter(|s| !s.held.is_empty()).collect();
    assert_eq!(warm.len(), 1);
    assert_eq!(
        warm[0].location.label(),
        format!("{}/FRIDGE", wardstock::demo::cold::WARD)
    );
    assert_eq!(
        warm[0].held.len(),
        stock_at(&store, wardstock::demo::cold::WARD, "FRIDGE").len()
    );
    let log = cold::log(&store.conn, &warm[0].location.label(), None, None).unwrap();
    assert_eq!(log.readings.len(), 48);
    assert_eq!(log.excursions.len(), 1);
    assert!(log.excursions[0].holds.iter().all(|h| h.decision.is_none()));
}

#[test]
fn finding_stock_for_a_ward_in_need_passes_over_held_units() {
    let (_d, mut store) = common::open_demo();
    let adal = item(&store, "ADAL40P");
    let med = place(&store, "W-MED");
    let before = stock::find_stock(&store.conn, &adal, Some(&med), anchor()).unwrap();
    let in_fridge = |f: &stock::Found| {
        f.holdings
            .iter()
            .any(|u| u.place == WARD && u.location == "FRIDGE")
    };
    assert!(in_fridge(&before), "{before:?}");
    warm_night(&mut store, FRIDGE);
    let after = stock::find_stock(&store.conn, &adal, Some(&med), anchor()).unwrap();
    assert!(!in_fridge(&after), "{after:?}");
    assert!(after.holdings.iter().any(|u| u.place == "PHARM"));
}

#[test]
fn the_console_shows_the_wards_fridges_and_takes_a_reading_on_the_round() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('3'));
        let ward = c.app.cx.current_place().unwrap().code.clone();
        c.typed("rocu50v").key(KeyCode::Enter);
        c.key(KeyCode::F(3));
        let Some(Popup::OpMenu(menu)) = c.app.popup.clone() else {
            panic!("the operations menu:\n{}", c.screen())
        };
        let pos = menu
            .ops
            .iter()
            .position(|o| *o == Operation::ColdReading)
            .unwrap_or_else(|| panic!("the cold chain not offered in {:?}", menu.ops));
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        assert!(
            matches!(c.app.popup, Some(Popup::Cold(_))),
            "{}",
            c.screen()
        );
        let screen = c.screen();
        assert!(
            screen.contains(&ward) && screen.contains("FRIDGE"),
            "{screen}"
        );
        let readings = "SELECT count(*) FROM temperature_readings";
        let before = c.count(readings);
        c.typed("12.5").key(KeyCode::Enter);
        assert_eq!(c.count(readings), before + 1, "{}", c.screen());
        let screen = c.screen();
        let out = wardstock::i18n::text_in(lang, "cold.state.out_of_range");
        assert!(screen.contains(out), "{screen}");
        // A word that is not a temperature is refused and nothing written.
        c.typed("-").key(KeyCode::Enter);
        assert_eq!(c.count(readings), before + 1);
        // Small terminals draw without panicking.
        for (w, h) in [(40, 12), (20, 8), (1, 1), (120, 40)] {
            c.resize(w, h);
            c.screen();
        }
        c.resize(80, 24);
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        assert!(c.app.popup.is_none());
    }
}

/// The binary on a database, in English, every user's PIN the demo's.
fn ws(db: &std::path::Path, args: &[&str]) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_USER")
        .env("WARDSTOCK_LANG", "en")
        .env("NO_COLOR", "1")
        .env("WARDSTOCK_PIN", "1234")
        .timeout(std::time::Duration::from_secs(60))
        .arg("--db")
        .arg(db)
        .args(args);
    c
}

#[test]
fn the_command_line_reads_logs_and_decides() {
    let (_d, db) = common::demo_db();
    let fridge = format!("{}/FRIDGE", wardstock::demo::cold::WARD);
    // The demo's excursion, awaiting a decision, in the report and the status.
    let out = ws(&db, &["cold", "excursions", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["location"], fridge.as_str());
    let lot = list[0]["holds"][0]["lot"].as_str().unwrap().to_string();
    assert!(list[0]["holds"][0]["decision"].is_null());
    let out = ws(
        &db,
        &["cold", "status", "--place", wardstock::demo::cold::WARD],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(&lot), "{text}");
    // A reading typed on the round; a negative one in the freezer.
    ws(
        &db,
        &[
            "cold",
            "read",
            "--location",
            &fridge,
            "--current",
            "5.1",
            "--min",
            "3.0",
            "--max",
            "7.5",
            "--user",
            "nurse",
        ],
    )
    .assert()
    .success();
    let freezer = format!("{}/FREEZER", wardstock::demo::cold::WARD);
    ws(
        &db,
        &[
            "cold",
            "read",
            "--location",
            &freezer,
            "--current",
            "-19.5",
            "--user",
            "nurse",
        ],
    )
    .assert()
    .success();
    // A nurse may not decide; the pharmacist releases with a comment.
    let out = ws(
        &db,
        &[
            "cold",
            "release",
            "--location",
            &fridge,
            "--lot",
            &lot,
            "--comment",
            "ok",
            "--user",
            "nurse",
        ],
    )
    .assert()
    .code(1)
    .get_output()
    .stderr
    .clone();
    assert!(!String::from_utf8(out).unwrap().is_empty());
    let out = ws(
        &db,
        &[
            "cold",
            "release",
            "--location",
            &fridge,
            "--lot",
            &lot,
            "--comment",
            "stable at 25 °C for 4 days",
            "--user",
            "pharm",
        ],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("150 min"), "{text}");
    // A logger file with a bad line: refused, the line named.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logger.csv");
    std::fs::write(
        &file,
        "Time;Temp\n22/11/2026 09:00;4,2\n22/11/2026 09:30;??\n",
    )
    .unwrap();
    let out = ws(
        &db,
        &[
            "cold",
            "import",
            "--location",
            &fridge,
            file.to_str().unwrap(),
            "--user",
            "nurse",
        ],
    )
    .assert()
    .code(1)
    .get_output()
    .stderr
    .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn a_count_corrects_held_stock_and_the_hold_stays() {
    let (_d, mut store) = common::open_demo();
    warm_night(&mut store, FRIDGE);
    let manager = actor(&store, "manager");
    let ward = place(&store, WARD);
    let id =
        stock::start_stocktake(&mut store, &manager, anchor(), &ward, "ADAL40P", None).unwrap();
    let lines = stock::stocktake(&store.conn, id).unwrap().lines;
    assert!(!lines.is_empty());
    let adal = item(&store, "ADAL40P");
    for l in &lines {
        let counted = l.expected - 1;
        stock::count(
            &mut store,
            &manager,
            anchor(),
            id,
            &adal,
            &l.lot_number,
            counted.max(0),
        )
        .unwrap();
    }
    // A missing pen in the held fridge: the count corrects the record there.
    stock::approve_stocktake(&mut store, &manager, anchor(), id, None).unwrap();
    for l in &lines {
        assert!(
            holds(&store)
                .iter()
                .any(|h| h.0 == FRIDGE && h.2 == l.lot_number)
        );
    }
    assert_clean(&store);
}

#[test]
fn ward_stock_counts_held_units_as_on_hand_not_usable_and_marks_their_lots() {
    use wardstock::store::queries;
    let (_dir, store) = common::open_demo();
    let today = store.today(common::anchor());
    let ger: i64 = store
        .conn
        .query_row("SELECT id FROM places WHERE code = 'W-GER'", [], |r| {
            r.get(0)
        })
        .unwrap();
    // The demo's excursion holds the W-GER fridge's stock.
    let held: Vec<(i64, i64)> = {
        let mut st = store
            .conn
            .prepare(
                "SELECT lb.item_id, SUM(lb.qty) FROM cold_holds h JOIN location_balances lb
                   ON lb.location_id = h.location_id AND lb.lot_id = h.lot_id
                 WHERE h.decision IS NULL AND lb.place_id = ?1 GROUP BY lb.item_id",
            )
            .unwrap();
        st.query_map([ger], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(!held.is_empty(), "the demo holds a fridge's stock");
    let lines = queries::stock_lines(&store.conn, ger, today).unwrap();
    for (item, qty) in &held {
        let l = lines.iter().find(|l| l.item_id == *item).unwrap();
        let usable_lots: i64 = queries::item_lots(&store.conn, ger, *item)
            .unwrap()
            .iter()
            .filter(|x| {
                x.status == wardstock::domain::LotStatus::Ok && x.expiry.is_none_or(|e| e >= today)
            })
            .map(|x| x.qty - x.cold_held)
            .sum();
        assert_eq!(l.usable, usable_lots, "{}", l.code);
        assert!(l.on_hand >= *qty);
        let lots = queries::item_lots(&store.conn, ger, *item).unwrap();
        assert_eq!(
            lots.iter().map(|x| x.cold_held).sum::<i64>(),
            *qty,
            "{}",
            l.code
        );
    }
}

#[test]
fn the_console_raises_a_missed_round_by_itself_while_someone_is_signed_in() {
    let fridge = format!("{}/FRIDGE", wardstock::demo::cold::WARD);
    let missed = "SELECT count(*) FROM excursions WHERE cause = 'no_reading'";
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        // The demo fridge's last reading was half an hour before the demo's
        // now, and its round is every 12 hours: on time at sign-in.
        c.sign_in("nurse");
        assert_eq!(c.count(missed), 0, "{lang:?}: on time at sign-in");
        // On time, a later check writes nothing at all.
        let changes = c.app.store().conn.total_changes();
        c.app.tick(anchor() + Duration::minutes(11));
        assert_eq!(c.app.store().conn.total_changes(), changes, "{lang:?}");
        c.sign_out();
        // The administrator takes no readings: nothing is checked for them.
        c.sign_in("admin");
        c.app.tick(anchor() + Duration::hours(13));
        assert_eq!(c.count(missed), 0, "{lang:?}");
        c.sign_out();
        // Thirteen hours on, nobody has read it: the round is missed, seen
        // as the nurse signs in.
        c.sign_in("nurse");
        assert_eq!(c.count(missed), 1, "{lang:?}");
        let status = c.status();
        assert!(status.contains(&fridge), "{lang:?}: {status}");
        assert!(
            c.count("SELECT count(*) FROM cold_holds WHERE decision IS NULL") > 0,
            "{lang:?}: its stock is held"
        );
        // Checked again while the nurse works: the same excursion goes on,
        // and the message line is not taken again.
        c.app.cx.status = None;
        c.app
            .tick(anchor() + Duration::hours(13) + Duration::minutes(11));
        assert_eq!(c.count(missed), 1, "{lang:?}");
        assert!(c.status().is_empty(), "{lang:?}: {}", c.status());
        // Another hour with no reading: still one excursion, now longer.
        c.app
            .tick(anchor() + Duration::hours(14) + Duration::minutes(30));
        assert_eq!(c.count(missed), 1, "{lang:?}");
        assert!(
            c.count("SELECT max(minutes) FROM excursions WHERE cause = 'no_reading'") >= 180,
            "{lang:?}"
        );
    }
}
