//! The console, driven by keys and read off a TestBackend buffer.

mod common;

use common::console::Console;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wardstock::i18n::Lang;
use wardstock::store::Store;
use wardstock::tui::app::Tab;
use wardstock::tui::forms::Kind;
use wardstock::tui::popups::{Popup, picker::Picker};

#[test]
fn sign_in_screen_then_ward_stock() {
    let mut c = Console::new(80, 24);
    let s = c.screen();
    insta::assert_snapshot!("signin_80x24", s);
    c.typed("nurse").key(KeyCode::Enter).typed("99");
    assert!(c.screen().contains("••"), "the PIN is masked");
    c.typed("99").key(KeyCode::Enter);
    let s = c.screen();
    // The screen does not tell whether the user name exists.
    assert!(s.contains("User name or PIN not recognised"), "{s}");
    c.typed("1234").key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains("nurse (nurse)"), "{s}");
    assert!(s.contains("Signed in as Sam Okafor"), "{s}");
    // A nurse starts at the doses due; Ward stock is one key away.
    assert_eq!(c.app.tab, Tab::Administration);
    c.key(KeyCode::Char('3'));
    let s = c.screen();
    assert!(s.contains("Filter:"), "the ward stock list: {s}");
    assert!(s.contains("W-GER"), "a nurse starts on the first ward: {s}");
    assert!(s.contains("of 60 items"), "{s}");
}

#[test]
fn a_locked_user_is_told_when_to_come_back() {
    let mut c = Console::new(80, 24);
    c.typed("store").key(KeyCode::Enter);
    for _ in 0..5 {
        c.typed("0000").key(KeyCode::Enter);
    }
    let s = c.screen();
    assert!(s.contains("locked after 5 wrong PINs"), "{s}");
    c.typed("1234").key(KeyCode::Enter);
    assert!(
        c.screen().contains("locked"),
        "still locked with the right PIN"
    );
    assert!(c.app.cx.actor.is_none());
}

#[test]
fn tabs_switch_with_numbers_tab_and_shift_tab() {
    let mut c = Console::new(100, 30);
    c.sign_in("manager");
    c.key(KeyCode::Char('1'));
    assert_eq!(c.app.tab, Tab::Prescriptions);
    let s = c.screen();
    assert!(s.contains("awaiting validation"), "{s}");
    assert!(s.contains("Patient"), "{s}");
    c.key(KeyCode::Tab);
    assert_eq!(c.app.tab, Tab::Administration);
    let s = c.screen();
    assert!(s.contains("doses") && s.contains("upcoming"), "{s}");
    c.key(KeyCode::Char('4'));
    let s = c.screen();
    assert!(
        s.contains("Central pharmacy") && s.contains("below safety stock"),
        "{s}"
    );
    c.key(KeyCode::Char('5'));
    let s = c.screen();
    assert!(s.contains("warnings") && s.contains("critical"), "{s}");
    c.app
        .on_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(c.app.tab, Tab::Pharmacy);
    c.key(KeyCode::Char('3'));
    assert_eq!(c.app.tab, Tab::Stock);
}

#[test]
fn typing_filters_ward_stock_and_enter_opens_the_lots() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse").key(KeyCode::Char('3'));
    let all = c.app.tabs.stock.filtered.len();
    c.typed("glove");
    let s = c.screen();
    assert!(c.app.tabs.stock.filtered.len() < all && !c.app.tabs.stock.filtered.is_empty());
    assert!(s.contains("Filter: glove"), "{s}");
    for i in &c.app.tabs.stock.filtered {
        let l = &c.app.tabs.stock.view.lines[*i];
        assert!(
            format!("{} {}", l.name, l.generic_name)
                .to_lowercase()
                .contains("glove")
        );
    }
    // Digits go into the filter once it holds text; Backspace edits it.
    c.typed("5").key(KeyCode::Backspace);
    assert_eq!(c.app.tab, Tab::Stock);
    assert_eq!(c.app.tabs.stock.filter.value(), "glove");
    // Filter by ATC code.
    c.key(KeyCode::Esc).typed("J01");
    assert!(!c.app.tabs.stock.filtered.is_empty());
    assert!(c.app.tabs.stock.filtered.iter().all(|i| {
        c.app.tabs.stock.view.lines[*i]
            .atc
            .as_deref()
            .unwrap_or("")
            .starts_with("J01")
    }));
    let first = c.app.tabs.stock.view.lines[c.app.tabs.stock.filtered[0]].clone();
    c.key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains(&first.code), "{s}");
    assert!(
        s.contains("Lot") && s.contains("Expiry") && s.contains("Recent movements"),
        "{s}"
    );
    let d = c.app.tabs.stock.detail.as_ref().unwrap();
    assert_eq!(d.lots.iter().map(|l| l.qty).sum::<i64>(), first.on_hand);
    assert!(s.contains(&d.lots[0].lot_number), "{s}");
    c.key(KeyCode::Esc);
    assert!(c.app.tabs.stock.detail.is_none());
    assert!(c.screen().contains("Filter: J01"));
}

#[test]
fn the_place_selector_changes_the_ward() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    c.key(KeyCode::F(2));
    let s = c.screen();
    assert!(
        s.contains("Ward / place") && s.contains("PHARM") && s.contains("W-SUR"),
        "{s}"
    );
    // A letter jumps to the next place whose code or name starts with it.
    c.key(KeyCode::Char('i')).key(KeyCode::Enter);
    assert_eq!(
        c.app.current_place().unwrap().code,
        "W-MED",
        "Internal medicine"
    );
    c.key(KeyCode::F(2)).key(KeyCode::Char('w'));
    assert_eq!(
        c.app.cx.places[picker(&c)].code,
        "W-SUR",
        "w moves on to the next ward"
    );
    c.key(KeyCode::Char('g'));
    assert_eq!(
        c.app.cx.places[picker(&c)].code,
        "W-GER",
        "Geriatrics, by name"
    );
    c.key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(c.app.current_place().unwrap().code, "W-MED");
    let s = c.screen();
    assert!(
        s.contains("W-MED Internal medicine") && s.contains("Showing Internal medicine"),
        "{s}"
    );
    c.key(KeyCode::F(2))
        .key(KeyCode::Char('p'))
        .key(KeyCode::Enter);
    assert_eq!(c.app.current_place().unwrap().code, "PHARM");
    c.key(KeyCode::F(2)).key(KeyCode::Down).key(KeyCode::Esc);
    assert_eq!(
        c.app.current_place().unwrap().code,
        "PHARM",
        "Esc keeps the place"
    );
}

#[test]
fn help_lists_the_keymap_and_any_key_closes_it() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    c.key(KeyCode::Char('?'));
    let s = c.screen();
    assert!(
        s.contains("Help") && s.contains("^Q/^C") && s.contains("ward/place"),
        "{s}"
    );
    c.key(KeyCode::Char('x'));
    assert!(c.app.popup.is_none(), "the help is closed");
    assert_eq!(
        c.app.tabs.stock.filter.value(),
        "",
        "the closing key is not typed"
    );
}

#[test]
fn an_alert_leads_to_the_item_at_its_place() {
    let mut c = Console::new(100, 30);
    c.sign_in("pharm");
    c.key(KeyCode::Char('5'));
    let first = c.app.tabs.alerts.view.rows[0].clone();
    c.key(KeyCode::Enter);
    assert_eq!(c.app.tab, Tab::Stock);
    assert_eq!(c.app.current_place().unwrap().code, first.place);
    let d = c
        .app
        .tabs
        .stock
        .detail
        .as_ref()
        .expect("the item's lots are open");
    assert_eq!(d.line.as_ref().unwrap().code, first.item);
    // Esc goes back to the alert list, on the place shown before.
    c.key(KeyCode::Esc);
    assert_eq!(c.app.tab, Tab::Alerts);
    assert_eq!(
        c.app.current_place().unwrap().code,
        "PHARM",
        "the pharmacist's place"
    );
    assert!(c.screen().contains("warnings"));
}

#[test]
fn small_and_tiny_terminals_never_panic() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        c.resize(59, 15);
        let s = c.screen();
        assert!(s.contains("60×16"), "{s}");
        for (w, h) in [
            (1, 1),
            (2, 1),
            (1, 5),
            (10, 3),
            (60, 16),
            (61, 17),
            (200, 60),
        ] {
            c.resize(w, h);
            c.screen();
            for tab in ['1', '2', '3', '4', '5'] {
                c.key(KeyCode::Char(tab));
                c.screen();
            }
            c.key(KeyCode::Char('3')).key(KeyCode::Enter);
            c.screen();
            c.key(KeyCode::Esc).key(KeyCode::End).key(KeyCode::PageUp);
            c.screen();
        }
        c.resize(60, 16);
        let s = whole_screen(&mut c);
        let filter = wardstock::i18n::text_in(lang, "tui.stock.filter");
        assert!(
            s.contains(filter),
            "the full layout at the minimum size: {s}"
        );
        c.key(KeyCode::Char('?'));
        whole_screen(&mut c);
    }
}

#[test]
fn behind_the_enlarge_message_no_key_acts_but_quit_and_sign_out() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    c.key(KeyCode::Char('2'));
    let tab = c.app.tab;
    c.resize(50, 12);
    // Unseen, Enter would open a dose and digits would switch tabs.
    c.key(KeyCode::Enter)
        .key(KeyCode::Char('3'))
        .key(KeyCode::F(3));
    assert!(c.app.form.is_none() && c.app.popup.is_none());
    assert_eq!(c.app.tab, tab);
    c.ctrl('l');
    assert!(c.app.cx.actor.is_none(), "signing out still works");
    c.typed("nurse");
    assert_eq!(c.app.signin.user.value(), "", "nothing is typed unseen");
    c.ctrl('q');
    assert!(c.app.quit);
}

#[test]
fn quit_and_sign_out() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    c.ctrl('l');
    assert!(c.app.cx.actor.is_none());
    assert!(c.screen().contains("sign in"));
    c.ctrl('q');
    assert!(c.app.quit);
}

