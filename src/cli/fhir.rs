//! `wardstock export fhir`: the records as a FHIR R4 bundle, written whole
//! or not at all.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::Utc;

use super::import::ExportArgs;
use crate::ops::fhir::{self, AdmitError, FhirError, Scope};
use crate::t;

pub fn run_export(db: Option<PathBuf>, args: ExportArgs) -> Result<i32> {
    if args.from.is_some() || args.to.is_some() {
        bail!(t!("fhir.export.since_only"));
    }
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let since = match args.since.as_deref() {
        None => None,
        Some(v) => match chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
            Ok(d) => Scope::since_day(d, store.zone()),
            Err(_) => bail!(t!("import.cli.bad_date", flag = "--since", value = v)),
        },
    };
    let scope = Scope {
        since,
        patient: args.patient.clone().map(|m| m.trim().to_string()),
    };
    let (bundle, exported) = match fhir::export(&store.conn, &scope, Utc::now()) {
        Ok(x) => x,
        Err(FhirError::UnknownPatient(mrn)) => bail!(t!("fhir.export.unknown_patient", mrn = mrn)),
        Err(FhirError::Db(e)) => return Err(e.into()),
    };
    let text = serde_json::to_string_pretty(&bundle)?;
    let summary = exported
        .counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    match &args.out {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Some(path) => {
            super::reports::write_whole(path, text.as_bytes())?;
            println!(
                "{}",
                t!(
                    "fhir.export.written",
                    path = path.display(),
                    summary = summary
                )
            );
        }
    }
    Ok(0)
}

/// `wardstock import fhir FILE --user NAME [--dry-run] [--json]`: the
/// admission feed, all or nothing.
pub fn run_import(
    db: Option<PathBuf>,
    file: &std::path::Path,
    user: &str,
    dry_run: bool,
    json: bool,
) -> Result<i32> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => bail!(t!("import.cli.read", path = file.display(), why = e)),
    };
    let mut store = super::open(&crate::config::resolve_db(db, false)?)?;
    let who = super::stock::UserArgs {
        user: user.to_string(),
        json,
    };
    let actor = super::stock::sign_in(&mut store, &who)?;
    match fhir::admit(&mut store, &actor, &bytes, dry_run, Utc::now()) {
        Ok(done) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&done)?);
                return Ok(0);
            }
            println!(
                "{}",
                t!(
                    "fhir.import.done",
                    added = done.patients_added,
                    changed = done.patients_changed,
                    unchanged = done.patients_unchanged,
                    allergies = done.allergies_added,
                    rx = done.prescriptions,
                    already = done.prescriptions_already,
                    skipped = done.skipped
                )
            );
            if dry_run {
                println!("{}", t!("import.dry_run"));
            }
            Ok(0)
        }
        Err(AdmitError::Resources(problems)) => {
            let head = AdmitError::Resources(problems.clone()).to_string();
            if json {
                let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "written": false,
                        "problems": problems,
                        "lines": lines,
                    }))?
                );
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
            }
            eprintln!("{head}");
            Ok(1)
        }
        Err(e) => bail!(e.to_string()),
    }
}
