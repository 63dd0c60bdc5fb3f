//! The administrator's operations on users, items, places and suppliers:
//! each checks the role, changes one record in one transaction and keeps
//! the change in `reference_history`.

use super::*;

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
    UnknownLocation {
        place: String,
        code: String,
    },
    /// The location still holds stock: move it to another location first.
    LocationHoldsStock {
        place: String,
        location: String,
        units: i64,
    },
    /// The place's default location cannot be closed: choose another first.
    LocationIsDefault {
        place: String,
        location: String,
    },
    LocationClosed {
        place: String,
        location: String,
    },
    /// The item may not be kept there (cold off the fridge, a controlled
    /// drug out of the safe).
    WrongStorage {
        item: String,
        place: String,
        location: String,
        needs: crate::domain::storage::Needs,
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
    /// A number above what any place or supplier may have.
    TooLarge {
        field: &'static str,
        most: i64,
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
    /// A wristband GSRN that is not one, or another patient's.
    Wristband(crate::ops::scan::WristbandError),
    Pin(crate::ops::auth::PinError),
    Rx(crate::ops::rx::PrescribeError),
    Store(rusqlite::Error),
}

impl std::error::Error for AdminError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdminError::Data(e) => Some(e),
            AdminError::Wristband(e) => Some(e),
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

pub(super) fn admin_only_or(
    actor: &Actor,
    op: crate::domain::roles::Operation,
) -> Result<(), AdminError> {
    if actor.role == Role::Admin || crate::domain::roles::may(actor.role, op) {
        Ok(())
    } else {
        Err(AdminError::NotAdmin { role: actor.role })
    }
}

pub(super) fn admin_only(actor: &Actor) -> Result<(), AdminError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AdminError::NotAdmin { role: actor.role })
    }
}

pub(super) fn history<T: Serialize>(
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

pub(super) fn user_state(
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
pub(super) fn keep_an_admin(conn: &Connection, id: i64, name: &str) -> Result<(), AdminError> {
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
    let hash = crate::ops::auth::hash_pin(&pin, None).map_err(AdminError::Pin)?;
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
pub(super) fn user_change(
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
    let hash = crate::ops::auth::hash_pin(&pin, None).map_err(AdminError::Pin)?;
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

pub(super) fn one_of(
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

/// Units as people write them (µg, mcg, units) in the formulary's spelling.
fn canonical_units(it: &mut NewItem) {
    use crate::ops::import::unit_alias;
    if let Some(u) = unit_alias(&it.dose_unit) {
        it.dose_unit = u.to_string();
    }
    if let Some(u) = it.strength_unit.as_deref().and_then(unit_alias) {
        it.strength_unit = Some(u.to_string());
    }
}

pub(super) fn check_item_choices(it: &NewItem) -> Result<(), AdminError> {
    use crate::ops::import::{DOSE_UNITS, FORMS, STRENGTH_UNITS};
    one_of("form", &it.form, FORMS)?;
    one_of("dose_unit", &it.dose_unit, DOSE_UNITS)?;
    if let Some(u) = it.strength_unit.as_deref().filter(|u| !u.is_empty()) {
        one_of("strength_unit", u, STRENGTH_UNITS)?;
    }
    Ok(())
}

pub(super) fn item_state(
    conn: &Connection,
    code: &str,
) -> Result<crate::store::queries::ItemRecord, AdminError> {
    crate::store::queries::item_record(conn, code.trim())?
        .ok_or_else(|| AdminError::UnknownItem(code.trim().to_string()))
}

pub(super) fn supplier_of(conn: &Connection, code: &str) -> Result<(i64, i64), AdminError> {
    conn.query_row(
        "SELECT id, lead_days FROM suppliers WHERE code = ?1 COLLATE NOCASE",
        [code.trim()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| AdminError::UnknownSupplier(code.trim().to_string()))
}

/// Refuses a GTIN that belongs to another item, naming it.
pub(super) fn gtin_free(
    conn: &Connection,
    gtin14: &str,
    item_id: Option<i64>,
) -> Result<bool, AdminError> {
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

pub(super) fn gtin14(item: &str, g: &str) -> Result<String, AdminError> {
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
    let mut it = it.clone();
    canonical_units(&mut it);
    let it = &it;
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
        canonical_units(&mut it);
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

pub(super) fn place_state(
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
    if transport_minutes > crate::ops::items::MAX_TRANSPORT_MINUTES {
        return Err(AdminError::TooLarge {
            field: "transport_minutes",
            most: crate::ops::items::MAX_TRANSPORT_MINUTES,
        });
    }
    store.write(|tx| {
        let id = add_place(tx, code.trim(), name.trim(), kind, transport_minutes)?;
        // Stock arrives somewhere from the first day: its main store, until
        // the administrator adds shelves, fridges and safes.
        add_location(tx, id, "MAIN", "Main store", "shelf")?;
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
    if transport_minutes.is_some_and(|m| m > crate::ops::items::MAX_TRANSPORT_MINUTES) {
        return Err(AdminError::TooLarge {
            field: "transport_minutes",
            most: crate::ops::items::MAX_TRANSPORT_MINUTES,
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

pub(super) fn supplier_state(
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
    contact: Option<&str>,
) -> Result<crate::store::queries::SupplierRecord, AdminError> {
    admin_only(actor)?;
    if lead_days < 0 {
        return Err(AdminError::Negative { field: "lead_days" });
    }
    if lead_days > crate::ops::items::MAX_DAYS {
        return Err(AdminError::TooLarge {
            field: "lead_days",
            most: crate::ops::items::MAX_DAYS,
        });
    }
    if code.trim().is_empty() || code.contains(char::is_whitespace) || name.trim().is_empty() {
        return Err(AdminError::SupplierCodeName);
    }
    store.write(|tx| {
        if supplier_state(tx, code).is_ok() {
            return Err(AdminError::SupplierExists(code.trim().to_string()));
        }
        add_supplier(tx, code.trim(), name.trim(), lead_days, contact)?;
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

/// Changes a supplier's name, lead time or contact (the items ordered from
/// it take the new lead time). A blank contact clears it.
pub fn supplier_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: Option<&str>,
    lead_days: Option<i64>,
    contact: Option<&str>,
) -> Result<crate::store::queries::SupplierRecord, AdminError> {
    admin_only(actor)?;
    if lead_days.is_some_and(|d| d < 0) {
        return Err(AdminError::Negative { field: "lead_days" });
    }
    if lead_days.is_some_and(|d| d > crate::ops::items::MAX_DAYS) {
        return Err(AdminError::TooLarge {
            field: "lead_days",
            most: crate::ops::items::MAX_DAYS,
        });
    }
    store.write(|tx| {
        let before = supplier_state(tx, code)?;
        update_supplier(
            tx,
            before.id,
            name.map_or(before.name.as_str(), str::trim),
            lead_days.unwrap_or(before.lead_days),
            contact.or(before.contact.as_deref()),
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
