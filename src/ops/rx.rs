//! Prescriptions: the pharmacist's validation queue with its findings, and
//! the decision (accept, with a comment where a finding is overridden, or
//! reject with a reason), attributed and kept in the prescription's history.

use super::Actor;
use super::items::{Forbidden, allow};
use super::ward::TimesError;
use crate::domain::instant_to_text;
use crate::domain::roles::Operation;
use crate::domain::schedule::Frequency;
use crate::domain::validation::{self, Allergy, Finding, OtherRx, RxFacts};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

mod validating;
pub use validating::*;

/// Why the pharmacist's decision is refused, with its facts.
#[derive(Debug)]
pub enum RxError {
    Forbidden(Forbidden),
    Unknown(i64),
    /// Only a prescription awaiting validation is validated; the status as stored.
    NotAwaiting {
        id: i64,
        status: String,
    },
    /// Accepted over findings without a comment saying why.
    CommentRequired(i64, Vec<Finding>),
    /// The pharmacist entered (or changed) this prescription: another
    /// pharmacist validates it, so that the check stays a second one.
    OwnPrescription {
        id: i64,
    },
    ReasonRequired,
    Store(rusqlite::Error),
}

impl std::error::Error for RxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RxError::Forbidden(e) => Some(e),
            RxError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for RxError {
    fn from(e: rusqlite::Error) -> Self {
        RxError::Store(e)
    }
}

/// A prescription as entered on behalf of the prescriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRx {
    pub mrn: String,
    pub item_code: String,
    /// One dose in thousandths of the item's strength unit.
    pub dose_milli: i64,
    pub route: String,
    pub frequency: Frequency,
    /// Wall-clock times "HH:MM"; empty takes the ward's defaults for the frequency.
    pub times: Vec<chrono::NaiveTime>,
    pub prn_max_per_day: Option<i64>,
    /// For PRN: the least time between two doses, minutes.
    pub prn_min_interval_min: Option<i64>,
    /// A generic prescription: the ATC code prescribed; `item_code` is then
    /// the preferred product.
    pub generic_atc: Option<String>,
    /// Other products allowed for a generic prescription (same ATC code and
    /// strength unit); empty allows every such product of the formulary.
    pub alternatives: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub indication: String,
    pub prescriber: String,
    pub time_critical: bool,
}

/// The statuses a prescription change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRule {
    /// Only an active prescription is suspended.
    OnlyActiveSuspended,
    /// Only a suspended prescription is resumed.
    OnlySuspendedResumed,
    /// It has already ended or was replaced by a newer version.
    AlreadyEnded,
    /// An ended prescription is not changed; prescribe anew.
    EndedNotChanged,
}

/// Why entering or changing a prescription is refused, with its facts.
#[derive(Debug)]
pub enum PrescribeError {
    Forbidden(Forbidden),
    UnknownPatient(String),
    UnknownItem(String),
    /// The product was retired from the formulary (the code, when).
    Retired {
        code: String,
        on: String,
    },
    Unknown(i64),
    /// The status as stored, and the rule it breaks.
    WrongStatus {
        id: i64,
        status: String,
        rule: StatusRule,
    },
    DoseNotPositive,
    /// A dose above [`MAX_DOSE_MILLI`] (a slip of the keyboard).
    DoseTooLarge,
    /// More PRN doses in 24 h than [`MAX_PRN_PER_DAY`].
    PrnMaxTooLarge,
    /// A prescription longer than [`crate::ops::items::MAX_DAYS`] days.
    TooLong,
    /// Route, indication and prescriber are required.
    DetailsRequired,
    EndBeforeStart,
    PrnMaxRequired,
    PrnIntervalRange,
    /// PRN limits (most doses in 24 h, least interval) on a prescription
    /// of a regular frequency: they belong to PRN prescriptions only.
    PrnLimitsNotPrn {
        frequency: Frequency,
    },
    Times(TimesError),
    AlternativesNeedGeneric,
    /// The product's form is not given by the route.
    FormNotForRoute {
        code: String,
        form: String,
        route: String,
    },
    WrongAtc {
        code: String,
        atc: Option<String>,
        prescribed: String,
    },
    WrongUnit {
        code: String,
        unit: String,
        prescribed: String,
    },
    ChangeReasonRequired,
    /// A prescription stays with its patient.
    OtherPatient,
    /// The changed prescription would end before it takes effect.
    EndsBeforeEffect,
    Store(rusqlite::Error),
}

