//! Reference data: places, items with their GTINs, users, patients, stock
//! policies. Each function validates its input and writes within the
//! caller's transaction, so a batch (an import, the demo) lands whole.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Actor;
use crate::store::Store;

use crate::domain::{ItemKind, PlaceKind, Role, StorageClass, gtin};

mod admin;
mod locations;
mod patients;

pub use admin::*;
pub use locations::*;
pub use patients::*;

/// What kind of reference data a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Place,
    Location,
    Item,
    Gtin,
    User,
    PatientMrn,
}

/// Why reference data is refused, with its facts.
#[derive(Debug)]
pub enum RefDataError {
    Gtin {
        code: String,
        source: gtin::GtinError,
    },
    Duplicate {
        what: RefKind,
        code: String,
    },
    PlaceNeedsCodeAndName,
    BadAtc {
        item: String,
        atc: String,
    },
    /// A multi-dose pack needs its content and at least 1 day of use once opened.
    MultiDosePack {
        item: String,
    },
    /// Units per pack at least 1 and the price not negative.
    PackOrPrice {
        item: String,
    },
    UserName,
    Levels {
        safety: i64,
        max: i64,
    },
    Pin {
        user: String,
        source: super::auth::PinError,
    },
    Store(rusqlite::Error),
}

impl std::error::Error for RefDataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RefDataError::Gtin { source, .. } => Some(source),
            RefDataError::Pin { source, .. } => Some(source),
            RefDataError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for RefDataError {
    fn from(e: rusqlite::Error) -> Self {
        RefDataError::Store(e)
    }
}

fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn dup<'a>(what: RefKind, code: &'a str) -> impl FnOnce(rusqlite::Error) -> RefDataError + 'a {
    move |e| {
        if unique_violation(&e) {
            RefDataError::Duplicate {
                what,
                code: code.to_string(),
            }
        } else {
            RefDataError::Store(e)
        }
    }
}

pub fn add_place(
    conn: &Connection,
    code: &str,
    name: &str,
    kind: PlaceKind,
    transport_minutes: i64,
) -> Result<i64, RefDataError> {
    if code.trim().is_empty() || name.trim().is_empty() {
        return Err(RefDataError::PlaceNeedsCodeAndName);
    }
    conn.execute(
        "INSERT INTO places (code, name, kind, transport_minutes) VALUES (?1, ?2, ?3, ?4)",
        params![code, name, kind.as_ref(), transport_minutes],
    )
    .map_err(dup(RefKind::Place, code))?;
    Ok(conn.last_insert_rowid())
}

pub fn add_location(
    conn: &Connection,
    place_id: i64,
    code: &str,
    name: &str,
    kind: &str,
) -> Result<i64, RefDataError> {
    if code.trim().is_empty() || name.trim().is_empty() {
        return Err(RefDataError::PlaceNeedsCodeAndName);
    }
    conn.execute(
        "INSERT INTO locations (place_id, code, name, kind) VALUES (?1, ?2, ?3, ?4)",
        params![place_id, code, name, kind],
    )
    .map_err(dup(RefKind::Location, code))?;
    let id = conn.last_insert_rowid();
    // A place's first location is where its stock arrives until another is
    // chosen; a first shelf or trolley takes over from a fridge or safe.
    conn.execute(
        "UPDATE places SET default_location_id = ?2 WHERE id = ?1 AND (default_location_id IS NULL
             OR (?3 IN ('shelf', 'trolley')
                 AND (SELECT kind FROM locations WHERE id = default_location_id) NOT IN ('shelf', 'trolley')))",
        params![place_id, id, kind],
    )?;
    Ok(id)
}

