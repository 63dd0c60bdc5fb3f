//! Wristbands: a patient's GS1 GSRN (AI 8018) or the bare MRN, entered
//! with the patient, read at the bedside, and what the site's wristbands
//! carry.

mod common;

use chrono::Duration;
use wardstock::domain::seven_rights::{Failure, PatientSeen};
use wardstock::gs1::GsrnProblem;
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::refdata::{self, AdminError, Admission};
use wardstock::ops::scan::{self, Band, Entry, WristbandError, WristbandKind};
use wardstock::store::Store;

use common::actor;

/// GS1's example GSRN (a valid check digit), and the same with a wrong one.
const GSRN: &str = "795260646688514634";
const BAD_CHECK: &str = "795260646688514635";

fn gsrn_of(store: &Store, mrn: &str) -> Option<String> {
    store
        .conn
        .query_row("SELECT gsrn FROM patients WHERE mrn = ?1", [mrn], |r| {
            r.get(0)
        })
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    common::anchor().date_naive()
}

#[test]
fn a_patients_gsrn_is_checked_on_entry_and_belongs_to_one_patient() {
    let (_dir, mut store) = common::open_demo();
    let (admin, nurse) = (actor(&store, "admin"), actor(&store, "nurse"));
    let now = common::anchor();
    let (a, b) = ("MRN100001", "MRN100002");

    // Only those who admit patients change their wristband.
    let e = refdata::patient_set_gsrn(&mut store, &nurse, now, a, Some(GSRN)).unwrap_err();
    assert!(matches!(e, AdminError::PatientsNotAllowed { .. }), "{e}");

    let p = refdata::patient_set_gsrn(&mut store, &admin, now, a, Some(GSRN)).unwrap();
    assert_eq!(p.gsrn.as_deref(), Some(GSRN));
    assert_eq!(gsrn_of(&store, a).as_deref(), Some(GSRN));

    // A wrong check digit, a wrong length, letters: refused, nothing changes.
    let before = gsrn_of(&store, b);
    let e = refdata::patient_set_gsrn(&mut store, &admin, now, b, Some(BAD_CHECK)).unwrap_err();
    assert!(
        matches!(
            &e,
            AdminError::Wristband(WristbandError::BadGsrn {
                problem: GsrnProblem::CheckDigit {
                    found: 5,
                    expected: 4
                },
                ..
            })
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("check digit should be 4"), "{e}");
    let e = refdata::patient_set_gsrn(&mut store, &admin, now, b, Some("79526064668851463"))
        .unwrap_err();
    assert!(
        matches!(
            &e,
            AdminError::Wristband(WristbandError::BadGsrn {
                problem: GsrnProblem::Length { found: 17 },
                ..
            })
        ),
        "{e:?}"
    );
    let e = refdata::patient_set_gsrn(&mut store, &admin, now, b, Some("MRN100002")).unwrap_err();
    assert!(
        matches!(
            &e,
            AdminError::Wristband(WristbandError::BadGsrn {
                problem: GsrnProblem::NotDigit { .. },
                ..
            })
        ),
        "{e:?}"
    );
    // Another patient's GSRN: refused, naming them.
    let e = refdata::patient_set_gsrn(&mut store, &admin, now, b, Some(GSRN)).unwrap_err();
    assert!(
        matches!(&e, AdminError::Wristband(WristbandError::GsrnElsewhere { mrn, .. }) if mrn == a),
        "{e:?}"
    );
    assert!(e.to_string().contains(a), "{e}");
    assert_eq!(gsrn_of(&store, b), before);
    // The database itself refuses a second patient with the same GSRN.
    assert!(
        store
            .conn
            .execute("UPDATE patients SET gsrn = ?1 WHERE mrn = ?2", [GSRN, b])
            .is_err()
    );

    // Setting it again is no change; clearing it frees it for another.
    refdata::patient_set_gsrn(&mut store, &admin, now, a, Some(GSRN)).unwrap();
    let p = refdata::patient_set_gsrn(&mut store, &admin, now, a, None).unwrap();
    assert_eq!(p.gsrn, None);
    refdata::patient_set_gsrn(&mut store, &admin, now, b, Some(&format!("(8018){GSRN}"))).unwrap();
    assert_eq!(gsrn_of(&store, b).as_deref(), Some(GSRN));
    // Each change is kept in the reference history.
    let changes: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM reference_history WHERE kind = 'patient' AND code IN (?1, ?2)",
            [a, b],
            |r| r.get(0),
        )
        .unwrap();
    assert!(changes >= 3, "{changes}");

    // Admission takes the GSRN too, checked the same way.
    let admit = |gsrn: &str, mrn: &str| Admission {
        mrn: mrn.into(),
        name: "Nia Okafor".into(),
        dob: chrono::NaiveDate::from_ymd_opt(1981, 2, 3).unwrap(),
        sex: None,
        ward: "W-MED".into(),
        bed: Some("09".into()),
        gsrn: Some(gsrn.into()),
    };
    let e = refdata::patient_admit(&mut store, &admin, now, &admit(GSRN, "MRN900001")).unwrap_err();
    assert!(
        matches!(
            &e,
            AdminError::Wristband(WristbandError::GsrnElsewhere { .. })
        ),
        "{e:?}"
    );
    let other = wardstock::domain::gtin::with_check_digit("95060001099999999").unwrap();
    let p = refdata::patient_admit(&mut store, &admin, now, &admit(&other, "MRN900001")).unwrap();
    assert_eq!(p.gsrn.as_deref(), Some(other.as_str()));
    common::assert_clean(&store);
}

