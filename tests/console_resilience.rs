//! The console's resilience screens at 80×24, in English and in Chinese: a
//! pharmacist releases or disposes of lots held after a fridge excursion
//! (a nurse sees them and is told a pharmacist decides); a nurse asks
//! another ward for an emergency transfer from where else the item is; the
//! validation offers an approved substitute when the item is short on the
//! patient's ward and records it.

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

fn go_to(c: &mut Console, place: &str) {
    c.key(KeyCode::F(2));
    let selected = c
        .app
        .cx
        .places
        .iter()
        .position(|p| p.code == place)
        .unwrap();
    c.app.popup = Some(Popup::Picker(wardstock::tui::popups::picker::Picker {
        selected,
    }));
    c.key(KeyCode::Enter);
}

/// The first lot held at the demo's fridge: its item's code and its lot.
fn first_held(c: &Console) -> (String, String) {
    c.app
        .store()
        .conn
        .query_row(
            "SELECT i.code, l.lot_number FROM cold_holds h JOIN lots l ON l.id = h.lot_id
             JOIN items i ON i.id = l.item_id WHERE h.decision IS NULL
             ORDER BY i.code, l.lot_number LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// Opens the cold chain of the geriatric ward from the held item's menu.
fn open_cold(c: &mut Console, item: &str) {
    go_to(c, "W-GER");
    c.key(KeyCode::Char('3'));
    c.typed(item);
    choose(c, Operation::ColdReading);
    assert!(
        matches!(c.app.popup, Some(Popup::Cold(_))),
        "the cold chain popup:\n{}",
        c.screen()
    );
}

fn decided(c: &Console, lot: &str, decision: &str) -> i64 {
    c.count(&format!(
        "SELECT count(*) FROM cold_holds h JOIN lots l ON l.id = h.lot_id
         WHERE l.lot_number = '{lot}' AND h.decision = '{decision}'"
    ))
}

#[test]
fn a_pharmacist_releases_a_held_lot_with_a_comment_and_disposes_of_another_after_confirming() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm");
        let (item, lot) = first_held(&c);
        open_cold(&mut c, &item);
        let s = c.screen();
        assert!(s.contains(&lot), "the held lot is listed:\n{s}");
        assert!(s.contains("F5") && s.contains("F8"), "the keys:\n{s}");
        // Release: the lot, its expiry and the excursion are shown; a
        // comment is required.
        c.key(KeyCode::F(5));
        let s = c.screen();
        assert!(s.contains(&lot) && s.contains("12.4"), "{s}");
        assert!(s.contains("150"), "the excursion's minutes:\n{s}");
        c.key(KeyCode::Enter);
        assert_eq!(decided(&c, &lot, "release"), 0, "no comment, no release");
        c.typed("stability data: 24 h up to 25 °C")
            .key(KeyCode::Enter);
        assert_eq!(decided(&c, &lot, "release"), 1, "{}", c.screen());
        let s = c.screen();
        assert!(s.contains(&lot), "the result says the lot:\n{s}");
        let by: String = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT u.username FROM cold_holds h JOIN users u ON u.id = h.decided_by
                 JOIN lots l ON l.id = h.lot_id WHERE l.lot_number = ?1",
                [&lot],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(by, "pharm");
        // Dispose of the next one: a comment, then a confirmation.
        let Some(Popup::Cold(v)) = &c.app.popup else {
            panic!("still open")
        };
        let next = v.rows[v.sel.selected].held[v.lot].clone();
        let wasted = |c: &Console| {
            c.count(&format!(
                "SELECT count(*) FROM movements m JOIN lots l ON l.id = m.lot_id
                 WHERE m.kind = 'waste' AND l.lot_number = '{}'",
                next.lot
            ))
        };
        c.key(KeyCode::F(8));
        c.typed("too warm for too long").key(KeyCode::Enter);
        let s = c.screen();
        assert_eq!(decided(&c, &next.lot, "dispose"), 0, "asked first:\n{s}");
        assert!(s.contains(&next.qty.to_string()), "the units:\n{s}");
        c.key(KeyCode::Enter);
        assert_eq!(decided(&c, &next.lot, "dispose"), 1, "{}", c.screen());
        assert_eq!(wasted(&c), 1);
        // Esc leaves a decision without writing.
        c.key(KeyCode::F(5)).typed("not sure").key(KeyCode::Esc);
        assert!(matches!(c.app.popup, Some(Popup::Cold(_))));
        assert_eq!(
            c.count("SELECT count(*) FROM cold_holds WHERE decision IS NOT NULL"),
            2
        );
        c.key(KeyCode::Esc);
        assert!(c.app.popup.is_none());
    }
}

