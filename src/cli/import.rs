//! `wardstock import` and `wardstock export`: the site's spreadsheets in and
//! out (CSV, UTF-8; comma or semicolon separated on the way in, with BOM on
//! the way out).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{NaiveDate, Utc};
use clap::Args;

use crate::ops::import::{self, FileOutcome, ImportError, Kind, Period};
use crate::t;

/// `wardstock import KIND FILE --user NAME [--dry-run]`, `wardstock import
/// site FOLDER --user NAME [--dry-run]`, or `--template KIND`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds: items, places, locations, suppliers, users, patients, allergies, stock;
    /// or `site`: a folder of those files (suppliers.csv, places.csv, …, stock.csv), all in one go;
    /// or `fhir`: a FHIR R4 bundle of patients, allergies and prescriptions (the admission feed).
    #[arg(value_name = "KIND", required_unless_present = "template")]
    pub kind: Option<String>,
    /// The CSV file (UTF-8, comma or semicolon separated, header on line 1); for `site`, the folder.
    #[arg(value_name = "FILE", required_unless_present = "template")]
    pub file: Option<PathBuf>,
    /// Print the header and example rows of KIND, and do nothing else.
    #[arg(long, value_name = "KIND", conflicts_with_all = ["kind", "file", "dry_run"])]
    pub template: Option<String>,
    /// User name; the PIN comes from WARDSTOCK_PIN or is asked for.
    #[arg(long, env = "WARDSTOCK_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Check every row and report, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `wardstock export KIND [--out FILE]`; KIND also `movements [--from DATE] [--to DATE]`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// items, places, locations, suppliers, users, patients, allergies, stock, movements, fhir.
    #[arg(value_name = "KIND")]
    pub kind: String,
    /// Write to this file instead of the standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Movements from this day (YYYY-MM-DD, the site's day).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Movements up to and including this day (YYYY-MM-DD, the site's day).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// fhir: prescriptions in force, doses and supplies from this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// fhir: one patient's records only.
    #[arg(long, value_name = "MRN")]
    pub patient: Option<String>,
}

fn kinds() -> String {
    Kind::ALL.map(Kind::name).join(", ")
}

fn kind(name: &str) -> Result<Kind> {
    match Kind::parse(name) {
        Some(k) => Ok(k),
        None => bail!(t!("import.cli.unknown_kind", kind = name, kinds = kinds())),
    }
}

