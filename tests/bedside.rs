//! What the ward sets (reason lists, dose times), generic prescriptions,
//! PRN limits, multi-dose packs and automatic missed doses.

mod common;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use wardstock::domain::roles::Operation;
use wardstock::domain::schedule::Frequency;
use wardstock::domain::seven_rights::{Failure, PatientSeen};
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::rx::{self, Decision, NewRx, PrescribeError};
use wardstock::ops::ward::{self, ReasonKind, TimesError, WardError};
use wardstock::store::{Store, queries};

use common::{actor, assert_clean, base_rx, patient_on};

/// Enters and validates a prescription (nurse manager, then pharmacist).
fn active(store: &mut Store, rx: &NewRx, now: DateTime<Utc>) -> i64 {
    let id = rx::prescribe(store, &actor(store, "manager"), now, rx).unwrap();
    rx::validate(
        store,
        &actor(store, "pharm"),
        now,
        id,
        &Decision::Accept {
            comment: Some("checked".into()),
        },
    )
    .unwrap();
    id
}

fn give(rx: i64, mrn: &str, at: Option<DateTime<Utc>>) -> DoseInput {
    DoseInput {
        rx_id: rx,
        scheduled_at: at,
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.into()),
        patient_dob: None,
        pack: None,
        pack_expiry: None,
        // The pack is taken first-expired: the scanner is down.
        unable_to_scan: Some("SCANNER".into()),
        units: 1,
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
fn a_ward_edits_its_reason_list_and_its_dose_times() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let (manager, nurse) = (actor(&store, "manager"), actor(&store, "nurse"));
    let med = ward::ward_id(&store.conn, "W-MED").unwrap();
    let sur = ward::ward_id(&store.conn, "W-SUR").unwrap();

    // Only a nurse manager changes the lists.
    assert!(matches!(
        ward::add_reason(
            &mut store,
            &nurse,
            now,
            "W-MED",
            ReasonKind::Held,
            "DIALYSIS",
            "on dialysis"
        ),
        Err(WardError::Forbidden(f)) if f.op == Operation::WardSettings
    ));
    ward::add_reason(
        &mut store,
        &manager,
        now,
        "W-MED",
        ReasonKind::Held,
        "dialysis",
        "patient on dialysis",
    )
    .unwrap();
    ward::remove_reason(&mut store, &manager, now, "W-MED", ReasonKind::Held, "NPO").unwrap();
    let codes = |store: &Store, w| {
        ward::reasons(&store.conn, w, ReasonKind::Held)
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect::<Vec<_>>()
    };
    assert!(codes(&store, med).contains(&"DIALYSIS".to_string()));
    assert!(!codes(&store, med).contains(&"NPO".to_string()));
    // The other ward keeps the hospital list.
    assert!(codes(&store, sur).contains(&"NPO".to_string()));
    assert!(!codes(&store, sur).contains(&"DIALYSIS".to_string()));
    // Reasons resolve to the ward's wording; anything else names the list.
    assert_eq!(
        ward::resolve_reason(&store.conn, med, ReasonKind::Held, "dialysis").unwrap(),
        "DIALYSIS: patient on dialysis"
    );
    let e = ward::resolve_reason(&store.conn, med, ReasonKind::Held, "NPO").unwrap_err();
    assert!(
        matches!(&e, WardError::NotOnList { input, kind: ReasonKind::Held, codes }
            if input == "NPO" && codes.contains(&"DIALYSIS".to_string())),
        "{e}"
    );
    assert_eq!(
        ward::resolve_reason(
            &store.conn,
            med,
            ReasonKind::Held,
            "other: family asked to wait"
        )
        .unwrap(),
        "OTHER: family asked to wait"
    );
    // The last reason of a kind is not withdrawn.
    let timing = ward::reasons(&store.conn, sur, ReasonKind::Timing).unwrap();
    for r in &timing[..timing.len() - 1] {
        ward::remove_reason(
            &mut store,
            &manager,
            now,
            "W-SUR",
            ReasonKind::Timing,
            &r.code,
        )
        .unwrap();
    }
    let last = &timing[timing.len() - 1].code;
    assert!(matches!(
        ward::remove_reason(&mut store, &manager, now, "W-SUR", ReasonKind::Timing, last),
        Err(WardError::LastReason { code, kind: ReasonKind::Timing }) if code == *last
    ));

    // Dose times: checked against the frequency, taken by new prescriptions.
    let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
    assert!(matches!(
        ward::set_times(
            &mut store,
            &manager,
            now,
            "W-MED",
            Frequency::Bid,
            &[t("09:00")]
        ),
        Err(WardError::Times(TimesError::Count {
            count: 2,
            given: 1,
            ..
        }))
    ));
    ward::set_times(
        &mut store,
        &manager,
        now,
        "W-MED",
        Frequency::Bid,
        &[t("21:00"), t("09:00")],
    )
    .unwrap();
    let mrn = patient_on(&store, "W-MED");
    let id = rx::prescribe(
        &mut store,
        &manager,
        now,
        &base_rx(&mrn, "PARA500T", 500_000, Frequency::Bid, now),
    )
    .unwrap();
    let times: String = store
        .conn
        .query_row("SELECT times FROM prescriptions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(times, "09:00,21:00");
    // Another ward keeps the hospital times.
    let other = patient_on(&store, "W-SUR");
    let id = rx::prescribe(
        &mut store,
        &manager,
        now,
        &base_rx(&other, "PARA500T", 500_000, Frequency::Bid, now),
    )
    .unwrap();
    let times: String = store
        .conn
        .query_row("SELECT times FROM prescriptions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(times, "08:00,20:00");
    assert_clean(&store);
}

#[test]
fn a_held_dose_takes_a_code_of_the_wards_list() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Qid,
            now - Duration::hours(1),
        ),
        now,
    );
    let at = common::due(&store, id, 1)[0];
    let nurse = actor(&store, "nurse");
    let held = |reason: &str| DoseInput {
        outcome: Outcome::Held,
        reason: Some(reason.into()),
        ..give(id, &mrn, Some(at))
    };
    let e = mar::administer(&mut store, &nurse, at, &held("felt unwell")).unwrap_err();
    assert!(
        matches!(&e, DoseError::Reason(WardError::NotOnList { input, kind: ReasonKind::Held, codes })
            if input == "felt unwell" && *codes == ["CLINICAL", "NPO", "OFFWARD", "PROCEDURE", "VITALS"]),
        "{e}"
    );
    mar::administer(&mut store, &nurse, at, &held("vitals")).unwrap();
    let reason: String = store
        .conn
        .query_row(
            "SELECT reason FROM administrations WHERE prescription_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reason, "VITALS: vital signs outside the prescribed limits");
    assert_clean(&store);
}

