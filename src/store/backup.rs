//! Consistent copies of a database while it is in use, and restoring one.
//!
//! Copying the `.sqlite` file alone loses whatever sits in its write-ahead
//! log; SQLite's online backup copies every committed page in one read
//! transaction, which never blocks the workstations writing meanwhile.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, backup::Backup};
use serde::Serialize;

use super::{Store, StoreError, check};

/// What a backup holds, once checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub movements: i64,
    /// The last movement's time (UTC, as stored), if any.
    pub last_movement: Option<String>,
}

/// Why a backup or restore did not happen. The words are in `i18n::errors`.
#[derive(Debug)]
pub enum BackupError {
    /// The target file exists: nothing is overwritten without `--force`.
    Exists {
        path: PathBuf,
    },
    /// The backup would be written over the database itself.
    SameFile {
        path: PathBuf,
    },
    /// The copy (or the backup to restore) fails its check: integrity, the
    /// ledger, the balances.
    Damaged {
        path: PathBuf,
        problems: Vec<check::Problem>,
    },
    /// The database holds records the backup does not (movements, doses,
    /// prescriptions, allergies, changes of reference data…): restoring
    /// would lose them unless `--force`. Each table with how many.
    Newer {
        path: PathBuf,
        records: Vec<(&'static str, i64)>,
    },
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    Store(StoreError),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Store(e)
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(StoreError::Sqlite(e))
    }
}

impl std::error::Error for BackupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BackupError::Io { cause, .. } => Some(cause),
            BackupError::Store(e) => Some(e),
            _ => None,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |cause| BackupError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn sidecars(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|s| {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        PathBuf::from(p)
    })
}

/// Copies every committed page of `from` into a new file at `to`.
fn copy_pages(from: &Connection, to: &Path) -> Result<(), BackupError> {
    let mut dst = Connection::open(to)?;
    {
        let b = Backup::new(from, &mut dst)?;
        // All pages in one step: one consistent read of the source.
        b.step(-1)?;
    }
    // A backup is one self-contained file.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    dst.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// Checks a backup file without changing it: integrity, the ledger and the
/// balances, read-only.
pub fn verify(path: &Path) -> Result<BackupReport, BackupError> {
    let bytes = std::fs::metadata(path).map_err(io(path))?.len();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|cause| StoreError::Open {
        path: path.display().to_string(),
        cause,
    })?;
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|_| StoreError::NotWardstock {
            path: path.display().to_string(),
        })?;
    if app != super::APPLICATION_ID {
        return Err(StoreError::NotWardstock {
            path: path.display().to_string(),
        }
        .into());
    }
    let report = check::run(&conn)?;
    if !report.ok() {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            problems: report.problems,
        });
    }
    Ok(BackupReport {
        path: path.to_path_buf(),
        bytes,
        movements: report.movements,
        last_movement: last_movement(&conn)?,
    })
}

/// The tables whose rows are what people recorded, by growing id: a
/// database with rows beyond a backup's last in any of them holds work the
/// backup does not. Changed reference data (an allergy removed, a patient
/// moved, a PIN reset) is kept in `reference_history`, prescription changes
/// in `prescription_events`.
const RECORDS: &[&str] = &[
    "movements",
    "location_moves",
    "movement_witnesses",
    "administrations",
    "prescriptions",
    "prescription_events",
    "patient_allergies",
    "patients",
    "lots",
    "lot_events",
    "transfer_orders",
    "picks",
    "stocktakes",
    "purchase_orders",
    "purchase_receipts",
    "plan_decisions",
    "reference_history",
    "users",
    "items",
];

