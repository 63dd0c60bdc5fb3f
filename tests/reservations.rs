//! Stock held for scheduled cases: a case's kit lowers what is available on
//! its ward, is never picked or issued for anything else, is planned by the
//! MRP on its day, and is consumed (units to the patient) or released.

mod common;

use chrono::Duration;
use wardstock::ops::plan::{PlanOptions, plan_now, sheet};
use wardstock::ops::reservations::{self as res, ReserveError};
use wardstock::ops::stock::{self, StockError};
use wardstock::store::{Store, queries};

/// A non-controlled item the ward holds plenty of, kept out of the demo's case.
fn plentiful(store: &Store, ward: &str) -> (stock::PlaceRef, stock::ItemRef, i64) {
    let place = stock::place_by_code(&store.conn, ward).unwrap();
    let lines = queries::stock_lines(&store.conn, place.id, store.today(common::anchor())).unwrap();
    let line = lines
        .iter()
        .filter(|l| !l.controlled && l.reserved == 0 && l.usable >= 10)
        .max_by_key(|l| l.usable)
        .unwrap();
    let item = stock::item_by_code(&store.conn, &line.code).unwrap();
    (place, item, line.usable)
}

fn line_of(store: &Store, place: i64, item: i64) -> queries::StockLine {
    queries::stock_lines(&store.conn, place, store.today(common::anchor()))
        .unwrap()
        .into_iter()
        .find(|l| l.item_id == item)
        .unwrap()
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_case_lowers_what_is_available_and_nothing_else_takes_it() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = common::actor(&store, "manager");
    let nurse = common::actor(&store, "nurse");
    let (ward, item, usable) = plentiful(&store, "W-MED");
    let mrn = common::patient_on(&store, "W-MED");
    let booked = res::book(
        &mut store,
        &manager,
        now,
        &ward,
        now + Duration::days(2),
        &mrn,
        &[(item.clone(), usable - 1)],
        Some("knee arthroscopy"),
    )
    .unwrap();
    assert!(booked.short.is_empty());
    let line = line_of(&store, ward.id, item.id);
    assert_eq!(line.usable, usable);
    assert_eq!(line.reserved, usable - 1);
    assert_eq!(line.available, 1);

    // An issue for the ward's own use takes only what is free, and says which case holds the rest.
    let err = stock::issue(&mut store, &nurse, now, &ward, &item, 2, None, None, None).unwrap_err();
    match err {
        StockError::Reserved {
            free,
            wanted,
            cases,
            ..
        } => {
            assert_eq!((free, wanted), (1, 2));
            assert_eq!(cases, vec![booked.reference.clone()]);
        }
        e => panic!("{e:?}"),
    }
    stock::issue(&mut store, &nurse, now, &ward, &item, 1, None, None, None).unwrap();
    assert_eq!(line_of(&store, ward.id, item.id).available, 0);

    // An emergency transfer from this ward: the pick list offers nothing
    // held, and picking a held unit is refused naming the case.
    let to = stock::place_by_code(&store.conn, "W-GER").unwrap();
    let order = stock::request_emergency_transfer(
        &mut store,
        &nurse,
        now,
        &ward,
        &to,
        &[(item.clone(), 3)],
        None,
    )
    .unwrap();
    let list = stock::transfer_order(&store.conn, order, now).unwrap();
    let pl = &list.lines[0];
    assert_eq!(pl.reserved, usable - 1);
    assert!(pl.suggestions.is_empty(), "{:?}", pl.suggestions);
    assert_eq!(pl.shortfall, 3);
    let lot: String = queries::item_lots(&store.conn, ward.id, item.id).unwrap()[0]
        .lot_number
        .clone();
    let err = stock::pick(&mut store, &nurse, now, order, &item, &lot, Some(1), false).unwrap_err();
    assert!(
        matches!(err, StockError::Reserved { ref cases, .. } if cases == &vec![booked.reference.clone()]),
        "{err:?}"
    );
    // Nor is it sent back to the pharmacy.
    let err = stock::return_to_pharmacy(
        &mut store,
        &nurse,
        now,
        &ward,
        &item,
        &lot,
        1,
        "overstock",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, StockError::Reserved { .. }), "{err:?}");
    // The words name the case, in both languages.
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::ZhCn);
    assert!(err.to_string().contains(&booked.reference));
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    assert!(err.to_string().contains(&booked.reference));
    common::assert_clean(&store);
}

