//! The pharmacist's validation: findings, decisions, attribution.

mod common;

use wardstock::domain::roles::Operation;
use wardstock::domain::validation::Finding;
use wardstock::ops::rx::{self, Decision, RxError};

use common::actor;

#[test]
fn an_allergy_is_found_and_can_only_be_overridden_with_a_comment() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let queue = rx::queue(&store.conn, None, now).unwrap();
    assert!(
        !queue.is_empty(),
        "the demo has prescriptions awaiting validation"
    );
    let entry = &queue[0];
    // The patient turns out to be allergic to the drug's class.
    let (patient, atc): (i64, String) = store
        .conn
        .query_row("SELECT r.patient_id, i.atc FROM prescriptions r JOIN items i ON i.id = r.item_id WHERE r.id = ?1", [entry.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    wardstock::ops::refdata::add_allergy(
        &store.conn,
        patient,
        "test class",
        Some(&atc[..4]),
        "allergy",
        Some("rash"),
    )
    .unwrap();
    let q = rx::queue(&store.conn, None, now).unwrap();
    let e = q.iter().find(|e| e.id == entry.id).unwrap();
    assert!(
        e.findings
            .iter()
            .any(|f| matches!(f, Finding::Allergy { .. })),
        "{:?}",
        e.findings
    );

    let nurse = actor(&store, "nurse");
    assert!(matches!(
        rx::validate(
            &mut store,
            &nurse,
            now,
            entry.id,
            &Decision::Accept { comment: None }
        ),
        Err(RxError::Forbidden(f)) if f.op == Operation::ValidatePrescription
    ));
    let pharm = actor(&store, "pharm");
    let err = rx::validate(
        &mut store,
        &pharm,
        now,
        entry.id,
        &Decision::Accept { comment: None },
    )
    .unwrap_err();
    assert!(
        matches!(&err, RxError::CommentRequired(id, found) if *id == entry.id
            && found.iter().any(|f| matches!(f, Finding::Allergy { substance, .. } if substance == "test class"))),
        "{err}"
    );
    let found = rx::validate(
        &mut store,
        &pharm,
        now,
        entry.id,
        &Decision::Accept {
            comment: Some("tolerated before under supervision".into()),
        },
    )
    .unwrap();
    assert!(!found.is_empty());
    let (status, by): (String, i64) = store
        .conn
        .query_row(
            "SELECT status, validated_by FROM prescriptions WHERE id = ?1",
            [entry.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), by), ("active", pharm.user_id));
    let (action, comment, findings): (String, String, String) = store
        .conn
        .query_row(
            "SELECT action, comment, findings FROM prescription_events WHERE prescription_id = ?1 AND action = 'validated'",
            [entry.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(action, "validated");
    assert!(comment.contains("tolerated"));
    assert!(findings.contains("\"finding\":\"allergy\""), "{findings}");
    // Validated once only; history cannot be rewritten.
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            now,
            entry.id,
            &Decision::Accept { comment: None }
        ),
        Err(RxError::NotAwaiting { id, status }) if id == entry.id && status == "active"
    ));
    assert!(
        store
            .conn
            .execute("DELETE FROM prescription_events", [])
            .is_err()
    );
}

#[test]
fn a_rejection_needs_a_reason() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let id = rx::queue(&store.conn, None, now).unwrap()[0].id;
    let pharm = actor(&store, "pharm");
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            now,
            id,
            &Decision::Reject {
                reason: "  ".into()
            }
        ),
        Err(RxError::ReasonRequired)
    ));
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Reject {
            reason: "duplicate of the morning prescription".into(),
        },
    )
    .unwrap();
    let status: String = store
        .conn
        .query_row(
            "SELECT status FROM prescriptions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "rejected");
    assert!(
        rx::queue(&store.conn, None, now)
            .unwrap()
            .iter()
            .all(|e| e.id != id)
    );
}

fn new_rx(mrn: &str) -> rx::NewRx {
    let now = common::anchor();
    rx::NewRx {
        mrn: mrn.into(),
        item_code: "PARA500T".into(),
        dose_milli: 1_000_000,
        route: "PO".into(),
        frequency: wardstock::domain::schedule::Frequency::Qid,
        times: vec![],
        prn_max_per_day: None,
        prn_min_interval_min: None,
        generic_atc: None,
        alternatives: vec![],
        start: now,
        end: Some(now + chrono::Duration::days(5)),
        indication: "pain".into(),
        prescriber: "Dr. A. Conti".into(),
        time_critical: false,
    }
}