#[test]
fn stock_moved_by_another_workstation_shows_on_the_next_tab_switch() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse").key(KeyCode::Char('3'));
    let line = c.app.tabs.stock.view.lines[0].clone();
    let place = c.app.tabs.stock.view.place_id;
    // Another connection (another workstation, the CLI) receives 7 units.
    let other = Store::open(c.app.store().path()).unwrap();
    let (user, lot): (i64, i64) = other
        .conn
        .query_row("SELECT (SELECT id FROM users LIMIT 1), (SELECT id FROM lots WHERE item_id = ?1 LIMIT 1)", [line.item_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    wardstock::store::ledger::append(
        &other.conn,
        &wardstock::store::ledger::NewMovement {
            at: common::anchor(),
            user_id: user,
            kind: wardstock::domain::MovementKind::Adjustment,
            item_id: line.item_id,
            lot_id: lot,
            from_place: None,
            to_place: Some(place),
            from_location: None,
            to_location: None,
            qty: 7,
            reason: Some("found in the sluice room".into()),
            patient_id: None,
            order_ref: None,
        },
    )
    .unwrap();
    c.key(KeyCode::Char('1')).key(KeyCode::Char('3'));
    let now = c
        .app
        .tabs
        .stock
        .view
        .lines
        .iter()
        .find(|l| l.item_id == line.item_id)
        .unwrap();
    assert_eq!(now.on_hand, line.on_hand + 7);
}

/// A lot with stock on a ward, and its item's GTIN.
fn ward_lot(c: &Console, ward: &str, expired: bool) -> (String, String, String, String) {
    c.app
        .store()
        .conn
        .query_row(
            &format!(
                "SELECT g.gtin, l.lot_number, l.expiry, i.code FROM balances b JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
                 JOIN item_gtins g ON g.item_id = i.id JOIN places p ON p.id = b.place_id
                 WHERE p.code = ?1 AND b.status = 'ok' AND l.expiry {} '2026-11-22' ORDER BY b.qty DESC LIMIT 1",
                if expired { "<" } else { ">" }
            ),
            [ward],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

fn element_string(gtin: &str, expiry: &str, lot: &str) -> String {
    format!(
        "]d201{gtin}17{}{}{}10{lot}\u{1d}21SER1",
        &expiry[2..4],
        &expiry[5..7],
        &expiry[8..10]
    )
}

#[test]
fn a_scan_on_any_screen_opens_the_pack_with_its_lot() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    c.key(KeyCode::Char('1'));
    assert_eq!(c.app.tab, Tab::Prescriptions);
    let (gtin, lot, expiry, code) = ward_lot(&c, "W-GER", false);
    // Digits of the burst do not switch tabs; the scan lands in Ward stock.
    c.scan(&element_string(&gtin, &expiry, &lot));
    assert_eq!(c.app.tab, Tab::Stock);
    let d = c
        .app
        .tabs
        .stock
        .detail
        .as_ref()
        .expect("the item's lots are open");
    assert_eq!(d.line.as_ref().unwrap().code, code);
    assert_eq!(c.app.tabs.stock.scanned_lot.as_deref(), Some(lot.as_str()));
    let s = c.screen();
    assert!(s.contains(&format!("▶{lot}")), "{s}");
    assert!(
        s.contains("Scanned") && s.contains(&format!("lot {lot} exp {expiry}")),
        "{s}"
    );
    // The human-readable form and a Digital Link work the same way.
    c.scan(&format!("(01){gtin}(10){lot}"));
    assert_eq!(c.app.tabs.stock.scanned_lot.as_deref(), Some(lot.as_str()));
    c.scan(&format!("https://id.gs1.org/01/{gtin}/10/{lot}"));
    assert!(c.screen().contains(&format!("lot {lot}")));
}

#[test]
fn scanning_an_expired_pack_says_do_not_use() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    // The ward holding an expired lot, chosen in the place selector.
    let ward: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT p.code FROM balances b JOIN places p ON p.id = b.place_id JOIN item_gtins g ON g.item_id = b.item_id
             WHERE p.kind = 'ward' AND b.status = 'ok' AND b.expiry < '2026-11-22' ORDER BY p.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.key(KeyCode::F(2));
    set_picker(&mut c, &ward);
    c.key(KeyCode::Enter);
    let (gtin, lot, expiry, _) = ward_lot(&c, &ward, true);
    c.scan(&element_string(&gtin, &expiry, &lot));
    let s = c.screen();
    assert!(s.contains("EXPIRED") && s.contains("do not use"), "{s}");
    // Without the expiry on the code, the lot's recorded expiry still counts.
    c.key(KeyCode::Esc);
    c.scan(&format!("(01){gtin}(10){lot}"));
    let s = c.screen();
    assert!(s.contains("EXPIRED") && s.contains("do not use"), "{s}");
}

#[test]
fn signing_out_works_from_inside_a_form() {
    let mut c = Console::new(100, 30);
    c.sign_in("store");
    c.typed("amox500c")
        .key(KeyCode::Enter)
        .key(KeyCode::F(3))
        .key(KeyCode::Enter);
    assert!(c.app.form.is_some());
    c.ctrl('l');
    assert!(c.app.cx.actor.is_none() && c.app.form.is_none());
    assert!(c.screen().contains("sign in"));
}

#[test]
fn typing_the_same_digits_slowly_is_not_a_scan() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    let (gtin, _, _, _) = ward_lot(&c, "W-GER", false);
    c.typed(&gtin).key(KeyCode::Enter);
    assert!(c.app.tabs.stock.detail.is_none() || c.app.tabs.stock.scanned_lot.is_none());
    assert!(c.app.tabs.stock.scanned_lot.is_none());
}

#[test]
fn an_unknown_barcode_is_linked_by_the_storekeeper_only() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    // A valid GTIN-13 that is not in the formulary.
    let unknown = &wardstock::domain::gtin::with_check_digit("409999900001").unwrap();
    c.scan(unknown);
    assert!(c.screen().contains("ask a pharmacist or storekeeper"));
    assert!(c.app.tabs.stock.pending_gtin.is_none());
    c.ctrl('l');
    c.sign_in("store");
    c.scan(unknown);
    assert_eq!(
        c.app.tabs.stock.pending_gtin.as_deref(),
        Some(format!("0{unknown}").as_str())
    );
    let s = c.screen();
    assert!(
        s.contains("press F6 to link it") && s.contains("F6 link scanned barcode"),
        "{s}"
    );
    c.typed("glove-m");
    let item = c.app.tabs.stock.view.lines[c.app.tabs.stock.filtered[0]].clone();
    c.key(KeyCode::F(6));
    // Nothing is linked before the storekeeper confirms what goes to what.
    let s = c.screen();
    assert!(
        s.contains(&format!("Link barcode 0{unknown}?")) && s.contains(&item.code),
        "{s}"
    );
    let linked = |c: &Console| -> i64 {
        c.app
            .store()
            .conn
            .query_row(
                "SELECT count(*) FROM item_gtins WHERE gtin = ?1",
                [format!("0{unknown}")],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(linked(&c), 0);
    c.typed("yes").key(KeyCode::Enter);
    assert_eq!(linked(&c), 1);
    assert!(c.screen().contains(&format!("linked to {}", item.name)));
    c.key(KeyCode::Esc);
    c.scan(unknown);
    assert_eq!(
        c.app
            .tabs
            .stock
            .detail
            .as_ref()
            .unwrap()
            .line
            .as_ref()
            .unwrap()
            .item_id,
        item.item_id
    );
}

#[test]
fn a_bad_scan_is_reported_with_its_position() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse").key(KeyCode::Char('3'));
    c.scan("0109506000134353");
    let s = c.screen();
    assert!(
        s.contains("Scan not understood") && s.contains("position 3"),
        "{s}"
    );
}

#[test]
fn the_storekeeper_picks_an_order_by_scanning_packs_and_the_ward_confirms_it() {
    use wardstock::ops::stock;
    let mut c = Console::new(100, 30);
    // The nurse manager has asked for 40 paracetamol tablets (one pack is 20).
    let order = {
        let (dir_store, now) = (Store::open(c.app.store().path()).unwrap(), common::anchor());
        let mut s = dir_store;
        let manager = wardstock::ops::Actor {
            user_id: 4,
            username: "manager".into(),
            full_name: "m".into(),
            role: wardstock::domain::Role::NurseManager,
        };
        let ward = stock::place_by_code(&s.conn, "W-MED").unwrap();
        let item = stock::item_by_code(&s.conn, "PARA500T").unwrap();
        stock::request_transfer(&mut s, &manager, now, &ward, &[(item, 40)], None).unwrap()
    };
    let (gtin, lot) = {
        let conn = &c.app.store().conn;
        let gtin: String = conn.query_row("SELECT g.gtin FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE i.code = 'PARA500T'", [], |r| r.get(0)).unwrap();
        let o = stock::transfer_order(conn, order, common::anchor()).unwrap();
        (gtin, o.lines[0].suggestions[0].lot_number.clone())
    };
    c.sign_in("store");
    c.key(KeyCode::Char('4'));
    let s = c.screen();
    assert!(
        s.contains(&format!("TO-{order}")) && s.contains("3 to pick"),
        "{s}"
    );
    // The newest order is first.
    c.key(KeyCode::Enter);
    assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, order);
    assert!(c.screen().contains("scan each pack to pick it"));
    // A pack of that lot printed with another expiry is not picked.
    c.scan(&format!("(01){gtin}(17)300101(10){lot}"));
    let s = c.screen();
    assert!(
        s.contains("the pack says 2030-01-01") && s.contains("a different expiry is a"),
        "{s}"
    );
    let o = c.app.tabs.pharmacy.order().unwrap();
    assert_eq!(o.lines[0].picked, 0);
    // Two scans of the FEFO lot: two packs of 20.
    c.scan(&format!("(01){gtin}(10){lot}"));
    assert!(c.screen().contains("Picked 20 tablet"), "{}", c.screen());
    c.scan(&format!("(01){gtin}(10){lot}"));
    let o = c.app.tabs.pharmacy.order().unwrap();
    assert_eq!((o.lines[0].picked, o.lines[0].open), (40, 0));
    // A third scan: nothing open any more.
    c.scan(&format!("(01){gtin}(10){lot}"));
    assert!(
        c.screen().contains("already fully picked"),
        "{}",
        c.screen()
    );
    c.key(KeyCode::F(8));
    assert!(
        c.screen()
            .contains(&format!("Order {order} dispatched complete")),
        "{}",
        c.screen()
    );
    // The storekeeper may not confirm on behalf of the ward.
    c.key(KeyCode::F(9));
    assert!(
        c.screen().contains("may not confirm a delivery"),
        "{}",
        c.screen()
    );
    c.ctrl('l');
    c.sign_in("nurse");
    c.key(KeyCode::Char('4')).key(KeyCode::Enter);
    c.key(KeyCode::F(9));
    assert!(
        c.screen()
            .contains(&format!("Order {order} received: 40 unit(s)")),
        "{}",
        c.screen()
    );
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

fn on_hand(c: &Console, code: &str) -> i64 {
    c.app
        .tabs
        .stock
        .view
        .lines
        .iter()
        .find(|l| l.code == code)
        .map_or(0, |l| l.on_hand)
}

#[test]
fn a_nurse_issues_ward_stock_from_a_form_and_a_refusal_stays_in_the_form() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse").key(KeyCode::Char('3'));
    c.typed("glove-m").key(KeyCode::Enter);
    let before = on_hand(&c, "GLOVE-M");
    assert!(before > 10);
    c.key(KeyCode::F(3));
    let s = c.screen();
    assert!(
        s.contains("Issue ward stock") && s.contains("Return stock to the pharmacy"),
        "{s}"
    );
    // A nurse disposes (a broken ampoule) and asks the pharmacy, but
    // never recalls a lot.
    assert!(
        s.contains("Dispose of stock") && s.contains("Request a transfer") && !s.contains("Recall"),
        "a nurse disposes and requests but does not recall: {s}"
    );
    c.key(KeyCode::Enter); // the first: issue
    assert!(c.screen().contains("empty: first-expired-first-out"));
    // Lot empty (FEFO), then an impossible quantity: refused, nothing written.
    c.key(KeyCode::Enter)
        .typed(&(before + 1).to_string())
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    let s = c.screen();
    let error = c
        .app
        .form
        .as_ref()
        .expect("the form stays open")
        .error
        .clone()
        .unwrap_or_default();
    assert_eq!(
        error,
        format!(
            "only {before} usable piece of Examination glove nitrile, size M at W-GER; {} wanted",
            before + 1
        ),
        "{s}"
    );
    // Correct the quantity (one field up from Reason) and record.
    c.key(KeyCode::Up);
    for _ in 0..6 {
        c.key(KeyCode::Backspace);
    }
    c.typed("3")
        .key(KeyCode::Enter)
        .typed("dressing trolley")
        .key(KeyCode::Enter);
    assert!(c.app.form.is_none(), "{}", c.screen());
    assert!(c.screen().contains("Issued 3 piece"));
    assert_eq!(on_hand(&c, "GLOVE-M"), before - 3);
    // Esc cancels without recording.
    c.key(KeyCode::F(3)).key(KeyCode::Enter).key(KeyCode::Esc);
    assert!(c.screen().contains("nothing was recorded"));
    assert_eq!(on_hand(&c, "GLOVE-M"), before - 3);
}