#[test]
fn a_generic_prescription_is_given_with_any_allowed_product_at_its_own_strength() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    // Two products of one ATC code held on one ward, the stronger a multiple of the weaker.
    let (ward, atc, weak, weak_code, weak_strength, strong, strong_code, strong_strength): (String, String, i64, String, i64, i64, String, i64) = store
        .conn
        .query_row(
            "SELECT w.code, a.atc, a.id, a.code, a.strength_milli, b.id, b.code, b.strength_milli
             FROM items a JOIN items b ON b.atc = a.atc AND b.id <> a.id AND b.strength_milli > a.strength_milli
                  AND b.strength_milli % a.strength_milli = 0 AND COALESCE(b.strength_unit, '') = COALESCE(a.strength_unit, '')
             JOIN places w ON w.kind = 'ward'
             WHERE a.in_use_days IS NULL AND b.in_use_days IS NULL AND a.controlled = 0 AND b.controlled = 0
               AND a.high_alert = 0 AND b.high_alert = 0
               AND (SELECT SUM(qty) FROM balances x WHERE x.place_id = w.id AND x.item_id = a.id AND x.status = 'ok' AND x.expiry > '2027-01-01') >= 10
               AND (SELECT SUM(qty) FROM balances x WHERE x.place_id = w.id AND x.item_id = b.id AND x.status = 'ok' AND x.expiry > '2027-01-01') >= 10
             ORDER BY w.code, a.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )
        .expect("the demo holds two strengths of one drug on a ward");
    let mrn = patient_on(&store, &ward);
    let manager = actor(&store, "manager");
    // Alternatives must share the ATC code.
    let wrong = NewRx {
        generic_atc: Some(atc.clone()),
        alternatives: vec!["MORPH10I".into()],
        ..base_rx(
            &mrn,
            &weak_code,
            strong_strength,
            Frequency::Qid,
            now - Duration::hours(1),
        )
    };
    let e = rx::prescribe(&mut store, &manager, now, &wrong).unwrap_err();
    assert!(
        matches!(&e, PrescribeError::WrongAtc { code, prescribed, .. } if code == "MORPH10I" && *prescribed == atc),
        "{e}"
    );
    let generic = NewRx {
        generic_atc: Some(atc.clone()),
        alternatives: vec![strong_code.clone()],
        ..base_rx(
            &mrn,
            &weak_code,
            strong_strength,
            Frequency::Qid,
            now - Duration::hours(1),
        )
    };
    let id = active(&mut store, &generic, now);
    assert_eq!(
        rx::allowed_products(&store.conn, id).unwrap(),
        vec![weak, strong]
    );
    let due = common::due(&store, id, 3);
    let lot_of = |store: &Store, item: i64| -> String {
        store
            .conn
            .query_row(
                "SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id JOIN places w ON w.id = b.place_id
                 WHERE w.code = ?1 AND b.item_id = ?2 AND b.status = 'ok' AND b.expiry > '2027-01-01' ORDER BY b.qty DESC LIMIT 1",
                rusqlite::params![ward, item],
                |r| r.get(0),
            )
            .unwrap()
    };
    let nurse = actor(&store, "nurse");
    // The stronger product: one unit makes the dose; two do not.
    let strong_lot = lot_of(&store, strong);
    let with = |item: i64, lot: &str, units: i64, at| DoseInput {
        pack: Some((item, lot.to_string())),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        ..give(id, &mrn, Some(at))
    };
    let e = mar::administer(
        &mut store,
        &nurse,
        due[0],
        &with(strong, &strong_lot, 2, due[0]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if matches!(f[..], [Failure::Dose { given_units: 2, .. }])),
        "{e}"
    );
    let r = mar::administer(
        &mut store,
        &nurse,
        due[0],
        &with(strong, &strong_lot, 1, due[0]),
    )
    .unwrap();
    assert_eq!(r.units, 1);
    let moved: i64 = store
        .conn
        .query_row(
            "SELECT item_id FROM movements ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        moved, strong,
        "the units leave the stock of the product given"
    );
    // The weaker product: as many units as make the dose.
    let weak_lot = lot_of(&store, weak);
    let n = strong_strength / weak_strength;
    mar::administer(
        &mut store,
        &nurse,
        due[1],
        &with(weak, &weak_lot, n, due[1]),
    )
    .unwrap();
    // A product outside the prescription is the wrong drug.
    let other: (i64, String) = store
        .conn
        .query_row(
            "SELECT l.item_id, l.lot_number FROM lots l JOIN items i ON i.id = l.item_id WHERE i.atc <> ?1 LIMIT 1",
            [&atc],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let e = mar::administer(
        &mut store,
        &nurse,
        due[2],
        &with(other.0, &other.1, 1, due[2]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.contains(&Failure::Drug)),
        "{e}"
    );
    assert_clean(&store);
}

