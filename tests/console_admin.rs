//! The administrator's work in the console (the Site tab: users, import
//! with a preview) and the changes made in a patient's record (F4), driven
//! by keys and read off a TestBackend buffer, in both languages.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::i18n::Lang;
use wardstock::tui::app::Tab;
use wardstock::tui::popups::{Popup, picker::Picker};

/// The administrator's own moves in the Site tab.
trait SiteConsole {
    fn select_user(&mut self, name: &str) -> &mut Self;
    fn take_pin(&mut self) -> String;
}

impl SiteConsole for Console {
    /// Selects a user in the Site tab's list.
    fn select_user(&mut self, name: &str) -> &mut Self {
        let at = self
            .app
            .tabs
            .site
            .users
            .iter()
            .position(|u| u.name == name)
            .expect("the user is listed");
        self.key(KeyCode::Home);
        for _ in 0..at {
            self.key(KeyCode::Down);
        }
        self
    }

    /// The one-time PIN shown in the notice, which is then closed.
    fn take_pin(&mut self) -> String {
        let Some(Popup::Notice(n)) = &self.app.popup else {
            panic!("the one-time PIN is shown: {:?}", self.app.popup)
        };
        let pin = n.code.clone().expect("the PIN");
        assert!(
            pin.len() == 6 && pin.chars().all(|c| c.is_ascii_digit()),
            "{pin}"
        );
        let s = self.screen();
        assert!(s.contains(&pin), "the PIN is on the screen: {s}");
        self.key(KeyCode::Enter);
        assert!(self.app.popup.is_none());
        assert!(
            !self.screen().contains(&pin),
            "the PIN is not left on the screen"
        );
        pin
    }
}

fn words(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

#[test]
fn an_admin_adds_a_user_and_resets_a_pin_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("admin");
        assert_eq!(
            c.app.tab,
            Tab::Site,
            "the administrator starts on the Site tab"
        );
        let s = c.screen();
        assert!(s.contains(words(lang, "6 Site", "6 站点")), "{s}");
        assert!(s.contains("pharm") && s.contains("store"), "the users: {s}");
        assert!(s.contains(words(lang, "Places", "地点")), "the counts: {s}");

        // Add a user: name, full name, role; the one-time PIN is shown once.
        c.key(KeyCode::Char('a'));
        assert!(c.app.form.is_some(), "the form to add a user");
        c.typed("nurse9")
            .key(KeyCode::Enter)
            .typed("Ada Lin")
            .key(KeyCode::Enter);
        // The role, in the reader's words.
        for _ in 0..10 {
            c.key(KeyCode::Backspace);
        }
        c.typed(words(lang, "nurse manager", "护士长"))
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{:?}", c.app.form);
        let pin = c.take_pin();
        let s = c.screen();
        assert!(
            s.contains("nurse9") && s.contains(words(lang, "one-time PIN", "一次性 PIN")),
            "{s}"
        );
        assert_eq!(
            c.count("SELECT count(*) FROM users WHERE username = 'nurse9' AND role = 'nurse_manager' AND must_change_pin"),
            1
        );
        // The new user must set their own PIN first: the operation says so,
        // and the console asks for it, twice.
        c.sign_out().sign_in_with("nurse9", &pin);
        assert!(c.app.cx.actor.is_none());
        assert!(
            c.status()
                .contains(words(lang, "type your new PIN twice", "输入两次新 PIN")),
            "{}",
            c.status()
        );
        let s = c.screen();
        assert!(
            s.contains(words(lang, "choose your own PIN", "设置自己的 PIN")),
            "{s}"
        );
        c.typed("2468")
            .key(KeyCode::Enter)
            .typed("2468")
            .key(KeyCode::Enter);
        assert_eq!(
            c.app.cx.actor.as_ref().map(|a| a.username.as_str()),
            Some("nurse9")
        );
        assert_eq!(
            c.count("SELECT count(*) FROM users WHERE username = 'nurse9' AND must_change_pin"),
            0
        );
        c.sign_out();

        // Reset nurse's PIN, with a confirmation.
        c.app.signin = Default::default();
        c.sign_in("admin").select_user("nurse");
        c.key(KeyCode::Char('p'));
        let s = c.screen();
        assert!(s.contains(words(lang, "stops working", "立即失效")), "{s}");
        c.key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "not done without y");
        c.typed("y").key(KeyCode::Enter);
        let pin = c.take_pin();
        c.sign_out().sign_in("nurse");
        assert!(c.app.cx.actor.is_none(), "the old PIN no longer works");
        c.app.signin = Default::default();
        c.sign_in_with("nurse", &pin);
        assert!(c.app.cx.actor.is_none());
        assert!(c.app.signin.change.is_some(), "asked for their own PIN");
        // Two different PINs: asked again.
        c.typed("5555")
            .key(KeyCode::Enter)
            .typed("5556")
            .key(KeyCode::Enter);
        assert!(c.app.cx.actor.is_none());
        assert!(
            c.status().contains(words(lang, "differ", "不一致")),
            "{}",
            c.status()
        );
        c.typed("5555")
            .key(KeyCode::Enter)
            .typed("5555")
            .key(KeyCode::Enter);
        assert!(c.app.cx.actor.is_some(), "{}", c.status());
        c.sign_out().sign_in_with("nurse", "5555");
        assert!(c.app.cx.actor.is_some(), "their own PIN works");
    }
}

