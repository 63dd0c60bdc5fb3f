//! `wardstock backup` and `wardstock restore`: consistent copies of the
//! site's database, checked, while the console and other terminals work.

use std::path::Path;

use anyhow::Result;

use crate::i18n::num;
use crate::store::backup::{self, BackupReport};
use crate::t;

fn last(r: &BackupReport) -> String {
    r.last_movement.as_deref().unwrap_or("—").to_string()
}

/// `wardstock backup FILE [--force]`.
pub fn run_backup(db: &Path, to: &Path, force: bool, json: bool) -> Result<()> {
    let store = super::open(db)?;
    let r = backup::backup(&store, to, force)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "{}",
            t!(
                "cli.backup.made",
                path = r.path.display(),
                kb = num((r.bytes / 1024) as i64),
                movements = num(r.movements),
                last = last(&r)
            )
        );
    }
    Ok(())
}

/// `wardstock restore BACKUP [--force]` into the database given by `--db`.
pub fn run_restore(from: &Path, db: &Path, force: bool, json: bool) -> Result<()> {
    let r = backup::restore(from, db, force)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "{}",
            t!(
                "cli.backup.restored",
                path = r.path.display(),
                movements = num(r.movements),
                last = last(&r)
            )
        );
    }
    Ok(())
}
