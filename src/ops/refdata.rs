//! Reference data: places, items with their GTINs, users, patients, stock
//! policies. Each function validates its input and writes within the
//! caller's transaction, so a batch (an import, the demo) lands whole.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Actor;
use crate::store::Store;

use crate::domain::{ItemKind, PlaceKind, Role, StorageClass, gtin};

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
    conn.execute(
        "INSERT INTO locations (place_id, code, name, kind) VALUES (?1, ?2, ?3, ?4)",
        params![place_id, code, name, kind],
    )
    .map_err(dup(RefKind::Location, code))?;
    Ok(conn.last_insert_rowid())
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
    if it.in_use_days.is_some_and(|d| d < 1)
        || (it.in_use_days.is_some() && it.strength_milli.is_none_or(|s| s <= 0))
    {
        return Err(RefDataError::MultiDosePack {
            item: it.code.clone(),
        });
    }
    if it.units_per_pack < 1 || it.unit_price_cents < 0 {
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
    if safety_stock < 0 || max_stock < 0 || (max_stock > 0 && max_stock < safety_stock) {
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

pub fn add_supplier(
    conn: &Connection,
    code: &str,
    name: &str,
    lead_days: i64,
) -> Result<i64, RefDataError> {
    conn.execute(
        "INSERT INTO suppliers (code, name, lead_days) VALUES (?1, ?2, ?3)",
        params![code, name, lead_days],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A supplier's name and lead time; the items ordered from it take the new
/// lead time.
pub fn update_supplier(
    conn: &Connection,
    id: i64,
    name: &str,
    lead_days: i64,
) -> Result<(), RefDataError> {
    conn.execute(
        "UPDATE suppliers SET name = ?2, lead_days = ?3 WHERE id = ?1",
        params![id, name, lead_days],
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

// ---------------------------------------------------------------------------
// The administrator's operations: each checks the role, changes one record
// in one transaction and keeps the change in `reference_history`.

/// Why an administrator's change of reference data is refused.
#[derive(Debug)]
pub enum AdminError {
    /// Only an administrator keeps the site's people and products.
    NotAdmin {
        role: Role,
    },
    UnknownUser(String),
    UnknownItem(String),
    UnknownPlace(String),
    UnknownSupplier(String),
    UnknownPatient(String),
    /// The only active administrator cannot be deactivated or given
    /// another role: nobody could then keep the site.
    LastAdmin {
        user: String,
    },
    /// An administrator does not deactivate their own account.
    OwnAccount,
    /// The GTIN is already linked to another item.
    GtinElsewhere {
        gtin: String,
        item: String,
        name: String,
    },
    /// The GTIN is not linked to this item.
    GtinNotLinked {
        gtin: String,
        item: String,
    },
    /// The place still holds stock: move or count it out first.
    PlaceHoldsStock {
        place: String,
        units: i64,
    },
    /// Patients lie on the ward: move or discharge them first.
    PlaceHasPatients {
        place: String,
        patients: i64,
    },
    Closed {
        place: String,
    },
    NotAWard {
        place: String,
    },
    /// Admitting a patient who is already on a ward.
    AlreadyAdmitted {
        mrn: String,
        ward: String,
    },
    Discharged {
        mrn: String,
    },
    NoAllergy {
        mrn: String,
        substance: String,
    },
    /// Numbers that cannot be: a negative lead or transport time.
    Negative {
        field: &'static str,
    },
    SupplierExists(String),
    /// Admission, transfer and discharge are an administrator's or a nurse manager's.
    PatientsNotAllowed {
        role: Role,
    },
    /// Allergies are recorded by an administrator, a nurse manager or a pharmacist.
    AllergiesNotAllowed {
        role: Role,
    },
    /// A supplier needs a code (one word) and a name.
    SupplierCodeName,
    /// A value that is not one of the formulary's (a form, a unit).
    Choice {
        field: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
    Data(RefDataError),
    Pin(super::auth::PinError),
    Rx(super::rx::PrescribeError),
    Store(rusqlite::Error),
}

impl std::error::Error for AdminError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdminError::Data(e) => Some(e),
            AdminError::Pin(e) => Some(e),
            AdminError::Rx(e) => Some(e),
            AdminError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for AdminError {
    fn from(e: rusqlite::Error) -> Self {
        AdminError::Store(e)
    }
}

impl From<RefDataError> for AdminError {
    fn from(e: RefDataError) -> Self {
        match e {
            RefDataError::Store(e) => AdminError::Store(e),
            e => AdminError::Data(e),
        }
    }
}

fn admin_only(actor: &Actor) -> Result<(), AdminError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AdminError::NotAdmin { role: actor.role })
    }
}

fn history<T: Serialize>(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    kind: &str,
    code: &str,
    before: Option<&T>,
    after: &T,
) -> Result<(), AdminError> {
    let before = before.map(|b| serde_json::to_string(b).unwrap_or_default());
    let after = serde_json::to_string(after).unwrap_or_default();
    record_change(
        conn,
        &Change {
            at: now,
            user_id: actor.user_id,
            kind,
            code,
            before: before.as_deref(),
            after: &after,
        },
    )?;
    Ok(())
}

/// A one-time PIN of six digits from the operating system's randomness.
pub fn one_time_pin() -> String {
    use rand::Rng;
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

// --- users -----------------------------------------------------------------

/// A user as kept in history (never the PIN hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserState {
    pub name: String,
    pub full_name: String,
    pub role: String,
    pub active: bool,
    pub must_change_pin: bool,
    pub locked: bool,
}

fn user_state(
    conn: &Connection,
    username: &str,
    now: DateTime<Utc>,
) -> Result<(i64, UserState), AdminError> {
    conn.query_row(
        "SELECT id, username, full_name, role, active, must_change_pin, locked_until FROM users WHERE username = ?1 COLLATE NOCASE",
        [username.trim()],
        |r| {
            let until: Option<String> = r.get(6)?;
            Ok((
                r.get(0)?,
                UserState {
                    name: r.get(1)?,
                    full_name: r.get(2)?,
                    role: r.get(3)?,
                    active: r.get(4)?,
                    must_change_pin: r.get(5)?,
                    locked: until
                        .as_deref()
                        .and_then(crate::domain::instant_from_text)
                        .is_some_and(|u| u > now),
                },
            ))
        },
    )
    .optional()?
    .ok_or_else(|| AdminError::UnknownUser(username.trim().to_string()))
}

/// Refuses leaving the site without an active administrator.
fn keep_an_admin(conn: &Connection, id: i64, name: &str) -> Result<(), AdminError> {
    let others: i64 = conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?1",
        [id],
        |r| r.get(0),
    )?;
    if others == 0 {
        return Err(AdminError::LastAdmin {
            user: name.to_string(),
        });
    }
    Ok(())
}

/// Adds a user with a one-time PIN (returned, to be given to them once),
/// which they must change at their first sign-in.
pub fn user_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
    full_name: &str,
    role: Role,
) -> Result<String, AdminError> {
    admin_only(actor)?;
    let pin = one_time_pin();
    let hash = super::auth::hash_pin(&pin, None).map_err(AdminError::Pin)?;
    store.write(|tx| {
        let id = add_user(tx, username.trim(), full_name.trim(), role, &hash)?;
        tx.execute("UPDATE users SET must_change_pin = 1 WHERE id = ?1", [id])?;
        let (_, after) = user_state(tx, username, now)?;
        history::<UserState>(tx, actor, now, "user", &after.name, None, &after)
    })?;
    Ok(pin)
}

/// Changes a user's record with `f` (full name, role, active, lock,
/// PIN), keeping the change in history. Returns the state after.
fn user_change(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
    f: impl FnOnce(&rusqlite::Transaction, i64, &UserState) -> Result<(), AdminError>,
) -> Result<UserState, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let (id, before) = user_state(tx, username, now)?;
        f(tx, id, &before)?;
        let (_, after) = user_state(tx, username, now)?;
        if after != before {
            history(tx, actor, now, "user", &after.name, Some(&before), &after)?;
        }
        Ok(after)
    })
}