impl std::error::Error for PrescribeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrescribeError::Forbidden(e) => Some(e),
            PrescribeError::Times(e) => Some(e),
            PrescribeError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for PrescribeError {
    fn from(e: rusqlite::Error) -> Self {
        PrescribeError::Store(e)
    }
}

fn may_enter(actor: &Actor) -> Result<(), PrescribeError> {
    allow(actor, Operation::EnterPrescription).map_err(PrescribeError::Forbidden)
}

/// The largest dose, in thousandths of the strength unit: the receipt's
/// bound on units.
pub const MAX_DOSE_MILLI: i64 = crate::ops::items::MAX_UNITS * 1000;
/// The most PRN doses a prescription may allow in 24 h (one every half hour).
pub const MAX_PRN_PER_DAY: i64 = 48;

fn check(rx: &NewRx) -> Result<(), PrescribeError> {
    if rx.dose_milli <= 0 {
        return Err(PrescribeError::DoseNotPositive);
    }
    if rx.dose_milli > MAX_DOSE_MILLI {
        return Err(PrescribeError::DoseTooLarge);
    }
    if rx.prn_max_per_day.is_some_and(|m| m > MAX_PRN_PER_DAY) {
        return Err(PrescribeError::PrnMaxTooLarge);
    }
    let longest = chrono::TimeDelta::try_days(crate::ops::items::MAX_DAYS);
    if let (Some(end), Some(longest)) = (rx.end, longest)
        && end.signed_duration_since(rx.start) > longest
    {
        return Err(PrescribeError::TooLong);
    }
    if rx.route.trim().is_empty()
        || rx.indication.trim().is_empty()
        || rx.prescriber.trim().is_empty()
    {
        return Err(PrescribeError::DetailsRequired);
    }
    if rx.end.is_some_and(|e| e <= rx.start) {
        return Err(PrescribeError::EndBeforeStart);
    }
    if rx.frequency != Frequency::Prn
        && (rx.prn_max_per_day.is_some() || rx.prn_min_interval_min.is_some())
    {
        return Err(PrescribeError::PrnLimitsNotPrn {
            frequency: rx.frequency,
        });
    }
    if rx.frequency == Frequency::Prn && rx.prn_max_per_day.is_none_or(|m| m < 1) {
        return Err(PrescribeError::PrnMaxRequired);
    }
    if rx
        .prn_min_interval_min
        .is_some_and(|m| !(0..=7 * 24 * 60).contains(&m))
    {
        return Err(PrescribeError::PrnIntervalRange);
    }
    if !rx.times.is_empty() && !matches!(rx.frequency, Frequency::Prn | Frequency::Stat) {
        super::ward::check_times(rx.frequency, &rx.times).map_err(PrescribeError::Times)?;
    }
    if !rx.alternatives.is_empty() && rx.generic_atc.is_none() {
        return Err(PrescribeError::AlternativesNeedGeneric);
    }
    Ok(())
}

fn event(
    tx: &Connection,
    rx_id: i64,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    comment: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO prescription_events (prescription_id, at, user_id, action, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![rx_id, instant_to_text(now), actor.user_id, action, comment],
    )?;
    Ok(())
}