#[test]
fn prn_doses_respect_the_maximum_per_24_hours_and_the_least_interval() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let prn = NewRx {
        prn_max_per_day: Some(2),
        prn_min_interval_min: Some(240),
        ..base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Prn,
            now - Duration::hours(1),
        )
    };
    let id = active(&mut store, &prn, now);
    let nurse = actor(&store, "nurse");
    let dose = DoseInput {
        units: 2,
        ..give(id, &mrn, None)
    };
    mar::administer(&mut store, &nurse, now, &dose).unwrap();
    let e = mar::administer(&mut store, &nurse, now + Duration::hours(1), &dose).unwrap_err();
    assert!(
        matches!(&e, DoseError::PrnTooSoon { interval_min: 240, next, .. } if *next == now + Duration::hours(4)),
        "{e}"
    );
    let st = queries::prn_state(&store.conn, id, now + Duration::hours(1)).unwrap();
    assert_eq!(
        (st.given_24h, st.next_allowed),
        (1, Some(now + Duration::hours(4)))
    );
    mar::administer(&mut store, &nurse, now + Duration::hours(5), &dose).unwrap();
    let e = mar::administer(&mut store, &nurse, now + Duration::hours(10), &dose).unwrap_err();
    assert!(matches!(&e, DoseError::PrnMaxReached { max: 2, .. }), "{e}");
    // A day after the first dose, one is allowed again.
    mar::administer(
        &mut store,
        &nurse,
        now + Duration::hours(24) + Duration::minutes(1),
        &dose,
    )
    .unwrap();
    // A PRN dose has no scheduled time; a scheduled one needs its time.
    let e = mar::administer(&mut store, &nurse, now, &give(id, &mrn, Some(now))).unwrap_err();
    assert!(matches!(&e, DoseError::PrnScheduled), "{e}");
    assert_clean(&store);
}

