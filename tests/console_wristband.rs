//! A wristband scanned on the Administration tab opens that patient's
//! doses; in the dose form a GSRN wristband identifies the patient.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::domain::schedule::DoseStatus;
use wardstock::i18n::Lang;
use wardstock::store::Store;
use wardstock::tui::forms::Kind;
use wardstock::tui::popups::{Popup, picker::Picker};
use wardstock::tui::views::Slot;

/// Moves between the wards' schedules.
trait ScheduleConsole {
    fn schedule_of(&mut self, ward: &str);
}

impl ScheduleConsole for Console {
    /// The Administration tab of `ward`.
    fn schedule_of(&mut self, ward: &str) {
        let selected = self
            .app
            .cx
            .places
            .iter()
            .position(|p| p.code == ward)
            .expect("the ward");
        self.app.popup = Some(Popup::Picker(Picker { selected }));
        self.key(KeyCode::Enter).key(KeyCode::Char('2'));
    }
}

/// A patient with a dose due now (not yet recorded) and their ward, MRN,
/// name and GSRN; and a patient of another ward.
fn patient_with_a_due_dose(c: &mut Console) -> (String, String, String, String) {
    let candidates: Vec<(String, String, String, String)> = {
        let conn = &c.app.store().conn;
        let mut stmt = conn
            .prepare(
                "SELECT w.code, p.mrn, p.name, p.gsrn FROM patients p JOIN places w ON w.id = p.ward_id
                 WHERE p.gsrn IS NOT NULL AND EXISTS (SELECT 1 FROM prescriptions r WHERE r.patient_id = p.id AND r.status = 'active')
                 ORDER BY w.code, p.mrn",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (ward, mrn, name, gsrn) in candidates {
        c.schedule_of(&ward);
        let now = c.app.cx.now;
        let v = &c.app.tabs.administration.view;
        if v.rows
            .iter()
            .any(|r| r.mrn == mrn && matches!(r.status(now), DoseStatus::Due | DoseStatus::Late))
        {
            return (ward, mrn, name, gsrn);
        }
    }
    panic!("a patient with a dose due now");
}

#[test]
fn a_wristband_scanned_on_the_schedule_opens_that_patients_doses() {
    let mut c = Console::in_lang(80, 24, Lang::En);
    c.sign_in("nurse");
    let (ward, mrn, name, gsrn) = patient_with_a_due_dose(&mut c);
    let everyone = c.app.tabs.administration.view.slots.len();
    assert!(
        c.app
            .tabs
            .administration
            .view
            .slots
            .iter()
            .any(|s| c.app.tabs.administration.view.mrn(*s) != mrn),
        "the ward has other patients"
    );

    // The GSRN on the wristband, as a label prints it.
    c.scan(&format!("(8018){gsrn}"));
    let tab = &c.app.tabs.administration;
    assert!(c.app.form.is_none() && c.app.popup.is_none());
    assert!(tab.view.by_patient);
    assert!(!tab.view.slots.is_empty());
    assert!(
        tab.view.slots.iter().all(|s| tab.view.mrn(*s) == mrn),
        "only the patient's doses"
    );
    // The first due dose is selected, ready for Enter.
    let Some(Slot::Dose(i)) = tab.slot() else {
        panic!("a dose selected")
    };
    let now = c.app.cx.now;
    assert!(matches!(
        tab.view.rows[i].status(now),
        DoseStatus::Due | DoseStatus::Late
    ));
    let said = c.status();
    assert!(
        said.contains(&name) && said.contains(&mrn) && said.contains("due now"),
        "{said}"
    );
    let s = c.screen();
    assert!(s.contains(&format!("{name} only")), "{s}");
    assert!(!s.contains("Scan not understood"), "{s}");

    // Enter opens the dose; the GSRN scanned into the form is the patient.
    c.key(KeyCode::Enter);
    assert!(c.app.form.is_some(), "{}", c.screen());
    c.scan(&format!("(8018){gsrn}"));
    let form = c.app.form.as_ref().unwrap();
    assert_eq!(form.error, None);
    let Kind::Dose(d) = &form.kind else {
        panic!("the dose form")
    };
    assert_eq!(d.wristband.value(), mrn);
    // Another patient's GSRN is the wrong patient, at once.
    let (other_mrn, other_gsrn): (String, String) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT mrn, gsrn FROM patients WHERE mrn <> ?1 AND gsrn IS NOT NULL ORDER BY mrn LIMIT 1",
            [&mrn],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.scan(&format!("(8018){other_gsrn}"));
    let error = c
        .app
        .form
        .as_ref()
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(
        error.contains("WRONG PATIENT") && error.contains(&other_mrn),
        "{error}"
    );
    c.key(KeyCode::Esc);
    assert!(c.app.form.is_none());

    // Esc on the list: every patient again.
    c.key(KeyCode::Esc);
    assert!(c.app.tabs.administration.patient.is_none());
    assert_eq!(c.app.tabs.administration.view.slots.len(), everyone);

    // The bare MRN opens them too (the site's wristbands carry either).
    c.scan(&mrn);
    assert_eq!(
        c.app
            .tabs
            .administration
            .patient
            .as_ref()
            .map(|p| p.mrn.as_str()),
        Some(mrn.as_str())
    );
    c.key(KeyCode::Esc);

    // A patient of another ward: said, with where they are.
    let (other_ward, elsewhere, elsewhere_gsrn): (String, String, String) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT w.code, p.mrn, p.gsrn FROM patients p JOIN places w ON w.id = p.ward_id
             WHERE w.code <> ?1 AND p.gsrn IS NOT NULL ORDER BY p.mrn LIMIT 1",
            [&ward],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    c.scan(&format!("(8018){elsewhere_gsrn}"));
    let said = c.status();
    assert!(
        said.contains(&elsewhere) && said.contains(&other_ward) && said.contains(&ward),
        "{said}"
    );
    assert!(c.app.tabs.administration.patient.is_none());
    // Unknown wristbands and a bad check digit: said.
    c.scan("(8018)795260646688514634");
    assert!(c.status().contains("Wristband not known"), "{}", c.status());
    c.scan("MRN999999");
    assert!(c.status().contains("MRN999999"), "{}", c.status());
    c.scan("(8018)795260646688514635");
    assert!(
        c.status()
            .contains("check digit is wrong: rescan or type the MRN"),
        "{}",
        c.status()
    );
    // A pack still opens in Ward stock, as on any screen.
    let (gtin, lot): (String, String) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT g.gtin, l.lot_number FROM item_gtins g JOIN lots l ON l.item_id = g.item_id ORDER BY l.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.scan(&format!("(01){gtin}(10){lot}"));
    assert_eq!(c.app.tab, wardstock::tui::app::Tab::Stock);
}

#[test]
fn where_the_site_prints_a_gsrn_a_scanned_mrn_is_refused_on_the_schedule() {
    let mut c = Console::in_lang(60, 16, Lang::En);
    {
        let mut store = Store::open(c.app.store().path()).unwrap();
        let admin = common::actor(&store, "admin");
        wardstock::ops::scan::set_wristband_kind(
            &mut store,
            &admin,
            wardstock::ops::scan::WristbandKind::Gsrn,
            common::anchor(),
        )
        .unwrap();
    }
    c.sign_in("nurse");
    let (_, mrn, name, gsrn) = patient_with_a_due_dose(&mut c);
    c.scan(&mrn);
    assert!(
        c.status().contains("this site's wristbands carry a GSRN"),
        "{}",
        c.status()
    );
    assert!(c.app.tabs.administration.patient.is_none());
    c.scan(&format!("(8018){gsrn}"));
    assert!(c.status().contains(&name), "{}", c.status());
    // At the smallest size, the list and the message still show.
    let s = c.screen();
    assert!(s.contains("Wristband:"), "{s}");
}

#[test]
fn in_chinese_the_wristband_scan_names_the_patient() {
    let mut c = Console::in_lang(80, 24, Lang::ZhCn);
    c.sign_in("nurse");
    let (_, mrn, name, gsrn) = patient_with_a_due_dose(&mut c);
    c.scan(&format!("(8018){gsrn}"));
    let said = c.status();
    assert!(
        said.starts_with("腕带：") && said.contains(&name) && said.contains(&mrn),
        "{said}"
    );
    let s = c.screen();
    assert!(s.contains(&format!("仅 {name}")) || s.contains("仅"), "{s}");
}
