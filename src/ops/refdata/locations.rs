//! Storage locations inside a place (shelf, fridge, freezer, cold room,
//! controlled-drug safe, trolley): added, changed and closed by the
//! administrator; where an item is kept at a place, set by the administrator
//! or the people who handle the stock there.

use super::*;
use crate::domain::roles::Operation;
use crate::store::queries::{self, LocationRecord};

/// The kinds of storage location, as stored.
pub const LOCATION_KINDS: &[&str] = &[
    "shelf",
    "fridge",
    "freezer",
    "cold_room",
    "cd_safe",
    "trolley",
    "other",
];

/// A location kind as people write it ("safe" for the controlled-drug safe,
/// "cold room"), or the refusal listing the kinds.
pub fn location_kind(given: &str) -> Result<&'static str, AdminError> {
    let k = given.trim().to_lowercase().replace([' ', '-'], "_");
    let k = match k.as_str() {
        "safe" | "cd" | "controlled" => "cd_safe",
        "cold" => "cold_room",
        "bin" => "shelf",
        other => other,
    };
    LOCATION_KINDS
        .iter()
        .find(|x| **x == k)
        .copied()
        .ok_or_else(|| AdminError::Choice {
            field: "kind",
            value: given.trim().to_string(),
            allowed: LOCATION_KINDS,
        })
}

/// A location as kept in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct LocationState {
    place: String,
    code: String,
    name: String,
    kind: String,
    default: bool,
    closed_at: Option<String>,
}

impl From<&LocationRecord> for LocationState {
    fn from(l: &LocationRecord) -> Self {
        LocationState {
            place: l.place.clone(),
            code: l.code.clone(),
            name: l.name.clone(),
            kind: l.kind.clone(),
            default: l.default,
            closed_at: l.closed_at.clone(),
        }
    }
}

/// The place (open) by code.
fn open_place(conn: &Connection, code: &str) -> Result<queries::PlaceRecord, AdminError> {
    let place = place_state(conn, code)?;
    if place.closed_at.is_some() {
        return Err(AdminError::Closed { place: place.code });
    }
    Ok(place)
}

/// A location of a place, by codes.
pub fn location_state(
    conn: &Connection,
    place: &queries::PlaceRecord,
    code: &str,
) -> Result<LocationRecord, AdminError> {
    queries::location_record(conn, place.id, code)?.ok_or_else(|| AdminError::UnknownLocation {
        place: place.code.clone(),
        code: code.trim().to_string(),
    })
}

fn keep(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    before: Option<&LocationRecord>,
    after: &LocationRecord,
) -> Result<(), AdminError> {
    let key = format!("{}/{}", after.place, after.code);
    let before = before.map(LocationState::from);
    let after_state = LocationState::from(after);
    if before.as_ref() == Some(&after_state) {
        return Ok(());
    }
    history(
        conn,
        actor,
        now,
        "location",
        &key,
        before.as_ref(),
        &after_state,
    )
}

/// Adds a storage location to a place; `default` makes it where stock
/// arrives when nobody says where.
#[allow(clippy::too_many_arguments)]
pub fn location_add(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &str,
    code: &str,
    name: &str,
    kind: &str,
    default: bool,
) -> Result<LocationRecord, AdminError> {
    admin_only(actor)?;
    let kind = location_kind(kind)?;
    store.write(|tx| {
        let p = open_place(tx, place)?;
        add_location(tx, p.id, code.trim(), name.trim(), kind)?;
        let mut after = location_state(tx, &p, code)?;
        if default && !after.default {
            set_default(tx, &p, &after)?;
            after = location_state(tx, &p, code)?;
        }
        keep(tx, actor, now, None, &after)?;
        Ok(after)
    })
}

fn set_default(
    conn: &Connection,
    place: &queries::PlaceRecord,
    location: &LocationRecord,
) -> Result<(), AdminError> {
    if location.closed_at.is_some() {
        return Err(AdminError::LocationClosed {
            place: place.code.clone(),
            location: location.code.clone(),
        });
    }
    conn.execute(
        "UPDATE places SET default_location_id = ?2 WHERE id = ?1",
        params![place.id, location.id],
    )?;
    Ok(())
}