#[test]
fn an_admin_unlocks_a_locked_user_and_deactivates_one() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.typed("store").key(KeyCode::Enter);
        for _ in 0..5 {
            c.typed("0000").key(KeyCode::Enter);
        }
        c.key(KeyCode::Esc);
        c.app.signin = Default::default();
        c.sign_in("admin").select_user("store");
        let s = c.screen();
        assert!(s.contains(words(lang, "locked", "已锁定")), "{s}");
        assert!(
            s.contains(words(lang, "unlock", "解锁")),
            "the key bar offers it: {s}"
        );
        c.key(KeyCode::Char('u'));
        assert!(
            c.status().contains(words(lang, "unlocked", "已解锁")),
            "{}",
            c.status()
        );
        let s = c.screen();
        let row = s
            .lines()
            .find(|l| l.contains(words(lang, "storekeeper", "库管员")))
            .expect("store's row");
        assert!(!row.contains(words(lang, "locked", "已锁定")), "{s}");
        c.sign_out().sign_in("store");
        assert!(c.app.cx.actor.is_some(), "store signs in again");

        // Deactivate nurse2, confirmed.
        c.sign_out().sign_in("admin").select_user("nurse2");
        c.key(KeyCode::Char('d'));
        assert!(c.app.form.is_some());
        c.typed("y").key(KeyCode::Enter);
        assert!(c.app.form.is_none());
        assert!(
            c.status().contains(words(lang, "deactivated", "已停用")),
            "{}",
            c.status()
        );
        assert!(c.screen().contains(words(lang, "deactivated", "已停用")));
        // The administrator cannot deactivate themself: the refusal shows.
        c.select_user("admin").key(KeyCode::Char('d'));
        c.typed("y").key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "refused, the form stays");
        c.key(KeyCode::Esc);
        c.sign_out().sign_in("nurse2");
        assert!(
            c.app.cx.actor.is_none(),
            "a deactivated user cannot sign in"
        );
        // Reactivated with the same key.
        c.key(KeyCode::Esc);
        c.app.signin = Default::default();
        c.sign_in("admin").select_user("nurse2");
        assert!(c.screen().contains(words(lang, "reactivate", "恢复")));
        c.key(KeyCode::Char('d'));
        c.sign_out().sign_in("nurse2");
        assert!(c.app.cx.actor.is_some());
    }
}

