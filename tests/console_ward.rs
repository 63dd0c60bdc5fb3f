//! The ward's and the pharmacy's day at the console: choosing a lot for a
//! recall, picking part of a pack, urgent requests first, each role on its
//! own tab, and the dose form asking only what the drug needs. At 80×24.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::domain::roles::Operation;
use wardstock::i18n::Lang;
use wardstock::tui::forms::Kind;
use wardstock::tui::popups::Popup;

fn choose(c: &mut Console, op: Operation) {
    c.key(KeyCode::F(3));
    let Some(Popup::OpMenu(menu)) = c.app.popup.clone() else {
        panic!("the operations menu:\n{}", c.screen())
    };
    let pos = menu
        .ops
        .iter()
        .position(|o| *o == op)
        .unwrap_or_else(|| panic!("{op:?} not offered in {:?}", menu.ops));
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
}

fn form_kind(c: &mut Console) -> &mut Kind {
    &mut c.app.form.as_mut().expect("a form").kind
}

/// The lots of the item open in Ward stock, in the order shown.
fn lots_shown(c: &Console) -> Vec<String> {
    c.app
        .tabs
        .stock
        .detail
        .as_ref()
        .expect("an item's lots")
        .lots
        .iter()
        .map(|l| l.lot_number.clone())
        .collect()
}

#[test]
fn recall_takes_the_lot_chosen_below_the_expired_one_and_asks_to_confirm() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm");
        c.key(KeyCode::Char('3'));
        c.typed("metf500t").key(KeyCode::Enter);
        let lots = lots_shown(&c);
        // A later lot than the one at the top.
        assert!(lots.len() >= 2, "{lots:?}");
        let code = c
            .app
            .tabs
            .stock
            .detail
            .as_ref()
            .unwrap()
            .line
            .as_ref()
            .unwrap()
            .code
            .clone();
        let (top, lot) = (lots[0].clone(), lots[1].clone());
        let (expiry, place, qty): (String, String, i64) = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT l.expiry, p.code, b.qty FROM lots l JOIN items i ON i.id = l.item_id
                 JOIN balances b ON b.lot_id = l.id JOIN places p ON p.id = b.place_id
                 WHERE i.code = ?2 AND l.lot_number = ?1 AND b.qty > 0
                 ORDER BY p.code DESC LIMIT 1",
                [&lot, &code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        c.key(KeyCode::Down).key(KeyCode::Down);
        let s = c.screen();
        assert!(s.contains(&format!("▶{lot}")), "{s}");
        choose(&mut c, Operation::Recall);
        let Kind::LotHold(h) = form_kind(&mut c) else {
            panic!("the recall form")
        };
        assert_eq!(h.lot.value(), lot);
        // The form says the lot, its expiry and where it is held.
        let s = c.screen();
        let year = &expiry[..4];
        assert!(s.contains(&lot) && s.contains(year), "{s}");
        assert!(s.contains(&format!("{place} {qty}")), "{s}");
        // A reason alone does not recall: the user confirms.
        c.typed("supplier notice").key(KeyCode::Enter);
        let recalled =
            format!("SELECT count(*) FROM lots WHERE lot_number = '{lot}' AND status = 'recalled'");
        let recalled = recalled.as_str();
        assert_eq!(c.count(recalled), 0);
        assert!(c.app.form.is_some(), "{}", c.screen());
        c.key(KeyCode::Enter);
        assert_eq!(c.count(recalled), 0, "{}", c.screen());
        assert!(c.app.form.is_some());
        c.typed(if lang == Lang::En { "yes" } else { "是" })
            .key(KeyCode::Enter);
        assert_eq!(c.count(recalled), 1, "{}", c.screen());
        assert!(c.status().contains(&lot), "{}", c.status());
        // The expired lot at the top is untouched.
        assert_eq!(
            c.count(&format!(
                "SELECT count(*) FROM lots WHERE lot_number = '{top}' AND status = 'recalled'"
            )),
            0
        );
    }
}