#[test]
fn a_multi_dose_bottle_is_opened_once_and_each_dose_is_drawn_from_it_and_traced() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let ward = "W-GER";
    let ward_id = ward::ward_id(&store.conn, ward).unwrap();
    let mrn = patient_on(&store, ward);
    // Lactulose 667 mg/ml in 200 ml bottles, 15 ml twice a day.
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "LACT200",
            15_000,
            Frequency::Bid,
            now - Duration::hours(6),
        ),
        now,
    );
    let due = common::due(&store, id, 2);
    let nurse = actor(&store, "nurse");
    let stock_before: i64 = store
        .conn
        .query_row(
            "SELECT SUM(b.qty) FROM balances b JOIN items i ON i.id = b.item_id WHERE b.place_id = ?1 AND i.code = 'LACT200'",
            [ward_id],
            |r| r.get(0),
        )
        .unwrap();
    let before = movements(&store);
    let first = mar::administer(&mut store, &nurse, due[0], &give(id, &mrn, Some(due[0]))).unwrap();
    let pack = first.open_pack.clone().expect("drawn from a pack");
    assert!(pack.opened_now);
    assert_eq!((pack.remaining_milli, first.units), (185_000, 1));
    assert_eq!(
        movements(&store),
        before + 1,
        "opening the bottle takes one unit from stock"
    );
    let second =
        mar::administer(&mut store, &nurse, due[1], &give(id, &mrn, Some(due[1]))).unwrap();
    let pack2 = second.open_pack.clone().unwrap();
    assert_eq!(
        (pack2.id, pack2.opened_now, pack2.remaining_milli),
        (pack.id, false, 170_000)
    );
    assert_eq!(
        movements(&store),
        before + 1,
        "the second dose comes from the open bottle"
    );
    let stock_after: i64 = store
        .conn
        .query_row(
            "SELECT SUM(b.qty) FROM balances b JOIN items i ON i.id = b.item_id WHERE b.place_id = ?1 AND i.code = 'LACT200'",
            [ward_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stock_after, stock_before - 1);
    // The open bottle is listed with what is left; both doses trace to the lot.
    let open = queries::open_packs(&store.conn, ward_id, due[1]).unwrap();
    assert!(open.iter().any(|p| p.id == pack.id
        && p.remaining_milli == 170_000
        && p.state == queries::PackState::InUse));
    let traces =
        wardstock::ops::stock::trace(&store.conn, first.lot.as_deref().unwrap(), None).unwrap();
    let doses = traces
        .iter()
        .flat_map(|t| &t.given)
        .filter(|g| g.mrn == mrn)
        .count();
    assert_eq!(doses, 2);
    // After its in-use period the bottle is closed and a new one opened.
    let later = due[0] + Duration::days(91);
    let late_rx = active(
        &mut store,
        &base_rx(
            &mrn,
            "LACT200",
            15_000,
            Frequency::Prn,
            later - Duration::hours(1),
        )
        .with_prn(4),
        later,
    );
    let r = mar::administer(&mut store, &nurse, later, &give(late_rx, &mrn, None)).unwrap();
    let p3 = r.open_pack.unwrap();
    assert!(p3.opened_now && p3.id != pack.id);
    let closed: Option<String> = store
        .conn
        .query_row(
            "SELECT closed_reason FROM open_packs WHERE id = ?1",
            [pack.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(closed.unwrap().contains("in-use period over"));
    // Quarantining the lot of the open bottle closes it, and says so.
    let item = wardstock::ops::stock::item_by_code(&store.conn, "LACT200").unwrap();
    let pharm = actor(&store, "pharm");
    let held = wardstock::ops::stock::quarantine(
        &mut store,
        &pharm,
        later,
        &item,
        r.lot.as_deref().unwrap(),
        "cloudy solution reported",
    )
    .unwrap();
    assert!(
        held.iter()
            .any(|h| h.place == ward && h.open_pack == Some(p3.id))
    );
    let open = queries::open_packs(&store.conn, ward_id, later).unwrap();
    assert!(!open.iter().any(|p| p.id == p3.id));
    assert_clean(&store);
}

trait WithPrn {
    fn with_prn(self, max: i64) -> Self;
}

impl WithPrn for NewRx {
    fn with_prn(mut self, max: i64) -> NewRx {
        self.prn_max_per_day = Some(max);
        self
    }
}

#[test]
fn doses_whose_window_closed_become_missed_and_a_nurse_documents_the_reason() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-SUR");
    let ward_id = ward::ward_id(&store.conn, "W-SUR").unwrap();
    // Started a day ago and never given: every dose whose window closed is missed.
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Qid,
            now - Duration::days(1),
        ),
        now - Duration::days(1),
    );
    let n = mar::close_missed(&mut store, Some(ward_id), now).unwrap();
    assert!(n >= 4, "{n} doses marked");
    let (rows, _) = queries::schedule(&store.conn, ward_id, now - Duration::days(1), now).unwrap();
    let mine: Vec<_> = rows.iter().filter(|r| r.prescription_id == id).collect();
    assert!(!mine.is_empty());
    for r in &mine {
        assert_eq!(
            r.auto_missed,
            r.status(now) == wardstock::domain::schedule::DoseStatus::Missed,
            "{r:?}"
        );
    }
    // Marking again writes nothing new (the data version does not change).
    let version: i64 = store
        .conn
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mar::close_missed(&mut store, Some(ward_id), now).unwrap(),
        0
    );
    let again: i64 = store
        .conn
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, again);
    // The nurse documents one: it is then recorded, no longer waiting.
    let first = mine.iter().find(|r| r.auto_missed).unwrap().at;
    let nurse = actor(&store, "nurse");
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            outcome: Outcome::Missed,
            ..give(id, &mrn, Some(first))
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            DoseError::Reason(WardError::ReasonRequired {
                kind: ReasonKind::Missed,
                ..
            }) | DoseError::ReasonRequired(ReasonKind::Missed)
        ),
        "{e}"
    );
    mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            outcome: Outcome::Missed,
            reason: Some("workload".into()),
            ..give(id, &mrn, Some(first))
        },
    )
    .unwrap();
    let (rows, _) = queries::schedule(&store.conn, ward_id, now - Duration::days(1), now).unwrap();
    let r = rows
        .iter()
        .find(|r| r.prescription_id == id && r.at == first)
        .unwrap();
    assert!(r.recorded && !r.auto_missed && r.outcome.as_deref() == Some("missed"));
    // A time that is not one of the prescription's doses is refused.
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &give(id, &mrn, Some(first + Duration::minutes(7))),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::NotScheduled { rx, at } if *rx == id && *at == first + Duration::minutes(7)),
        "{e}"
    );
    // Stopped now: its missed doses are still documented, nothing is given on it.
    let manager = actor(&store, "manager");
    rx::change_status(
        &mut store,
        &manager,
        now,
        id,
        rx::StatusChange::Stop,
        "course finished early",
    )
    .unwrap();
    let second = mine.iter().filter(|r| r.auto_missed).nth(1).unwrap().at;
    mar::administer(
        &mut store,
        &nurse,
        now,
        &DoseInput {
            outcome: Outcome::Missed,
            reason: Some("offward".into()),
            ..give(id, &mrn, Some(second))
        },
    )
    .unwrap();
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &give(id, &mrn, Some(second + Duration::hours(4))),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::NotActive(rx, status) if *rx == id && status == "stopped"),
        "{e}"
    );
    let (rows, _) = queries::schedule(&store.conn, ward_id, now, now + Duration::days(1)).unwrap();
    assert!(
        !rows.iter().any(|r| r.prescription_id == id),
        "no dose after the stop"
    );
    assert_clean(&store);
}

