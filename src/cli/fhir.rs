//! `wardstock export fhir`: the records as a FHIR R4 bundle, written whole
//! or not at all.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::Utc;

use super::import::ExportArgs;
use crate::ops::fhir::{self, FhirError, Scope};
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
            // Written beside the file, then put in its place: a reader never
            // sees half a bundle.
            let tmp = path.with_extension("partial");
            let written = std::fs::write(&tmp, text.as_bytes() as &[u8])
                .and_then(|_| std::fs::rename(&tmp, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                bail!(t!("import.export.io", why = e));
            }
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
