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
