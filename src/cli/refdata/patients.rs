//! `wardstock patient …` and `wardstock allergy …`: admission, transfer,
//! discharge, and what a patient must not be given.

use super::*;

/// `wardstock patient …`: admission, transfer and discharge.
#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// Admit a patient to a ward (a new one, or one discharged before).
    Admit {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: String,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        dob: String,
        /// female, male, other or unknown.
        #[arg(long)]
        sex: Option<String>,
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        bed: Option<String>,
        /// The GS1 GSRN (AI 8018, 18 digits) printed on the wristband, if it carries one.
        #[arg(long, value_name = "GSRN")]
        gsrn: Option<String>,
    },
    /// Change a patient's wristband: the GS1 GSRN (AI 8018) it carries.
    Edit {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        /// The GSRN printed on the wristband (18 digits, the last a check digit).
        #[arg(long, value_name = "GSRN", required_unless_present = "no_gsrn")]
        gsrn: Option<String>,
        /// The wristband carries no GSRN (any recorded is removed).
        #[arg(long, conflicts_with = "gsrn")]
        no_gsrn: bool,
    },
    /// Move an admitted patient to another ward or bed.
    Move {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD", required_unless_present = "bed")]
        ward: Option<String>,
        #[arg(long)]
        bed: Option<String>,
    },
    /// Discharge a patient: their prescriptions are stopped ("discharged") and no dose is recorded any more.
    Discharge {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The admitted patients (of one ward with --ward; --all adds the discharged).
    List {
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// A patient's record: allergies, prescriptions, and every dose with its lot.
    Show {
        mrn: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn patient_line(p: &queries::PatientAdt) -> String {
    let gsrn = p
        .gsrn
        .as_ref()
        .map(|g| t!("wristband.cli.patient_gsrn", gsrn = g))
        .unwrap_or_default();
    let line = match &p.discharged_at {
        Some(at) => t!(
            "refdata.patient.discharged_line",
            mrn = p.mrn,
            name = p.name,
            dob = p.date_of_birth,
            at = crate::cli::when(at)
        ),
        None => t!(
            "refdata.patient.line",
            mrn = p.mrn,
            name = p.name,
            dob = p.date_of_birth,
            ward = p.ward.as_deref().unwrap_or("-"),
            bed = p.bed.as_deref().unwrap_or("-")
        ),
    };
    format!("{line}{gsrn}")
}

pub fn run_patient(db: Option<PathBuf>, cmd: PatientCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, p: &queries::PatientAdt| {
        json_or(json, serde_json::to_value(p).unwrap_or_default(), || {
            patient_line(p)
        })
    };
    match cmd {
        PatientCommand::Admit {
            mrn,
            who,
            name,
            dob,
            sex,
            ward,
            bed,
            gsrn,
        } => {
            let dob = chrono::NaiveDate::parse_from_str(dob.trim(), "%Y-%m-%d")
                .with_context(|| t!("cli.arg.dob", value = crate::i18n::results::quote(&dob)))?;
            let actor = sign_in(&mut store, &who)?;
            let p = ops::patient_admit(
                &mut store,
                &actor,
                now,
                &ops::Admission {
                    mrn,
                    name,
                    dob,
                    sex,
                    ward,
                    bed: bed.and_then(|b| blank_none(&b)),
                    gsrn,
                },
            )?;
            done(who.json, &p);
        }
        PatientCommand::Edit {
            mrn,
            who,
            gsrn,
            no_gsrn,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let gsrn = if no_gsrn { None } else { gsrn };
            let p = ops::patient_set_gsrn(&mut store, &actor, now, &mrn, gsrn.as_deref())?;
            json_or(
                who.json,
                serde_json::to_value(&p).unwrap_or_default(),
                || match &p.gsrn {
                    Some(g) => t!(
                        "wristband.cli.gsrn_set",
                        mrn = p.mrn,
                        name = p.name,
                        gsrn = g
                    ),
                    None => t!("wristband.cli.gsrn_cleared", mrn = p.mrn, name = p.name),
                },
            );
        }
        PatientCommand::Move {
            mrn,
            who,
            ward,
            bed,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let p = ops::patient_move(
                &mut store,
                &actor,
                now,
                &mrn,
                ward.as_deref(),
                bed.as_deref(),
            )?;
            done(who.json, &p);
        }
        PatientCommand::Discharge { mrn, who } => {
            let actor = sign_in(&mut store, &who)?;
            let (p, stopped) = ops::patient_discharge(&mut store, &actor, now, &mrn)?;
            if who.json {
                let mut v = serde_json::to_value(&p).unwrap_or_default();
                v["stopped_prescriptions"] = serde_json::json!(stopped);
                println!("{v}");
            } else {
                println!("{}", patient_line(&p));
                println!(
                    "{}",
                    t!(
                        "refdata.patient.stopped",
                        n = stopped.len(),
                        ids = stopped
                            .iter()
                            .map(|i| i.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                );
            }
        }
        PatientCommand::List { ward, all, json } => {
            let rows = queries::patients_adt(&store.conn, ward.as_deref().unwrap_or(""), all)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for p in &rows {
                    println!("{}", patient_line(p));
                }
                println!("{}", t!("refdata.patient.count", n = rows.len()));
            }
        }
        // Shown by the patient record in cli::mod.
        PatientCommand::Show { .. } => {}
    }
    Ok(0)
}

/// `wardstock allergy …`: a patient's allergies, intolerances and contraindications.
#[derive(Debug, Subcommand)]
pub enum AllergyCommand {
    /// Record one (or change the one recorded for the same substance).
    Add {
        #[arg(long)]
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        substance: String,
        #[arg(
            long,
            default_value = "allergy",
            value_name = "allergy|intolerance|contraindication"
        )]
        kind: String,
        /// An ATC code or group (e.g. J01C for penicillins): every drug in it is flagged.
        #[arg(long)]
        atc: Option<String>,
        #[arg(long)]
        reaction: Option<String>,
    },
    /// Remove one (recorded in error, or no longer true): it stays on the record as history.
    Remove {
        #[arg(long)]
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        substance: String,
        /// Why it is removed (kept with it).
        #[arg(long)]
        reason: Option<String>,
    },
}

pub fn run_allergy(db: Option<PathBuf>, cmd: AllergyCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    match cmd {
        AllergyCommand::Add {
            mrn,
            who,
            substance,
            kind,
            atc,
            reaction,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let a = ops::allergy_add(
                &mut store,
                &actor,
                now,
                &mrn,
                &substance,
                &kind,
                atc.as_deref(),
                reaction.as_deref(),
            )?;
            json_or(
                who.json,
                serde_json::to_value(&a).unwrap_or_default(),
                || {
                    t!(
                        "refdata.allergy.recorded",
                        mrn = a.mrn,
                        substance = a.substance,
                        kind = crate::i18n::domain::allergy_kind(&a.kind)
                    )
                },
            );
        }
        AllergyCommand::Remove {
            mrn,
            who,
            substance,
            reason,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let a =
                ops::allergy_remove(&mut store, &actor, now, &mrn, &substance, reason.as_deref())?;
            json_or(
                who.json,
                serde_json::to_value(&a).unwrap_or_default(),
                || {
                    t!(
                        "refdata.allergy.removed",
                        mrn = a.mrn,
                        substance = a.substance
                    )
                },
            );
        }
    }
    Ok(0)
}
