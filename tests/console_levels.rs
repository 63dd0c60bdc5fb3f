//! The nurse manager's levels screen (F9 on Ward stock) at 80×24: the
//! place's items with their levels and how they were set, one item edited
//! by hand, levels from use previewed old → new keeping those set by hand,
//! and the refusals in words.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::i18n::Lang;
use wardstock::tui::popups::Popup;

/// The levels screen of the manager's ward, at 80×24.
fn levels(user: &str, lang: Lang) -> Console {
    let mut c = Console::in_lang(80, 24, Some(lang));
    c.sign_in(user);
    c.key(KeyCode::Char('3')).key(KeyCode::F(9));
    assert!(
        matches!(c.app.popup, Some(Popup::Levels(_))),
        "the levels screen"
    );
    c
}

/// The selected item's code on the levels screen.
fn selected_item(c: &Console) -> String {
    match &c.app.popup {
        Some(Popup::Levels(l)) => l.rows[l.sel.selected].item.code.clone(),
        _ => panic!("the levels screen"),
    }
}

fn policy(c: &Console, item: &str) -> (i64, i64, Option<String>) {
    let place = c.app.cx.current_place().unwrap().id;
    c.app
        .store()
        .conn
        .query_row(
            "SELECT safety_stock, max_stock, source FROM stock_policies p JOIN items i ON i.id = p.item_id
             WHERE p.place_id = ?1 AND i.code = ?2",
            rusqlite::params![place, item],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

/// Sets the selected item's levels in the form: Enter, safety, Enter, max, Enter.
fn set(c: &mut Console, safety: &str, max: &str) {
    c.key(KeyCode::Enter)
        .typed(safety)
        .key(KeyCode::Enter)
        .typed(max)
        .key(KeyCode::Enter);
}

#[test]
fn a_nurse_manager_sets_an_items_levels_by_hand_and_sees_how_they_were_set() {
    let mut c = levels("manager", Lang::En);
    let s = c.screen();
    assert!(
        s.contains("Levels at") && s.contains("On hand") && s.contains("Safety"),
        "{s}"
    );
    c.key(KeyCode::Down);
    let item = selected_item(&c);
    set(&mut c, "20", "60");
    assert_eq!(policy(&c, &item), (20, 60, Some("manual".into())));
    let by: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT u.username FROM stock_policies p JOIN users u ON u.id = p.set_by
             JOIN items i ON i.id = p.item_id WHERE i.code = ?1 AND p.set_at IS NOT NULL",
            [&item],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, "manager");
    let s = c.screen();
    assert!(s.contains("by hand · manager 22 Nov 12:00"), "{s}");
    assert!(s.contains("set by hand: safety"), "{s}");
}

#[test]
fn levels_from_use_preview_old_to_new_and_keep_levels_set_by_hand() {
    let mut c = levels("manager", Lang::En);
    let manual = selected_item(&c);
    set(&mut c, "20", "60");
    c.key(KeyCode::Char('u'));
    let s = c.screen();
    assert!(
        s.contains("old → new") && s.contains("kept: set by hand"),
        "{s}"
    );
    assert!(s.contains("20/60") && s.contains("changes"), "{s}");
    // Nothing written by the preview.
    assert_eq!(
        c.count("SELECT count(*) FROM stock_policies WHERE source = 'use'"),
        0
    );
    c.key(KeyCode::Enter);
    assert_eq!(policy(&c, &manual), (20, 60, Some("manual".into())));
    assert!(c.count("SELECT count(*) FROM stock_policies WHERE source = 'use'") > 3);
    assert!(c.status().contains("1 set by hand kept"), "{}", c.status());

    // Replacing them is a choice: r, then Enter.
    c.key(KeyCode::Char('u')).key(KeyCode::Char('r'));
    assert!(c.screen().contains("REPLACED"));
    c.key(KeyCode::Enter);
    assert_eq!(policy(&c, &manual).2.as_deref(), Some("use"));
}

#[test]
fn levels_refuse_in_words_a_nurse_and_a_maximum_below_the_safety_stock() {
    let mut n = levels("nurse", Lang::En);
    let before = n.count("SELECT count(*) FROM stock_policies WHERE source IS NOT NULL");
    n.key(KeyCode::Enter);
    let s = n.screen();
    assert!(
        s.contains("may not set safety stock and maximum levels")
            && s.contains("a pharmacist sets stock levels"),
        "{s}"
    );
    n.key(KeyCode::Char('u'));
    assert!(!n.screen().contains("old → new"));
    assert_eq!(
        n.count("SELECT count(*) FROM stock_policies WHERE source IS NOT NULL"),
        before
    );

    let mut c = levels("manager", Lang::En);
    let item = selected_item(&c);
    let old = policy(&c, &item);
    set(&mut c, "50", "10");
    let s = c.screen();
    assert!(
        s.contains("safety stock 50 and maximum 10 must be from 0 to 100,000,000"),
        "{s}"
    );
    set_again(&mut c, "x", "10");
    let s = c.screen();
    assert!(s.contains("\"x\" is not a whole number"), "{s}");
    assert_eq!(policy(&c, &item), old);
}

/// In the open form: the safety and maximum typed again.
fn set_again(c: &mut Console, safety: &str, max: &str) {
    c.key(KeyCode::Tab);
    for _ in 0..6 {
        c.key(KeyCode::Backspace);
    }
    c.typed(safety).key(KeyCode::Tab);
    for _ in 0..6 {
        c.key(KeyCode::Backspace);
    }
    c.typed(max).key(KeyCode::Enter);
}

#[test]
fn the_levels_screen_speaks_chinese() {
    let mut c = levels("manager", Lang::ZhCn);
    let s = c.screen();
    assert!(s.contains("安全库存") && s.contains("最高库存"), "{s}");
    let item = selected_item(&c);
    set(&mut c, "20", "60");
    assert_eq!(policy(&c, &item), (20, 60, Some("manual".into())));
    let s = c.screen();
    assert!(s.contains("手工"), "{s}");
    c.key(KeyCode::Char('u'));
    assert!(c.screen().contains("保留：手工设定"), "{}", c.screen());
}