fn insert_rx(
    tx: &Connection,
    rx: &NewRx,
    actor: &Actor,
    now: DateTime<Utc>,
    version: i64,
    supersedes: Option<i64>,
) -> Result<i64, PrescribeError> {
    let patient: i64 = tx
        .query_row("SELECT id FROM patients WHERE mrn = ?1", [&rx.mrn], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| PrescribeError::UnknownPatient(rx.mrn.clone()))?;
    let (item, unit): (i64, String) = tx
        .query_row("SELECT id, COALESCE(strength_unit, dose_unit) FROM items WHERE code = ?1 COLLATE NOCASE", [&rx.item_code], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| PrescribeError::UnknownItem(rx.item_code.clone()))?;
    let times = if rx.times.is_empty() {
        let ward: Option<i64> = tx.query_row(
            "SELECT ward_id FROM patients WHERE id = ?1",
            [patient],
            |r| r.get(0),
        )?;
        match ward {
            Some(w) => super::ward::ward_times(tx, w, rx.frequency)?,
            None => rx.frequency.default_times(),
        }
    } else {
        rx.times.clone()
    };
    let times = times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect::<Vec<_>>()
        .join(",");
    let products = match rx.generic_atc.as_deref() {
        None => {
            fits_route(tx, item, &rx.route)?;
            vec![item]
        }
        Some(atc) => generic_products(tx, atc.trim(), item, &unit, &rx.route, &rx.alternatives)?,
    };
    tx.execute(
        "INSERT INTO prescriptions (patient_id, item_id, dose_milli, dose_unit, route, frequency, times, prn_max_per_day, start_at, end_at,
                                    indication, prescriber, time_critical, status, version, supersedes_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'awaiting_validation', ?14, ?15, ?16, ?17)",
        params![
            patient,
            item,
            rx.dose_milli,
            unit,
            rx.route.trim(),
            rx.frequency.as_ref(),
            times,
            rx.prn_max_per_day,
            instant_to_text(rx.start),
            rx.end.map(instant_to_text),
            rx.indication.trim(),
            rx.prescriber.trim(),
            rx.time_critical,
            version,
            supersedes,
            actor.user_id,
            instant_to_text(now),
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE prescriptions SET generic_atc = ?2, prn_min_interval_min = ?3 WHERE id = ?1",
        params![
            id,
            rx.generic_atc
                .as_deref()
                .map(|a| a.trim().to_ascii_uppercase()),
            rx.prn_min_interval_min
        ],
    )?;
    if rx.generic_atc.is_some() {
        for p in products {
            tx.execute(
                "INSERT INTO prescription_products (prescription_id, item_id) VALUES (?1, ?2)",
                params![id, p],
            )?;
        }
    }
    Ok(id)
}

