//! The admission feed: a hospital system's FHIR R4 bundle read in —
//! patients (with their ward and bed from an `Encounter`), allergies, and
//! the prescriptions in force. All or nothing: every resource is checked,
//! each bad one reported by its entry's index and path, and nothing is
//! written unless all are good.
//!
//! Patients and allergies go through the spreadsheet import's own rules
//! (the rows are built from the resources); prescriptions through the
//! prescription's, and each lands in the pharmacist's validation queue,
//! whatever the sending system called it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use serde_json::Value;

use super::build::{ATC, GTIN, MRN};
use crate::domain::Role;
use crate::domain::schedule::Frequency;
use crate::ops::Actor;
use crate::ops::import::{self, ImportError, Kind};
use crate::ops::rx::NewRx;
use crate::store::Store;

/// One bad resource: its entry's index in the bundle, its type, the path
/// of the element, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FhirProblem {
    pub index: usize,
    pub resource: String,
    pub path: String,
    pub problem: Why,
}

/// What is wrong with a resource (words in `i18n::fhir`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    NoMrn,
    NoName,
    NoWard {
        mrn: String,
    },
    PatientNotInBundle,
    NoSubstance,
    NoItem,
    NoDose,
    NoRoute,
    BadTiming,
    NoStart,
    NoIndication,
    NoPrescriber,
    /// A rule of the spreadsheet import or of prescribing, in its words.
    Rule {
        text: String,
    },
}

/// Why the bundle was not read in.
#[derive(Debug)]
pub enum AdmitError {
    /// Only the administrator brings in a feed (as the spreadsheets).
    NotAllowed(Role),
    NotJson(String),
    NotBundle,
    /// Bad resources: nothing was written.
    Resources(Vec<FhirProblem>),
    Store(rusqlite::Error),
}

impl From<rusqlite::Error> for AdmitError {
    fn from(e: rusqlite::Error) -> Self {
        AdmitError::Store(e)
    }
}

/// What the feed did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Admitted {
    pub dry_run: bool,
    pub patients_added: usize,
    pub patients_changed: usize,
    pub patients_unchanged: usize,
    pub allergies_added: usize,
    pub allergies_unchanged: usize,
    /// Prescriptions entered, each awaiting the pharmacist's validation.
    pub prescriptions: usize,
    /// Prescriptions of the feed already here, in force: not entered again.
    pub prescriptions_already: usize,
    /// Resources of the bundle not read: other types, allergies no longer
    /// active, prescriptions no longer in force.
    pub skipped: usize,
}

/// A resource of the bundle and where it is.
struct At<'a> {
    index: usize,
    kind: &'a str,
    r: &'a Value,
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// The code of a coding of `system` in a CodeableConcept.
fn coding(cc: &Value, system: &str) -> Option<String> {
    cc["coding"]
        .as_array()?
        .iter()
        .find(|c| c["system"] == system)
        .and_then(|c| text(&c["code"]))
}

/// The identifier of `system`, or (for the MRN) the usual one.
fn identifier(r: &Value, system: &str) -> Option<String> {
    let ids = r["identifier"].as_array()?;
    ids.iter()
        .find(|i| i["system"] == system)
        .and_then(|i| text(&i["value"]))
}

/// CSV of rows (the spreadsheet import reads it): header then lines.
fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

struct Feed<'a> {
    entries: Vec<At<'a>>,
    /// "Type/id" (and each entry's fullUrl) → entry.
    by_ref: HashMap<String, usize>,
    problems: Vec<FhirProblem>,
    /// Patients no longer in hospital (`active` false): not admitted, nor
    /// anything of theirs.
    discharged: std::collections::HashSet<usize>,
}

impl<'a> Feed<'a> {
    fn bad(&mut self, at: usize, path: &str, problem: Why) {
        let e = &self.entries[at];
        self.problems.push(FhirProblem {
            index: e.index,
            resource: e.kind.to_string(),
            path: path.to_string(),
            problem,
        });
    }