pub fn user_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
    full_name: &str,
) -> Result<UserState, AdminError> {
    user_change(store, actor, now, username, |tx, id, _| {
        tx.execute(
            "UPDATE users SET full_name = ?2 WHERE id = ?1",
            params![id, full_name.trim()],
        )?;
        Ok(())
    })
}

pub fn user_role(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
    role: Role,
) -> Result<UserState, AdminError> {
    user_change(store, actor, now, username, |tx, id, before| {
        if before.role == Role::Admin.as_ref() && role != Role::Admin && before.active {
            keep_an_admin(tx, id, &before.name)?;
        }
        tx.execute(
            "UPDATE users SET role = ?2 WHERE id = ?1",
            params![id, role.as_ref()],
        )?;
        Ok(())
    })
}

/// Gives the user a new one-time PIN (returned) and lifts a lock; they set
/// their own at the next sign-in.
pub fn user_reset_pin(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
) -> Result<String, AdminError> {
    let pin = one_time_pin();
    let hash = super::auth::hash_pin(&pin, None).map_err(AdminError::Pin)?;
    user_change(store, actor, now, username, |tx, id, _| {
        tx.execute(
            "UPDATE users SET pin_hash = ?2, must_change_pin = 1, failed_pins = 0, locked_until = NULL WHERE id = ?1",
            params![id, hash],
        )?;
        Ok(())
    })?;
    Ok(pin)
}

