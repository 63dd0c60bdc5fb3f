//! The SQLite store: opening with the clinical pragmas, migrations, the
//! ledger writer, and the read queries the screens and CLI show.

pub mod backup;
pub mod busy;
pub mod check;
pub mod ledger;
pub mod queries;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

/// `PRAGMA application_id` of a wardstock database ("WARD").
pub const APPLICATION_ID: i32 = 0x5741_5244;

const MIGRATION_SQL: &[&str] = &[
    include_str!("migrations/001_ledger.sql"),
    include_str!("migrations/002_operations.sql"),
    include_str!("migrations/003_prescription_events.sql"),
    include_str!("migrations/004_bedside.sql"),
    include_str!("migrations/005_purchasing.sql"),
    include_str!("migrations/006_user_language.sql"),
    include_str!("migrations/007_reference_history.sql"),
    include_str!("migrations/008_users.sql"),
    include_str!("migrations/009_allergies_suppliers.sql"),
    include_str!("migrations/010_locations.sql"),
    include_str!("migrations/011_unable_to_scan.sql"),
    include_str!("migrations/012_patient_gsrn.sql"),
    include_str!("migrations/013_cd_register.sql"),
    include_str!("migrations/014_user_place.sql"),
    include_str!("migrations/015_levels_source.sql"),
    include_str!("migrations/016_cold_chain.sql"),
    include_str!("migrations/017_substitutes.sql"),
    include_str!("migrations/018_use_totals.sql"),
    include_str!("migrations/019_item_suppliers.sql"),
    include_str!("migrations/020_reservations.sql"),
    include_str!("migrations/021_ok_totals.sql"),
];

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATION_SQL.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect())
}