#[test]
fn the_storekeeper_receives_by_scanning_the_pack_into_the_form() {
    let mut c = Console::new(100, 30);
    c.sign_in("store").key(KeyCode::Char('3'));
    assert_eq!(c.app.current_place().unwrap().code, "PHARM");
    let gtin: String = c.app.store().conn.query_row("SELECT g.gtin FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE i.code = 'AMOX500C'", [], |r| r.get(0)).unwrap();
    c.typed("amox500c").key(KeyCode::Enter);
    let before = on_hand(&c, "AMOX500C");
    c.key(KeyCode::F(3)).key(KeyCode::Char('1'));
    assert!(
        c.screen().contains("Receive 阿莫西林胶囊 500 mg"),
        "{}",
        c.screen()
    );
    // The scan fills lot and expiry (a short-dated lot: 40 days).
    let expiry = (common::anchor().date_naive() + chrono::Duration::days(40))
        .format("%y%m%d")
        .to_string();
    c.scan(&format!("]d201{gtin}17{expiry}10NEWLOT\u{1d}21X"));
    let f = c.app.form.as_ref().unwrap();
    let Kind::Receive(r) = &f.kind else {
        panic!("the receive form")
    };
    assert_eq!((r.lot.value(), r.expiry.value().len()), ("NEWLOT", 10));
    // The scan moves on to the first field it did not fill.
    assert_eq!(f.focused_label(), Some("Packs"));
    c.typed("2")
        .key(KeyCode::Enter)
        .key(KeyCode::Enter)
        .typed("Acme")
        .key(KeyCode::Enter)
        // No purchase order, the usual location: Enter on the empty
        // Order and Location fields records.
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    let s = c.screen();
    assert!(
        s.contains("Received 42 capsule") && s.contains("SHORT-DATED: expires in 40 days"),
        "{s}"
    );
    assert_eq!(on_hand(&c, "AMOX500C"), before + 42);
    // A pack of another item scanned into the form is refused.
    c.key(KeyCode::F(3)).key(KeyCode::Char('1'));
    c.scan("(01)04031847000072(10)X");
    assert!(
        c.screen().contains("not 阿莫西林胶囊 500 mg"),
        "{}",
        c.screen()
    );
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// Opens the F3 menu and chooses `op`.
fn choose(c: &mut Console, op: wardstock::domain::roles::Operation) {
    c.key(KeyCode::F(3));
    let Some(Popup::OpMenu(menu)) = c.app.popup.clone() else {
        panic!("the operations menu")
    };
    let ops = menu.ops;
    let pos = ops
        .iter()
        .position(|o| *o == op)
        .unwrap_or_else(|| panic!("{op:?} not offered in {ops:?}"));
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
}

/// The open form's typed fields.
fn form_kind(c: &mut Console) -> &mut Kind {
    &mut c.app.form.as_mut().expect("a form").kind
}

fn dose(c: &mut Console) -> &mut wardstock::tui::forms::dose::Dose {
    match form_kind(c) {
        Kind::Dose(d) => d,
        _ => panic!("the dose form"),
    }
}

/// Opens the place picker on the place `code`.
fn set_picker(c: &mut Console, code: &str) {
    let selected = c
        .app
        .cx
        .places
        .iter()
        .position(|p| p.code == code)
        .expect("the place");
    c.app.popup = Some(Popup::Picker(Picker { selected }));
}

fn picker(c: &Console) -> usize {
    match &c.app.popup {
        Some(Popup::Picker(p)) => p.selected,
        _ => panic!("the place picker"),
    }
}

#[test]
fn a_stocktake_is_started_counted_and_approved_in_the_console() {
    use wardstock::domain::roles::Operation;
    let mut c = Console::new(100, 30);
    c.sign_in("manager");
    c.typed("glove-m").key(KeyCode::Enter);
    let lots: Vec<(String, i64)> = c
        .app
        .tabs
        .stock
        .detail
        .as_ref()
        .unwrap()
        .lots
        .iter()
        .map(|l| (l.lot_number.clone(), l.qty))
        .collect();
    assert!(!lots.is_empty());
    choose(&mut c, Operation::StartStocktake);
    // The whole place, not a controlled-drug check: Enter on the empty
    // Location and CD check fields starts.
    c.typed("GLOVE-M")
        .key(KeyCode::Enter)
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    assert!(
        c.screen()
            .contains(&format!("{} lot line(s) to count", lots.len())),
        "{}",
        c.screen()
    );
    assert!(c.app.tabs.stock.view.stocktake.is_some());
    // Approving before everything is counted is refused, in the form.
    choose(&mut c, Operation::ApproveStocktake);
    c.key(KeyCode::Enter);
    assert!(
        c.app
            .form
            .as_ref()
            .unwrap()
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not counted yet")
    );
    c.key(KeyCode::Esc);
    // Count every lot; the first is two short.
    for (i, (lot, qty)) in lots.iter().enumerate() {
        choose(&mut c, Operation::Count);
        let Kind::Count(count) = form_kind(&mut c) else {
            panic!("the count form")
        };
        count.lot.set(lot);
        count
            .counted
            .set(&(qty - if i == 0 { 2 } else { 0 }).to_string());
        // Lot, count, and why it differs (left empty: gloves are not controlled).
        c.key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .key(KeyCode::Enter);
        assert!(
            c.screen().contains(&format!(
                "Counted Examination glove nitrile, size M lot {lot}"
            )),
            "{}",
            c.screen()
        );
    }
    c.key(KeyCode::Esc);
    let s = c.screen();
    assert!(s.contains(&format!("{0}/{0} counted", lots.len())), "{s}");
    c.key(KeyCode::Enter);
    choose(&mut c, Operation::ApproveStocktake);
    let note = c
        .app
        .form
        .as_ref()
        .unwrap()
        .note
        .clone()
        .unwrap_or_default();
    assert!(
        note.contains("1 variance(s) totalling -2 units")
            && note.contains(&format!("GLOVE-M {} -2", lots[0].0)),
        "{note}"
    );
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains("approved") && c.screen().contains("1 adjusted"),
        "{}",
        c.screen()
    );
    let d = c.app.tabs.stock.detail.as_ref().unwrap();
    assert_eq!(
        d.lots
            .iter()
            .find(|l| l.lot_number == lots[0].0)
            .unwrap()
            .qty,
        lots[0].1 - 2
    );
    assert!(c.app.tabs.stock.view.stocktake.is_none());
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn the_storekeeper_rejects_a_damaged_delivery_line_and_nothing_enters_stock() {
    use wardstock::domain::roles::Operation;
    let mut c = Console::new(100, 30);
    c.sign_in("store").key(KeyCode::Char('3'));
    c.typed("amox500c").key(KeyCode::Enter);
    let before = on_hand(&c, "AMOX500C");
    choose(&mut c, Operation::RejectReceipt);
    let Kind::Receive(r) = form_kind(&mut c) else {
        panic!("the reject form")
    };
    r.lot.set("DAMAGED-1");
    r.packs.set("3");
    // The reason is required.
    for _ in 0..6 {
        c.key(KeyCode::Enter);
    }
    assert!(
        c.app
            .form
            .as_ref()
            .unwrap()
            .error
            .as_deref()
            .unwrap_or("")
            .contains("needs a reason")
    );
    let Kind::Receive(r) = form_kind(&mut c) else {
        panic!("the reject form")
    };
    r.reason.set("cartons crushed");
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains("Rejected 63 capsule") && c.screen().contains("nothing entered stock"),
        "{}",
        c.screen()
    );
    assert_eq!(on_hand(&c, "AMOX500C"), before);
    let n: i64 = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT count(*) FROM receipt_rejections WHERE lot_number = 'DAMAGED-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn the_whole_keymap_fits_the_help_at_80x24() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    c.key(KeyCode::Char('?'));
    let s = c.screen();
    for desc in [
        "quit",
        "ward/place",
        "operations",
        "dispatch",
        "confirm received",
        "page down",
        "newest",
    ] {
        assert!(s.contains(desc), "{desc} missing from the help:\n{s}");
    }
    assert!(!s.contains("enlarge the window"), "{s}");
}

#[test]
fn a_pharmacist_validates_from_the_prescriptions_tab() {
    let mut c = Console::new(100, 30);
    let entry = wardstock::ops::rx::queue(&c.app.store().conn, None, common::anchor())
        .unwrap()
        .remove(0);
    c.sign_in("pharm");
    c.key(KeyCode::F(2));
    set_picker(&mut c, &entry.ward);
    c.key(KeyCode::Enter).key(KeyCode::Char('1'));
    let pos = c
        .app
        .tabs
        .prescriptions
        .view
        .lines
        .iter()
        .position(|l| l.id == entry.id)
        .unwrap();
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    assert!(
        c.screen().contains("Enter open"),
        "the key bar offers validation"
    );
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains(&format!("Validate: {}", entry.item)),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter).key(KeyCode::Enter);
    assert!(
        c.screen()
            .contains(&format!("Prescription {} validated", entry.id)),
        "{}",
        c.screen()
    );
    let l = c
        .app
        .tabs
        .prescriptions
        .view
        .lines
        .iter()
        .find(|l| l.id == entry.id)
        .unwrap();
    assert_eq!(l.status, "active");
    // A nurse is not offered validation.
    c.ctrl('l');
    c.sign_in("nurse");
    c.key(KeyCode::Char('1'));
    assert!(!c.screen().contains("Enter open"));
}

