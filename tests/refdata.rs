//! Keeping the site's people and products from the command line: users and
//! PINs, items and GTINs, places, suppliers, patients and allergies. Each
//! change is the administrator's, kept in history, and `check` stays clean.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use wardstock::store::Store;

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

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn history(db: &Path, kind: &str, code: &str) -> Vec<(String, Option<String>, String)> {
    let store = Store::open(db).unwrap();
    let mut stmt = store
        .conn
        .prepare(
            "SELECT h.action, h.before, h.after FROM reference_history h
             WHERE h.kind = ?1 AND h.code = ?2 ORDER BY h.id",
        )
        .unwrap();
    stmt.query_map([kind, code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn check_clean(db: &Path) {
    ws(db).arg("check").assert().success();
}

/// Adds a user and sets their own PIN; returns nothing, the PIN is `pin`.
fn add_user(db: &Path, name: &str, role: &str, pin: &str) {
    let out = ws(db)
        .args(["user", "add", name, "--user", "boss", "--full-name"])
        .arg(format!("{name} Full"))
        .args(["--role", role, "--json"])
        .assert()
        .success();
    let one_time = json(&out)["one_time_pin"].as_str().unwrap().to_string();
    ws(db)
        .args(["pin", "--user", name])
        .env("WARDSTOCK_PIN", &one_time)
        .env("WARDSTOCK_NEW_PIN", pin)
        .assert()
        .success();
}

#[test]
fn an_admin_adds_a_user_who_sets_their_own_pin_at_first_sign_in() {
    let (_d, db) = site();
    let out = ws(&db)
        .args(["user", "add", "nina", "--user", "boss"])
        .args(["--full-name", "Nina Rossi", "--role", "nurse", "--json"])
        .assert()
        .success();
    let one_time = json(&out)["one_time_pin"].as_str().unwrap().to_string();
    assert_eq!(one_time.len(), 6);
    // The one-time PIN is right, but must be changed before anything else.
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", &one_time)
        .assert()
        .failure()
        .stderr(predicate::str::contains("wardstock pin --user nina"));
    // Not to the same PIN.
    ws(&db)
        .args(["pin", "--user", "nina"])
        .env("WARDSTOCK_PIN", &one_time)
        .env("WARDSTOCK_NEW_PIN", &one_time)
        .assert()
        .failure()
        .stderr(predicate::str::contains("must differ"));
    ws(&db)
        .args(["pin", "--user", "nina"])
        .env("WARDSTOCK_PIN", &one_time)
        .env("WARDSTOCK_NEW_PIN", "2468")
        .assert()
        .success()
        .stdout(predicate::str::contains("PIN of nina changed"));
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", "2468")
        .assert()
        .success();
    let h = history(&db, "user", "nina");
    assert_eq!(h[0].0, "added");
    assert!(h[0].2.contains("\"role\":\"nurse\""), "{:?}", h[0]);
    assert!(!h[0].2.contains("argon2"), "no PIN hash in history");
    ws(&db)
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nina Rossi").and(predicate::str::contains("nurse")));
    check_clean(&db);
}

#[test]
fn only_an_admin_keeps_users_and_the_admin_is_not_clinical() {
    let (_d, db) = site();
    add_user(&db, "nina", "nurse", "2468");
    ws(&db)
        .args([
            "user",
            "add",
            "eve",
            "--user",
            "nina",
            "--full-name",
            "Eve",
            "--role",
            "admin",
        ])
        .env("WARDSTOCK_PIN", "2468")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("only an administrator")
                .and(predicate::str::contains("nurse")),
        );
    ws(&db)
        .args([
            "user",
            "add",
            "bad name",
            "--user",
            "boss",
            "--full-name",
            "X",
            "--role",
            "nurse",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("one word"));
    ws(&db)
        .args([
            "user",
            "add",
            "x",
            "--user",
            "boss",
            "--full-name",
            "X",
            "--role",
            "doctor",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown role"));
    ws(&db)
        .args([
            "user",
            "add",
            "nina",
            "--user",
            "boss",
            "--full-name",
            "X",
            "--role",
            "nurse",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn the_last_active_admin_stays_an_admin_and_active() {
    let (_d, db) = site();
    ws(&db)
        .args(["user", "role", "boss", "nurse", "--user", "boss"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only active administrator"));
    add_user(&db, "eve", "admin", "1357");
    ws(&db)
        .args(["user", "deactivate", "boss", "--user", "boss"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("your own account"));
    ws(&db)
        .args(["user", "deactivate", "boss", "--user", "eve"])
        .env("WARDSTOCK_PIN", "1357")
        .assert()
        .success();
    // Now eve is the last one.
    ws(&db)
        .args(["user", "role", "eve", "pharmacist", "--user", "eve"])
        .env("WARDSTOCK_PIN", "1357")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "eve is the only active administrator",
        ));
    // A deactivated user cannot sign in; nothing is deleted.
    ws(&db)
        .args(["user", "list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"boss\""));
    ws(&db)
        .args(["user", "language", "--user", "boss", "en"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("deactivated"));
    ws(&db)
        .args(["user", "deactivate", "boss", "--user", "eve", "--undo"])
        .env("WARDSTOCK_PIN", "1357")
        .assert()
        .success();
    ws(&db)
        .args(["user", "language", "--user", "boss", "en"])
        .assert()
        .success();
    let h = history(&db, "user", "boss");
    assert!(h.iter().any(|(a, b, after)| a == "changed"
        && b.as_deref().is_some_and(|b| b.contains("\"active\":true"))
        && after.contains("\"active\":false")));
    check_clean(&db);
}

#[test]
fn a_locked_user_is_told_who_unlocks_them_and_a_reset_pin_is_one_time() {
    let (_d, db) = site();
    add_user(&db, "nina", "nurse", "2468");
    for _ in 0..4 {
        ws(&db)
            .args(["user", "language", "--user", "nina", "en"])
            .env("WARDSTOCK_PIN", "0000")
            .assert()
            .failure();
    }
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", "0000")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("locked").and(predicate::str::contains(
                "an administrator can unlock nina now: `wardstock user unlock nina`",
            )),
        );
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", "2468")
        .assert()
        .failure();
    ws(&db)
        .args(["user", "unlock", "nina", "--user", "boss"])
        .assert()
        .success();
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", "2468")
        .assert()
        .success();
    // A reset: the old PIN no longer works, the one-time one must be changed.
    let out = ws(&db)
        .args(["user", "reset-pin", "nina", "--user", "boss", "--json"])
        .assert()
        .success();
    let one_time = json(&out)["one_time_pin"].as_str().unwrap().to_string();
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", "2468")
        .assert()
        .failure()
        .stderr(predicate::str::contains("wrong PIN"));
    ws(&db)
        .args(["user", "language", "--user", "nina", "en"])
        .env("WARDSTOCK_PIN", &one_time)
        .assert()
        .failure()
        .stderr(predicate::str::contains("one-time PIN"));
    ws(&db)
        .args(["pin", "--user", "nina"])
        .env("WARDSTOCK_PIN", &one_time)
        .env("WARDSTOCK_NEW_PIN", "8642")
        .assert()
        .success();
    assert!(
        history(&db, "user", "nina")
            .iter()
            .any(|(_, _, after)| after.contains("\"must_change_pin\":true"))
    );
    // In Chinese too.
    ws(&db)
        .args([
            "--lang",
            "zh-CN",
            "user",
            "edit",
            "nina",
            "--user",
            "nina",
            "--full-name",
            "N",
        ])
        .env("WARDSTOCK_PIN", "8642")
        .assert()
        .failure()
        .stderr(predicate::str::contains("只有管理员"));
    check_clean(&db);
}

#[test]
fn the_demo_admin_may_not_validate_and_keeps_users() {
    let (_d, db) = common::demo_db();
    ws(&db)
        .args(["user", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pharm"));
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "user",
            "edit",
            "nurse2",
            "--user",
            "admin",
            "--full-name",
            "Second Nurse",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Second Nurse"));
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["validate", "accept", "1", "--user", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("may not validate"));
    check_clean(&db);
}

fn add_para(db: &Path) {
    ws(db)
        .args([
            "item",
            "add",
            "PARA500",
            "--user",
            "boss",
            "--gtin",
            "04031847000072",
        ])
        .args([
            "--name",
            "Paracetamol 500 mg",
            "--form",
            "tablet",
            "--strength",
            "500",
        ])
        .args([
            "--strength-unit",
            "mg",
            "--dose-unit",
            "tablet",
            "--units-per-pack",
            "20",
        ])
        .args(["--unit-price", "0.05", "--atc", "N02BE01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PARA500"));
}

#[test]
fn items_are_added_edited_linked_and_retired_never_deleted() {
    let (_d, db) = site();
    add_para(&db);
    ws(&db)
        .args([
            "item",
            "add",
            "GLOVE",
            "--user",
            "boss",
            "--gtin",
            "4006381333931",
        ])
        .args([
            "--name",
            "Gloves M",
            "--form",
            "consumable",
            "--dose-unit",
            "pair",
        ])
        .args(["--unit-price", "0.10"])
        .assert()
        .success();
    ws(&db)
        .args([
            "item", "add", "para500", "--user", "boss", "--gtin", "96385074",
        ])
        .args([
            "--name",
            "Again",
            "--form",
            "tablet",
            "--dose-unit",
            "tablet",
        ])
        .args(["--unit-price", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    // A wrong check digit, and a GTIN that is another item's, are refused.
    ws(&db)
        .args([
            "item",
            "link-gtin",
            "GLOVE",
            "4006381333932",
            "--user",
            "boss",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("check digit"));
    ws(&db)
        .args([
            "item",
            "link-gtin",
            "GLOVE",
            "04031847000072",
            "--user",
            "boss",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "already linked to PARA500 (Paracetamol 500 mg)",
        ));
    ws(&db)
        .args(["item", "link-gtin", "GLOVE", "96385074", "--user", "boss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("00000096385074"));
    ws(&db)
        .args(["item", "unlink-gtin", "GLOVE", "96385074", "--user", "boss"])
        .assert()
        .success();
    ws(&db)
        .args(["item", "unlink-gtin", "GLOVE", "96385074", "--user", "boss"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not linked"));
    // Edit changes only what is given; the price is exact.
    ws(&db)
        .args([
            "item",
            "edit",
            "PARA500",
            "--user",
            "boss",
            "--unit-price",
            "2.67",
        ])
        .args(["--high-alert", "yes"])
        .assert()
        .success();
    let out = ws(&db)
        .args(["item", "show", "PARA500", "--json"])
        .assert()
        .success();
    let v = json(&out);
    assert_eq!(v["unit_price_cents"], 267);
    assert_eq!(v["high_alert"], true);
    assert_eq!(v["strength_milli"], 500_000);
    // Bad input is refused before anything is written.
    ws(&db)
        .args([
            "item", "edit", "PARA500", "--user", "boss", "--form", "potion",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("potion"));
    ws(&db)
        .args(["item", "edit", "PARA500", "--user", "boss", "--atc", "N2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("A01BC23"));
    ws(&db)
        .args(["item", "edit", "NOPE", "--user", "boss", "--name", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no item with code"));
    ws(&db)
        .args(["item", "retire", "GLOVE", "--user", "boss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("retired"));
    ws(&db)
        .args(["item", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("GLOVE").and(predicate::str::contains("retired")));
    let h = history(&db, "item", "PARA500");
    assert_eq!(h.len(), 2, "{h:?}");
    assert!(
        h[1].1
            .as_deref()
            .unwrap()
            .contains("\"unit_price_cents\":5")
    );
    assert!(h[1].2.contains("\"unit_price_cents\":267"));
    assert_eq!(history(&db, "item", "GLOVE").len(), 4);
    check_clean(&db);
}

#[test]
fn a_nurse_cannot_change_the_formulary() {
    let (_d, db) = common::demo_db();
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "item",
            "edit",
            "PARA500T",
            "--user",
            "nurse",
            "--unit-price",
            "1",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only an administrator"));
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "item",
            "edit",
            "PARA500T",
            "--user",
            "admin",
            "--unit-price",
            "0.04",
        ])
        .assert()
        .success();
    check_clean(&db);
}

#[test]
fn places_are_added_edited_and_closed_when_empty() {
    let (_d, db) = site();
    ws(&db)
        .args([
            "place",
            "add",
            "W-MED",
            "--user",
            "boss",
            "--name",
            "Medical ward",
        ])
        .args(["--transport-minutes", "15"])
        .assert()
        .success()
        .stdout(predicate::str::contains("W-MED"));
    ws(&db)
        .args(["place", "add", "W-MED", "--user", "boss", "--name", "Again"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    ws(&db)
        .args([
            "place", "add", "W-X", "--user", "boss", "--name", "X", "--kind", "shop",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("shop"));
    ws(&db)
        .args([
            "place",
            "edit",
            "W-MED",
            "--user",
            "boss",
            "--transport-minutes=-5",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("negative"));
    ws(&db)
        .args([
            "place",
            "edit",
            "W-MED",
            "--user",
            "boss",
            "--name",
            "General medicine",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("General medicine"));
    ws(&db)
        .args(["place", "close", "W-MED", "--user", "boss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("closed"));
    ws(&db).args(["place", "list"]).assert().success().stdout(
        predicate::str::contains("General medicine").and(predicate::str::contains("closed")),
    );
    let h = history(&db, "place", "W-MED");
    assert_eq!(
        h.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["added", "changed", "changed"]
    );
    check_clean(&db);
}

#[test]
fn a_place_holding_stock_is_not_closed() {
    let (_d, db) = common::demo_db();
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["place", "close", "W-MED", "--user", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("still holds"));
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["place", "close", "W-MED", "--user", "manager"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only an administrator"));
}

#[test]
fn suppliers_are_added_and_edited() {
    let (_d, db) = site();
    ws(&db)
        .args([
            "supplier",
            "add",
            "ACME",
            "--user",
            "boss",
            "--name",
            "Acme Pharma",
            "--lead-days",
            "3",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 day"));
    ws(&db)
        .args([
            "supplier", "add", "acme", "--user", "boss", "--name", "Again",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    ws(&db)
        .args([
            "supplier",
            "add",
            "BAD",
            "--user",
            "boss",
            "--name",
            "Bad",
            "--lead-days=-1",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("negative"));
    add_para(&db);
    ws(&db)
        .args([
            "item",
            "edit",
            "PARA500",
            "--user",
            "boss",
            "--supplier",
            "ACME",
        ])
        .assert()
        .success();
    ws(&db)
        .args([
            "item",
            "edit",
            "PARA500",
            "--user",
            "boss",
            "--supplier",
            "NOBODY",
        ])
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
            "--lead-days",
            "5",
        ])
        .assert()
        .success();
    ws(&db)
        .args(["supplier", "list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"lead_days\": 5"));
    ws(&db)
        .args(["item", "show", "PARA500"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ACME"));
    assert_eq!(history(&db, "supplier", "ACME").len(), 2);
    check_clean(&db);
}

fn first_patient(db: &Path, ward: &str) -> String {
    let out = ws(db)
        .args(["patient", "list", "--ward", ward, "--json"])
        .assert()
        .success();
    json(&out)[0]["mrn"].as_str().unwrap().to_string()
}

#[test]
fn discharge_stops_the_prescriptions_and_no_dose_is_recorded() {
    let (_d, db) = common::demo_db();
    let mrn = first_patient(&db, "W-MED");
    let out = ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["patient", "discharge", &mrn, "--user", "admin", "--json"])
        .assert()
        .success();
    let v = json(&out);
    let stopped: Vec<i64> = v["stopped_prescriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    assert!(!stopped.is_empty());
    assert!(v["discharged_at"].is_string());
    let store = Store::open(&db).unwrap();
    for id in &stopped {
        let (status, reason): (String, String) = store
            .conn
            .query_row(
                "SELECT r.status, e.comment FROM prescriptions r JOIN prescription_events e ON e.prescription_id = r.id
                 WHERE r.id = ?1 AND e.action = 'stopped'",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("stopped", "discharged")
        );
    }
    drop(store);
    // No dose for a discharged patient: the refusal says why.
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["administer", &stopped[0].to_string(), "--user", "nurse"])
        .args([
            "--at",
            "2026-11-22T20:00:00Z",
            "--wristband",
            &mrn,
            "--route-confirmed",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "patient {mrn} has been discharged: no dose can be recorded"
        )));
    // The schedule no longer shows them; the ward's list neither.
    ws(&db)
        .args(["mar", "--ward", "W-MED", "--from", "2026-11-22T12:00:00Z"])
        .args(["--to", "2026-11-23T12:00:00Z", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(mrn.as_str()).not());
    ws(&db)
        .args(["patient", "list", "--ward", "W-MED"])
        .assert()
        .success()
        .stdout(predicate::str::contains(mrn.as_str()).not());
    ws(&db)
        .args(["patient", "list", "--all"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(format!("{mrn}  "))
                .and(predicate::str::contains("discharged")),
        );
    ws(&db)
        .args(["patient", "show", &mrn])
        .assert()
        .success()
        .stdout(predicate::str::contains("discharged"));
    // The record keeps the stopped prescriptions and their doses.
    let out = ws(&db)
        .args(["patient", "show", &mrn, "--json"])
        .assert()
        .success();
    let rec = json(&out);
    let kept: Vec<i64> = rec["prescriptions"]
        .as_array()
        .expect("prescriptions on the record")
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert!(
        stopped.iter().all(|id| kept.contains(id)),
        "{kept:?} keeps {stopped:?}"
    );
    // Discharged twice, moved after discharge: refused.
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["patient", "discharge", &mrn, "--user", "admin"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("has been discharged"));
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args(["patient", "move", &mrn, "--user", "manager", "--bed", "9"])
        .assert()
        .failure();
    // In Chinese.
    ws(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "--lang",
            "zh-CN",
            "administer",
            &stopped[0].to_string(),
            "--user",
            "nurse",
        ])
        .args([
            "--at",
            "2026-11-22T20:00:00Z",
            "--wristband",
            &mrn,
            "--route-confirmed",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("已出院"));
    let h = history(&db, "patient", &mrn);
    assert!(h.last().unwrap().2.contains("discharged_at"));
    check_clean(&db);
}

#[test]
fn patients_are_admitted_moved_and_their_allergies_recorded() {
    let (_d, db) = site();
    ws(&db)
        .args(["place", "add", "W1", "--user", "boss", "--name", "Ward 1"])
        .assert()
        .success();
    ws(&db)
        .args(["place", "add", "W2", "--user", "boss", "--name", "Ward 2"])
        .assert()
        .success();
    let admit = |mrn: &str, ward: &str| {
        let mut c = ws(&db);
        c.args([
            "patient",
            "admit",
            mrn,
            "--user",
            "boss",
            "--name",
            "Ada Lovelace",
        ])
        .args([
            "--dob",
            "1950-12-10",
            "--sex",
            "female",
            "--ward",
            ward,
            "--bed",
            "4",
        ]);
        c
    };
    admit("M1", "W1")
        .assert()
        .success()
        .stdout(predicate::str::contains("W1 bed 4"));
    admit("M1", "W2")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already admitted to W1"));
    admit("M2", "PHARM")
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a ward"));
    admit("M2", "NOWARD")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no place"));
    ws(&db)
        .args([
            "patient",
            "admit",
            "M3",
            "--user",
            "boss",
            "--name",
            "X",
            "--dob",
            "10/12/1950",
        ])
        .args(["--ward", "W1"])
        .assert()
        .failure();
    ws(&db)
        .args([
            "patient", "move", "M1", "--user", "boss", "--ward", "W2", "--bed", "7",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("W2 bed 7"));
    ws(&db)
        .args([
            "allergy",
            "add",
            "--mrn",
            "M1",
            "--user",
            "boss",
            "--substance",
            "Penicillin",
        ])
        .args(["--atc", "J01C", "--reaction", "rash"])
        .assert()
        .success();
    ws(&db)
        .args([
            "allergy",
            "add",
            "--mrn",
            "M1",
            "--user",
            "boss",
            "--substance",
            "Latex",
        ])
        .args(["--kind", "sneezing"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("sneezing"));
    ws(&db)
        .args([
            "allergy",
            "add",
            "--mrn",
            "M1",
            "--user",
            "boss",
            "--substance",
            "X",
        ])
        .args(["--atc", "j01c1"])
        .assert()
        .failure();
    ws(&db)
        .args(["patient", "show", "M1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Penicillin (allergy)"));
    ws(&db)
        .args(["patient", "M1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Penicillin"));
    ws(&db)
        .args([
            "allergy",
            "remove",
            "--mrn",
            "M1",
            "--user",
            "boss",
            "--substance",
            "penicillin",
        ])
        .assert()
        .success();
    ws(&db)
        .args([
            "allergy",
            "remove",
            "--mrn",
            "M1",
            "--user",
            "boss",
            "--substance",
            "penicillin",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no recorded"));
    let h = history(&db, "allergy", "M1/Penicillin");
    assert_eq!(h.len(), 2);
    assert!(h[1].2.contains("\"removed\":true"));
    // Discharged, then admitted again: the same record.
    ws(&db)
        .args(["patient", "discharge", "M1", "--user", "boss"])
        .assert()
        .success();
    admit("M1", "W1").assert().success();
    assert_eq!(history(&db, "patient", "M1").len(), 4);
    check_clean(&db);
}

#[test]
fn an_imported_user_without_a_pin_changes_the_one_time_pin_first() {
    let (dir, db) = site();
    let file = dir.path().join("users.csv");
    std::fs::write(&file, "name,full_name,role\nzed,Zed Zhang,nurse\n").unwrap();
    let out = ws(&db)
        .args(["import", "users"])
        .arg(&file)
        .args(["--user", "boss", "--json"])
        .assert()
        .success();
    let pin = json(&out)["new_pins"][0]["pin"]
        .as_str()
        .unwrap()
        .to_string();
    ws(&db)
        .args(["user", "language", "--user", "zed", "en"])
        .env("WARDSTOCK_PIN", &pin)
        .assert()
        .failure()
        .stderr(predicate::str::contains("wardstock pin --user zed"));
    ws(&db)
        .args(["pin", "--user", "zed"])
        .env("WARDSTOCK_PIN", &pin)
        .env("WARDSTOCK_NEW_PIN", "97531")
        .assert()
        .success();
    ws(&db)
        .args(["user", "language", "--user", "zed", "en"])
        .env("WARDSTOCK_PIN", "97531")
        .assert()
        .success();
}

#[test]
fn units_are_taken_as_people_write_them() {
    let (_dir, db) = site();
    ws(&db)
        .args([
            "item",
            "add",
            "FENT12",
            "--user",
            "boss",
            "--gtin",
            "4012345678925",
        ])
        .args(["--name", "Fentanyl 12 mcg/h patch", "--form", "patch"])
        .args([
            "--strength",
            "12",
            "--strength-unit",
            "mcg",
            "--dose-unit",
            "patch",
        ])
        .args(["--unit-price", "9.00", "--controlled", "yes"])
        .assert()
        .success();
    let out = json(
        &ws(&db)
            .args(["item", "show", "FENT12", "--json"])
            .assert()
            .success(),
    );
    assert_eq!(out["strength_unit"], "microgram", "{out}");
    // A unit nobody uses is refused, listing the ones there are.
    ws(&db)
        .args([
            "item",
            "edit",
            "FENT12",
            "--user",
            "boss",
            "--strength-unit",
            "grains",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("microgram"));
    check_clean(&db);
}
