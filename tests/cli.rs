//! The command line, run as a user would, on temporary databases.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

/// The binary, in English unless a test asks otherwise: the machine's own
/// locale and language settings are not the tests'.
fn ws() -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1");
    c
}

fn stdout_of(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn help_lists_every_subcommand() {
    let out = ws()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for sub in ["console", "demo", "check", "stock", "alerts"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(sub)),
            "{sub} missing from:\n{text}"
        );
    }
    assert!(text.contains("--db"));
}

#[test]
fn demo_then_stock_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    ws().args(["demo", "--at", "2026-11-22T12:00:00Z", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("movements").and(predicate::str::contains("PIN 1234")));
    // The database comes from WARDSTOCK_DB too.
    let out = ws()
        .env("WARDSTOCK_DB", &db)
        .args(["stock", "--place", "w-med", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert!(rows.len() > 50);
    for r in &rows {
        assert_eq!(r["place"], "W-MED");
        for field in ["item", "item_name", "lot", "status"] {
            assert!(r[field].is_string(), "{field} in {r}");
        }
        assert!(r["qty"].as_i64().unwrap() > 0);
        let expiry = r["expiry"].as_str().unwrap_or("");
        assert!(
            expiry.is_empty() || chrono::NaiveDate::parse_from_str(expiry, "%Y-%m-%d").is_ok(),
            "{expiry}"
        );
    }
    // The table form shows the same balances.
    ws().arg("--db")
        .arg(&db)
        .args(["stock", "--place", "W-MED"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{} balance(s)",
            rows.len()
        )));
    ws().arg("--db")
        .arg(&db)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok:"));
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["alerts", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let alerts: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert!(alerts.len() > 10);
    assert_eq!(alerts[0]["severity"], "critical", "worst first");
    for a in &alerts {
        for field in ["kind", "severity", "place", "item", "message"] {
            assert!(a[field].is_string(), "{field} in {a}");
        }
        assert!(a["lot"].is_string() || a["lot"].is_null());
    }
    let expired = alerts
        .iter()
        .find(|a| a["kind"] == "expired")
        .expect("an expired lot");
    assert!(
        expired["message"].as_str().unwrap().contains("expired on"),
        "{expired}"
    );
}

#[test]
fn demo_refuses_to_overwrite_without_force() {
    let (_dir, db) = common::demo_db();
    ws().arg("--db")
        .arg(&db)
        .arg("demo")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("already holds data").and(predicate::str::contains("--force")),
        );
    ws().arg("--db")
        .arg(&db)
        .args(["demo", "--seed", "3", "--force", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"movements\""));
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

#[test]
fn demo_never_overwrites_a_file_that_is_not_a_wardstock_database() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "patient handover notes, not a database at all, keep them",
    )
    .unwrap();
    ws().arg("--db")
        .arg(&notes)
        .args(["demo", "--force"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a wardstock database"));
    assert!(
        std::fs::read_to_string(&notes)
            .unwrap()
            .starts_with("patient handover")
    );
}

#[test]
fn check_fails_with_the_problem_named() {
    let (_dir, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE balances SET qty = qty + 2 WHERE (place_id, lot_id) = (SELECT place_id, lot_id FROM balances WHERE qty > 0 LIMIT 1)", []).unwrap();
    drop(conn);
    ws().arg("--db")
        .arg(&db)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ledger sums to"))
        .stderr(predicate::str::contains("problem(s) found"));
}

#[test]
fn bad_paths_and_places_get_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = ws()
        .args(["--db", "/no/such/folder/x.sqlite", "stock"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("wardstock: no database at /no/such/folder/x.sqlite"),
        "{err}"
    );
    // A mistyped path is reported, not created.
    let typo = dir.path().join("wardstok.sqlite");
    ws().arg("--db")
        .arg(&typo)
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no database at"));
    assert!(!typo.exists());
    // A folder is not a database file.
    ws().arg("--db")
        .arg(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot open the database")
                .and(predicate::str::contains("folder")),
        );

    let text = dir.path().join("t.txt");
    std::fs::write(
        &text,
        "hello, this is plain text and certainly not SQLite at all",
    )
    .unwrap();
    ws().arg("--db")
        .arg(&text)
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a wardstock database"));

    let (_d2, db) = common::demo_db();
    ws().arg("--db")
        .arg(&db)
        .args(["stock", "--place", "W-XYZ"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no place with code \"W-XYZ\"; known places: PHARM",
        ));
}

#[test]
fn gs1_decode_prints_fields_and_refuses_bad_data_with_exit_code_2() {
    let out = ws()
        .args([
            "gs1",
            "decode",
            "--json",
            "]d2010950600013435217280200\u{1d}10LOT-7\u{1d}21S99",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["gtin"], "09506000134352");
    assert_eq!(v["expiry"], "2028-02-29");
    assert_eq!(v["lot"], "LOT-7");
    assert_eq!(v["serial"], "S99");
    assert!(v["production_date"].is_null() && v["best_before"].is_null() && v["count"].is_null());
    assert_eq!(v["elements"].as_array().unwrap().len(), 4);
    ws().args([
        "gs1",
        "decode",
        "--separator",
        "~",
        "0109506000134352171712001012~21X",
    ])
    .assert()
    .success()
    .stdout(
        predicate::str::contains("2017-12-31")
            .and(predicate::str::is_match("lot +12\n").unwrap())
            .and(predicate::str::is_match("serial +X\n").unwrap()),
    );
    ws().args(["gs1", "decode", "(01)09506000134353(10)A"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("at position 5")
                .and(predicate::str::contains("check digit 3, expected 2")),
        );
}

#[test]
fn stock_operations_from_the_command_line_are_attributed_and_refused_clearly() {
    let (_dir, db) = common::demo_db();
    let run = |args: &[&str]| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(args);
        c
    };
    // Levels from use: every item of the ward gets a safety stock and a maximum.
    let out = run(&[
        "levels",
        "--user",
        "manager",
        "--place",
        "W-MED",
        "--from-use",
        "--apply",
        "--json",
    ])
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let levels: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert!(levels.len() > 30);
    assert!(
        levels
            .iter()
            .all(|l| l["max_stock"].as_i64() >= l["safety_stock"].as_i64())
    );
    run(&[
        "levels", "--user", "nurse", "--place", "W-MED", "--item", "PARA500T", "--safety", "1",
        "--max", "2",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("may not set safety stock"));
    // A transfer from request to the ward, by scan.
    let out = run(&[
        "transfer",
        "new",
        "--user",
        "manager",
        "--to",
        "W-MED",
        "--line",
        "PARA500T:20",
        "--json",
    ])
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let order: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let id = order["id"].as_i64().unwrap().to_string();
    let lot = order["lines"][0]["suggestions"][0]["lot_number"]
        .as_str()
        .unwrap()
        .to_string();
    run(&["transfer", "show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("pick lot {lot}")));
    // A pack whose printed expiry is not its lot's recorded one is refused,
    // at picking and at receiving, with both dates.
    let recorded = order["lines"][0]["suggestions"][0]["expiry"]
        .as_str()
        .unwrap()
        .to_string();
    let odd = format!("(01)04031847000072(17)300101(10){lot}");
    let said = |refused: &str| {
        predicate::str::contains("the pack says 2030-01-01")
            .and(predicate::str::contains(format!("lot {lot}")))
            .and(predicate::str::contains(format!("recorded as {recorded}")))
            .and(predicate::str::contains(refused))
    };
    run(&["transfer", "pick", &id, "--user", "store", "--scan", &odd])
        .assert()
        .code(1)
        .stderr(said("a different expiry is a different lot"));
    run(&["receive", "--user", "store", "--scan", &odd, "--qty", "10"])
        .assert()
        .code(1)
        .stderr(said("a different expiry is a different lot"));
    run(&[
        "transfer",
        "pick",
        &id,
        "--user",
        "store",
        "--scan",
        &format!("(01)04031847000072(10){lot}"),
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("picked 20 tablet"));
    run(&["transfer", "dispatch", &id, "--user", "store"])
        .assert()
        .success();
    run(&["transfer", "receive", &id, "--user", "store"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("may not confirm a delivery"));
    run(&["transfer", "receive", &id, "--user", "nurse"])
        .assert()
        .success()
        .stdout(predicate::str::contains("20 units"));
    // A wrong PIN counts towards the lock and nothing is written.
    ws().arg("--db")
        .arg(&db)
        .env("WARDSTOCK_PIN", "0000")
        .args([
            "issue", "--user", "nurse", "--place", "W-MED", "--item", "PARA500T", "--qty", "1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "wrong PIN for nurse: 4 attempt(s) left",
        ));
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

#[test]
fn a_prescription_is_entered_validated_with_its_findings_and_changed() {
    let (_dir, db) = common::demo_db();
    let run = |args: &[&str]| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(args);
        c
    };
    let out = run(&[
        "prescribe",
        "--user",
        "manager",
        "--mrn",
        "MRN100001",
        "--item",
        "PARA500T",
        "--dose",
        "1500",
        "--frequency",
        "qid",
        "--days",
        "3",
        "--route",
        "PO",
        "--indication",
        "pain",
        "--prescriber",
        "Dr. A. Conti",
        "--json",
    ])
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let rx_id = serde_json::from_slice::<serde_json::Value>(&out).unwrap()["id"]
        .as_i64()
        .unwrap();
    let id = rx_id.to_string();
    let out = run(&["validate", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let queue: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    let entry = queue
        .iter()
        .find(|e| e["id"] == rx_id)
        .expect("in the queue");
    assert_eq!(
        entry["findings"][0]["finding"], "dose_above_maximum",
        "{entry}"
    );
    // Ordered by how long each has waited, longest first, and it shows.
    let waited: Vec<i64> = queue
        .iter()
        .map(|e| e["waited_minutes"].as_i64().expect("waited_minutes"))
        .collect();
    assert!(waited.windows(2).all(|w| w[0] >= w[1]), "{waited:?}");
    run(&["validate", "accept", &id, "--user", "pharm"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("accept it only with a comment"));
    run(&[
        "validate",
        "accept",
        &id,
        "--user",
        "pharm",
        "--comment",
        "short course, liver function normal",
    ])
    .assert()
    .success();
    run(&[
        "rx",
        "edit",
        &id,
        "--user",
        "manager",
        "--dose",
        "1000",
        "--reason",
        "back to the usual dose",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("awaits validation"));
    run(&["rx", "stop", &id, "--user", "manager", "--reason", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("replaced by a newer version"));
}

#[test]
fn the_administration_schedule_from_the_command_line() {
    let (_dir, db) = common::demo_db();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args([
            "mar",
            "--ward",
            "W-MED",
            "--from",
            "2026-11-21T12:00:00Z",
            "--to",
            "2026-11-22T12:00:00Z",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let doses = v["doses"].as_array().unwrap();
    assert!(doses.len() > 20);
    // A day ago, in the past: every dose is recorded or missed, never due.
    assert!(
        doses
            .iter()
            .all(|d| d["status"] == "recorded" || d["status"] == "missed"),
        "{doses:?}"
    );
    assert!(
        doses
            .iter()
            .any(|d| d["status"] == "recorded" && d["outcome"] == "given")
    );
    ws().arg("--db")
        .arg(&db)
        .args([
            "mar",
            "--ward",
            "W-MED",
            "--from",
            "2026-11-22T12:00:00Z",
            "--to",
            "2026-11-21T12:00:00Z",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--to must come after --from"));
}

#[test]
fn a_dose_is_recorded_from_the_command_line_with_the_wristband_and_pack_scans() {
    let (_dir, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (rx, mrn, gtin, lot): (i64, String, String, String) = conn
        .query_row(
            "SELECT r.id, p.mrn, g.gtin, l.lot_number FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
             JOIN item_gtins g ON g.item_id = i.id JOIN balances b ON b.item_id = i.id AND b.place_id = p.ward_id JOIN lots l ON l.id = b.lot_id
             WHERE r.status = 'active' AND r.frequency <> 'prn' AND i.controlled = 0 AND i.high_alert = 0 AND b.status = 'ok'
               AND b.expiry > '2027-01-01' AND b.qty >= 10 AND r.dose_milli % i.strength_milli = 0
               AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
             ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let ward: i64 = conn
        .query_row(
            "SELECT p.ward_id FROM prescriptions r JOIN patients p ON p.id = r.patient_id WHERE r.id = ?1",
            [rx],
            |r| r.get(0),
        )
        .unwrap();
    // The scheduled dose nearest to now; given outside its window, with a reason code.
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
    // A pack of another drug, for the wrong-drug refusal.
    let other_gtin: String = conn
        .query_row(
            "SELECT g.gtin FROM item_gtins g WHERE g.item_id <> (SELECT item_id FROM prescriptions WHERE id = ?1) ORDER BY g.gtin LIMIT 1",
            [rx],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    // In Chinese, the wrong patient names the wristband and the prescription's
    // patient; the wrong drug names what was scanned and what is prescribed.
    ws().arg("--db")
        .arg(&db)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "--lang",
            "zh-CN",
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
        ])
        .args(["--at", &at, "--wristband", "MRN999999", "--route-confirmed"])
        .args(["--scan", &format!("(01){other_gtin}(10){lot}")])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(format!(
                "患者身份不符：腕带为 MRN999999，医嘱患者为 {mrn}（"
            ))
            .and(predicate::str::contains("请停止给药"))
            .and(predicate::str::contains("药品不符：扫描的是 "))
            .and(predicate::str::contains("请勿给药")),
        );
    let run = |wristband: &str| {
        let mut c = ws();
        c.arg("--db").arg(&db).env("WARDSTOCK_PIN", "1234").args([
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
            "--at",
            &at,
            "--wristband",
            wristband,
            "--scan",
            &format!("(01){gtin}(10){lot}"),
            "--route-confirmed",
            "--timing-reason",
            "emergency",
        ]);
        c
    };
    run("MRN999999")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong patient"));
    // The pack's own label: expired, or not the lot's recorded expiry.
    let scan_label = |label: &str| {
        let mut c = ws();
        c.arg("--db").arg(&db).env("WARDSTOCK_PIN", "1234").args([
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
            "--at",
            &at,
            "--wristband",
            &mrn,
            "--scan",
            &format!("(01){gtin}(17){label}(10){lot}"),
            "--route-confirmed",
            "--timing-reason",
            "emergency",
        ]);
        c
    };
    scan_label("240101")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expired on 2024-01-01"));
    scan_label("300101")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("its label says expiry 2030-01-01"));
    run(&mrn).assert().success().stdout(
        predicate::str::contains("recorded: given")
            .and(predicate::str::contains(format!("lot {lot}"))),
    );
    run(&mrn)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already recorded"));
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

#[test]
fn a_patient_record_lists_doses_with_their_lots() {
    let (_dir, db) = common::demo_db();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["patient", "MRN100001", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let p: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(p["mrn"], "MRN100001");
    let doses = p["doses"].as_array().unwrap();
    assert!(!doses.is_empty());
    assert!(
        doses
            .iter()
            .filter(|d| d["outcome"] == "given")
            .all(|d| d["lot"].is_string() && d["qty"].as_i64() > Some(0))
    );
    ws().arg("--db")
        .arg(&db)
        .args(["patient", "MRN000000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no patient with MRN"));
}

#[test]
fn mrp_plan_and_simulate_from_the_command_line() {
    // A problem file: the plan as JSON; a typo names the field, exit 2.
    let out = ws()
        .args([
            "mrp",
            "--input",
            "tests/fixtures/mrp/issue_example.json",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let p: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        p["planned_orders"].is_array() && p["records"].is_array() && p["exceptions"].is_array()
    );
    ws().args(["mrp", "--input", "tests/fixtures/mrp/typo_in_policy.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("saftey_stock"));
    // The hospital's plan from the database.
    let (_dir, db) = common::demo_db();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["plan", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let p: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let orders = p["planned_orders"].as_array().unwrap();
    assert!(!orders.is_empty());
    assert!(orders.iter().all(|o| o["qty"].as_u64() > Some(0)));
    // A ward's own scenario, simulated.
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args([
            "simulate",
            "--from-db",
            "--ward",
            "W-SUR",
            "--replications",
            "2",
            "--days",
            "30",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["replications"], 2);
    assert!(r["as_is"]["total"]["cost"]["total"]["mean"].as_f64() > Some(0.0));
    assert!(r["to_be"]["total"]["fill_rate"]["mean"].as_f64() > Some(0.5));
    ws().arg("--db")
        .arg(&db)
        .args(["simulate", "--from-db", "--ward", "PHARM"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a ward"));
}

#[test]
fn the_command_line_speaks_chinese_when_asked() {
    let (_dir, db) = common::demo_db();
    let zh = |args: &[&str]| {
        let mut c = ws();
        c.arg("--db").arg(&db).args(["--lang", "zh-CN"]).args(args);
        c
    };
    let stock = stdout_of(&mut zh(&["stock", "--place", "W-MED"]));
    assert!(stock.contains("批号") && stock.contains("效期"), "{stock}");
    assert!(stock.contains("条结存"), "{stock}");
    assert!(!stock.contains("balance(s)"), "{stock}");

    let alerts = stdout_of(&mut zh(&["alerts"]));
    assert!(
        alerts.contains("级别") && alerts.contains("条预警"),
        "{alerts}"
    );

    let mar = stdout_of(&mut zh(&[
        "mar",
        "--ward",
        "W-MED",
        "--from",
        "2026-11-22T00:00:00Z",
        "--to",
        "2026-11-23T00:00:00Z",
    ]));
    assert!(mar.contains("次给药"), "{mar}");
    // Dates as Chinese readers write them: 11-22 08:00, not 22 Nov 08:00.
    assert!(mar.contains("11-22 "), "{mar}");
    assert!(!mar.contains(" Nov "), "{mar}");

    let plan = stdout_of(&mut zh(&["plan", "--buckets", "7"]));
    assert!(plan.starts_with("补货计划"), "{plan}");
    assert!(!plan.contains("时段"), "{plan}");
    assert!(
        plan.contains("计划订单") && plan.contains("毛需求"),
        "{plan}"
    );

    // Nothing awaits validation for the pharmacy itself.
    let validate = stdout_of(&mut zh(&["validate", "list", "--ward", "PHARM"]));
    assert_eq!(validate.trim(), "没有待药师审核的处方");
    let patient = stdout_of(&mut zh(&["patient", "MRN100001"]));
    assert!(
        patient.contains("过敏：") && patient.contains("处方：") && patient.contains("给药记录"),
        "{patient}"
    );

    let check = stdout_of(&mut zh(&["check"]));
    assert!(check.starts_with("正常："), "{check}");

    // The environment asks as --lang does.
    let stock_env = stdout_of(
        ws().arg("--db")
            .arg(&db)
            .env("WARDSTOCK_LANG", "zh-CN")
            .args(["stock", "--place", "W-MED"]),
    );
    assert_eq!(stock_env, stock);
    // --lang wins over the environment.
    let stock_en = stdout_of(
        ws().arg("--db")
            .arg(&db)
            .env("WARDSTOCK_LANG", "zh-CN")
            .args(["--lang", "en", "stock", "--place", "W-MED"]),
    );
    assert!(stock_en.contains("balance(s)"), "{stock_en}");

    // An operation refuses in Chinese: a nurse may not receive goods.
    ws().arg("--db")
        .arg(&db)
        .env("WARDSTOCK_LANG", "zh-CN")
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "receive",
            "--user",
            "nurse",
            "--item",
            "PARA500T",
            "--lot",
            "X",
            "--expiry",
            "2030-01-01",
            "--qty",
            "1",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("wardstock: ").and(predicate::str::contains("无权")));
    // The command line's own errors too.
    zh(&["stock", "--place", "NOWHERE"])
        .assert()
        .failure()
        .stderr(predicate::str::starts_with(
            "wardstock: 没有编码为“NOWHERE”的地点",
        ));
    // JSON stays machine-readable: the same keys and values in every language.
    let json_zh = stdout_of(&mut zh(&["stock", "--place", "W-MED", "--json"]));
    let json_en = stdout_of(
        ws().arg("--db")
            .arg(&db)
            .args(["stock", "--place", "W-MED", "--json"]),
    );
    assert_eq!(json_zh, json_en);
}

#[test]
fn an_unknown_language_is_refused_naming_the_languages_there_are() {
    let (_dir, db) = common::demo_db();
    ws().arg("--db")
        .arg(&db)
        .args(["--lang", "fr", "stock"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("\"fr\"")
                .and(predicate::str::contains("en"))
                .and(predicate::str::contains("zh-CN")),
        );
    ws().arg("--db")
        .arg(&db)
        .env("WARDSTOCK_LANG", "klingon")
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use en or zh-CN"));
}

#[test]
fn a_user_reads_their_own_language_unless_another_is_asked_for() {
    let (_dir, db) = common::demo_db();
    let run = |args: &[&str]| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(args);
        c
    };
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout_of(&mut run(&[
        "stock", "--place", "W-MED", "--json",
    ])))
    .unwrap();
    let item = rows
        .iter()
        .find(|r| r["status"] == "ok" && r["qty"].as_i64() > Some(10))
        .and_then(|r| r["item"].as_str())
        .unwrap()
        .to_string();
    let issue = ["issue", "--user", "nurse", "--place", "W-MED", "--qty", "1"];

    // The nurse chooses Chinese; she is answered in it at once.
    let set = stdout_of(&mut run(&["user", "language", "--user", "nurse", "zh-CN"]));
    assert!(set.contains("简体中文"), "{set}");
    // Her next command speaks Chinese, though nothing asked for it.
    let out = stdout_of(run(&issue).args(["--item", &item]));
    assert!(out.starts_with("已从 W-MED 领用"), "{out}");
    // Another user still reads the system's language.
    let out = stdout_of(
        run(&[
            "issue", "--user", "nurse2", "--place", "W-MED", "--qty", "1",
        ])
        .args(["--item", &item]),
    );
    assert!(out.starts_with("issued 1 "), "{out}");
    // An explicit language wins over her own setting.
    let out = stdout_of(
        run(&issue)
            .env("WARDSTOCK_LANG", "en")
            .args(["--item", &item]),
    );
    assert!(out.starts_with("issued 1 "), "{out}");
    let out = stdout_of(run(&issue).args(["--lang", "en", "--item", &item]));
    assert!(out.starts_with("issued 1 "), "{out}");
    // So do the command line's errors once she is signed in.
    run(&issue)
        .args(["--scan", "(01)12345"])
        .assert()
        .failure()
        .stderr(predicate::str::starts_with(
            "wardstock: 扫描内容不是有效的 GS1 数据",
        ));
    // Back to the system's language.
    let set = stdout_of(&mut run(&["user", "language", "--user", "nurse", "system"]));
    assert!(set.contains("system"), "{set}");
    let out = stdout_of(run(&issue).args(["--item", &item]));
    assert!(out.starts_with("issued 1 "), "{out}");
    // A language the product does not speak is refused before anything changes.
    run(&["user", "language", "--user", "nurse", "fr"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("zh-CN"));
}

#[test]
fn an_expired_delivery_is_refused_at_receipt_and_the_words_say_to_reject_it() {
    let (_dir, db) = common::demo_db();
    let receive = |lang: &str| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(["--lang", lang])
            .args([
                "receive",
                "--user",
                "store",
                "--item",
                "PARA500T",
                "--lot",
                "OLD1",
                "--expiry",
                "2020-01-01",
                "--qty",
                "10",
            ]);
        c
    };
    receive("zh-CN").assert().code(1).stderr(
        predicate::str::contains("不得入库，请拒收")
            .and(predicate::str::contains("--reject"))
            .and(predicate::str::contains("报损").not()),
    );
    receive("en").assert().code(1).stderr(
        predicate::str::contains("refuse the delivery (reject the receipt)")
            .and(predicate::str::contains(
                "wardstock receive … --reject REASON",
            ))
            .and(predicate::str::contains("dispose").not()),
    );
    // Rejecting it records the refusal; nothing enters stock.
    let out = stdout_of(receive("zh-CN").args(["--reject", "过期"]));
    assert!(out.starts_with("已拒收"), "{out}");
    ws().arg("--db").arg(&db).arg("check").assert().success();
}

/// Every line of a table printed with borders is as wide as the others:
/// a long drug name widens its column, it never pushes the rest out of line.
fn aligned(out: &str) -> bool {
    let mut tables: Vec<std::collections::BTreeSet<usize>> = Vec::new();
    for l in out.lines() {
        if l.starts_with('┌') {
            tables.push(Default::default());
        }
        if l.starts_with(['│', '┌', '└', '╞'])
            && let Some(t) = tables.last_mut()
        {
            t.insert(wardstock::i18n::width(l));
        }
    }
    !tables.is_empty() && tables.iter().all(|t| t.len() == 1)
}

#[test]
fn the_schedule_and_the_validation_queue_print_headers_and_routes_in_words() {
    let (_dir, db) = common::demo_db();
    let run = |lang: &str, args: &[&str]| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(["--lang", lang])
            .args(args);
        c
    };
    let mar = [
        "mar",
        "--ward",
        "W-MED",
        "--from",
        "2026-11-22T00:00:00Z",
        "--to",
        "2026-11-23T00:00:00Z",
    ];
    let zh = stdout_of(&mut run("zh-CN", &mar));
    for header in [
        "时间",
        "状态",
        "床号",
        "患者",
        "药品",
        "剂量",
        "给药途径",
        "标识",
    ] {
        assert!(zh.contains(header), "{header} missing:\n{zh}");
    }
    // Routes and flags in words; no English route or flag code in a cell.
    assert!(zh.contains("口服") && zh.contains("静脉"), "{zh}");
    assert!(!zh.contains("│ PO ") && !zh.contains(" PO  "), "{zh}");
    assert!(!zh.contains(" IV infusion "), "{zh}");
    assert!(zh.contains("限时") || zh.contains("高警"), "{zh}");
    assert!(aligned(&zh), "{zh}");
    let en = stdout_of(&mut run("en", &mar));
    for header in [
        "Time", "Status", "Bed", "Patient", "Drug", "Dose", "Route", "Flags",
    ] {
        assert!(en.contains(header), "{header} missing:\n{en}");
    }
    assert!(en.contains(" PO ") && aligned(&en), "{en}");

    // A prescription with a finding awaits validation.
    run(
        "en",
        &[
            "prescribe",
            "--user",
            "manager",
            "--mrn",
            "MRN100001",
            "--item",
            "PARA500T",
            "--dose",
            "1500",
            "--frequency",
            "qid",
            "--days",
            "3",
            "--route",
            "PO",
            "--indication",
            "pain",
            "--prescriber",
            "Dr. A. Conti",
        ],
    )
    .assert()
    .success();
    let zh = stdout_of(&mut run("zh-CN", &["validate", "list", "--ward", "W-MED"]));
    for header in [
        "处方",
        "病区",
        "患者",
        "病历号",
        "药品",
        "给药途径",
        "频次",
        "审方提示",
        "已等待",
    ] {
        assert!(zh.contains(header), "{header} missing:\n{zh}");
    }
    assert!(zh.contains("最大日剂量") && zh.contains("口服"), "{zh}");
    assert!(aligned(&zh), "{zh}");
    let en = stdout_of(&mut run("en", &["validate", "list", "--ward", "W-MED"]));
    for header in [
        "Rx", "Waited", "Ward", "Patient", "MRN", "Drug", "Route", "Findings",
    ] {
        assert!(en.contains(header), "{header} missing:\n{en}");
    }
    assert!(en.contains("maximum daily dose") && aligned(&en), "{en}");
}

#[test]
fn every_list_of_the_command_line_has_headers_in_both_languages() {
    let (_dir, db) = common::demo_db();
    let run = |lang: &str, args: &[&str]| {
        let mut c = ws();
        c.arg("--db")
            .arg(&db)
            .env("WARDSTOCK_PIN", "1234")
            .args(["--lang", lang])
            .args(args);
        c
    };
    run(
        "en",
        &[
            "transfer",
            "new",
            "--user",
            "manager",
            "--to",
            "W-MED",
            "--line",
            "PARA500T:20",
        ],
    )
    .assert()
    .success();
    let lists: [(&[&str], &str, &str); 8] = [
        (&["stock", "--place", "W-MED"], "lot", "批号"),
        (&["alerts"], "severity", "级别"),
        (&["transfer", "list"], "Status", "收货方"),
        (&["po", "list"], "Supplier", "供应商"),
        (&["po", "suppliers"], "Lead days", "交货期"),
        (&["ward", "reasons", "--ward", "W-MED"], "Reason", "原因"),
        (&["patient", "MRN100001"], "Route", "给药途径"),
        (&["ward", "times", "--ward", "W-MED"], "Frequency", "频次"),
    ];
    for (args, en_header, zh_header) in lists {
        let en = stdout_of(&mut run("en", args));
        assert!(en.contains(en_header) && aligned(&en), "{args:?}:\n{en}");
        let zh = stdout_of(&mut run("zh-CN", args));
        assert!(zh.contains(zh_header) && aligned(&zh), "{args:?}:\n{zh}");
    }
}

#[test]
fn the_schedule_shows_a_dose_due_until_its_window_closes() {
    let (_dir, db) = common::demo_db();
    let before = chrono::Utc::now();
    let out = ws()
        .arg("--db")
        .arg(&db)
        .args(["mar", "--ward", "W-MED", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let after = chrono::Utc::now();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for d in v["doses"].as_array().unwrap() {
        if d["recorded"] == true {
            continue;
        }
        let at: chrono::DateTime<chrono::Utc> = d["at"].as_str().unwrap().parse().unwrap();
        let w = chrono::Duration::minutes(d["window_minutes"].as_i64().unwrap());
        // Strictly inside the window for the whole run: due, never late.
        if at - w < before && after < at + w {
            assert_eq!(d["status"], "due", "{d}");
        }
        if after < at + w {
            assert_ne!(d["status"], "late", "{d}");
            assert_ne!(d["status"], "missed", "{d}");
        }
    }
}
