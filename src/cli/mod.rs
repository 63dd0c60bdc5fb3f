//! The command line: parse arguments, open the store, call operations and
//! queries, print tables or `--json`. Errors go to stderr with a non-zero exit.

pub mod import;
pub mod mrp;
pub mod plan;
pub mod refdata;
pub mod report;
pub mod simulate;
pub mod site;
pub mod stock;
pub mod ward;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Parser, Subcommand};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use crate::demo::{self, DemoOptions, Scale};
use crate::i18n;
use crate::store::{Store, check, queries};
use crate::t;

#[derive(Debug, Parser)]
#[command(
    name = "wardstock",
    version,
    about = "Hospital ward and pharmacy stock: prescriptions, administration, lots, FEFO, replenishment."
)]
#[command(
    after_help = "Without a subcommand, wardstock opens the console.\nThe database is --db PATH, else $WARDSTOCK_DB, else the default file in the data folder."
)]
pub struct Cli {
    /// Database file (default: the data folder; demo.sqlite with --demo).
    #[arg(long, global = true, env = "WARDSTOCK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language: en or zh-CN (default: $WARDSTOCK_LANG, else the user's own setting, else the system's).
    #[arg(long, global = true, value_name = "en|zh-CN")]
    pub lang: Option<String>,
    /// Open the console on the demo database, creating it (clinic scale) if it is empty.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal console (the default).
    Console,
    /// Load a spreadsheet (CSV) of items, places, locations, suppliers, users, patients, allergies or opening stock, or a whole site's folder of them.
    Import(import::ImportArgs),
    /// Write items, places, locations, suppliers, users, patients, allergies, stock or movements as CSV.
    Export(import::ExportArgs),
    /// Fill an empty database with a demo clinic or hospital.
    Demo {
        #[arg(long, value_enum, default_value = "clinic")]
        scale: DemoScale,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace an existing wardstock database.
        #[arg(long)]
        force: bool,
        /// "Now" of the demo (RFC 3339); default the current time.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The demo site's IANA time zone, e.g. Europe/Rome, Asia/Shanghai
        /// (default: the computer's, else UTC).
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Verify the file, that every balance equals its ledger, and that none is negative.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// List stock balances by place, item and lot.
    Stock {
        /// Only this place (PHARM, a ward code).
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Stock operations (receive, transfer, issue, waste, return, quarantine, release, recall, stocktake).
    #[command(flatten)]
    Ops(stock::StockCommand),
    /// Enter a prescription on behalf of the prescriber (it awaits validation).
    Prescribe {
        #[command(flatten)]
        who: stock::UserArgs,
        #[command(flatten)]
        rx: RxArgs,
        #[arg(long)]
        mrn: String,
        /// The product (for a generic prescription: the preferred product; default the first of its ATC code).
        #[arg(long, value_name = "CODE", required_unless_present = "atc")]
        item: Option<String>,
        /// A generic prescription by ATC code, e.g. J01CA04.
        #[arg(long, value_name = "ATC")]
        atc: Option<String>,
        /// Products allowed for a generic prescription, e.g. AMOX500C,AMOX250C (default: every product of the ATC code).
        #[arg(long, value_name = "CODES", requires = "atc", value_delimiter = ',')]
        allow: Vec<String>,
        #[arg(long)]
        route: String,
        #[arg(long)]
        indication: String,
        #[arg(long)]
        prescriber: String,
        /// Start (RFC 3339); default now.
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        #[arg(long)]
        time_critical: bool,
    },
    /// Suspend, resume, stop or change a prescription.
    Rx {
        #[command(subcommand)]
        command: RxCommand,
    },
    /// Record a dose at the bedside: the seven rights on the wristband and pack scans.
    Administer {
        /// The prescription.
        rx: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        /// The scheduled time of the dose (RFC 3339); omit for a PRN dose.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The wristband scan (the MRN it carries).
        #[arg(long, value_name = "MRN", required_unless_present = "dob")]
        wristband: Option<String>,
        /// Without a wristband: the date of birth confirmed with the patient (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", conflicts_with = "wristband")]
        dob: Option<String>,
        /// The pack scan (GS1); without it the first-expired lot is used and "not scanned" recorded.
        #[arg(long, value_name = "DATA")]
        scan: Option<String>,
        /// Units given (default: the prescribed dose in units of the item).
        #[arg(long)]
        units: Option<i64>,
        /// The route was checked against the prescription.
        #[arg(long)]
        route_confirmed: bool,
        /// Why the dose is given outside its window: a code of the ward's timing list, or "other: …".
        #[arg(long)]
        timing_reason: Option<String>,
        #[arg(
            long,
            default_value = "given",
            value_name = "given|partially_given|held|refused|not_given_supply|missed"
        )]
        outcome: String,
        /// Why it was held, refused, missed or partly given: a code of the ward's list (wardstock ward reasons), or "other: …".
        #[arg(long)]
        reason: Option<String>,
        /// A second user witnessing a controlled drug (PIN from WARDSTOCK_WITNESS_PIN or asked).
        #[arg(long, value_name = "USER")]
        witness: Option<String>,
        /// A second user double-checking a high-alert drug (PIN from WARDSTOCK_CHECK_PIN or asked).
        #[arg(long, value_name = "USER")]
        double_check: Option<String>,
    },
    /// A ward's administration schedule: doses due, overdue, missed, upcoming and recorded.
    Mar {
        #[arg(long, value_name = "WARD")]
        ward: String,
        /// From (RFC 3339); default 4 h ago.
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// To (RFC 3339); default 12 h ahead.
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Group the doses by patient (default: by time).
        #[arg(long)]
        by_patient: bool,
        #[arg(long)]
        json: bool,
    },
    /// Replenishment from the prescriptions (MRP): ward deliveries and supplier orders, with pegging and exceptions.
    Plan {
        #[command(subcommand)]
        command: Option<plan::PlanCommand>,
        #[command(flatten)]
        horizon: plan::HorizonArgs,
        #[arg(long)]
        json: bool,
    },
    /// Plan an MRP problem file (JSON) without a database: what-ifs and checks of the engine.
    Mrp {
        /// The problem file.
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Simulate AS IS (periodic review to par levels) against TO BE (daily MRP) for one ward and the pharmacy.
    Simulate(simulate::SimulateArgs),
    /// Suppliers and purchase orders.
    Po {
        #[command(subcommand)]
        command: plan::PoCommand,
    },
    /// A ward's own settings: reason lists, administration times; its open multi-dose packs.
    Ward {
        #[command(subcommand)]
        command: ward::WardCommand,
    },
    /// Patients: admit, move, discharge, list, show; `patient MRN` shows the record.
    #[command(args_conflicts_with_subcommands = true)]
    Patient {
        #[command(subcommand)]
        command: Option<refdata::PatientCommand>,
        /// The patient whose record to show (allergies, prescriptions, every dose with its lot).
        mrn: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A patient's allergies, intolerances and contraindications.
    Allergy {
        #[command(subcommand)]
        command: refdata::AllergyCommand,
    },
    /// Which patients received units of a lot, and where the rest is (for a recall).
    Trace {
        #[arg(long, value_name = "LOT")]
        lot: String,
        /// The item, when several share the lot number.
        #[arg(long, value_name = "CODE")]
        item: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The pharmacist's validation queue and decisions.
    Validate {
        #[command(subcommand)]
        command: ValidateCommand,
    },
    /// Start a new site: an empty database with the site's name and time zone,
    /// its pharmacy and one administrator (PIN from WARDSTOCK_PIN or asked twice).
    Init {
        /// The site's name, e.g. "Riverside Clinic".
        #[arg(long)]
        site: String,
        /// The site's IANA time zone, e.g. Europe/Rome, Asia/Shanghai.
        #[arg(long)]
        timezone: String,
        /// The pharmacy's code, e.g. PHARM.
        #[arg(long)]
        pharmacy: String,
        #[arg(long)]
        pharmacy_name: Option<String>,
        /// The administrator's user name.
        #[arg(long)]
        admin: String,
        /// The administrator's full name.
        #[arg(long)]
        admin_name: Option<String>,
    },
    /// The site's settings: show them, or (an administrator) change the time zone.
    Site {
        #[command(subcommand)]
        command: site::SiteCommand,
    },
    /// Make a consistent, checked copy of the database while others work
    /// (never copy the .sqlite file alone: it loses what sits in its -wal file).
    /// With --daily DIR --keep N, a backup is made each day when the first user signs in.
    Backup {
        /// The backup file to write (without it: how the daily backups stand).
        file: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        daily: site::DailyArgs,
    },
    /// Replace the database (--db) with a checked backup.
    Restore {
        /// The backup file.
        backup: PathBuf,
        /// Restore even though the database holds movements newer than the backup.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Barcode tools.
    Gs1 {
        #[command(subcommand)]
        command: Gs1Command,
    },
    /// List stock warnings (expiry, quarantine, recall, levels), worst first.
    Alerts {
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The formulary: add, edit, retire, list and show items, link and unlink GTINs.
    Item {
        #[command(subcommand)]
        command: refdata::ItemCommand,
    },
    /// The pharmacy and the wards: add, edit, close, list.
    Place {
        #[command(subcommand)]
        command: refdata::PlaceCommand,
    },
    /// Storage locations inside a place (shelves, fridges, the safe, trolleys): add, edit, close, list; where an item is kept; move stock between them.
    Location {
        #[command(subcommand)]
        command: refdata::LocationCommand,
    },
    /// Suppliers: add, edit, list.
    Supplier {
        #[command(subcommand)]
        command: refdata::SupplierCommand,
    },
    /// Change your own PIN (the current or one-time PIN, then the new one twice;
    /// WARDSTOCK_PIN and WARDSTOCK_NEW_PIN for scripts).
    Pin(refdata::PinArgs),
    /// The site's users (administrators), and a user's own language.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set the language you read: en, zh-CN, or system (follow the computer's).
    Language {
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(value_name = "en|zh-CN|system")]
        language: String,
    },
    #[command(flatten)]
    Admin(refdata::UserAdmin),
}

/// The size of a demo database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScale {
    /// The central pharmacy, 3 wards, ~150 items, ~40 patients.
    Clinic,
    /// 26 wards, 5,000 items, 100,000 lots, >1,000,000 movements, 700 patients.
    Hospital,
}

impl From<DemoScale> for Scale {
    fn from(s: DemoScale) -> Scale {
        match s {
            DemoScale::Clinic => Scale::Clinic,
            DemoScale::Hospital => Scale::Hospital,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Gs1Command {
    /// Decode scanned or typed GS1 data: element string, (01)… label text, Digital Link URI or GTIN.
    Decode {
        /// The data, e.g. "(01)09506000134352(17)271231(10)ABC".
        data: String,
        /// A character the scanner sends instead of the group separator (ASCII 29).
        #[arg(long, value_name = "CHAR")]
        separator: Option<char>,
        #[arg(long)]
        json: bool,
    },
}

/// What a prescription says of its dose and timing.
#[derive(Debug, clap::Args)]
pub struct RxArgs {
    /// One dose in the item's strength unit, e.g. 500 or 2.5.
    #[arg(long)]
    pub dose: Option<String>,
    /// once, stat, qd, bid, tid, qid, q4h, q6h, q8h, q12h, weekly, prn.
    #[arg(long)]
    pub frequency: Option<String>,
    /// Wall-clock times, e.g. 08:00,20:00 (default: the ward's times for the frequency).
    #[arg(long)]
    pub times: Option<String>,
    /// For PRN: the most doses in 24 h.
    #[arg(long)]
    pub prn_max: Option<i64>,
    /// For PRN: the least time between two doses, e.g. 4h or 90m.
    #[arg(long, value_name = "DURATION")]
    pub prn_interval: Option<String>,
    /// Duration in days from the start.
    #[arg(long)]
    pub days: Option<i64>,
}

/// Parsed changes of dose and timing.
#[derive(Debug, Clone, Default)]
pub struct RxPatch {
    dose_milli: Option<i64>,
    frequency: Option<crate::domain::schedule::Frequency>,
    times: Option<Vec<chrono::NaiveTime>>,
    prn_max: Option<i64>,
    prn_interval: Option<i64>,
    days: Option<i64>,
}

impl RxPatch {
    fn apply(&self, mut rx: crate::ops::rx::NewRx) -> crate::ops::rx::NewRx {
        rx.dose_milli = self.dose_milli.unwrap_or(rx.dose_milli);
        rx.frequency = self.frequency.unwrap_or(rx.frequency);
        if let Some(t) = &self.times {
            rx.times = t.clone();
        }
        rx.prn_max_per_day = self.prn_max.or(rx.prn_max_per_day);
        rx.prn_min_interval_min = self.prn_interval.or(rx.prn_min_interval_min);
        if let Some(d) = self.days {
            rx.end = Some(rx.start + chrono::Duration::days(d));
        }
        rx
    }
}

impl RxArgs {
    /// Parses the arguments before anything is written.
    fn patch(&self) -> Result<RxPatch> {
        let dose_milli = match &self.dose {
            Some(d) => Some(
                crate::domain::parse_milli(d)
                    .with_context(|| t!("cli.arg.dose", value = crate::i18n::results::quote(d)))?,
            ),
            None => None,
        };
        let frequency = match &self.frequency {
            Some(f) => Some(f.parse().map_err(|_| {
                anyhow::anyhow!(t!(
                    "cli.arg.frequency",
                    value = crate::i18n::results::quote(f)
                ))
            })?),
            None => None,
        };
        let times = match &self.times {
            Some(t) => Some(
                t.split(',')
                    .map(|x| {
                        chrono::NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| {
                            anyhow::anyhow!(t!(
                                "cli.arg.times",
                                value = crate::i18n::results::quote(x)
                            ))
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            None => None,
        };
        if self.days.is_some_and(|d| d < 1) {
            bail!(t!("cli.arg.days"));
        }
        let prn_interval = match &self.prn_interval {
            Some(d) => Some(parse_minutes(d).with_context(|| {
                t!(
                    "cli.arg.prn_interval",
                    value = crate::i18n::results::quote(d)
                )
            })?),
            None => None,
        };
        Ok(RxPatch {
            dose_milli,
            frequency,
            times,
            prn_max: self.prn_max,
            prn_interval,
            days: self.days,
        })
    }
}

/// "4h", "90m", "1h30m" or plain minutes, as minutes.
fn parse_minutes(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    if let Ok(m) = s.parse::<i64>() {
        return (m >= 0).then_some(m);
    }
    let (h, rest) = match s.split_once('h') {
        Some((h, rest)) => (h.trim().parse::<i64>().ok()?, rest.trim()),
        None => (0, s.as_str()),
    };
    let m = if rest.is_empty() {
        0
    } else {
        rest.strip_suffix('m')?.trim().parse::<i64>().ok()?
    };
    (h >= 0 && m >= 0).then(|| h * 60 + m)
}

#[derive(Debug, Subcommand)]
pub enum RxCommand {
    Suspend {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    Resume {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    Stop {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    /// Change dose or timing: a new version replaces this one and awaits validation.
    Edit {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[command(flatten)]
        rx: RxArgs,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ValidateCommand {
    /// Prescriptions awaiting validation, with their findings.
    List {
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Accept a prescription (a comment is required when it has findings).
    Accept {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Reject a prescription, with the reason for the prescriber.
    Reject {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
}

/// Whether the language was asked for explicitly (`--lang`, `WARDSTOCK_LANG`):
/// then a user's own setting does not change it.
static EXPLICIT: AtomicBool = AtomicBool::new(false);

/// Speaks the signed-in user's own language, unless one was asked for
/// explicitly. Called once the user is known, before anything is printed.
pub fn speak_to(store: &Store, actor: &crate::ops::Actor) {
    if EXPLICIT.load(Ordering::Relaxed) {
        return;
    }
    // A setting that cannot be read leaves the language as it is.
    if let Ok(user) = queries::user_language(&store.conn, actor.user_id) {
        i18n::set_lang(i18n::choose(None, user));
    }
}

/// A stored status or outcome (`in_transit`, `partially_given` …) in words.
pub fn status_word(s: &str) -> String {
    let w = match s {
        "ok" => t!("cli.status.ok"),
        "quarantined" => t!("cli.status.quarantined"),
        "recalled" => t!("cli.status.recalled"),
        "awaiting_validation" | "awaiting validation" => t!("cli.status.awaiting_validation"),
        "active" => t!("cli.status.active"),
        "suspended" => t!("cli.status.suspended"),
        "stopped" => t!("cli.status.stopped"),
        "completed" => t!("cli.status.completed"),
        "rejected" => t!("cli.status.rejected"),
        "superseded" => t!("cli.status.superseded"),
        "given" => t!("cli.status.given"),
        "partially_given" | "partially given" => t!("cli.status.partially_given"),
        "held" => t!("cli.status.held"),
        "refused" => t!("cli.status.refused"),
        "not_given_supply" | "not given supply" => t!("cli.status.not_given_supply"),
        "missed" => t!("cli.status.missed"),
        "open" => t!("cli.status.open"),
        "partial" => t!("cli.status.partial"),
        "in_transit" | "in transit" => t!("cli.status.in_transit"),
        "received" => t!("cli.status.received"),
        "cancelled" => t!("cli.status.cancelled"),
        "approved" => t!("cli.status.approved"),
        other => return other.replace('_', " "),
    };
    w.to_string()
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    // The system's language first, so that even a wrong --lang is refused
    // in words the reader knows.
    i18n::set_lang(i18n::choose(None, None));
    let explicit = match i18n::explicit(cli.lang.as_deref()) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("wardstock: {msg}");
            return Ok(2);
        }
    };
    EXPLICIT.store(explicit.is_some(), Ordering::Relaxed);
    i18n::set_lang(i18n::choose(explicit, None));
    match cli.command {
        None | Some(Command::Console) => {
            let path = crate::config::resolve_db(cli.db.clone(), cli.demo)?;
            if cli.demo {
                ensure_demo(&path)?;
            }
            let store = open(&path)?;
            crate::tui::run_with_lang(store, explicit)?;
            Ok(0)
        }
        Some(Command::Demo {
            scale,
            seed,
            force,
            at,
            timezone,
            json,
        }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            let zone = match timezone {
                Some(name) => crate::ops::site::parse_timezone(&name)?,
                None => crate::store::machine_zone(),
            };
            let anchor = match at {
                Some(s) => crate::domain::instant_from_text(&s)
                    .with_context(|| instant_error("--at", &s))?,
                None => Utc::now(),
            };
            let scale = Scale::from(scale);
            let summary = make_demo(&path, scale, seed, anchor, force, zone)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                let scale = match scale {
                    Scale::Clinic => t!("cli.demo.clinic"),
                    Scale::Hospital => t!("cli.demo.hospital"),
                };
                println!(
                    "{}",
                    t!(
                        "cli.demo.written",
                        scale = scale,
                        seed = seed,
                        path = path.display(),
                        places = i18n::num(summary.places),
                        items = i18n::num(summary.items),
                        lots = i18n::num(summary.lots),
                        movements = i18n::num(summary.movements),
                        patients = i18n::num(summary.patients),
                        prescriptions = i18n::num(summary.prescriptions),
                        doses = i18n::num(summary.administrations),
                        seconds = format!("{:.1}", summary.seconds)
                    )
                );
                println!("{}", t!("cli.demo.sign_in", pin = demo::DEMO_PIN));
            }
            Ok(0)
        }
        Some(Command::Import(args)) => import::run_import(cli.db.clone(), args),
        Some(Command::Export(args)) => import::run_export(cli.db.clone(), args),
        Some(Command::Check { json }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            let store = open(&path)?;
            let report = check::run(&store.conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.ok() {
                println!(
                    "{}",
                    t!(
                        "cli.check.ok",
                        movements = i18n::num(report.movements as i64),
                        balances = i18n::num(report.balances as i64)
                    )
                );
            } else {
                for p in &report.problems {
                    println!("{p}");
                }
                eprintln!(
                    "wardstock: {}",
                    t!(
                        "cli.check.problems",
                        n = report.problems.len(),
                        path = path.display()
                    )
                );
            }
            Ok(if report.ok() { 0 } else { 1 })
        }
        Some(Command::Stock { place, json }) => {
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let place_id = place_filter(&store, place.as_deref())?;
            let rows = queries::balance_rows(&store.conn, place_id, store.today(Utc::now()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.place"),
                    t!("cli.col.location"),
                    t!("cli.col.item"),
                    t!("cli.col.item_name"),
                    t!("cli.col.lot"),
                    t!("cli.col.expiry"),
                    t!("cli.col.qty"),
                    t!("cli.col.unit"),
                    t!("cli.col.state"),
                ]);
                for r in &rows {
                    let state = match (r.status.as_str(), r.days_to_expiry) {
                        ("ok", Some(d)) if d < 0 => t!("cli.stock.expired_ago", days = -d),
                        ("ok", Some(d)) if d <= 30 => t!("cli.stock.expires_in", days = d),
                        (s, _) => status_word(s),
                    };
                    t.add_row([
                        r.place.as_str(),
                        &r.location,
                        &r.item,
                        &r.item_name,
                        &r.lot,
                        r.expiry.as_deref().unwrap_or("-"),
                        &i18n::num(r.qty),
                        crate::i18n::unit(&r.dose_unit),
                        &state,
                    ]);
                }
                println!("{t}");
                println!("{}", t!("cli.stock.count", n = rows.len()));
            }
            Ok(0)
        }
        Some(Command::Prescribe {
            who,
            rx,
            mrn,
            item,
            atc,
            allow,
            route,
            indication,
            prescriber,
            start,
            time_critical,
        }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let start = match start {
                Some(t) => crate::domain::instant_from_text(&t)
                    .with_context(|| instant_error("--start", &t))?,
                None => Utc::now(),
            };
            let item = match (item, &atc) {
                (Some(i), _) => i,
                (None, Some(a)) => queries::first_item_of_atc(&store.conn, a, &route, &mrn)?
                    .with_context(|| {
                        t!(
                            "cli.rx.no_atc_product",
                            atc = a,
                            route = i18n::results::route(&route)
                        )
                    })?,
                (None, None) => bail!(t!("cli.rx.give_item_or_atc")),
            };
            let base = crate::ops::rx::NewRx {
                mrn,
                item_code: item,
                generic_atc: atc,
                alternatives: allow,
                prn_min_interval_min: None,
                dose_milli: 0,
                route,
                frequency: crate::domain::schedule::Frequency::Qd,
                times: vec![],
                prn_max_per_day: None,
                start,
                end: None,
                indication,
                prescriber,
                time_critical,
            };
            if rx.dose.is_none() || rx.frequency.is_none() {
                bail!(t!("cli.rx.give_dose_frequency"));
            }
            let new = rx.patch()?.apply(base);
            let actor = stock::sign_in(&mut store, &who)?;
            let id = crate::ops::rx::prescribe(&mut store, &actor, Utc::now(), &new)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({ "id": id, "status": "awaiting_validation" })
                );
            } else {
                println!("{}", t!("cli.rx.entered", id = id));
            }
            Ok(0)
        }
        Some(Command::Rx { command }) => {
            use crate::ops::rx::{self, StatusChange};
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let (id, who, change, reason) = match command {
                RxCommand::Suspend { id, who, reason } => {
                    (id, who, Some(StatusChange::Suspend), reason)
                }
                RxCommand::Resume { id, who, reason } => {
                    (id, who, Some(StatusChange::Resume), reason)
                }
                RxCommand::Stop { id, who, reason } => (id, who, Some(StatusChange::Stop), reason),
                RxCommand::Edit {
                    id,
                    who,
                    rx: args,
                    reason,
                } => {
                    let patch = args.patch()?;
                    let actor = stock::sign_in(&mut store, &who)?;
                    let new = rx::edit(
                        &mut store,
                        &actor,
                        Utc::now(),
                        id,
                        |old| patch.apply(old),
                        &reason,
                    )?;
                    println!("{}", t!("cli.rx.replaced", id = id, new = new));
                    return Ok(0);
                }
            };
            let actor = stock::sign_in(&mut store, &who)?;
            let change = change.context(t!("cli.rx.no_change"))?;
            rx::change_status(&mut store, &actor, Utc::now(), id, change, &reason)?;
            let done = match change {
                StatusChange::Suspend => t!("cli.rx.suspended"),
                StatusChange::Resume => t!("cli.rx.resumed"),
                StatusChange::Stop => t!("cli.rx.stopped"),
            };
            println!(
                "{}",
                t!("cli.rx.changed", id = id, done = done, reason = reason)
            );
            Ok(0)
        }
        Some(Command::Administer {
            rx,
            who,
            at,
            wristband,
            dob,
            scan,
            units,
            route_confirmed,
            timing_reason,
            outcome,
            reason,
            witness,
            double_check,
        }) => {
            use crate::ops::mar::{self, DoseInput, Outcome};
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let outcome: Outcome = outcome
                .parse()
                .map_err(|_| anyhow::anyhow!(t!("cli.arg.outcome")))?;
            let scheduled_at = at
                .map(|t| {
                    crate::domain::instant_from_text(&t).with_context(|| instant_error("--at", &t))
                })
                .transpose()?;
            let mut pack_name = None;
            let pack = match scan {
                Some(data) => {
                    let pack = crate::ops::scan::read_pack(
                        &store.conn,
                        &data,
                        stock::settings().scanner.separator,
                        store.today(Utc::now()),
                    )?;
                    let (item, g) = (pack.item, pack.gs1);
                    let lot = g.lot.context(t!("cli.scan.pack_no_lot"))?;
                    pack_name = Some(item.name.clone());
                    Some((item.id, lot))
                }
                None => None,
            };
            // Default units: one dose of the product in hand (the scanned
            // pack's own strength), or of the prescribed product.
            let units = match units {
                Some(u) => u,
                None => {
                    let item: i64 = match &pack {
                        Some((item, _)) => *item,
                        None => queries::prescription_item(&store.conn, rx)
                            .ok()
                            .flatten()
                            .with_context(|| t!("cli.rx.none", id = rx))?,
                    };
                    queries::units_for_dose(&store.conn, rx, item).unwrap_or(1)
                }
            };
            let actor = stock::sign_in(&mut store, &who)?;
            let second = |store: &mut Store,
                          user: Option<String>,
                          env: &str|
             -> Result<Option<crate::ops::Actor>> {
                let Some(user) = user else { return Ok(None) };
                let pin = match std::env::var(env) {
                    Ok(p) => p,
                    Err(_) => rpassword::prompt_password(t!("cli.pin.prompt_for", user = user))
                        .with_context(|| t!("cli.pin.none_for", user = user, env = env))?,
                };
                Ok(Some(crate::ops::auth::sign_in(
                    store,
                    &user,
                    pin.trim(),
                    Utc::now(),
                )?))
            };
            let witness = second(&mut store, witness, "WARDSTOCK_WITNESS_PIN")?;
            let double_check = second(&mut store, double_check, "WARDSTOCK_CHECK_PIN")?;
            let input = DoseInput {
                rx_id: rx,
                scheduled_at,
                outcome,
                patient_mrn: wristband,
                patient_dob: match &dob {
                    Some(d) => Some(
                        chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").with_context(
                            || t!("cli.arg.dob", value = crate::i18n::results::quote(d)),
                        )?,
                    ),
                    None => None,
                },
                pack,
                units,
                route_confirmed,
                timing_reason,
                reason,
                witness,
                double_check,
            };
            let r = match mar::administer(&mut store, &actor, Utc::now(), &input) {
                // The wrong drug is named: what was scanned, what is prescribed.
                Err(mar::DoseError::Rights(failures))
                    if failures.contains(&crate::domain::seven_rights::Failure::Drug) =>
                {
                    let prescribed: Option<String> = queries::prescription_item(&store.conn, rx)
                        .ok()
                        .flatten()
                        .and_then(|id| crate::ops::stock::item_by_id(&store.conn, id).ok())
                        .map(|i| i.name);
                    let words: Vec<String> = failures
                        .iter()
                        .map(|f| match (f, &pack_name, &prescribed) {
                            (crate::domain::seven_rights::Failure::Drug, Some(pack), Some(rx)) => {
                                t!("domain.rights.wrong_drug_named", pack = pack, rx = rx)
                            }
                            _ => f.message(),
                        })
                        .collect();
                    bail!(words.join(t!("refused.dose.separator")))
                }
                r => r?,
            };
            if who.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("{}", t!("cli.mar.recorded", summary = r.summary()));
            }
            Ok(0)
        }
        Some(Command::Mar {
            ward,
            from,
            to,
            by_patient,
            json,
        }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let Some(ward_id) = place_filter(&store, Some(&ward))? else {
                bail!(t!("cli.mar.give_ward"))
            };
            let now = Utc::now();
            let time = |flag: &str,
                        t: Option<String>,
                        default: chrono::DateTime<Utc>|
             -> Result<chrono::DateTime<Utc>> {
                match t {
                    Some(t) => crate::domain::instant_from_text(&t)
                        .with_context(|| instant_error(flag, &t)),
                    None => Ok(default),
                }
            };
            let (from, to) = (
                time("--from", from, now - chrono::Duration::hours(4))?,
                time("--to", to, now + chrono::Duration::hours(12))?,
            );
            if to <= from {
                bail!(t!("cli.mar.to_after_from"));
            }
            // Doses whose window closed with nothing recorded become missed.
            crate::ops::mar::close_missed(&mut store, Some(ward_id), now)?;
            let (mut rows, prn) = queries::schedule(&store.conn, ward_id, from, to)?;
            if by_patient {
                rows.sort_by(|a, b| (&a.bed, &a.patient, a.at).cmp(&(&b.bed, &b.patient, b.at)));
            }
            let prn_state = prn
                .iter()
                .map(|p| queries::prn_state(&store.conn, p.id, now))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if json {
                let doses: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::to_value(r).unwrap_or_default();
                        v["status"] = serde_json::to_value(r.status(now)).unwrap_or_default();
                        v
                    })
                    .collect();
                let prn: Vec<serde_json::Value> = prn
                    .iter()
                    .zip(&prn_state)
                    .map(|(p, st)| serde_json::json!({"prescription_id": p.id, "mrn": p.mrn, "patient": p.patient, "item": p.item,
                                                      "dose": p.dose_text(), "given_24h": st.given_24h, "max_24h": st.max_24h,
                                                      "last_given": st.last_given, "next_allowed": st.next_allowed}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"ward": ward, "from": from, "to": to, "doses": doses, "prn": prn})
                    )?
                );
            } else {
                use crate::domain::schedule::DoseStatus;
                let local = |t: chrono::DateTime<Utc>| i18n::datetime_short(i18n::local(t));
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.time"),
                    t!("cli.col.status"),
                    t!("cli.col.bed"),
                    t!("cli.col.patient"),
                    t!("cli.col.drug"),
                    t!("cli.col.dose"),
                    t!("cli.col.route"),
                    t!("cli.col.flags"),
                ]);
                for r in &rows {
                    let status = match r.status(now) {
                        DoseStatus::Recorded => {
                            status_word(r.outcome.as_deref().unwrap_or_default())
                        }
                        DoseStatus::Missed if r.auto_missed => t!("cli.mar.missed_auto").into(),
                        s => dose_status_word(s).into(),
                    };
                    t.add_row([
                        local(r.at),
                        status,
                        r.bed.clone(),
                        r.patient.clone(),
                        r.item.clone(),
                        r.dose.clone(),
                        i18n::results::route(&r.route).to_string(),
                        i18n::results::flags(&r.flags),
                    ]);
                }
                if !rows.is_empty() {
                    println!("{t}");
                }
                if !prn.is_empty() {
                    let mut t = Table::new();
                    t.load_preset(UTF8_BORDERS_ONLY).set_header([
                        t!("cli.col.rx"),
                        t!("cli.col.bed"),
                        t!("cli.col.patient"),
                        t!("cli.col.drug"),
                        t!("cli.col.dose"),
                        t!("cli.col.route"),
                        t!("cli.col.flags"),
                        t!("cli.col.given_24h"),
                        t!("cli.col.next_dose"),
                    ]);
                    for (p, st) in prn.iter().zip(&prn_state) {
                        let next = match st.next_allowed {
                            Some(t) => t!("cli.mar.prn_next", time = local(t)),
                            None => t!("cli.mar.prn_now").to_string(),
                        };
                        t.add_row([
                            format!("PRN RX-{}", p.id),
                            p.bed.clone().unwrap_or_default(),
                            p.patient.clone(),
                            p.item.clone(),
                            p.dose_text(),
                            i18n::results::route(&p.route).to_string(),
                            [
                                (p.controlled, "CD"),
                                (p.high_alert, "HA"),
                                (p.time_critical, "TC"),
                            ]
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, f)| i18n::results::flag(f))
                            .collect::<Vec<_>>()
                            .join(" "),
                            format!(
                                "{}/{}",
                                st.given_24h,
                                st.max_24h.map_or("-".to_string(), |m| m.to_string())
                            ),
                            next,
                        ]);
                    }
                    println!("{t}");
                }
                println!(
                    "{}",
                    t!("cli.mar.summary", doses = rows.len(), prn = prn.len())
                );
            }
            Ok(0)
        }
        Some(Command::Allergy { command }) => refdata::run_allergy(cli.db.clone(), command),
        Some(Command::Patient { command, mrn, json }) => {
            let (mrn, json) = match (command, mrn) {
                (Some(refdata::PatientCommand::Show { mrn, json }), _) => (mrn, json),
                (Some(cmd), _) => return refdata::run_patient(cli.db.clone(), cmd),
                (None, Some(mrn)) => (mrn, json),
                (None, None) => bail!(t!("refdata.patient.which")),
            };
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let Some(p) = queries::patient_record(&store.conn, &mrn)? else {
                bail!(t!(
                    "cli.patient.none",
                    mrn = crate::i18n::results::quote(&mrn)
                ));
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.patient.head",
                        mrn = p.mrn,
                        name = p.name,
                        dob = p.dob,
                        ward = p.ward.as_deref().unwrap_or("-"),
                        bed = p.bed.as_deref().unwrap_or("-")
                    )
                );
                if let Some(adt) =
                    queries::patient_adt(&store.conn, &p.mrn)?.filter(|a| a.discharged_at.is_some())
                {
                    println!("{}", refdata::patient_line(&adt));
                }
                println!(
                    "{}",
                    t!(
                        "cli.patient.allergies",
                        list = if p.allergies.is_empty() {
                            t!("cli.patient.no_allergies").to_string()
                        } else {
                            allergies_text(&p.allergies)
                        }
                    )
                );
                removed_allergies_text(&p.removed_allergies);
                println!("{}", t!("cli.patient.prescriptions"));
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.rx"),
                    t!("cli.col.drug"),
                    t!("cli.col.dose"),
                    t!("cli.col.route"),
                    t!("cli.col.frequency"),
                    t!("cli.col.status"),
                ]);
                for l in &p.prescriptions {
                    t.add_row([
                        l.id.to_string(),
                        l.item.clone(),
                        l.dose_text(),
                        i18n::results::route(&l.route).to_string(),
                        l.frequency.clone(),
                        status_word(&l.status),
                    ]);
                }
                println!("{t}");
                println!("{}", t!("cli.patient.doses", n = p.doses.len()));
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.recorded_at"),
                    t!("cli.col.drug"),
                    t!("cli.col.outcome"),
                    t!("cli.col.qty"),
                    t!("cli.col.lot"),
                    t!("cli.col.by"),
                    t!("cli.col.reason"),
                ]);
                for d in &p.doses {
                    let lot = match &d.lot {
                        Some(l) if d.scanned => l.clone(),
                        Some(l) => format!("{l} {}", t!("cli.patient.not_scanned")),
                        None => String::new(),
                    };
                    t.add_row([
                        when(&d.recorded_at),
                        d.item.clone(),
                        status_word(&d.outcome),
                        d.qty.map(i18n::num).unwrap_or_default(),
                        lot,
                        d.by.clone(),
                        d.reason.clone().unwrap_or_default(),
                    ]);
                }
                println!("{t}");
            }
            Ok(0)
        }
        Some(Command::Trace { lot, item, json }) => {
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let item = item
                .map(|c| crate::ops::stock::item_by_code(&store.conn, &c))
                .transpose()?;
            let traces = crate::ops::stock::trace(&store.conn, &lot, item.as_ref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&traces)?);
            } else {
                for t in &traces {
                    println!(
                        "{}",
                        t!(
                            "cli.trace.head",
                            item = t.item,
                            name = t.item_name,
                            lot = t.lot,
                            expiry = t
                                .expiry
                                .map(i18n::date)
                                .unwrap_or_else(|| t!("cli.word.none").into()),
                            status = status_word(t.status.as_ref())
                        )
                    );
                    let total: i64 = t.given.iter().map(|g| g.qty).sum();
                    let patients: std::collections::BTreeSet<&str> =
                        t.given.iter().map(|g| g.mrn.as_str()).collect();
                    println!(
                        "  {}",
                        t!(
                            "cli.trace.given",
                            units = i18n::num(total),
                            patients = patients.len()
                        )
                    );
                    if !t.given.is_empty() {
                        let mut tab = Table::new();
                        tab.load_preset(UTF8_BORDERS_ONLY).set_header([
                            t!("cli.col.time"),
                            t!("cli.col.mrn"),
                            t!("cli.col.patient"),
                            t!("cli.col.ward"),
                            t!("cli.col.qty"),
                            t!("cli.col.by"),
                            t!("cli.col.rx"),
                        ]);
                        for g in &t.given {
                            tab.add_row([
                                when(&g.at),
                                g.mrn.clone(),
                                g.patient.clone(),
                                g.ward.clone().unwrap_or_else(|| "-".into()),
                                i18n::num(g.qty),
                                g.by.clone(),
                                g.order_ref.clone().unwrap_or_default(),
                            ]);
                        }
                        println!("{tab}");
                    }
                    if t.holdings.is_empty() {
                        println!("  {}", t!("cli.trace.none_left"));
                    } else {
                        let h: Vec<String> = t
                            .holdings
                            .iter()
                            .map(|h| {
                                t!(
                                    "cli.trace.at",
                                    qty = i18n::num(h.qty),
                                    place = h.place,
                                    name = h.place_text()
                                )
                            })
                            .collect();
                        println!("  {}", t!("cli.trace.remaining", list = h.join(", ")));
                    }
                }
            }
            Ok(0)
        }
        Some(Command::Validate { command }) => {
            use crate::ops::rx::{self, Decision};
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            match command {
                ValidateCommand::List { ward, json } => {
                    let ward = place_filter(&store, ward.as_deref())?;
                    let q = rx::queue(&store.conn, ward, Utc::now())?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&q)?);
                    } else if q.is_empty() {
                        println!("{}", t!("cli.validate.empty"));
                    } else {
                        let mut t = Table::new();
                        t.load_preset(UTF8_BORDERS_ONLY).set_header([
                            t!("cli.col.rx"),
                            t!("cli.col.ward"),
                            t!("cli.col.bed"),
                            t!("cli.col.patient"),
                            t!("cli.col.mrn"),
                            t!("cli.col.drug"),
                            t!("cli.col.dose"),
                            t!("cli.col.route"),
                            t!("cli.col.frequency"),
                            t!("cli.col.indication"),
                            t!("cli.col.findings"),
                        ]);
                        for e in &q {
                            let findings: Vec<String> = e
                                .findings
                                .iter()
                                .map(|f| format!("! {}", f.message()))
                                .collect();
                            t.add_row([
                                e.id.to_string(),
                                e.ward.clone(),
                                e.bed.clone().unwrap_or_else(|| "-".into()),
                                e.patient.clone(),
                                e.mrn.clone(),
                                e.item.clone(),
                                e.dose.clone(),
                                i18n::results::route(&e.route).to_string(),
                                e.frequency.clone(),
                                e.indication.clone(),
                                findings.join("\n"),
                            ]);
                        }
                        println!("{t}");
                    }
                }
                ValidateCommand::Accept { id, who, comment } => {
                    let actor = stock::sign_in(&mut store, &who)?;
                    let found = rx::validate(
                        &mut store,
                        &actor,
                        Utc::now(),
                        id,
                        &Decision::Accept { comment },
                    )?;
                    if found.is_empty() {
                        println!("{}", t!("cli.validate.accepted", id = id));
                    } else {
                        println!(
                            "{}",
                            t!("cli.validate.accepted_overridden", id = id, n = found.len())
                        );
                    }
                }
                ValidateCommand::Reject { id, who, reason } => {
                    let actor = stock::sign_in(&mut store, &who)?;
                    rx::validate(
                        &mut store,
                        &actor,
                        Utc::now(),
                        id,
                        &Decision::Reject { reason },
                    )?;
                    println!("{}", t!("cli.validate.rejected", id = id));
                }
            }
            Ok(0)
        }
        Some(Command::Plan {
            command,
            horizon,
            json,
        }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            plan::run(&mut store, command, &horizon, json)?;
            Ok(0)
        }
        Some(Command::Mrp { input, json }) => mrp::run(&input, json),
        Some(Command::Simulate(args)) => simulate::run(&args, cli.db.as_deref()),
        Some(Command::Po { command }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            plan::run_po(&mut store, command)?;
            Ok(0)
        }
        Some(Command::Ward { command }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            ward::run(&mut store, command)?;
            Ok(0)
        }
        Some(Command::Ops(cmd)) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            stock::run(&mut store, cmd)?;
            Ok(0)
        }
        Some(Command::Init {
            site: name,
            timezone,
            pharmacy,
            pharmacy_name,
            admin,
            admin_name,
        }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            site::run_init(
                &path,
                site::InitArgs {
                    site: name,
                    timezone,
                    pharmacy,
                    pharmacy_name,
                    admin,
                    admin_name,
                },
            )?;
            Ok(0)
        }
        Some(Command::Site { command }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            site::run_site(&path, command)?;
            Ok(0)
        }
        Some(Command::Backup {
            file,
            force,
            json,
            daily,
        }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            site::run_backup_command(&path, file.as_deref(), force, json, daily)?;
            Ok(0)
        }
        Some(Command::Restore {
            backup,
            force,
            json,
        }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            site::run_restore(&backup, &path, force, json)?;
            Ok(0)
        }
        Some(Command::Gs1 {
            command:
                Gs1Command::Decode {
                    data,
                    separator,
                    json,
                },
        }) => {
            let opts = crate::gs1::Options {
                separator: separator.or_else(|| stock::settings().scanner.separator),
                today: gs1_today(cli.db.clone()),
            };
            match crate::gs1::parse(&data, opts) {
                Ok(g) => {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&g)?);
                    } else {
                        let date = |d: Option<chrono::NaiveDate>| {
                            d.map(|d| d.format("%Y-%m-%d").to_string())
                        };
                        for (label, value) in [
                            (t!("cli.gs1.gtin"), g.gtin.clone()),
                            (t!("cli.gs1.expiry"), date(g.expiry)),
                            (t!("cli.gs1.lot"), g.lot.clone()),
                            (t!("cli.gs1.serial"), g.serial.clone()),
                            (t!("cli.gs1.production_date"), date(g.production_date)),
                            (t!("cli.gs1.best_before"), date(g.best_before)),
                            (t!("cli.gs1.count"), g.count.map(|c| c.to_string())),
                            (t!("cli.gs1.content_gtin"), g.content_gtin.clone()),
                        ] {
                            if let Some(v) = value {
                                println!("{}{v}", cell(label, 16));
                            }
                        }
                        let raw: Vec<String> = g
                            .elements
                            .iter()
                            .map(|e| format!("({}){}", e.ai, e.value))
                            .collect();
                        println!("{}{}", cell(t!("cli.gs1.elements"), 16), raw.join(""));
                    }
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("wardstock: {}", t!("cli.gs1.invalid", error = e));
                    Ok(2)
                }
            }
        }
        Some(Command::Alerts { place, json }) => {
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let place_id = place_filter(&store, place.as_deref())?;
            let rows = queries::alert_rows(
                &store.conn,
                place_id,
                store.today(Utc::now()),
                &stock::settings().alert_config(),
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.severity"),
                    t!("cli.col.warning"),
                    t!("cli.col.place"),
                    t!("cli.col.item"),
                    t!("cli.col.item_name"),
                    t!("cli.col.what"),
                ]);
                for r in &rows {
                    t.add_row([
                        r.alert.severity.label().to_string(),
                        r.alert.kind.mark(),
                        r.place.clone(),
                        r.item.clone(),
                        r.item_name.clone(),
                        r.message.clone(),
                    ]);
                }
                println!("{t}");
                println!("{}", t!("cli.alerts.count", n = rows.len()));
            }
            Ok(0)
        }
        Some(Command::Item { command }) => refdata::run_item(cli.db.clone(), command),
        Some(Command::Place { command }) => refdata::run_place(cli.db.clone(), command),
        Some(Command::Location { command }) => refdata::run_location(cli.db.clone(), command),
        Some(Command::Supplier { command }) => refdata::run_supplier(cli.db.clone(), command),
        Some(Command::Pin(args)) => refdata::run_pin(cli.db.clone(), args),
        Some(Command::User {
            command: UserCommand::Admin(cmd),
        }) => refdata::run_user(cli.db.clone(), cmd),
        Some(Command::User {
            command: UserCommand::Language { who, language },
        }) => {
            let choice = if language.trim().eq_ignore_ascii_case("system") {
                None
            } else {
                match i18n::Lang::parse(&language) {
                    Some(l) => Some(l),
                    None => bail!(t!("cli.user.unknown_lang", name = language)),
                }
            };
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let actor = stock::sign_in(&mut store, &who)?;
            crate::ops::auth::set_language(&mut store, &actor, choice)?;
            // The user now reads their new language (unless one was asked for).
            speak_to(&store, &actor);
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"user": actor.username, "lang": choice.map(|l| l.code())})
                );
            } else {
                match choice {
                    Some(l) => println!(
                        "{}",
                        t!(
                            "cli.user.language_set",
                            user = actor.username,
                            lang = l.native_name()
                        )
                    ),
                    None => println!(
                        "{}",
                        t!(
                            "cli.user.language_system",
                            user = actor.username,
                            lang = i18n::choose(None, None).native_name()
                        )
                    ),
                }
            }
            Ok(0)
        }
    }
}