#[test]
fn a_nurse_sees_the_held_lots_and_is_told_a_pharmacist_decides() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        let (item, lot) = first_held(&c);
        open_cold(&mut c, &item);
        let s = c.screen();
        assert!(s.contains(&lot), "{s}");
        let words = match lang {
            Lang::En => "pharmacist",
            Lang::ZhCn => "药师",
        };
        assert!(s.contains(words), "the keys say who decides:\n{s}");
        c.key(KeyCode::F(5));
        let s = c.screen();
        assert!(s.contains(words), "the refusal in words:\n{s}");
        c.typed("x").key(KeyCode::Enter);
        assert_eq!(
            c.count("SELECT count(*) FROM cold_holds WHERE decision IS NOT NULL"),
            0
        );
    }
}

#[test]
fn the_warning_of_held_stock_opens_the_cold_chain_of_its_place() {
    let mut c = Console::new(80, 24);
    c.sign_in("pharm").key(KeyCode::Char('5'));
    let i = c
        .app
        .tabs
        .alerts
        .view
        .rows
        .iter()
        .position(|r| {
            matches!(
                r.alert.kind,
                wardstock::domain::alerts::AlertKind::ColdHeld { .. }
            )
        })
        .expect("a warning of held stock");
    // The list's own order: find the row among those shown.
    let shown = c
        .app
        .tabs
        .alerts
        .filtered
        .iter()
        .position(|&k| k == i)
        .expect("shown");
    c.key(KeyCode::Home);
    for _ in 0..shown {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    let Some(Popup::Cold(v)) = &c.app.popup else {
        panic!("the cold chain:\n{}", c.screen())
    };
    assert_eq!(v.place, "W-GER");
    assert!(c.screen().contains("W-GER"));
}

#[test]
fn a_nurse_asks_another_ward_for_an_emergency_transfer_from_where_else_the_item_is() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        go_to(&mut c, "W-GER");
        c.key(KeyCode::Char('3'));
        c.typed("APIX5T").key(KeyCode::Enter);
        c.key(KeyCode::F(7));
        let Some(Popup::Find(v)) = c.app.popup.clone() else {
            panic!("where else:\n{}", c.screen())
        };
        let ward = v
            .found
            .holdings
            .iter()
            .position(|h| !h.pharmacy)
            .expect("another ward holds it");
        let lender = v.found.holdings[ward].place.clone();
        // A pharmacy row says to request from the pharmacy instead.
        if v.found.holdings[0].pharmacy {
            c.key(KeyCode::Enter);
            assert!(matches!(c.app.popup, Some(Popup::Find(_))));
            assert!(c.app.form.is_none());
        }
        for _ in 0..ward {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        let Some(Kind::Emergency(e)) = c.app.form.as_ref().map(|f| f.kind.clone()) else {
            panic!("the emergency transfer form:\n{}", c.screen())
        };
        assert_eq!(e.from.code, lender);
        assert_eq!(e.to.code, "W-GER");
        assert!(e.quantity.value().parse::<i64>().unwrap() > 0);
        let s = c.screen();
        assert!(s.contains(&lender), "{s}");
        // A quantity typed over the default, then recorded.
        c.typed("6").key(KeyCode::Enter).key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{}", c.screen());
        let (id, note): (i64, String) = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT o.id, o.note FROM transfer_orders o ORDER BY o.id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(note.starts_with("URGENT"), "{note}");
        let qty: i64 = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT qty_requested FROM transfer_lines WHERE order_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(qty, 6);
        // The result stays on the message line until the next key.
        let status = c.status();
        assert!(
            status.contains(&format!("TO-{id}")) && status.contains(&lender),
            "{status}"
        );
        let s = c.screen();
        assert!(s.contains(&format!("TO-{id}")), "{s}");
    }
}