/// The products a generic prescription allows: the preferred one first,
/// each of the prescribed ATC code and the same strength unit.
/// A product's form must suit the prescribed route (no infusion "PO").
fn fits_route(tx: &Connection, item: i64, route: &str) -> Result<(), PrescribeError> {
    let (code, form): (String, String) =
        tx.query_row("SELECT code, form FROM items WHERE id = ?1", [item], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if crate::domain::form_fits_route(&form, route) {
        Ok(())
    } else {
        Err(PrescribeError::FormNotForRoute {
            code,
            form,
            route: route.trim().to_string(),
        })
    }
}

fn generic_products(
    tx: &Connection,
    atc: &str,
    preferred: i64,
    unit: &str,
    route: &str,
    alternatives: &[String],
) -> Result<Vec<i64>, PrescribeError> {
    let atc = atc.to_ascii_uppercase();
    let of = |id: i64| -> rusqlite::Result<(String, Option<String>, String)> {
        tx.query_row(
            "SELECT code, atc, COALESCE(strength_unit, dose_unit) FROM items WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    };
    let fits = |id: i64| -> Result<(), PrescribeError> {
        let (code, item_atc, item_unit) = of(id)?;
        if item_atc.as_deref() != Some(atc.as_str()) {
            return Err(PrescribeError::WrongAtc {
                code,
                atc: item_atc,
                prescribed: atc.clone(),
            });
        }
        if item_unit != unit {
            return Err(PrescribeError::WrongUnit {
                code,
                unit: item_unit,
                prescribed: unit.to_string(),
            });
        }
        fits_route(tx, id, route)
    };
    fits(preferred)?;
    let mut out = vec![preferred];
    if alternatives.is_empty() {
        let mut stmt = tx.prepare(
            "SELECT id, form FROM items WHERE atc = ?1 AND COALESCE(strength_unit, dose_unit) = ?2 AND id <> ?3 ORDER BY code",
        )?;
        let ids = stmt
            .query_map(params![atc, unit, preferred], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(
            ids.into_iter()
                .filter(|(_, form)| crate::domain::form_fits_route(form, route))
                .map(|(id, _)| id),
        );
    } else {
        for code in alternatives {
            let id: i64 = tx
                .query_row(
                    "SELECT id FROM items WHERE code = ?1 COLLATE NOCASE",
                    [code.trim()],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| PrescribeError::UnknownItem(code.trim().to_string()))?;
            fits(id)?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// The products a prescription may be given with: its item, or for a
/// generic prescription every allowed product (the preferred one first).
pub fn allowed_products(conn: &Connection, rx_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pp.item_id FROM prescription_products pp JOIN prescriptions r ON r.id = pp.prescription_id
         WHERE pp.prescription_id = ?1 ORDER BY pp.item_id <> r.item_id, pp.item_id",
    )?;
    let mut out = stmt
        .query_map([rx_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if out.is_empty() {
        out = conn.query_row(
            "SELECT item_id FROM prescriptions WHERE id = ?1",
            [rx_id],
            |r| Ok(vec![r.get(0)?]),
        )?;
    }
    Ok(out)
}

/// Enters a prescription; it awaits the pharmacist's validation.
pub fn prescribe(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    rx: &NewRx,
) -> Result<i64, PrescribeError> {
    may_enter(actor)?;
    check(rx)?;
    store.write(|tx| prescribe_in(tx, actor, now, rx, None))
}

/// Enters a checked prescription inside the caller's transaction (the
/// admission feed enters many at once, all or none); `source` says where
/// it came from in its history.
pub(crate) fn prescribe_in(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    rx: &NewRx,
    source: Option<&str>,
) -> Result<i64, PrescribeError> {
    check(rx)?;
    let retired: Option<String> = tx
        .query_row(
            "SELECT retired_at FROM items WHERE code = ?1 COLLATE NOCASE",
            [&rx.item_code],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(on) = retired {
        return Err(PrescribeError::Retired {
            code: rx.item_code.clone(),
            on,
        });
    }
    let id = insert_rx(tx, rx, actor, now, 1, None)?;
    let by = format!("prescribed by {}", rx.prescriber.trim());
    let comment = match source {
        Some(src) => format!("{by}; {src}"),
        None => by,
    };
    event(tx, id, now, actor, "created", Some(&comment))?;
    Ok(id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString, strum::AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum StatusChange {
    Suspend,
    Resume,
    Stop,
}

/// Suspends, resumes or stops a prescription, with the reason, attributed.
pub fn change_status(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    rx_id: i64,
    change: StatusChange,
    reason: &str,
) -> Result<(), PrescribeError> {
    may_enter(actor)?;
    if reason.trim().is_empty() {
        return Err(PrescribeError::ChangeReasonRequired);
    }
    store.write(|tx| change_status_in(tx, actor, now, rx_id, change, reason))
}

/// A status change within the caller's transaction (a discharge stops
/// every prescription of the patient with it). The caller checks the role.
pub(crate) fn change_status_in(
    tx: &rusqlite::Transaction,
    actor: &Actor,
    now: DateTime<Utc>,
    rx_id: i64,
    change: StatusChange,
    reason: &str,
) -> Result<(), PrescribeError> {
    let status: String = tx
        .query_row(
            "SELECT status FROM prescriptions WHERE id = ?1",
            [rx_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(PrescribeError::Unknown(rx_id))?;
    let (allowed, to, action, rule): (&[&str], &str, &str, StatusRule) = match change {
        StatusChange::Suspend => (
            &["active"],
            "suspended",
            "suspended",
            StatusRule::OnlyActiveSuspended,
        ),
        StatusChange::Resume => (
            &["suspended"],
            "active",
            "resumed",
            StatusRule::OnlySuspendedResumed,
        ),
        StatusChange::Stop => (
            &["active", "suspended", "awaiting_validation"],
            "stopped",
            "stopped",
            StatusRule::AlreadyEnded,
        ),
    };
    if !allowed.contains(&status.as_str()) {
        return Err(PrescribeError::WrongStatus {
            id: rx_id,
            status,
            rule,
        });
    }
    // A stopped prescription ends now; its past doses stay on the record.
    tx.execute(
        "UPDATE prescriptions SET status = ?2,
             end_at = CASE WHEN ?2 = 'stopped' AND (end_at IS NULL OR end_at > ?3) THEN ?3 ELSE end_at END
         WHERE id = ?1",
        params![rx_id, to, instant_to_text(now)],
    )?;
    event(tx, rx_id, now, actor, action, Some(reason.trim()))?;
    Ok(())
}

/// Changes a prescription: the current version is kept as superseded and a
/// new version, awaiting validation, takes its place. `edit` receives the
/// current values and returns the new ones.
pub fn edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    rx_id: i64,
    change: impl FnOnce(NewRx) -> NewRx,
    reason: &str,
) -> Result<i64, PrescribeError> {
    may_enter(actor)?;
    store.write(|tx| {
        let current = tx
            .query_row(
                "SELECT p.mrn, i.code, r.dose_milli, r.route, r.frequency, r.times, r.prn_max_per_day, r.start_at, r.end_at,
                        r.indication, r.prescriber, r.time_critical, r.status, r.version, r.prn_min_interval_min, r.generic_atc
                 FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id WHERE r.id = ?1",
                [rx_id],
                |r| {
                    Ok((
                        NewRx {
                            mrn: r.get(0)?,
                            item_code: r.get(1)?,
                            dose_milli: r.get(2)?,
                            route: r.get(3)?,
                            frequency: r.get::<_, String>(4)?.parse().unwrap_or(Frequency::Qd),
                            times: r
                                .get::<_, String>(5)?
                                .split(',')
                                .filter_map(|t| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
                                .collect(),
                            prn_max_per_day: r.get(6)?,
                            start: crate::domain::instant_from_text(&r.get::<_, String>(7)?).unwrap_or(now),
                            end: r.get::<_, Option<String>>(8)?.as_deref().and_then(crate::domain::instant_from_text),
                            indication: r.get(9)?,
                            prescriber: r.get(10)?,
                            time_critical: r.get(11)?,
                            prn_min_interval_min: r.get(14)?,
                            generic_atc: r.get(15)?,
                            alternatives: vec![],
                        },
                        r.get::<_, String>(12)?,
                        r.get::<_, i64>(13)?,
                    ))
                },
            )
            .optional()?
            .ok_or(PrescribeError::Unknown(rx_id))?;
        let (mut old, status, version) = current;
        // PRN limits stored with a regular frequency were never applied:
        // they are not carried into the new version.
        if old.frequency != Frequency::Prn {
            old.prn_max_per_day = None;
            old.prn_min_interval_min = None;
        }
        if old.generic_atc.is_some() {
            let mut stmt = tx.prepare(
                "SELECT i.code FROM prescription_products pp JOIN items i ON i.id = pp.item_id
                 WHERE pp.prescription_id = ?1 AND i.code <> ?2 ORDER BY i.code",
            )?;
            old.alternatives = stmt.query_map(params![rx_id, old.item_code], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        }
        if !matches!(status.as_str(), "active" | "suspended" | "awaiting_validation") {
            return Err(PrescribeError::WrongStatus { id: rx_id, status, rule: StatusRule::EndedNotChanged });
        }
        let mut new = change(old.clone());
        if new.mrn != old.mrn {
            return Err(PrescribeError::OtherPatient);
        }
        // A prescription already running changes from now on: the doses due
        // before stay with the old version (with what was given of them).
        let from = if status == "awaiting_validation" { new.start } else { new.start.max(now) };
        if new.end.is_some_and(|e| e <= from) {
            return Err(PrescribeError::EndsBeforeEffect);
        }
        new.start = from;
        check(&new)?;
        let id = insert_rx(tx, &new, actor, now, version + 1, Some(rx_id))?;
        tx.execute(
            "UPDATE prescriptions SET status = 'superseded', end_at = CASE WHEN end_at IS NULL OR end_at > ?2 THEN ?2 ELSE end_at END
             WHERE id = ?1",
            params![rx_id, instant_to_text(from)],
        )?;
        event(tx, rx_id, now, actor, "edited", Some(&format!("replaced by version {} (prescription {id}): {}", version + 1, reason.trim())))?;
        event(tx, id, now, actor, "created", Some(&format!("version {} of prescription {rx_id}: {}", version + 1, reason.trim())))?;
        Ok(id)
    })
}
