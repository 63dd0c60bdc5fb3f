//! Each kind of file, row by row: checked, matched by its code, MRN or user
//! name, and added or changed through the reference-data functions.

use super::*;

mod items;
mod people;
mod places;
mod stock;

/// The rows as they are kept in the reference history (what a row was and
/// became).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct ItemRow {
    code: String,
    name: String,
    generic_name: String,
    atc: Option<String>,
    form: String,
    strength_milli: Option<i64>,
    strength_unit: Option<String>,
    dose_unit: String,
    units_per_pack: i64,
    gtins: Vec<String>,
    unit_price_cents: i64,
    storage: String,
    controlled: bool,
    high_alert: bool,
    supplier: Option<String>,
    max_daily_milli: Option<i64>,
    in_use_days: Option<i64>,
    per_patient: bool,
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct PlaceRow {
    code: String,
    name: String,
    kind: String,
    transport_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct LocationRow {
    place: String,
    code: String,
    name: String,
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct SupplierRow {
    code: String,
    name: String,
    lead_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct UserRow {
    name: String,
    full_name: String,
    role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct PatientRow {
    mrn: String,
    name: String,
    date_of_birth: String,
    ward: Option<String>,
    bed: Option<String>,
    sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsrn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct AllergyRow {
    mrn: String,
    substance: String,
    kind: String,
    atc: Option<String>,
    reaction: Option<String>,
}