#[test]
fn prescriptions_are_entered_changed_as_new_versions_and_every_change_is_attributed() {
    use wardstock::ops::rx::{PrescribeError, StatusChange};
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = actor(&store, "manager");
    let nurse = actor(&store, "nurse");
    let pharm = actor(&store, "pharm");
    assert!(matches!(
        rx::prescribe(&mut store, &nurse, now, &new_rx("MRN100001")),
        Err(PrescribeError::Forbidden(f)) if f.op == Operation::EnterPrescription
    ));
    assert!(matches!(
        rx::prescribe(&mut store, &manager, now, &new_rx("MRN999999")),
        Err(PrescribeError::UnknownPatient(mrn)) if mrn == "MRN999999"
    ));
    let mut prn = new_rx("MRN100001");
    prn.frequency = wardstock::domain::schedule::Frequency::Prn;
    assert!(matches!(
        rx::prescribe(&mut store, &manager, now, &prn),
        Err(PrescribeError::PrnMaxRequired)
    ));
    let id = rx::prescribe(&mut store, &manager, now, &new_rx("MRN100001")).unwrap();
    let (status, times): (String, String) = store
        .conn
        .query_row(
            "SELECT status, times FROM prescriptions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), times.as_str()),
        ("awaiting_validation", "08:00,12:00,18:00,22:00")
    );
    // 1 g four times a day is at the 4 g maximum: no dose finding.
    let q = rx::queue(&store.conn, None, now).unwrap();
    let e = q.iter().find(|e| e.id == id).unwrap();
    assert!(
        !e.findings
            .iter()
            .any(|f| matches!(f, Finding::DoseAboveMaximum { .. })),
        "{:?}",
        e.findings
    );
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Accept {
            comment: Some("ok".into()),
        },
    )
    .unwrap();
    rx::change_status(
        &mut store,
        &manager,
        now,
        id,
        StatusChange::Suspend,
        "nil by mouth",
    )
    .unwrap();
    assert!(
        rx::change_status(
            &mut store,
            &manager,
            now,
            id,
            StatusChange::Suspend,
            "again"
        )
        .is_err()
    );
    rx::change_status(
        &mut store,
        &manager,
        now,
        id,
        StatusChange::Resume,
        "eating again",
    )
    .unwrap();
    // Raising the dose makes a new version that awaits validation, and the pharmacist sees the finding.
    let v2 = rx::edit(
        &mut store,
        &manager,
        now,
        id,
        |mut r| {
            r.dose_milli = 1_500_000;
            r
        },
        "pain not controlled",
    )
    .unwrap();
    let (old_status, new_version, supersedes): (String, i64, i64) = store
        .conn
        .query_row("SELECT (SELECT status FROM prescriptions WHERE id = ?1), version, supersedes_id FROM prescriptions WHERE id = ?2", [id, v2], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!(
        (old_status.as_str(), new_version, supersedes),
        ("superseded", 2, id)
    );
    let q = rx::queue(&store.conn, None, now).unwrap();
    let e = q.iter().find(|e| e.id == v2).unwrap();
    assert!(
        e.findings.iter().any(|f| matches!(
            f,
            Finding::DoseAboveMaximum {
                daily_milli: 6_000_000,
                ..
            }
        )),
        "{:?}",
        e.findings
    );
    let actions: Vec<String> = store
        .conn
        .prepare("SELECT action FROM prescription_events WHERE prescription_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        actions,
        ["created", "validated", "suspended", "resumed", "edited"]
    );
    rx::change_status(
        &mut store,
        &manager,
        now,
        v2,
        StatusChange::Stop,
        "switched to oral morphine",
    )
    .unwrap();
    assert!(
        rx::edit(&mut store, &manager, now, v2, |r| r, "x").is_err(),
        "an ended prescription is not changed"
    );
}

