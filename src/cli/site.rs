//! `wardstock backup` and `wardstock restore`: consistent copies of the
//! site's database, checked, while the console and other terminals work.

use std::path::Path;

use anyhow::{Context, Result, bail};

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

/// What `wardstock init` is given on the command line.
pub struct InitArgs {
    pub site: String,
    pub timezone: String,
    pub pharmacy: String,
    pub pharmacy_name: Option<String>,
    pub admin: String,
    pub admin_name: Option<String>,
}

/// The new administrator's PIN: `WARDSTOCK_PIN`, else asked twice.
fn new_pin(admin: &str) -> Result<String> {
    if let Ok(p) = std::env::var("WARDSTOCK_PIN") {
        return Ok(p.trim().to_string());
    }
    let first = rpassword::prompt_password(t!("cli.init.pin", user = admin))
        .context(t!("cli.init.no_pin"))?;
    let again =
        rpassword::prompt_password(t!("cli.init.pin_again")).context(t!("cli.init.no_pin"))?;
    if first.trim() != again.trim() {
        bail!(t!("cli.init.pins_differ"));
    }
    Ok(first.trim().to_string())
}

/// `wardstock init`: a new, empty site.
pub fn run_init(db: &Path, a: InitArgs) -> Result<()> {
    // The time zone is checked before a PIN is asked for.
    crate::ops::site::parse_timezone(&a.timezone)?;
    let pin = new_pin(&a.admin)?;
    let site = crate::ops::site::NewSite {
        name: a.site.clone(),
        timezone: a.timezone.clone(),
        pharmacy_code: a.pharmacy.clone(),
        pharmacy_name: a
            .pharmacy_name
            .clone()
            .unwrap_or_else(|| a.pharmacy.clone()),
        admin: a.admin.clone(),
        admin_full_name: a.admin_name.clone().unwrap_or_else(|| a.admin.clone()),
    };
    crate::ops::site::init(db, &site, &pin, chrono::Utc::now())?;
    println!(
        "{}",
        t!(
            "cli.init.done",
            site = site.name.trim(),
            path = db.display(),
            tz = a.timezone.trim(),
            pharmacy = site.pharmacy_code.trim(),
            admin = site.admin.trim()
        )
    );
    Ok(())
}
