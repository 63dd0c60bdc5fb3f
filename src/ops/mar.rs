//! Recording a dose at the bedside: the seven rights are checked on what the
//! nurse scanned and confirmed; a given dose takes its units from ward stock
//! (the scanned lot, or, when the nurse says why the pack cannot be
//! scanned, first-expired-first-out marked "not scanned" with that reason),
//! lot-traced to the patient, in one transaction with the record.

use super::Actor;
use super::items::{Forbidden, allow};
use super::ward::ReasonKind;
use crate::domain::fefo;
use crate::domain::roles::Operation;
use crate::domain::schedule::{self, Frequency};
use crate::domain::seven_rights::{self, AtBedside, Expected, Failure, PatientSeen};
use crate::domain::validation::{self, Finding};
use crate::domain::{LotStatus, MovementKind, instant_to_text};
use crate::store::Store;
use crate::store::ledger::NewMovement;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use strum::{AsRefStr, Display, EnumString};

mod report;
pub use report::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Display, EnumString, AsRefStr)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Given,
    PartiallyGiven,
    Held,
    Refused,
    NotGivenSupply,
    Missed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseInput {
    pub rx_id: i64,
    /// The scheduled time; `None` for a PRN dose.
    pub scheduled_at: Option<DateTime<Utc>>,
    pub outcome: Outcome,
    /// The MRN read from the wristband.
    pub patient_mrn: Option<String>,
    /// Without a wristband scan: the date of birth the patient (or the chart)
    /// confirmed with the name shown; the wrong one is never overridable.
    pub patient_dob: Option<chrono::NaiveDate>,
    /// The scanned pack: its item and lot; `None` when the pack could not be scanned.
    pub pack: Option<(i64, String)>,
    /// The expiry printed in the scanned pack's barcode (GS1 AI 17), if it
    /// has one: checked against today and against the lot's record.
    pub pack_expiry: Option<chrono::NaiveDate>,
    /// Why the pack of a given dose cannot be scanned: a code of the ward's
    /// "unable to scan" list, or "other: …". A dose given with neither a
    /// pack scan nor this is refused; both together are refused too.
    pub unable_to_scan: Option<String>,
    pub units: i64,
    pub route_confirmed: bool,
    pub timing_reason: Option<String>,
    /// Why a dose was held, refused, missed or only partly given.
    pub reason: Option<String>,
    pub witness: Option<Actor>,
    pub double_check: Option<Actor>,
}

/// Why a dose is not recorded, with the facts the nurse needs.
#[derive(Debug)]
pub enum DoseError {
    Forbidden(Forbidden),
    Unknown(i64),
    /// Only an active prescription is given; the status as stored.
    NotActive(i64, String),
    /// The scheduled dose at this time is already recorded.
    AlreadyRecorded(DateTime<Utc>),
    /// Every right of the seven that fails.
    Rights(Vec<Failure>),
    /// A PRN dose is recorded without a scheduled time.
    PrnScheduled,
    NotScheduled {
        rx: i64,
        at: DateTime<Utc>,
    },
    /// A scheduled prescription's dose needs its scheduled time.
    TimeRequired {
        rx: i64,
        freq: Frequency,
    },
    /// A PRN dose outside the prescription's period.
    PrnOutsidePeriod {
        rx: i64,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    },
    PrnMaxReached {
        max: i64,
        next: DateTime<Utc>,
    },
    PrnTooSoon {
        last: Option<DateTime<Utc>>,
        interval_min: i64,
        next: DateTime<Utc>,
    },
    /// The reason given is not one the ward's list allows.
    Reason(super::ward::WardError),
    /// A pack scanned and "unable to scan" given for the same dose: one or
    /// the other.
    ScannedAndUnableToScan,
    ReasonRequired(ReasonKind),
    /// The prescription's facts for the allergy check could not be read.
    Rx(super::rx::RxError),
    NoUsableLot,
    /// The patient has been discharged: no dose is recorded for them.
    Discharged {
        mrn: String,
    },
    Units {
        full: i64,
        given: i64,
    },
    NotEnoughOnWard {
        stock: i64,
        lot: String,
    },
    DoseAbovePack {
        dose_milli: i64,
        pack_milli: i64,
    },
    NoUnopenedPack {
        lot: String,
    },
    Stock(super::stock::StockError),
    /// The wristband names nobody (a GSRN no patient has, a badge).
    Wristband(super::scan::WristbandError),
    Store(rusqlite::Error),
}