/// Opens an existing database; only `demo` creates one, so a mistyped
/// path is reported instead of silently starting an empty database.
fn open(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!(t!("cli.db.missing", path = path.display()));
    }
    let store = Store::open(path)?;
    // Times are shown on the site's clock, never the terminal's TZ.
    i18n::set_zone(store.zone());
    Ok(store)
}

/// Today for reading a barcode's dates: the site's day when the database
/// can be read, else the machine's zone's (a barcode read with no site).
fn gs1_today(db: Option<PathBuf>) -> chrono::NaiveDate {
    let zone = crate::config::resolve_db(db, false)
        .ok()
        .filter(|p| p.is_file())
        .and_then(|p| Store::open(&p).ok())
        .map(|s| s.zone())
        .unwrap_or_else(crate::store::machine_zone);
    Utc::now().with_timezone(&zone).date_naive()
}

fn place_filter(store: &Store, code: Option<&str>) -> Result<Option<i64>> {
    let Some(code) = code else { return Ok(None) };
    match queries::place_by_code(&store.conn, code)? {
        Some(p) => Ok(Some(p.id)),
        None => {
            let known: Vec<String> = queries::places(&store.conn)?
                .into_iter()
                .map(|p| p.code)
                .collect();
            bail!(t!(
                "cli.place.unknown",
                code = crate::i18n::results::quote(code),
                known = known.join(", ")
            ))
        }
    }
}