#[test]
fn the_plan_brings_what_a_case_needs_and_names_a_case_it_cannot_cover() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = common::actor(&store, "manager");
    let ward = stock::place_by_code(&store.conn, "W-GER").unwrap();
    let mrn = common::patient_on(&store, "W-GER");
    // An item the ward does not hold, that the pharmacy does.
    let code: String = store
        .conn
        .query_row(
            "SELECT i.code FROM items i JOIN balances b ON b.item_id = i.id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'PHARM' AND b.status = 'ok' AND i.controlled = 0
               AND i.id NOT IN (SELECT b2.item_id FROM balances b2 JOIN places w ON w.id = b2.place_id WHERE w.code = 'W-GER')
             GROUP BY i.id HAVING SUM(b.qty) >= 50 ORDER BY i.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let item = stock::item_by_code(&store.conn, &code).unwrap();
    let booked = res::book(
        &mut store,
        &manager,
        now,
        &ward,
        now + Duration::days(4),
        &mrn,
        &[(item.clone(), 5)],
        None,
    )
    .unwrap();
    assert_eq!(
        booked.short.len(),
        1,
        "the ward holds none: booked, told short"
    );
    let (_, plan) = plan_now(&store.conn, now, PlanOptions::default()).unwrap();
    let s = sheet(&store.conn, now, &plan).unwrap();
    let sug = s
        .suggestions
        .iter()
        .find(|l| l.s.place == "W-GER" && l.s.item == code)
        .expect("a delivery for the case");
    assert!(
        sug.covers
            .iter()
            .any(|c| c.source == booked.reference && c.qty == 5),
        "{:?}",
        sug.covers
    );
    assert!(sug.receipt <= store.today(now + Duration::days(4)));
    assert!(!s.cases.iter().any(|r| r.case == booked.reference));

    // A case tomorrow needing far more than the hospital holds: the supplier
    // cannot deliver in time, and the plan says which case it is.
    let cefaz = stock::item_by_code(&store.conn, "CEFAZ2GIV").unwrap();
    let big = res::book(
        &mut store,
        &manager,
        now,
        &ward,
        now + Duration::hours(20),
        &mrn,
        &[(cefaz, 50_000)],
        None,
    )
    .unwrap();
    let (_, plan) = plan_now(&store.conn, now, PlanOptions::default()).unwrap();
    let s = sheet(&store.conn, now, &plan).unwrap();
    let risk = s
        .cases
        .iter()
        .find(|r| r.case == big.reference)
        .expect("the case is named");
    assert_eq!(
        (risk.place.as_str(), risk.item.as_str()),
        ("W-GER", "CEFAZ2GIV")
    );
    // Cancelled, it is no longer planned.
    res::cancel(&mut store, &manager, now, &big.reference, "postponed").unwrap();
    let (_, plan) = plan_now(&store.conn, now, PlanOptions::default()).unwrap();
    let s = sheet(&store.conn, now, &plan).unwrap();
    assert!(!s.cases.iter().any(|r| r.case == big.reference));
}