#[test]
fn a_changed_prescription_keeps_the_doses_given_under_the_version_it_replaced() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let (manager, pharm, nurse) = (
        actor(&store, "manager"),
        actor(&store, "pharm"),
        actor(&store, "nurse"),
    );
    let validate = |store: &mut Store, id: i64, at| {
        rx::validate(
            store,
            &pharm,
            at,
            id,
            &Decision::Accept {
                comment: Some("reviewed".into()),
            },
        )
        .unwrap();
    };
    // Scheduled: the 2nd dose given 30 min early, then the dose changed.
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            500_000,
            Frequency::Qid,
            now - Duration::hours(1),
        ),
        now,
    );
    let due = common::due(&store, id, 2);
    let early = due[1] - Duration::minutes(30);
    mar::administer(&mut store, &nurse, early, &give(id, &mrn, Some(due[1]))).unwrap();
    let edit_at = early + Duration::minutes(10);
    let v2 = rx::edit(
        &mut store,
        &manager,
        edit_at,
        id,
        |mut r| {
            r.dose_milli = 1_000_000;
            r
        },
        "pain not controlled",
    )
    .unwrap();
    validate(&mut store, v2, edit_at);
    let e = mar::administer(
        &mut store,
        &nurse,
        due[1],
        &DoseInput {
            units: 2,
            ..give(v2, &mrn, Some(due[1]))
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::AlreadyRecorded(at) if *at == due[1]),
        "{e}"
    );
    let ward = ward::ward_id(&store.conn, "W-MED").unwrap();
    mar::close_missed(&mut store, Some(ward), due[1] + Duration::hours(3)).unwrap();
    let (rows, _) = queries::schedule(
        &store.conn,
        ward,
        due[1] - Duration::minutes(1),
        due[1] + Duration::minutes(1),
    )
    .unwrap();
    let row = rows
        .iter()
        .find(|r| r.prescription_id == v2 && r.at == due[1])
        .expect("the dose on the new version");
    assert!(row.recorded && !row.auto_missed, "{row:?}");

    // PRN: the least interval counts doses given under the old version.
    let prn = NewRx {
        prn_max_per_day: Some(4),
        prn_min_interval_min: Some(240),
        ..base_rx(
            &mrn,
            "PARA500T",
            500_000,
            Frequency::Prn,
            now - Duration::hours(1),
        )
    };
    let p1 = active(&mut store, &prn, now);
    mar::administer(&mut store, &nurse, now, &give(p1, &mrn, None)).unwrap();
    let p2 = rx::edit(
        &mut store,
        &manager,
        now + Duration::minutes(5),
        p1,
        |mut r| {
            r.dose_milli = 1_000_000;
            r
        },
        "higher dose",
    )
    .unwrap();
    validate(&mut store, p2, now + Duration::minutes(5));
    let e = mar::administer(
        &mut store,
        &nurse,
        now + Duration::minutes(10),
        &DoseInput {
            units: 2,
            ..give(p2, &mrn, None)
        },
    )
    .unwrap_err();
    assert!(matches!(&e, DoseError::PrnTooSoon { .. }), "{e}");
    assert_clean(&store);
}