    /// Whether a resource's patient is one the feed does not admit.
    fn of_discharged(&self, reference: &Value) -> bool {
        reference["reference"]
            .as_str()
            .and_then(|r| self.by_ref.get(r))
            .is_some_and(|k| self.discharged.contains(k))
    }

    fn resolve(&self, reference: &Value) -> Option<&At<'a>> {
        let r = reference["reference"].as_str()?;
        self.by_ref.get(r).map(|&k| &self.entries[k])
    }
}

/// Reads a bundle in as `actor`.
pub fn admit(
    store: &mut Store,
    actor: &Actor,
    bytes: &[u8],
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<Admitted, AdmitError> {
    if actor.role != Role::Admin {
        return Err(AdmitError::NotAllowed(actor.role));
    }
    let bundle: Value =
        serde_json::from_slice(bytes).map_err(|e| AdmitError::NotJson(e.to_string()))?;
    if bundle["resourceType"] != "Bundle" || !bundle["entry"].is_array() {
        return Err(AdmitError::NotBundle);
    }
    let list = bundle["entry"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut feed = Feed {
        entries: Vec::new(),
        by_ref: HashMap::new(),
        problems: Vec::new(),
        discharged: Default::default(),
    };
    for (index, e) in list.iter().enumerate() {
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap_or("");
        let k = feed.entries.len();
        if let Some(id) = r["id"].as_str() {
            feed.by_ref.insert(format!("{kind}/{id}"), k);
        }
        if let Some(url) = e["fullUrl"].as_str() {
            feed.by_ref.insert(url.to_string(), k);
        }
        feed.entries.push(At { index, kind, r });
    }
    let mut done = Admitted {
        dry_run,
        ..Admitted::default()
    };
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Patients, then allergies, through the spreadsheet import's rules.
    let (rows, lines) = patient_rows(&mut feed, &tx);
    done.skipped += feed.discharged.len();
    if !rows.is_empty() {
        let bytes = csv(
            &["mrn", "name", "date_of_birth", "ward", "bed", "sex", "gsrn"],
            &rows,
        );
        match import::apply_in(&tx, actor, Kind::Patients, &bytes, now) {
            Ok((s, problems)) => {
                done.patients_added = s.added;
                done.patients_changed = s.changed;
                done.patients_unchanged = s.unchanged;
                for p in problems {
                    let at = lines[(p.line as usize).saturating_sub(2)];
                    let path = match p.column.as_str() {
                        "mrn" | "gsrn" => "identifier",
                        "name" => "name",
                        "date_of_birth" => "birthDate",
                        "sex" => "gender",
                        _ => "Encounter.location",
                    };
                    feed.bad(
                        at,
                        path,
                        Why::Rule {
                            text: p.problem.to_string(),
                        },
                    );
                }
            }
            Err(e) => return Err(import_failed(e)),
        }
    }
    let (rows, lines, skipped) = allergy_rows(&mut feed);
    done.skipped += skipped;
    if !rows.is_empty() {
        let bytes = csv(&["mrn", "substance", "kind", "atc", "reaction"], &rows);
        match import::apply_in(&tx, actor, Kind::Allergies, &bytes, now) {
            Ok((s, problems)) => {
                done.allergies_added = s.added;
                done.allergies_unchanged = s.unchanged + s.changed;
                for p in problems {
                    let at = lines[(p.line as usize).saturating_sub(2)];
                    let path = match p.column.as_str() {
                        "mrn" => "patient",
                        "atc" | "substance" => "code",
                        "kind" => "type",
                        _ => "reaction",
                    };
                    feed.bad(
                        at,
                        path,
                        Why::Rule {
                            text: p.problem.to_string(),
                        },
                    );
                }
            }
            Err(e) => return Err(import_failed(e)),
        }
    }
    // Prescriptions in force, each to be validated by a pharmacist here.
    for k in 0..feed.entries.len() {
        if feed.entries[k].kind != "MedicationRequest" {
            continue;
        }
        match prescription(&mut feed, k, &tx) {
            // The same order already here (the feed sent again): not
            // entered twice, which would double the doses.
            Some(Ok(rx)) if already_prescribed(&tx, &rx)? => done.prescriptions_already += 1,
            Some(Ok(rx)) => {
                let source = format!("from the admission feed (entry {})", feed.entries[k].index);
                match crate::ops::rx::prescribe_in(&tx, actor, now, &rx, Some(&source)) {
                    Ok(_) => done.prescriptions += 1,
                    Err(e) => feed.bad(
                        k,
                        "",
                        Why::Rule {
                            text: e.to_string(),
                        },
                    ),
                }
            }
            Some(Err(())) => {}
            None => done.skipped += 1,
        }
    }
    done.skipped += feed
        .entries
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                "Patient" | "AllergyIntolerance" | "MedicationRequest"
            )
        })
        .count();
    if !feed.problems.is_empty() {
        tx.rollback()?;
        let mut problems = feed.problems;
        problems.sort_by_key(|p| p.index);
        return Err(AdmitError::Resources(problems));
    }
    if dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(done)
}

