//! Daily automatic backups: the administrator names a folder and how many
//! daily backups to keep; when the first user of the site's day signs in,
//! and the folder holds no backup of that day, one is made (the online
//! backup, checked) and the oldest beyond the number kept are removed.
//! A failed backup never stops a sign-in: the user is told, and it is tried
//! again at the next sign-in.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::Actor;
use crate::domain::{Role, instant_to_text};
use crate::store::backup::{self, BackupError, Daily};
use crate::store::{Store, queries};

const DIR: &str = "daily_backup_dir";
const KEEP: &str = "daily_backup_keep";
const SET_BY: &str = "daily_backup_set_by";
const SET_AT: &str = "daily_backup_set_at";

/// The most daily backups a folder may keep (ten years).
pub const MAX_KEEP: u32 = 3650;

/// Where the daily backups go and how many are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyBackups {
    pub dir: PathBuf,
    pub keep: u32,
    /// Who set them, and when (UTC, as stored).
    pub set_by: Option<String>,
    pub set_at: Option<String>,
}

/// Why the daily backups were not set.
#[derive(Debug)]
pub enum SettingError {
    /// Only an administrator sets the site's backups.
    NotAdmin {
        role: Role,
    },
    /// Keep 1 to `MAX_KEEP` backups.
    Keep {
        given: u32,
    },
    /// The folder cannot be made or written.
    Folder {
        dir: PathBuf,
        cause: std::io::Error,
    },
    Store(rusqlite::Error),
}

impl From<rusqlite::Error> for SettingError {
    fn from(e: rusqlite::Error) -> Self {
        SettingError::Store(e)
    }
}

impl std::error::Error for SettingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingError::Folder { cause, .. } => Some(cause),
            SettingError::Store(e) => Some(e),
            _ => None,
        }
    }
}

/// The site's "today" at `now`: the date in the site's time zone. The one
/// place the daily backups ask what day it is.
pub fn site_today(conn: &Connection, now: DateTime<Utc>) -> NaiveDate {
    let zone = queries::site_zone(conn).unwrap_or_else(|_| crate::store::machine_zone());
    now.with_timezone(&zone).date_naive()
}

/// The daily backups as set, or `None` when off.
pub fn daily_setting(conn: &Connection) -> rusqlite::Result<Option<DailyBackups>> {
    let Some(dir) = queries::setting(conn, DIR)? else {
        return Ok(None);
    };
    let keep = queries::setting(conn, KEEP)?
        .and_then(|k| k.parse().ok())
        .unwrap_or(7);
    Ok(Some(DailyBackups {
        dir: PathBuf::from(dir),
        keep,
        set_by: queries::setting(conn, SET_BY)?,
        set_at: queries::setting(conn, SET_AT)?,
    }))
}

/// Sets the daily backups (`Some((folder, keep))`) or turns them off
/// (`None`). The folder is made if missing, and kept as an absolute path:
/// every workstation signs in from its own working folder.
pub fn set_daily(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    to: Option<(&Path, u32)>,
) -> Result<Option<DailyBackups>, SettingError> {
    if actor.role != Role::Admin {
        return Err(SettingError::NotAdmin { role: actor.role });
    }
    let to = match to {
        Some((dir, keep)) => {
            if keep == 0 || keep > MAX_KEEP {
                return Err(SettingError::Keep { given: keep });
            }
            let folder = |cause| SettingError::Folder {
                dir: dir.to_path_buf(),
                cause,
            };
            std::fs::create_dir_all(dir).map_err(folder)?;
            let dir = std::path::absolute(dir).map_err(folder)?;
            Some((dir, keep))
        }
        None => None,
    };
    store.write(|tx| {
        tx.execute(
            "DELETE FROM settings WHERE key IN (?1, ?2)",
            params![DIR, KEEP],
        )?;
        if let Some((dir, keep)) = &to {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2), (?3, ?4)",
                params![DIR, dir.to_string_lossy(), KEEP, keep.to_string()],
            )?;
        }
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2), (?3, ?4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![SET_BY, actor.username, SET_AT, instant_to_text(now)],
        )?;
        Ok::<_, SettingError>(())
    })?;
    Ok(daily_setting(&store.conn)?)
}

/// What the daily backup did at a sign-in.
#[derive(Debug)]
pub enum DailyOutcome {
    /// Made and checked; the oldest beyond the number kept removed.
    Made {
        report: backup::BackupReport,
        removed: Vec<PathBuf>,
    },
    /// Today's is there already, or another workstation is making it.
    NotNeeded,
    /// Not made: the user is told, and it is tried again at the next sign-in.
    Failed { dir: PathBuf, error: BackupError },
}

/// Whether a daily backup is due: set, and none of the site's today in the
/// folder. Cheap (a setting and a file name): the console asks it before
/// starting the backup on its own thread.
pub fn due(conn: &Connection, now: DateTime<Utc>) -> Option<DailyBackups> {
    let set = daily_setting(conn).ok().flatten()?;
    let today = site_today(conn, now);
    (!set.dir.join(backup::daily_name(today)).exists()).then_some(set)
}

/// Makes today's daily backup if it is due. Never fails: a failure is the
/// outcome to tell the user. `None` when the daily backups are off.
pub fn run_daily(store: &Store, now: DateTime<Utc>) -> Option<DailyOutcome> {
    let set = match daily_setting(&store.conn) {
        Ok(Some(s)) => s,
        Ok(None) => return None,
        Err(e) => {
            return Some(DailyOutcome::Failed {
                dir: PathBuf::new(),
                error: BackupError::from(e),
            });
        }
    };
    let today = site_today(&store.conn, now);
    Some(match backup::daily(store, &set.dir, today, set.keep) {
        Ok(Daily::Made { report, removed }) => DailyOutcome::Made { report, removed },
        Ok(Daily::AlreadyMade { .. } | Daily::InProgress { .. }) => DailyOutcome::NotNeeded,
        Err(error) => DailyOutcome::Failed {
            dir: set.dir,
            error,
        },
    })
}

/// After a user signs in: the daily backup if one is due (`None` when
/// nothing was to be done). The command line calls this; the console runs
/// [`run_daily`] on its own thread when [`due`] says so.
pub fn after_sign_in(store: &Store, now: DateTime<Utc>) -> Option<DailyOutcome> {
    due(&store.conn, now)?;
    run_daily(store, now)
}