#[test]
fn a_partial_dose_takes_less_than_the_whole_and_prn_runs_only_between_its_start_and_end() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let nurse = actor(&store, "nurse");
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Qid,
            now - Duration::hours(1),
        ),
        now,
    );
    let at = common::due(&store, id, 1)[0];
    let partial = |units| DoseInput {
        outcome: Outcome::PartiallyGiven,
        reason: Some("vomited".into()),
        units,
        ..give(id, &mrn, Some(at))
    };
    let before = movements(&store);
    for units in [0, 3, 40] {
        let e = mar::administer(&mut store, &nurse, at, &partial(units)).unwrap_err();
        assert!(
            matches!(&e, DoseError::Units { full: 2, given } if *given == units),
            "{units}: {e}"
        );
    }
    assert_eq!(movements(&store), before);
    let r = mar::administer(&mut store, &nurse, at, &partial(1)).unwrap();
    assert_eq!(r.units, 1);
    // A PRN prescription that starts tomorrow is not given today.
    let later = NewRx {
        prn_max_per_day: Some(4),
        ..base_rx(
            &mrn,
            "PARA500T",
            500_000,
            Frequency::Prn,
            now + Duration::days(1),
        )
    };
    let p = active(&mut store, &later, now);
    let e = mar::administer(&mut store, &nurse, now, &give(p, &mrn, None)).unwrap_err();
    assert!(
        matches!(&e, DoseError::PrnOutsidePeriod { rx, .. } if *rx == p),
        "{e}"
    );
    let ward = ward::ward_id(&store.conn, "W-MED").unwrap();
    let (_, prn) = queries::schedule(
        &store.conn,
        ward,
        now - Duration::hours(4),
        now + Duration::hours(12),
    )
    .unwrap();
    assert!(!prn.iter().any(|l| l.id == p));
    assert_clean(&store);
}

