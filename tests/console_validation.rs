//! The pharmacist's validation at the console: the queue with each
//! prescription's wait, and stopping or suspending another prescription of
//! the patient from the validation form. Driven by keys, read off a
//! TestBackend buffer (as tests/console.rs).

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::domain::schedule::Frequency;
use wardstock::domain::validation::Finding;
use wardstock::i18n::Lang;
use wardstock::ops::rx::{self, Decision};
use wardstock::store::Store;
use wardstock::tui::forms::Kind;
use wardstock::tui::forms::validation::{Validation, wait_text};

/// The pharmacist's moves around the validation form.
trait ValidationConsole {
    fn validation(&self) -> &Validation;
    fn select(&mut self, rx: i64);
}

impl ValidationConsole for Console {
    fn validation(&self) -> &Validation {
        match &self.app.form.as_ref().expect("a form").kind {
            Kind::Validation(v) => v,
            other => panic!("not the validation form: {other:?}"),
        }
    }

    /// The queue at the pharmacy, with `rx` selected.
    fn select(&mut self, rx: i64) {
        self.key(KeyCode::Char('1'));
        let pos = self
            .app
            .tabs
            .prescriptions
            .view
            .lines
            .iter()
            .position(|l| l.id == rx)
            .expect("in the queue");
        for _ in 0..pos {
            self.key(KeyCode::Down);
        }
    }
}

#[test]
fn the_pharmacys_queue_shows_each_wait_longest_first() {
    for (lang, header, word) in [(Lang::En, "Waited", "min"), (Lang::ZhCn, "已等待", "分")] {
        let (dir, path) = common::demo_db();
        // One prescription has waited 3 h 20 min.
        let id = {
            let mut store = Store::open(&path).unwrap();
            let now = common::anchor();
            let mrn = common::patient_on(&store, "W-MED");
            let manager = common::actor(&store, "manager");
            rx::prescribe(
                &mut store,
                &manager,
                now - chrono::Duration::minutes(200),
                &common::base_rx(&mrn, "PARA500T", 500_000, Frequency::Tid, now),
            )
            .unwrap()
        };
        let mut c = Console::open(dir, &path, 100, 30, lang);
        c.sign_in("pharm").key(KeyCode::Char('1'));
        let s = c.screen();
        assert!(s.contains(header), "{s}");
        let view = &c.app.tabs.prescriptions.view;
        let waited: Vec<i64> = view
            .lines
            .iter()
            .map(|l| view.waited.get(&l.id).copied().unwrap_or(-1))
            .collect();
        assert!(waited.windows(2).all(|w| w[0] >= w[1]), "{waited:?}");
        assert_eq!(view.waited.get(&id), Some(&200));
        // The order of `wardstock validate list`.
        let cli: Vec<i64> = rx::queue(&c.app.store().conn, None, common::anchor())
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .filter(|id| view.lines.iter().any(|l| l.id == *id))
            .collect();
        let shown: Vec<i64> = view.lines.iter().map(|l| l.id).collect();
        assert_eq!(shown, cli);
        let three_twenty = wait_text(200);
        assert!(three_twenty.contains(word), "{three_twenty}");
        assert!(s.contains(&three_twenty), "{three_twenty} missing:\n{s}");
        // The form says it too.
        c.select(id);
        c.key(KeyCode::Enter);
        assert!(
            c.validation().summary.contains(&three_twenty),
            "{}",
            c.screen()
        );
    }
}

/// Rivaroxaban active, enoxaparin awaiting validation, for one patient.
fn two_anticoagulants() -> (tempfile::TempDir, std::path::PathBuf, i64, i64) {
    let (dir, path) = common::demo_db();
    let mut store = Store::open(&path).unwrap();
    let now = common::anchor();
    let mrn = common::patient_on(&store, "W-MED");
    let manager = common::actor(&store, "manager");
    let pharm = common::actor(&store, "pharm");
    let riva = rx::prescribe(
        &mut store,
        &manager,
        now,
        &common::base_rx(&mrn, "RIVA20T", 20_000, Frequency::Qd, now),
    )
    .unwrap();
    let accept = Decision::Accept {
        comment: Some("as before admission".into()),
    };
    rx::validate(&mut store, &pharm, now, riva, &accept).unwrap();
    let mut enox = common::base_rx(&mrn, "ENOX40S", 40_000, Frequency::Qd, now);
    enox.route = "SC".into();
    let enox = rx::prescribe(&mut store, &manager, now, &enox).unwrap();
    (dir, path, riva, enox)
}

fn has_class_finding(v: &Validation) -> bool {
    v.findings
        .iter()
        .any(|f| matches!(f, Finding::DuplicateInClass { .. }))
}

/// Chooses `rx` among the other prescriptions the form lists.
fn choose(c: &mut Console, rx: i64) {
    for _ in 0..c.validation().others.len() {
        let v = c.validation();
        if v.others[v.chosen].id == rx {
            return;
        }
        c.key(KeyCode::PageDown);
    }
    panic!("RX-{rx} is not listed");
}