/// Lifts a lock after wrong PINs.
pub fn user_unlock(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
) -> Result<UserState, AdminError> {
    user_change(store, actor, now, username, |tx, id, _| {
        tx.execute(
            "UPDATE users SET failed_pins = 0, locked_until = NULL WHERE id = ?1",
            [id],
        )?;
        Ok(())
    })
}

/// Deactivates (or with `active`, reactivates) a user: they can no longer
/// sign in; what they did stays attributed to them.
pub fn user_set_active(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    username: &str,
    active: bool,
) -> Result<UserState, AdminError> {
    user_change(store, actor, now, username, |tx, id, before| {
        if !active {
            if id == actor.user_id {
                return Err(AdminError::OwnAccount);
            }
            if before.role == Role::Admin.as_ref() && before.active {
                keep_an_admin(tx, id, &before.name)?;
            }
        }
        tx.execute(
            "UPDATE users SET active = ?2 WHERE id = ?1",
            params![id, active],
        )?;
        Ok(())
    })
}

// --- items -----------------------------------------------------------------

fn one_of(
    field: &'static str,
    value: &str,
    allowed: &'static [&'static str],
) -> Result<(), AdminError> {
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(value.trim())) {
        Ok(())
    } else {
        Err(AdminError::Choice {
            field,
            value: value.to_string(),
            allowed,
        })
    }
}

fn check_item_choices(it: &NewItem) -> Result<(), AdminError> {
    use super::import::{DOSE_UNITS, FORMS, STRENGTH_UNITS};
    one_of("form", &it.form, FORMS)?;
    one_of("dose_unit", &it.dose_unit, DOSE_UNITS)?;
    if let Some(u) = it.strength_unit.as_deref().filter(|u| !u.is_empty()) {
        one_of("strength_unit", u, STRENGTH_UNITS)?;
    }
    Ok(())
}

fn item_state(
    conn: &Connection,
    code: &str,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    crate::store::queries::item_record(conn, code.trim())?
        .ok_or_else(|| AdminError::UnknownItem(code.trim().to_string()))
}