#[test]
fn use_gives_units_to_the_patient_and_releases_the_rest() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = common::actor(&store, "manager");
    let nurse = common::actor(&store, "nurse");
    let nurse2 = common::actor(&store, "nurse2");
    let (ward, item, _) = plentiful(&store, "W-MED");
    let mrn = common::patient_on(&store, "W-MED");
    let morphine = stock::item_by_code(&store.conn, "MORPH10I").unwrap();
    let has_morphine = line_of_opt(&store, ward.id, morphine.id).is_some_and(|l| l.usable >= 1);
    let mut kit = vec![(item.clone(), 4)];
    if has_morphine {
        kit.push((morphine.clone(), 1));
    }
    let booked = res::book(
        &mut store,
        &manager,
        now,
        &ward,
        now + Duration::days(1),
        &mrn,
        &kit,
        None,
    )
    .unwrap();
    let before = line_of(&store, ward.id, item.id);
    if has_morphine {
        // A controlled drug needs its second signature: nothing is written without it.
        let movements = count(&store, "movements");
        let err = res::use_case(
            &mut store,
            &nurse,
            now,
            &booked.reference,
            &[(morphine.clone(), 1)],
            false,
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ReserveError::Stock(StockError::Cd(_))),
            "{err:?}"
        );
        assert_eq!(count(&store, "movements"), movements);
        res::use_case(
            &mut store,
            &nurse,
            now,
            &booked.reference,
            &[(morphine.clone(), 1)],
            false,
            Some(&nurse2),
        )
        .unwrap();
    }
    let used = res::use_case(
        &mut store,
        &nurse,
        now,
        &booked.reference,
        &[(item.clone(), 3)],
        true,
        None,
    )
    .unwrap();
    assert!(used.closed);
    assert_eq!(used.released, vec![(item.code.clone(), 1)]);
    // The units left the ward to the patient, lot-traced, under the case's reference.
    let (qty, patient): (i64, String) = store
        .conn
        .query_row(
            "SELECT SUM(m.qty), MAX(p.mrn) FROM movements m JOIN patients p ON p.id = m.patient_id
             WHERE m.order_ref = ?1 AND m.item_id = ?2 AND m.kind = 'issue' AND m.from_place_id = ?3",
            rusqlite::params![booked.reference, item.id, ward.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((qty, patient.as_str()), (3, mrn.as_str()));
    let after = line_of(&store, ward.id, item.id);
    assert_eq!(after.on_hand, before.on_hand - 3);
    assert_eq!(after.reserved, 0, "the one left is free again");
    assert_eq!(after.available, after.usable);
    let case = res::case_by_ref(&store.conn, &booked.reference, now).unwrap();
    assert_eq!(case.status, "used");
    let l = case.lines.iter().find(|l| l.item_id == item.id).unwrap();
    assert_eq!((l.used, l.released, l.held), (3, 1, 0));
    // A used case cannot be changed.
    let err = res::cancel(&mut store, &manager, now, &booked.reference, "late").unwrap_err();
    assert!(matches!(err, ReserveError::Closed { .. }));
    common::assert_clean(&store);
}

fn line_of_opt(store: &Store, place: i64, item: i64) -> Option<queries::StockLine> {
    queries::stock_lines(&store.conn, place, store.today(common::anchor()))
        .unwrap()
        .into_iter()
        .find(|l| l.item_id == item)
}

#[test]
fn cancel_releases_everything_with_its_reason() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = common::actor(&store, "manager");
    let nurse = common::actor(&store, "nurse");
    let (ward, item, usable) = plentiful(&store, "W-MED");
    let mrn = common::patient_on(&store, "W-MED");
    let booked = res::book(
        &mut store,
        &manager,
        now,
        &ward,
        now + Duration::days(3),
        &mrn,
        &[(item.clone(), 5)],
        None,
    )
    .unwrap();
    assert_eq!(line_of(&store, ward.id, item.id).available, usable - 5);
    // A nurse does not cancel a case, and a reason is needed.
    assert!(matches!(
        res::cancel(&mut store, &nurse, now, &booked.reference, "x"),
        Err(ReserveError::Forbidden(_))
    ));
    assert!(matches!(
        res::cancel(&mut store, &manager, now, &booked.reference, "  "),
        Err(ReserveError::ReasonNeeded)
    ));
    let released = res::cancel(
        &mut store,
        &manager,
        now,
        &booked.reference,
        "patient unwell",
    )
    .unwrap();
    assert_eq!(released, vec![(item.code.clone(), 5)]);
    let line = line_of(&store, ward.id, item.id);
    assert_eq!((line.reserved, line.available), (0, usable));
    let case = res::case_by_ref(&store.conn, &booked.reference, now).unwrap();
    assert_eq!(
        (case.status.as_str(), case.reason.as_deref()),
        ("cancelled", Some("patient unwell"))
    );
    let events = res::case_events(&store.conn, case.id).unwrap();
    assert_eq!(events.last().unwrap().event, "cancelled");
    assert_eq!(events.last().unwrap().user, "manager");
}