/// A formulary entry, as in `assets/formulary.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NewItem {
    pub code: String,
    pub name: String,
    pub generic_name: String,
    pub atc: Option<String>,
    pub form: String,
    pub strength_milli: Option<i64>,
    pub strength_unit: Option<String>,
    pub dose_unit: String,
    pub units_per_pack: i64,
    pub gtin: String,
    pub unit_price_cents: i64,
    pub storage: StorageClass,
    #[serde(deserialize_with = "bool_01")]
    pub controlled: bool,
    #[serde(deserialize_with = "bool_01")]
    pub high_alert: bool,
    pub kind: ItemKind,
    pub max_daily_milli: Option<i64>,
    /// A multi-dose pack (vial, bottle, pen): days it may be used once opened.
    #[serde(default)]
    pub in_use_days: Option<i64>,
    /// A multi-dose pack kept for one patient (pens, eye drops, injectable vials).
    #[serde(default, deserialize_with = "bool_01")]
    pub per_patient: bool,
}

fn bool_01<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.trim() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" | "" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "expected 0 or 1, found {other:?}"
        ))),
    }
}

fn atc_ok(atc: &str) -> bool {
    let b = atc.as_bytes();
    b.len() == 7
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3..5].iter().all(u8::is_ascii_uppercase)
        && b[5..7].iter().all(u8::is_ascii_digit)
}

/// The rules every item keeps, added or changed: a well-formed ATC code, a
/// multi-dose pack with its in-use days and strength, a pack of at least
/// one unit and a price not below zero.
fn check_item(it: &NewItem) -> Result<(), RefDataError> {
    if let Some(atc) = it.atc.as_deref().filter(|a| !a.is_empty())
        && !atc_ok(atc)
    {
        return Err(RefDataError::BadAtc {
            item: it.code.clone(),
            atc: atc.to_string(),
        });
    }
    if it
        .in_use_days
        .is_some_and(|d| !(1..=crate::ops::items::MAX_DAYS).contains(&d))
        || (it.in_use_days.is_some() && it.strength_milli.is_none_or(|s| s <= 0))
    {
        return Err(RefDataError::MultiDosePack {
            item: it.code.clone(),
        });
    }
    if !(1..=crate::ops::items::MAX_UNITS).contains(&it.units_per_pack) || it.unit_price_cents < 0 {
        return Err(RefDataError::PackOrPrice {
            item: it.code.clone(),
        });
    }
    Ok(())
}

pub fn add_item(
    conn: &Connection,
    it: &NewItem,
    supplier_lead_days: i64,
) -> Result<i64, RefDataError> {
    let gtin14 = gtin::normalize(&it.gtin).map_err(|source| RefDataError::Gtin {
        code: it.code.clone(),
        source,
    })?;
    check_item(it)?;
    conn.execute(
        "INSERT INTO items (code, name, generic_name, atc, form, strength_milli, strength_unit, dose_unit, units_per_pack,
                            unit_price_cents, storage, controlled, high_alert, kind, max_daily_milli, supplier_lead_days, in_use_days, per_patient)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            it.code,
            it.name,
            it.generic_name,
            it.atc.as_deref().filter(|a| !a.is_empty()),
            it.form,
            it.strength_milli,
            it.strength_unit.as_deref().filter(|u| !u.is_empty()),
            it.dose_unit,
            it.units_per_pack,
            it.unit_price_cents,
            it.storage.as_ref(),
            it.controlled,
            it.high_alert,
            it.kind.as_ref(),
            it.max_daily_milli,
            supplier_lead_days,
            it.in_use_days,
            it.per_patient,
        ],
    )
    .map_err(dup(RefKind::Item, &it.code))?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO item_gtins (gtin, item_id) VALUES (?1, ?2)",
        params![gtin14, id],
    )
    .map_err(dup(RefKind::Gtin, &it.gtin))?;
    Ok(id)
}

pub fn add_user(
    conn: &Connection,
    username: &str,
    full_name: &str,
    role: Role,
    pin_hash: &str,
) -> Result<i64, RefDataError> {
    if username.trim().is_empty() || username.contains(char::is_whitespace) {
        return Err(RefDataError::UserName);
    }
    conn.execute(
        "INSERT INTO users (username, full_name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)",
        params![username, full_name, role.as_ref(), pin_hash],
    )
    .map_err(dup(RefKind::User, username))?;
    Ok(conn.last_insert_rowid())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatient {
    pub mrn: String,
    pub name: String,
    pub dob: chrono::NaiveDate,
    pub ward_id: Option<i64>,
    pub bed: Option<String>,
}

pub fn add_patient(conn: &Connection, p: &NewPatient) -> Result<i64, RefDataError> {
    conn.execute(
        "INSERT INTO patients (mrn, name, dob, ward_id, bed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            p.mrn,
            p.name,
            p.dob.format("%Y-%m-%d").to_string(),
            p.ward_id,
            p.bed
        ],
    )
    .map_err(dup(RefKind::PatientMrn, &p.mrn))?;
    Ok(conn.last_insert_rowid())
}