/// Whether the patient already has this order in force (or awaiting
/// validation): same item, dose, route, frequency, times and start.
fn already_prescribed(conn: &Connection, rx: &NewRx) -> rusqlite::Result<bool> {
    let times: Vec<String> = rx
        .times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect();
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
                        WHERE p.mrn = ?1 AND i.code = ?2 COLLATE NOCASE AND r.dose_milli = ?3 AND r.route = ?4
                          AND r.frequency = ?5 AND (?6 = '' OR r.times = ?6) AND r.start_at = ?7
                          AND r.status IN ('active', 'awaiting_validation', 'suspended'))",
        rusqlite::params![
            rx.mrn,
            rx.item_code,
            rx.dose_milli,
            rx.route,
            rx.frequency.as_ref(),
            times.join(","),
            crate::domain::types::instant_to_text(rx.start)
        ],
        |r| r.get(0),
    )
}

fn import_failed(e: ImportError) -> AdmitError {
    match e {
        ImportError::Store(e) => AdmitError::Store(e),
        ImportError::NotAllowed { role, .. } => AdmitError::NotAllowed(role),
        other => AdmitError::NotJson(other.to_string()),
    }
}

/// The ward (a place code) and bed of the patient's current stay: the
/// latest `Encounter` of the patient not finished, its ward `Location` and
/// its bed.
fn stay(feed: &Feed, patient: &str) -> Option<(String, String)> {
    let mut best: Option<(String, String, String)> = None;
    for e in feed.entries.iter().filter(|e| e.kind == "Encounter") {
        let r = e.r;
        let subject = r["subject"]["reference"].as_str().unwrap_or("");
        let mine = feed
            .by_ref
            .get(subject)
            .map(|&k| feed.entries[k].r["id"].as_str())
            == Some(Some(patient));
        if !mine
            || matches!(
                r["status"].as_str(),
                Some("finished" | "cancelled" | "entered-in-error")
            )
        {
            continue;
        }
        let mut ward = None;
        let mut bed = None;
        for l in r["location"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let physical = coding(
                &l["physicalType"],
                "http://terminology.hl7.org/CodeSystem/location-physical-type",
            );
            match (physical.as_deref(), feed.resolve(&l["location"])) {
                (Some("bd"), _) => bed = text(&l["location"]["display"]),
                (_, Some(loc)) => {
                    ward = identifier(loc.r, "urn:wardstock:place")
                        .or_else(|| loc.r["alias"][0].as_str().map(String::from))
                        .or_else(|| text(&loc.r["name"]))
                }
                _ => {}
            }
        }
        let start = r["period"]["start"].as_str().unwrap_or("").to_string();
        if let Some(w) = ward
            && best.as_ref().is_none_or(|b| start >= b.2)
        {
            best = Some((w, bed.unwrap_or_default(), start));
        }
    }
    best.map(|(w, b, _)| (w, b))
}

