//! Starting a site from nothing: an empty database with the site's name and
//! time zone, its pharmacy, the transit place between the pharmacy and the
//! wards, and one administrator who sets up the rest.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::auth::{PinError, hash_pin};
use super::refdata::{self, RefDataError};
use crate::domain::{PlaceKind, Role, instant_to_text};
use crate::store::{Store, StoreError};

/// What `wardstock init` is told.
#[derive(Debug, Clone)]
pub struct NewSite {
    pub name: String,
    /// An IANA time zone name (`Europe/Rome`, `Asia/Shanghai`).
    pub timezone: String,
    pub pharmacy_code: String,
    pub pharmacy_name: String,
    pub admin: String,
    pub admin_full_name: String,
}

/// Why a site was not started. The words are in `i18n::errors`.
#[derive(Debug)]
pub enum SiteError {
    NoName,
    /// Not a time zone of the IANA database.
    Timezone {
        given: String,
    },
    /// Only an administrator changes the site's settings.
    NotAdmin {
        role: Role,
    },
    Pin(PinError),
    RefData(RefDataError),
    Store(StoreError),
}

impl From<StoreError> for SiteError {
    fn from(e: StoreError) -> Self {
        SiteError::Store(e)
    }
}

impl From<RefDataError> for SiteError {
    fn from(e: RefDataError) -> Self {
        SiteError::RefData(e)
    }
}

impl From<rusqlite::Error> for SiteError {
    fn from(e: rusqlite::Error) -> Self {
        SiteError::Store(StoreError::Sqlite(e))
    }
}

impl std::error::Error for SiteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SiteError::Pin(e) => Some(e),
            SiteError::RefData(e) => Some(e),
            SiteError::Store(e) => Some(e),
            _ => None,
        }
    }
}

/// The time zone named, or why not.
pub fn parse_timezone(name: &str) -> Result<chrono_tz::Tz, SiteError> {
    name.trim().parse().map_err(|_| SiteError::Timezone {
        given: name.to_string(),
    })
}

/// Stores `zone` as the site's time zone, attributed (who and when, kept
/// with the setting), and makes `store` use it from now on.
fn write_timezone(
    store: &mut Store,
    zone: chrono_tz::Tz,
    by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), SiteError> {
    store.write(|tx| -> Result<(), SiteError> {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('timezone', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [zone.name()],
        )?;
        if let Some(by) = by {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('timezone_set_by', ?1), ('timezone_set_at', ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![by, instant_to_text(now)],
            )?;
        }
        Ok(())
    })?;
    store.reload_zone()?;
    Ok(())
}

/// The time zone of a demo site (`wardstock demo --timezone`), stored
/// before the demo is generated so that its days and dose times are on
/// that clock.
pub fn demo_timezone(store: &mut Store, zone: chrono_tz::Tz) -> Result<(), SiteError> {
    write_timezone(store, zone, None, Utc::now())
}

/// `wardstock site set --timezone ZONE`: the administrator changes the
/// site's time zone. Stored instants do not move; schedules keep their
/// wall-clock times (08:00 stays 08:00 on the new clock).
pub fn set_timezone(
    store: &mut Store,
    actor: &super::Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<chrono_tz::Tz, SiteError> {
    if actor.role != Role::Admin {
        return Err(SiteError::NotAdmin { role: actor.role });
    }
    let zone = parse_timezone(name)?;
    write_timezone(store, zone, Some(&actor.username), now)?;
    Ok(zone)
}

/// Creates the site's database at `path` (a missing or empty file; a file
/// holding anything is refused), all in one transaction: nothing is left
/// half-made.
pub fn init(
    path: &Path,
    site: &NewSite,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Store, SiteError> {
    if site.name.trim().is_empty() {
        return Err(SiteError::NoName);
    }
    let tz = parse_timezone(&site.timezone)?;
    // Slow (Argon2): before the file and the transaction.
    let hash = hash_pin(pin, None).map_err(SiteError::Pin)?;
    let existed = path.exists();
    let mut store = Store::create(path)?;
    let made = store.write(|tx| -> Result<(), SiteError> {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('site_name', ?1), ('timezone', ?2), ('site_created_at', ?3)",
            params![site.name.trim(), tz.name(), instant_to_text(now)],
        )?;
        let pharmacy = refdata::add_place(
            tx,
            site.pharmacy_code.trim(),
            site.pharmacy_name.trim(),
            PlaceKind::Pharmacy,
            0,
        )?;
        refdata::add_location(tx, pharmacy, "SHELF", "Shelves", "shelf")?;
        // Goods picked for a ward are "in transit" until the ward confirms.
        refdata::add_place(tx, "TRANSIT", "In transit to wards", PlaceKind::Transit, 0)?;
        refdata::add_user(tx, site.admin.trim(), site.admin_full_name.trim(), Role::Admin, &hash)?;
        Ok(())
    });
    let made = made.and_then(|()| store.reload_zone().map(|_| ()).map_err(SiteError::from));
    if let Err(e) = made {
        // Nothing of a half-started site is kept: the file goes back to what
        // it was (absent, or empty).
        drop(store);
        let mut sidecars = Vec::new();
        for s in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            sidecars.push(std::path::PathBuf::from(p));
        }
        for f in sidecars {
            let _ = std::fs::remove_file(f);
        }
        let _ = if existed {
            std::fs::write(path, b"")
        } else {
            std::fs::remove_file(path)
        };
        return Err(e);
    }
    Ok(store)
}