#[test]
fn a_pharmacist_stops_the_duplicate_anticoagulant_while_validating() {
    let (dir, path, riva, enox) = two_anticoagulants();
    let mut c = Console::open(dir, &path, 80, 24, Lang::En);
    c.sign_in("pharm");
    c.select(enox);
    c.key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains("Validate: Enoxaparin"), "{s}");
    assert!(s.contains("class B01A"), "the finding: {s}");
    assert!(has_class_finding(c.validation()));
    // The duplicate the finding names is chosen first.
    let v = c.validation();
    assert_eq!(v.others[v.chosen].id, riva);
    choose(&mut c, riva);
    let s = c.screen();
    assert!(s.contains(&format!("RX-{riva} Rivaroxaban")), "{s}");
    assert!(s.contains("F8 stop or"), "{s}");
    // F8 asks for the reason and a yes.
    c.key(KeyCode::F(8));
    let s = c.screen();
    assert!(s.contains(&format!("Stop or suspend RX-{riva}")), "{s}");
    c.typed("duplicate anticoagulant, enoxaparin instead")
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains("yes"), "a yes is asked for: {s}");
    let status = |c: &Console, id: i64| -> String {
        c.app
            .store()
            .conn
            .query_row(
                "SELECT status FROM prescriptions WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(status(&c, riva), "active", "nothing before the yes");
    c.typed("yes").key(KeyCode::Enter);
    assert_eq!(status(&c, riva), "stopped");
    let (by, reason): (String, String) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT u.username, e.comment FROM prescription_events e JOIN users u ON u.id = e.user_id
             WHERE e.prescription_id = ?1 AND e.action = 'stopped'",
            [riva],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (by.as_str(), reason.as_str()),
        ("pharm", "duplicate anticoagulant, enoxaparin instead")
    );
    // Back in the validation, the findings read again: no duplicate now.
    let v = c.validation();
    assert!(
        v.change.is_none() && !has_class_finding(v),
        "{:?}",
        v.findings
    );
    assert!(v.others.iter().all(|o| o.id != riva));
    let s = c.screen();
    assert!(
        s.contains(&format!("RX-{riva} Rivaroxaban 20 mg tablet stopped")),
        "{s}"
    );
    assert!(!s.contains("class B01A"), "{s}");
    // Then validated as usual.
    c.key(KeyCode::Enter)
        .typed("rivaroxaban stopped")
        .key(KeyCode::Enter);
    assert_eq!(status(&c, enox), "active", "{}", c.screen());
}

#[test]
fn a_suspension_from_the_validation_form_and_esc_goes_back_without_a_change() {
    let (dir, path, riva, enox) = two_anticoagulants();
    let mut c = Console::open(dir, &path, 60, 16, Lang::ZhCn);
    c.sign_in("pharm");
    c.select(enox);
    c.key(KeyCode::Enter);
    choose(&mut c, riva);
    // Esc while stopping: back to the validation, nothing changed.
    c.key(KeyCode::F(8)).key(KeyCode::Esc);
    assert!(c.validation().change.is_none());
    assert!(c.app.form.is_some(), "still validating");
    c.key(KeyCode::F(8));
    let s = c.screen();
    assert!(s.contains(&format!("停止或暂停处方 RX-{riva}")), "{s}");
    // Suspended instead of stopped (the word typed over "停止").
    c.key(KeyCode::BackTab);
    c.key(KeyCode::Backspace)
        .key(KeyCode::Backspace)
        .typed("暂停");
    c.key(KeyCode::Enter)
        .typed("术前暂停")
        .key(KeyCode::Enter)
        .typed("是")
        .key(KeyCode::Enter);
    let status: String = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT status FROM prescriptions WHERE id = ?1",
            [riva],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "suspended", "{}", c.screen());
    let s = c.screen();
    assert!(s.contains("已暂停"), "{s}");
    // A suspended prescription still counts: the finding stays.
    assert!(has_class_finding(c.validation()));
}

#[test]
fn the_console_refuses_a_pharmacists_own_prescription() {
    let (dir, path) = common::demo_db();
    let id = {
        let mut store = Store::open(&path).unwrap();
        let now = common::anchor();
        let mrn = common::patient_on(&store, "W-MED");
        let pharm = common::actor(&store, "pharm");
        rx::prescribe(
            &mut store,
            &pharm,
            now,
            &common::base_rx(&mrn, "PARA500T", 500_000, Frequency::Tid, now),
        )
        .unwrap()
    };
    let mut c = Console::open(dir, &path, 80, 24, Lang::En);
    c.sign_in("pharm");
    c.select(id);
    c.key(KeyCode::Enter)
        .key(KeyCode::Enter)
        .typed("ok")
        .key(KeyCode::Enter);
    let s = c.screen();
    assert!(s.contains("was entered by you"), "{s}");
    assert!(c.app.form.is_some());
}