/// The patient rows, with the entry each came from.
fn patient_rows(feed: &mut Feed, conn: &Connection) -> (Vec<Vec<String>>, Vec<usize>) {
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for k in 0..feed.entries.len() {
        if feed.entries[k].kind != "Patient" {
            continue;
        }
        let r = feed.entries[k].r;
        if r["active"] == false {
            feed.discharged.insert(k);
            continue;
        }
        let Some(mrn) = identifier(r, MRN).or_else(|| {
            r["identifier"]
                .as_array()
                .and_then(|ids| ids.iter().find(|i| i["use"] == "usual"))
                .and_then(|i| text(&i["value"]))
        }) else {
            feed.bad(k, "identifier", Why::NoMrn);
            continue;
        };
        let name = text(&r["name"][0]["text"]).or_else(|| {
            let given: Vec<String> = r["name"][0]["given"]
                .as_array()
                .map(|g| g.iter().filter_map(text).collect())
                .unwrap_or_default();
            let family = text(&r["name"][0]["family"]);
            let whole = given
                .into_iter()
                .chain(family)
                .collect::<Vec<_>>()
                .join(" ");
            (!whole.is_empty()).then_some(whole)
        });
        let Some(name) = name else {
            feed.bad(k, "name", Why::NoName);
            continue;
        };
        let id = r["id"].as_str().unwrap_or("").to_string();
        // A patient already here keeps their ward and bed when the feed
        // has no stay for them.
        let (ward, bed) = match stay(feed, &id) {
            Some(wb) => wb,
            None => match conn
                .query_row(
                    "SELECT w.code, COALESCE(p.bed, '') FROM patients p JOIN places w ON w.id = p.ward_id WHERE p.mrn = ?1",
                    [&mrn],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )
                .optional()
            {
                Ok(Some(wb)) => wb,
                _ => {
                    feed.bad(k, "Encounter.location", Why::NoWard { mrn });
                    continue;
                }
            },
        };
        rows.push(vec![
            mrn,
            name,
            text(&r["birthDate"]).unwrap_or_default(),
            ward,
            bed,
            text(&r["gender"]).unwrap_or_default(),
            identifier(r, "https://www.gs1.org/gsrn").unwrap_or_default(),
        ]);
        lines.push(k);
    }
    (rows, lines)
}

/// The MRN of the patient a resource refers to (in the bundle).
fn subject_mrn(feed: &Feed, reference: &Value) -> Option<String> {
    let p = feed.resolve(reference)?;
    (p.kind == "Patient")
        .then(|| identifier(p.r, MRN))
        .flatten()
}

/// The allergy rows of the active allergies, with their entries, and how
/// many were not active.
fn allergy_rows(feed: &mut Feed) -> (Vec<Vec<String>>, Vec<usize>, usize) {
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut skipped = 0;
    for k in 0..feed.entries.len() {
        if feed.entries[k].kind != "AllergyIntolerance" {
            continue;
        }
        let r = feed.entries[k].r;
        let status = coding(
            &r["clinicalStatus"],
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
        );
        if feed.of_discharged(&r["patient"])
            || matches!(status.as_deref(), Some("inactive" | "resolved"))
            || coding(
                &r["verificationStatus"],
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            )
            .as_deref()
                == Some("refuted")
        {
            skipped += 1;
            continue;
        }
        let Some(mrn) = subject_mrn(feed, &r["patient"]) else {
            feed.bad(k, "patient", Why::PatientNotInBundle);
            continue;
        };
        let substance = text(&r["code"]["text"]).or_else(|| {
            r["code"]["coding"]
                .as_array()
                .and_then(|c| c.iter().find_map(|c| text(&c["display"])))
        });
        let Some(substance) = substance else {
            feed.bad(k, "code", Why::NoSubstance);
            continue;
        };
        let contraindication = r["note"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["text"] == "contraindication"));
        let kind = match (r["type"].as_str(), contraindication) {
            (_, true) => "contraindication",
            (Some("intolerance"), _) => "intolerance",
            _ => "allergy",
        };
        rows.push(vec![
            mrn,
            substance,
            kind.to_string(),
            coding(&r["code"], ATC).unwrap_or_default(),
            text(&r["reaction"][0]["manifestation"][0]["text"]).unwrap_or_default(),
        ]);
        lines.push(k);
    }
    (rows, lines, skipped)
}

