//! The command line: parse arguments, open the store, call operations and
//! queries, print tables or `--json`. Errors go to stderr with a non-zero exit.

pub mod mrp;
pub mod plan;
pub mod simulate;
pub mod stock;
pub mod ward;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Local, Utc};
use clap::{Parser, Subcommand};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use crate::demo::{self, DemoOptions, Scale};
use crate::store::{Store, check, queries};

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
    /// Fill an empty database with a demo clinic or hospital.
    Demo {
        #[arg(long, value_enum, default_value = "clinic")]
        scale: Scale,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace an existing wardstock database.
        #[arg(long)]
        force: bool,
        /// "Now" of the demo (RFC 3339); default the current time.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
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
    /// A patient's record: allergies, prescriptions, and every dose with its lot.
    Patient {
        mrn: String,
        #[arg(long)]
        json: bool,
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
                    .with_context(|| format!("--dose {d:?} is not an amount like 500 or 2.5"))?,
            ),
            None => None,
        };
        let frequency = match &self.frequency {
            Some(f) => Some(f.parse().map_err(|_| anyhow::anyhow!("--frequency {f:?}: use once, stat, qd, bid, tid, qid, q4h, q6h, q8h, q12h, weekly or prn"))?),
            None => None,
        };
        let times = match &self.times {
            Some(t) => Some(
                t.split(',')
                    .map(|x| {
                        chrono::NaiveTime::parse_from_str(x.trim(), "%H:%M")
                            .map_err(|_| anyhow::anyhow!("--times: {x:?} is not a time like 08:00"))
                    })
                    .collect::<Result<_>>()?,
            ),
            None => None,
        };
        if self.days.is_some_and(|d| d < 1) {
            bail!("--days is at least 1");
        }
        let prn_interval = match &self.prn_interval {
            Some(d) => Some(parse_minutes(d).with_context(|| {
                format!("--prn-interval {d:?} is not a duration like 4h, 90m or 1h30m")
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

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        None | Some(Command::Console) => {
            let path = crate::config::resolve_db(cli.db.clone(), cli.demo)?;
            if cli.demo {
                ensure_demo(&path)?;
            }
            let store = open(&path)?;
            crate::tui::run(store)?;
            Ok(0)
        }
        Some(Command::Demo {
            scale,
            seed,
            force,
            at,
            json,
        }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            let anchor = match at {
                Some(s) => crate::domain::instant_from_text(&s).with_context(|| {
                    format!("--at {s:?} is not a time like 2026-11-22T12:00:00Z")
                })?,
                None => Utc::now(),
            };
            let summary = make_demo(&path, scale, seed, anchor, force)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                println!(
                    "demo ({scale:?}, seed {seed}) written to {}: {} places, {} items, {} lots, {} movements, {} patients, {} prescriptions, {} recorded doses in {:.1} s",
                    path.display(),
                    summary.places,
                    summary.items,
                    summary.lots,
                    summary.movements,
                    summary.patients,
                    summary.prescriptions,
                    summary.administrations,
                    summary.seconds
                );
                println!(
                    "sign in as nurse, manager, pharm, store or admin with PIN {}",
                    demo::DEMO_PIN
                );
            }
            Ok(0)
        }
        Some(Command::Check { json }) => {
            let path = crate::config::resolve_db(cli.db.clone(), false)?;
            let store = open(&path)?;
            let report = check::run(&store.conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.ok() {
                println!(
                    "ok: {} movements, {} balances, every balance equals its ledger, none negative",
                    report.movements, report.balances
                );
            } else {
                for p in &report.problems {
                    println!("{p}");
                }
                eprintln!(
                    "wardstock: {} problem(s) found in {}",
                    report.problems.len(),
                    path.display()
                );
            }
            Ok(if report.ok() { 0 } else { 1 })
        }
        Some(Command::Stock { place, json }) => {
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let place_id = place_filter(&store, place.as_deref())?;
            let rows = queries::balance_rows(&store.conn, place_id, Local::now().date_naive())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    "place", "item", "name", "lot", "expiry", "qty", "unit", "state",
                ]);
                for r in &rows {
                    let state = match (r.status.as_str(), r.days_to_expiry) {
                        ("ok", Some(d)) if d < 0 => format!("EXPIRED {} d ago", -d),
                        ("ok", Some(d)) if d <= 30 => format!("ok, expires in {d} d"),
                        (s, _) => s.to_string(),
                    };
                    t.add_row([
                        r.place.as_str(),
                        &r.item,
                        &r.item_name,
                        &r.lot,
                        r.expiry.as_deref().unwrap_or("-"),
                        &r.qty.to_string(),
                        &r.dose_unit,
                        &state,
                    ]);
                }
                println!("{t}");
                println!("{} balance(s)", rows.len());
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
                Some(t) => crate::domain::instant_from_text(&t).with_context(|| {
                    format!("--start {t:?} is not a time like 2026-11-22T08:00:00Z")
                })?,
                None => Utc::now(),
            };
            let item = match (item, &atc) {
                (Some(i), _) => i,
                (None, Some(a)) => queries::first_item_of_atc(&store.conn, a, &route, &mrn)?
                    .with_context(|| {
                        format!("no product of the ATC code {a} in the formulary is given {route}")
                    })?,
                (None, None) => bail!("give --item or --atc"),
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
                bail!("give --dose and --frequency");
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
                println!("prescription {id} entered; it awaits the pharmacist's validation");
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
                    println!("prescription {id} replaced by version {new}; it awaits validation");
                    return Ok(0);
                }
            };
            let actor = stock::sign_in(&mut store, &who)?;
            let change = change.context("no change")?;
            rx::change_status(&mut store, &actor, Utc::now(), id, change, &reason)?;
            println!(
                "prescription {id}: {} ({reason})",
                match change {
                    StatusChange::Suspend => "suspended",
                    StatusChange::Resume => "resumed",
                    StatusChange::Stop => "stopped",
                }
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
            let outcome: Outcome = outcome.parse().map_err(|_| {
                anyhow::anyhow!(
                    "--outcome: given, partially_given, held, refused, not_given_supply or missed"
                )
            })?;
            let scheduled_at = at
                .map(|t| {
                    crate::domain::instant_from_text(&t).with_context(|| {
                        format!("--at {t:?} is not a time like 2026-11-22T08:00:00Z")
                    })
                })
                .transpose()?;
            let pack = match scan {
                Some(data) => {
                    let g = crate::gs1::parse(
                        &data,
                        crate::gs1::Options {
                            separator: stock::settings().scanner.separator,
                            today: Local::now().date_naive(),
                        },
                    )
                    .map_err(|e| anyhow::anyhow!("the pack scan is not valid GS1 data: {e}"))?;
                    let gtin = g
                        .gtin
                        .context("the pack scan carries no GTIN: scan the product code")?;
                    let item = crate::ops::stock::item_by_gtin(&store.conn, &gtin)?;
                    let lot = g
                        .lot
                        .context("the pack scan carries no lot: scan the 2D code of the pack")?;
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
                        None => store
                            .conn
                            .query_row(
                                "SELECT item_id FROM prescriptions WHERE id = ?1",
                                [rx],
                                |r| r.get(0),
                            )
                            .ok()
                            .with_context(|| format!("no prescription {rx}"))?,
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
                    Err(_) => rpassword::prompt_password(format!("PIN for {user}: "))
                        .with_context(|| {
                            format!("no PIN for {user}: set {env} or run in a terminal")
                        })?,
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
                            || format!("--dob {d:?} is not a date like 1950-03-14"),
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
            let r = mar::administer(&mut store, &actor, Utc::now(), &input)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("recorded: {}", r.summary());
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
                bail!("give the ward with --ward CODE")
            };
            let now = Utc::now();
            let time = |t: Option<String>,
                        default: chrono::DateTime<Utc>|
             -> Result<chrono::DateTime<Utc>> {
                match t {
                    Some(t) => crate::domain::instant_from_text(&t)
                        .with_context(|| format!("{t:?} is not a time like 2026-11-22T08:00:00Z")),
                    None => Ok(default),
                }
            };
            let (from, to) = (
                time(from, now - chrono::Duration::hours(4))?,
                time(to, now + chrono::Duration::hours(12))?,
            );
            if to <= from {
                bail!("--to must come after --from");
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
                for r in &rows {
                    let status = match r.status(now) {
                        crate::domain::schedule::DoseStatus::Recorded => {
                            r.outcome.clone().unwrap_or_default()
                        }
                        crate::domain::schedule::DoseStatus::Missed if r.auto_missed => {
                            "MISSED*".to_string()
                        }
                        s => s.label().to_string(),
                    };
                    println!(
                        "{}  {:<10} {:<4} {:<20} {:<34} {:<10} {:<5} {}",
                        r.at.with_timezone(&Local).format("%d %b %H:%M"),
                        status,
                        r.bed,
                        r.patient,
                        r.item,
                        r.dose,
                        r.route,
                        r.flags
                    );
                }
                for (p, st) in prn.iter().zip(&prn_state) {
                    let next = match st.next_allowed {
                        Some(t) => format!(
                            "next from {}",
                            t.with_timezone(&Local).format("%d %b %H:%M")
                        ),
                        None => "may be given now".to_string(),
                    };
                    println!(
                        "PRN           {:<10} {:<4} {:<20} {:<34} {:<10} {}/{} in 24 h, {next}",
                        format!("RX-{}", p.id),
                        p.bed.clone().unwrap_or_default(),
                        p.patient,
                        p.item,
                        p.dose_text(),
                        st.given_24h,
                        st.max_24h.map_or("-".to_string(), |m| m.to_string()),
                    );
                }
                println!(
                    "{} dose(s); {} PRN prescription(s); MISSED* = missed, reason still to document",
                    rows.len(),
                    prn.len()
                );
            }
            Ok(0)
        }
        Some(Command::Patient { mrn, json }) => {
            let store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            let Some(p) = queries::patient_record(&store.conn, &mrn)? else {
                bail!("no patient with MRN {mrn:?}");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                println!(
                    "{} {} (born {}), {} bed {}",
                    p.mrn,
                    p.name,
                    p.dob,
                    p.ward.as_deref().unwrap_or("-"),
                    p.bed.as_deref().unwrap_or("-")
                );
                println!(
                    "allergies: {}",
                    if p.allergies.is_empty() {
                        "none recorded"
                    } else {
                        &p.allergies
                    }
                );
                println!("prescriptions:");
                for l in &p.prescriptions {
                    println!(
                        "  {:>5}  {:<34} {} {} {}  {}",
                        l.id,
                        l.item,
                        l.dose_text(),
                        l.route,
                        l.frequency,
                        l.status.replace('_', " ")
                    );
                }
                println!("doses ({}):", p.doses.len());
                for d in &p.doses {
                    let lot = d
                        .lot
                        .as_ref()
                        .map(|l| {
                            format!(" lot {l}{}", if d.scanned { "" } else { " (not scanned)" })
                        })
                        .unwrap_or_default();
                    let qty = d.qty.map(|q| format!(" × {q}")).unwrap_or_default();
                    println!(
                        "  {}  {:<34} {:<16}{qty}{lot}  by {}{}",
                        d.recorded_at,
                        d.item,
                        d.outcome.replace('_', " "),
                        d.by,
                        d.reason
                            .as_ref()
                            .map(|r| format!(" — {r}"))
                            .unwrap_or_default()
                    );
                }
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
                        "{} {} lot {} (expiry {}, {})",
                        t.item,
                        t.item_name,
                        t.lot,
                        t.expiry
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "none".into()),
                        t.status.as_ref()
                    );
                    let total: i64 = t.given.iter().map(|g| g.qty).sum();
                    let patients: std::collections::BTreeSet<&str> =
                        t.given.iter().map(|g| g.mrn.as_str()).collect();
                    println!("  given: {total} unit(s) to {} patient(s)", patients.len());
                    for g in &t.given {
                        println!(
                            "    {}  {} {}  {}  {} unit(s)  by {}{}",
                            g.at,
                            g.mrn,
                            g.patient,
                            g.ward.as_deref().unwrap_or("-"),
                            g.qty,
                            g.by,
                            g.order_ref
                                .as_ref()
                                .map(|r| format!("  {r}"))
                                .unwrap_or_default()
                        );
                    }
                    if t.holdings.is_empty() {
                        println!("  remaining: none in stock");
                    } else {
                        let h: Vec<String> = t
                            .holdings
                            .iter()
                            .map(|h| format!("{} at {} ({})", h.qty, h.place, h.place_name))
                            .collect();
                        println!("  remaining: {}", h.join(", "));
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
                        println!("nothing awaits validation");
                    } else {
                        for e in &q {
                            println!(
                                "{:>5}  {} {} {} ({})  {} {} {} {} — {}",
                                e.id,
                                e.ward,
                                e.bed.as_deref().unwrap_or("-"),
                                e.patient,
                                e.mrn,
                                e.item,
                                e.dose,
                                e.route,
                                e.frequency,
                                e.indication
                            );
                            for f in &e.findings {
                                println!("         ! {}", f.message());
                            }
                        }
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
                    println!(
                        "prescription {id} validated: active{}",
                        if found.is_empty() {
                            String::new()
                        } else {
                            format!(", {} finding(s) overridden", found.len())
                        }
                    );
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
                    println!(
                        "prescription {id} rejected; the reason is recorded for the prescriber"
                    );
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
                today: Local::now().date_naive(),
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
                            ("GTIN", g.gtin.clone()),
                            ("expiry", date(g.expiry)),
                            ("lot", g.lot.clone()),
                            ("serial", g.serial.clone()),
                            ("production date", date(g.production_date)),
                            ("best before", date(g.best_before)),
                            ("count", g.count.map(|c| c.to_string())),
                            ("content GTIN", g.content_gtin.clone()),
                        ] {
                            if let Some(v) = value {
                                println!("{label:<16}{v}");
                            }
                        }
                        let raw: Vec<String> = g
                            .elements
                            .iter()
                            .map(|e| format!("({}){}", e.ai, e.value))
                            .collect();
                        println!("{:<16}{}", "elements", raw.join(""));
                    }
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("wardstock: invalid GS1 data: {e}");
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
                Local::now().date_naive(),
                &stock::settings().alert_config(),
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY)
                    .set_header(["severity", "warning", "place", "item", "name", "what"]);
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
                println!("{} warning(s)", rows.len());
            }
            Ok(0)
        }
    }
}