#[test]
fn a_nurse_gives_a_dose_by_scanning_the_wristband_and_the_pack() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    // A ward and a dose on its schedule that the ward can give.
    let conn_candidates: Vec<(String, i64, String, String, String)> = {
        let conn = &c.app.store().conn;
        let mut stmt = conn
            .prepare(
                "SELECT w.code, r.id, p.mrn, g.gtin,
                        (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id WHERE b.place_id = p.ward_id AND b.item_id = i.id
                         AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10 ORDER BY b.expiry LIMIT 1)
                 FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id JOIN items i ON i.id = r.item_id
                 JOIN item_gtins g ON g.item_id = i.id
                 WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0 AND r.dose_milli % i.strength_milli = 0
                   AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
                   AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10)
                   -- Not too soon after a dose given: none in the last day.
                   AND NOT EXISTS (SELECT 1 FROM administrations a WHERE a.prescription_id = r.id
                                   AND a.outcome IN ('given', 'partially_given') AND a.recorded_at > '2026-11-21T12:00:00Z')
                 ORDER BY r.id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let mut chosen = None;
    for (ward, rx, mrn, gtin, lot) in conn_candidates {
        c.key(KeyCode::F(2));
        set_picker(&mut c, &ward);
        c.key(KeyCode::Enter).key(KeyCode::Char('2'));
        if let Some(pos) = c.app.tabs.administration.view.rows.iter().position(|r| {
            r.prescription_id == rx && !r.recorded && r.at + r.window() >= common::anchor()
        }) {
            chosen = Some((pos, mrn, gtin, lot));
            break;
        }
    }
    let (pos, mrn, gtin, lot) = chosen.expect("a dose to give on some ward");
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("Give: "), "{}", c.screen());
    assert!(
        c.app
            .cx
            .status
            .as_ref()
            .is_some_and(|(_, m)| m.contains("Scan the wristband, then the pack"))
    );
    // The wrong wristband is caught; the right one passes.
    c.scan("MRN999999");
    // Said at once, before anything else is done.
    let now_error = c
        .app
        .form
        .as_ref()
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(
        now_error.contains("WRONG PATIENT") && now_error.contains("stop"),
        "{now_error}"
    );
    dose(&mut c).route_ok.set("yes");
    dose(&mut c).timing.set("other: round started late");
    // A recalled lot is refused at the scan, before the form is filled.
    let recall = |c: &Console, status: &str| {
        c.app
            .store()
            .conn
            .execute(
                "UPDATE lots SET status = ?1 WHERE lot_number = ?2",
                [status, lot.as_str()],
            )
            .unwrap();
    };
    recall(&c, "recalled");
    c.scan(&format!("(01){gtin}(10){lot}"));
    let at_scan = c
        .app
        .form
        .as_ref()
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(at_scan.contains("recalled"), "{at_scan}");
    assert_eq!(dose(&mut c).lot.value(), "");
    recall(&c, "ok");
    c.scan(&format!("(01){gtin}(10){lot}"));
    assert_eq!(dose(&mut c).lot.value(), lot);
    // A correct scan says so, in the form, until the next key.
    let confirmed = |c: &Console| {
        c.app
            .form
            .as_ref()
            .and_then(|f| f.confirmed.clone())
            .unwrap_or_default()
    };
    assert!(confirmed(&c).starts_with("✓ pack") && confirmed(&c).contains(&lot));
    assert!(c.screen().contains("✓ pack"), "{}", c.screen());
    // Enter walks the twelve fields, then records.
    for _ in 0..12 {
        c.key(KeyCode::Enter);
    }
    let error = c
        .app
        .form
        .as_ref()
        .expect("refused")
        .error
        .clone()
        .unwrap_or_default();
    // Refused before the record is written, naming both patients.
    assert!(
        error.to_lowercase().contains("wrong patient") && error.contains("MRN999999"),
        "{error}"
    );
    c.scan(&mrn);
    assert!(
        confirmed(&c).contains("the right patient"),
        "{}",
        confirmed(&c)
    );
    c.key(KeyCode::Enter);
    assert!(
        c.app.form.is_none(),
        "{:?}",
        c.app.form.as_ref().map(|f| f.error.clone())
    );
    let s = c.screen();
    assert!(
        s.contains(": given,") && s.contains(&format!("of lot {lot}")),
        "{s}"
    );
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn the_schedule_groups_by_patient_offers_prn_lines_and_opens_the_patient_record() {
    use wardstock::tui::views::Slot;
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    let ward: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT w.code FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
             WHERE r.frequency = 'prn' AND r.status = 'active' ORDER BY w.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.key(KeyCode::F(2));
    set_picker(&mut c, &ward);
    c.key(KeyCode::Enter).key(KeyCode::Char('2'));
    let slots = c.app.tabs.administration.view.slots.clone();
    let prn = slots
        .iter()
        .position(|s| matches!(s, Slot::Prn(_)))
        .expect("a PRN line");
    // By time: scheduled doses in time order, PRN lines after them.
    let times: Vec<_> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Dose(i) => Some(c.app.tabs.administration.view.rows[*i].at),
            Slot::Prn(_) => None,
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(slots[prn..].iter().all(|s| matches!(s, Slot::Prn(_))));
    c.key(KeyCode::End);
    assert!(c.screen().lines().any(|l| l.starts_with("PRN ")));

    // By patient: each patient's lines together.
    c.key(KeyCode::F(7));
    assert!(c.app.tabs.administration.view.by_patient && c.screen().contains("by patient"));
    let mrns: Vec<String> = c
        .app
        .tabs
        .administration
        .view
        .slots
        .iter()
        .map(|s| c.app.tabs.administration.view.mrn(*s).to_string())
        .collect();
    let mut seen: Vec<&String> = Vec::new();
    for (i, m) in mrns.iter().enumerate() {
        if i == 0 || mrns[i - 1] != *m {
            assert!(!seen.contains(&m), "{m} appears in two groups");
            seen.push(m);
        }
    }
    assert_eq!(c.app.tabs.administration.view.slots.len(), slots.len());

    // A PRN line opens the dose form without a scheduled time.
    let at = c
        .app
        .tabs
        .administration
        .view
        .slots
        .iter()
        .position(|s| matches!(s, Slot::Prn(_)))
        .unwrap();
    c.key(KeyCode::Home);
    for _ in 0..at {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    let form = c.app.form.as_ref().expect("the dose form");
    assert!(form.dose().expect("the dose form").scheduled_at.is_none());
    assert!(
        form.note.as_deref().unwrap_or("").contains("PRN"),
        "{:?}",
        form.note
    );
    c.key(KeyCode::Esc);
    assert!(c.app.form.is_none());

    // F4: the patient's record, with allergies, prescriptions and doses; Esc closes it.
    c.key(KeyCode::F(4));
    let Some(Popup::Patient(card)) = &c.app.popup else {
        panic!("the record")
    };
    let name = card.record.name.clone();
    let first = card.record.doses.first().cloned();
    let s = c.screen();
    assert!(
        s.contains(&name) && s.contains("Prescriptions") && s.contains("Doses (newest first)"),
        "{s}"
    );
    // A dose is listed at the time it was recorded, with who recorded it
    // and, for a scheduled dose, the time it was due.
    if let Some(d) = first {
        let at = wardstock::domain::instant_from_text(&d.recorded_at).unwrap();
        assert!(s.contains(&wardstock::tui::widgets::when(at)), "{s}");
        assert!(s.contains(&format!("by {}", d.by)), "{s}");
        if d.scheduled_at.is_some() {
            assert!(s.contains("due "), "{s}");
        }
    }
    c.key(KeyCode::Esc);
    assert!(c.app.popup.is_none());
}

#[test]
fn a_pharmacist_accepts_a_replenishment_suggestion_into_a_transfer_order() {
    let mut c = Console::new(100, 30);
    c.sign_in("pharm");
    c.key(KeyCode::Char('4')).key(KeyCode::F(10));
    let plan = c.app.tabs.pharmacy.plan().cloned().expect("the plan");
    assert!(!plan.rows.is_empty());
    let s = c.screen();
    assert!(
        s.contains("Replenishment plan") && s.contains("exception(s), worst first"),
        "{s}"
    );
    // The first ward delivery: accept it as suggested.
    let pos = plan.rows.iter().position(|r| !r.purchase).unwrap();
    let want = plan.rows[pos].s.clone();
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    // Its chart, then back to the exceptions.
    c.key(KeyCode::F(4));
    assert!(c.screen().contains("projected usable stock"));
    c.key(KeyCode::F(4));
    let before: i64 = c
        .app
        .store()
        .conn
        .query_row("SELECT count(*) FROM transfer_orders", [], |r| r.get(0))
        .unwrap();
    c.key(KeyCode::Enter);
    assert!(c.app.form.is_some());
    for _ in 0..3 {
        c.key(KeyCode::Enter);
    }
    assert!(
        c.app.form.is_none(),
        "{:?}",
        c.app.form.as_ref().map(|f| f.error.clone())
    );
    let (count, to, qty): (i64, String, i64) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT (SELECT count(*) FROM transfer_orders), p.code, l.qty_requested FROM transfer_orders o
             JOIN places p ON p.id = o.to_place_id JOIN transfer_lines l ON l.order_id = o.id ORDER BY o.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((count, to, qty), (before + 1, want.place.clone(), want.qty));
    assert!(c.screen().contains("Accepted:"));
    // A rejected suggestion leaves the list (for a day), with its reason recorded.
    let gone = c.app.tabs.pharmacy.plan().unwrap().rows[0].s.clone();
    c.key(KeyCode::Home).key(KeyCode::Enter);
    let Kind::Decision(d) = form_kind(&mut c) else {
        panic!("the decision form")
    };
    d.decision.set("reject");
    d.reason.set("ward closing beds");
    for _ in 0..3 {
        c.key(KeyCode::Enter);
    }
    assert!(
        c.app.form.is_none(),
        "{:?}",
        c.app.form.as_ref().map(|f| f.error.clone())
    );
    let p = c.app.tabs.pharmacy.plan().unwrap();
    assert!(p.rejected >= 1);
    assert!(
        !p.rows
            .iter()
            .any(|r| r.s.place == gone.place && r.s.item == gone.item)
    );
    // A nurse may look but not decide.
    c.ctrl('l');
    c.sign_in("nurse");
    c.key(KeyCode::Char('4'))
        .key(KeyCode::F(10))
        .key(KeyCode::Enter);
    assert!(c.app.form.is_none());
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn the_pharmacy_simulates_a_wards_own_drugs_and_charts_them_under_both_policies() {
    let mut c = Console::new(100, 30);
    c.sign_in("pharm");
    c.key(KeyCode::F(2));
    set_picker(&mut c, "W-MED");
    c.key(KeyCode::Enter)
        .key(KeyCode::Char('4'))
        .key(KeyCode::F(11));
    let r = c
        .app
        .tabs
        .pharmacy
        .sim()
        .cloned()
        .expect("the simulation's result");
    assert!(r.description.contains("W-MED"), "{}", r.description);
    assert_eq!(r.series.drugs.len(), r.drugs.len());
    let s = c.screen();
    assert!(
        s.contains("AS IS")
            && s.contains("TO BE")
            && s.contains("fill rate")
            && s.contains("on the ward, end of each day"),
        "{s}"
    );
    let first = r.drugs[0].clone();
    assert!(s.contains(&format!(" {first} on the ward")));
    c.key(KeyCode::Down);
    assert_eq!(c.app.tabs.pharmacy.sim_drug(), 1 % r.drugs.len());
    c.key(KeyCode::Esc);
    assert!(c.app.tabs.pharmacy.sim().is_none());
}

#[test]
fn at_the_pharmacy_the_prescriptions_tab_is_the_validation_queue_of_every_ward() {
    let mut c = Console::new(100, 30);
    c.sign_in("pharm");
    assert_eq!(c.app.current_place().unwrap().code, "PHARM");
    c.key(KeyCode::Char('1'));
    let s = c.screen();
    assert!(s.contains("Validation queue, all wards"), "{s}");
    let awaiting: i64 = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT count(*) FROM prescriptions WHERE status = 'awaiting_validation'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(c.app.tabs.prescriptions.view.lines.len() as i64, awaiting);
    assert!(
        c.app
            .tabs
            .prescriptions
            .view
            .lines
            .iter()
            .all(|l| l.status == "awaiting_validation")
    );
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("Validate: "));
}

#[test]
fn a_dose_whose_window_closed_opens_as_missed_with_the_wards_codes() {
    let mut c = Console::new(100, 30);
    c.sign_in("nurse");
    // Two hours on, a ward has a missed dose on its schedule (a dose is
    // late, not missed, for a half window after its window closes).
    c.app.cx.now += chrono::Duration::hours(2);
    let wards: Vec<String> = c
        .app
        .cx
        .places
        .iter()
        .filter(|p| p.code.starts_with("W-"))
        .map(|p| p.code.clone())
        .collect();
    let mut found = false;
    for ward in wards {
        c.key(KeyCode::F(2));
        set_picker(&mut c, &ward);
        c.key(KeyCode::Enter).key(KeyCode::Char('2'));
        let now = c.app.cx.now;
        let missed = c
            .app
            .tabs
            .administration
            .view
            .slots
            .iter()
            .position(|s| match s {
                wardstock::tui::views::Slot::Dose(i) => {
                    c.app.tabs.administration.view.rows[*i].status(now)
                        == wardstock::domain::schedule::DoseStatus::Missed
                }
                _ => false,
            });
        if let Some(pos) = missed {
            c.key(KeyCode::Home);
            for _ in 0..pos {
                c.key(KeyCode::Down);
            }
            c.key(KeyCode::Enter);
            let f = c.app.form.as_ref().expect("the dose form");
            assert_eq!(f.focused_label(), Some("Reason"));
            let d = f.dose().expect("the dose form");
            assert_eq!(d.outcome.value(), "missed");
            assert!(d.reason.hint.contains("WORKLOAD"), "{}", d.reason.hint);
            found = true;
            break;
        }
    }
    assert!(found, "the demo has a missed dose on some ward");
}

/// The screen, checked whole: no cell hidden under a wide character holds
/// anything (a box or a column that cut a Chinese character in half).
fn whole_screen(c: &mut Console) -> String {
    let s = c.screen();
    let buf = c.term.backend().buffer().clone();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let w = unicode_width::UnicodeWidthStr::width(buf[(x, y)].symbol()).max(1) as u16;
            for k in 1..w {
                if x + k < buf.area.width {
                    let hidden = buf[(x + k, y)].symbol();
                    assert!(
                        hidden.trim().is_empty(),
                        "row {y}: {hidden:?} hidden under a wide character at column {x}:\n{s}"
                    );
                }
            }
            x += w;
        }
    }
    s
}

