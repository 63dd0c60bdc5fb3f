//! The records as HL7 FHIR R4, for the hospital systems that read them: a
//! `Bundle` of type `collection` holding the patients and their allergies,
//! the places and storage locations, the medicines (and the lots given),
//! the staff, every prescription version, every documented dose, and the
//! supply requests and deliveries (domain.md §12).
//!
//! Each resource's `id` is stable (made from the record's own id), and
//! every reference points at a resource inside the bundle.

mod admit;
mod build;
mod read;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

pub use admit::{AdmitError, Admitted, FhirProblem, Why, admit};
pub use build::{ATC, GTIN, MRN, route_code};

/// What the export covers.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Prescriptions in force from this day on, doses and supplies from it.
    pub since: Option<DateTime<Utc>>,
    /// One patient's records only (no supplies).
    pub patient: Option<String>,
}

impl Scope {
    pub fn since_day(day: NaiveDate, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
        crate::domain::schedule::local_instant(&zone, day, chrono::NaiveTime::MIN)
    }

    fn since_text(&self) -> Option<String> {
        self.since.map(crate::domain::types::instant_to_text)
    }
}

/// Why nothing was exported.
#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("no patient has the MRN {0}")]
    UnknownPatient(String),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

/// What went into the bundle, by resource type.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Exported {
    pub counts: std::collections::BTreeMap<String, usize>,
}

/// The bundle of the records the scope covers.
pub fn export(
    conn: &rusqlite::Connection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<(Value, Exported), FhirError> {
    let r = read::records(conn, scope)?;
    if let Some(mrn) = &scope.patient
        && r.patients.is_empty()
    {
        return Err(FhirError::UnknownPatient(mrn.clone()));
    }
    let resources = build::resources(&r);
    let mut exported = Exported::default();
    for res in &resources {
        let kind = res["resourceType"].as_str().unwrap_or_default().to_string();
        *exported.counts.entry(kind).or_default() += 1;
    }
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|res| {
            let url = format!(
                "{}{}/{}",
                build::BASE,
                res["resourceType"].as_str().unwrap_or_default(),
                res["id"].as_str().unwrap_or_default()
            );
            json!({ "fullUrl": url, "resource": res })
        })
        .collect();
    let bundle = json!({
        "resourceType": "Bundle",
        "id": format!("wardstock-{}", now.format("%Y%m%d%H%M%S")),
        "meta": { "lastUpdated": crate::domain::types::instant_to_text(now) },
        "type": "collection",
        "timestamp": crate::domain::types::instant_to_text(now),
        "entry": entries,
    });
    Ok((bundle, exported))
}