#[test]
fn bad_input_is_refused_in_one_line_and_nothing_is_written() {
    let (_dir, db) = common::demo_db();
    let mrn = {
        let store = Store::open(&db).unwrap();
        common::patient_on(&store, "W-SUR")
    };
    let cases = || -> i64 {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row("SELECT count(*) FROM reservations", [], |r| r.get(0))
            .unwrap()
    };
    let before = cases();
    let soon = (chrono::Utc::now() + Duration::days(2))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let past = (chrono::Utc::now() - Duration::days(1))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let far = (chrono::Utc::now() + Duration::days(200))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let tries: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--at", &soon, "--patient", &mrn, "--item", "NOPE:2"],
            "NOPE",
        ),
        (
            vec!["--at", &soon, "--patient", &mrn, "--item", "ENOX40S:0"],
            "above zero",
        ),
        (
            vec![
                "--at",
                &soon,
                "--patient",
                &mrn,
                "--item",
                "ENOX40S:999999999999",
            ],
            "999999999999",
        ),
        (
            vec!["--at", &soon, "--patient", &mrn, "--item", "ENOX40S"],
            "CODE:QTY",
        ),
        (
            vec![
                "--at",
                &soon,
                "--patient",
                &mrn,
                "--item",
                "ENOX40S:1",
                "--item",
                "enox40s:2",
            ],
            "twice",
        ),
        (
            vec!["--at", &past, "--patient", &mrn, "--item", "ENOX40S:1"],
            "has passed",
        ),
        (
            vec!["--at", &far, "--patient", &mrn, "--item", "ENOX40S:1"],
            "90 days",
        ),
        (
            vec!["--at", "tomorrow", "--patient", &mrn, "--item", "ENOX40S:1"],
            "YYYY-MM-DD HH:MM",
        ),
        (
            vec!["--at", &soon, "--patient", "MRN0", "--item", "ENOX40S:1"],
            "MRN0",
        ),
    ];
    for (args, says) in tries {
        let out = common::cli(&db)
            .args(["reserve", "new", "--user", "manager", "--place", "W-SUR"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(cases(), before, "{args:?}");
    }
    // A nurse does not book; the pharmacy is not a case's place.
    for (user, place) in [("nurse", "W-SUR"), ("manager", "PHARM")] {
        common::cli(&db)
            .args([
                "reserve",
                "new",
                "--user",
                user,
                "--place",
                place,
                "--at",
                &soon,
                "--patient",
                &mrn,
                "--item",
                "ENOX40S:1",
            ])
            .assert()
            .code(1);
        assert_eq!(cases(), before);
    }
    // JSON: the refusal too.
    let out = common::cli(&db)
        .args(["reserve", "use", "CASE-999", "--user", "nurse", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("CASE-999"));
    // Booked for real, then listed with held and available in the stock figures.
    let out = common::cli(&db)
        .args([
            "reserve",
            "new",
            "--user",
            "manager",
            "--place",
            "W-SUR",
            "--at",
            &soon,
            "--patient",
            &mrn,
            "--item",
            "ENOX40S:1",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let case = v["reference"].as_str().unwrap().to_string();
    let out = common::cli(&db)
        .args(["stock", "--place", "W-SUR", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let enox = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "ENOX40S")
        .unwrap();
    assert!(enox["item_reserved"].as_i64().unwrap() >= 1);
    // Used in part, kept open, then closed: the rest is released.
    common::cli(&db)
        .args([
            "reserve",
            "use",
            &case,
            "--user",
            "nurse",
            "--item",
            "ENOX40S",
            "--qty",
            "1",
            "--keep-open",
        ])
        .assert()
        .success();
    let out = common::cli(&db)
        .args(["reserve", "close", &case, "--user", "nurse", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "used");
    let out = common::cli(&db)
        .args(["reserve", "list", "--place", "W-SUR"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&case));
}

/// The place's cases from the item menu (F3) on Ward stock.
fn open_cases(c: &mut common::console::Console) {
    use crossterm::event::KeyCode;
    use wardstock::tui::popups::Popup;
    c.key(KeyCode::F(3));
    let at = match &c.app.popup {
        Some(Popup::OpMenu(m)) => m
            .ops
            .iter()
            .position(|o| *o == wardstock::domain::roles::Operation::Reserve)
            .expect("the menu offers the cases"),
        _ => panic!("the operations menu"),
    };
    let s = c.screen();
    for _ in 0..at {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    assert!(matches!(c.app.popup, Some(Popup::Reservations(_))), "{s}");
}

/// The place's cases on Ward stock (F3 menu) at 80×24, in both languages: a
/// case booked from the form, its units shown held in the stock list, then
/// cancelled with its reason; a nurse may not book.
#[test]
fn console_books_lists_and_cancels_a_case_at_80x24_in_both_languages() {
    use common::console::Console;
    use crossterm::event::KeyCode;
    use wardstock::i18n::Lang;
    use wardstock::tui::popups::Popup;
    for (lang, title, held, cancelled) in [
        (Lang::En, "Scheduled cases", "Held", "cancelled"),
        (Lang::ZhCn, "择期手术/操作预留", "预留", "已取消"),
    ] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("manager");
        c.key(KeyCode::Char('3'));
        open_cases(&mut c);
        let s = c.screen();
        assert!(s.contains(title), "{s}");
        let before = c.count("SELECT count(*) FROM reservations");
        let mrn: String = {
            let place = c.app.cx.current_place().unwrap().code.clone();
            common::patient_on(c.app.store(), &place)
        };
        c.key(KeyCode::Char('n'))
            .typed(&mrn)
            .key(KeyCode::Tab)
            .typed("ENOX40S:2")
            .key(KeyCode::Tab)
            .typed("Hip")
            .key(KeyCode::Enter);
        assert_eq!(c.count("SELECT count(*) FROM reservations"), before + 1);
        let case = format!("CASE-{}", before + 1);
        let s = c.screen();
        assert!(s.contains(&case), "{s}");
        assert!(s.contains("ENOX40S"), "{s}");
        // Every line fits: nothing a user needs is cut.
        for l in s.lines() {
            assert!(wardstock::i18n::width(l) <= 80, "{l}");
        }
        // Back on the list, the held units have their column.
        c.key(KeyCode::Esc);
        let s = c.screen();
        assert!(s.contains(held), "{s}");
        let row = s
            .lines()
            .find(|l| l.starts_with("ENOX40S"))
            .unwrap()
            .to_string();
        assert!(row.contains(" 2 "), "{row}");
        // Cancelled with its reason.
        open_cases(&mut c);
        let pos = match &c.app.popup {
            Some(Popup::Reservations(r)) => {
                r.cases.iter().position(|x| x.reference == case).unwrap()
            }
            _ => panic!("the cases"),
        };
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Char('c'))
            .typed("postponed")
            .key(KeyCode::Enter);
        let s = c.screen();
        assert!(s.contains(cancelled), "{s}");
        assert_eq!(
            c.count(&format!("SELECT count(*) FROM reservations WHERE reference = '{case}' AND status = 'cancelled' AND reason = 'postponed'")),
            1
        );
        // A nurse sees the cases but does not book one.
        c.key(KeyCode::Esc);
        c.sign_out();
        c.sign_in("nurse");
        c.key(KeyCode::Char('3'));
        open_cases(&mut c);
        c.key(KeyCode::Char('n'));
        let s = c.screen();
        assert!(
            matches!(c.app.popup, Some(Popup::Reservations(ref r)) if r.mode == wardstock::tui::popups::reservations::Mode::List),
            "{s}"
        );
        assert!(
            s.contains(match lang {
                Lang::En => "nurse manager or a pharmacist",
                _ => "护士长或药师",
            }),
            "{s}"
        );
    }
}
