//! A removed allergy stays on the patient's record as history and no longer
//! counts anywhere; suppliers keep whom to call, and orders go only to
//! suppliers the site knows.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::Duration;
use predicates::prelude::*;
use wardstock::domain::seven_rights::Failure;
use wardstock::domain::validation::Finding;
use wardstock::ops::mar::{self, DoseError, DoseInput, Outcome};
use wardstock::ops::refdata as refdata_ops;
use wardstock::ops::rx;
use wardstock::store::{Store, queries};

use common::actor;

/// An active scheduled prescription whose drug the ward holds, for a
/// patient without allergies: (rx, patient id, mrn, item id, item ATC, lot, units per dose).
fn prescription(store: &Store) -> (i64, i64, String, i64, String, String, i64) {
    store
        .conn
        .query_row(
            "SELECT r.id, p.id, p.mrn, i.id, i.atc,
                    (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
                     WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-01-01' AND b.qty >= 10
                     ORDER BY b.expiry LIMIT 1),
                    r.dose_milli / i.strength_milli
             FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0
               AND i.atc IS NOT NULL AND r.dose_milli % i.strength_milli = 0
               AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok'
                           AND b.expiry > '2027-01-01' AND b.qty >= 10)
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .unwrap()
}

fn dose(
    rx: i64,
    mrn: &str,
    item: i64,
    lot: &str,
    units: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> DoseInput {
    DoseInput {
        rx_id: rx,
        scheduled_at: Some(at),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.into()),
        patient_dob: None,
        pack: Some((item, lot.into())),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        route_confirmed: true,
        timing_reason: None,
        reason: None,
        witness: None,
        double_check: None,
    }
}

fn allergy_findings(store: &Store, rx_id: i64, now: chrono::DateTime<chrono::Utc>) -> usize {
    let facts = rx::facts(&store.conn, rx_id, now).unwrap();
    wardstock::domain::validation::findings(&facts)
        .iter()
        .filter(|f| matches!(f, Finding::Allergy { .. }))
        .count()
}

#[test]
fn a_removed_allergy_is_kept_as_history_and_no_longer_blocks_a_dose() {
    let (_dir, mut store) = common::open_demo();
    let pharm = actor(&store, "pharm");
    let nurse = actor(&store, "nurse");
    let (rx_id, patient, mrn, item, atc, lot, units) = prescription(&store);
    let due = common::due(&store, rx_id, 2);
    let now = due[0] + Duration::minutes(5);

    // Recorded: the dose is refused and the pharmacist's check finds it.
    refdata_ops::allergy_add(
        &mut store,
        &pharm,
        now,
        &mrn,
        "Test class",
        "allergy",
        Some(&atc[..3]),
        Some("rash"),
    )
    .unwrap();
    assert_eq!(allergy_findings(&store, rx_id, now), 1);
    let e = mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(rx_id, &mrn, item, &lot, units, due[0]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, DoseError::Rights(f) if f.iter().any(|f| matches!(f, Failure::Allergy { .. }))),
        "{e}"
    );

    // Removed (recorded in error): the row stays, marked with who, when, why.
    let removed = refdata_ops::allergy_remove(
        &mut store,
        &pharm,
        now,
        &mrn,
        "test CLASS",
        Some("recorded in error: wrong patient"),
    )
    .unwrap();
    assert!(removed.removed);
    let (count, removed_at, removed_by, reason): (
        i64,
        Option<String>,
        Option<i64>,
        Option<String>,
    ) = store
        .conn
        .query_row(
            "SELECT count(*), max(removed_at), max(removed_by), max(removed_reason)
                 FROM patient_allergies WHERE patient_id = ?1",
            [patient],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(count, 1, "the row is kept");
    assert!(removed_at.is_some());
    assert_eq!(removed_by, Some(pharm.user_id));
    assert_eq!(reason.as_deref(), Some("recorded in error: wrong patient"));
    // Nothing clinical is deleted, and a removed allergy is not rewritten.
    assert!(
        store
            .conn
            .execute(
                "DELETE FROM patient_allergies WHERE patient_id = ?1",
                [patient]
            )
            .is_err()
    );
    assert!(
        store
            .conn
            .execute(
                "UPDATE patient_allergies SET removed_at = NULL WHERE patient_id = ?1",
                [patient]
            )
            .is_err()
    );
    // Removing it again: there is no current one.
    assert!(
        refdata_ops::allergy_remove(&mut store, &pharm, now, &mrn, "Test class", None).is_err()
    );

    // It no longer raises a finding nor blocks the dose.
    assert_eq!(allergy_findings(&store, rx_id, now), 0);
    let record = queries::patient_record(&store.conn, &mrn).unwrap().unwrap();
    assert_eq!(record.allergies, "");
    assert_eq!(record.removed_allergies.len(), 1);
    assert_eq!(record.removed_allergies[0].substance, "Test class");
    assert_eq!(record.removed_allergies[0].removed_by, "pharm");
    let ward: i64 = store
        .conn
        .query_row(
            "SELECT ward_id FROM patients WHERE id = ?1",
            [patient],
            |r| r.get(0),
        )
        .unwrap();
    let line = queries::patients_for_ward(&store.conn, ward)
        .unwrap()
        .into_iter()
        .find(|p| p.id == patient)
        .unwrap();
    assert_eq!(line.allergies, "");
    mar::administer(
        &mut store,
        &nurse,
        now,
        &dose(rx_id, &mrn, item, &lot, units, due[0]),
    )
    .unwrap();

    // Recorded again: a new, current row; the removed one stays history.
    refdata_ops::allergy_add(
        &mut store,
        &pharm,
        now,
        &mrn,
        "Test class",
        "intolerance",
        Some(&atc[..3]),
        None,
    )
    .unwrap();
    let rows: Vec<(String, Option<String>)> = store
        .conn
        .prepare("SELECT kind, removed_at FROM patient_allergies WHERE patient_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([patient], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "allergy");
    assert!(rows[0].1.is_some());
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_deref()),
        ("intolerance", None)
    );
    assert_eq!(allergy_findings(&store, rx_id, now), 1);
    let record = queries::patient_record(&store.conn, &mrn).unwrap().unwrap();
    assert_eq!(record.allergies, "Test class (intolerance)");
    assert_eq!(record.removed_allergies.len(), 1);
    common::assert_clean(&store);
}