#[test]
fn the_lending_ward_sees_the_emergency_transfer_first_and_urgent() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse");
    go_to(&mut c, "W-GER");
    c.key(KeyCode::Char('3'));
    c.typed("APIX5T").key(KeyCode::Enter);
    c.key(KeyCode::F(7));
    let Some(Popup::Find(v)) = c.app.popup.clone() else {
        panic!("where else")
    };
    let ward = v.found.holdings.iter().position(|h| !h.pharmacy).unwrap();
    for _ in 0..ward {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter)
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    let id: i64 = c
        .app
        .store()
        .conn
        .query_row("SELECT max(id) FROM transfer_orders", [], |r| r.get(0))
        .unwrap();
    c.key(KeyCode::Char('4'));
    let s = c.screen();
    let line = s
        .lines()
        .find(|l| l.contains(&format!("TO-{id} ")))
        .unwrap_or_else(|| panic!("the order is listed:\n{s}"));
    assert!(line.contains("URGENT"), "{line}");
    let first = s
        .lines()
        .find(|l| l.trim_start().starts_with("TO-"))
        .unwrap();
    assert!(first.contains(&format!("TO-{id} ")), "first:\n{s}");
}

/// Opens the validation of the demo's paracetamol 1 g prescription on the
/// ward that ran out of it.
fn open_short_validation(c: &mut Console) -> i64 {
    let rx: i64 = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT r.id FROM prescriptions r JOIN items i ON i.id = r.item_id
             WHERE i.code = 'PARA1GT' AND r.status = 'awaiting_validation'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.key(KeyCode::Char('1'));
    let pos = c
        .app
        .tabs
        .prescriptions
        .view
        .lines
        .iter()
        .position(|l| l.id == rx)
        .expect("in the queue");
    c.key(KeyCode::Home);
    for _ in 0..pos {
        c.key(KeyCode::Down);
    }
    c.key(KeyCode::Enter);
    assert!(
        matches!(
            c.app.form.as_ref().map(|f| &f.kind),
            Some(Kind::Validation(_))
        ),
        "{}",
        c.screen()
    );
    rx
}

#[test]
fn the_validation_offers_the_approved_substitute_of_an_item_short_on_the_ward_and_records_it() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm");
        let rx = open_short_validation(&mut c);
        let s = c.screen();
        assert!(s.contains("PARA500T"), "the substitute offered:\n{s}");
        assert!(s.contains("F6"), "{s}");
        // The substitute's stock on the ward, as `find` counts it.
        let Some(Kind::Validation(v)) = c.app.form.as_ref().map(|f| &f.kind) else {
            unreachable!()
        };
        let offer = &v.offer.as_ref().expect("an offer").offer;
        assert_eq!(offer.ward, "W-MED");
        assert_eq!(offer.usable, 0);
        let sub = &offer.substitutes[0];
        assert_eq!(sub.stock.item, "PARA500T");
        assert_eq!(sub.stock.per_unit, Some(2.0));
        assert!(sub.stock.here > 0);
        // F6: the substitute proposed, a reason required.
        c.key(KeyCode::F(6));
        c.key(KeyCode::Enter);
        let allowed =
            format!("SELECT count(*) FROM prescription_substitutions WHERE prescription_id = {rx}");
        assert_eq!(c.count(&allowed), 0, "no reason, nothing recorded");
        c.typed("1 g tablets out until tomorrow")
            .key(KeyCode::Enter);
        assert_eq!(c.count(&allowed), 1, "{}", c.screen());
        // Back in the validation, the item no longer short.
        let Some(Kind::Validation(v)) = c.app.form.as_ref().map(|f| &f.kind) else {
            panic!("back to the validation:\n{}", c.screen())
        };
        assert!(v.offer.is_none(), "{:?}", v.offer);
        assert!(c.status().contains("PARA500T"), "{}", c.status());
    }
}

