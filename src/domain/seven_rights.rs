//! The seven rights of a dose at the bedside, as a pure check: given what
//! the prescription says and what the nurse scanned and confirmed, every
//! right that fails, each saying exactly what is wrong. The wrong patient
//! and a wrong drug are never overridable; timing outside the window needs
//! a reason; an allergy blocks unless the pharmacist overrode it. A pack
//! given without being scanned needs a deliberate "unable to scan" and its
//! reason (BCMA practice: the override is reasoned and counted).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::fefo::{LotProblem, lot_problem};
use super::schedule::Frequency;
use super::{LotStatus, Role};

/// What the prescription and the record say the dose must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub mrn: String,
    pub patient_name: String,
    /// The prescribed item and the approved alternatives (same product, other packs).
    pub items: Vec<i64>,
    /// One dose, thousandths of the strength unit.
    pub dose_milli: i64,
    /// Strength of one stock unit of the item, same unit.
    pub strength_milli: i64,
    /// A single-use injection (an ampoule, a vial, a syringe): the dose is
    /// drawn from as many whole units as it needs and the rest of the last
    /// unit is discarded (witnessed, for a controlled drug).
    pub drawn: bool,
    pub route: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub window: Duration,
    /// When the previous dose of the prescription was given, and the least
    /// time that must pass after it (see [`min_spacing`]).
    pub last_given: Option<(DateTime<Utc>, Duration)>,
    /// Allergies of the patient that match the drug.
    pub allergy_matches: Vec<String>,
    /// The substances whose allergy finding the pharmacist accepted when
    /// validating: an override covers only the substances it named.
    pub allergy_reviewed: Vec<String>,
    pub controlled: bool,
    pub high_alert: bool,
    /// The ward's "unable to scan" reason codes, told to a nurse who gives
    /// an unscanned pack without one.
    pub unscan_codes: Vec<String>,
}

/// What the nurse did at the bedside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtBedside {
    /// From the wristband scan, or from name + date of birth confirmed.
    pub patient_mrn: Option<String>,
    /// The item of the pack given (scanned, or chosen first-expired when
    /// it could not be scanned).
    pub item: Option<i64>,
    /// The pack's barcode was scanned.
    pub pack_scanned: bool,
    /// Why the pack could not be scanned, from the ward's list: the nurse's
    /// deliberate choice when `pack_scanned` is false.
    pub unable_to_scan: Option<String>,
    pub lot_status: Option<LotStatus>,
    pub lot_expiry: Option<NaiveDate>,
    /// The expiry printed in the scanned pack's barcode.
    pub pack_expiry: Option<NaiveDate>,
    /// Stock units to give.
    pub units: i64,
    pub route_confirmed: bool,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// Why the dose is given outside its window, if it is.
    pub timing_reason: Option<String>,
    pub nurse: i64,
    pub witness: Option<SecondUser>,
    pub double_check: Option<SecondUser>,
}

/// The second user who witnesses a controlled drug or double-checks a
/// high-alert one, as the records show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub active: bool,
    /// Locked after wrong PINs, now.
    pub locked: bool,
}

/// Why a user may not witness or double-check this dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum NotAllowed {
    /// Not a clinical user (nurse, nurse manager, pharmacist).
    Role {
        role: Role,
    },
    /// The one giving the dose.
    SamePerson,
    Inactive,
    Locked,
}

/// Whether `u` may witness or double-check a dose given by `nurse`: a
/// clinical user other than the one giving it, active and not locked.
pub fn second_user_problem(u: &SecondUser, nurse: i64) -> Option<NotAllowed> {
    if u.id == nurse {
        Some(NotAllowed::SamePerson)
    } else if !matches!(u.role, Role::Nurse | Role::NurseManager | Role::Pharmacist) {
        Some(NotAllowed::Role { role: u.role })
    } else if !u.active {
        Some(NotAllowed::Inactive)
    } else if u.locked {
        Some(NotAllowed::Locked)
    } else {
        None
    }
}

/// Who the nurse identified at the bedside, when it is not the patient of
/// the dose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum PatientSeen {
    /// The wristband scanned, with its MRN.
    Wristband { mrn: String },
    /// No wristband: the date of birth the patient (or the chart) confirmed,
    /// and the one on record for the patient of the dose.
    BornOn { given: NaiveDate, recorded: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "right")]
