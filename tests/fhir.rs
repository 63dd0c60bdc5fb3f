//! The FHIR R4 export: the demo's bundle passes HL7's R4 JSON schema
//! (checked by an independent validator), uses the value sets' codes, and
//! every reference resolves inside the bundle; what it holds matches the
//! database.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir.schema.json"),
        )
        .unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft6)
            .build(&schema)
            .expect("HL7's FHIR R4 schema compiles")
    })
}

/// The schema's errors for a bundle, at most `n` of them, with their paths.
fn schema_errors(bundle: &Value, n: usize) -> Vec<String> {
    validator()
        .iter_errors(bundle)
        .take(n)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn export(db: &Path, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.json");
    common::cli(db)
        .args(["export", "fhir", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

/// Every `reference` anywhere under `v`.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("reference", Value::String(s)) => out.push(s.clone()),
                    _ => references(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

fn count(db: &Path, sql: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn the_demo_bundle_passes_the_r4_schema_and_its_references_resolve() {
    let (_dir, db) = common::demo_db();
    let bundle = export(&db, &[]);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let errors = schema_errors(&bundle, 20);
    assert!(errors.is_empty(), "{errors:#?}");
    // A bundle the schema refuses is caught: the test can fail.
    let mut broken = bundle.clone();
    broken["entry"][0]["resource"]["status"] = Value::from(7);
    assert!(!schema_errors(&broken, 1).is_empty());

    // Ids are unique; every reference names a resource of the bundle.
    let mut ids = HashSet::new();
    for e in bundle["entry"].as_array().unwrap() {
        let r = &e["resource"];
        let key = format!(
            "{}/{}",
            r["resourceType"].as_str().unwrap(),
            r["id"].as_str().unwrap()
        );
        assert!(e["fullUrl"].as_str().unwrap().ends_with(&key));
        assert!(ids.insert(key.clone()), "{key} twice");
    }
    let mut refs = Vec::new();
    references(&bundle, &mut refs);
    assert!(refs.len() > 100);
    for r in &refs {
        assert!(ids.contains(r), "{r} does not resolve");
    }
}

#[test]
fn statuses_and_codes_are_those_of_the_value_sets() {
    let (_dir, db) = common::demo_db();
    let bundle = export(&db, &[]);
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        (
            "MedicationRequest",
            &[
                "active",
                "on-hold",
                "cancelled",
                "completed",
                "entered-in-error",
                "stopped",
                "draft",
                "unknown",
            ][..],
        ),
        (
            "MedicationAdministration",
            &[
                "in-progress",
                "not-done",
                "on-hold",
                "completed",
                "entered-in-error",
                "stopped",
                "unknown",
            ][..],
        ),
        (
            "SupplyRequest",
            &[
                "draft",
                "active",
                "suspended",
                "cancelled",
                "completed",
                "entered-in-error",
                "unknown",
            ][..],
        ),
        (
            "SupplyDelivery",
            &["in-progress", "completed", "abandoned", "entered-in-error"][..],
        ),
        ("Location", &["active", "suspended", "inactive"][..]),
        (
            "Medication",
            &["active", "inactive", "entered-in-error"][..],
        ),
    ]);
    for (kind, codes) in &allowed {
        let rs = resources(&bundle, kind);
        assert!(!rs.is_empty(), "no {kind}");
        for r in rs {
            let s = r["status"].as_str().unwrap_or_default();
            assert!(codes.contains(&s), "{kind} {}: status {s}", r["id"]);
        }
    }
    for r in resources(&bundle, "MedicationRequest") {
        assert_eq!(r["intent"], "order");
        assert!(r["dosageInstruction"][0]["route"].is_object());
    }
    for r in resources(&bundle, "AllergyIntolerance") {
        let c = r["clinicalStatus"]["coding"][0]["code"].as_str().unwrap();
        assert!(["active", "inactive", "resolved"].contains(&c));
        if let Some(t) = r["type"].as_str() {
            assert!(["allergy", "intolerance"].contains(&t));
        }
    }
    for r in resources(&bundle, "Patient") {
        if let Some(g) = r["gender"].as_str() {
            assert!(["male", "female", "other", "unknown"].contains(&g));
        }
        assert_eq!(r["identifier"][0]["system"], wardstock::ops::fhir::MRN);
    }
    for r in resources(&bundle, "MedicationAdministration") {
        let done = r["status"] == "not-done";
        assert_eq!(done, r["statusReason"].is_array(), "{r}");
        let functions: Vec<&str> = r["performer"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["function"]["coding"][0]["code"].as_str().unwrap())
            .collect();
        assert!(
            functions
                .iter()
                .all(|f| ["performer", "verifier", "witness"].contains(f))
        );
    }
    // Medicines carry their ATC code and GTIN with the standard systems.
    let systems: HashSet<&str> = resources(&bundle, "Medication")
        .iter()
        .flat_map(|m| m["code"]["coding"].as_array().unwrap())
        .filter_map(|c| c["system"].as_str())
        .collect();
    assert!(systems.contains(wardstock::ops::fhir::ATC));
    assert!(systems.contains(wardstock::ops::fhir::GTIN));
    // Routes are SNOMED CT where known.
    assert!(resources(&bundle, "MedicationRequest").iter().any(|r| {
        r["dosageInstruction"][0]["route"]["coding"][0]["system"] == "http://snomed.info/sct"
    }));
}

#[test]
fn the_bundle_holds_every_record_with_its_people_and_lots() {
    let (_dir, db) = common::demo_db();
    // A dose witnessed and double-checked by a second nurse.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE administrations SET witness_id = (SELECT id FROM users WHERE username = 'nurse2'),
                    double_check_id = (SELECT id FROM users WHERE username = 'manager')
             WHERE id = (SELECT MIN(id) FROM administrations WHERE outcome = 'given')",
            [],
        )
        .unwrap();
    let bundle = export(&db, &[]);
    assert_eq!(
        resources(&bundle, "Patient").len(),
        count(&db, "SELECT COUNT(*) FROM patients")
    );
    assert_eq!(
        resources(&bundle, "AllergyIntolerance").len(),
        count(&db, "SELECT COUNT(*) FROM patient_allergies")
    );
    assert_eq!(
        resources(&bundle, "MedicationRequest").len(),
        count(&db, "SELECT COUNT(*) FROM prescriptions")
    );
    assert_eq!(
        resources(&bundle, "MedicationAdministration").len(),
        count(&db, "SELECT COUNT(*) FROM administrations")
    );
    assert_eq!(
        resources(&bundle, "SupplyRequest").len(),
        count(&db, "SELECT COUNT(*) FROM transfer_lines")
    );
    assert_eq!(
        resources(&bundle, "Location").len(),
        count(
            &db,
            "SELECT (SELECT COUNT(*) FROM places) + (SELECT COUNT(*) FROM locations)"
        )
    );
    // A witnessed dose names its witness; a given dose its lot.
    let witnessed = count(
        &db,
        "SELECT COUNT(*) FROM administrations WHERE witness_id IS NOT NULL",
    );
    assert!(witnessed > 0);
    let with_witness = resources(&bundle, "MedicationAdministration")
        .iter()
        .filter(|r| {
            r["performer"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["function"]["coding"][0]["code"] == "witness")
        })
        .count();
    assert_eq!(with_witness, witnessed);
    let lots: HashSet<String> = resources(&bundle, "Medication")
        .iter()
        .filter_map(|m| m["batch"]["lotNumber"].as_str().map(String::from))
        .collect();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let given_lot: String = conn
        .query_row(
            "SELECT l.lot_number FROM administrations a JOIN lots l ON l.id = a.lot_id
             WHERE a.outcome = 'given' ORDER BY a.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(lots.contains(&given_lot));
    // A replaced version points at the one it replaced.
    let replaced = count(
        &db,
        "SELECT COUNT(*) FROM prescriptions WHERE supersedes_id IS NOT NULL",
    );
    let prior = resources(&bundle, "MedicationRequest")
        .iter()
        .filter(|r| r["priorPrescription"].is_object())
        .count();
    assert_eq!(prior, replaced);
    // The same database gives the same ids.
    let again = export(&db, &[]);
    let ids = |b: &Value| -> Vec<String> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&bundle), ids(&again));
}

#[test]
fn one_patient_or_a_period_is_exported_alone() {
    let (_dir, db) = common::demo_db();
    let mrn: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT p.mrn FROM patients p WHERE EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             AND EXISTS (SELECT 1 FROM prescriptions r JOIN administrations a ON a.prescription_id = r.id WHERE r.patient_id = p.id)
             ORDER BY p.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let one = export(&db, &["--patient", &mrn]);
    let patients = resources(&one, "Patient");
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["identifier"][0]["value"], mrn.as_str());
    assert!(!resources(&one, "AllergyIntolerance").is_empty());
    assert!(resources(&one, "SupplyRequest").is_empty());
    let errors = schema_errors(&one, 5);
    assert!(errors.is_empty(), "{errors:#?}");
    let doses = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM administrations a JOIN prescriptions r ON r.id = a.prescription_id
             JOIN patients p ON p.id = r.patient_id WHERE p.mrn = '{mrn}'"
        ),
    );
    assert_eq!(resources(&one, "MedicationAdministration").len(), doses);

    // From a day on: only the doses recorded since.
    let all = export(&db, &[]);
    let last: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT substr(MAX(recorded_at), 1, 10) FROM administrations",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let recent = export(&db, &["--since", &last]);
    let n = resources(&recent, "MedicationAdministration").len();
    assert!(n > 0 && n < resources(&all, "MedicationAdministration").len());
    let mut refs = Vec::new();
    references(&recent, &mut refs);
    let ids: HashSet<String> = recent["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["resource"]["resourceType"].as_str().unwrap(),
                e["resource"]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(refs.iter().all(|r| ids.contains(r)));
}

#[test]
fn an_unknown_patient_or_a_bad_date_is_refused_and_nothing_is_written() {
    let (_dir, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.json");
    for args in [
        vec!["--patient", "MRN-NOBODY"],
        vec!["--since", "5 Dec"],
        vec!["--from", "2026-01-01"],
    ] {
        let assert = common::cli(&db)
            .args(["export", "fhir", "--out"])
            .arg(&out)
            .args(&args)
            .assert()
            .failure();
        let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(
            !err.trim().is_empty() && err.lines().count() <= 2,
            "{args:?}: {err}"
        );
        assert!(!out.exists(), "{args:?}: a file was written");
    }
}