#[test]
fn import_shows_a_preview_and_writes_only_when_confirmed() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        let bad = c.dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "code,name,lead_days\nSUP-A,Alpha Medical,3\nSUP-B,Beta Pharma,soon\n",
        )
        .unwrap();
        let good = c.dir.path().join("good.csv");
        std::fs::write(
            &good,
            "code;name;lead_days\nSUP-A;Alpha Medical;3\nSUP-B;Beta Pharma;5\n",
        )
        .unwrap();
        let before = c.count("SELECT count(*) FROM suppliers");
        c.sign_in("admin");
        c.key(KeyCode::Char('i'));
        c.typed("suppliers")
            .key(KeyCode::Enter)
            .typed(bad.to_str().unwrap())
            .key(KeyCode::Enter);
        let s = c.screen();
        assert!(
            s.contains(words(lang, "line 3, lead_days", "第 3 行，lead_days")),
            "the bad row with its line and column: {s}"
        );
        assert!(!c.app.tabs.site.preview.as_ref().unwrap().writable());
        c.key(KeyCode::Enter);
        assert_eq!(c.count("SELECT count(*) FROM suppliers"), before);
        c.key(KeyCode::Esc);
        assert!(c.app.tabs.site.preview.is_none());

        // A good file: the counts, nothing written until Enter.
        c.key(KeyCode::Char('i'));
        c.typed("suppliers")
            .key(KeyCode::Enter)
            .typed(good.to_str().unwrap())
            .key(KeyCode::Enter);
        let s = c.screen();
        assert!(
            s.contains(words(
                lang,
                "2 added, 0 changed, 0 unchanged",
                "新增 2，修改 0，未变 0"
            )),
            "{s}"
        );
        assert!(
            s.contains(words(lang, "nothing is written yet", "尚未写入")),
            "{s}"
        );
        assert_eq!(c.count("SELECT count(*) FROM suppliers"), before);
        c.key(KeyCode::Enter);
        assert_eq!(c.count("SELECT count(*) FROM suppliers"), before + 2);
        let s = c.screen();
        assert!(s.contains(words(lang, "Written.", "已写入。")), "{s}");
        c.key(KeyCode::Esc);
        assert!(c.app.tabs.site.preview.is_none());
        assert_eq!(c.app.tabs.site.counts.suppliers as i64, before + 2);

        // Cancelled after the preview: nothing written.
        c.key(KeyCode::Char('i'));
        std::fs::write(&good, "code,name,lead_days\nSUP-C,Gamma,2\n").unwrap();
        c.typed("suppliers")
            .key(KeyCode::Enter)
            .typed(good.to_str().unwrap())
            .key(KeyCode::Enter);
        assert!(c.app.tabs.site.preview.as_ref().unwrap().writable());
        c.key(KeyCode::Esc);
        assert_eq!(c.count("SELECT count(*) FROM suppliers"), before + 2);
    }
}

#[test]
fn a_pharmacist_imports_opening_stock_only() {
    let mut c = Console::in_lang(80, 24, Lang::En);
    c.sign_in("pharm");
    c.key(KeyCode::Char('6'));
    assert_eq!(c.app.tab, Tab::Site);
    let s = c.screen();
    assert!(s.contains("opening stock"), "{s}");
    c.key(KeyCode::Char('a'));
    assert!(c.app.form.is_none(), "no users for a pharmacist");
    c.key(KeyCode::Char('i'));
    let form = c.app.form.as_ref().expect("the import form");
    assert_eq!(form.fields()[0].1.value(), "stock");
    c.key(KeyCode::Esc);
    // A nurse has no Site tab.
    let mut n = Console::in_lang(80, 24, Lang::En);
    n.sign_in("nurse")
        .key(KeyCode::Char('3'))
        .key(KeyCode::Char('6'));
    assert_ne!(n.app.tab, Tab::Site);
    assert!(!n.screen().contains("6 Site"));
    assert_eq!(
        n.app.tabs.stock.filter.value(),
        "6",
        "on Ward stock, 6 is typed into the filter"
    );
}

/// Opens the record of the first patient on the Administration tab of a
/// ward with active prescriptions.
fn open_record(c: &mut Console) -> String {
    let ward: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT w.code FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
             WHERE r.status = 'active' ORDER BY w.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let selected = c.app.cx.places.iter().position(|p| p.code == ward).unwrap();
    c.key(KeyCode::F(2));
    c.app.popup = Some(Popup::Picker(Picker { selected }));
    c.key(KeyCode::Enter).key(KeyCode::Char('2'));
    c.key(KeyCode::F(4));
    let Some(Popup::Patient(card)) = &c.app.popup else {
        panic!("the record: {}", c.screen())
    };
    card.record.mrn.clone()
}