/// The nurse manager of W-MED asks for `qty` units of `code`; the order.
fn ward_asks(c: &Console, code: &str, qty: i64) -> i64 {
    ward_asks_with(c, code, qty, None)
}

fn ward_asks_with(c: &Console, code: &str, qty: i64, note: Option<&str>) -> i64 {
    use wardstock::ops::stock;
    let mut s = wardstock::store::Store::open(c.app.store().path()).unwrap();
    let manager = wardstock::ops::Actor {
        user_id: 4,
        username: "manager".into(),
        full_name: "m".into(),
        role: wardstock::domain::Role::NurseManager,
    };
    let ward = stock::place_by_code(&s.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&s.conn, code).unwrap();
    stock::request_transfer(
        &mut s,
        &manager,
        common::anchor(),
        &ward,
        &[(item, qty)],
        note,
    )
    .unwrap()
}

fn gtin_of(c: &Console, code: &str) -> String {
    c.app
        .store()
        .conn
        .query_row(
            "SELECT g.gtin FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE i.code = ?1",
            [code],
            |r| r.get(0),
        )
        .unwrap()
}

fn picked(c: &Console) -> (i64, i64) {
    let o = c.app.tabs.pharmacy.order().unwrap();
    (o.lines[0].picked, o.lines[0].open)
}

#[test]
fn a_pack_larger_than_what_is_open_is_broken_and_a_picked_lot_taken_back() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        // 10 tablets asked; a pack of paracetamol holds 20.
        let order = ward_asks(&c, "PARA500T", 10);
        let gtin = gtin_of(&c, "PARA500T");
        let lot = {
            let o =
                wardstock::ops::stock::transfer_order(&c.app.store().conn, order, common::anchor())
                    .unwrap();
            o.lines[0].suggestions[0].lot_number.clone()
        };
        c.sign_in("store");
        c.key(KeyCode::Char('4')).key(KeyCode::Enter);
        assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, order);
        c.scan(&format!("(01){gtin}(10){lot}"));
        // The whole refusal shows, and the form offers to break the pack.
        let s = c.screen();
        let form = c.app.form.as_ref().expect("the pick form");
        let Kind::Pick(p) = &form.kind else {
            panic!("the pick form:\n{s}")
        };
        assert_eq!((p.lot.value(), p.quantity.value()), (lot.as_str(), "10"));
        if lang == Lang::En {
            assert!(
                s.contains("break the") && s.contains("with a quantity"),
                "{s}"
            );
        } else {
            assert!(s.contains("请拆包并按数量拣"), "{s}");
        }
        assert_eq!(picked(&c), (0, 10));
        c.key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        assert_eq!(picked(&c), (10, 0));
        // Delete takes the lot back off the order.
        c.key(KeyCode::Delete);
        let Kind::Pick(p) = form_kind(&mut c) else {
            panic!("the unpick form")
        };
        assert!(p.unpick);
        assert_eq!(p.lot.value(), lot);
        c.key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        assert_eq!(picked(&c), (0, 10));
        assert!(c.status().contains(&lot), "{}", c.status());
        // F3 picks a quantity typed: 4 units.
        c.key(KeyCode::F(3));
        let Kind::Pick(p) = form_kind(&mut c) else {
            panic!("the pick form")
        };
        assert_eq!(p.quantity.value(), "10");
        c.key(KeyCode::Backspace).key(KeyCode::Backspace).typed("4");
        c.key(KeyCode::Enter);
        assert_eq!(picked(&c), (4, 6), "{}", c.screen());
        let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
        assert!(report.ok(), "{:?}", report.problems);
    }
}

