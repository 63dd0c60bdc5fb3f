//! The words of the FHIR admission feed: each bad resource with what to
//! do, and the refusals of a whole bundle.

use std::fmt;

use crate::ops::fhir::{AdmitError, FhirProblem, Why};
use crate::t;

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = match self {
            Why::NoMrn => t!("fhir.why.no_mrn", system = crate::ops::fhir::MRN),
            Why::NoName => t!("fhir.why.no_name").into(),
            Why::NoWard { mrn } => t!("fhir.why.no_ward", mrn = mrn),
            Why::PatientNotInBundle => t!("fhir.why.patient_not_in_bundle").into(),
            Why::NoSubstance => t!("fhir.why.no_substance").into(),
            Why::NoItem => t!("fhir.why.no_item").into(),
            Why::NoDose => t!("fhir.why.no_dose").into(),
            Why::NoRoute => t!("fhir.why.no_route").into(),
            Why::BadTiming => t!("fhir.why.bad_timing").into(),
            Why::NoStart => t!("fhir.why.no_start").into(),
            Why::NoIndication => t!("fhir.why.no_indication").into(),
            Why::NoPrescriber => t!("fhir.why.no_prescriber").into(),
            Why::Rule { text } => text.clone(),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for FhirProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.path)
        };
        f.write_str(&t!(
            "fhir.why.at",
            index = self.index,
            path = path,
            why = self.problem.to_string()
        ))
    }
}

impl fmt::Display for AdmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = match self {
            AdmitError::NotAllowed(role) => {
                t!("fhir.import.not_allowed", role = role.label())
            }
            AdmitError::NotJson(e) => t!("fhir.import.not_json", error = e),
            AdmitError::NotBundle => t!("fhir.import.not_bundle").into(),
            AdmitError::Resources(p) => t!("fhir.import.bad", n = p.len()),
            AdmitError::Store(e) => super::refusals::database(e),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for AdmitError {}