#[test]
fn no_substitute_is_offered_when_the_item_is_not_short() {
    let mut c = Console::new(80, 24);
    c.sign_in("pharm");
    // Every other prescription awaiting validation.
    let ids: Vec<i64> = {
        let conn = &c.app.store().conn;
        let mut st = conn
            .prepare(
                "SELECT r.id FROM prescriptions r JOIN items i ON i.id = r.item_id
                 WHERE r.status = 'awaiting_validation' AND i.code <> 'PARA1GT'",
            )
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for id in ids {
        let findings =
            wardstock::ops::rx::findings_now(&c.app.store().conn, id, c.app.cx.now).unwrap();
        let offer = wardstock::ops::substitutes::offer_for_prescription(
            &c.app.store().conn,
            id,
            &findings,
            c.app.cx.now,
        )
        .unwrap();
        assert!(offer.is_none(), "RX-{id}: {offer:?}");
    }
}

#[test]
fn the_plan_names_the_substitute_on_the_shortage_line() {
    let mut c = Console::new(80, 24);
    c.sign_in("pharm")
        .key(KeyCode::Char('4'))
        .key(KeyCode::F(10));
    let plan = c.app.tabs.pharmacy.plan().expect("the plan").clone();
    let e = plan
        .exceptions
        .iter()
        .find(|e| e.place == "W-MED" && e.item == "PARA1GT")
        .expect("paracetamol 1 g short on W-MED");
    let words = plan.substitutes.words(e, String::from("x"));
    assert!(words.contains("PARA500T"), "{words}");
    let on_hand: i64 = c.count(
        "SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN lots l ON l.id = b.lot_id
         JOIN items i ON i.id = l.item_id JOIN places p ON p.id = b.place_id
         WHERE i.code = 'PARA500T' AND p.code = 'W-MED'",
    );
    assert!(words.contains(&on_hand.to_string()), "{words} ({on_hand})");
}

#[test]
fn the_cold_chain_report_runs_in_the_reports_tab_in_both_languages() {
    use wardstock::tui::tabs::reports::{Kind as Report, Row};
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm").key(KeyCode::Char('7'));
        for _ in 0..8 {
            c.key(KeyCode::Up);
        }
        assert_eq!(c.app.tabs.reports.setup.row, Row::Report);
        for _ in 0..Report::ALL.len() {
            if c.app.tabs.reports.setup.kind == Report::ColdChain {
                break;
            }
            c.key(KeyCode::Right);
        }
        assert_eq!(c.app.tabs.reports.setup.kind, Report::ColdChain);
        // Every place.
        for _ in 0..3 {
            c.key(KeyCode::Down);
        }
        while c.app.tabs.reports.setup.row != Row::Place {
            c.key(KeyCode::Down);
        }
        while c.app.tabs.reports.setup.place != 0 {
            c.key(KeyCode::Right);
        }
        c.key(KeyCode::Enter);
        let s = c.screen();
        assert!(c.app.tabs.reports.viewing, "{s}");
        assert!(s.contains("W-GER/FRIDGE"), "{s}");
        let shown = c.app.tabs.reports.shown.as_ref().unwrap();
        assert_eq!(shown.report.sheets.len(), 2);
        assert_eq!(shown.report.sheets[0].rows.len(), 1);
    }
}