fn supplier_of(conn: &Connection, code: &str) -> Result<(i64, i64), AdminError> {
    conn.query_row(
        "SELECT id, lead_days FROM suppliers WHERE code = ?1 COLLATE NOCASE",
        [code.trim()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| AdminError::UnknownSupplier(code.trim().to_string()))
}

/// Refuses a GTIN that belongs to another item, naming it.
fn gtin_free(conn: &Connection, gtin14: &str, item_id: Option<i64>) -> Result<bool, AdminError> {
    let owner: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT i.id, i.code, i.name FROM item_gtins g JOIN items i ON i.id = g.item_id WHERE g.gtin = ?1",
            [gtin14],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match owner {
        None => Ok(true),
        Some((id, _, _)) if Some(id) == item_id => Ok(false),
        Some((_, item, name)) => Err(AdminError::GtinElsewhere {
            gtin: gtin14.to_string(),
            item,
            name,
        }),
    }
}

fn gtin14(item: &str, g: &str) -> Result<String, AdminError> {
    gtin::normalize(g).map_err(|source| {
        AdminError::Data(RefDataError::Gtin {
            code: item.to_string(),
            source,
        })
    })
}

/// Adds an item to the formulary with its first GTIN and, if given, the
/// supplier it is ordered from.
pub fn item_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    it: &NewItem,
    supplier: Option<&str>,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    admin_only(actor)?;
    check_item_choices(it)?;
    store.write(|tx| {
        if crate::store::queries::item_record(tx, it.code.trim())?.is_some() {
            return Err(AdminError::Data(RefDataError::Duplicate {
                what: RefKind::Item,
                code: it.code.trim().to_string(),
            }));
        }
        let g = gtin14(&it.code, &it.gtin)?;
        gtin_free(tx, &g, None)?;
        let sup = supplier.map(|c| supplier_of(tx, c)).transpose()?;
        let id = add_item(tx, it, sup.map_or(1, |s| s.1))?;
        if sup.is_some() {
            set_item_supplier(tx, id, sup)?;
        }
        let after = item_state(tx, &it.code)?;
        history::<crate::store::queries::ItemRecord>(
            tx,
            actor,
            now,
            "item",
            &after.code,
            None,
            &after,
        )?;
        Ok(after)
    })
}

/// Changes an item with `f` (every field but its code and GTINs), and its
/// supplier (`Some(None)`: none), keeping the change in history.
pub fn item_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    f: impl FnOnce(&mut NewItem),
    supplier: Option<Option<&str>>,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let before = item_state(tx, code)?;
        let mut it = before.as_new_item();
        f(&mut it);
        it.code = before.code.clone();
        check_item_choices(&it)?;
        update_item(tx, before.id, &it)?;
        match supplier {
            Some(Some(c)) => {
                let sup = supplier_of(tx, c)?;
                set_item_supplier(tx, before.id, Some(sup))?;
            }
            Some(None) => set_item_supplier(tx, before.id, None)?,
            None => {}
        }
        let after = item_state(tx, code)?;
        if after != before {
            history(tx, actor, now, "item", &after.code, Some(&before), &after)?;
        }
        Ok(after)
    })
}

/// Retires an item: it stays in the ledger and the lists, marked retired.
pub fn item_retire(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let before = item_state(tx, code)?;
        if before.retired_at.is_some() {
            return Ok(before);
        }
        tx.execute(
            "UPDATE items SET retired_at = ?2 WHERE id = ?1",
            params![before.id, crate::domain::instant_to_text(now)],
        )?;
        let after = item_state(tx, code)?;
        history(tx, actor, now, "item", &after.code, Some(&before), &after)?;
        Ok(after)
    })
}

/// Links (or with `link` false, unlinks) a GTIN to an item. A GTIN whose
/// check digit is wrong, or that another item carries, is refused.
pub fn item_gtin(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    g: &str,
    link: bool,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let before = item_state(tx, code)?;
        let g14 = gtin14(&before.code, g)?;
        if link {
            if gtin_free(tx, &g14, Some(before.id))? {
                link_gtin(tx, before.id, &before.code, &g14)?;
            }
        } else {
            if !before.gtins.contains(&g14) {
                return Err(AdminError::GtinNotLinked {
                    gtin: g.trim().to_string(),
                    item: before.code.clone(),
                });
            }
            unlink_gtin(tx, before.id, &g14)?;
        }
        let after = item_state(tx, code)?;
        if after != before {
            history(tx, actor, now, "item", &after.code, Some(&before), &after)?;
        }
        Ok(after)
    })
}

