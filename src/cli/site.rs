//! `wardstock backup` and `wardstock restore`: consistent copies of the
//! site's database, checked, while the console and other terminals work.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use anyhow::{Context, Result, bail};

use crate::i18n::num;
use crate::ops::backups as ops;
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

/// `wardstock backup --daily DIR --keep N` / `--no-daily`: the site's daily
/// backups, made when the first user signs in each day.
#[derive(Debug, clap::Args)]
pub struct DailyArgs {
    /// Make a checked backup in this folder when the first user signs in each day (administrator).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["file", "no_daily"])]
    pub daily: Option<PathBuf>,
    /// How many daily backups to keep (the oldest beyond are removed).
    #[arg(long, value_name = "N", default_value_t = 7, requires = "daily")]
    pub keep: u32,
    /// Stop making daily backups (those made stay).
    #[arg(long, conflicts_with = "file")]
    pub no_daily: bool,
    /// The administrator setting them; the PIN comes from WARDSTOCK_PIN or is asked for.
    #[arg(long, env = "WARDSTOCK_USER", value_name = "NAME")]
    pub user: Option<String>,
}

/// `wardstock backup` as a whole: a copy to FILE, the daily backups set or
/// turned off, or (with nothing) how the daily backups stand.
pub fn run_backup_command(
    db: &Path,
    file: Option<&Path>,
    force: bool,
    json: bool,
    daily: DailyArgs,
) -> Result<()> {
    if let Some(file) = file {
        return run_backup(db, file, force, json);
    }
    let mut store = super::open(db)?;
    if daily.daily.is_none() && !daily.no_daily {
        return daily_status(&store, json);
    }
    let Some(user) = daily.user else {
        bail!(t!("cli.backup.daily_user"));
    };
    let who = super::stock::UserArgs { user, json };
    let actor = super::stock::sign_in(&mut store, &who)?;
    let now = chrono::Utc::now();
    let to = daily.daily.as_deref().map(|d| (d, daily.keep));
    let set = ops::set_daily(&mut store, &actor, now, to)?;
    match &set {
        Some(s) => {
            if !json {
                println!(
                    "{}",
                    t!("cli.backup.daily_set", dir = s.dir.display(), keep = s.keep)
                );
            }
            // Today's at once: the folder is shown to work.
            if let Some(outcome) = ops::after_sign_in(&store, now) {
                tell_daily(&outcome);
            }
        }
        None if !json => println!("{}", t!("cli.backup.daily_off")),
        None => {}
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&set)?);
    }
    Ok(())
}

/// How the daily backups stand: where, how many kept, and those made.
fn daily_status(store: &crate::store::Store, json: bool) -> Result<()> {
    let set = ops::daily_setting(&store.conn)?;
    let made = match &set {
        Some(s) => backup::daily_backups(&s.dir).unwrap_or_default(),
        None => Vec::new(),
    };
    if json {
        let mut v = serde_json::to_value(&set)?;
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "backups".into(),
                serde_json::json!(made.iter().map(|(_, p)| p).collect::<Vec<_>>()),
            );
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    match set {
        None => println!("{}", t!("cli.backup.daily_status_off")),
        Some(s) => println!(
            "{}",
            t!(
                "cli.backup.daily_status_on",
                dir = s.dir.display(),
                keep = s.keep,
                by = s.set_by.as_deref().unwrap_or("—"),
                at = s.set_at.as_deref().map(super::when).unwrap_or_default(),
                n = made.len(),
                newest = made
                    .last()
                    .map(|(_, p)| p.display().to_string())
                    .unwrap_or_else(|| "—".into())
            )
        ),
    }
    Ok(())
}

/// The daily backup's outcome for the user who signed in, on stderr (the
/// command's own output stays clean). A failure does not stop the command.
pub fn tell_daily(outcome: &ops::DailyOutcome) {
    match outcome {
        ops::DailyOutcome::Made { report, removed } => eprintln!(
            "{}",
            t!(
                "backup.daily.made",
                path = report.path.display(),
                removed = removed.len()
            )
        ),
        ops::DailyOutcome::NotNeeded => {}
        ops::DailyOutcome::Failed { dir, error } => eprintln!(
            "{}",
            t!("backup.daily.failed", dir = dir.display(), error = error)
        ),
    }
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
        timezone: Option<String>,
        /// What the patients' wristbands carry: the GS1 GSRN (AI 8018), the bare MRN, or either.
        #[arg(long, value_name = "gsrn|mrn|either")]
        wristband: Option<String>,
        /// The ATC classes where two drugs at once is a duplication
        /// (administrator or pharmacist): B01A,N02A,N05BA+N05CD (a class of
        /// several prefixes joined by +), or "default".
        #[arg(long, value_name = "LIST", conflicts_with_all = ["timezone", "wristband"])]
        duplicate_classes: Option<String>,
    },
}

/// `wardstock site show` and `wardstock site set`.
pub fn run_site(db: &Path, command: SiteCommand) -> Result<()> {
    let mut store = super::open(db)?;
    match command {
        SiteCommand::Show { json } => {
            let s = crate::store::queries::site_settings(&store.conn)?;
            let (band, band_by, band_at) = crate::ops::scan::wristband_setting(&store.conn)?;
            if json {
                let mut v = serde_json::to_value(&s)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("wristband".into(), serde_json::to_value(band)?);
                    o.insert("wristband_set_by".into(), serde_json::to_value(&band_by)?);
                    o.insert("wristband_set_at".into(), serde_json::to_value(&band_at)?);
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
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
            let by = match (&band_by, &band_at) {
                (Some(u), Some(at)) => t!("cli.site.set_by", user = u, at = super::when(at)),
                _ => String::new(),
            };
            println!(
                "{}{by}",
                t!(
                    "wristband.cli.site_wristband",
                    kind = crate::i18n::wristband::kind(band)
                )
            );
            super::rx::show_duplicate_classes(&s);
            println!(
                "{}",
                t!(
                    "cli.site.now",
                    time = crate::i18n::datetime(crate::i18n::local(chrono::Utc::now()))
                )
            );
        }
        SiteCommand::Set {
            who,
            duplicate_classes: Some(list),
            ..
        } => super::rx::set_duplicate_classes(&mut store, &who, &list)?,
        SiteCommand::Set {
            who,
            timezone,
            wristband,
            ..
        } => {
            // An unknown zone or wristband kind is refused before a PIN is asked for.
            let band = match wristband.as_deref() {
                Some(w) => Some(crate::ops::scan::WristbandKind::parse(w).with_context(|| {
                    t!(
                        "wristband.cli.bad_kind",
                        value = crate::i18n::results::quote(w)
                    )
                })?),
                None => None,
            };
            if let Some(timezone) = &timezone {
                crate::ops::site::parse_timezone(timezone)?;
            } else if band.is_none() {
                bail!(t!("wristband.cli.set_nothing"));
            }
            let actor = super::stock::sign_in(&mut store, &who)?;
            if let Some(kind) = band {
                let before = crate::ops::scan::wristband_kind(&store.conn)?;
                crate::ops::scan::set_wristband_kind(&mut store, &actor, kind, chrono::Utc::now())?;
                if who.json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "wristband": kind,
                            "before": before,
                        }))?
                    );
                } else {
                    println!(
                        "{}",
                        t!(
                            "wristband.cli.wristband_set",
                            kind = crate::i18n::wristband::kind(kind),
                            before = crate::i18n::wristband::kind(before)
                        )
                    );
                }
            }
            let Some(timezone) = timezone else {
                return Ok(());
            };
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