#[test]
fn a_retired_product_is_not_prescribed() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let admin = actor(&store, "admin");
    wardstock::ops::refdata::item_retire(&mut store, &admin, now, "IBU400T").unwrap();
    let pharm = actor(&store, "pharm");
    let mrn = common::patient_on(&store, "W-MED");
    let rx = common::base_rx(
        &mrn,
        "IBU400T",
        400_000,
        wardstock::domain::schedule::Frequency::Tid,
        now,
    );
    let e = rx::prescribe(&mut store, &pharm, now, &rx).unwrap_err();
    assert!(matches!(e, rx::PrescribeError::Retired { .. }), "{e:?}");
    // A product in use is prescribed as before.
    let rx = common::base_rx(
        &mrn,
        "PARA500T",
        500_000,
        wardstock::domain::schedule::Frequency::Tid,
        now,
    );
    assert!(rx::prescribe(&mut store, &pharm, now, &rx).is_ok());
}

/// Enoxaparin entered for a patient already on rivaroxaban (active).
fn enoxaparin_over_rivaroxaban(store: &mut wardstock::store::Store) -> (i64, i64) {
    use wardstock::domain::schedule::Frequency;
    let now = common::anchor();
    let manager = actor(store, "manager");
    let pharm = actor(store, "pharm");
    let mrn = common::patient_on(store, "W-MED");
    let riva = rx::prescribe(
        store,
        &manager,
        now,
        &common::base_rx(&mrn, "RIVA20T", 20_000, Frequency::Qd, now),
    )
    .unwrap();
    let found = rx::validate(
        store,
        &pharm,
        now,
        riva,
        &Decision::Accept {
            comment: Some("as before admission".into()),
        },
    );
    assert!(found.is_ok(), "{found:?}");
    let mut enox = common::base_rx(&mrn, "ENOX40S", 40_000, Frequency::Qd, now);
    enox.route = "SC".into();
    let enox = rx::prescribe(store, &manager, now, &enox).unwrap();
    (riva, enox)
}

fn class_findings(store: &wardstock::store::Store, id: i64) -> Vec<Finding> {
    rx::queue(&store.conn, None, common::anchor())
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .expect("in the queue")
        .findings
        .into_iter()
        .filter(|f| matches!(f, Finding::DuplicateInClass { .. }))
        .collect()
}

#[test]
fn the_sites_duplicate_classes_decide_what_validation_finds() {
    use rx::ClassesError;
    use wardstock::domain::validation::ClassListError;
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let (riva, enox) = enoxaparin_over_rivaroxaban(&mut store);
    // The shipped list has the antithrombotics: a finding.
    assert_eq!(
        class_findings(&store, enox),
        vec![Finding::DuplicateInClass {
            other_rx: riva,
            other_item: "Rivaroxaban 20 mg tablet".into(),
            class: "B01A".into()
        }]
    );
    // A nurse manager does not change the list.
    let manager = actor(&store, "manager");
    assert!(matches!(
        rx::set_duplicate_classes(&mut store, &manager, now, Some("N02A")),
        Err(ClassesError::Forbidden(f)) if f.op == Operation::ValidationSettings
    ));
    // A bad entry is refused by name, and nothing changes.
    let pharm = actor(&store, "pharm");
    let e = rx::set_duplicate_classes(&mut store, &pharm, now, Some("N02A, B1A")).unwrap_err();
    assert!(
        matches!(&e, ClassesError::List(ClassListError::BadEntry { entry }) if entry == "B1A"),
        "{e:?}"
    );
    assert!(e.to_string().contains("B1A"), "{e}");
    assert_eq!(class_findings(&store, enox).len(), 1);
    // Without B01A: no finding.
    let set = rx::set_duplicate_classes(
        &mut store,
        &pharm,
        now,
        Some("N02A,A10A,N05A,N05BA+N05CD,M01A"),
    )
    .unwrap();
    assert_eq!(set.text(), "N02A,A10A,N05A,N05BA+N05CD,M01A");
    assert_eq!(class_findings(&store, enox), vec![]);
    let s = wardstock::store::queries::site_settings(&store.conn).unwrap();
    assert_eq!(s.duplicate_classes, "N02A,A10A,N05A,N05BA+N05CD,M01A");
    assert!(!s.duplicate_classes_default);
    assert_eq!(s.duplicate_classes_set_by.as_deref(), Some("pharm"));
    // The administrator adds heparins and direct Xa inhibitors as one class.
    let admin = actor(&store, "admin");
    rx::set_duplicate_classes(&mut store, &admin, now, Some("N02A,B01AB+B01AF")).unwrap();
    assert_eq!(
        class_findings(&store, enox),
        vec![Finding::DuplicateInClass {
            other_rx: riva,
            other_item: "Rivaroxaban 20 mg tablet".into(),
            class: "B01AB+B01AF".into()
        }]
    );
    // Back to the default.
    rx::set_duplicate_classes(&mut store, &admin, now, None).unwrap();
    let s = wardstock::store::queries::site_settings(&store.conn).unwrap();
    assert!(s.duplicate_classes_default);
    assert_eq!(s.duplicate_classes, "B01A,N02A,A10A,N05A,N05BA+N05CD,M01A");
    assert_eq!(class_findings(&store, enox).len(), 1);
}

