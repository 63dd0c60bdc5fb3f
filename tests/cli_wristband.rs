//! Wristbands on the command line: `gs1 decode` of a GSRN, `patient edit
//! --gsrn`, `site set --wristband`, and `administer --wristband` with a GSRN.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn ws(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .env("WARDSTOCK_PIN", "1234")
        .arg("--db")
        .arg(db);
    c
}

#[test]
fn gs1_decode_shows_a_wristbands_gsrn_and_refuses_a_wrong_check_digit() {
    let (_dir, db) = common::demo_db();
    ws(&db)
        .args(["gs1", "decode", "(8018)795260646688514634"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "GSRN (patient)  795260646688514634",
        ));
    ws(&db)
        .args(["gs1", "decode", "]C18017795260646688514634"])
        .assert()
        .success()
        .stdout(predicate::str::contains("GSRN (caregiver)"));
    ws(&db)
        .args(["gs1", "decode", "(8018)795260646688514635"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the wristband's GSRN check digit is wrong: rescan or type the MRN",
        ));
}

#[test]
fn the_site_setting_and_a_gsrn_wristband_at_the_bedside() {
    let (_dir, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (rx, mrn, gsrn, gtin, lot): (i64, String, String, String, String) = conn
        .query_row(
            "SELECT r.id, p.mrn, p.gsrn, g.gtin, l.lot_number FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             JOIN item_gtins g ON g.item_id = i.id JOIN balances b ON b.item_id = i.id AND b.place_id = p.ward_id JOIN lots l ON l.id = b.lot_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0 AND b.status = 'ok'
               AND b.expiry > '2027-01-01' AND b.qty >= 10 AND r.dose_milli % i.strength_milli = 0 AND p.gsrn IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    let ward: i64 = conn
        .query_row(
            "SELECT p.ward_id FROM prescriptions r JOIN patients p ON p.id = r.patient_id WHERE r.id = ?1",
            [rx],
            |r| r.get(0),
        )
        .unwrap();
    let (other_mrn, other_gsrn): (String, String) = conn
        .query_row(
            "SELECT mrn, gsrn FROM patients WHERE mrn <> ?1 AND gsrn IS NOT NULL ORDER BY mrn LIMIT 1",
            [&mrn],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let now = chrono::Utc::now();
    let (rows, _) = wardstock::store::queries::schedule(
        &conn,
        ward,
        now - chrono::Duration::hours(14),
        now + chrono::Duration::hours(14),
    )
    .unwrap();
    let at = rows
        .iter()
        .filter(|r| r.prescription_id == rx && !r.recorded)
        .map(|r| r.at)
        .min_by_key(|t| (*t - now).num_seconds().abs())
        .expect("a dose to give")
        .to_rfc3339();
    drop(conn);

    // Only an administrator says what the wristbands carry; `site show` tells it.
    ws(&db)
        .args(["site", "set", "--user", "nurse", "--wristband", "gsrn"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("only an administrator"));
    ws(&db)
        .args(["site", "set", "--user", "admin", "--wristband", "gsrn"])
        .assert()
        .success();
    ws(&db)
        .args(["site", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wristbands carry: the GS1 GSRN of the patient (AI 8018)",
        ));

    let give = |band: &str| {
        let mut c = ws(&db);
        c.args([
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
            "--at",
            &at,
        ])
        .args(["--wristband", band])
        .args(["--scan", &format!("(01){gtin}(10){lot}")])
        .args(["--route-confirmed", "--timing-reason", "emergency"]);
        c
    };
    // A bare MRN scanned where wristbands carry a GSRN: refused, saying so.
    give(&mrn).assert().code(1).stderr(predicate::str::contains(
        "this site's wristbands carry a GSRN",
    ));
    // Another patient's GSRN: the wrong patient, named by their MRN.
    give(&format!("(8018){other_gsrn}"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("wrong patient").and(predicate::str::contains(&other_mrn)),
        );
    // A GSRN nobody has: unknown.
    give("(8018)795260646688514634")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no patient has the wristband GSRN",
        ));
    // The patient's own GSRN: given.
    give(&format!("(8018){gsrn}"))
        .assert()
        .success()
        .stdout(predicate::str::contains("recorded: given"));
    ws(&db).arg("check").assert().success();
}

#[test]
fn a_patients_gsrn_is_set_and_checked_from_the_command_line() {
    let (_dir, db) = common::demo_db();
    ws(&db)
        .args(["patient", "edit", "MRN100001", "--user", "admin"])
        .args(["--gsrn", "795260646688514635"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the check digit should be 4"));
    ws(&db)
        .args(["patient", "edit", "MRN100001", "--user", "admin"])
        .args(["--gsrn", "795260646688514634"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wristband GSRN 795260646688514634",
        ));
    ws(&db)
        .args(["patient", "edit", "MRN100002", "--user", "admin"])
        .args(["--gsrn", "795260646688514634"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already the wristband of"));
    ws(&db)
        .args(["patient", "admit", "MRN900001", "--user", "admin"])
        .args([
            "--name",
            "Nia Okafor",
            "--dob",
            "1981-02-03",
            "--ward",
            "W-MED",
        ])
        .args(["--gsrn", "7952606466885146"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a GSRN is 18 digits, found 16"));
    ws(&db)
        .args(["patient", "MRN100001"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wristband GSRN 795260646688514634",
        ));
}