#[test]
fn eye_drops_are_kept_for_one_patient_each() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let patients: Vec<String> = store
        .conn
        .prepare(
            "SELECT p.mrn FROM patients p JOIN places w ON w.id = p.ward_id WHERE w.code = 'W-GER'
             AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id) ORDER BY p.mrn LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let nurse = actor(&store, "nurse");
    // The demo's W-GER fridge, where the eye drops are kept, is held after a
    // temperature excursion: the pharmacist releases the drops first.
    let pharm = actor(&store, "pharm");
    let drops = wardstock::ops::stock::item_by_code(&store.conn, "LATA25E").unwrap();
    for h in wardstock::ops::cold::held_lots(&store.conn, None).unwrap() {
        if h.item_code == "LATA25E" {
            wardstock::ops::cold::release(
                &mut store,
                &pharm,
                now,
                &h.location,
                &drops,
                &h.lot,
                "stable at room temperature for 6 weeks",
            )
            .unwrap();
        }
    }
    let mut packs = Vec::new();
    for mrn in &patients {
        let rx = NewRx {
            route: "eye".into(),
            prn_max_per_day: Some(2),
            ..base_rx(
                mrn,
                "LATA25E",
                2_500,
                Frequency::Prn,
                now - Duration::hours(1),
            )
        };
        let id = active(&mut store, &rx, now);
        let r = mar::administer(
            &mut store,
            &nurse,
            now,
            &DoseInput {
                units: 0,
                ..give(id, mrn, None)
            },
        )
        .unwrap();
        let p = r.open_pack.unwrap();
        assert!(p.opened_now, "each patient's own bottle");
        packs.push((id, p.id));
    }
    assert_ne!(packs[0].1, packs[1].1);
    // The first patient's next drop comes from their own bottle.
    let r = mar::administer(
        &mut store,
        &nurse,
        now + Duration::hours(12),
        &DoseInput {
            units: 0,
            ..give(packs[0].0, &patients[0], None)
        },
    )
    .unwrap();
    assert_eq!(r.open_pack.unwrap().id, packs[0].1);
    assert_clean(&store);
}

#[test]
fn without_a_wristband_the_patient_is_confirmed_by_name_and_date_of_birth() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let dob: String = store
        .conn
        .query_row("SELECT dob FROM patients WHERE mrn = ?1", [&mrn], |r| {
            r.get(0)
        })
        .unwrap();
    let dob = chrono::NaiveDate::parse_from_str(&dob, "%Y-%m-%d").unwrap();
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Qid,
            now - Duration::hours(1),
        ),
        now,
    );
    let due = common::due(&store, id, 1)[0];
    let nurse = actor(&store, "nurse");
    let by = |dob| DoseInput {
        patient_mrn: None,
        patient_dob: Some(dob),
        units: 2,
        ..give(id, &mrn, Some(due))
    };
    let before = movements(&store);
    let e = mar::administer(&mut store, &nurse, due, &by(dob + Duration::days(1))).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if matches!(&f[..],
            [Failure::Patient { scanned: Some(PatientSeen::BornOn { given, .. }), .. }] if *given == dob + Duration::days(1))),
        "{e}"
    );
    assert_eq!(movements(&store), before);
    mar::administer(&mut store, &nurse, due, &by(dob)).unwrap();
    let note: String = store
        .conn
        .query_row(
            "SELECT reason FROM administrations WHERE prescription_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(note.contains("name and date of birth"), "{note}");
    assert_clean(&store);
}