/// Changes a location's name or kind, or makes it the place's default.
#[allow(clippy::too_many_arguments)]
pub fn location_edit(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &str,
    code: &str,
    name: Option<&str>,
    kind: Option<&str>,
    default: bool,
) -> Result<LocationRecord, AdminError> {
    admin_only(actor)?;
    let kind = kind.map(location_kind).transpose()?;
    store.write(|tx| {
        let p = place_state(tx, place)?;
        let before = location_state(tx, &p, code)?;
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            tx.execute(
                "UPDATE locations SET name = ?2 WHERE id = ?1",
                params![before.id, n],
            )?;
        }
        if let Some(k) = kind {
            tx.execute(
                "UPDATE locations SET kind = ?2 WHERE id = ?1",
                params![before.id, k],
            )?;
        }
        if default {
            set_default(tx, &p, &before)?;
        }
        let after = location_state(tx, &p, code)?;
        keep(tx, actor, now, Some(&before), &after)?;
        Ok(after)
    })
}

/// Closes an empty location that is not its place's default: it is kept,
/// marked closed, and no stock may arrive there.
pub fn location_close(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &str,
    code: &str,
) -> Result<LocationRecord, AdminError> {
    admin_only(actor)?;
    store.write(|tx| {
        let p = place_state(tx, place)?;
        let before = location_state(tx, &p, code)?;
        if before.closed_at.is_some() {
            return Ok(before);
        }
        if before.units > 0 {
            return Err(AdminError::LocationHoldsStock {
                place: p.code,
                location: before.code,
                units: before.units,
            });
        }
        if before.default {
            return Err(AdminError::LocationIsDefault {
                place: p.code,
                location: before.code,
            });
        }
        tx.execute(
            "UPDATE locations SET closed_at = ?2 WHERE id = ?1",
            params![before.id, crate::domain::instant_to_text(now)],
        )?;
        tx.execute(
            "DELETE FROM item_locations WHERE location_id = ?1",
            [before.id],
        )?;
        let after = location_state(tx, &p, code)?;
        keep(tx, actor, now, Some(&before), &after)?;
        Ok(after)
    })
}

/// Where an item is kept at a place: set to a location (`Some`) or back to
/// the usual one (`None`: the fridge, freezer or safe its storage asks for,
/// else the place's default). Returns the location it will now arrive at.
pub fn item_location_set(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &str,
    item: &str,
    location: Option<&str>,
) -> Result<String, AdminError> {
    admin_only_or(actor, Operation::MoveStock)?;
    store.write(|tx| {
        let p = open_place(tx, place)?;
        let it = item_state(tx, item)?;
        let before = queries::item_location(tx, p.id, it.id)?;
        match location {
            Some(code) => {
                let l = location_state(tx, &p, code)?;
                if l.closed_at.is_some() {
                    return Err(AdminError::LocationClosed {
                        place: p.code,
                        location: l.code,
                    });
                }
                let storage = it.storage.parse().unwrap_or(crate::domain::StorageClass::Room);
                if let Err(needs) = crate::domain::storage::fits(storage, it.controlled, &l.kind) {
                    return Err(AdminError::WrongStorage {
                        item: it.name,
                        place: p.code,
                        location: l.code,
                        needs,
                    });
                }
                tx.execute(
                    "INSERT INTO item_locations (place_id, item_id, location_id) VALUES (?1, ?2, ?3)
                     ON CONFLICT (place_id, item_id) DO UPDATE SET location_id = excluded.location_id",
                    params![p.id, it.id, l.id],
                )?;
            }
            None => {
                tx.execute(
                    "DELETE FROM item_locations WHERE place_id = ?1 AND item_id = ?2",
                    params![p.id, it.id],
                )?;
            }
        }
        let after = queries::item_location(tx, p.id, it.id)?;
        if after != before {
            history(
                tx,
                actor,
                now,
                "location",
                &format!("{}/{}", p.code, it.code),
                Some(&before),
                &after,
            )?;
        }
        let id = crate::store::ledger::default_location(tx, p.id, it.id)?;
        Ok(tx.query_row("SELECT code FROM locations WHERE id = ?1", [id], |r| {
            r.get(0)
        })?)
    })
}
