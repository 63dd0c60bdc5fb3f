//! `wardstock backup` and `wardstock restore`: consistent copies of the
//! site's database, checked, while the console and other terminals work.

use std::path::Path;

use clap::Subcommand;

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

/// `wardstock site …`.
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// The site's name and time zone, and the time on its clock now.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change the site's time zone (an administrator): schedules keep their
    /// wall-clock times on the new clock.
    Set {
        #[command(flatten)]
        who: super::stock::UserArgs,
        /// The IANA time zone, e.g. Europe/Rome, Asia/Shanghai.
        #[arg(long, value_name = "ZONE")]
        timezone: String,
    },
}

/// `wardstock site show` and `wardstock site set`.
pub fn run_site(db: &Path, command: SiteCommand) -> Result<()> {
    let mut store = super::open(db)?;
    match command {
        SiteCommand::Show { json } => {
            let s = crate::store::queries::site_settings(&store.conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(());
            }
            println!(
                "{}",
                t!("cli.site.name", name = s.name.as_deref().unwrap_or("—"))
            );
            match &s.timezone {
                Some(tz) => {
                    let by = match (&s.timezone_set_by, &s.timezone_set_at) {
                        (Some(u), Some(at)) => {
                            t!("cli.site.set_by", user = u, at = super::when(at))
                        }
                        _ => String::new(),
                    };
                    println!("{}{by}", t!("cli.site.zone", zone = tz));
                }
                None => println!("{}", t!("cli.site.zone_not_stored", zone = s.zone_in_use)),
            }
            println!(
                "{}",
                t!(
                    "cli.site.now",
                    time = crate::i18n::datetime(crate::i18n::local(chrono::Utc::now()))
                )
            );
        }
        SiteCommand::Set { who, timezone } => {
            // An unknown zone is refused before a PIN is asked for.
            crate::ops::site::parse_timezone(&timezone)?;
            let actor = super::stock::sign_in(&mut store, &who)?;
            let before = store.zone();
            let zone =
                crate::ops::site::set_timezone(&mut store, &actor, &timezone, chrono::Utc::now())?;
            crate::i18n::set_zone(zone);
            if who.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "timezone": zone.name(),
                        "before": before.name(),
                    }))?
                );
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.site.zone_set",
                        zone = zone.name(),
                        before = before.name()
                    )
                );
            }
        }
    }
    Ok(())
}