/// Why the database cannot be opened or used. The words are in
/// `i18n::errors`.
#[derive(Debug)]
pub enum StoreError {
    /// The path is a folder, not a file.
    Folder {
        path: String,
    },
    /// The file cannot be created or opened: its folder is missing, or it
    /// may not be written.
    CannotOpen {
        path: String,
    },
    /// SQLite could not open or read the file.
    Open {
        path: String,
        cause: rusqlite::Error,
    },
    /// A zero-byte file: not a database, and never silently made one (a
    /// copy that failed, a mistyped name). `wardstock init` or `demo`
    /// creates a database.
    Empty {
        path: String,
    },
    /// `create` on a file that already holds something.
    Exists {
        path: String,
    },
    /// The file system does not allow write-ahead logging.
    NoWal {
        path: String,
        mode: String,
    },
    NotWardstock {
        path: String,
    },
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    Migration {
        path: String,
        cause: rusqlite_migration::Error,
    },
    /// A read-only file of an older version: it must be upgraded (opened
    /// once) by someone who may write it.
    ReadOnlyOld {
        path: String,
        found: i64,
        known: i64,
    },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Open { cause, .. } | StoreError::Sqlite(cause) => Some(cause),
            StoreError::Migration { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open wardstock database.
pub struct Store {
    pub conn: Connection,
    path: PathBuf,
    /// The site's time zone, read once when the store opens.
    zone: chrono_tz::Tz,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// A file of zero bytes whose write-ahead log (if any) is empty too.
fn is_zero_bytes(path: &Path) -> bool {
    let len = |p: &Path| std::fs::metadata(p).map(|m| (m.is_file(), m.len()));
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    matches!(len(path), Ok((true, 0))) && !matches!(len(Path::new(&wal)), Ok((_, n)) if n > 0)
}

/// Whether `path` may only be read: the file, or the folder its
/// write-ahead log lives in, is marked read-only or may not be written by
/// this user. `Some(folder_writable)` when so, `None` when it may be written.
fn read_only(path: &Path) -> Option<bool> {
    // A file still to be made is made where it may be (or refused there).
    if !path.is_file() {
        return None;
    }
    let marked = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.permissions().readonly());
    let folder = match path.parent() {
        Some(f) if !f.as_os_str().is_empty() => f.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_ok = !marked(path) && may_write(path);
    let folder_ok = !marked(&folder) && may_write(&folder);
    (!(file_ok && folder_ok)).then_some(folder_ok)
}

/// Whether this user may write `p` (the system's own check).
#[cfg(unix)]
fn may_write(p: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: a valid NUL-terminated path; `access` only reads it.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn may_write(_p: &Path) -> bool {
    true
}

/// `path` for an SQLite `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date. Refuses files that are not wardstock databases and
    /// databases from a newer version.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(StoreError::Folder { path: shown });
        }
        if is_zero_bytes(path) {
            return Err(StoreError::Empty { path: shown });
        }
        if let Some(folder_writable) = read_only(path) {
            return Self::open_read_only(path, folder_writable);
        }
        Self::open_or_create(path)
    }

    /// Opens a file that may not be written (or whose folder may not be):
    /// reading works, nothing is written on opening (no migration, no
    /// pragma that writes), and every write is refused by SQLite as
    /// read-only.
    fn open_read_only(path: &Path, folder_writable: bool) -> Result<Store> {
        let shown = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        // Without a write-ahead log holding anything, a file no one may
        // write (or in a folder where its log cannot be made) is read as it
        // is: nothing, not even the log's index, is made beside it.
        let wal_in_use = {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            std::fs::metadata(Path::new(&wal)).is_ok_and(|m| m.len() > 0)
        };
        let marked = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        let immutable = (marked || !folder_writable) && !wal_in_use;
        let uri = format!(
            "file:{}{}",
            uri_path(path),
            if immutable { "?immutable=1" } else { "" }
        );
        let conn = Connection::open_with_flags(&uri, flags).map_err(|cause| StoreError::Open {
            path: shown.clone(),
            cause,
        })?;
        // Another workstation's write (a reader waits on a checkpoint at most): as the store does.
        conn.busy_handler(Some(busy::handler))?;
        let probe = |conn: &Connection| -> rusqlite::Result<(i32, i64)> {
            let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            let ver: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok((app, ver))
        };
        let (app, version) = match probe(&conn) {
            Ok(v) => v,
            Err(e) if is_not_a_database(&e) => {
                return Err(StoreError::NotWardstock { path: shown });
            }
            Err(cause) => return Err(StoreError::Open { path: shown, cause }),
        };
        if version == 0 || app != APPLICATION_ID {
            return Err(StoreError::NotWardstock { path: shown });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: shown,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            return Err(StoreError::ReadOnlyOld {
                path: shown,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        queries::ready_connection(&conn)?;
        let zone = queries::site_zone(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            zone,
        })
    }

    /// Whether `path` is an empty file (with no write-ahead log holding
    /// data for it): what `init` and `demo` may turn into a database.
    pub fn is_blank_file(path: &Path) -> bool {
        is_zero_bytes(path)
    }

    /// Creates a new database at `path` (a missing or zero-byte file).
    /// Refuses a file that holds anything: nothing is ever overwritten.
    pub fn create(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(StoreError::Folder { path: shown });
        }
        if path.exists() && !is_zero_bytes(path) {
            return Err(StoreError::Exists { path: shown });
        }
        Self::open_or_create(path)
    }

    fn open_or_create(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
                StoreError::CannotOpen {
                    path: shown.clone(),
                }
            }
            cause => StoreError::Open {
                path: shown.clone(),
                cause,
            },
        })?;
        Self::prepare(conn, path.to_path_buf())
    }

    /// A private in-memory database (tests, what-ifs).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Self::prepare(conn, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Store> {
        let shown = path.display().to_string();
        let not_ours = || StoreError::NotWardstock {
            path: shown.clone(),
        };
        // Another workstation's write: wait with jittered naps, bounded (busy.rs).
        conn.busy_handler(Some(busy::handler))?;
        queries::ready_connection(&conn)?;
        let probe = |conn: &Connection| -> rusqlite::Result<(i32, i64, i64)> {
            let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            let ver: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            Ok((app, ver, tables))
        };
        let (app, version, tables) = match probe(&conn) {
            Ok(v) => v,
            Err(e) if is_not_a_database(&e) => return Err(not_ours()),
            Err(cause) => return Err(StoreError::Open { path: shown, cause }),
        };
        if version == 0 {
            if tables > 0 {
                return Err(not_ours());
            }
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        } else if app != APPLICATION_ID {
            return Err(not_ours());
        } else if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: shown,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if path.as_os_str() != ":memory:" {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::NoWal { path: shown, mode });
            }
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|cause| StoreError::Migration {
                path: shown.clone(),
                cause,
            })?;
        let zone = queries::site_zone(&conn)?;
        Ok(Store { conn, path, zone })
    }

    /// The site's time zone: every local time (dose times, schedules,
    /// windows, expiry days, "today") is on its clock, never the
    /// machine's or the terminal session's.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.zone
    }

    /// Reads the site's time zone again (after `init`, `demo` or
    /// `site set` wrote it).
    pub fn reload_zone(&mut self) -> Result<chrono_tz::Tz> {
        self.zone = queries::site_zone(&self.conn)?;
        Ok(self.zone)
    }

    /// The site's date at `now`.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` inside a `BEGIN IMMEDIATE` transaction: all of it is written
    /// or none of it. Keep `f` to the reads that decide the write and the
    /// write itself: nothing slow (PIN hashing, planning) inside, since every
    /// other workstation waits for it.
    ///
    /// When another workstation is writing, the transaction waits for it with
    /// short jittered naps for at most [`busy::limit`] (5 s); if the file is
    /// still busy then, nothing was written and the error is SQLite's busy
    /// error, which every operation's error turns into "another workstation
    /// is busy; nothing was written, try again" (`ops::items::is_busy`).
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let started = std::time::Instant::now();
        let mut tries = 0u32;
        loop {
            match self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
            {
                Ok(tx) => {
                    let out = f(&tx)?;
                    tx.commit()?;
                    return Ok(out);
                }
                // SQLite returns some busy states without calling the busy
                // handler (a log being recovered): wait here too.
                Err(e) if busy::is_busy(&e) => {
                    let left = busy::limit().saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(e.into());
                    }
                    std::thread::sleep(busy::nap(tries).min(left));
                    tries += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// True when the database holds no places, items or movements yet.
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM places) + (SELECT count(*) FROM items) + (SELECT count(*) FROM users)",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }
}

/// The machine's own time zone when it can be read and is an IANA zone,
/// else UTC: only for a database that does not name its zone yet (made
/// before sites stored one) and as the demo's default.
pub fn machine_zone() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::Tz::UTC)
}
