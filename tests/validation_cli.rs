//! The pharmacist's validation on the command line: the site's duplicate
//! classes, validation as a second check, PRN limits only on PRN.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn ws(db: &Path) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(db);
    c
}

#[test]
fn the_duplicate_classes_are_shown_set_checked_and_reset() {
    let (_dir, db) = common::demo_db();
    ws(&db)
        .args(["site", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "duplicate-therapy classes: B01A,N02A,A10A,N05A,N05BA+N05CD,M01A (the default)",
        ));
    // A nurse does not change them; a bad entry is named before any PIN.
    ws(&db)
        .args([
            "site",
            "set",
            "--user",
            "nurse",
            "--duplicate-classes",
            "B01A",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("change the classes checked"));
    ws(&db)
        .args([
            "site",
            "set",
            "--user",
            "pharm",
            "--duplicate-classes",
            "B01A,N05BA+N5CD",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"N5CD\" is not an ATC prefix"));
    ws(&db)
        .args([
            "site",
            "set",
            "--user",
            "pharm",
            "--duplicate-classes",
            "b01a, j01c+j01d",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("now B01A,J01C+J01D"));
    ws(&db)
        .args(["site", "show", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\"duplicate_classes\": \"B01A,J01C+J01D\"",
        ))
        .stdout(predicate::str::contains(
            "\"duplicate_classes_set_by\": \"pharm\"",
        ));
    ws(&db)
        .args([
            "site",
            "set",
            "--user",
            "admin",
            "--duplicate-classes",
            "default",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("back to the default"));
    ws(&db)
        .args(["site", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(the default) (set by admin"));
}

fn prescribe(db: &Path, user: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    ws(db)
        .args([
            "prescribe",
            "--user",
            user,
            "--mrn",
            "MRN100001",
            "--item",
            "PARA500T",
            "--dose",
            "500",
            "--route",
            "PO",
            "--indication",
            "pain",
            "--prescriber",
            "Dr. A. Conti",
            "--json",
        ])
        .args(extra)
        .assert()
}

#[test]
fn a_pharmacist_does_not_accept_what_they_entered() {
    let (_dir, db) = common::demo_db();
    let out = prescribe(&db, "pharm", &["--frequency", "tid"])
        .success()
        .get_output()
        .stdout
        .clone();
    let id = serde_json::from_slice::<serde_json::Value>(&out).unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    ws(&db)
        .args([
            "validate",
            "accept",
            &id,
            "--user",
            "pharm",
            "--comment",
            "ok",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "prescription {id} was entered by you: another pharmacist validates it"
        )));
    ws(&db)
        .env("WARDSTOCK_LANG", "zh-CN")
        .args([
            "validate",
            "accept",
            &id,
            "--user",
            "pharm",
            "--comment",
            "ok",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("由您本人录入"));
}

#[test]
fn prn_limits_on_a_regular_frequency_are_refused() {
    let (_dir, db) = common::demo_db();
    prescribe(&db, "manager", &["--frequency", "tid", "--prn-max", "4"])
        .code(1)
        .stderr(predicate::str::contains(
            "PRN limits (--prn-max, --prn-interval) belong to PRN prescriptions; this one is tid",
        ));
    prescribe(
        &db,
        "manager",
        &["--frequency", "bid", "--prn-interval", "4h"],
    )
    .code(1);
    prescribe(
        &db,
        "manager",
        &[
            "--frequency",
            "prn",
            "--prn-max",
            "4",
            "--prn-interval",
            "4h",
        ],
    )
    .success();
    let n: i64 = wardstock::store::Store::open(&db)
        .unwrap()
        .conn
        .query_row(
            "SELECT count(*) FROM prescriptions WHERE frequency <> 'prn' AND (prn_max_per_day IS NOT NULL OR prn_min_interval_min IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "no regular prescription keeps PRN limits");
}