pub enum Failure {
    /// 1. Never overridable: the dose is for `name` (`mrn`).
    Patient {
        name: String,
        mrn: String,
        scanned: Option<PatientSeen>,
    },
    /// 2. The pack is not the prescribed drug (never overridable).
    Drug,
    /// 2. The lot may not be given.
    Lot { problem: LotProblem },
    /// 2. No lot scanned or chosen.
    NoLot,
    /// 2. The pack's printed expiry is not its lot's as recorded: the pack
    ///    does not match the records.
    ExpiryMismatch {
        scanned: NaiveDate,
        recorded: NaiveDate,
    },
    /// 2. The pack was not scanned and no reason was given why it could
    ///    not be: scan it, or choose one of `codes` (the ward's list).
    PackNotScanned { codes: Vec<String> },
    /// 3. The units do not make the prescribed dose.
    Dose {
        expected_units_milli: i64,
        given_units: i64,
    },
    /// 4.
    Route { route: String },
    /// 5. Outside the window without a reason.
    Time { minutes_off: i64 },
    /// 5. Too soon after the previous dose given (no reason makes it right).
    TooSoon {
        last: DateTime<Utc>,
        next: DateTime<Utc>,
    },
    /// 6. An allergy the pharmacist did not override (recorded after the
    ///    validation, or never accepted): a pharmacist must review it.
    Allergy { substances: Vec<String> },
    /// 7. A controlled drug without a witness (another user).
    Witness,
    /// 7. A high-alert drug without an independent double check (another user).
    DoubleCheck,
    /// 7. The witness named may not witness this dose.
    WitnessRefused { user: String, why: NotAllowed },
    /// 7. The double-checker named may not check this dose.
    DoubleCheckRefused { user: String, why: NotAllowed },
}

/// The nominal interval between two doses of a frequency (`None`: a
/// single dose, or as needed).
pub fn interval(freq: Frequency) -> Option<Duration> {
    let h = Duration::hours;
    Some(match freq {
        Frequency::Qd => h(24),
        Frequency::Bid | Frequency::Q12h => h(12),
        Frequency::Tid | Frequency::Q8h => h(8),
        Frequency::Qid | Frequency::Q6h => h(6),
        Frequency::Q4h => h(4),
        Frequency::Weekly => Duration::days(7),
        Frequency::Once | Frequency::Stat | Frequency::Prn => return None,
    })
}

/// The least time between a given dose and the next of a scheduled
/// prescription: the frequency's interval (or the gap between the two
/// scheduled times, when the ward's times are closer) less the early
/// window. `scheduled_gap`: from the previous scheduled time to this one.
pub fn min_spacing(
    freq: Frequency,
    scheduled_gap: Option<Duration>,
    window: Duration,
) -> Option<Duration> {
    let nominal = interval(freq)?;
    let gap = scheduled_gap.map_or(nominal, |g| g.min(nominal));
    Some(gap - window).filter(|d| *d > Duration::zero())
}

/// The share of given doses whose pack was scanned that a ward or a nurse
/// is expected to reach (BCMA scanning compliance).
pub const SCANNING_TARGET_PERCENT: i64 = 95;

/// The share of `given` doses whose pack was scanned, in tenths of a
/// percent (`None` when nothing was given).
pub fn scanned_permille(scanned: i64, given: i64) -> Option<i64> {
    (given > 0).then(|| scanned.saturating_mul(1000) / given)
}

/// Below the scanning target: fewer than 95 % of the doses given scanned.
pub fn below_scanning_target(scanned: i64, given: i64) -> bool {
    given > 0 && scanned.saturating_mul(100) < SCANNING_TARGET_PERCENT.saturating_mul(given)
}