#[test]
fn a_pharmacist_adds_and_removes_an_allergy_a_nurse_cannot() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("pharm");
        let mrn = open_record(&mut c);
        let s = c.screen();
        assert!(s.contains(words(lang, "add allergy", "添加过敏")), "{s}");
        assert!(
            !s.contains(words(lang, "discharge", "出院")),
            "a pharmacist does not discharge: {s}"
        );
        c.key(KeyCode::Char('a'));
        assert!(c.app.form.is_some());
        c.typed("Latex")
            .key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .key(KeyCode::Enter)
            .typed("rash")
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{:?}", c.app.form);
        let Some(Popup::Patient(card)) = &c.app.popup else {
            panic!("the record again")
        };
        assert!(
            card.record.allergies.contains("Latex"),
            "{}",
            card.record.allergies
        );
        assert!(c.screen().contains("Latex"));
        let q = format!(
            "SELECT count(*) FROM patient_allergies a JOIN patients p ON p.id = a.patient_id
             WHERE p.mrn = '{mrn}' AND a.substance = 'Latex' AND a.removed_at IS NULL"
        );
        assert_eq!(c.count(&q), 1);

        // Removed with a reason: kept as history.
        c.key(KeyCode::Char('r'));
        c.typed("Latex").key(KeyCode::Enter).key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "a reason is asked for");
        c.typed(words(lang, "recorded in error", "误录"))
            .key(KeyCode::Enter);
        assert!(c.app.form.is_none());
        assert_eq!(c.count(&q), 0);
        let s = c.screen();
        assert!(
            s.contains(words(lang, "removed: Latex", "已移除：Latex")),
            "{s}"
        );

        // A nurse is refused, in words, and offered nothing.
        let mut n = Console::in_lang(80, 24, lang);
        n.sign_in("nurse");
        open_record(&mut n);
        let s = n.screen();
        assert!(!s.contains(words(lang, "add allergy", "添加过敏")), "{s}");
        n.key(KeyCode::Char('a'));
        assert!(n.app.form.is_none());
        let s = n.screen();
        assert!(
            s.contains(words(lang, "nurse manager or a pharmacist", "护士长")),
            "{s}"
        );
    }
}

#[test]
fn a_nurse_manager_moves_and_discharges_a_patient() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("manager");
        let mrn = open_record(&mut c);
        let other: String = c
            .app
            .store()
            .conn
            .query_row(
                "SELECT code FROM places WHERE kind = 'ward' AND code <> (SELECT w.code FROM patients p JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1) ORDER BY code LIMIT 1",
                [&mrn],
                |r| r.get(0),
            )
            .unwrap();
        c.key(KeyCode::Char('m'));
        for _ in 0..10 {
            c.key(KeyCode::Backspace);
        }
        c.typed(&other).key(KeyCode::Enter);
        for _ in 0..10 {
            c.key(KeyCode::Backspace);
        }
        c.typed("12").key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{:?}", c.app.form);
        let moved = match lang {
            Lang::En => format!("{other} bed 12"),
            Lang::ZhCn => format!("{other} 12 床"),
        };
        assert!(c.status().contains(&moved), "{}", c.status());

        // Esc on a change goes back to the record.
        c.key(KeyCode::Char('d')).key(KeyCode::Esc);
        assert!(matches!(c.app.popup, Some(Popup::Patient(_))));
        c.key(KeyCode::Char('d'));
        let s = c.screen();
        assert!(
            s.contains(words(lang, "every active", "所有在用处方")),
            "{s}"
        );
        c.key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "not without y");
        c.typed("y").key(KeyCode::Enter);
        assert!(c.app.form.is_none());
        assert!(
            c.status().contains(words(lang, "discharged", "已出院")),
            "{}",
            c.status()
        );
        let q = format!(
            "SELECT count(*) FROM prescriptions r JOIN patients p ON p.id = r.patient_id
             WHERE p.mrn = '{mrn}' AND r.status IN ('active', 'suspended', 'awaiting_validation')"
        );
        assert_eq!(c.count(&q), 0);
        // Discharged: no move or discharge any more.
        let s = c.screen();
        assert!(!s.contains(words(lang, "m move", "m 转床/转区")), "{s}");
        c.key(KeyCode::Char('m'));
        assert!(c.app.form.is_none());
    }
}

#[test]
fn the_site_tab_fits_small_windows_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("admin");
        for (w, h) in [(80, 24), (60, 16)] {
            c.resize(w, h);
            let s = c.screen();
            assert!(s.contains("admin"), "{s}");
            assert!(s.contains(words(lang, "Site", "站点")), "{s}");
            for l in s.lines() {
                assert!(
                    unicode_width::UnicodeWidthStr::width(l) <= w as usize,
                    "{l}"
                );
            }
            c.key(KeyCode::Char('a'));
            let s = c.screen();
            assert!(s.contains(words(lang, "Add a user", "添加用户")), "{s}");
            c.key(KeyCode::Esc);
        }
    }
}