// --- the command line ------------------------------------------------------

fn ws(db: &Path) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("WARDSTOCK_NEW_PIN")
        .env_remove("LC_ALL")
        .env("LANG", "C")
        .env("WARDSTOCK_DB", db)
        .env("WARDSTOCK_PIN", "1111");
    c
}

/// A new site made with `wardstock init`: pharmacy PHARM, administrator boss (PIN 1111).
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.sqlite");
    ws(&db)
        .args([
            "init",
            "--site",
            "Riverside",
            "--timezone",
            "Europe/Rome",
            "--pharmacy",
            "PHARM",
            "--admin",
            "boss",
        ])
        .assert()
        .success();
    (dir, db)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn import(db: &Path, kind: &str, file: &Path) -> String {
    let o = ws(db)
        .args(["import", kind])
        .arg(file)
        .args(["--user", "boss"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn export(db: &Path, kind: &str) -> String {
    let o = ws(db).args(["export", kind]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn patient_show_lists_removed_allergies_with_who_when_and_why() {
    let (dir, db) = site();
    ws(&db)
        .args(["place", "add", "W1", "--user", "boss", "--name", "Ward 1"])
        .assert()
        .success();
    ws(&db)
        .args(["patient", "admit", "M1", "--user", "boss", "--name", "Ada"])
        .args(["--dob", "1950-12-10", "--ward", "W1", "--bed", "4"])
        .assert()
        .success();
    let allergies = write(
        dir.path(),
        "allergies.csv",
        "mrn,substance,kind,atc,reaction\nM1,Penicillin,allergy,J01C,rash\nM1,Latex,allergy,,hives\n",
    );
    assert!(import(&db, "allergies", &allergies).contains("2 added"));
    // Importing the same file again matches the current rows: nothing changes.
    assert!(import(&db, "allergies", &allergies).contains("0 added, 0 changed, 2 unchanged"));

    ws(&db)
        .args(["allergy", "remove", "--mrn", "M1", "--user", "boss"])
        .args([
            "--substance",
            "penicillin",
            "--reason",
            "tolerated amoxicillin",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("kept on the record"));
    ws(&db)
        .args(["patient", "show", "M1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("allergies: Latex (allergy)"))
        .stdout(predicate::str::contains("removed allergies (history):"))
        .stdout(predicate::str::contains("Penicillin (allergy): removed"))
        .stdout(predicate::str::contains("by boss: tolerated amoxicillin"));
    ws(&db)
        .args(["patient", "show", "M1"])
        .env("WARDSTOCK_LANG", "zh")
        .assert()
        .success()
        .stdout(predicate::str::contains("已移除的过敏记录（历史）"))
        .stdout(predicate::str::contains("tolerated amoxicillin"));
    let v: serde_json::Value = serde_json::from_slice(
        &ws(&db)
            .args(["patient", "show", "M1", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["removed_allergies"][0]["substance"], "Penicillin");
    assert_eq!(v["removed_allergies"][0]["removed_by"], "boss");

    // The export holds the current allergies only.
    let out = export(&db, "allergies");
    assert!(out.contains("M1,Latex"), "{out}");
    assert!(!out.contains("Penicillin"), "{out}");

    // Recording it again makes a new current one; the history stays.
    ws(&db)
        .args(["allergy", "add", "--mrn", "M1", "--user", "boss"])
        .args(["--substance", "Penicillin", "--atc", "J01C"])
        .assert()
        .success();
    ws(&db)
        .args(["patient", "show", "M1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Penicillin (allergy)"))
        .stdout(predicate::str::contains("removed allergies (history):"));
    ws(&db).arg("check").assert().success();
}

#[test]
fn suppliers_keep_a_contact_from_the_command_line_and_spreadsheets() {
    let (dir, db) = site();
    ws(&db)
        .args([
            "supplier", "add", "ACME", "--user", "boss", "--name", "Acme",
        ])
        .args([
            "--lead-days",
            "3",
            "--contact",
            "orders@acme.example, Maria",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "contact: orders@acme.example, Maria",
        ));
    ws(&db)
        .args(["supplier", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("orders@acme.example, Maria"));
    ws(&db)
        .args(["supplier", "edit", "ACME", "--user", "boss"])
        .args(["--contact", "+39 06 555 0101"])
        .assert()
        .success();
    ws(&db)
        .args(["supplier", "list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"contact\": \"+39 06 555 0101\""));

    // An item's preferred supplier is set by item add, and shown with the supplier.
    ws(&db)
        .args([
            "item",
            "add",
            "PARA500",
            "--user",
            "boss",
            "--gtin",
            "04031847000072",
        ])
        .args(["--name", "Paracetamol 500 mg", "--form", "tablet"])
        .args([
            "--strength",
            "500",
            "--strength-unit",
            "mg",
            "--dose-unit",
            "tablet",
        ])
        .args([
            "--units-per-pack",
            "20",
            "--atc",
            "N02BE01",
            "--supplier",
            "acme",
        ])
        .args(["--unit-price", "0.05"])
        .assert()
        .success();
    ws(&db)
        .args(["supplier", "show", "ACME"])
        .assert()
        .success()
        .stdout(predicate::str::contains("contact: +39 06 555 0101"))
        .stdout(predicate::str::contains("(1): PARA500"));
    ws(&db)
        .args(["supplier", "show", "NOBODY"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no supplier"));
    ws(&db)
        .args([
            "supplier",
            "edit",
            "ACME",
            "--user",
            "boss",
            "--contact",
            "",
        ])
        .assert()
        .success();
    ws(&db)
        .args(["supplier", "show", "ACME"])
        .env("WARDSTOCK_LANG", "zh")
        .assert()
        .success()
        .stdout(predicate::str::contains("联系方式：未记录"));

    // Purchase orders go only to a supplier the site knows.
    let out = ws(&db)
        .args([
            "user",
            "add",
            "rosa",
            "--user",
            "boss",
            "--full-name",
            "Rosa",
        ])
        .args(["--role", "pharmacist", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    ws(&db)
        .args(["pin", "--user", "rosa"])
        .env("WARDSTOCK_PIN", v["one_time_pin"].as_str().unwrap())
        .env("WARDSTOCK_NEW_PIN", "2222")
        .assert()
        .success();
    ws(&db)
        .args(["po", "new", "--user", "rosa", "--supplier", "Foo Ltd"])
        .args(["--line", "PARA500:100"])
        .env("WARDSTOCK_PIN", "2222")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no supplier"));
    ws(&db)
        .args(["po", "new", "--user", "rosa", "--supplier", "acme"])
        .args(["--line", "PARA500:100"])
        .env("WARDSTOCK_PIN", "2222")
        .assert()
        .success();

    // The spreadsheet: contact is an optional column; without it the contact on record stays.
    let with = write(
        dir.path(),
        "suppliers.csv",
        "code,name,lead_days,contact\nACME,Acme,3,orders@acme.example\nMEDI,Medi Supplies,5,\n",
    );
    let out = import(&db, "suppliers", &with);
    assert!(out.contains("1 added, 1 changed, 0 unchanged"), "{out}");
    assert!(import(&db, "suppliers", &with).contains("0 added, 0 changed, 2 unchanged"));
    let without = write(
        dir.path(),
        "suppliers2.csv",
        "code,name,lead_days\nACME,Acme,3\n",
    );
    assert!(import(&db, "suppliers", &without).contains("0 added, 0 changed, 1 unchanged"));
    let out = export(&db, "suppliers");
    let out = out.trim_start_matches('\u{feff}');
    assert!(out.starts_with("code,name,lead_days,contact"), "{out}");
    assert!(out.contains("ACME,Acme,3,orders@acme.example"), "{out}");
    assert!(
        out.contains("MEDI,Medi Supplies,5,\n") || out.contains("MEDI,Medi Supplies,5,\r\n"),
        "{out}"
    );
    // The export imports back unchanged.
    let back = write(dir.path(), "back.csv", out);
    assert!(import(&db, "suppliers", &back).contains("0 added, 0 changed, 2 unchanged"));
    ws(&db)
        .args(["import", "--template", "suppliers"])
        .assert()
        .success()
        .stdout(predicate::str::contains("code,name,lead_days,contact"));
    ws(&db).arg("check").assert().success();
}