// --- places and suppliers --------------------------------------------------

fn place_state(
    conn: &Connection,
    code: &str,
) -> Result<crate::store::queries::PlaceRecord, AdminError> {
    crate::store::queries::place_record(conn, code.trim())?
        .ok_or_else(|| AdminError::UnknownPlace(code.trim().to_string()))
}

/// Adds a pharmacy or a ward.
pub fn place_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: &str,
    kind: PlaceKind,
    transport_minutes: i64,
) -> Result<crate::store::queries::PlaceRecord, AdminError> {
    admin_only(actor)?;
    if transport_minutes < 0 {
        return Err(AdminError::Negative {
            field: "transport_minutes",
        });
    }
    store.write(|tx| {
        add_place(tx, code.trim(), name.trim(), kind, transport_minutes)?;
        let after = place_state(tx, code)?;
        history::<crate::store::queries::PlaceRecord>(
            tx,
            actor,
            now,
            "place",
            &after.code,
            None,
            &after,
        )?;
        Ok(after)
    })
}

/// Changes a place's name or transport time (what is given).
pub fn place_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: Option<&str>,
    transport_minutes: Option<i64>,
) -> Result<crate::store::queries::PlaceRecord, AdminError> {
    admin_only(actor)?;
    if transport_minutes.is_some_and(|m| m < 0) {
        return Err(AdminError::Negative {
            field: "transport_minutes",
        });
    }
    store.write(|tx| {
        let before = place_state(tx, code)?;
        update_place(
            tx,
            before.id,
            name.map_or(before.name.as_str(), str::trim),
            transport_minutes.unwrap_or(before.transport_minutes),
        )?;
        let after = place_state(tx, code)?;
        if after != before {
            history(tx, actor, now, "place", &after.code, Some(&before), &after)?;
        }
        Ok(after)
    })
}

/// Closes a place that holds no stock and no patients: it stays in the
/// ledger and the lists, marked closed.
pub fn place_close(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
) -> Result<crate::store::queries::PlaceRecord, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let before = place_state(tx, code)?;
        if before.closed_at.is_some() {
            return Ok(before);
        }
        let units: i64 = tx.query_row(
            "SELECT COALESCE(sum(qty), 0) FROM balances WHERE place_id = ?1",
            [before.id],
            |r| r.get(0),
        )?;
        if units > 0 {
            return Err(AdminError::PlaceHoldsStock {
                place: before.code,
                units,
            });
        }
        let patients: i64 = tx.query_row(
            "SELECT count(*) FROM patients WHERE ward_id = ?1 AND discharged_at IS NULL",
            [before.id],
            |r| r.get(0),
        )?;
        if patients > 0 {
            return Err(AdminError::PlaceHasPatients {
                place: before.code,
                patients,
            });
        }
        tx.execute(
            "UPDATE places SET closed_at = ?2 WHERE id = ?1",
            params![before.id, crate::domain::instant_to_text(now)],
        )?;
        let after = place_state(tx, code)?;
        history(tx, actor, now, "place", &after.code, Some(&before), &after)?;
        Ok(after)
    })
}

fn supplier_state(
    conn: &Connection,
    code: &str,
) -> Result<crate::store::queries::SupplierRecord, AdminError> {
    crate::store::queries::supplier_records(conn)?
        .into_iter()
        .find(|s| s.code.eq_ignore_ascii_case(code.trim()))
        .ok_or_else(|| AdminError::UnknownSupplier(code.trim().to_string()))
}

pub fn supplier_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: &str,
    lead_days: i64,
) -> Result<crate::store::queries::SupplierRecord, AdminError> {
    admin_only(actor)?;
    if lead_days < 0 {
        return Err(AdminError::Negative { field: "lead_days" });
    }
    if code.trim().is_empty() || code.contains(char::is_whitespace) || name.trim().is_empty() {
        return Err(AdminError::SupplierCodeName);
    }
    store.write(|tx| {
        if supplier_state(tx, code).is_ok() {
            return Err(AdminError::SupplierExists(code.trim().to_string()));
        }
        add_supplier(tx, code.trim(), name.trim(), lead_days)?;
        let after = supplier_state(tx, code)?;
        history::<crate::store::queries::SupplierRecord>(
            tx,
            actor,
            now,
            "supplier",
            &after.code,
            None,
            &after,
        )?;
        Ok(after)
    })
}

