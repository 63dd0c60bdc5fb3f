//! The command line: parse arguments, open the store, call operations and
//! queries, print tables or `--json`. Errors go to stderr with a non-zero exit.

pub mod cd;
pub mod cold;
pub mod fhir;
pub mod import;
pub mod mrp;
pub mod plan;
pub mod refdata;
pub mod report;
pub mod reports;
mod reserve;
pub mod simulate;
pub mod site;
pub mod stock;
pub mod stocktake;
pub mod ward;

mod args;
mod integrity;
mod mar;
mod patient;
mod rx;
mod sheet_out;
mod stock_list;
mod substitutes;
mod suppliers;
mod supply_reports;
pub use args::*;
pub use rx::*;

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

/// Whether the command line asked for `--json`: then a refusal is printed
/// as JSON too (see [`print_refusal`]).
static JSON: AtomicBool = AtomicBool::new(false);

/// Whether `args` (the program's own) ask for `--json`, before any `--`.
/// Every command's `--json` is the same flag, wherever it is declared.
pub fn wants_json<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    args.into_iter()
        .skip(1)
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// Says that the command line asked for JSON.
pub fn set_json(json: bool) {
    JSON.store(json, Ordering::Relaxed);
}

/// What kind of refusal an error is, for a program reading `--json`:
/// `read_only`, `busy`, `forbidden`, `quantity`, `usage`, `input` (a file
/// that does not read) or `refused`.
pub fn error_kind(e: &anyhow::Error) -> &'static str {
    use rusqlite::ErrorCode;
    for cause in e.chain() {
        let code = cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(|e| e.sqlite_error_code())
            .or_else(|| match cause.downcast_ref::<crate::store::StoreError>() {
                Some(crate::store::StoreError::Sqlite(e)) => e.sqlite_error_code(),
                _ => None,
            });
        match code {
            Some(ErrorCode::ReadOnly) => return "read_only",
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => return "busy",
            _ => {}
        }
        if matches!(
            cause.downcast_ref::<crate::store::StoreError>(),
            Some(crate::store::StoreError::ReadOnlyOld { .. })
        ) {
            return "read_only";
        }
        if matches!(
            cause.downcast_ref::<crate::ops::stock::StockError>(),
            Some(crate::ops::stock::StockError::Busy)
        ) {
            return "busy";
        }
        if cause.is::<crate::ops::items::Forbidden>() {
            return "forbidden";
        }
        if cause.is::<crate::ops::items::BadQuantity>() {
            return "quantity";
        }
    }
    "refused"
}

/// Prints a refusal on one line, `wardstock: …` on stderr; with `--json`
/// also `{"error": "…", "kind": "…"}` on stdout, so that a program reading
/// the answer always reads JSON. The caller exits non-zero.
pub fn print_refusal(text: &str, kind: &str) {
    let text = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if JSON.load(Ordering::Relaxed) {
        println!("{}", serde_json::json!({"error": text, "kind": kind}));
    }
    eprintln!("wardstock: {text}");
}

/// Prints an error that ended the command (see [`print_refusal`]).
pub fn print_error(e: &anyhow::Error) {
    print_refusal(&error_text(e), error_kind(e));
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
            print_refusal(&msg.to_string(), "usage");
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
        Some(Command::Check { full, json }) => integrity::run_check(cli.db.clone(), full, json),
        Some(Command::Stock { place, json }) => stock_list::run_stock(cli.db.clone(), place, json),
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
        }) => rx::run_prescribe(
            cli.db.clone(),
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
        ),
        Some(Command::Rx { command }) => rx::run_rx(cli.db.clone(), command),
        Some(Command::Administer {
            rx,
            who,
            at,
            wristband,
            dob,
            scan,
            unable_to_scan,
            units,
            route_confirmed,
            timing_reason,
            outcome,
            reason,
            witness,
            double_check,
        }) => mar::run_administer(
            cli.db.clone(),
            rx,
            who,
            at,
            wristband,
            dob,
            scan,
            unable_to_scan,
            units,
            route_confirmed,
            timing_reason,
            outcome,
            reason,
            witness,
            double_check,
        ),
        Some(Command::Mar {
            ward,
            from,
            to,
            by_patient,
            json,
        }) => mar::run_mar(cli.db.clone(), ward, from, to, by_patient, json),
        Some(Command::Report { command }) => mar::run_report(cli.db.clone(), command),
        Some(Command::Allergy { command }) => refdata::run_allergy(cli.db.clone(), command),
        Some(Command::Substitute { command }) => substitutes::run(cli.db.clone(), command),
        Some(Command::Reserve { command }) => reserve::run(cli.db.clone(), command),
        Some(Command::Patient { command, mrn, json }) => {
            patient::run_patient(cli.db.clone(), command, mrn, json)
        }
        Some(Command::Find {
            item,
            for_ward,
            json,
        }) => stock_list::run_find(cli.db.clone(), &item, for_ward.as_deref(), json),
        Some(Command::Trace { lot, item, json }) => {
            stock_list::run_trace(cli.db.clone(), lot, item, json)
        }
        Some(Command::Validate { command }) => rx::run_validate(cli.db.clone(), command),
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
        Some(Command::Cold { command }) => {
            let mut store = open(&crate::config::resolve_db(cli.db.clone(), false)?)?;
            cold::run(&mut store, Utc::now(), command)?;
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
                            (t!("wristband.cli.gsrn_recipient"), g.gsrn_recipient.clone()),
                            (t!("wristband.cli.gsrn_provider"), g.gsrn_provider.clone()),
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
                    print_refusal(&t!("cli.gs1.invalid", error = e), "refused");
                    Ok(2)
                }
            }
        }
        Some(Command::Alerts { place, json }) => {
            stock_list::run_alerts(cli.db.clone(), place, json)
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
        let (text, last) = match cause.downcast_ref::<rusqlite::Error>() {
            // Below a database error is only SQLite's own text ("Error code 5: …").
            Some(db) => (i18n::errors::sqlite(db), true),
            None => (cause.to_string(), false),
        };
        // A wrapper that repeats its cause's words adds nothing.
        if !parts.last().is_some_and(|p| p.ends_with(&text)) {
            parts.push(text);
        }
        if last {
            break;
        }
    }
    let mut text = parts.join(": ");
    // On the command line the second user is named with --witness.
    let needs_witness = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<crate::ops::stock::StockError>(),
            Some(crate::ops::stock::StockError::Cd(
                crate::ops::stock::CdRefusal::WitnessNeeded { .. }
            ))
        )
    });
    if needs_witness {
        text.push_str(t!("cd.cli.witness_flag"));
    }
    text
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
