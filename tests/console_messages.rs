//! A message says what the last action did: it stays while the console
//! reloads and time passes, and goes at the next key, which is the next
//! action — never stale, never overwritten by a background read.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::i18n::{Lang, text_in};

fn status(c: &Console) -> String {
    c.app
        .cx
        .status
        .as_ref()
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

#[test]
fn a_cancelled_form_is_said_until_the_next_key() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("manager");
        c.key(KeyCode::Char('3'));
        // A form opened on the first item and cancelled.
        c.key(KeyCode::Enter);
        c.key(KeyCode::F(3));
        while c.app.popup.is_some() {
            c.key(KeyCode::Enter);
        }
        assert!(c.app.form.is_some(), "{}", c.screen());
        c.key(KeyCode::Esc);
        let cancelled = text_in(lang, "tui.form.cancelled");
        assert_eq!(status(&c), cancelled);
        // Time passes and the console reloads: the message stays.
        let later = c.app.cx.now + chrono::Duration::minutes(20);
        c.app.tick(later);
        c.app.poll_jobs();
        assert_eq!(status(&c), cancelled);
        assert!(c.screen().contains(cancelled), "{}", c.screen());
        // The next key is the next action: the message about the last one goes.
        c.key(KeyCode::Down);
        assert_eq!(status(&c), "");
        assert!(!c.screen().contains(cancelled), "{}", c.screen());
    }
}

#[test]
fn a_recorded_result_stays_while_the_console_reloads() {
    let mut c = Console::in_lang(100, 30, Some(Lang::En));
    c.sign_in("manager");
    c.key(KeyCode::Char('3'));
    c.key(KeyCode::F(5));
    let refreshed = text_in(Lang::En, "tui.refreshed");
    assert_eq!(status(&c), refreshed);
    for minutes in [1, 16, 31] {
        let later = c.app.cx.now + chrono::Duration::minutes(minutes);
        c.app.tick(later);
        c.app.poll_jobs();
        assert_eq!(status(&c), refreshed, "after {minutes} min");
    }
}

#[test]
fn choosing_the_place_already_shown_says_so() {
    let mut c = Console::in_lang(100, 30, Some(Lang::En));
    c.sign_in("manager");
    let name = c.app.current_place().unwrap().name.clone();
    c.key(KeyCode::Down);
    assert_eq!(status(&c), "");
    c.key(KeyCode::F(2)).key(KeyCode::Enter);
    assert!(status(&c).contains(&name), "{}", status(&c));
}