/// Changes a supplier's name or lead time (the items ordered from it take
/// the new lead time).
pub fn supplier_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: Option<&str>,
    lead_days: Option<i64>,
) -> Result<crate::store::queries::SupplierRecord, AdminError> {
    admin_only(actor)?;
    if lead_days.is_some_and(|d| d < 0) {
        return Err(AdminError::Negative { field: "lead_days" });
    }
    store.write(|tx| {
        let before = supplier_state(tx, code)?;
        update_supplier(
            tx,
            before.id,
            name.map_or(before.name.as_str(), str::trim),
            lead_days.unwrap_or(before.lead_days),
        )?;
        let after = supplier_state(tx, code)?;
        if after != before {
            history(
                tx,
                actor,
                now,
                "supplier",
                &after.code,
                Some(&before),
                &after,
            )?;
        }
        Ok(after)
    })
}

// --- patients: admission, transfer, discharge; allergies ------------------

/// The reason every active prescription is stopped with at discharge.
pub const DISCHARGED: &str = "discharged";

/// Allergy kinds and the sexes recorded at admission.
pub const ALLERGY_KINDS: &[&str] = &["allergy", "intolerance", "contraindication"];
pub const SEXES: &[&str] = &["female", "male", "other", "unknown"];

fn may_admit(actor: &Actor) -> Result<(), AdminError> {
    if matches!(actor.role, Role::Admin | Role::NurseManager) {
        Ok(())
    } else {
        Err(AdminError::PatientsNotAllowed { role: actor.role })
    }
}

fn may_record_allergy(actor: &Actor) -> Result<(), AdminError> {
    if matches!(
        actor.role,
        Role::Admin | Role::NurseManager | Role::Pharmacist
    ) {
        Ok(())
    } else {
        Err(AdminError::AllergiesNotAllowed { role: actor.role })
    }
}

fn patient_state(
    conn: &Connection,
    mrn: &str,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    crate::store::queries::patient_adt(conn, mrn.trim())?
        .ok_or_else(|| AdminError::UnknownPatient(mrn.trim().to_string()))
}

/// An open ward, by code.
fn open_ward(conn: &Connection, code: &str) -> Result<i64, AdminError> {
    let p = crate::store::queries::place_record(conn, code.trim())?
        .ok_or_else(|| AdminError::UnknownPlace(code.trim().to_string()))?;
    if p.kind != "ward" {
        return Err(AdminError::NotAWard { place: p.code });
    }
    if p.closed_at.is_some() {
        return Err(AdminError::Closed { place: p.code });
    }
    Ok(p.id)
}

/// Who is admitted.
#[derive(Debug, Clone)]
pub struct Admission {
    pub mrn: String,
    pub name: String,
    pub dob: chrono::NaiveDate,
    pub sex: Option<String>,
    pub ward: String,
    pub bed: Option<String>,
}

