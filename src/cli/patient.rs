//! A patient's record on the command line: who, allergies, prescriptions and
//! every dose given.

use super::*;

pub(super) fn run_patient(
    db: Option<PathBuf>,
    command: Option<refdata::PatientCommand>,
    mrn: Option<String>,
    json: bool,
) -> Result<i32> {
    let (mrn, json) = match (command, mrn) {
        (Some(refdata::PatientCommand::Show { mrn, json }), _) => (mrn, json),
        (Some(cmd), _) => return refdata::run_patient(db.clone(), cmd),
        (None, Some(mrn)) => (mrn, json),
        (None, None) => bail!(t!("refdata.patient.which")),
    };
    let store = open(&crate::config::resolve_db(db.clone(), false)?)?;
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
        let adt = queries::patient_adt(&store.conn, &p.mrn)?;
        if let Some(g) = adt.as_ref().and_then(|a| a.gsrn.as_deref()) {
            println!(
                "{}",
                t!("wristband.cli.patient_gsrn", gsrn = g).trim_start()
            );
        }
        if let Some(adt) = adt.filter(|a| a.discharged_at.is_some()) {
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
                Some(l) => match &d.unscanned_reason {
                    Some(r) => format!("{l} {}", t!("cli.scanning.patient_because", reason = r)),
                    None => format!("{l} {}", t!("cli.scanning.patient_no_reason")),
                },
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