#[test]
fn an_allergy_override_covers_only_the_substances_it_named() {
    use wardstock::domain::validation::Finding;
    use wardstock::ops::refdata as refdata_ops;
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let (pharm, nurse, manager) = (
        actor(&store, "pharm"),
        actor(&store, "nurse"),
        actor(&store, "manager"),
    );
    let mrn = patient_on(&store, "W-MED");
    let prn = NewRx {
        prn_max_per_day: Some(4),
        prn_min_interval_min: Some(240),
        ..base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Prn,
            now - Duration::hours(1),
        )
    };
    let id = rx::prescribe(&mut store, &manager, now, &prn).unwrap();
    // Paracetamol (N02BE01): the first allergy is accepted by the pharmacist.
    refdata_ops::allergy_add(
        &mut store,
        &pharm,
        now,
        &mrn,
        "Anilides",
        "allergy",
        Some("N02BE"),
        Some("mild rash"),
    )
    .unwrap();
    let accepted = rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Accept {
            comment: Some("tolerated before".into()),
        },
    )
    .unwrap();
    assert!(
        accepted
            .iter()
            .any(|f| matches!(f, Finding::Allergy { substance, .. } if substance == "Anilides"))
    );
    let dose = DoseInput {
        units: 2,
        ..give(id, &mrn, None)
    };
    mar::administer(&mut store, &nurse, now, &dose).unwrap();

    // A second allergy recorded after validation blocks the dose, named.
    refdata_ops::allergy_add(
        &mut store,
        &pharm,
        now + Duration::hours(1),
        &mrn,
        "Other analgesics",
        "allergy",
        Some("N02B"),
        Some("anaphylaxis"),
    )
    .unwrap();
    let later = now + Duration::hours(5);
    let e = mar::administer(&mut store, &nurse, later, &dose).unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::Allergy { substances: vec!["Other analgesics".into()] }]),
        "{e}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    let words = e.to_string();
    assert!(
        words.contains("Other analgesics") && words.contains("pharmacist must review"),
        "{words}"
    );
    // Back in the pharmacist's queue until reviewed.
    assert!(
        rx::queue(&store.conn, None, later)
            .unwrap()
            .iter()
            .any(|e| e.id == id)
    );
    // Re-validation shows it as a new finding; the one accepted before is not new.
    let new = rx::new_findings(&store.conn, id, later).unwrap();
    assert!(
        new.iter().any(
            |f| matches!(f, Finding::Allergy { substance, .. } if substance == "Other analgesics")
        ),
        "{new:?}"
    );
    assert!(
        !new.iter()
            .any(|f| matches!(f, Finding::Allergy { substance, .. } if substance == "Anilides")),
        "{new:?}"
    );
    // Accepting it again needs a comment; then the dose goes.
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            later,
            id,
            &Decision::Accept { comment: None }
        ),
        Err(rx::RxError::CommentRequired(..))
    ));
    rx::validate(
        &mut store,
        &pharm,
        later,
        id,
        &Decision::Accept {
            comment: Some("reaction was to another drug; reviewed with the prescriber".into()),
        },
    )
    .unwrap();
    assert!(
        rx::new_findings(&store.conn, id, later)
            .unwrap()
            .iter()
            .all(|f| !matches!(f, Finding::Allergy { .. }))
    );
    mar::administer(&mut store, &nurse, later, &dose).unwrap();
    assert!(
        !rx::queue(&store.conn, None, later)
            .unwrap()
            .iter()
            .any(|e| e.id == id)
    );
    // Nothing new: an active prescription is not validated again.
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            later,
            id,
            &Decision::Accept {
                comment: Some("again".into())
            }
        ),
        Err(rx::RxError::NotAwaiting { .. })
    ));
    assert_clean(&store);
}

#[test]
fn a_dose_too_soon_after_the_last_one_is_refused_whatever_the_reason() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let mrn = patient_on(&store, "W-MED");
    let nurse = actor(&store, "nurse");
    // Once a day: today's dose given, tomorrow's minutes later with a reason.
    let id = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            1_000_000,
            Frequency::Qd,
            now - Duration::hours(30),
        ),
        now,
    );
    let due = common::due(&store, id, 2);
    let dose = |at| DoseInput {
        units: 2,
        ..give(id, &mrn, Some(at))
    };
    let given_at = due[0] + Duration::minutes(5);
    mar::administer(&mut store, &nurse, given_at, &dose(due[0])).unwrap();
    let soon = given_at + Duration::minutes(10);
    let e = mar::administer(
        &mut store,
        &nurse,
        soon,
        &DoseInput {
            timing_reason: Some("OFFWARD".into()),
            ..dose(due[1])
        },
    )
    .unwrap_err();
    // Once a day: 24 h less the early window of 2 h.
    let next = given_at + Duration::hours(22);
    assert!(
        matches!(&e, DoseError::Rights(f) if f[..] == [Failure::TooSoon { last: given_at, next }]),
        "{e}"
    );
    wardstock::i18n::set_thread_lang(wardstock::i18n::Lang::En);
    let words = e.to_string();
    assert!(
        words.contains("too soon after the previous dose"),
        "{words}"
    );
    // On time the next day, it is given.
    mar::administer(&mut store, &nurse, due[1], &dose(due[1])).unwrap();

    // Three times a day at the ward's times (8, 14, 22 h): each on time goes.
    let tid = active(
        &mut store,
        &base_rx(
            &mrn,
            "PARA500T",
            500_000,
            Frequency::Tid,
            now - Duration::hours(30),
        ),
        now,
    );
    for at in common::due(&store, tid, 3) {
        mar::administer(&mut store, &nurse, at, &give(tid, &mrn, Some(at))).unwrap();
    }
    assert_clean(&store);
}