impl std::error::Error for DoseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DoseError::Wristband(e) => Some(e),
            DoseError::Forbidden(e) => Some(e),
            DoseError::Reason(e) => Some(e),
            DoseError::Rx(e) => Some(e),
            DoseError::Stock(e) => Some(e),
            DoseError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for DoseError {
    fn from(e: rusqlite::Error) -> Self {
        DoseError::Store(e)
    }
}

impl From<super::stock::StockError> for DoseError {
    fn from(e: super::stock::StockError) -> Self {
        match e {
            super::stock::StockError::Store(e) => DoseError::Store(e),
            e => DoseError::Stock(e),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub administration_id: i64,
    pub outcome: Outcome,
    pub lot: Option<String>,
    pub units: i64,
    pub scanned: bool,
    /// Why the pack was not scanned (the nurse's reason from the ward's list).
    pub unscanned_reason: Option<String>,
    /// The urgent request raised when the dose could not be given for lack of supply.
    pub urgent_order: Option<i64>,
    /// The multi-dose pack the dose was drawn from.
    pub open_pack: Option<OpenPackUse>,
}

/// A dose drawn from an opened multi-dose pack (vial, bottle, pen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenPackUse {
    pub id: i64,
    /// This dose opened it (one stock unit left the ward's stock).
    pub opened_now: bool,
    pub remaining_milli: i64,
    pub unit: String,
    pub discard_at: DateTime<Utc>,
}

struct RxRow {
    status: String,
    mrn: String,
    dob: String,
    patient: String,
    patient_id: i64,
    ward: i64,
    item: i64,
    dose_milli: i64,
    strength_milli: i64,
    route: String,
    freq: Frequency,
    times: String,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    prn_max: Option<i64>,
    prn_interval: Option<i64>,
    time_critical: bool,
    controlled: bool,
    high_alert: bool,
}

fn rx_row(conn: &Connection, id: i64) -> Result<RxRow, DoseError> {
    conn.query_row(
        "SELECT r.status, p.mrn, p.name, p.id, p.ward_id, r.item_id, r.dose_milli, COALESCE(i.strength_milli, 0), r.route,
                r.frequency, r.time_critical, i.controlled, i.high_alert, r.times, r.start_at, r.end_at, r.prn_max_per_day,
                r.prn_min_interval_min, p.dob
         FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id WHERE r.id = ?1",
        [id],
        |r| {
            Ok(RxRow {
                status: r.get(0)?,
                mrn: r.get(1)?,
                patient: r.get(2)?,
                patient_id: r.get(3)?,
                ward: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                item: r.get(5)?,
                dose_milli: r.get(6)?,
                strength_milli: r.get(7)?,
                route: r.get(8)?,
                freq: r.get::<_, String>(9)?.parse().unwrap_or(Frequency::Qd),
                time_critical: r.get(10)?,
                controlled: r.get(11)?,
                high_alert: r.get(12)?,
                times: r.get(13)?,
                start: crate::domain::instant_from_text(&r.get::<_, String>(14)?).unwrap_or_default(),
                end: r.get::<_, Option<String>>(15)?.as_deref().and_then(crate::domain::instant_from_text),
                prn_max: r.get(16)?,
                prn_interval: r.get(17)?,
                dob: r.get(18)?,
            })
        },
    )
    .optional()?
    .ok_or(DoseError::Unknown(id))
}

/// The prescription's wall-clock dose times (the frequency's defaults when none are set).
fn rx_times(rx: &RxRow) -> Vec<chrono::NaiveTime> {
    let times: Vec<chrono::NaiveTime> = rx
        .times
        .split(',')
        .filter_map(|t| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
        .collect();
    if times.is_empty() {
        rx.freq.default_times()
    } else {
        times
    }
}

/// The previous dose given of the prescription (this version or one it
/// replaced) and the least time that must pass after it before the dose
/// scheduled at `at` is given.
fn last_given(
    tx: &Connection,
    zone: &chrono_tz::Tz,
    rx_id: i64,
    rx: &RxRow,
    at: DateTime<Utc>,
) -> rusqlite::Result<Option<(DateTime<Utc>, chrono::Duration)>> {
    let last: Option<String> = tx.query_row(
        &format!(
            "{} SELECT MAX(recorded_at) FROM administrations WHERE prescription_id IN (SELECT id FROM chain)
             AND outcome IN ('given', 'partially_given')",
            crate::store::queries::RX_CHAIN
        ),
        [rx_id],
        |r| r.get(0),
    )?;
    let Some(last) = last.as_deref().and_then(crate::domain::instant_from_text) else {
        return Ok(None);
    };
    let previous = schedule::expand(
        zone,
        rx.freq,
        &rx_times(rx),
        rx.start,
        rx.end,
        at - chrono::Duration::days(8),
        at,
    )
    .into_iter()
    .filter(|t| *t < at)
    .max();
    let window = schedule::window(rx.freq, rx.time_critical);
    Ok(seven_rights::min_spacing(rx.freq, previous.map(|p| at - p), window).map(|s| (last, s)))
}

/// Whether `at` is one of the prescription's scheduled doses.
fn is_scheduled(zone: &chrono_tz::Tz, rx: &RxRow, at: DateTime<Utc>) -> bool {
    let times = rx_times(rx);
    let around = chrono::Duration::hours(1);
    schedule::expand(
        zone,
        rx.freq,
        &times,
        rx.start,
        rx.end,
        at - around,
        at + around,
    )
    .contains(&at)
}

fn local_hm(zone: &chrono_tz::Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(zone).format("%d %b %H:%M").to_string()
}

/// A PRN dose respects the prescription's maximum per 24 h and least interval.
fn prn_allows(
    tx: &Connection,
    rx_id: i64,
    rx: &RxRow,
    now: DateTime<Utc>,
) -> Result<(), DoseError> {
    let st = crate::store::queries::prn_state(tx, rx_id, now)?;
    let Some(next) = st.next_allowed else {
        return Ok(());
    };
    if let Some(max) = rx.prn_max
        && st.given_24h >= max
    {
        return Err(DoseError::PrnMaxReached { max, next });
    }
    Err(DoseError::PrnTooSoon {
        last: st.last_given,
        interval_min: rx.prn_interval.unwrap_or(0),
        next,
    })
}

struct PackItem {
    strength_milli: i64,
    unit: String,
    in_use_days: Option<i64>,
    /// A multi-dose pack kept for one patient (pens, eye drops, injectable vials).
    per_patient: bool,
    /// A single-use injection: the dose is drawn and the rest discarded.
    drawn: bool,
}

fn pack_item(tx: &Connection, item: i64) -> rusqlite::Result<PackItem> {
    tx.query_row(
        "SELECT COALESCE(strength_milli, 0), COALESCE(strength_unit, dose_unit), in_use_days, per_patient,
                form IN ('injection', 'infusion') AND in_use_days IS NULL FROM items WHERE id = ?1",
        [item],
        |r| Ok(PackItem { strength_milli: r.get(0)?, unit: r.get(1)?, in_use_days: r.get(2)?, per_patient: r.get(3)?, drawn: r.get(4)? }),
    )
}

/// The remaining content of an open pack.
fn open_pack_remaining(tx: &Connection, id: i64) -> rusqlite::Result<i64> {
    tx.query_row(
        "SELECT remaining_milli FROM open_pack_left WHERE open_pack_id = ?1",
        [id],
        |r| r.get(0),
    )
}

/// Records a dose. A given (or partly given) dose passes the seven rights
/// first; any failure refuses it with every reason, and nothing is written.
/// Reasons come from the ward's lists (a code, or "other: …").
pub fn administer(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    d: &DoseInput,
) -> Result<Recorded, DoseError> {
    use super::ward::resolve_reason;
    allow(actor, Operation::Administer).map_err(DoseError::Forbidden)?;
    let zone = store.zone();
    store.write(|tx| {
        let rx = rx_row(tx, d.rx_id)?;
        // A missed dose of a prescription since stopped, suspended, replaced
        // or completed is still documented; nothing else is recorded on it.
        let documenting = d.outcome == Outcome::Missed
            && d.scheduled_at.is_some()
            && matches!(rx.status.as_str(), "stopped" | "suspended" | "superseded" | "completed");
        let discharged: Option<String> = tx
            .query_row(
                "SELECT p.mrn FROM prescriptions r JOIN patients p ON p.id = r.patient_id
                 WHERE r.id = ?1 AND p.discharged_at IS NOT NULL",
                [d.rx_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(mrn) = discharged
            && !documenting
        {
            return Err(DoseError::Discharged { mrn });
        }
        if rx.status != "active" && !documenting {
            return Err(DoseError::NotActive(d.rx_id, rx.status));
        }
        let when = d.scheduled_at.map(|t| local_hm(&zone, t)).unwrap_or_else(|| "now (PRN)".into());
        match d.scheduled_at {
            Some(at) => {
                if rx.freq == Frequency::Prn {
                    return Err(DoseError::PrnScheduled);
                }
                if !is_scheduled(&zone, &rx, at) {
                    return Err(DoseError::NotScheduled { rx: d.rx_id, at });
                }
                // Recorded under this version or one it replaced.
                let done: Option<i64> = tx
                    .query_row(
                        &format!(
                            "{} SELECT id FROM administrations WHERE prescription_id IN (SELECT id FROM chain) AND scheduled_at = ?2",
                            crate::store::queries::RX_CHAIN
                        ),
                        params![d.rx_id, instant_to_text(at)],
                        |r| r.get(0),
                    )
                    .optional()?;
                if done.is_some() {
                    return Err(DoseError::AlreadyRecorded(at));
                }
            }
            None if rx.freq != Frequency::Prn => {
                return Err(DoseError::TimeRequired { rx: d.rx_id, freq: rx.freq });
            }
            None => {
                if now < rx.start || rx.end.is_some_and(|e| now >= e) {
                    return Err(DoseError::PrnOutsidePeriod { rx: d.rx_id, start: rx.start, end: rx.end });
                }
                if matches!(d.outcome, Outcome::Given | Outcome::PartiallyGiven) {
                    prn_allows(tx, d.rx_id, &rx, now)?;
                }
            }
        }
        let given = matches!(d.outcome, Outcome::Given | Outcome::PartiallyGiven);
        let reason_kind = match d.outcome {
            Outcome::Held => Some(ReasonKind::Held),
            Outcome::Refused => Some(ReasonKind::Refused),
            Outcome::Missed => Some(ReasonKind::Missed),
            Outcome::PartiallyGiven => Some(ReasonKind::Partial),
            Outcome::Given | Outcome::NotGivenSupply => None,
        };
        let refused = DoseError::Reason;
        let reason = match (reason_kind, d.reason.as_deref().map(str::trim).filter(|r| !r.is_empty())) {
            (Some(kind), Some(r)) => Some(resolve_reason(tx, rx.ward, kind, r).map_err(refused)?),
            (Some(kind), None) => {
                return Err(match resolve_reason(tx, rx.ward, kind, "") {
                    Err(e) => refused(e),
                    Ok(_) => DoseError::ReasonRequired(kind),
                });
            }
            (None, r) => r.map(str::to_string),
        };
        let timing_reason = match d.timing_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) if given => Some(resolve_reason(tx, rx.ward, ReasonKind::Timing, r).map_err(refused)?),
            _ => None,
        };
        // "Unable to scan" is a deliberate choice with a reason from the
        // ward's list, only for a pack that is given and not scanned.
        let unscanned_reason = match d.unable_to_scan.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(_) if given && d.pack.is_some() => return Err(DoseError::ScannedAndUnableToScan),
            Some(r) if given => Some(resolve_reason(tx, rx.ward, ReasonKind::UnableToScan, r).map_err(refused)?),
            _ => None,
        };
        // The patient: the wristband, or the name and date of birth confirmed.
        let (patient_mrn, by_dob) = match (&d.patient_mrn, d.patient_dob) {
            // A GSRN wristband names its patient's MRN; one nobody has is refused.
            (Some(m), _) => (
                Some(super::scan::wristband_mrn(tx, m, super::scan::Entry::Typed, None, now.with_timezone(&zone).date_naive()).map_err(DoseError::Wristband)?),
                false,
            ),
            (None, Some(dob)) if dob.to_string() == rx.dob => (Some(rx.mrn.clone()), true),
            (None, Some(dob)) => {
                return Err(DoseError::Rights(vec![Failure::Patient {
                    name: rx.patient.clone(),
                    mrn: rx.mrn.clone(),
                    scanned: Some(PatientSeen::BornOn { given: dob, recorded: rx.dob.clone() }),
                }]));
            }
            (None, None) => (None, false),
        };
        // The right patient for every outcome that documents a dose: a
        // wrong wristband never records anything; a dose held, refused or not
        // given is documented at the bedside, with the patient identified
        // (a missed dose of a closed prescription may be documented later).
        if !given {
            let wrong = patient_mrn.as_deref().is_some_and(|m| m != rx.mrn);
            if wrong || (patient_mrn.is_none() && !documenting) {
                return Err(DoseError::Rights(vec![Failure::Patient {
                    name: rx.patient.clone(),
                    mrn: rx.mrn.clone(),
                    scanned: patient_mrn.clone().map(|mrn| PatientSeen::Wristband { mrn }),
                }]));
            }
        }
        let mut note = match (&reason, &timing_reason) {
            (Some(r), Some(t)) => Some(format!("{r}; timing {t}")),
            (Some(r), None) => Some(r.clone()),
            (None, Some(t)) => Some(format!("timing {t}")),
            (None, None) => None,
        };
        if by_dob {
            let id = "patient identified by name and date of birth (no wristband scan)";
            note = Some(note.map_or(id.to_string(), |n| format!("{n}; {id}")));
        }
        struct Given {
            lot: Option<i64>,
            units: Option<i64>,
            scanned: bool,
            movement: Option<i64>,
            open_pack: Option<i64>,
            dose_milli: Option<i64>,
        }
        let record = |tx: &Connection, g: &Given| -> rusqlite::Result<i64> {
            tx.execute(
                "INSERT INTO administrations (prescription_id, scheduled_at, recorded_at, user_id, outcome, lot_id, qty, reason, witness_id, scanned,
                                             double_check_id, movement_id, open_pack_id, dose_milli, unscanned_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    d.rx_id,
                    d.scheduled_at.map(instant_to_text),
                    instant_to_text(now),
                    actor.user_id,
                    d.outcome.as_ref(),
                    g.lot,
                    g.units,
                    note,
                    d.witness.as_ref().map(|w| w.user_id),
                    g.scanned,
                    d.double_check.as_ref().map(|w| w.user_id),
                    g.movement,
                    g.open_pack,
                    g.dose_milli,
                    if g.scanned { None } else { unscanned_reason.as_deref() },
                ],
            )?;
            Ok(tx.last_insert_rowid())
        };
        let nothing = Given { lot: None, units: None, scanned: false, movement: None, open_pack: None, dose_milli: None };
        let done = |id: i64, urgent_order: Option<i64>| Recorded {
            administration_id: id,
            outcome: d.outcome,
            lot: None,
            units: 0,
            scanned: false,
            unscanned_reason: None,
            urgent_order,
            open_pack: None,
        };
        match d.outcome {
            Outcome::Held | Outcome::Refused | Outcome::Missed => Ok(done(record(tx, &nothing)?, None)),
            Outcome::NotGivenSupply => {
                // The pharmacy gets an urgent request for the missing doses.
                let item = super::stock::item_by_id(tx, rx.item)?;
                let units = crate::domain::units_for(rx.dose_milli, rx.strength_milli);
                let text = format!("URGENT: dose of {when} not given for lack of supply (RX-{})", d.rx_id);
                let order = super::stock::insert_transfer(tx, actor, now, rx.ward, &[(item, units.max(1))], Some(&text))?;
                Ok(done(record(tx, &nothing)?, Some(order)))
            }
            Outcome::Given | Outcome::PartiallyGiven => {
                let today = now.with_timezone(&zone).date_naive();
                let allowed = super::rx::allowed_products(tx, d.rx_id)?;
                // The lot: the scanned one, or first-expired-first-out on the ward
                // (the preferred product first, then the allowed alternatives).
                let (pack_item_id, lot_id, scanned) = match &d.pack {
                    Some((item, number)) => {
                        let id: Option<i64> = tx
                            .query_row("SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2", params![item, number], |r| r.get(0))
                            .optional()?;
                        (Some(*item), id, true)
                    }
                    None => {
                        let mut found = (Some(rx.item), None, false);
                        for item in &allowed {
                            let p = pack_item(tx, *item)?;
                            // A multi-dose pack already open here is used first.
                            if p.in_use_days.is_some() {
                                let open: Option<i64> = tx
                                    .query_row(
                                        "SELECT o.lot_id FROM open_packs o JOIN lots l ON l.id = o.lot_id
                                         WHERE o.place_id = ?1 AND o.item_id = ?2 AND o.closed_at IS NULL AND o.patient_id IS ?3
                                           AND o.discard_at > ?4 AND l.status = 'ok' AND (l.expiry IS NULL OR l.expiry >= ?5)
                                         ORDER BY o.opened_at, o.id LIMIT 1",
                                        params![rx.ward, item, p.per_patient.then_some(rx.patient_id), instant_to_text(now), today.to_string()],
                                        |r| r.get(0),
                                    )
                                    .optional()?;
                                if let Some(lot) = open {
                                    found = (Some(*item), Some(lot), false);
                                    break;
                                }
                            }
                            let need = if p.in_use_days.is_some() || p.strength_milli <= 0 {
                                1
                            } else {
                                d.units.max(1)
                            };
                            // First expired first, among the lots that hold the whole dose.
                            let lots = crate::store::queries::lot_stock(tx, rx.ward, *item)?;
                            let plan = fefo::pick(&lots, need, today);
                            let whole = plan
                                .picks
                                .iter()
                                .map(|p| p.lot_id)
                                .chain(lots.iter().filter(|l| l.usable_on(today)).map(|l| l.lot_id))
                                .find(|id| lots.iter().any(|l| l.lot_id == *id && l.usable_on(today) && l.qty >= need));
                            if let Some(lot) = whole.or(plan.picks.first().map(|p| p.lot_id)) {
                                found = (Some(*item), Some(lot), false);
                                break;
                            }
                        }
                        found
                    }
                };
                let pack = match pack_item_id {
                    Some(i) => Some(pack_item(tx, i)?),
                    None => None,
                };
                let multi_dose = pack.as_ref().is_some_and(|p| p.in_use_days.is_some());
                let (lot_status, lot_expiry, lot_number) = match lot_id {
                    Some(id) => tx.query_row("SELECT status, expiry, lot_number FROM lots WHERE id = ?1", [id], |r| {
                        Ok((
                            r.get::<_, String>(0)?.parse::<LotStatus>().ok(),
                            r.get::<_, Option<String>>(1)?.as_deref().and_then(crate::domain::date_from_text),
                            Some(r.get::<_, String>(2)?),
                        ))
                    })?,
                    None => (None, None, None),
                };
                // The allergy findings of validation, and which the pharmacist accepted.
                let facts = super::rx::facts(tx, d.rx_id, now).map_err(DoseError::Rx)?;
                let allergy_matches: Vec<String> = validation::findings(&facts)
                    .into_iter()
                    .filter_map(|f| match f {
                        Finding::Allergy { substance, .. } => Some(substance),
                        _ => None,
                    })
                    .collect();
                // An override covers only the substances the pharmacist named.
                let allergy_reviewed = super::rx::reviewed_allergies(tx, d.rx_id)?;
                // Units × strength must make the dose, with the strength of the
                // product in hand; a multi-dose pack gives the dose by volume.
                let strength = match &pack {
                    _ if d.outcome == Outcome::PartiallyGiven || multi_dose => 0,
                    Some(p) if allowed.contains(&pack_item_id.unwrap_or(0)) => p.strength_milli,
                    _ => rx.strength_milli,
                };
                let expected = Expected {
                    mrn: rx.mrn.clone(),
                    patient_name: rx.patient.clone(),
                    items: allowed.clone(),
                    dose_milli: rx.dose_milli,
                    strength_milli: strength,
                    drawn: pack.as_ref().is_some_and(|p| p.drawn),
                    route: rx.route.clone(),
                    scheduled_at: d.scheduled_at,
                    window: schedule::window(rx.freq, rx.time_critical),
                    last_given: match d.scheduled_at {
                        Some(at) => last_given(tx, &zone, d.rx_id, &rx, at)?,
                        None => None,
                    },
                    allergy_matches,
                    allergy_reviewed,
                    controlled: rx.controlled,
                    high_alert: rx.high_alert,
                    unscan_codes: super::ward::reasons(tx, rx.ward, ReasonKind::UnableToScan)?
                        .into_iter()
                        .map(|r| r.code)
                        .collect(),
                };
                let bedside = AtBedside {
                    patient_mrn: patient_mrn.clone(),
                    item: pack_item_id,
                    pack_scanned: scanned,
                    unable_to_scan: unscanned_reason.clone(),
                    lot_status,
                    lot_expiry,
                    pack_expiry: if scanned { d.pack_expiry } else { None },
                    units: d.units,
                    route_confirmed: d.route_confirmed,
                    now,
                    today,
                    timing_reason: timing_reason.clone(),
                    nurse: actor.user_id,
                    witness: d.witness.as_ref().map(|w| crate::ops::stock::second_user(tx, w, now)).transpose()?,
                    double_check: d.double_check.as_ref().map(|w| crate::ops::stock::second_user(tx, w, now)).transpose()?,
                };
                let failures = seven_rights::check(&expected, &bedside);
                if !failures.is_empty() {
                    return Err(DoseError::Rights(failures));
                }
                let lot_id = lot_id.ok_or(DoseError::NoUsableLot)?;
                let item_id = pack_item_id.unwrap_or(rx.item);
                let pack = pack.unwrap_or(PackItem { strength_milli: rx.strength_milli, unit: String::new(), in_use_days: None, per_patient: false, drawn: false });
                let lot_text = lot_number.clone().unwrap_or_default();
                let have = |tx: &Connection| -> rusqlite::Result<i64> {
                    Ok(tx
                        .query_row("SELECT COALESCE(qty, 0) FROM balances WHERE place_id = ?1 AND lot_id = ?2", params![rx.ward, lot_id], |r| r.get(0))
                        .optional()?
                        .unwrap_or(0))
                };
                // A controlled drug's dose leaves the register signed by its witness.
                let signer = if crate::ops::stock::is_controlled(tx, item_id)? { d.witness.as_ref().map(|w| w.user_id) } else { None };
                let take = |tx: &Connection, units: i64, why: Option<String>| -> Result<i64, DoseError> {
                    // Units held at a cold location after an excursion are never given.
                    let name = crate::ops::stock::item_by_id(tx, item_id)?.name;
                    crate::ops::cold::refuse_held(tx, rx.ward, &name, lot_id, &lot_text, units)?;
                    Ok(crate::ops::stock::append_signed(
                        tx,
                        &NewMovement {
                            at: now,
                            user_id: actor.user_id,
                            kind: MovementKind::Administration,
                            item_id,
                            lot_id,
                            from_place: Some(rx.ward),
                            to_place: None,
                            from_location: None,
                            to_location: None,
                            qty: units,
                            reason: why,
                            patient_id: Some(rx.patient_id),
                            order_ref: Some(format!("RX-{}", d.rx_id)),
                        },
                        signer,
                    )?)
                };
                let not_scanned = (!scanned).then(|| match &unscanned_reason {
                    Some(r) => format!("not scanned: {r}"),
                    None => "not scanned".to_string(),
                });
                if !multi_dose {
                    // Units of the product in hand that make one whole dose.
                    let full = if pack.strength_milli > 0 {
                        crate::domain::units_for(rx.dose_milli, pack.strength_milli)
                    } else {
                        d.units.max(1)
                    };
                    if d.units < 1 || (d.outcome == Outcome::PartiallyGiven && d.units > full) {
                        return Err(DoseError::Units { full, given: d.units });
                    }
                    let stock = have(tx)?;
                    if stock < d.units {
                        return Err(DoseError::NotEnoughOnWard { stock, lot: lot_text });
                    }
                    let movement = take(tx, d.units, not_scanned)?;
                    let g = Given {
                        lot: Some(lot_id),
                        units: Some(d.units),
                        scanned,
                        movement: Some(movement),
                        open_pack: None,
                        dose_milli: Some(if d.outcome == Outcome::Given { rx.dose_milli } else { d.units.saturating_mul(pack.strength_milli) }),
                    };
                    let id = record(tx, &g)?;
                    return Ok(Recorded {
                        administration_id: id,
                        outcome: d.outcome,
                        lot: lot_number,
                        units: d.units,
                        scanned,
                        unscanned_reason: unscanned_reason.clone(),
                        urgent_order: None,
                        open_pack: None,
                    });
                }
                // A multi-dose pack: draw from the pack already open on the ward
                // (of the scanned lot, if scanned), else open one.
                let dose = rx.dose_milli;
                if dose > pack.strength_milli {
                    return Err(DoseError::DoseAbovePack { dose_milli: dose, pack_milli: pack.strength_milli });
                }
                let mut stmt = tx.prepare_cached(
                    "SELECT o.id, o.lot_id, o.discard_at, l.status, l.expiry FROM open_packs o JOIN lots l ON l.id = o.lot_id
                     WHERE o.place_id = ?1 AND o.item_id = ?2 AND o.closed_at IS NULL AND o.patient_id IS ?3
                     ORDER BY o.opened_at, o.id",
                )?;
                // A pen or eye drops kept for a patient serve that patient only.
                let owner = pack.per_patient.then_some(rx.patient_id);
                let open: Vec<(i64, i64, String, String, Option<String>)> = stmt
                    .query_map(params![rx.ward, item_id, owner], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let close = |tx: &Connection, id: i64, why: &str| -> rusqlite::Result<()> {
                    tx.execute(
                        "UPDATE open_packs SET closed_at = ?2, closed_by = ?3, closed_reason = ?4 WHERE id = ?1 AND closed_at IS NULL",
                        params![id, instant_to_text(now), actor.user_id, why],
                    )?;
                    Ok(())
                };
                let mut use_pack: Option<(i64, DateTime<Utc>)> = None;
                for (id, pack_lot, discard_at, status, expiry) in open {
                    let discard = crate::domain::instant_from_text(&discard_at).unwrap_or(now);
                    let expired = expiry.as_deref().and_then(crate::domain::date_from_text).is_some_and(|x| x < today);
                    if discard <= now {
                        close(tx, id, "in-use period over: discard the rest")?;
                        continue;
                    }
                    if status != "ok" || expired {
                        close(tx, id, &format!("lot {status}: discard the rest"))?;
                        continue;
                    }
                    if pack_lot != lot_id && scanned {
                        continue;
                    }
                    let left = open_pack_remaining(tx, id)?;
                    if left < dose {
                        close(tx, id, &format!("{} left, less than a dose: discard the rest", crate::domain::milli_text(left)))?;
                        continue;
                    }
                    if pack_lot == lot_id || !scanned {
                        use_pack = Some((id, discard));
                        break;
                    }
                }
                let (pack_id, discard_at, opened_now, movement, from_lot) = match use_pack {
                    Some((id, discard)) => {
                        let lot: i64 = tx.query_row("SELECT lot_id FROM open_packs WHERE id = ?1", [id], |r| r.get(0))?;
                        (id, discard, false, None, lot)
                    }
                    None => {
                        if have(tx)? < 1 {
                            return Err(DoseError::NoUnopenedPack { lot: lot_text });
                        }
                        let days = pack.in_use_days.unwrap_or(1);
                        let mut discard = now + chrono::Duration::days(days);
                        if let Some(x) = lot_expiry
                            && let Some(end) = schedule::local_instant(&zone, x + chrono::Duration::days(1), chrono::NaiveTime::MIN)
                        {
                            discard = discard.min(end);
                        }
                        let why = match &not_scanned {
                            Some(n) => format!("multi-dose pack opened, {n}"),
                            None => "multi-dose pack opened".to_string(),
                        };
                        let movement = take(tx, 1, Some(why))?;
                        tx.execute(
                            "INSERT INTO open_packs (place_id, item_id, lot_id, movement_id, opened_at, opened_by, content_milli, discard_at, patient_id)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                            params![rx.ward, item_id, lot_id, movement, instant_to_text(now), actor.user_id, pack.strength_milli, instant_to_text(discard), owner],
                        )?;
                        (tx.last_insert_rowid(), discard, true, Some(movement), lot_id)
                    }
                };
                let from_number: String = tx.query_row("SELECT lot_number FROM lots WHERE id = ?1", [from_lot], |r| r.get(0))?;
                let g = Given {
                    lot: Some(from_lot),
                    units: Some(i64::from(opened_now)),
                    scanned,
                    movement,
                    open_pack: Some(pack_id),
                    dose_milli: Some(dose),
                };
                let id = record(tx, &g)?;
                let remaining = open_pack_remaining(tx, pack_id)?;
                Ok(Recorded {
                    administration_id: id,
                    outcome: d.outcome,
                    lot: Some(from_number),
                    units: i64::from(opened_now),
                    scanned,
                    unscanned_reason: unscanned_reason.clone(),
                    urgent_order: None,
                    open_pack: Some(OpenPackUse { id: pack_id, opened_now, remaining_milli: remaining, unit: pack.unit.clone(), discard_at }),
                })
            }
        }
    })
}

/// How far back the automatic missed-dose record looks.
pub const MISSED_LOOKBACK_DAYS: i64 = 7;

/// Writes every dose of a ward (or of all wards) that is missed (its window
/// and the late period after it have passed with nothing recorded), over the last [`MISSED_LOOKBACK_DAYS`]:
/// the dose becomes *missed* with its reason left for a nurse to document.
/// Returns how many doses were newly marked. Nothing is written when there
/// is nothing new, so reading the schedule does not take the write lock.
pub fn close_missed(
    store: &mut Store,
    ward: Option<i64>,
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let wards: Vec<i64> = match ward {
        Some(w) => vec![w],
        None => {
            let mut stmt = store
                .conn
                .prepare_cached("SELECT id FROM places WHERE kind = 'ward' ORDER BY id")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
    };
    let from = now - chrono::Duration::days(MISSED_LOOKBACK_DAYS);
    let mut todo = Vec::new();
    for w in wards {
        let (rows, _) = crate::store::queries::schedule(&store.conn, w, from, now)?;
        todo.extend(
            rows.into_iter()
                .filter(|r| {
                    !r.recorded
                        && !r.auto_missed
                        && r.status(now) == crate::domain::schedule::DoseStatus::Missed
                })
                .map(|r| (r.prescription_id, instant_to_text(r.at))),
        );
    }
    if todo.is_empty() {
        return Ok(0);
    }
    store.write(|tx| {
        let mut n = 0;
        let mut stmt = tx.prepare_cached(
            "INSERT OR IGNORE INTO missed_doses (prescription_id, scheduled_at, detected_at) VALUES (?1, ?2, ?3)",
        )?;
        for (rx, at) in &todo {
            n += stmt.execute(params![rx, at, instant_to_text(now)])?;
        }
        Ok(n)
    })
}