/// Every right that fails, in the order of the seven rights.
pub fn check(e: &Expected, b: &AtBedside) -> Vec<Failure> {
    let mut out = Vec::new();
    if b.patient_mrn.as_deref() != Some(e.mrn.as_str()) {
        out.push(Failure::Patient {
            name: e.patient_name.clone(),
            mrn: e.mrn.clone(),
            scanned: b
                .patient_mrn
                .clone()
                .map(|mrn| PatientSeen::Wristband { mrn }),
        });
    }
    match b.item {
        Some(i) if e.items.contains(&i) => {}
        _ => out.push(Failure::Drug),
    }
    match b.lot_status {
        Some(status) => {
            // The pack's own printed expiry counts as much as the recorded one.
            let expiry = match (b.lot_expiry, b.pack_expiry) {
                (Some(r), Some(p)) => Some(r.min(p)),
                (r, p) => r.or(p),
            };
            if let Some(problem) = lot_problem(status, expiry, b.today) {
                out.push(Failure::Lot { problem });
            }
            if let (Some(scanned), Some(recorded)) = (b.pack_expiry, b.lot_expiry)
                && scanned != recorded
            {
                out.push(Failure::ExpiryMismatch { scanned, recorded });
            }
        }
        None => out.push(Failure::NoLot),
    }
    if !b.pack_scanned
        && b.unable_to_scan
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        out.push(Failure::PackNotScanned {
            codes: e.unscan_codes.clone(),
        });
    }
    // Units × strength must make the dose exactly (thousandths, no
    // rounding); a dose drawn from single-use units takes the fewest whole
    // units that hold it.
    let drawn_ok = e.drawn && b.units == crate::domain::units_for(e.dose_milli, e.strength_milli);
    if e.strength_milli > 0 && b.units.saturating_mul(e.strength_milli) != e.dose_milli && !drawn_ok
    {
        out.push(Failure::Dose {
            expected_units_milli: e.dose_milli * 1000 / e.strength_milli,
            given_units: b.units,
        });
    }
    if !b.route_confirmed {
        out.push(Failure::Route {
            route: e.route.clone(),
        });
    }
    if let Some(at) = e.scheduled_at {
        let off = b.now - at;
        if off.abs() > e.window
            && b.timing_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            out.push(Failure::Time {
                minutes_off: off.num_minutes(),
            });
        }
    }
    if let Some((last, spacing)) = e.last_given
        && b.now < last + spacing
    {
        out.push(Failure::TooSoon {
            last,
            next: last + spacing,
        });
    }
    let unreviewed: Vec<String> = e
        .allergy_matches
        .iter()
        .filter(|s| {
            !e.allergy_reviewed
                .iter()
                .any(|r| r.trim().eq_ignore_ascii_case(s.trim()))
        })
        .cloned()
        .collect();
    if !unreviewed.is_empty() {
        out.push(Failure::Allergy {
            substances: unreviewed,
        });
    }
    if e.controlled {
        match &b.witness {
            None => out.push(Failure::Witness),
            Some(u) => {
                if let Some(why) = second_user_problem(u, b.nurse) {
                    out.push(Failure::WitnessRefused {
                        user: u.username.clone(),
                        why,
                    });
                }
            }
        }
    }
    if e.high_alert {
        match &b.double_check {
            None => out.push(Failure::DoubleCheck),
            Some(u) => {
                if let Some(why) = second_user_problem(u, b.nurse) {
                    out.push(Failure::DoubleCheckRefused {
                        user: u.username.clone(),
                        why,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn expected() -> Expected {
        Expected {
            mrn: "MRN1".into(),
            patient_name: "Anna Rossi".into(),
            items: vec![7],
            dose_milli: 1_000_000,
            strength_milli: 500_000,
            drawn: false,
            route: "PO".into(),
            scheduled_at: Some(utc("2026-11-22T08:00:00Z")),
            window: Duration::minutes(60),
            last_given: None,
            allergy_matches: vec![],
            allergy_reviewed: vec![],
            controlled: false,
            high_alert: false,
            unscan_codes: vec!["DAMAGED".into(), "SCANNER".into()],
        }
    }

    fn bedside() -> AtBedside {
        AtBedside {
            patient_mrn: Some("MRN1".into()),
            item: Some(7),
            pack_scanned: true,
            unable_to_scan: None,
            lot_status: Some(LotStatus::Ok),
            lot_expiry: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            pack_expiry: None,
            units: 2,
            route_confirmed: true,
            now: utc("2026-11-22T08:20:00Z"),
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            timing_reason: None,
            nurse: 5,
            witness: None,
            double_check: None,
        }
    }

    #[test]
    fn all_seven_right_passes() {
        assert_eq!(check(&expected(), &bedside()), vec![]);
    }

    #[test]
    fn each_right_fails_in_its_own_scenario() {
        let e = expected();
        let one = |b: AtBedside| check(&e, &b);
        assert!(matches!(
            &one(AtBedside {
                patient_mrn: Some("MRN2".into()),
                ..bedside()
            })[..],
            [Failure::Patient { .. }]
        ));
        assert!(matches!(
            &one(AtBedside {
                item: Some(8),
                ..bedside()
            })[..],
            [Failure::Drug]
        ));
        assert_eq!(
            one(AtBedside {
                lot_status: Some(LotStatus::Recalled),
                ..bedside()
            }),
            vec![Failure::Lot {
                problem: LotProblem::Recalled
            }]
        );
        let yesterday = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            one(AtBedside {
                lot_expiry: Some(yesterday),
                ..bedside()
            }),
            vec![Failure::Lot {
                problem: LotProblem::Expired { on: yesterday }
            }]
        );
        // The pack's own label: expired, or not what the lot's record says.
        let recorded = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            one(AtBedside {
                pack_expiry: Some(recorded),
                ..bedside()
            }),
            vec![]
        );
        assert_eq!(
            one(AtBedside {
                pack_expiry: Some(yesterday),
                ..bedside()
            }),
            vec![
                Failure::Lot {
                    problem: LotProblem::Expired { on: yesterday }
                },
                Failure::ExpiryMismatch {
                    scanned: yesterday,
                    recorded
                }
            ]
        );
        let later = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(
            one(AtBedside {
                pack_expiry: Some(later),
                ..bedside()
            }),
            vec![Failure::ExpiryMismatch {
                scanned: later,
                recorded
            }]
        );
        assert_eq!(
            one(AtBedside {
                lot_status: None,
                ..bedside()
            }),
            vec![Failure::NoLot]
        );
        assert_eq!(
            one(AtBedside {
                units: 1,
                ..bedside()
            }),
            vec![Failure::Dose {
                expected_units_milli: 2_000,
                given_units: 1
            }]
        );
        assert!(matches!(
            &one(AtBedside {
                route_confirmed: false,
                ..bedside()
            })[..],
            [Failure::Route { .. }]
        ));
        let late = AtBedside {
            now: utc("2026-11-22T09:30:00Z"),
            ..bedside()
        };
        assert_eq!(one(late.clone()), vec![Failure::Time { minutes_off: 90 }]);
        assert_eq!(
            one(AtBedside {
                timing_reason: Some("patient in theatre".into()),
                ..late
            }),
            vec![]
        );
        // Too soon after the previous dose: no reason makes it right.
        let daily = min_spacing(Frequency::Qd, None, Duration::minutes(120));
        assert_eq!(daily, Some(Duration::hours(22)));
        let last = utc("2026-11-22T08:05:00Z");
        let soon = Expected {
            last_given: Some((last, Duration::hours(22))),
            ..expected()
        };
        assert_eq!(
            check(
                &soon,
                &AtBedside {
                    timing_reason: Some("patient in theatre".into()),
                    now: utc("2026-11-22T09:30:00Z"),
                    ..bedside()
                }
            ),
            vec![Failure::TooSoon {
                last,
                next: utc("2026-11-23T06:05:00Z")
            }]
        );
        // Ward times closer than the nominal interval (8, 14, 22 h three times a day).
        assert_eq!(
            min_spacing(
                Frequency::Tid,
                Some(Duration::hours(6)),
                Duration::minutes(60)
            ),
            Some(Duration::hours(5))
        );
        assert_eq!(
            min_spacing(Frequency::Once, None, Duration::minutes(60)),
            None
        );
        let mut allergic = expected();
        allergic.allergy_matches = vec!["penicillins".into()];
        assert!(matches!(
            &check(&allergic, &bedside())[..],
            [Failure::Allergy { .. }]
        ));
        allergic.allergy_reviewed = vec!["Penicillins".into()];
        assert_eq!(check(&allergic, &bedside()), vec![]);
        // An override covers only the substances it named.
        allergic.allergy_matches = vec!["penicillins".into(), "clavulanic acid".into()];
        assert_eq!(
            check(&allergic, &bedside()),
            vec![Failure::Allergy {
                substances: vec!["clavulanic acid".into()]
            }]
        );
        let mut cd = expected();
        cd.controlled = true;
        cd.high_alert = true;
        assert_eq!(
            check(&cd, &bedside()),
            vec![Failure::Witness, Failure::DoubleCheck]
        );
        let user = |id: i64, role: Role| SecondUser {
            id,
            username: format!("user{id}"),
            role,
            active: true,
            locked: false,
        };
        assert_eq!(
            check(
                &cd,
                &AtBedside {
                    witness: Some(user(5, Role::Nurse)),
                    double_check: Some(user(5, Role::Nurse)),
                    ..bedside()
                }
            ),
            vec![
                Failure::WitnessRefused {
                    user: "user5".into(),
                    why: NotAllowed::SamePerson
                },
                Failure::DoubleCheckRefused {
                    user: "user5".into(),
                    why: NotAllowed::SamePerson
                }
            ],
            "the nurse cannot witness herself"
        );
        assert_eq!(
            check(
                &cd,
                &AtBedside {
                    witness: Some(user(6, Role::Nurse)),
                    double_check: Some(user(7, Role::Pharmacist)),
                    ..bedside()
                }
            ),
            vec![]
        );
        // Only an active, unlocked clinical user.
        for (u, why) in [
            (
                user(6, Role::Storekeeper),
                NotAllowed::Role {
                    role: Role::Storekeeper,
                },
            ),
            (user(6, Role::Admin), NotAllowed::Role { role: Role::Admin }),
            (
                SecondUser {
                    active: false,
                    ..user(6, Role::Nurse)
                },
                NotAllowed::Inactive,
            ),
            (
                SecondUser {
                    locked: true,
                    ..user(6, Role::NurseManager)
                },
                NotAllowed::Locked,
            ),
        ] {
            assert_eq!(
                check(
                    &cd,
                    &AtBedside {
                        witness: Some(u.clone()),
                        double_check: Some(user(7, Role::Pharmacist)),
                        ..bedside()
                    }
                ),
                vec![Failure::WitnessRefused {
                    user: "user6".into(),
                    why
                }]
            );
        }
    }

    #[test]
    fn an_unscanned_pack_needs_a_reason_why() {
        let e = expected();
        let unscanned = AtBedside {
            pack_scanned: false,
            ..bedside()
        };
        assert_eq!(
            check(&e, &unscanned),
            vec![Failure::PackNotScanned {
                codes: vec!["DAMAGED".into(), "SCANNER".into()]
            }]
        );
        let blank = AtBedside {
            unable_to_scan: Some("  ".into()),
            ..unscanned.clone()
        };
        assert_eq!(check(&e, &blank).len(), 1);
        let reasoned = AtBedside {
            unable_to_scan: Some("DAMAGED: barcode damaged or unreadable".into()),
            ..unscanned
        };
        assert_eq!(check(&e, &reasoned), vec![]);
    }

    #[test]
    fn scanning_compliance_is_counted_against_95_percent() {
        assert_eq!(scanned_permille(19, 20), Some(950));
        assert!(!below_scanning_target(19, 20));
        assert!(below_scanning_target(18, 19));
        assert_eq!(scanned_permille(0, 0), None);
        assert!(!below_scanning_target(0, 0));
        assert_eq!(scanned_permille(2, 3), Some(666));
    }

    #[test]
    fn a_dose_drawn_from_single_use_units_takes_the_fewest_that_hold_it() {
        // 5 mg from 10 mg ampoules: one ampoule, the rest discarded.
        let ampoule = Expected {
            dose_milli: 5_000,
            strength_milli: 10_000,
            drawn: true,
            ..expected()
        };
        let with = |units| check(&ampoule, &AtBedside { units, ..bedside() });
        assert_eq!(with(1), vec![]);
        assert!(matches!(
            &with(2)[..],
            [Failure::Dose { given_units: 2, .. }]
        ));
        // 15 mg: two ampoules.
        let more = Expected {
            dose_milli: 15_000,
            ..ampoule.clone()
        };
        assert_eq!(
            check(
                &more,
                &AtBedside {
                    units: 2,
                    ..bedside()
                }
            ),
            vec![]
        );
        assert!(
            !check(
                &more,
                &AtBedside {
                    units: 1,
                    ..bedside()
                }
            )
            .is_empty()
        );
        // A tablet is not drawn: half a tablet's dose from a whole one is refused.
        let tablet = Expected {
            drawn: false,
            ..ampoule
        };
        assert!(matches!(
            &check(
                &tablet,
                &AtBedside {
                    units: 1,
                    ..bedside()
                }
            )[..],
            [Failure::Dose { .. }]
        ));
    }
}