/// Opens an existing database; only `demo` creates one, so a mistyped
/// path is reported instead of silently starting an empty database.
fn open(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!(
            "no database at {}: check --db or WARDSTOCK_DB; `wardstock demo --db PATH` creates a demo database, `wardstock --demo` opens one",
            path.display()
        );
    }
    Ok(Store::open(path)?)
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
            bail!(
                "no place with code {code:?}; known places: {}",
                known.join(", ")
            )
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
) -> Result<demo::DemoSummary> {
    if path.exists() {
        // Refuses files that are not wardstock databases, even with --force.
        let existing = Store::open(path)?;
        if !existing.is_empty()? && !force {
            bail!(
                "{} already holds data; demo data goes only into an empty database (add --force to replace it)",
                path.display()
            );
        }
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for f in std::iter::once(partial.clone()).chain(sidecars(&partial)) {
        if f.exists() {
            std::fs::remove_file(&f)
                .with_context(|| format!("cannot remove the leftover {}", f.display()))?;
        }
    }
    let summary = {
        let mut store = Store::open(&partial)?;
        let progress = scale == Scale::Hospital;
        demo::generate(
            &mut store,
            &DemoOptions {
                scale,
                seed,
                anchor,
                progress,
            },
        )?
    };
    for f in sidecars(path) {
        if f.exists() {
            std::fs::remove_file(&f).with_context(|| format!("cannot remove {}", f.display()))?;
        }
    }
    std::fs::rename(&partial, path)
        .with_context(|| format!("cannot move the demo into {}", path.display()))?;
    Ok(summary)
}

/// For `--demo`: builds the clinic demo unless the file already holds one.
fn ensure_demo(path: &Path) -> Result<()> {
    let needs = !path.exists() || Store::open(path)?.is_empty()?;
    if needs {
        eprintln!("building the demo clinic in {} …", path.display());
        make_demo(path, Scale::Clinic, 42, Utc::now(), true)?;
    }
    Ok(())
}