fn sidecars(path: &Path) -> [PathBuf; 2] {
    let s = path.as_os_str().to_owned();
    let mut wal = s.clone();
    wal.push("-wal");
    let mut shm = s;
    shm.push("-shm");
    [PathBuf::from(wal), PathBuf::from(shm)]
}

/// Writes a demo database at `path`. The demo is built in a side file and
/// moved into place only when complete, so an interrupted run leaves the
/// old file untouched.
pub fn make_demo(
    path: &Path,
    scale: Scale,
    seed: u64,
    anchor: chrono::DateTime<Utc>,
    force: bool,
    zone: chrono_tz::Tz,
) -> Result<demo::DemoSummary> {
    if path.exists() && !Store::is_blank_file(path) {
        // Refuses files that are not wardstock databases, even with --force.
        let existing = Store::open(path)?;
        if !existing.is_empty()? && !force {
            bail!(t!("cli.demo.not_empty", path = path.display()));
        }
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for f in std::iter::once(partial.clone()).chain(sidecars(&partial)) {
        if f.exists() {
            std::fs::remove_file(&f)
                .with_context(|| t!("cli.demo.leftover", path = f.display()))?;
        }
    }
    let summary = {
        let mut store = Store::create(&partial)?;
        // The demo's site keeps its own clock, as a started site does.
        crate::ops::site::demo_timezone(&mut store, zone)?;
        // The hospital takes a while: show how far it is.
        let bar = if scale == Scale::Hospital && std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "{{msg}} [{{bar:40}}] {{pos}}/{{len}} {} {{elapsed}}",
                    t!("cli.demo.days")
                ))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let result = demo::generate_reporting(
            &mut store,
            &DemoOptions {
                scale,
                seed,
                anchor,
            },
            &mut |p| {
                bar.set_length(p.total);
                bar.set_position(p.done);
                bar.set_message(i18n::pad_left(
                    match p.stage {
                        demo::Stage::Reference => t!("cli.demo.stage.reference"),
                        demo::Stage::History => t!("cli.demo.stage.history"),
                        demo::Stage::Finishing => t!("cli.demo.stage.finishing"),
                    },
                    12,
                ));
            },
        );
        bar.finish_and_clear();
        result?
    };
    for f in sidecars(path) {
        if f.exists() {
            std::fs::remove_file(&f)
                .with_context(|| t!("cli.demo.cannot_remove", path = f.display()))?;
        }
    }
    std::fs::rename(&partial, path)
        .with_context(|| t!("cli.demo.cannot_move", path = path.display()))?;
    Ok(summary)
}