#[test]
fn an_admin_changes_a_users_name_and_role() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("admin").select_user("nurse2");
        c.key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "the form to change name and role");
        c.key(KeyCode::Enter);
        for _ in 0..12 {
            c.key(KeyCode::Backspace);
        }
        c.typed("nurse_manager").key(KeyCode::Enter);
        assert!(c.app.form.is_none(), "{:?}", c.app.form);
        assert!(
            c.status().contains(words(lang, "nurse manager", "护士长")),
            "{}",
            c.status()
        );
        assert_eq!(
            c.count(
                "SELECT count(*) FROM users WHERE username = 'nurse2' AND role = 'nurse_manager'"
            ),
            1
        );
        // An unknown role is refused in the form, in words.
        c.key(KeyCode::Enter).key(KeyCode::Enter);
        for _ in 0..12 {
            c.key(KeyCode::Backspace);
        }
        c.typed("surgeon").key(KeyCode::Enter);
        let form = c.app.form.as_ref().expect("refused, the form stays");
        assert!(form.error.as_deref().unwrap_or("").contains("surgeon"));
        c.key(KeyCode::Esc);
        // The last administrator keeps their role: the operation refuses.
        c.select_user("admin")
            .key(KeyCode::Enter)
            .key(KeyCode::Enter);
        for _ in 0..12 {
            c.key(KeyCode::Backspace);
        }
        c.typed("nurse").key(KeyCode::Enter);
        assert!(c.app.form.is_some(), "the only administrator stays one");
        assert_eq!(
            c.count("SELECT count(*) FROM users WHERE username = 'admin' AND role = 'admin'"),
            1
        );
    }
}

#[test]
fn the_record_and_the_preview_fit_60_by_16_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("pharm");
        open_record(&mut c);
        c.resize(60, 16);
        let s = c.screen();
        assert!(
            s.contains(words(lang, "a add allergy", "a 添加过敏")),
            "{s}"
        );
        for l in s.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 60, "{l}");
        }
        c.key(KeyCode::Char('a'));
        let s = c.screen();
        assert!(s.contains(words(lang, "Substance", "过敏物质")), "{s}");
        c.key(KeyCode::Esc);

        let mut a = Console::in_lang(60, 16, lang);
        let bad = a.dir.path().join("bad.csv");
        std::fs::write(&bad, "code,name,lead_days\nSUP-A,Alpha,x\n").unwrap();
        a.sign_in("admin").key(KeyCode::Char('i'));
        a.typed("suppliers")
            .key(KeyCode::Enter)
            .typed(bad.to_str().unwrap())
            .key(KeyCode::Enter);
        let s = a.screen();
        assert!(
            s.contains(words(lang, "line 2, lead_days", "第 2 行，lead_days")),
            "{s}"
        );
        for l in s.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 60, "{l}");
        }
    }
}

#[test]
fn imported_users_get_one_time_pins_shown_once_after_the_write() {
    let mut c = Console::in_lang(80, 24, Lang::En);
    let file = c.dir.path().join("users.csv");
    std::fs::write(
        &file,
        "name,full_name,role\nwardclerk,Wen Li,nurse\nnightsister,Noor Aziz,nurse_manager\n",
    )
    .unwrap();
    c.sign_in("admin").key(KeyCode::Char('i'));
    c.typed("users")
        .key(KeyCode::Enter)
        .typed(file.to_str().unwrap())
        .key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains("users: 2 added"), "{s}");
    assert!(
        !s.contains("one-time PIN for"),
        "no PIN before the write: {s}"
    );
    c.key(KeyCode::Enter);
    let s = c.screen();
    assert!(
        s.contains("one-time PIN for wardclerk") && s.contains("one-time PIN for nightsister"),
        "{s}"
    );
    c.key(KeyCode::Esc);
    let s = c.screen();
    assert!(!s.contains("one-time PIN for"), "{s}");
    assert!(s.contains("wardclerk"), "the list shows them: {s}");
}
