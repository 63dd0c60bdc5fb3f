//! The bedside dose form asks only for what the dose needs: a plain dose
//! is the wristband, the pack, the route and Enter; a witness only for a
//! controlled drug, a double-check only for a high-alert one, the timing
//! reason only outside the window, and a reason (not the pack) for a dose
//! not given.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::domain::schedule::DoseStatus;
use wardstock::i18n::{Lang, text_in};
use wardstock::tui::forms::Kind;
use wardstock::tui::forms::dose::{self, Dose};

fn dose_form(c: &mut Console) -> &mut Dose {
    match &mut c.app.form.as_mut().expect("the dose form").kind {
        Kind::Dose(d) => d,
        _ => panic!("the dose form"),
    }
}

fn shown(c: &Console) -> Vec<usize> {
    c.app.form.as_ref().expect("a form").shown_fields()
}

/// Whether the form on screen has a field labelled `key`.
fn has_field(c: &mut Console, lang: Lang, key: &str) -> bool {
    let label = text_in(lang, key);
    c.screen()
        .lines()
        .any(|l| l.contains(label) && l.contains('['))
}

/// Opens a plain scheduled dose (neither controlled nor high-alert) that
/// some ward can give, with a pack in stock: (mrn, gtin, lot). `due`: the
/// clock is at the dose's time; else the dose is hours ahead, outside its
/// window.
fn open_plain_dose(c: &mut Console, due: bool) -> (String, String, String) {
    let candidates: Vec<(String, i64, String, String, String)> = {
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
    let now = c.app.cx.now;
    for (ward, rx, mrn, gtin, lot) in candidates {
        c.key(KeyCode::F(2));
        let selected = c.app.cx.places.iter().position(|p| p.code == ward).unwrap();
        c.app.popup = Some(wardstock::tui::popups::Popup::Picker(
            wardstock::tui::popups::picker::Picker { selected },
        ));
        c.key(KeyCode::Enter)
            .key(KeyCode::Char('2'))
            .key(KeyCode::Home);
        let v = &c.app.tabs.administration.view;
        // A dose still to come; given on time, the clock is at its time.
        let found = v.slots.iter().enumerate().find_map(|(k, s)| match s {
            wardstock::tui::views::Slot::Dose(i) => {
                let r = &v.rows[*i];
                let inside = (now - r.at).num_minutes().abs() <= r.window_minutes;
                (r.prescription_id == rx
                    && !r.recorded
                    && r.at > now
                    && (due || !inside)
                    && r.status(now) == DoseStatus::Upcoming)
                    .then_some((k, r.at))
            }
            _ => None,
        });
        if let Some((pos, at)) = found {
            if due {
                c.app.cx.now = at;
            }
            for _ in 0..pos {
                c.key(KeyCode::Down);
            }
            c.key(KeyCode::Enter);
            assert!(c.app.form.is_some(), "{}", c.screen());
            return (mrn, gtin, lot);
        }
    }
    panic!(
        "no plain dose {} its window on any ward",
        if due { "inside" } else { "outside" }
    );
}

fn last_outcome(c: &Console) -> (String, Option<i64>) {
    c.app
        .store()
        .conn
        .query_row(
            "SELECT outcome, witness_id FROM administrations ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_plain_dose_is_the_wristband_the_pack_the_route_and_enter() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        let (mrn, gtin, lot) = open_plain_dose(&mut c, true);
        // No witness, no double-check, no timing reason, no reason for a
        // dose not given: an ordinary drug given on time.
        for key in [
            "tui.field.witness",
            "tui.field.witness_pin",
            "tui.field.checked_by",
            "tui.field.check_pin",
            "tui.field.timing",
            "tui.field.reason",
        ] {
            assert!(
                !has_field(&mut c, lang, key),
                "{lang:?}: {key} shown:\n{}",
                c.screen()
            );
        }
        assert!(
            has_field(&mut c, lang, "tui.field.route_ok"),
            "{}",
            c.screen()
        );
        assert!(
            has_field(&mut c, lang, "tui.field.wristband"),
            "{}",
            c.screen()
        );
        let before = shown(&c).len();
        c.scan(&mrn);
        c.scan(&format!("(01){gtin}(10){lot}"));
        // The scan filled the lot: "unable to scan" is no longer asked.
        assert!(!shown(&c).contains(&dose::UNABLE), "{:?}", shown(&c));
        assert!(shown(&c).len() < before);
        assert_eq!(c.app.form.as_ref().unwrap().focus, dose::ROUTE_OK);
        c.typed("y");
        let mut enters = 0;
        while c.app.form.is_some() && enters < 5 {
            c.key(KeyCode::Enter);
            enters += 1;
        }
        assert!(
            c.app.form.is_none(),
            "{lang:?}: not recorded:\n{}",
            c.screen()
        );
        // From the route: Enter to the outcome, Enter to record.
        assert!(enters <= 2, "{lang:?}: {enters} Enters after the route");
        assert_eq!(last_outcome(&c), ("given".to_string(), None));
    }
}

#[test]
fn a_dose_outside_its_window_asks_for_the_timing_reason() {
    let mut c = Console::in_lang(80, 24, Some(Lang::En));
    c.sign_in("nurse");
    open_plain_dose(&mut c, false);
    assert!(shown(&c).contains(&dose::TIMING), "{:?}", shown(&c));
    assert!(
        has_field(&mut c, Lang::En, "tui.field.timing"),
        "{}",
        c.screen()
    );
}

#[test]
fn a_dose_not_given_asks_for_the_reason_and_not_for_the_pack() {
    let mut c = Console::in_lang(80, 24, Some(Lang::En));
    c.sign_in("nurse");
    let (mrn, _, _) = open_plain_dose(&mut c, true);
    c.scan(&mrn);
    // Over the prefilled "given", typing replaces it.
    c.app.form.as_mut().unwrap().focus = dose::OUTCOME;
    c.typed("refused");
    assert_eq!(dose_form(&mut c).outcome.value(), "refused");
    let now = shown(&c);
    for hidden in [dose::LOT, dose::UNABLE, dose::UNITS, dose::ROUTE_OK] {
        assert!(!now.contains(&hidden), "{hidden} still shown: {now:?}");
    }
    assert!(now.contains(&dose::REASON), "{now:?}");
    assert!(
        !has_field(&mut c, Lang::En, "tui.field.route_ok"),
        "{}",
        c.screen()
    );
    // Enter goes to the reason, which is refused empty and the cursor stays.
    c.key(KeyCode::Enter);
    assert_eq!(c.app.form.as_ref().unwrap().focus, dose::REASON);
    c.key(KeyCode::Enter);
    let form = c.app.form.as_ref().expect("refused without a reason");
    assert!(form.error.is_some());
    assert_eq!(form.focus, dose::REASON);
    let ward = c.app.current_place().unwrap().id;
    let code = wardstock::ops::ward::reasons(
        &c.app.store().conn,
        ward,
        wardstock::ops::ward::ReasonKind::Refused,
    )
    .unwrap()[0]
        .code
        .clone();
    c.typed(&code);
    c.key(KeyCode::Enter);
    assert!(
        c.app.form.is_none(),
        "{:?}",
        c.app.form.as_ref().map(|f| f.error.clone())
    );
    assert_eq!(last_outcome(&c).0, "refused");
}

#[test]
fn a_controlled_high_alert_drug_asks_for_the_witness_and_the_double_check() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse");
        c.key(KeyCode::Char('2')).key(KeyCode::Home);
        let (pos, high_alert) = {
            let v = &c.app.tabs.administration.view;
            v.slots
                .iter()
                .enumerate()
                .find_map(|(k, s)| match s {
                    wardstock::tui::views::Slot::Prn(p) if v.prn[*p].controlled => {
                        Some((k, v.prn[*p].high_alert))
                    }
                    _ => None,
                })
                .expect("a controlled PRN line")
        };
        for _ in 0..pos {
            c.key(KeyCode::Down);
        }
        c.key(KeyCode::Enter);
        let now = shown(&c);
        assert!(now.contains(&dose::WITNESS) && now.contains(&dose::WITNESS_PIN));
        assert!(
            has_field(&mut c, lang, "tui.field.witness_required"),
            "{}",
            c.screen()
        );
        assert_eq!(now.contains(&dose::CHECKED_BY), high_alert, "{now:?}");
        // A controlled drug refused by the patient needs no witness.
        c.app.form.as_mut().unwrap().focus = dose::OUTCOME;
        c.typed(wardstock::tui::forms::input::outcome_word(
            wardstock::ops::mar::Outcome::Refused,
        ));
        assert!(!shown(&c).contains(&dose::WITNESS), "{:?}", shown(&c));
    }
}