/// Admits a patient to a ward: a new patient, or one discharged before
/// (admitted again, their record and allergies kept).
pub fn patient_admit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    a: &Admission,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    may_admit(actor)?;
    if let Some(sex) = &a.sex {
        one_of("sex", sex, SEXES)?;
    }
    store.write(|tx| {
        let ward_id = open_ward(tx, &a.ward)?;
        let before = crate::store::queries::patient_adt(tx, a.mrn.trim())?;
        let p = NewPatient {
            mrn: a.mrn.trim().to_string(),
            name: a.name.trim().to_string(),
            dob: a.dob,
            ward_id: Some(ward_id),
            bed: a.bed.clone(),
        };
        match &before {
            Some(b) if b.discharged_at.is_none() && b.ward.is_some() => {
                return Err(AdminError::AlreadyAdmitted {
                    mrn: b.mrn.clone(),
                    ward: b.ward.clone().unwrap_or_default(),
                });
            }
            Some(b) => update_patient(tx, b.id, &p)?,
            None => {
                add_patient(tx, &p)?;
            }
        }
        tx.execute(
            "UPDATE patients SET sex = ?2, admitted_at = ?3, discharged_at = NULL WHERE mrn = ?1",
            params![
                p.mrn,
                a.sex.as_deref().map(str::to_lowercase),
                crate::domain::instant_to_text(now)
            ],
        )?;
        let after = patient_state(tx, &p.mrn)?;
        history(
            tx,
            actor,
            now,
            "patient",
            &after.mrn,
            before.as_ref(),
            &after,
        )?;
        Ok(after)
    })
}

/// Moves an admitted patient to another ward or bed.
pub fn patient_move(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    ward: Option<&str>,
    bed: Option<&str>,
) -> Result<crate::store::queries::PatientAdt, AdminError> {
    may_admit(actor)?;
    store.write(|tx| {
        let before = patient_state(tx, mrn)?;
        if before.discharged_at.is_some() {
            return Err(AdminError::Discharged { mrn: before.mrn });
        }
        let ward_id = match ward {
            Some(w) => Some(open_ward(tx, w)?),
            None => tx.query_row(
                "SELECT ward_id FROM patients WHERE id = ?1",
                [before.id],
                |r| r.get(0),
            )?,
        };
        let bed = match (bed, ward) {
            (Some(b), _) => Some(b.trim().to_string()).filter(|b| !b.is_empty()),
            // A new ward without a bed: the old bed is not theirs there.
            (None, Some(_)) => None,
            (None, None) => before.bed.clone(),
        };
        tx.execute(
            "UPDATE patients SET ward_id = ?2, bed = ?3 WHERE id = ?1",
            params![before.id, ward_id, bed],
        )?;
        let after = patient_state(tx, mrn)?;
        if after != before {
            history(tx, actor, now, "patient", &after.mrn, Some(&before), &after)?;
        }
        Ok(after)
    })
}