/// The item a `Medication` names here: by GTIN, by wardstock item code,
/// else the one item of its ATC code.
fn item_of(conn: &Connection, med: &Value) -> Option<String> {
    let code = &med["code"];
    for c in code["coding"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let value = text(&c["code"]).unwrap_or_default();
        let found = if c["system"] == GTIN {
            conn.query_row(
                "SELECT i.code FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE g.gtin = ?1",
                [&value],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
        } else if c["system"] == "urn:wardstock:item" {
            conn.query_row(
                "SELECT code FROM items WHERE code = ?1 COLLATE NOCASE",
                [&value],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    let atc = coding(code, ATC)?;
    let codes: Vec<String> = conn
        .prepare("SELECT code FROM items WHERE atc = ?1 AND retired_at IS NULL")
        .and_then(|mut st| st.query_map([&atc], |r| r.get(0))?.collect())
        .unwrap_or_default();
    (codes.len() == 1).then(|| codes[0].clone())
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    crate::domain::types::instant_from_text(s).or_else(|| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    })
}

/// The frequency of a dosage's timing: our own word when the sender used
/// it, else the repeat read as one.
fn frequency(d: &Value) -> Option<Frequency> {
    if d["asNeededBoolean"] == true {
        return Some(Frequency::Prn);
    }
    if let Some(f) = d["timing"]["code"]["text"]
        .as_str()
        .and_then(|t| t.parse().ok())
    {
        return Some(f);
    }
    let rep = &d["timing"]["repeat"];
    let n = rep["frequency"].as_i64().unwrap_or(1);
    let period = rep["period"].as_f64().unwrap_or(1.0) as i64;
    Some(match (n, period, rep["periodUnit"].as_str()?) {
        (1, 1, "d") => Frequency::Qd,
        (2, 1, "d") => Frequency::Bid,
        (3, 1, "d") => Frequency::Tid,
        (4, 1, "d") => Frequency::Qid,
        (1, 4, "h") | (6, 1, "d") => Frequency::Q4h,
        (1, 6, "h") => Frequency::Q6h,
        (1, 8, "h") => Frequency::Q8h,
        (1, 12, "h") => Frequency::Q12h,
        (1, 1, "wk") => Frequency::Weekly,
        _ => return None,
    })
}

/// A prescription in force, read: `None` when it is not in force (history),
/// `Some(Err)` when it is bad (reported).
fn prescription(feed: &mut Feed, k: usize, conn: &Connection) -> Option<Result<NewRx, ()>> {
    let r = feed.entries[k].r;
    if !matches!(r["status"].as_str(), Some("active" | "draft"))
        || feed.of_discharged(&r["subject"])
    {
        return None;
    }
    let mut bad = Vec::new();
    let mrn = subject_mrn(feed, &r["subject"]);
    if mrn.is_none() {
        bad.push(("subject", Why::PatientNotInBundle));
    }
    let (item, generic_atc) = if r["medicationReference"].is_object() {
        let item = feed
            .resolve(&r["medicationReference"])
            .filter(|m| m.kind == "Medication")
            .and_then(|m| item_of(conn, m.r));
        (item, None)
    } else {
        let atc = coding(&r["medicationCodeableConcept"], ATC);
        let item = atc.as_ref().and_then(|a| {
            conn.query_row(
                "SELECT code FROM items WHERE atc = ?1 AND retired_at IS NULL ORDER BY code LIMIT 1",
                [a],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .ok()
            .flatten()
        });
        (item, atc)
    };
    if item.is_none() {
        bad.push(("medication", Why::NoItem));
    }
    let d = &r["dosageInstruction"][0];
    let dose = &d["doseAndRate"][0]["doseQuantity"];
    let dose_milli = dose["value"].as_f64().map(|v| (v * 1000.0).round() as i64);
    if dose_milli.is_none_or(|m| m <= 0) {
        bad.push((
            "dosageInstruction[0].doseAndRate[0].doseQuantity",
            Why::NoDose,
        ));
    }
    let route = text(&d["route"]["text"]).or_else(|| {
        let snomed = coding(&d["route"], "http://snomed.info/sct")?;
        ["PO", "IV", "IM", "SC", "SL", "PR", "TOP", "TD", "INH", "NG"]
            .into_iter()
            .find(|r| super::build::route_code(r).is_some_and(|c| c.0 == snomed))
            .map(String::from)
    });
    if route.is_none() {
        bad.push(("dosageInstruction[0].route", Why::NoRoute));
    }
    let freq = frequency(d);
    if freq.is_none() {
        bad.push(("dosageInstruction[0].timing", Why::BadTiming));
    }
    let times: Vec<NaiveTime> = d["timing"]["repeat"]["timeOfDay"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t.as_str())
                .filter_map(|t| NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
                .collect()
        })
        .unwrap_or_default();
    let bounds = &d["timing"]["repeat"]["boundsPeriod"];
    let start = instant(&bounds["start"]).or_else(|| instant(&r["authoredOn"]));
    if start.is_none() {
        bad.push((
            "dosageInstruction[0].timing.repeat.boundsPeriod.start",
            Why::NoStart,
        ));
    }
    let prn = freq == Some(Frequency::Prn);
    let per_dose = dose_milli.unwrap_or(1).max(1);
    let prn_max = prn
        .then(|| d["maxDosePerPeriod"]["numerator"]["value"].as_f64())
        .flatten()
        .map(|v| ((v * 1000.0).round() as i64) / per_dose);
    let prn_min = (prn && d["timing"]["repeat"]["periodUnit"] == "min")
        .then(|| d["timing"]["repeat"]["period"].as_f64().map(|p| p as i64))
        .flatten();
    let indication = text(&r["reasonCode"][0]["text"])
        .or_else(|| text(&d["additionalInstruction"][0]["text"]))
        .or_else(|| text(&d["text"]));
    if indication.is_none() {
        bad.push(("reasonCode", Why::NoIndication));
    }
    let prescriber = text(&r["requester"]["display"]).or_else(|| {
        feed.resolve(&r["requester"])
            .and_then(|p| text(&p.r["name"][0]["text"]))
    });
    if prescriber.is_none() {
        bad.push(("requester", Why::NoPrescriber));
    }
    if !bad.is_empty() {
        for (path, why) in bad {
            feed.bad(k, path, why);
        }
        return Some(Err(()));
    }
    let (
        Some(mrn),
        Some(item_code),
        Some(dose_milli),
        Some(route),
        Some(frequency),
        Some(start),
        Some(indication),
        Some(prescriber),
    ) = (
        mrn, item, dose_milli, route, freq, start, indication, prescriber,
    )
    else {
        return Some(Err(()));
    };
    Some(Ok(NewRx {
        mrn,
        item_code,
        dose_milli,
        route,
        frequency,
        times: if prn { Vec::new() } else { times },
        prn_max_per_day: prn_max,
        prn_min_interval_min: prn_min,
        generic_atc,
        alternatives: Vec::new(),
        start,
        end: instant(&bounds["end"]),
        indication,
        prescriber,
        time_critical: false,
    }))
}