#[test]
fn the_site_says_what_its_wristbands_carry_and_a_scan_of_the_other_kind_is_refused() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let (admin, manager) = (actor(&store, "admin"), actor(&store, "manager"));
    let mrn = "MRN100003";
    let gsrn = gsrn_of(&store, mrn).expect("demo patients carry a GSRN");
    let id = |store: &Store, data: &str, entry| {
        scan::identify_wristband(&store.conn, data, entry, None, today())
    };

    // Either, by default: both identify the patient.
    assert_eq!(
        scan::wristband_kind(&store.conn).unwrap(),
        WristbandKind::Either
    );
    let p = id(&store, &format!("(8018){gsrn}"), Entry::Scanned).unwrap();
    assert_eq!((p.mrn.as_str(), &p.band), (mrn, &Band::Gsrn(gsrn.clone())));
    assert_eq!(id(&store, mrn, Entry::Scanned).unwrap().mrn, mrn);
    // A scanner's symbology prefix and raw element string are read too.
    assert_eq!(
        id(&store, &format!("]C18018{gsrn}"), Entry::Scanned)
            .unwrap()
            .mrn,
        mrn
    );
    assert_eq!(
        id(&store, &format!("]C0{mrn}"), Entry::Scanned)
            .unwrap()
            .mrn,
        mrn
    );

    // Only an administrator changes the setting.
    let e = scan::set_wristband_kind(&mut store, &manager, WristbandKind::Gsrn, now).unwrap_err();
    assert!(matches!(e, WristbandError::NotAdmin { .. }), "{e}");

    // GSRN: a scanned bare MRN is refused, saying so; the typed MRN is the fallback.
    scan::set_wristband_kind(&mut store, &admin, WristbandKind::Gsrn, now).unwrap();
    assert_eq!(
        scan::wristband_kind(&store.conn).unwrap(),
        WristbandKind::Gsrn
    );
    let e = id(&store, mrn, Entry::Scanned).unwrap_err();
    assert!(
        matches!(&e, WristbandError::SiteUsesGsrn { mrn: m } if m == mrn),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("this site's wristbands carry a GSRN"),
        "{e}"
    );
    assert_eq!(id(&store, mrn, Entry::Typed).unwrap().mrn, mrn);
    assert_eq!(
        id(&store, &format!("(8018){gsrn}"), Entry::Scanned)
            .unwrap()
            .mrn,
        mrn
    );

    // MRN: a scanned GSRN is refused likewise.
    scan::set_wristband_kind(&mut store, &admin, WristbandKind::Mrn, now).unwrap();
    let e = id(&store, &format!("(8018){gsrn}"), Entry::Scanned).unwrap_err();
    assert!(matches!(&e, WristbandError::SiteUsesMrn { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("this site's wristbands carry the MRN"),
        "{e}"
    );
    assert_eq!(id(&store, mrn, Entry::Scanned).unwrap().mrn, mrn);

    // Unknown wristbands, a bad check digit, a badge, a pack: each said.
    scan::set_wristband_kind(&mut store, &admin, WristbandKind::Either, now).unwrap();
    let e = id(&store, &format!("(8018){GSRN}"), Entry::Scanned).unwrap_err();
    assert!(matches!(e, WristbandError::UnknownGsrn { .. }), "{e:?}");
    let e = id(&store, "MRN999999", Entry::Scanned).unwrap_err();
    assert!(matches!(e, WristbandError::UnknownMrn { .. }), "{e:?}");
    let e = id(&store, &format!("(8018){BAD_CHECK}"), Entry::Scanned).unwrap_err();
    assert!(
        e.to_string()
            .contains("the wristband's GSRN check digit is wrong: rescan or type the MRN"),
        "{e}"
    );
    let e = id(&store, &format!("(8017){GSRN}"), Entry::Scanned).unwrap_err();
    assert!(matches!(e, WristbandError::Badge { .. }), "{e:?}");
    let e = id(&store, "(01)09506000134352(10)L1", Entry::Scanned).unwrap_err();
    assert!(matches!(e, WristbandError::Pack), "{e:?}");
}

/// An active scheduled prescription the ward can give now: (rx, mrn, item, lot, units).
fn prescription(store: &Store) -> (i64, String, i64, String, i64) {
    store
        .conn
        .query_row(
            "SELECT r.id, p.mrn, i.id,
                    (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
                     WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10
                     ORDER BY b.expiry LIMIT 1),
                    r.dose_milli / i.strength_milli
             FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0
               AND r.dose_milli % i.strength_milli = 0
               AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok'
                           AND b.expiry > '2027-01-01' AND b.qty >= 10)
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

#[test]
fn a_gsrn_wristband_is_the_patient_right_at_the_bedside() {
    let (_dir, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let (rx, mrn, item, lot, units) = prescription(&store);
    let due = common::due(&store, rx, 1);
    let now = due[0] + Duration::minutes(7);
    let gsrn = gsrn_of(&store, &mrn).unwrap();
    let (other_mrn, other_gsrn): (String, String) = store
        .conn
        .query_row(
            "SELECT mrn, gsrn FROM patients WHERE mrn <> ?1 AND gsrn IS NOT NULL ORDER BY mrn LIMIT 1",
            [&mrn],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let dose = |band: &str, outcome: Outcome| DoseInput {
        rx_id: rx,
        scheduled_at: Some(due[0]),
        outcome,
        patient_mrn: Some(band.into()),
        patient_dob: None,
        pack: (outcome == Outcome::Given).then(|| (item, lot.clone())),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        route_confirmed: true,
        timing_reason: None,
        reason: (outcome != Outcome::Given).then(|| "other: asleep".into()),
        witness: None,
        double_check: None,
    };

    // Another patient's GSRN: WRONG PATIENT, naming whose wristband it is.
    for outcome in [Outcome::Given, Outcome::Held] {
        let e = mar::administer(
            &mut store,
            &nurse,
            now,
            &dose(&format!("(8018){other_gsrn}"), outcome),
        )
        .unwrap_err();
        assert!(
            matches!(&e, DoseError::Rights(f) if matches!(&f[..],
                [Failure::Patient { mrn: m, scanned: Some(PatientSeen::Wristband { mrn: seen }), .. }]
                    if *m == mrn && *seen == other_mrn)),
            "{e:?}"
        );
        assert!(
            e.to_string().to_lowercase().contains("wrong patient"),
            "{e}"
        );
    }
    // A GSRN no patient has, or one whose check digit is wrong: refused.
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(&format!("(8018){GSRN}"), Outcome::Given),
    )
    .unwrap_err();
    assert!(
        matches!(e, DoseError::Wristband(WristbandError::UnknownGsrn { .. })),
        "{e:?}"
    );
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(&format!("8018{BAD_CHECK}"), Outcome::Given),
    )
    .unwrap_err();
    assert!(e.to_string().contains("check digit is wrong"), "{e}");
    // A caregiver's badge is not a wristband.
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(&format!("(8017){gsrn}"), Outcome::Given),
    )
    .unwrap_err();
    assert!(
        matches!(e, DoseError::Wristband(WristbandError::Badge { .. })),
        "{e:?}"
    );

    // The patient's own GSRN identifies them as the MRN does.
    let r = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(&format!("(8018){gsrn}"), Outcome::Given),
    )
    .unwrap();
    assert_eq!(r.outcome, Outcome::Given);
    common::assert_clean(&store);
}