/// Discharges a patient: every prescription not yet ended is stopped with
/// the reason "discharged" (attributed, in the prescription's history), the
/// patient leaves the ward's lists and no dose is recorded for them any
/// more. Returns the patient and the prescriptions stopped.
pub fn patient_discharge(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
) -> Result<(crate::store::queries::PatientAdt, Vec<i64>), AdminError> {
    may_admit(actor)?;
    store.write(|tx| {
        let before = patient_state(tx, mrn)?;
        if before.discharged_at.is_some() {
            return Err(AdminError::Discharged { mrn: before.mrn });
        }
        let open: Vec<i64> = tx
            .prepare(
                "SELECT id FROM prescriptions WHERE patient_id = ?1
                 AND status IN ('active', 'suspended', 'awaiting_validation') ORDER BY id",
            )?
            .query_map([before.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &open {
            super::rx::change_status_in(
                tx,
                actor,
                now,
                *id,
                super::rx::StatusChange::Stop,
                DISCHARGED,
            )
            .map_err(AdminError::Rx)?;
        }
        tx.execute(
            "UPDATE patients SET discharged_at = ?2, ward_id = NULL, bed = NULL WHERE id = ?1",
            params![before.id, crate::domain::instant_to_text(now)],
        )?;
        let after = patient_state(tx, mrn)?;
        history(tx, actor, now, "patient", &after.mrn, Some(&before), &after)?;
        Ok((after, open))
    })
}

fn atc_prefix_ok(p: &str) -> bool {
    const FULL: &str = "N02BE01";
    [1, 3, 4, 5, 7].contains(&p.len())
        && p.bytes().zip(FULL.bytes()).all(|(c, f)| {
            if f.is_ascii_digit() {
                c.is_ascii_digit()
            } else {
                c.is_ascii_uppercase()
            }
        })
}

/// An allergy as kept in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllergyState {
    pub mrn: String,
    pub substance: String,
    pub kind: String,
    pub atc: Option<String>,
    pub reaction: Option<String>,
    /// Set when the allergy was removed (the row itself is gone).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// The allergy recorded for a patient's substance (any case), with its id.
/// One lookup for the reference-data commands and the import.
pub(crate) fn allergy_state(
    conn: &Connection,
    patient_id: i64,
    mrn: &str,
    substance: &str,
) -> rusqlite::Result<Option<(i64, AllergyState)>> {
    conn.query_row(
        "SELECT id, substance, kind, atc_prefix, reaction FROM patient_allergies
             WHERE patient_id = ?1 AND substance = ?2 COLLATE NOCASE ORDER BY id LIMIT 1",
        params![patient_id, substance.trim()],
        |r| {
            Ok((
                r.get(0)?,
                AllergyState {
                    mrn: mrn.to_string(),
                    substance: r.get(1)?,
                    kind: r.get(2)?,
                    atc: r.get(3)?,
                    reaction: r.get(4)?,
                    removed: false,
                },
            ))
        },
    )
    .optional()
}

/// Records an allergy, intolerance or contraindication (or changes the one
/// recorded for the same substance).
#[allow(clippy::too_many_arguments)]
pub fn allergy_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    substance: &str,
    kind: &str,
    atc: Option<&str>,
    reaction: Option<&str>,
) -> Result<AllergyState, AdminError> {
    may_record_allergy(actor)?;
    let kind = kind.trim().to_ascii_lowercase();
    one_of("kind", &kind, ALLERGY_KINDS)?;
    let atc = atc
        .map(|a| a.trim().to_ascii_uppercase())
        .filter(|a| !a.is_empty());
    if let Some(a) = &atc
        && !atc_prefix_ok(a)
    {
        return Err(AdminError::Data(RefDataError::BadAtc {
            item: substance.trim().to_string(),
            atc: a.clone(),
        }));
    }
    if substance.trim().is_empty() {
        return Err(AdminError::NoAllergy {
            mrn: mrn.trim().to_string(),
            substance: String::new(),
        });
    }
    let reaction = reaction.map(str::trim).filter(|r| !r.is_empty());
    store.write(|tx| {
        let p = patient_state(tx, mrn)?;
        let before = allergy_state(tx, p.id, &p.mrn, substance)?;
        match &before {
            Some((id, _)) => update_allergy(tx, *id, atc.as_deref(), &kind, reaction)?,
            None => {
                add_allergy(tx, p.id, substance.trim(), atc.as_deref(), &kind, reaction)?;
            }
        }
        let (_, after) =
            allergy_state(tx, p.id, &p.mrn, substance)?.ok_or_else(|| AdminError::NoAllergy {
                mrn: p.mrn.clone(),
                substance: substance.trim().to_string(),
            })?;
        let key = format!("{}/{}", after.mrn, after.substance);
        let before = before.map(|b| b.1);
        if before.as_ref() != Some(&after) {
            history(tx, actor, now, "allergy", &key, before.as_ref(), &after)?;
        }
        Ok(after)
    })
}

/// Removes a recorded allergy (recorded in error); the history keeps what
/// it said and who removed it.
pub fn allergy_remove(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    mrn: &str,
    substance: &str,
) -> Result<AllergyState, AdminError> {
    may_record_allergy(actor)?;
    store.write(|tx| {
        let p = patient_state(tx, mrn)?;
        let (id, before) =
            allergy_state(tx, p.id, &p.mrn, substance)?.ok_or_else(|| AdminError::NoAllergy {
                mrn: p.mrn.clone(),
                substance: substance.trim().to_string(),
            })?;
        tx.execute("DELETE FROM patient_allergies WHERE id = ?1", [id])?;
        let after = AllergyState {
            removed: true,
            ..before.clone()
        };
        let key = format!("{}/{}", before.mrn, before.substance);
        history(tx, actor, now, "allergy", &key, Some(&before), &after)?;
        Ok(after)
    })
}