/// The screen line that starts with `start` (after spaces).
fn row<'a>(s: &'a str, start: &str) -> &'a str {
    s.lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line starts with {start}:\n{s}"))
}

#[test]
fn the_whole_console_speaks_chinese_at_80x24() {
    use wardstock::i18n::num;
    let mut c = Console::in_lang(80, 24, Some(Lang::ZhCn));
    let s = whole_screen(&mut c);
    insta::assert_snapshot!("signin_80x24_zh", s);
    assert!(
        s.contains("登录") && s.contains("用户") && s.contains("PIN 1234"),
        "{s}"
    );
    c.sign_in("nurse");
    let s = whole_screen(&mut c);
    assert!(s.contains("已登录") && s.contains("护士"), "{s}");
    c.key(KeyCode::Char('3'));
    let s = whole_screen(&mut c);
    assert!(
        s.contains("处方") && s.contains("给药") && s.contains("病区库存") && s.contains("筛选"),
        "{s}"
    );
    // Ward stock: each item's quantity and unit are whole.
    let first = c.app.tabs.stock.view.lines[c.app.tabs.stock.filtered[0]].clone();
    let line = row(&s, &first.code);
    assert!(
        line.contains(&format!(" {} ", num(first.on_hand)))
            && line.contains(wardstock::i18n::text_in(
                wardstock::i18n::Lang::ZhCn,
                &format!("unit.{}", first.dose_unit)
            )),
        "{line}"
    );
    // An item's lots: lot, expiry, quantity and whether it may be used.
    c.key(KeyCode::Enter);
    let s = whole_screen(&mut c);
    let lot = c.app.tabs.stock.detail.as_ref().unwrap().lots[0].clone();
    let line = row(&s, &lot.lot_number);
    assert!(
        line.contains(&num(lot.qty)) && (line.contains("可用") || line.contains("过期")),
        "{line}"
    );
    assert!(s.contains("最近出入库") && s.contains("批号"), "{s}");
    c.key(KeyCode::Esc);

    // Prescriptions: the dose and the status are whole.
    c.key(KeyCode::Char('1'));
    let s = whole_screen(&mut c);
    assert!(
        s.contains("待药师审核") && s.contains("执行中") && s.contains("剂量"),
        "{s}"
    );
    let rx = c.app.tabs.prescriptions.view.lines[0].clone();
    let line = s
        .lines()
        .find(|l| l.contains(&rx.patient))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(line.contains(&rx.dose_text()), "{line}");

    // Administration: statuses in Chinese; the selected dose in full below.
    c.key(KeyCode::Char('2'));
    let s = whole_screen(&mut c);
    assert!(
        s.contains("给药") && s.contains("漏执行") && s.contains("待执行"),
        "{s}"
    );
    assert!(s.contains("已给药") || s.contains("应执行"), "{s}");

    // Help: the whole keymap, described in Chinese.
    c.key(KeyCode::Char('?'));
    let s = whole_screen(&mut c);
    for word in [
        "帮助",
        "退出",
        "病区/地点",
        "操作",
        "发运",
        "确认签收",
        "最新",
        "English",
    ] {
        assert!(s.contains(word), "{word} missing from the help:\n{s}");
    }
    assert!(!s.contains("放大窗口"), "{s}");
    c.key(KeyCode::Esc);

    // Alerts and the pharmacy.
    c.key(KeyCode::Char('5'));
    let s = whole_screen(&mut c);
    assert!(
        s.contains("预警") && s.contains("危急") && s.contains("已过期"),
        "{s}"
    );
    c.key(KeyCode::Char('4'));
    let s = whole_screen(&mut c);
    assert!(s.contains("中心药房") && s.contains("安全库存"), "{s}");
    c.ctrl('l');
    let s = whole_screen(&mut c);
    assert!(s.contains("nurse 已退出登录"), "{s}");
    c.sign_in("pharm");
    c.key(KeyCode::Char('4')).key(KeyCode::F(10));
    let s = whole_screen(&mut c);
    assert!(s.contains("补货计划") && s.contains("异常"), "{s}");
}

#[test]
fn a_dose_form_shows_its_refusal_in_full_at_80x24_in_both_languages() {
    for lang in [Lang::ZhCn, Lang::En] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        // The first dose on the schedule that is still to be given.
        c.key(KeyCode::Char('2'));
        let pos = {
            let v = &c.app.tabs.administration.view;
            v.slots
                .iter()
                .position(|s| match s {
                    wardstock::tui::views::Slot::Dose(i) => !v.rows[*i].recorded,
                    wardstock::tui::views::Slot::Prn(_) => true,
                })
                .expect("a dose to give")
        };
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        let s = whole_screen(&mut c);
        let title = match lang {
            Lang::ZhCn => "给药：",
            Lang::En => "Give: ",
        };
        assert!(s.contains(title), "{s}");
        // The wrong wristband: refused at once, in the form.
        c.scan("MRN999999");
        let s = whole_screen(&mut c);
        let word = match lang {
            Lang::ZhCn => "患者身份不符",
            Lang::En => "WRONG PATIENT",
        };
        assert!(s.contains(word) && s.contains("MRN999999"), "{s}");
        // Every field walked: the operation refuses, the refusal stays in the form.
        for _ in 0..12 {
            c.key(KeyCode::Enter);
        }
        let error = c.app.form.as_ref().expect("refused").error.clone();
        let error = error.expect("a refusal");
        let s = whole_screen(&mut c);
        let start: String = error.chars().take(24).collect();
        assert!(s.contains(&start), "{error}\n{s}");
        assert!(
            s.contains(match lang {
                Lang::ZhCn => "Esc 取消",
                Lang::En => "Esc cancel",
            }),
            "{s}"
        );
    }
}

#[test]
fn every_tab_is_whole_at_80x24_in_english() {
    let mut c = Console::new(80, 24);
    c.sign_in("manager");
    for k in ['1', '2', '3', '4', '5'] {
        c.key(KeyCode::Char(k));
        whole_screen(&mut c);
    }
    c.key(KeyCode::Char('?'));
    whole_screen(&mut c);
}

#[test]
fn changing_the_language_in_the_console_is_saved_for_the_user() {
    use wardstock::store::queries::user_language;
    // No language asked for: each user's own.
    let mut c = Console::in_lang(80, 24, None);
    c.sign_in("nurse");
    let user = c.app.cx.actor.as_ref().unwrap().user_id;
    let before = wardstock::i18n::lang();
    let other = match before {
        Lang::En => Lang::ZhCn,
        Lang::ZhCn => Lang::En,
    };
    c.key(KeyCode::F(12));
    assert_eq!(wardstock::i18n::lang(), other);
    assert_eq!(
        user_language(&c.app.store().conn, user).unwrap(),
        Some(other),
        "saved with the user"
    );
    let s = c.screen();
    let stock = wardstock::i18n::text_in(other, "tui.tab.stock");
    assert!(s.contains(stock), "shown at once: {s}");
    // The next sign-in of the same user is in their language.
    c.ctrl('l');
    c.sign_in("nurse");
    assert_eq!(wardstock::i18n::lang(), other);
    assert!(c.screen().contains(stock));
    // Back again, from the help.
    c.key(KeyCode::Char('?')).key(KeyCode::F(12));
    assert!(c.app.popup.is_none());
    assert_eq!(
        user_language(&c.app.store().conn, user).unwrap(),
        Some(before)
    );
    // A language asked for explicitly wins over the user's own.
    c.key(KeyCode::F(12));
    let mut c2 = Console::in_lang(80, 24, Some(before));
    c2.sign_in("nurse");
    assert_eq!(wardstock::i18n::lang(), before);
}

/// The screen rows under the table header that starts with `header`.
fn table_rows<'a>(s: &'a str, header: &str) -> Vec<&'a str> {
    s.lines()
        .skip_while(|l| !l.starts_with(header))
        .skip(1)
        .collect()
}

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 16)];
const LANGS: [Lang; 2] = [Lang::En, Lang::ZhCn];

#[test]
fn a_cut_drug_name_ends_in_an_ellipsis_and_its_dose_and_status_are_whole() {
    use wardstock::tui::words;
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            c.key(KeyCode::Char('1'));
            let s = whole_screen(&mut c);
            wardstock::i18n::set_thread_lang(lang);
            let header = wardstock::i18n::text_in(lang, "tui.col.bed");
            let rows = table_rows(&s, header);
            let lines = c.app.tabs.prescriptions.view.lines.clone();
            let shown = c.app.tabs.prescriptions.sel.rows().min(lines.len());
            assert!(shown >= 3, "{s}");
            let mut cut = 0;
            for (l, row) in lines.iter().zip(&rows).take(shown) {
                let dose = words::strength(&l.dose_text());
                assert!(
                    row.contains(&dose),
                    "{lang:?} {w}: dose {dose} cut in {row:?}\n{s}"
                );
                let name = words::strength(&l.item);
                if !row.contains(&name) {
                    assert!(
                        row.contains('…'),
                        "{lang:?} {w}: {name} cut silently: {row:?}"
                    );
                    // The strength is never the part that is cut.
                    // From the first number to the last, and its unit.
                    let words: Vec<&str> = name.split(' ').collect();
                    let digit = |w: &str| w.chars().any(|c| c.is_ascii_digit());
                    let a = words.iter().position(|w| digit(w)).unwrap_or(0);
                    let b = words.iter().rposition(|w| digit(w)).unwrap_or(0);
                    let b = if words.get(b + 1).is_some_and(|w| w.chars().count() <= 4) {
                        b + 1
                    } else {
                        b
                    };
                    let strength = words[a..=b].join(" ");
                    // Shown whole or not at all, never cut.
                    for (k, _) in strength.char_indices().skip(1) {
                        let cut = format!("{}…", &strength[..k]);
                        assert!(!row.contains(&cut), "{lang:?} {w}: {strength} cut: {row:?}");
                    }
                    cut += 1;
                }
                let status = match l.status.as_str() {
                    "awaiting_validation" => {
                        wardstock::i18n::text_in(lang, "tui.rx.to_validate").to_string()
                    }
                    other => words::code(other),
                };
                assert!(
                    row.trim_end().ends_with(&status)
                        || row
                            .trim_end()
                            .ends_with(wardstock::i18n::text_in(lang, "tui.rx.validate_findings")),
                    "{lang:?} {w}: status {status} cut in {row:?}"
                );
            }
            if w == 60 {
                assert!(cut > 0, "long names are cut at 60 columns:\n{s}");
            }
            // Every cell that does not fit ends in "…": no row is wider than the screen.
            for row in &rows {
                assert!(wardstock::i18n::width(row) <= w as usize);
            }
        }
    }
    wardstock::i18n::set_thread_lang(Lang::En);
}

