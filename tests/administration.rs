//! Giving a dose: the seven rights, the stock decrement, the lot trace.

mod common;

use chrono::Duration;
use wardstock::domain::Role;
use wardstock::domain::seven_rights::{Failure, NotAllowed, PatientSeen};
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::ward::{ReasonKind, WardError};
use wardstock::store::{Store, check};

use common::actor;

/// An active scheduled prescription whose drug the ward holds: (rx, mrn, item, lot, units per dose).
fn prescription(store: &Store, controlled: bool) -> (i64, String, i64, String, i64) {
    store
        .conn
        .query_row(
            "SELECT r.id, p.mrn, i.id,
                    (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
                     WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10
                     ORDER BY b.expiry LIMIT 1),
                    r.dose_milli / i.strength_milli
             FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = ?1 AND i.high_alert = 0
               AND r.dose_milli % i.strength_milli = 0
               AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok'
                           AND b.expiry > '2027-01-01' AND b.qty >= 10)
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id LIMIT 1",
            [controlled],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

fn dose(
    rx: i64,
    mrn: &str,
    item: i64,
    lot: &str,
    units: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> DoseInput {
    DoseInput {
        rx_id: rx,
        scheduled_at: Some(at),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.into()),
        patient_dob: None,
        pack: Some((item, lot.into())),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        route_confirmed: true,
        timing_reason: None,
        reason: None,
        witness: None,
        double_check: None,
    }
}

fn movements(store: &Store) -> i64 {
    store
        .conn
        .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_dose_passes_the_seven_rights_takes_its_units_and_is_traced_to_the_patient() {
    let (_dir, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let (rx, mrn, item, lot, units) = prescription(&store, false);
    let due = common::due(&store, rx, 2);
    let now = due[0] + Duration::minutes(7);
    let before = movements(&store);

    // Each failed right refuses the dose and writes nothing.
    let wrong_patient = DoseInput {
        patient_mrn: Some("MRN999999".into()),
        ..dose(rx, &mrn, item, &lot, units, due[0])
    };
    let e = mar::administer(&mut store, &nurse, now, &wrong_patient).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if matches!(&f[..],
            [Failure::Patient { mrn: m, scanned: Some(PatientSeen::Wristband { mrn: seen }), .. }]
                if *m == mrn && seen == "MRN999999")),
        "{e}"
    );
    let other_item: i64 = store
        .conn
        .query_row("SELECT id FROM items WHERE id <> ?1 LIMIT 1", [item], |r| {
            r.get(0)
        })
        .unwrap();
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            pack: Some((other_item, lot.clone())),
            pack_expiry: None,
            unable_to_scan: None,
            ..dose(rx, &mrn, item, &lot, units, due[0])
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.contains(&Failure::Drug)),
        "{e}"
    );
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(rx, &mrn, item, &lot, units + 1, due[0]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if matches!(f[..], [Failure::Dose { given_units, .. }] if given_units == units + 1)),
        "{e}"
    );
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            route_confirmed: false,
            ..dose(rx, &mrn, item, &lot, units, due[0])
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if matches!(f[..], [Failure::Route { .. }])),
        "{e}"
    );
    let e = mar::administer(
        &mut store,
        &nurse,
        due[0] + Duration::hours(5),
        &dose(rx, &mrn, item, &lot, units, due[0]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::Time { minutes_off: 300 }]),
        "{e}"
    );
    assert_eq!(movements(&store), before);
    let keeper = actor(&store, "store");
    assert!(matches!(
        mar::administer(
            &mut store,
            &keeper,
            now,
            &dose(rx, &mrn, item, &lot, units, due[0])
        ),
        Err(DoseError::Forbidden(f)) if f.user == "store"
    ));

    // All seven right: given, from the scanned lot, traced to the patient.
    let r = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(rx, &mrn, item, &lot, units, due[0]),
    )
    .unwrap();
    assert_eq!(
        (r.outcome, r.units, r.scanned, r.lot.as_deref()),
        (Outcome::Given, units, true, Some(lot.as_str()))
    );
    assert_eq!(movements(&store), before + 1);
    let traces = wardstock::ops::stock::trace(
        &store.conn,
        &lot,
        Some(&wardstock::ops::stock::item_by_id(&store.conn, item).unwrap()),
    )
    .unwrap();
    assert!(
        traces[0]
            .given
            .iter()
            .any(|g| g.mrn == mrn && g.order_ref.as_deref() == Some(&format!("RX-{rx}")[..]))
    );
    // The same scheduled dose cannot be recorded twice.
    assert!(matches!(
        mar::administer(
            &mut store,
            &nurse,
            now,
            &dose(rx, &mrn, item, &lot, units, due[0])
        ),
        Err(DoseError::AlreadyRecorded(_))
    ));

    // Without a scan and without saying why, nothing is given: the nurse
    // is told to scan the pack or choose why it cannot be scanned.
    let later = due[1];
    let unscanned = DoseInput {
        pack: None,
        pack_expiry: None,
        unable_to_scan: None,
        ..dose(rx, &mrn, item, &lot, units, later)
    };
    let before = movements(&store);
    match mar::administer(&mut store, &nurse, later, &unscanned) {
        Err(DoseError::Rights(f)) => assert!(
            matches!(&f[..], [Failure::PackNotScanned { codes }] if codes.contains(&"DAMAGED".to_string())
                && codes.contains(&"SCANNER".to_string())),
            "{f:?}"
        ),
        other => panic!("an unscanned pack without a reason must be refused: {other:?}"),
    }
    // A code that is not on the ward's list is refused with the list.
    match mar::administer(
        &mut store,
        &nurse,
        later,
        &DoseInput {
            unable_to_scan: Some("LAZY".into()),
            ..unscanned.clone()
        },
    ) {
        Err(DoseError::Reason(WardError::NotOnList { kind, codes, .. })) => {
            assert_eq!(kind, ReasonKind::UnableToScan);
            assert!(codes.contains(&"NOBARCODE".to_string()), "{codes:?}");
        }
        other => panic!("an unknown reason must be refused: {other:?}"),
    }
    // A pack scanned and "unable to scan" at once is refused.
    assert!(matches!(
        mar::administer(
            &mut store,
            &nurse,
            later,
            &DoseInput {
                unable_to_scan: Some("DAMAGED".into()),
                ..dose(rx, &mrn, item, &lot, units, later)
            },
        ),
        Err(DoseError::ScannedAndUnableToScan)
    ));
    assert_eq!(movements(&store), before, "nothing is written");
    // With a reason from the ward's list, the first-expired lot is taken
    // and "not scanned" recorded with the reason, on the dose and the movement.
    let r = mar::administer(
        &mut store,
        &nurse,
        later,
        &DoseInput {
            unable_to_scan: Some("damaged".into()),
            ..unscanned
        },
    )
    .unwrap();
    assert!(!r.scanned);
    assert_eq!(
        r.unscanned_reason.as_deref(),
        Some("DAMAGED: barcode damaged or unreadable")
    );
    let reason: String = store
        .conn
        .query_row(
            "SELECT reason FROM movements ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        reason,
        "not scanned: DAMAGED: barcode damaged or unreadable"
    );
    let recorded: (bool, Option<String>) = store
        .conn
        .query_row(
            "SELECT scanned, unscanned_reason FROM administrations WHERE id = ?1",
            [r.administration_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        recorded,
        (false, Some("DAMAGED: barcode damaged or unreadable".into()))
    );
    let report = check::run(&store.conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn not_given_doses_are_recorded_with_their_reason_and_a_supply_failure_alerts_the_pharmacy() {
    let (_dir, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let (rx, mrn, item, lot, units) = prescription(&store, false);
    let due = common::due(&store, rx, 2);
    let now = due[0] + Duration::minutes(11);
    let before = movements(&store);
    let refused = DoseInput {
        outcome: Outcome::Refused,
        ..dose(rx, &mrn, item, &lot, units, due[0])
    };
    let e = mar::administer(&mut store, &nurse, now, &refused).unwrap_err();
    assert!(
        matches!(&e, DoseError::Reason(WardError::ReasonRequired { kind: ReasonKind::Refused, codes })
            if *codes == ["DECLINED", "NAUSEA", "SWALLOW"]),
        "{e}"
    );
    mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            reason: Some("other: patient asleep, will ask again".into()),
            ..refused
        },
    )
    .unwrap();
    let supply = DoseInput {
        outcome: Outcome::NotGivenSupply,
        ..dose(rx, &mrn, item, &lot, units, due[1])
    };
    let r = mar::administer(&mut store, &nurse, now, &supply).unwrap();
    let order = r.urgent_order.expect("an urgent request");
    let note: String = store
        .conn
        .query_row(
            "SELECT note FROM transfer_orders WHERE id = ?1",
            [order],
            |r| r.get(0),
        )
        .unwrap();
    assert!(note.starts_with("URGENT"), "{note}");
    assert_eq!(movements(&store), before, "no stock moved");
}

#[test]
fn a_controlled_high_alert_drug_needs_a_witness_and_a_double_check_by_other_users() {
    use wardstock::ops::rx::{self, Decision, NewRx};
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor() + Duration::minutes(13);
    let (nurse, nurse2, manager, pharm) = (
        actor(&store, "nurse"),
        actor(&store, "nurse2"),
        actor(&store, "manager"),
        actor(&store, "pharm"),
    );
    // Morphine on a ward that holds it, for a patient there without allergies.
    let (mrn, item, lot): (String, i64, String) = store
        .conn
        .query_row(
            "SELECT p.mrn, i.id, l.lot_number FROM balances b JOIN items i ON i.id = b.item_id JOIN lots l ON l.id = b.lot_id
             JOIN patients p ON p.ward_id = b.place_id
             WHERE i.code = 'MORPH10I' AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 2
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY b.qty DESC, p.mrn LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the demo keeps morphine on a ward");
    let id = rx::prescribe(
        &mut store,
        &manager,
        now,
        &NewRx {
            mrn: mrn.clone(),
            item_code: "MORPH10I".into(),
            dose_milli: 10_000,
            route: "SC".into(),
            frequency: wardstock::domain::schedule::Frequency::Prn,
            times: vec![],
            prn_max_per_day: Some(6),
            prn_min_interval_min: None,
            generic_atc: None,
            alternatives: vec![],
            start: now - Duration::hours(1),
            end: None,
            indication: "severe pain".into(),
            prescriber: "Dr. M. Weber".into(),
            time_critical: false,
        },
    )
    .unwrap();
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Accept {
            comment: Some("checked".into()),
        },
    )
    .unwrap();
    let prn = DoseInput {
        scheduled_at: None,
        ..dose(id, &mrn, item, &lot, 1, now)
    };
    let e = mar::administer(&mut store, &nurse, now, &prn).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::Witness, Failure::DoubleCheck]),
        "{e}"
    );
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            witness: Some(nurse.clone()),
            double_check: Some(nurse2.clone()),
            ..prn.clone()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::WitnessRefused { user: "nurse".into(), why: NotAllowed::SamePerson }]),
        "the nurse cannot witness her own dose: {e}"
    );
    // Only a clinical user, active and not locked, witnesses or double-checks.
    let store_keeper = actor(&store, "store");
    let admin = actor(&store, "admin");
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            witness: Some(store_keeper.clone()),
            double_check: Some(admin.clone()),
            ..prn.clone()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [
            Failure::WitnessRefused { user: "store".into(), why: NotAllowed::Role { role: Role::Storekeeper } },
            Failure::DoubleCheckRefused { user: "admin".into(), why: NotAllowed::Role { role: Role::Admin } },
        ]),
        "{e}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    let words = e.to_string();
    assert!(
        words.contains("store cannot witness") && words.contains("admin cannot double-check"),
        "{words}"
    );
    store
        .conn
        .execute(
            "UPDATE users SET locked_until = ?2 WHERE id = ?1",
            rusqlite::params![
                nurse2.user_id,
                wardstock::domain::instant_to_text(now + Duration::minutes(5))
            ],
        )
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE users SET active = 0 WHERE id = ?1",
            [manager.user_id],
        )
        .unwrap();
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            witness: Some(nurse2.clone()),
            double_check: Some(manager.clone()),
            ..prn.clone()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [
            Failure::WitnessRefused { user: "nurse2".into(), why: NotAllowed::Locked },
            Failure::DoubleCheckRefused { user: "manager".into(), why: NotAllowed::Inactive },
        ]),
        "{e}"
    );
    store
        .conn
        .execute(
            "UPDATE users SET locked_until = NULL WHERE id = ?1",
            [nurse2.user_id],
        )
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE users SET active = 1 WHERE id = ?1",
            [manager.user_id],
        )
        .unwrap();
    let r = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            witness: Some(nurse2.clone()),
            double_check: Some(manager.clone()),
            ..prn
        },
    )
    .unwrap();
    let (witness, double): (i64, i64) = store
        .conn
        .query_row(
            "SELECT witness_id, double_check_id FROM administrations WHERE id = ?1",
            [r.administration_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((witness, double), (nurse2.user_id, manager.user_id));
}

#[test]
fn the_patient_is_checked_for_every_outcome_that_documents_a_dose() {
    let (_dir, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let (rx, mrn, item, lot, units) = prescription(&store, false);
    let due = common::due(&store, rx, 1);
    let now = due[0] + Duration::minutes(11);
    let other: String = store
        .conn
        .query_row(
            "SELECT mrn FROM patients WHERE mrn <> ?1 ORDER BY mrn LIMIT 1",
            [&mrn],
            |r| r.get(0),
        )
        .unwrap();
    let recorded = |store: &Store| -> i64 {
        store
            .conn
            .query_row(
                "SELECT count(*) FROM administrations WHERE prescription_id = ?1",
                [rx],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = (recorded(&store), movements(&store));
    for (outcome, reason) in [
        (Outcome::Held, Some("NPO")),
        (Outcome::Refused, Some("DECLINED")),
        (Outcome::Missed, Some("other: patient off the ward")),
        (Outcome::NotGivenSupply, None),
    ] {
        let wrong = DoseInput {
            outcome,
            reason: reason.map(str::to_string),
            patient_mrn: Some(other.clone()),
            ..dose(rx, &mrn, item, &lot, units, due[0])
        };
        let e = mar::administer(&mut store, &nurse, now, &wrong).unwrap_err();
        assert!(
            matches!(&e, DoseError::Rights(f) if matches!(&f[..],
                [Failure::Patient { mrn: m, scanned: Some(PatientSeen::Wristband { mrn: seen }), .. }]
                    if *m == mrn && *seen == other)),
            "{outcome}: {e}"
        );
        // Without identifying the patient, nothing is documented either.
        let e = mar::administer(
            &mut store,
            &nurse,
            now,
            &DoseInput {
                patient_mrn: None,
                ..wrong
            },
        )
        .unwrap_err();
        assert!(
            matches!(&e, DoseError::Rights(f) if matches!(&f[..], [Failure::Patient { scanned: None, .. }])),
            "{outcome}: {e}"
        );
    }
    assert_eq!((recorded(&store), movements(&store)), before);
    // The right wristband: recorded.
    mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            outcome: Outcome::Refused,
            reason: Some("DECLINED".into()),
            ..dose(rx, &mrn, item, &lot, units, due[0])
        },
    )
    .unwrap();
    assert_eq!(recorded(&store), before.0 + 1);
}

#[test]
fn the_packs_own_scanned_expiry_is_checked_at_the_bedside() {
    use wardstock::domain::fefo::LotProblem;
    let (_dir, mut store) = common::open_demo();
    let nurse = actor(&store, "nurse");
    let (rx, mrn, item, lot, units) = prescription(&store, false);
    let due = common::due(&store, rx, 1);
    let now = due[0] + Duration::minutes(3);
    let recorded: chrono::NaiveDate = store
        .conn
        .query_row(
            "SELECT expiry FROM lots WHERE item_id = ?1 AND lot_number = ?2",
            rusqlite::params![item, lot],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
        .parse()
        .unwrap();
    let before = movements(&store);
    // The label says it expired yesterday: refused, whatever the record says.
    let yesterday = now.date_naive() - Duration::days(1);
    let scanned = |expiry| DoseInput {
        pack_expiry: Some(expiry),
        unable_to_scan: None,
        ..dose(rx, &mrn, item, &lot, units, due[0])
    };
    let e = mar::administer(&mut store, &nurse, now, &scanned(yesterday)).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [
            Failure::Lot { problem: LotProblem::Expired { on: yesterday } },
            Failure::ExpiryMismatch { scanned: yesterday, recorded },
        ]),
        "{e}"
    );
    // A label that is not the lot's record: the pack does not match.
    let other = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let e = mar::administer(&mut store, &nurse, now, &scanned(other)).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::ExpiryMismatch { scanned: other, recorded }]),
        "{e}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    let words = e.to_string();
    assert!(
        words.contains("2030-01-01") && words.contains("does not match the records"),
        "{words}"
    );
    assert_eq!(movements(&store), before);
    // The label and the record agree: given.
    mar::administer(&mut store, &nurse, now, &scanned(recorded)).unwrap();
    assert_eq!(movements(&store), before + 1);
}