/// Per table, the rows of `current` after the backup's last.
fn newer_records(
    current: &Connection,
    backup: &Connection,
) -> rusqlite::Result<Vec<(&'static str, i64)>> {
    let has = |c: &Connection, t: &str| -> rusqlite::Result<bool> {
        c.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )
    };
    let mut out = Vec::new();
    for &table in RECORDS {
        if !has(current, table)? {
            continue;
        }
        let last: i64 = if has(backup, table)? {
            backup.query_row(
                &format!("SELECT COALESCE(max(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?
        } else {
            0
        };
        let n: i64 = current.query_row(
            &format!("SELECT count(*) FROM {table} WHERE id > ?1"),
            [last],
            |r| r.get(0),
        )?;
        if n > 0 {
            out.push((table, n));
        }
    }
    Ok(out)
}

fn last_movement(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT max(at) FROM movements", [], |r| r.get(0))
}

/// Makes a consistent copy of the open database at `to` while others keep
/// working, and checks it. The copy is written beside `to` and moved into
/// place only once checked; an existing file is replaced only with `force`.
pub fn backup(store: &Store, to: &Path, force: bool) -> Result<BackupReport, BackupError> {
    if same_file(store.path(), to) {
        return Err(BackupError::SameFile {
            path: to.to_path_buf(),
        });
    }
    if to.exists() && !force {
        return Err(BackupError::Exists {
            path: to.to_path_buf(),
        });
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for f in std::iter::once(partial.clone()).chain(sidecars(&partial)) {
        if f.exists() {
            std::fs::remove_file(&f).map_err(io(&f))?;
        }
    }
    copy_pages(&store.conn, &partial)?;
    let checked = verify(&partial);
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    verify(to)
}

/// Replaces the database at `db` with a checked backup. Refuses a backup
/// that fails its check, and a database holding movements newer than the
/// backup's last unless `force`.
pub fn restore(from: &Path, db: &Path, force: bool) -> Result<BackupReport, BackupError> {
    verify(from)?;
    if same_file(from, db) {
        return Err(BackupError::SameFile {
            path: db.to_path_buf(),
        });
    }
    let src = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if db.exists() && !Store::is_blank_file(db) && !force {
        let current = Store::open(db)?;
        let records = newer_records(&current.conn, &src)?;
        if !records.is_empty() {
            return Err(BackupError::Newer {
                path: db.to_path_buf(),
                records,
            });
        }
    }
    {
        // Into the live file: other workstations' connections see the
        // restored database on their next read.
        let mut dst = Connection::open(db)?;
        dst.busy_timeout(std::time::Duration::from_secs(5))?;
        let b = Backup::new(&src, &mut dst)?;
        b.step(-1)?;
    }
    // Brings an older backup's schema up to date, with the usual pragmas.
    let store = Store::open(db)?;
    let after = check::run(&store.conn)?;
    if !after.ok() {
        return Err(BackupError::Damaged {
            path: db.to_path_buf(),
            problems: after.problems,
        });
    }
    Ok(BackupReport {
        path: db.to_path_buf(),
        bytes: std::fs::metadata(db).map_err(io(db))?.len(),
        movements: after.movements,
        last_movement: last_movement(&store.conn)?,
    })
}

// --- daily backups ---------------------------------------------------------

/// The name of the daily backup of `day`: `wardstock-YYYY-MM-DD.sqlite`.
pub fn daily_name(day: chrono::NaiveDate) -> String {
    format!("wardstock-{}.sqlite", day.format("%Y-%m-%d"))
}

/// The day of a file named as a daily backup, or `None` for any other
/// file (only files wardstock named are ever pruned).
fn daily_day(name: &str) -> Option<chrono::NaiveDate> {
    let date = name.strip_prefix("wardstock-")?.strip_suffix(".sqlite")?;
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    (daily_name(day) == name).then_some(day)
}

/// The daily backups in `dir`, oldest first.
pub fn daily_backups(dir: &Path) -> Result<Vec<(chrono::NaiveDate, PathBuf)>, BackupError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let Some(day) = entry.file_name().to_str().and_then(daily_day) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            found.push((day, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// What a daily backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Daily {
    /// Today's backup is already in the folder.
    AlreadyMade { path: PathBuf },
    /// Another workstation is making it right now.
    InProgress { dir: PathBuf },
    /// Made and checked; the oldest beyond the number kept were removed.
    Made {
        report: BackupReport,
        removed: Vec<PathBuf>,
    },
}

/// A lock older than this was left by a workstation that stopped while
/// making the backup: it is taken over.
const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(3600);

/// The folder's lock while one workstation makes the day's backup; removed
/// when dropped.
struct DailyLock(PathBuf);

impl DailyLock {
    fn take(dir: &Path) -> Result<Option<DailyLock>, BackupError> {
        let path = dir.join(".wardstock-daily.lock");
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Some(DailyLock(path))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if !stale {
                        return Ok(None);
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Ok(None)
    }
}

impl Drop for DailyLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Makes `day`'s backup in `dir` (created if missing) unless it is there
/// already, checks it, then removes the oldest daily backups beyond `keep`
/// (never today's, never a file wardstock did not name). Nothing is removed
/// unless the new backup was made and checked.
pub fn daily(
    store: &Store,
    dir: &Path,
    day: chrono::NaiveDate,
    keep: u32,
) -> Result<Daily, BackupError> {
    let path = dir.join(daily_name(day));
    if path.exists() {
        return Ok(Daily::AlreadyMade { path });
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let Some(_lock) = DailyLock::take(dir)? else {
        return Ok(Daily::InProgress {
            dir: dir.to_path_buf(),
        });
    };
    // Made by another workstation between the look and the lock.
    if path.exists() {
        return Ok(Daily::AlreadyMade { path });
    }
    let report = backup(store, &path, false)?;
    let all = daily_backups(dir)?;
    let extra = all.len().saturating_sub(keep.max(1) as usize);
    let mut removed = Vec::new();
    for (d, old) in all.into_iter().take(extra) {
        if d == day {
            continue;
        }
        std::fs::remove_file(&old).map_err(io(&old))?;
        removed.push(old);
    }
    Ok(Daily::Made { report, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_wardstock_named_are_daily_backups() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(daily_name(d), "wardstock-2026-03-09.sqlite");
        assert_eq!(daily_day("wardstock-2026-03-09.sqlite"), Some(d));
        for other in [
            "wardstock-2026-3-9.sqlite",
            "wardstock-2026-03-09.sqlite.partial",
            "my-wardstock-2026-03-09.sqlite",
            "wardstock-2026-02-30.sqlite",
            "wardstock-latest.sqlite",
            "site.sqlite",
        ] {
            assert_eq!(daily_day(other), None, "{other}");
        }
    }
}