#[test]
fn the_prn_count_and_the_item_codes_are_never_cut() {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            c.key(KeyCode::Char('2')).key(KeyCode::End);
            let s = whole_screen(&mut c);
            let v = &c.app.tabs.administration.view;
            let counts: Vec<String> = v
                .prn_state
                .iter()
                .filter_map(|st| {
                    // The count says what it counts: `0/4 in 24 h`.
                    st.max_24h.map(|m| {
                        wardstock::i18n::text_in(lang, "tui.mar.prn_limit")
                            .replace("{given}", &st.given_24h.to_string())
                            .replace("{max}", &m.to_string())
                    })
                })
                .collect();
            let prn_rows: Vec<&str> = s.lines().filter(|l| l.starts_with("PRN")).collect();
            assert!(!prn_rows.is_empty(), "{s}");
            for row in prn_rows {
                assert!(
                    counts.iter().any(|n| row.trim_end().ends_with(n.as_str())),
                    "{lang:?} {w}: the 24-hour count is cut: {row:?}"
                );
            }
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("pharm");
            c.key(KeyCode::Char('5'));
            let s = whole_screen(&mut c);
            // The severity column may be left out when narrow: the table
            // is found by its code column, which never is.
            let header = wardstock::i18n::text_in(lang, "tui.col.code");
            let rows: Vec<&str> = s
                .lines()
                .skip_while(|l| !l.split_whitespace().any(|w| w == header))
                .skip(1)
                .collect();
            assert!(!rows.is_empty(), "{s}");
            let alerts = &c.app.tabs.alerts.view.rows;
            let shown = c.app.tabs.alerts.sel.rows().min(alerts.len());
            for (a, row) in alerts.iter().zip(&rows).take(shown) {
                assert!(
                    row.split_whitespace().any(|word| word == a.item),
                    "{lang:?} {w}: code {} cut: {row:?}",
                    a.item
                );
            }
        }
    }
}

#[test]
fn after_a_prn_dose_the_line_says_when_the_next_may_be_given() {
    for lang in LANGS {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        c.key(KeyCode::Char('2'));
        let (pos, p, mrn) = {
            let v = &c.app.tabs.administration.view;
            v.slots
                .iter()
                .enumerate()
                .find_map(|(k, s)| match s {
                    wardstock::tui::views::Slot::Prn(p)
                        if !v.prn[*p].controlled
                            && !v.prn[*p].high_alert
                            && v.prn_state[*p].next_allowed.is_none() =>
                    {
                        Some((k, *p, v.prn[*p].mrn.clone()))
                    }
                    _ => None,
                })
                .expect("a PRN line to give")
        };
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        dose(&mut c).wristband.set(&mrn);
        dose(&mut c).route_ok.set("y");
        dose(&mut c).unable.set("SCANNER");
        c.app.form.as_mut().unwrap().focus = wardstock::tui::forms::dose::CHECKED_BY + 1;
        c.key(KeyCode::Enter);
        assert!(
            c.app.form.is_none(),
            "{:?}",
            c.app.form.as_ref().map(|f| f.error.clone())
        );
        let st = &c.app.tabs.administration.view.prn_state[p];
        let at = st
            .next_allowed
            .expect("a next time after a dose")
            .with_timezone(&c.app.store().zone())
            .format("%H:%M")
            .to_string();
        let s = whole_screen(&mut c);
        let want = match lang {
            Lang::ZhCn => format!("{at} 后可再给"),
            Lang::En => format!("next from {at}"),
        };
        assert!(s.contains(&want), "{s}");
    }
}

#[test]
fn a_long_message_is_shown_whole_on_two_or_three_lines() {
    use wardstock::tui::component::Level;
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("pharm");
            let msg = match lang {
                Lang::ZhCn => {
                    "已接受：W-GER 的 Fentanyl 100 μg/2 ml ampoule 5 → TO-3 — 药房目前无法从可用库存中拣出 5 个单位中的 5 个：请向供应商订购或加急"
                }
                Lang::En => {
                    "Accepted: 5 Fentanyl 100 μg/2 ml ampoule for W-GER → TO-3 — the pharmacy cannot pick 5 of 5 units from usable stock now: order from the supplier or expedite"
                }
            };
            c.app.cx.say(Level::Warn, msg);
            let s = whole_screen(&mut c);
            let flat: String = s.split_whitespace().collect();
            let want: String = msg.split_whitespace().collect();
            assert!(flat.contains(&want), "{lang:?} {w}: not whole:\n{s}");
            // The key bar is still there, on the last line.
            assert!(!s.lines().last().unwrap().trim().is_empty(), "{s}");
        }
    }
}

/// Opens the bedside form of the first PRN line of a controlled drug.
fn open_controlled_prn(c: &mut Console) -> (String, String) {
    c.key(KeyCode::Char('2')).key(KeyCode::Home);
    let (pos, mrn, patient) = {
        let v = &c.app.tabs.administration.view;
        v.slots
            .iter()
            .enumerate()
            .find_map(|(k, s)| match s {
                wardstock::tui::views::Slot::Prn(p) if v.prn[*p].controlled => {
                    Some((k, v.prn[*p].mrn.clone(), v.prn[*p].patient.clone()))
                }
                _ => None,
            })
            .expect("a controlled PRN line")
    };
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    (mrn, patient)
}

/// Enter through the dose form's fields until it records or refuses.
fn enter_until_refused(c: &mut Console) {
    for _ in 0..12 {
        c.key(KeyCode::Enter);
        if c.app.form.as_ref().is_none_or(|f| f.error.is_some()) {
            return;
        }
    }
}

#[test]
fn the_witness_shows_as_required_up_front_and_a_refusal_moves_the_cursor_there() {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            let (mrn, _) = open_controlled_prn(&mut c);
            let s = whole_screen(&mut c);
            let label = match lang {
                Lang::ZhCn => "见证人（管制药品，必填）",
                Lang::En => "Witness (CD, required)",
            };
            assert!(s.contains(label), "{lang:?} {w}:\n{s}");
            let route = match lang {
                Lang::ZhCn => "核对途径（y）",
                Lang::En => "Route OK (y)",
            };
            assert!(s.contains(route), "{s}");
            dose(&mut c).wristband.set(&mrn);
            dose(&mut c).route_ok.set("是");
            dose(&mut c).unable.set("NOBARCODE");
            enter_until_refused(&mut c);
            let form = c.app.form.as_ref().expect("refused: no witness");
            assert!(form.error.is_some());
            assert_eq!(
                form.focus,
                wardstock::tui::forms::dose::WITNESS,
                "{lang:?} {w}: the cursor goes to the witness, not a PIN"
            );
        }
    }
}

#[test]
fn the_wrong_patient_refusal_names_both_patients() {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            let (mrn, patient) = open_controlled_prn(&mut c);
            let (other, other_name): (String, String) = c
                .app
                .store()
                .conn
                .query_row(
                    "SELECT mrn, name FROM patients WHERE mrn <> ?1 ORDER BY mrn LIMIT 1",
                    [&mrn],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            c.scan(&other);
            let error = c.app.form.as_ref().unwrap().error.clone().unwrap();
            for part in [&mrn, &patient, &other, &other_name] {
                assert!(error.contains(part.as_str()), "{part} missing: {error}");
            }
            let s = whole_screen(&mut c);
            for part in wardstock::tui::widgets::wrap(&error, 64.min(w as usize) - 3) {
                assert!(s.contains(&part), "{lang:?} {w}: {part:?} not shown:\n{s}");
            }
        }
    }
}

#[test]
fn a_dose_is_recorded_with_the_outcome_typed_in_chinese() {
    let mut c = Console::in_lang(80, 24, Some(Lang::ZhCn));
    c.sign_in("nurse");
    let (mrn, _) = open_controlled_prn(&mut c);
    let ward = c.app.current_place().unwrap().id;
    let held = wardstock::ops::ward::reasons(
        &c.app.store().conn,
        ward,
        wardstock::ops::ward::ReasonKind::Held,
    )
    .unwrap();
    // An unknown word is refused, saying the words to type.
    dose(&mut c).wristband.set(&mrn);
    dose(&mut c).outcome.set("随便");
    enter_until_refused(&mut c);
    let error = c.app.form.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("暂缓") && error.contains("随便"), "{error}");
    // 暂缓 with the ward's reason code is recorded as held.
    assert_eq!(
        c.app.form.as_ref().unwrap().focus,
        wardstock::tui::forms::dose::OUTCOME,
        "the cursor is on the outcome"
    );
    dose(&mut c).outcome.set("暂缓");
    dose(&mut c).reason.set(&held[0].code);
    c.app.form.as_mut().unwrap().focus = wardstock::tui::forms::dose::CHECKED_BY + 1;
    c.key(KeyCode::Enter);
    assert!(
        c.app.form.is_none(),
        "{:?}",
        c.app.form.as_ref().map(|f| f.error.clone())
    );
    let outcome: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT outcome FROM administrations ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(outcome, "held");
}

#[test]
fn old_messages_go_when_they_no_longer_apply_and_refusals_say_who_may() {
    let mut c = Console::in_lang(80, 24, Some(Lang::ZhCn));
    c.sign_in("nurse");
    // A nurse on a prescription awaiting validation.
    c.key(KeyCode::Char('1'));
    let pos = c
        .app
        .tabs
        .prescriptions
        .view
        .lines
        .iter()
        .position(|l| l.status == "awaiting_validation")
        .expect("a prescription to validate");
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    assert!(whole_screen(&mut c).contains("处方审核仅限药师"));
    // A recorded dose names who recorded it.
    c.key(KeyCode::Char('2')).key(KeyCode::Home);
    let (pos, by) = {
        let v = &c.app.tabs.administration.view;
        v.slots
            .iter()
            .enumerate()
            .find_map(|(k, s)| match s {
                wardstock::tui::views::Slot::Dose(i) if v.rows[*i].recorded => {
                    Some((k, v.rows[*i].by.clone().unwrap_or_default()))
                }
                _ => None,
            })
            .expect("a recorded dose")
    };
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    let s = whole_screen(&mut c);
    assert!(s.contains(&format!("该次给药已由 {by} 记录")), "{s}");
    // The scan hint of a dose form goes once the wristband is scanned.
    let (mrn, _) = open_controlled_prn(&mut c);
    assert!(c.app.cx.status.is_some());
    c.scan(&mrn);
    assert!(c.app.form.as_ref().unwrap().error.is_none());
    assert!(c.app.cx.status.is_none(), "{:?}", c.app.cx.status);
    assert!(!whole_screen(&mut c).contains("请先扫描腕带"));
}

