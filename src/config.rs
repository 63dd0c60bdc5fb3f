//! Where things live: the database, the user's keymap overrides, the log.

use std::path::PathBuf;

use anyhow::{Context, Result};
use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "wardstock", "wardstock")
}

/// The data folder (`~/.local/share/wardstock` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    dirs()
        .map(|d| d.data_dir().to_path_buf())
        .context("no home folder is known for this user; give the database path with --db PATH or WARDSTOCK_DB")
}

/// The config folder (`~/.config/wardstock` on Linux), where `keymap.toml` may override keys.
pub fn config_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// The database to use: `--db`/`WARDSTOCK_DB` if given, else the default
/// file in the data folder (`demo.sqlite` for `--demo`, `wardstock.sqlite` otherwise).
pub fn resolve_db(explicit: Option<PathBuf>, demo: bool) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let dir = data_dir()?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    Ok(dir.join(if demo {
        "demo.sqlite"
    } else {
        "wardstock.sqlite"
    }))
}

/// The log file of the console (never written to the screen).
pub fn log_path() -> Option<PathBuf> {
    let dir = data_dir().ok()?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("wardstock.log"))
}