#[test]
fn a_pharmacist_does_not_validate_a_prescription_they_entered() {
    use wardstock::domain::Role;
    use wardstock::domain::schedule::Frequency;
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let pharm = actor(&store, "pharm");
    let mrn = common::patient_on(&store, "W-MED");
    let id = rx::prescribe(
        &mut store,
        &pharm,
        now,
        &common::base_rx(&mrn, "PARA500T", 500_000, Frequency::Tid, now),
    )
    .unwrap();
    let accept = Decision::Accept {
        comment: Some("checked".into()),
    };
    let e = rx::validate(&mut store, &pharm, now, id, &accept).unwrap_err();
    assert!(
        matches!(e, RxError::OwnPrescription { id: i } if i == id),
        "{e:?}"
    );
    assert!(e.to_string().contains("another pharmacist"), "{e}");
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::ZhCn);
    assert!(e.to_string().contains("另一位药师"), "{e}");
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    // Still awaiting validation, by another pharmacist.
    let admin = actor(&store, "admin");
    wardstock::ops::refdata::user_add(
        &mut store,
        &admin,
        now,
        "pharm2",
        "Second pharmacist",
        Role::Pharmacist,
    )
    .unwrap();
    let pharm2 = actor(&store, "pharm2");
    rx::validate(&mut store, &pharm2, now, id, &accept).unwrap();
    // A new version entered by pharm2 is not validated by pharm2.
    let v2 = rx::edit(
        &mut store,
        &pharm2,
        now,
        id,
        |mut r| {
            r.dose_milli = 1_000_000;
            r
        },
        "pain not controlled",
    )
    .unwrap();
    assert!(matches!(
        rx::validate(&mut store, &pharm2, now, v2, &accept),
        Err(RxError::OwnPrescription { .. })
    ));
    rx::validate(&mut store, &pharm, now, v2, &accept).unwrap();
}

#[test]
fn prn_limits_on_a_regular_frequency_are_refused() {
    use wardstock::domain::schedule::Frequency;
    use wardstock::ops::rx::PrescribeError;
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let manager = actor(&store, "manager");
    let mrn = common::patient_on(&store, "W-MED");
    let mut regular = common::base_rx(&mrn, "PARA500T", 500_000, Frequency::Tid, now);
    regular.prn_max_per_day = Some(4);
    let e = rx::prescribe(&mut store, &manager, now, &regular).unwrap_err();
    assert!(
        matches!(
            e,
            PrescribeError::PrnLimitsNotPrn {
                frequency: Frequency::Tid
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("PRN limits"), "{e}");
    regular.prn_max_per_day = None;
    regular.prn_min_interval_min = Some(240);
    assert!(matches!(
        rx::prescribe(&mut store, &manager, now, &regular),
        Err(PrescribeError::PrnLimitsNotPrn { .. })
    ));
    // PRN with its limits is entered; changed to a regular frequency, its
    // limits end with the PRN version.
    let mut prn = common::base_rx(&mrn, "PARA500T", 500_000, Frequency::Prn, now);
    prn.prn_max_per_day = Some(4);
    prn.prn_min_interval_min = Some(240);
    let id = rx::prescribe(&mut store, &manager, now, &prn).unwrap();
    let e = rx::edit(
        &mut store,
        &manager,
        now,
        id,
        |mut r| {
            r.frequency = Frequency::Qid;
            r
        },
        "regular now",
    )
    .unwrap_err();
    assert!(matches!(e, PrescribeError::PrnLimitsNotPrn { .. }), "{e:?}");
    rx::edit(
        &mut store,
        &manager,
        now,
        id,
        |mut r| {
            r.frequency = Frequency::Qid;
            r.prn_max_per_day = None;
            r.prn_min_interval_min = None;
            r
        },
        "regular now",
    )
    .unwrap();
}