pub fn add_allergy(
    conn: &Connection,
    patient_id: i64,
    substance: &str,
    atc_prefix: Option<&str>,
    kind: &str,
    reaction: Option<&str>,
) -> Result<i64, RefDataError> {
    conn.execute(
        "INSERT INTO patient_allergies (patient_id, substance, atc_prefix, kind, reaction) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![patient_id, substance, atc_prefix, kind, reaction],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn set_policy(
    conn: &Connection,
    place_id: i64,
    item_id: i64,
    safety_stock: i64,
    max_stock: i64,
) -> Result<(), RefDataError> {
    let most = crate::ops::items::MAX_UNITS;
    if !(0..=most).contains(&safety_stock)
        || !(0..=most).contains(&max_stock)
        || (max_stock > 0 && max_stock < safety_stock)
    {
        return Err(RefDataError::Levels {
            safety: safety_stock,
            max: max_stock,
        });
    }
    conn.execute(
        "INSERT INTO stock_policies (place_id, item_id, safety_stock, max_stock) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (place_id, item_id) DO UPDATE SET safety_stock = excluded.safety_stock, max_stock = excluded.max_stock",
        params![place_id, item_id, safety_stock, max_stock],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Changes to existing reference data, each attributed in `reference_history`.

/// One change of reference data, kept in history: who, when, and the row
/// before (none when added) and after, as JSON.
pub struct Change<'a> {
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_id: i64,
    /// `item`, `place`, `location`, `supplier`, `user`, `patient`, `allergy`.
    pub kind: &'a str,
    pub code: &'a str,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

/// Records a change of reference data in its history.
pub fn record_change(conn: &Connection, c: &Change) -> Result<(), RefDataError> {
    conn.prepare_cached(
        "INSERT INTO reference_history (at, user_id, kind, code, action, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        crate::domain::instant_to_text(c.at),
        c.user_id,
        c.kind,
        c.code,
        if c.before.is_some() { "changed" } else { "added" },
        c.before,
        c.after
    ])?;
    Ok(())
}

pub fn update_place(
    conn: &Connection,
    id: i64,
    name: &str,
    transport_minutes: i64,
) -> Result<(), RefDataError> {
    if name.trim().is_empty() {
        return Err(RefDataError::PlaceNeedsCodeAndName);
    }
    conn.execute(
        "UPDATE places SET name = ?2, transport_minutes = ?3 WHERE id = ?1",
        params![id, name, transport_minutes],
    )?;
    Ok(())
}

pub fn update_location(
    conn: &Connection,
    id: i64,
    name: &str,
    kind: &str,
) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE locations SET name = ?2, kind = ?3 WHERE id = ?1",
        params![id, name, kind],
    )?;
    Ok(())
}