/// The lot and expiry fields of the open receive form.
fn receive_fields(c: &mut Console) -> (String, String) {
    let Kind::Receive(r) = form_kind(c) else {
        panic!("the receive form")
    };
    (r.lot.value().to_string(), r.expiry.value().to_string())
}

#[test]
fn a_scan_before_f3_fills_the_receive_form_and_no_lot_is_prefilled_unasked() {
    use wardstock::domain::roles::Operation;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("store");
        // A new lot of an item the pharmacy stocks: none of it here yet.
        c.scan("(01)04031847000287(17)290630(10)IBUNEW");
        assert!(c.app.tabs.stock.detail.is_some(), "{}", c.screen());
        choose(&mut c, Operation::Receive);
        assert_eq!(
            receive_fields(&mut c),
            ("IBUNEW".to_string(), "2029-06-30".to_string())
        );
        // The cursor waits on the first field the scan left empty.
        let focus = c.app.form.as_ref().unwrap().focus;
        assert_eq!(focus, 2, "{}", c.screen());
        c.key(KeyCode::Esc).key(KeyCode::Esc).key(KeyCode::Esc);
        // An item opened by hand: no lot the user did not choose.
        c.typed("amox500c").key(KeyCode::Enter);
        choose(&mut c, Operation::Receive);
        assert_eq!(receive_fields(&mut c), (String::new(), String::new()));
        assert_eq!(c.app.form.as_ref().unwrap().focus, 0);
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        // The scan of one item does not fill the form of another.
        c.scan("(01)04031847000287(17)290630(10)IBUNEW");
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        c.typed("amox500c").key(KeyCode::Enter);
        choose(&mut c, Operation::Receive);
        assert_eq!(receive_fields(&mut c), (String::new(), String::new()));
    }
}

#[test]
fn a_form_on_a_chosen_lot_starts_on_the_first_empty_field() {
    use wardstock::domain::roles::Operation;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("manager");
        c.typed("glove-m").key(KeyCode::Enter);
        let first = c.app.tabs.stock.detail.as_ref().unwrap().lots[0]
            .lot_number
            .clone();
        choose(&mut c, Operation::StartStocktake);
        // The whole place, not a controlled-drug check.
        c.typed("GLOVE-M")
            .key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .key(KeyCode::Enter);
        c.key(KeyCode::Down); // the first lot, chosen
        choose(&mut c, Operation::Count);
        c.typed("64");
        let Kind::Count(count) = form_kind(&mut c) else {
            panic!("the count form")
        };
        assert_eq!(
            (count.lot.value(), count.counted.value()),
            (first.as_str(), "64")
        );
    }
}

#[test]
fn arrows_choose_a_lot_in_the_items_lots_and_forms_take_it() {
    use wardstock::domain::roles::Operation;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("store").key(KeyCode::Char('3'));
        // An item with at least two lots at the pharmacy.
        let code: String = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
                 WHERE p.code = 'PHARM' AND b.qty > 0 GROUP BY i.id HAVING count(*) >= 2 ORDER BY i.code LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        c.typed(&code.to_lowercase()).key(KeyCode::Enter);
        let lots: Vec<String> = c
            .app
            .tabs
            .stock
            .detail
            .as_ref()
            .unwrap()
            .lots
            .iter()
            .map(|l| l.lot_number.clone())
            .collect();
        // Nothing chosen yet: the form asks for the lot.
        choose(&mut c, Operation::Quarantine);
        let Kind::LotHold(h) = form_kind(&mut c) else {
            panic!("the lot form")
        };
        assert_eq!(h.lot.value(), "");
        c.key(KeyCode::Esc);
        c.key(KeyCode::Down).key(KeyCode::Down);
        let s = c.screen();
        assert!(s.contains(&format!("▶{}", lots[1])), "{s}");
        choose(&mut c, Operation::Quarantine);
        let Kind::LotHold(h) = form_kind(&mut c) else {
            panic!("the lot form")
        };
        assert_eq!(h.lot.value(), lots[1]);
        c.key(KeyCode::Esc);
        c.key(KeyCode::Up);
        choose(&mut c, Operation::Waste);
        let Kind::Waste(w) = form_kind(&mut c) else {
            panic!("the waste form")
        };
        assert_eq!(w.lot.value(), lots[0]);
    }
}

#[test]
fn end_in_the_movements_shows_a_full_last_page() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse").key(KeyCode::Char('3'));
    c.typed("glove-m").key(KeyCode::Enter);
    c.screen();
    let rows = {
        let d = c.app.tabs.stock.detail.as_ref().unwrap();
        d.movements.len()
    };
    c.key(KeyCode::End);
    let s = c.screen();
    let scroll = c.app.tabs.stock.detail_scroll;
    assert!(rows > 20 && scroll + 5 < rows, "{scroll} of {rows}: {s}");
    // The last screen line above the key bar and status is a movement.
    let filled = s.lines().filter(|l| l.contains("→")).count();
    assert!(filled >= 5, "{s}");
}

/// A transfer order of `qty` paracetamol tablets to W-MED, and the FEFO lot and GTIN.
fn para_order(c: &Console, qty: i64) -> (i64, String, String) {
    use wardstock::ops::stock;
    let mut s = Store::open(c.app.store().path()).unwrap();
    let manager = wardstock::ops::Actor {
        user_id: 4,
        username: "manager".into(),
        full_name: "m".into(),
        role: wardstock::domain::Role::NurseManager,
    };
    let ward = stock::place_by_code(&s.conn, "W-MED").unwrap();
    let item = stock::item_by_code(&s.conn, "PARA500T").unwrap();
    let now = common::anchor();
    let order =
        stock::request_transfer(&mut s, &manager, now, &ward, &[(item, qty)], None).unwrap();
    let conn = &c.app.store().conn;
    let gtin: String = conn.query_row("SELECT g.gtin FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE i.code = 'PARA500T'", [], |r| r.get(0)).unwrap();
    let o = stock::transfer_order(conn, order, now).unwrap();
    (order, gtin, o.lines[0].suggestions[0].lot_number.clone())
}

#[test]
fn a_dispatched_or_received_order_shows_no_work_left_to_pick() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        let (order, gtin, lot) = para_order(&c, 60);
        c.sign_in("store");
        c.key(KeyCode::Char('4')).key(KeyCode::Enter);
        assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, order);
        c.scan(&format!("(01){gtin}(10){lot}"));
        c.key(KeyCode::F(8));
        let o = c.app.tabs.pharmacy.order().unwrap();
        assert_eq!((o.status.as_str(), o.lines[0].open), ("in_transit", 0));
        assert!(o.lines[0].suggestions.is_empty());
        let s = c.screen();
        let (to_pick, back) = match lang {
            Lang::En => ("still to pick", "back-order"),
            Lang::ZhCn => ("个单位待拣", "欠货"),
        };
        assert!(!s.contains(to_pick), "{s}");
        assert!(s.contains(back), "{s}");
        c.ctrl('l');
        c.sign_in("nurse");
        c.key(KeyCode::Char('4'));
        // The nurse's ward is W-GER; the order goes to W-MED.
        c.key(KeyCode::F(2));
        set_picker(&mut c, "W-MED");
        c.key(KeyCode::Enter);
        let pos = c
            .app
            .tabs
            .pharmacy
            .view
            .orders
            .iter()
            .position(|o| o.id == order)
            .unwrap();
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter).key(KeyCode::F(9));
        let o = c.app.tabs.pharmacy.order().unwrap();
        assert_eq!((o.status.as_str(), o.lines[0].open), ("received", 0));
    }
}

#[test]
fn esc_back_from_a_scanned_item_clears_the_filter_the_scan_set() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("store");
        c.scan("(01)04031847000287(17)290630(10)IBUNEW");
        assert!(!c.app.tabs.stock.filter.value().is_empty());
        let s = c.screen();
        let hint = match lang {
            Lang::En => "clears a scan's filter",
            Lang::ZhCn => "清除扫码筛选",
        };
        assert!(s.contains(hint), "{s}");
        c.key(KeyCode::Esc);
        assert_eq!(c.app.tabs.stock.filter.value(), "");
        c.key(KeyCode::Char('4'));
        assert_eq!(c.app.tab, Tab::Pharmacy);
        // A filter typed by hand stays.
        c.key(KeyCode::Char('3'));
        c.typed("glove").key(KeyCode::Enter).key(KeyCode::Esc);
        assert_eq!(c.app.tabs.stock.filter.value(), "glove");
        c.key(KeyCode::Esc);
        // A scan's filter does not follow to another place.
        c.scan("(01)04031847000287(17)290630(10)IBUNEW");
        c.key(KeyCode::F(2));
        set_picker(&mut c, "W-GER");
        c.key(KeyCode::Enter);
        assert_eq!(c.app.tabs.stock.filter.value(), "");
    }
}

#[test]
fn the_pick_list_shows_every_fefo_lot_of_a_line() {
    use wardstock::ops::stock;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        // A line the first lot alone cannot cover.
        let (order, lots) = {
            let mut s = Store::open(c.app.store().path()).unwrap();
            let manager = wardstock::ops::Actor {
                user_id: 4,
                username: "manager".into(),
                full_name: "m".into(),
                role: wardstock::domain::Role::NurseManager,
            };
            let ward = stock::place_by_code(&s.conn, "W-MED").unwrap();
            let item = stock::item_by_code(&s.conn, "CEFUR15IV").unwrap();
            let now = common::anchor();
            let order =
                stock::request_transfer(&mut s, &manager, now, &ward, &[(item, 60)], None).unwrap();
            let o = stock::transfer_order(&s.conn, order, now).unwrap();
            let lots: Vec<String> = o.lines[0]
                .suggestions
                .iter()
                .map(|s| s.lot_number.clone())
                .collect();
            (order, lots)
        };
        assert!(lots.len() >= 2, "{lots:?}");
        c.sign_in("store");
        c.key(KeyCode::Char('4')).key(KeyCode::Enter);
        assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, order);
        let s = c.screen();
        for lot in &lots {
            assert!(s.contains(lot.as_str()), "{lot}: {s}");
        }
    }
}

#[test]
fn the_key_bar_names_the_operations_of_the_role_and_place() {
    for lang in [Lang::En, Lang::ZhCn] {
        let (receive, issue) = match lang {
            Lang::En => ("receive", "issue"),
            Lang::ZhCn => ("入库", "领用"),
        };
        for (user, has, lacks) in [("store", receive, issue), ("nurse", issue, receive)] {
            let mut c = Console::in_lang(80, 24, Some(lang));
            c.sign_in(user).key(KeyCode::Char('3'));
            c.key(KeyCode::Down).key(KeyCode::Enter);
            assert!(c.app.tabs.stock.detail.is_some());
            let s = c.screen();
            let bar = s.lines().rev().find(|l| l.contains("F3")).unwrap_or("");
            assert!(bar.contains(has) && !bar.contains(lacks), "{user}: {bar}");
        }
    }
}

