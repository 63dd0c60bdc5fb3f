//! The admission feed: a bundle exported from one database and read into
//! a new site (after `init` and its spreadsheets) gives the same patients,
//! allergies and prescriptions; a bad bundle is refused whole, each bad
//! resource named by its index and path.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn ws(db: &Path) -> assert_cmd::Command {
    let mut c = common::cli(db);
    c.env("WARDSTOCK_PIN", "4321");
    c
}

/// A new site with the demo's places, suppliers and items (from their
/// spreadsheets), and nothing else.
fn new_site(demo: &Path, dir: &Path) -> PathBuf {
    let db = dir.join("new.sqlite");
    ws(&db)
        .args([
            "init",
            "--site",
            "New Clinic",
            "--timezone",
            "Europe/Rome",
            "--pharmacy",
            "PHARM",
            "--admin",
            "amina",
        ])
        .assert()
        .success();
    for kind in ["places", "suppliers", "items"] {
        let file = dir.join(format!("{kind}.csv"));
        common::cli(demo)
            .args(["export", kind, "--out"])
            .arg(&file)
            .assert()
            .success();
        ws(&db)
            .args(["import", kind])
            .arg(&file)
            .args(["--user", "amina"])
            .assert()
            .success();
    }
    db
}

fn export_bundle(demo: &Path, out: &Path) {
    common::cli(demo)
        .args(["export", "fhir", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Null => String::new(),
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Real(f) => f.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(_) => "blob".into(),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

const PATIENTS: &str = "SELECT p.mrn, p.name, p.dob, COALESCE(p.sex, ''), COALESCE(p.gsrn, ''), w.code, COALESCE(p.bed, '')
     FROM patients p JOIN places w ON w.id = p.ward_id WHERE p.discharged_at IS NULL ORDER BY p.mrn";
const ALLERGIES: &str =
    "SELECT p.mrn, a.substance, a.kind, COALESCE(a.atc_prefix, ''), COALESCE(a.reaction, '')
     FROM patient_allergies a JOIN patients p ON p.id = a.patient_id
     WHERE a.removed_at IS NULL AND p.discharged_at IS NULL ORDER BY 1, 2";
const PRESCRIPTIONS: &str = "SELECT p.mrn, i.code, r.dose_milli, r.dose_unit, r.route, r.frequency, r.times,
            COALESCE(r.prn_max_per_day, ''), COALESCE(r.prn_min_interval_min, ''), r.start_at, COALESCE(r.end_at, ''),
            r.indication, r.prescriber, COALESCE(r.generic_atc, '')
     FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
     WHERE r.status IN ('active', 'awaiting_validation') AND p.discharged_at IS NULL ORDER BY 1, 2, 10, 3";

#[test]
fn a_bundle_read_into_a_new_site_gives_the_same_patients_allergies_and_prescriptions() {
    let (_d, demo) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let db = new_site(&demo, dir.path());
    let bundle = dir.path().join("bundle.json");
    export_bundle(&demo, &bundle);
    // A dry run writes nothing.
    ws(&db)
        .args(["import", "fhir"])
        .arg(&bundle)
        .args(["--user", "amina", "--dry-run"])
        .assert()
        .success();
    assert!(rows(&db, PATIENTS).is_empty());
    let out = ws(&db)
        .args(["import", "fhir"])
        .arg(&bundle)
        .args(["--user", "amina", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = rows(&demo, PATIENTS);
    assert!(!want.is_empty());
    assert_eq!(rows(&db, PATIENTS), want);
    assert_eq!(done["patients_added"], want.len());
    assert_eq!(rows(&db, ALLERGIES), rows(&demo, ALLERGIES));
    let rx = rows(&demo, PRESCRIPTIONS);
    assert!(rx.len() > 10);
    assert_eq!(rows(&db, PRESCRIPTIONS), rx);
    // Every prescription read in waits for a pharmacist here.
    let statuses = rows(&db, "SELECT DISTINCT status FROM prescriptions");
    assert_eq!(statuses, vec![vec!["awaiting_validation".to_string()]]);
    let check = wardstock::store::check::run(&rusqlite::Connection::open(&db).unwrap()).unwrap();
    assert!(check.ok(), "{:?}", check.problems);
    // Read in again: the patients are unchanged and nothing is doubled
    // (an order entered twice would double the doses).
    let again = ws(&db)
        .args(["import", "fhir"])
        .arg(&bundle)
        .args(["--user", "amina", "--json"])
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["patients_added"], 0);
    assert_eq!(again["patients_unchanged"], want.len());
    assert_eq!(again["allergies_added"], 0);
    assert_eq!(again["prescriptions"], 0);
    assert_eq!(again["prescriptions_already"], rx.len());
    assert_eq!(rows(&db, PRESCRIPTIONS), rx);
}

#[test]
fn a_bad_bundle_is_refused_whole_naming_each_bad_resource() {
    let (_d, demo) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let db = new_site(&demo, dir.path());
    let path = dir.path().join("bundle.json");
    export_bundle(&demo, &path);
    let mut bundle: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let entries = bundle["entry"].as_array_mut().unwrap();
    let find = |entries: &Vec<Value>, kind: &str, active: bool| {
        entries
            .iter()
            .position(|e| {
                e["resource"]["resourceType"] == kind
                    && (kind != "MedicationRequest"
                        || (e["resource"]["status"] == "active") == active)
                    && (kind != "Patient" || (e["resource"]["active"] == true) == active)
            })
            .unwrap()
    };
    let p = find(entries, "Patient", true);
    entries[p]["resource"]["birthDate"] = Value::from("1990-02-30");
    let r = find(entries, "MedicationRequest", true);
    entries[r]["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] =
        Value::from(-5);
    entries[r]["resource"]["requester"] = serde_json::json!({});
    std::fs::write(&path, serde_json::to_string(&bundle).unwrap()).unwrap();
    let out = ws(&db)
        .args(["import", "fhir"])
        .arg(&path)
        .args(["--user", "amina"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("entry[{p}] Patient.birthDate")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "entry[{r}] MedicationRequest.dosageInstruction[0].doseAndRate[0].doseQuantity"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("entry[{r}] MedicationRequest.requester")),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(rows(&db, "SELECT mrn FROM patients").is_empty());
    assert!(rows(&db, "SELECT id FROM prescriptions").is_empty());

    // Not JSON, not a bundle, not the administrator: refused in words.
    std::fs::write(&path, "{\"resourceType\": \"Patient\"}").unwrap();
    let out = ws(&db)
        .args(["import", "fhir"])
        .arg(&path)
        .args(["--user", "amina"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a FHIR Bundle"));
    std::fs::write(&path, "not json").unwrap();
    let out = ws(&db)
        .args(["import", "fhir"])
        .arg(&path)
        .args(["--user", "amina"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}

#[test]
fn only_the_administrator_brings_in_the_feed() {
    let (_d, demo) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.json");
    export_bundle(&demo, &path);
    let out = common::cli(&demo)
        .args(["import", "fhir"])
        .arg(&path)
        .args(["--user", "pharm"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("administrator"), "{err}");
}
