//! Recording a dose at the bedside: the seven rights are checked on what the
//! nurse scanned and confirmed; a given dose takes its units from ward stock
//! (the scanned lot, or first-expired-first-out marked "not scanned"),
//! lot-traced to the patient, in one transaction with the record.

use chrono::{DateTime, Local, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use strum::{AsRefStr, Display, EnumString};
use thiserror::Error;

use super::Actor;
use crate::domain::fefo;
use crate::domain::roles::{Operation, may};
use crate::domain::schedule::{self, Frequency};
use crate::domain::seven_rights::{self, AtBedside, Expected, Failure};
use crate::domain::validation::{self, Finding};
use crate::domain::{LotStatus, MovementKind, instant_to_text};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};

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
    /// The MRN read from the wristband (or confirmed by name and birth date).
    pub patient_mrn: Option<String>,
    /// The scanned pack: its item and lot; `None` when the pack could not be scanned.
    pub pack: Option<(i64, String)>,
    pub units: i64,
    pub route_confirmed: bool,
    pub timing_reason: Option<String>,
    /// Why a dose was held, refused, missed or only partly given.
    pub reason: Option<String>,
    pub witness: Option<Actor>,
    pub double_check: Option<Actor>,
}

#[derive(Debug, Error)]
pub enum DoseError {
    #[error("{user} is a {role} and may not give doses")]
    Forbidden { user: String, role: &'static str },
    #[error("no prescription {0}")]
    Unknown(i64),
    #[error("prescription {0} is {1}: only an active prescription is given")]
    NotActive(i64, String),
    #[error("the dose of {0} is already recorded")]
    AlreadyRecorded(String),
    #[error("{}", .0.iter().map(Failure::message).collect::<Vec<_>>().join("; "))]
    Rights(Vec<Failure>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Stock(#[from] super::stock::StockError),
    #[error("database error: {0}")]
    Store(#[from] rusqlite::Error),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub administration_id: i64,
    pub outcome: Outcome,
    pub lot: Option<String>,
    pub units: i64,
    pub scanned: bool,
    /// The urgent request raised when the dose could not be given for lack of supply.
    pub urgent_order: Option<i64>,
}

struct RxRow {
    status: String,
    mrn: String,
    patient: String,
    patient_id: i64,
    ward: i64,
    item: i64,
    dose_milli: i64,
    strength_milli: i64,
    route: String,
    freq: Frequency,
    time_critical: bool,
    controlled: bool,
    high_alert: bool,
}

fn rx_row(conn: &Connection, id: i64) -> Result<RxRow, DoseError> {
    conn.query_row(
        "SELECT r.status, p.mrn, p.name, p.id, p.ward_id, r.item_id, r.dose_milli, COALESCE(i.strength_milli, 0), r.route,
                r.frequency, r.time_critical, i.controlled, i.high_alert
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
            })
        },
    )
    .optional()?
    .ok_or(DoseError::Unknown(id))
}

/// Records a dose. A given (or partly given) dose passes the seven rights
/// first; any failure refuses it with every reason, and nothing is written.
pub fn administer(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    d: &DoseInput,
) -> Result<Recorded, DoseError> {
    if !may(actor.role, Operation::Administer) {
        return Err(DoseError::Forbidden {
            user: actor.username.clone(),
            role: actor.role.label(),
        });
    }
    let reason = d.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    store.write(|tx| {
        let rx = rx_row(tx, d.rx_id)?;
        if rx.status != "active" {
            return Err(DoseError::NotActive(d.rx_id, rx.status.replace('_', " ")));
        }
        let when = d.scheduled_at.map(|t| t.with_timezone(&Local).format("%d %b %H:%M").to_string()).unwrap_or_else(|| "now (PRN)".into());
        if let Some(at) = d.scheduled_at {
            let done: Option<i64> = tx
                .query_row("SELECT id FROM administrations WHERE prescription_id = ?1 AND scheduled_at = ?2", params![d.rx_id, instant_to_text(at)], |r| r.get(0))
                .optional()?;
            if done.is_some() {
                return Err(DoseError::AlreadyRecorded(when));
            }
        }
        let record = |tx: &Connection, lot: Option<i64>, units: Option<i64>, scanned: bool, movement: Option<i64>| -> rusqlite::Result<i64> {
            tx.execute(
                "INSERT INTO administrations (prescription_id, scheduled_at, recorded_at, user_id, outcome, lot_id, qty, reason, witness_id, scanned, double_check_id, movement_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    d.rx_id,
                    d.scheduled_at.map(instant_to_text),
                    instant_to_text(now),
                    actor.user_id,
                    d.outcome.as_ref(),
                    lot,
                    units,
                    reason.or(d.timing_reason.as_deref()),
                    d.witness.as_ref().map(|w| w.user_id),
                    scanned,
                    d.double_check.as_ref().map(|w| w.user_id),
                    movement,
                ],
            )?;
            Ok(tx.last_insert_rowid())
        };
        match d.outcome {
            Outcome::Held | Outcome::Refused | Outcome::Missed => {
                if reason.is_none() {
                    return Err(DoseError::Refused(format!("a dose {} needs the reason", d.outcome.as_ref().replace('_', " "))));
                }
                let id = record(tx, None, None, false, None)?;
                Ok(Recorded { administration_id: id, outcome: d.outcome, lot: None, units: 0, scanned: false, urgent_order: None })
            }
            Outcome::NotGivenSupply => {
                // The pharmacy gets an urgent request for the missing doses.
                let item = super::stock::item_by_id(tx, rx.item)?;
                let units = if rx.strength_milli > 0 { (rx.dose_milli + rx.strength_milli - 1) / rx.strength_milli } else { 1 };
                let note = format!("URGENT: dose of {when} not given for lack of supply (RX-{})", d.rx_id);
                let order = super::stock::insert_transfer(tx, actor, now, rx.ward, &[(item, units.max(1))], Some(&note))?;
                let id = record(tx, None, None, false, None)?;
                Ok(Recorded { administration_id: id, outcome: d.outcome, lot: None, units: 0, scanned: false, urgent_order: Some(order) })
            }
            Outcome::Given | Outcome::PartiallyGiven => {
                let today = now.with_timezone(&Local).date_naive();
                // The lot: the scanned one, or first-expired-first-out on the ward.
                let (pack_item, lot_id, scanned) = match &d.pack {
                    Some((item, number)) => {
                        let id: Option<i64> = tx
                            .query_row("SELECT id FROM lots WHERE item_id = ?1 AND lot_number = ?2", params![item, number], |r| r.get(0))
                            .optional()?;
                        (Some(*item), id, true)
                    }
                    None => {
                        let plan = fefo::pick(&crate::store::queries::lot_stock(tx, rx.ward, rx.item)?, d.units, today);
                        (Some(rx.item), plan.picks.first().map(|p| p.lot_id), false)
                    }
                };
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
                // The allergy findings of validation, and whether the pharmacist accepted them.
                let facts = super::rx::facts(tx, d.rx_id, now).map_err(|e| DoseError::Refused(e.to_string()))?;
                let allergy_matches: Vec<String> = validation::findings(&facts)
                    .into_iter()
                    .filter_map(|f| match f {
                        Finding::Allergy { substance, .. } => Some(substance),
                        _ => None,
                    })
                    .collect();
                let accepted: Option<String> = tx
                    .query_row(
                        "SELECT findings FROM prescription_events WHERE prescription_id = ?1 AND action = 'validated' ORDER BY id DESC LIMIT 1",
                        [d.rx_id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                let allergy_overridden = accepted.is_some_and(|f| f.contains("\"finding\":\"allergy\""));
                let expected = Expected {
                    mrn: rx.mrn.clone(),
                    patient_name: rx.patient.clone(),
                    items: vec![rx.item],
                    dose_milli: rx.dose_milli,
                    strength_milli: if d.outcome == Outcome::PartiallyGiven { 0 } else { rx.strength_milli },
                    route: rx.route.clone(),
                    scheduled_at: d.scheduled_at,
                    window: schedule::window(rx.freq, rx.time_critical),
                    allergy_matches,
                    allergy_overridden,
                    controlled: rx.controlled,
                    high_alert: rx.high_alert,
                };
                let bedside = AtBedside {
                    patient_mrn: d.patient_mrn.clone(),
                    item: pack_item,
                    lot_status,
                    lot_expiry,
                    units: d.units,
                    route_confirmed: d.route_confirmed,
                    now,
                    today,
                    timing_reason: d.timing_reason.clone(),
                    nurse: actor.user_id,
                    witness: d.witness.as_ref().map(|w| w.user_id),
                    double_check: d.double_check.as_ref().map(|w| w.user_id),
                };
                let failures = seven_rights::check(&expected, &bedside);
                if !failures.is_empty() {
                    return Err(DoseError::Rights(failures));
                }
                if d.outcome == Outcome::PartiallyGiven && reason.is_none() {
                    return Err(DoseError::Refused("a partly given dose needs the reason".into()));
                }
                let lot_id = lot_id.ok_or_else(|| DoseError::Refused("no usable lot of this drug on the ward".into()))?;
                let have: i64 = tx
                    .query_row("SELECT COALESCE(qty, 0) FROM balances WHERE place_id = ?1 AND lot_id = ?2", params![rx.ward, lot_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or(0);
                if have < d.units {
                    return Err(DoseError::Refused(format!(
                        "the ward holds {have} unit(s) of lot {}: not enough for this dose — record \"not given, supply\" to alert the pharmacy",
                        lot_number.clone().unwrap_or_default()
                    )));
                }
                let movement = ledger::append(
                    tx,
                    &NewMovement {
                        at: now,
                        user_id: actor.user_id,
                        kind: MovementKind::Administration,
                        item_id: rx.item,
                        lot_id,
                        from_place: Some(rx.ward),
                        to_place: None,
                        qty: d.units,
                        reason: (!scanned).then(|| "not scanned".to_string()),
                        patient_id: Some(rx.patient_id),
                        order_ref: Some(format!("RX-{}", d.rx_id)),
                    },
                )?;
                let id = record(tx, Some(lot_id), Some(d.units), scanned, Some(movement))?;
                Ok(Recorded { administration_id: id, outcome: d.outcome, lot: lot_number, units: d.units, scanned, urgent_order: None })
            }
        }
    })
}