/// For `--demo`: builds the clinic demo unless the file already holds one.
fn ensure_demo(path: &Path) -> Result<()> {
    let needs = !path.exists() || Store::is_blank_file(path) || Store::open(path)?.is_empty()?;
    if needs {
        eprintln!("{}", t!("cli.demo.building", path = path.display()));
        make_demo(
            path,
            Scale::Clinic,
            42,
            Utc::now(),
            true,
            crate::store::machine_zone(),
        )?;
    }
    Ok(())
}

/// `s` padded with spaces to `w` columns (a Chinese character takes two),
/// never cut: a drug name is shown whole.
pub fn cell(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(i18n::width(s))));
    out
}

/// `s` right-aligned in `w` columns (numbers), never cut.
pub fn cell_left(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(i18n::width(s))).collect();
    out.push_str(s);
    out
}

/// A stored instant (RFC 3339) as the clinic's local time in the reader's
/// way of writing it; anything else as it is.
pub fn when(s: &str) -> String {
    match crate::domain::instant_from_text(s) {
        Some(t) => i18n::datetime(i18n::local(t)),
        None => s.to_string(),
    }
}

/// An error and its causes on one line, in the reader's language: a
/// database failure in plain words, never SQLite's own text.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = match cause.downcast_ref::<rusqlite::Error>() {
            Some(db) => i18n::errors::sqlite(db),
            None => cause.to_string(),
        };
        // A wrapper that repeats its cause's words adds nothing.
        if parts.last().is_some_and(|p| p.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// "--at "x" is not a time like 2026-11-22T08:00:00Z".
fn instant_error(flag: &str, value: &str) -> String {
    t!(
        "cli.arg.instant",
        flag = flag,
        value = crate::i18n::results::quote(value)
    )
}

/// Recorded allergies as stored (`iodine (allergy), latex (intolerance)`)
/// in the reader's words: `iodine（过敏）、latex（不耐受）`.
fn allergies_text(stored: &str) -> String {
    stored
        .split(", ")
        .map(
            |a| match a.strip_suffix(')').and_then(|a| a.rsplit_once(" (")) {
                Some((substance, kind)) => t!(
                    "cli.patient.allergy",
                    substance = substance,
                    kind = i18n::domain::allergy_kind(kind)
                ),
                None => a.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(t!("domain.list_separator"))
}

/// The allergies removed from a patient's record, as history: who removed
/// each, when, and why.
fn removed_allergies_text(removed: &[queries::RemovedAllergy]) {
    if removed.is_empty() {
        return;
    }
    println!("{}", t!("cli.patient.removed_allergies"));
    for a in removed {
        println!(
            "  {}",
            t!(
                "cli.patient.removed_allergy",
                substance = a.substance,
                kind = i18n::domain::allergy_kind(&a.kind),
                at = when(&a.removed_at),
                by = a.removed_by,
                reason = a
                    .reason
                    .clone()
                    .unwrap_or_else(|| t!("cli.patient.no_reason").to_string())
            )
        );
    }
}

/// A dose's place in the schedule, in words.
fn dose_status_word(s: crate::domain::schedule::DoseStatus) -> &'static str {
    use crate::domain::schedule::DoseStatus;
    match s {
        DoseStatus::Missed => t!("cli.mar.status.missed"),
        DoseStatus::Late => t!("cli.mar.status.late"),
        DoseStatus::Due => t!("cli.mar.status.due"),
        DoseStatus::Upcoming => t!("cli.mar.status.upcoming"),
        DoseStatus::Recorded => t!("cli.mar.status.recorded"),
    }
}