#[test]
fn urgent_requests_are_marked_and_listed_first() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        // A dose not given for lack of supply raised an urgent request;
        // an ordinary request came after it.
        let urgent = ward_asks_with(
            &c,
            "PARA500T",
            20,
            Some("URGENT: dose of 08:00 not given for lack of supply (RX-1)"),
        );
        let plain = ward_asks(&c, "PARA500T", 40);
        assert!(plain > urgent);
        let list = wardstock::ops::stock::transfer_orders(&c.app.store().conn, None, None).unwrap();
        assert_eq!(list[0].id, urgent, "{list:?}");
        assert!(list[0].urgent && !list[1].urgent);
        c.sign_in("store");
        c.key(KeyCode::Char('4'));
        let s = c.screen();
        let word = if lang == Lang::En { "URGENT" } else { "紧急" };
        let first = s
            .lines()
            .find(|l| l.contains("TO-"))
            .unwrap_or_default()
            .to_string();
        assert!(
            first.contains(&format!("TO-{urgent} ")) && first.contains(word),
            "{s}"
        );
        assert!(
            s.lines()
                .any(|l| l.contains(&format!("TO-{plain} ")) && !l.contains(word)),
            "{s}"
        );
        // The first order opened is the urgent one; its pick list says so.
        c.key(KeyCode::Enter);
        assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, urgent);
        assert!(c.screen().contains(word), "{}", c.screen());
        // The command line lists it first too, marked.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardstock"))
            .args([
                "--db",
                c.app.store().path().to_str().unwrap(),
                "--lang",
                "en",
                "transfer",
                "list",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().find(|l| l.contains("TO-")).unwrap_or_default();
        assert!(first.contains(&format!("TO-{urgent} URGENT")), "{text}");
    }
}

#[test]
fn each_role_starts_on_its_working_tab_at_the_ward_it_chose_last() {
    use wardstock::tui::app::Tab;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        for (user, tab) in [
            ("nurse", Tab::Administration),
            ("pharm", Tab::Prescriptions),
            ("store", Tab::Pharmacy),
            ("manager", Tab::Stock),
            ("admin", Tab::Site),
        ] {
            c.sign_in(user);
            let on = c.app.tab;
            assert_eq!(on, tab, "{user}:\n{}", c.screen());
            c.sign_out();
        }
        // The nurse manager moves to another ward; the next sign-in starts there.
        c.sign_in("manager");
        let first = c.app.cx.current_place().unwrap().code.clone();
        c.key(KeyCode::F(2));
        let start = match &c.app.popup {
            Some(Popup::Picker(p)) => p.selected,
            _ => panic!("the place picker:\n{}", c.screen()),
        };
        let other = c
            .app
            .cx
            .places
            .iter()
            .enumerate()
            .position(|(i, p)| i > start && p.kind == wardstock::domain::PlaceKind::Ward)
            .expect("another ward");
        for _ in start..other {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        let chosen = c.app.cx.current_place().unwrap().code.clone();
        assert_ne!(chosen, first);
        c.sign_out();
        // Another user keeps their own start.
        c.sign_in("nurse2");
        assert_eq!(c.app.cx.current_place().unwrap().code, first);
        c.sign_out();
        c.sign_in("manager");
        assert_eq!(c.app.cx.current_place().unwrap().code, chosen);
        assert!(c.screen().contains(&chosen), "{}", c.screen());
    }
}

#[test]
fn a_nurse_asks_the_pharmacy_and_disposes_of_a_broken_ampoule_on_the_ward() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('3'));
        let ward = c.app.cx.current_place().unwrap().code.clone();
        c.typed("glove-m").key(KeyCode::Enter);
        let orders = "SELECT count(*) FROM transfer_orders";
        let before = c.count(orders);
        choose(&mut c, Operation::RequestTransfer);
        c.typed("100").key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        assert_eq!(c.count(orders), before + 1);
        // A broken ampoule: the lot shown and confirmed, disposed of as damaged.
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        let code: String = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
                 WHERE p.code = ?1 AND b.qty > 0 AND i.dose_unit = 'ampoule' AND i.controlled = 0
                 ORDER BY i.code LIMIT 1",
                [&ward],
                |r| r.get(0),
            )
            .unwrap();
        c.typed(&code.to_lowercase()).key(KeyCode::Enter);
        c.key(KeyCode::Down);
        let lot = lots_shown(&c)[0].clone();
        choose(&mut c, Operation::Waste);
        let Kind::Waste(w) = form_kind(&mut c) else {
            panic!("the waste form")
        };
        assert_eq!(w.lot.value(), lot);
        w.reason
            .set(wardstock::i18n::text_in(lang, "tui.input.damaged"));
        // The cursor starts on the quantity, the first field to fill.
        c.typed("1")
            .key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .typed(if lang == Lang::En { "yes" } else { "是" })
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        let wasted = c.count(&format!(
            "SELECT count(*) FROM movements m JOIN lots l ON l.id = m.lot_id
             WHERE m.kind = 'waste' AND l.lot_number = '{lot}' AND m.reason LIKE '%damaged%'"
        ));
        assert_eq!(wasted, 1, "{}", c.status());
    }
}