pub fn run_import(db: Option<PathBuf>, args: ImportArgs) -> Result<i32> {
    if let Some(name) = &args.template {
        print!("{}", kind(name)?.template());
        return Ok(0);
    }
    let (Some(name), Some(file), Some(user)) = (args.kind, args.file, args.user) else {
        bail!(t!("import.cli.need", kinds = kinds()));
    };
    if name.trim().eq_ignore_ascii_case("site") {
        return run_site(db, &file, &user, args.dry_run, args.json);
    }
    if name.trim().eq_ignore_ascii_case("fhir") {
        return super::fhir::run_import(db, &file, &user, args.dry_run, args.json);
    }
    let kind = kind(&name)?;
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => bail!(t!("import.cli.read", path = file.display(), why = e)),
    };
    let mut store = super::open(&crate::config::resolve_db(db, false)?)?;
    let who = super::stock::UserArgs {
        user,
        json: args.json,
    };
    let actor = super::stock::sign_in(&mut store, &who)?;
    match import::import(&mut store, &actor, kind, &bytes, args.dry_run, Utc::now()) {
        Ok(summary) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
                return Ok(0);
            }
            if !summary.ignored_columns.is_empty() {
                println!(
                    "{}",
                    t!(
                        "import.ignored",
                        columns = summary.ignored_columns.join(", ")
                    )
                );
            }
            println!(
                "{}",
                t!(
                    "import.summary",
                    kind = kind.label(),
                    added = summary.added,
                    changed = summary.changed,
                    unchanged = summary.unchanged
                )
            );
            if summary.dry_run {
                println!("{}", t!("import.dry_run"));
            } else {
                for p in &summary.new_pins {
                    println!("{}", t!("import.new_pin", user = p.user, pin = p.pin));
                }
            }
            Ok(0)
        }
        Err(ImportError::Rows(rows)) => {
            let head = ImportError::Rows(rows.clone()).to_string();
            if args.json {
                let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "written": false,
                        "problems": rows,
                        "lines": lines,
                    }))?
                );
            } else {
                for r in &rows {
                    println!("{r}");
                }
            }
            eprintln!("wardstock: {head}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

/// `wardstock import site FOLDER`: every kind's file of the folder, in the
/// order they refer to each other, all or nothing.
fn run_site(
    db: Option<PathBuf>,
    folder: &std::path::Path,
    user: &str,
    dry_run: bool,
    json: bool,
) -> Result<i32> {
    let files = match import::site_files(folder) {
        Ok(f) => f,
        Err(e) => bail!(t!("import.cli.read", path = folder.display(), why = e)),
    };
    let names = import::SITE_ORDER.map(Kind::file_name).join(", ");
    if files.files.is_empty() {
        bail!(t!(
            "import.site.none",
            folder = folder.display(),
            names = names
        ));
    }
    let mut store = super::open(&crate::config::resolve_db(db, false)?)?;
    let who = super::stock::UserArgs {
        user: user.to_string(),
        json,
    };
    let actor = super::stock::sign_in(&mut store, &who)?;
    let report = import::import_site(&mut store, &actor, files, dry_run, Utc::now())?;
    let problems = report.problems();
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(if problems == 0 { 0 } else { 1 });
    }
    for f in &report.files {
        match &f.outcome {
            FileOutcome::Good { summary } | FileOutcome::Rows { summary, .. } => {
                if !summary.ignored_columns.is_empty() {
                    println!(
                        "{}",
                        t!(
                            "import.site.refused",
                            file = f.file,
                            why = t!(
                                "import.ignored",
                                columns = summary.ignored_columns.join(", ")
                            )
                        )
                    );
                }
                println!(
                    "{}",
                    t!(
                        "import.site.file",
                        file = f.file,
                        kind = f.kind.label(),
                        added = summary.added,
                        changed = summary.changed,
                        unchanged = summary.unchanged
                    )
                );
                if let FileOutcome::Rows { problems, .. } = &f.outcome {
                    for p in problems {
                        println!("{}", p.in_file(&f.file));
                    }
                }
            }
            FileOutcome::Refused { error } => {
                println!("{}", t!("import.site.refused", file = f.file, why = error));
            }
        }
    }
    if !report.missing_files.is_empty() {
        println!(
            "{}",
            t!(
                "import.site.missing",
                files = report.missing_files.join(", ")
            )
        );
    }
    if !report.unknown_files.is_empty() {
        println!(
            "{}",
            t!(
                "import.site.unknown",
                files = report.unknown_files.join(", "),
                names = names
            )
        );
    }
    if problems > 0 {
        eprintln!("wardstock: {}", t!("import.site.nothing", n = problems));
        return Ok(1);
    }
    if report.dry_run {
        println!("{}", t!("import.dry_run"));
    } else {
        println!("{}", t!("import.site.written", files = report.files.len()));
        for f in &report.files {
            if let FileOutcome::Good { summary } = &f.outcome {
                for p in &summary.new_pins {
                    println!("{}", t!("import.new_pin", user = p.user, pin = p.pin));
                }
            }
        }
    }
    Ok(0)
}

fn day(flag: &str, value: Option<&str>) -> Result<Option<NaiveDate>> {
    match value {
        None => Ok(None),
        Some(v) => match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
            Ok(d) => Ok(Some(d)),
            Err(_) => bail!(t!("import.cli.bad_date", flag = flag, value = v)),
        },
    }
}

pub fn run_export(db: Option<PathBuf>, args: ExportArgs) -> Result<i32> {
    if args.kind.trim().eq_ignore_ascii_case("fhir") {
        return super::fhir::run_export(db, args);
    }
    if args.since.is_some() || args.patient.is_some() {
        bail!(t!("fhir.export.fhir_only"));
    }
    let movements = args.kind.trim().eq_ignore_ascii_case("movements");
    let what = match Kind::parse(&args.kind) {
        Some(k) => Some(k),
        None if movements => None,
        None => bail!(t!(
            "import.cli.unknown_kind",
            kind = args.kind,
            kinds = format!("{}, movements, fhir", kinds())
        )),
    };
    let period = Period {
        from: day("--from", args.from.as_deref())?,
        to: day("--to", args.to.as_deref())?,
    };
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => bail!(t!("import.export.io", why = e)),
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let n = match what {
        Some(k) => import::export(&store.conn, k, &mut out)?,
        None => import::export_movements(&store.conn, period, &mut out)?,
    };
    out.flush()?;
    drop(out);
    if let Some(path) = &args.out {
        println!(
            "{}",
            t!("import.export.written", n = n, path = path.display())
        );
    }
    Ok(0)
}