#[test]
fn the_patients_file_takes_an_optional_gsrn_column_and_the_export_writes_it() {
    use wardstock::ops::import::{self, ImportError, Kind, Problem};
    let (_dir, mut store) = common::open_demo();
    let admin = actor(&store, "admin");
    let now = common::anchor();
    let taken = gsrn_of(&store, "MRN100001").unwrap();
    let file = |rows: &str| format!("mrn,name,date_of_birth,ward,bed,gsrn\n{rows}");

    // A wrong check digit and another patient's GSRN: bad rows, nothing written.
    let bad = file(&format!(
        "MRN900010,Ada Byrne,1970-01-02,W-MED,11,{BAD_CHECK}\nMRN900011,Bo Chen,1971-01-02,W-MED,12,{taken}\n"
    ));
    let e = import::import(
        &mut store,
        &admin,
        Kind::Patients,
        bad.as_bytes(),
        false,
        now,
    )
    .unwrap_err();
    let ImportError::Rows(problems) = e else {
        panic!("{e:?}")
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        matches!(
            &problems[0].problem,
            Problem::Gsrn {
                detail: GsrnProblem::CheckDigit { expected: 4, .. },
                ..
            }
        ) && problems[0].column == "gsrn"
    );
    assert!(
        matches!(&problems[1].problem, Problem::GsrnElsewhere { mrn, .. } if mrn == "MRN100001"),
        "{problems:?}"
    );
    // The same GSRN twice in one file.
    let twice = file(&format!(
        "MRN900010,Ada Byrne,1970-01-02,W-MED,11,{GSRN}\nMRN900011,Bo Chen,1971-01-02,W-MED,12,{GSRN}\n"
    ));
    let e = import::import(
        &mut store,
        &admin,
        Kind::Patients,
        twice.as_bytes(),
        false,
        now,
    )
    .unwrap_err();
    assert!(
        matches!(&e, ImportError::Rows(p) if matches!(&p[..], [x] if matches!(x.problem, Problem::Repeated { .. }))),
        "{e:?}"
    );
    assert_eq!(
        gsrn_of(&store, "MRN100001").as_deref(),
        Some(taken.as_str())
    );

    // Good rows: set; a blank GSRN keeps the one recorded.
    let good = file(&format!(
        "MRN900010,Ada Byrne,1970-01-02,W-MED,11,(8018){GSRN}\nMRN100001,Ivan Nielsen,1950-01-01,W-MED,01A,\n"
    ));
    import::import(
        &mut store,
        &admin,
        Kind::Patients,
        good.as_bytes(),
        false,
        now,
    )
    .unwrap();
    assert_eq!(gsrn_of(&store, "MRN900010").as_deref(), Some(GSRN));
    assert_eq!(
        gsrn_of(&store, "MRN100001").as_deref(),
        Some(taken.as_str())
    );

    // The export writes the column, read back by the import.
    let mut out = Vec::new();
    import::export(&store.conn, Kind::Patients, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with(",sex,gsrn"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("MRN900010,") && l.ends_with(&format!(",{GSRN}"))),
        "{text}"
    );
    common::assert_clean(&store);
}