/// A supplier's contact as kept: trimmed, nothing for blank.
pub fn supplier_contact(contact: Option<&str>) -> Option<String> {
    contact
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

pub fn add_supplier(
    conn: &Connection,
    code: &str,
    name: &str,
    lead_days: i64,
    contact: Option<&str>,
) -> Result<i64, RefDataError> {
    conn.execute(
        "INSERT INTO suppliers (code, name, lead_days, contact) VALUES (?1, ?2, ?3, ?4)",
        params![code, name, lead_days, supplier_contact(contact)],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A supplier's name, lead time and contact; the items ordered from it
/// take the new lead time.
pub fn update_supplier(
    conn: &Connection,
    id: i64,
    name: &str,
    lead_days: i64,
    contact: Option<&str>,
) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE suppliers SET name = ?2, lead_days = ?3, contact = ?4 WHERE id = ?1",
        params![id, name, lead_days, supplier_contact(contact)],
    )?;
    conn.execute(
        "UPDATE items SET supplier_lead_days = ?2 WHERE supplier_id = ?1",
        params![id, lead_days],
    )?;
    Ok(())
}

/// Every field of an item but its code and GTINs (see [`link_gtin`]).
pub fn update_item(conn: &Connection, id: i64, it: &NewItem) -> Result<(), RefDataError> {
    check_item(it)?;
    conn.execute(
        "UPDATE items SET name = ?2, generic_name = ?3, atc = ?4, form = ?5, strength_milli = ?6, strength_unit = ?7,
                dose_unit = ?8, units_per_pack = ?9, unit_price_cents = ?10, storage = ?11, controlled = ?12,
                high_alert = ?13, kind = ?14, max_daily_milli = ?15, in_use_days = ?16, per_patient = ?17
         WHERE id = ?1",
        params![
            id,
            it.name,
            it.generic_name,
            it.atc.as_deref().filter(|a| !a.is_empty()),
            it.form,
            it.strength_milli,
            it.strength_unit.as_deref().filter(|u| !u.is_empty()),
            it.dose_unit,
            it.units_per_pack,
            it.unit_price_cents,
            it.storage.as_ref(),
            it.controlled,
            it.high_alert,
            it.kind.as_ref(),
            it.max_daily_milli,
            it.in_use_days,
            it.per_patient,
        ],
    )?;
    Ok(())
}

/// The supplier an item is ordered from (its lead time then counts).
pub fn set_item_supplier(
    conn: &Connection,
    item_id: i64,
    supplier: Option<(i64, i64)>,
) -> Result<(), RefDataError> {
    match supplier {
        Some((sid, lead)) => conn.execute(
            "UPDATE items SET supplier_id = ?2, supplier_lead_days = ?3 WHERE id = ?1",
            params![item_id, sid, lead],
        )?,
        None => conn.execute(
            "UPDATE items SET supplier_id = NULL WHERE id = ?1",
            params![item_id],
        )?,
    };
    Ok(())
}

/// Links a GTIN (any length; its check digit verified) to an item.
pub fn link_gtin(
    conn: &Connection,
    item_id: i64,
    item_code: &str,
    g: &str,
) -> Result<(), RefDataError> {
    let gtin14 = gtin::normalize(g).map_err(|source| RefDataError::Gtin {
        code: item_code.to_string(),
        source,
    })?;
    conn.execute(
        "INSERT INTO item_gtins (gtin, item_id) VALUES (?1, ?2)",
        params![gtin14, item_id],
    )
    .map_err(dup(RefKind::Gtin, g))?;
    Ok(())
}

/// Unlinks a GTIN (GTIN-14 form) from an item.
pub fn unlink_gtin(conn: &Connection, item_id: i64, gtin14: &str) -> Result<(), RefDataError> {
    conn.execute(
        "DELETE FROM item_gtins WHERE gtin = ?1 AND item_id = ?2",
        params![gtin14, item_id],
    )?;
    Ok(())
}

/// A user's full name and role (the PIN is changed by a reset, never here).
pub fn update_user(
    conn: &Connection,
    id: i64,
    full_name: &str,
    role: Role,
) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE users SET full_name = ?2, role = ?3 WHERE id = ?1",
        params![id, full_name, role.as_ref()],
    )?;
    Ok(())
}

pub fn update_patient(conn: &Connection, id: i64, p: &NewPatient) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE patients SET name = ?2, dob = ?3, ward_id = ?4, bed = ?5 WHERE id = ?1",
        params![
            id,
            p.name,
            p.dob.format("%Y-%m-%d").to_string(),
            p.ward_id,
            p.bed
        ],
    )?;
    Ok(())
}

pub fn update_allergy(
    conn: &Connection,
    id: i64,
    atc_prefix: Option<&str>,
    kind: &str,
    reaction: Option<&str>,
) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE patient_allergies SET atc_prefix = ?2, kind = ?3, reaction = ?4 WHERE id = ?1",
        params![id, atc_prefix, kind, reaction],
    )?;
    Ok(())
}