#[test]
fn the_sign_in_screen_does_not_tell_whether_a_user_name_exists() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in_with("nurze", "1111");
        let unknown = c.status();
        let unknown_screen = c.screen().replace("[nurze", "[nurse");
        c.sign_out();
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in_with("nurse", "1111");
        let wrong = c.status();
        let wrong_screen = c.screen();
        assert_eq!(unknown, wrong);
        assert!(
            !wrong.contains("nurse") && !wrong.contains("attempt"),
            "{wrong}"
        );
        assert_eq!(unknown_screen, wrong_screen);
        // The wrong PIN still counts towards the real user's lock.
        let failed = c.count("SELECT failed_pins FROM users WHERE username = 'nurse'");
        assert_eq!(failed, 1);
    }
}

#[test]
fn typing_over_a_prefilled_field_replaces_it() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("manager");
        c.typed("glove-m").key(KeyCode::Enter);
        c.key(KeyCode::Down);
        choose(&mut c, Operation::Waste);
        let Kind::Waste(w) = form_kind(&mut c) else {
            panic!("the waste form")
        };
        // The reason comes prefilled with "expired".
        assert_eq!(
            w.reason.value(),
            wardstock::i18n::text_in(lang, "tui.input.expired")
        );
        c.typed("1").key(KeyCode::Enter);
        let damaged = wardstock::i18n::text_in(lang, "tui.input.damaged");
        c.typed(damaged);
        let Kind::Waste(w) = form_kind(&mut c) else {
            panic!("the waste form")
        };
        assert_eq!(w.reason.value(), damaged);
        // Once touched, typing adds to what is there.
        c.key(KeyCode::Backspace)
            .typed(&damaged[damaged.len() - damaged.chars().last().unwrap().len_utf8()..]);
        let Kind::Waste(w) = form_kind(&mut c) else {
            panic!("the waste form")
        };
        assert_eq!(w.reason.value(), damaged);
    }
}

#[test]
fn after_a_pack_scan_esc_then_a_number_switches_tab() {
    use wardstock::tui::app::Tab;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('3'));
        let gtin = gtin_of(&c, "PARA500T");
        c.scan(&format!("(01){gtin}(10)X1"));
        assert!(c.app.tabs.stock.detail.is_some(), "{}", c.screen());
        c.key(KeyCode::Esc).key(KeyCode::Char('2'));
        let on = c.app.tab;
        assert_eq!(on, Tab::Administration, "{}", c.screen());
        assert!(!c.app.tabs.stock.filter.value().contains('2'));
    }
}

#[test]
fn the_schedule_header_follows_the_clock() {
    let mut c = Console::in_lang(80, 24, Some(Lang::En));
    c.sign_in("nurse");
    c.key(KeyCode::Char('2'));
    let start = c.app.cx.now;
    let from = |c: &Console| c.app.tabs.administration.view.from.unwrap();
    assert_eq!(from(&c), start - chrono::Duration::hours(4));
    // Ten minutes on: the same window.
    c.app.tick(start + chrono::Duration::minutes(10));
    assert_eq!(from(&c), start - chrono::Duration::hours(4));
    // Two and a half hours on, the window has moved with the clock, and the header says so.
    let later = start + chrono::Duration::minutes(150);
    c.app.tick(later);
    assert_eq!(from(&c), later - chrono::Duration::hours(4));
    let shown = wardstock::i18n::local(later - chrono::Duration::hours(4))
        .format("%H:%M")
        .to_string();
    assert!(c.screen().contains(&shown), "{}", c.screen());
}