#[test]
fn a_message_goes_when_the_tab_changes() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('3'));
        c.typed("glove-m").key(KeyCode::Enter);
        c.key(KeyCode::F(3)).key(KeyCode::Enter).key(KeyCode::Esc);
        let cancelled = match lang {
            Lang::En => "nothing was recorded",
            Lang::ZhCn => wardstock::i18n::text_in(Lang::ZhCn, "tui.form.cancelled"),
        };
        assert!(c.screen().contains(cancelled), "{}", c.screen());
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        c.key(KeyCode::Char('1'));
        assert!(!c.screen().contains(cancelled), "{}", c.screen());
    }
}

#[test]
fn the_pharmacys_validation_queue_does_not_count_active_prescriptions_as_none() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm");
        c.key(KeyCode::Char('1'));
        let s = c.screen();
        let (active, awaiting) = match lang {
            Lang::En => ("0 active", "awaiting validation"),
            Lang::ZhCn => ("执行中 0", "待药师审核"),
        };
        assert!(s.contains(awaiting) && !s.contains(active), "{s}");
    }
}

#[test]
fn the_failed_right_is_shown_whole_at_every_size_the_console_accepts() {
    for (w, h) in [(60, 16), (80, 17), (80, 24)] {
        for lang in [Lang::En, Lang::ZhCn] {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            c.key(KeyCode::Char('2'));
            let pos = c
                .app
                .tabs
                .administration
                .view
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.recorded && r.at + r.window() >= common::anchor())
                // The tallest form: a dose with the most flags (witness, double check).
                .max_by_key(|(i, r)| (r.flags.len(), usize::MAX - i))
                .map(|(i, _)| i)
                .expect("a dose to give");
            for _ in 0..pos {
                c.key(KeyCode::Down);
            }
            c.key(KeyCode::Enter);
            assert!(c.app.form.is_some(), "{w}×{h}: {}", c.screen());
            c.scan("MRN999999");
            let error = c
                .app
                .form
                .as_ref()
                .unwrap()
                .error
                .clone()
                .unwrap_or_default();
            assert!(!error.is_empty(), "{w}×{h}");
            // Every word of the refusal is on the screen.
            let screen: String = c.screen().split_whitespace().collect();
            let error: String = error.split_whitespace().collect();
            let head: String = error.chars().take(12).collect();
            assert!(
                screen.contains(&head),
                "{w}×{h} {lang:?}: {error}\n{}",
                c.screen()
            );
            let tail: String = error
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            assert!(
                screen.contains(&tail),
                "{w}×{h} {lang:?}: {error}\n{}",
                c.screen()
            );
        }
    }
}

#[test]
fn a_dose_given_without_a_pack_scan_asks_why_the_pack_cannot_be_scanned() {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut c = Console::in_lang(w, h, Some(lang));
            c.sign_in("nurse");
            c.key(KeyCode::Char('2'));
            let (pos, mrn, rx) = {
                let v = &c.app.tabs.administration.view;
                v.slots
                    .iter()
                    .enumerate()
                    .find_map(|(k, s)| match s {
                        wardstock::tui::views::Slot::Prn(p)
                            if !v.prn[*p].controlled
                                && !v.prn[*p].high_alert
                                && v.prn_state[*p].next_allowed.is_none() =>
                        {
                            Some((k, v.prn[*p].mrn.clone(), v.prn[*p].id))
                        }
                        _ => None,
                    })
                    .expect("a PRN line to give")
            };
            for _ in 0..pos {
                c.key(KeyCode::Down);
            }
            c.key(KeyCode::Enter);
            // The ward's reasons are offered in the form.
            let hint = dose(&mut c).unable.hint.clone();
            assert!(
                hint.contains("DAMAGED") && hint.contains("SCANNER"),
                "{hint}"
            );
            dose(&mut c).wristband.set(&mrn);
            dose(&mut c).route_ok.set("y");
            let last = wardstock::tui::forms::dose::CHECKED_BY + 1;
            c.app.form.as_mut().unwrap().focus = last;
            c.key(KeyCode::Enter);
            // Neither a pack scan nor a reason: refused, shown, the cursor on the pack.
            let form = c.app.form.as_ref().expect("refused: pack not scanned");
            let error = form.error.clone().expect("a refusal");
            let words = match lang {
                Lang::ZhCn => "药品包装未扫码",
                Lang::En => "the pack is not scanned",
            };
            assert!(
                error.contains(words) && error.contains("NOBARCODE"),
                "{error}"
            );
            assert_eq!(form.focus, wardstock::tui::forms::dose::LOT);
            let s = whole_screen(&mut c);
            let start: String = error.chars().take(12).collect();
            assert!(s.contains(&start), "{lang:?} {w}x{h}: {error}\n{s}");
            // A lot typed by hand is not a scan.
            dose(&mut c).lot.set("TYPED1");
            c.app.form.as_mut().unwrap().focus = last;
            c.key(KeyCode::Enter);
            let error = c.app.form.as_ref().unwrap().error.clone().unwrap();
            let words = match lang {
                Lang::ZhCn => "手工输入的批号不算扫码",
                Lang::En => "a lot typed by hand is not a scan",
            };
            assert!(error.contains(words), "{error}");
            dose(&mut c).lot.set("");
            // The reason chosen from the ward's list: recorded with it.
            dose(&mut c).unable.set("damaged");
            c.app.form.as_mut().unwrap().focus = last;
            c.key(KeyCode::Enter);
            assert!(
                c.app.form.is_none(),
                "{:?}",
                c.app.form.as_ref().map(|f| f.error.clone())
            );
            let recorded: (bool, Option<String>) = c
                .app
                .store()
                .conn
                .query_row(
                    "SELECT scanned, unscanned_reason FROM administrations
                     WHERE prescription_id = ?1 ORDER BY id DESC LIMIT 1",
                    [rx],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(
                recorded,
                (false, Some("DAMAGED: barcode damaged or unreadable".into()))
            );
        }
    }
}

#[test]
fn a_controlled_delivery_is_signed_by_two_and_counted_on_the_ward_in_the_console() {
    use wardstock::ops::stock;
    for (lang, (w, h)) in [(Lang::En, (80, 24)), (Lang::ZhCn, (60, 16))] {
        let mut c = Console::in_lang(w, h, Some(lang));
        let order = {
            let mut s = Store::open(c.app.store().path()).unwrap();
            let now = common::anchor();
            let (manager, keeper) = (common::actor(&s, "manager"), common::actor(&s, "store"));
            let ward = stock::place_by_code(&s.conn, "W-MED").unwrap();
            let item = stock::item_by_code(&s.conn, "MORPH10I").unwrap();
            let id =
                stock::request_transfer(&mut s, &manager, now, &ward, &[(item.clone(), 10)], None)
                    .unwrap();
            let o = stock::transfer_order(&s.conn, id, now).unwrap();
            let lot = o.lines[0].suggestions[0].lot_number.clone();
            stock::pick(&mut s, &keeper, now, id, &item, &lot, Some(10), true).unwrap();
            id
        };
        let status = |c: &Console| {
            stock::transfer_order(&c.app.store().conn, order, common::anchor())
                .unwrap()
                .status
        };
        c.sign_in("store");
        c.key(KeyCode::Char('4')).key(KeyCode::Enter);
        assert_eq!(c.app.tabs.pharmacy.order().unwrap().id, order);
        // Dispatch opens the second signature; the storekeeper cannot sign for herself.
        c.key(KeyCode::F(8));
        c.typed("store")
            .key(KeyCode::Enter)
            .typed("1234")
            .key(KeyCode::Enter);
        let s = c.screen();
        let refusal = match lang {
            Lang::En => "store cannot sign for Morphine",
            Lang::ZhCn => "store 不能为 Morphine",
        };
        assert!(s.contains(refusal), "{s}");
        assert_eq!(status(&c), "open");
        // The refusal puts the cursor back on the witness: the pharmacist signs.
        c.typed("pharm")
            .key(KeyCode::Enter)
            .typed("1234")
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        assert_eq!(status(&c), "in_transit");
        // On the ward: a miscount is refused and nothing is received.
        c.ctrl('l');
        c.sign_in("nurse");
        c.key(KeyCode::Char('4')).key(KeyCode::Enter);
        c.key(KeyCode::F(9));
        c.typed("9")
            .key(KeyCode::Enter)
            .typed("nurse2")
            .key(KeyCode::Enter)
            .typed("1234")
            .key(KeyCode::Enter);
        let refusal = match lang {
            Lang::En => "counted but 10 were sent",
            Lang::ZhCn => "发出 10 支",
        };
        let error = c.app.form.as_ref().and_then(|f| f.error.clone());
        assert!(
            error.as_deref().unwrap_or("").contains(refusal),
            "{}",
            c.screen()
        );
        assert_eq!(status(&c), "in_transit");
        // The count is corrected; the witness signs again (the cursor is on it).
        let f = c.app.form.as_mut().unwrap();
        let Kind::Order(o) = &mut f.kind else {
            panic!("the delivery form")
        };
        o.counts[0].field.set("10");
        c.typed("nurse2")
            .key(KeyCode::Enter)
            .typed("1234")
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        assert_eq!(status(&c), "received");
        // The register of the ward shows the delivery signed by the second nurse.
        let conn = &c.app.store().conn;
        let place = stock::place_by_code(conn, "W-MED").unwrap();
        let item = stock::item_by_code(conn, "MORPH10I").unwrap();
        let page = stock::register(conn, &place, &item, None, None).unwrap();
        let last = page.entries.last().unwrap();
        assert_eq!(
            (last.qty_in, last.by.as_str(), last.witness.as_deref()),
            (10, "nurse", Some("nurse2"))
        );
        assert_eq!(page.closing, page.held_now);
        let report = wardstock::store::check::run(conn).unwrap();
        assert!(report.ok(), "{:?}", report.problems);
    }
}

#[test]
fn the_register_of_a_controlled_drug_opens_from_its_operations() {
    use wardstock::domain::roles::Operation;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        // The Geriatrics ward keeps lorazepam, a controlled drug.
        c.sign_in("manager");
        c.typed("lora2i").key(KeyCode::Enter);
        choose(&mut c, Operation::CdRegister);
        let Some(Popup::Register(r)) = c.app.popup.clone() else {
            panic!("the register, not {:?}", c.app.popup)
        };
        assert_eq!(r.page.closing, r.page.held_now);
        let s = c.screen();
        let (title, agrees) = match lang {
            Lang::En => ("CD register: Lorazepam", "= held now by the ledger"),
            Lang::ZhCn => ("管制药品专用账册：Lorazepam", "= 账面当前库存"),
        };
        assert!(s.contains(title) && s.contains(agrees), "{s}");
        // The latest entry shows, with who recorded it and who signed.
        let last = r.page.entries.last().unwrap();
        assert!(s.contains(last.witness.as_deref().unwrap()), "{s}");
        c.key(KeyCode::Esc);
        assert!(c.app.popup.is_none());
        // Paracetamol is not controlled: no register in its menu.
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        c.typed("para500t").key(KeyCode::Enter).key(KeyCode::F(3));
        let Some(Popup::OpMenu(menu)) = c.app.popup.clone() else {
            panic!("the operations menu")
        };
        assert!(!menu.ops.contains(&Operation::CdRegister));
    }
}
