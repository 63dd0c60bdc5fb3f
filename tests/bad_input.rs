//! Bad input on the command line: each is refused with one line in the
//! reader's language, a non-zero exit, and nothing written.

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

/// The binary, in English unless a test asks otherwise.
fn ws() -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_USER")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .env("WARDSTOCK_PIN", "1234")
        .timeout(Duration::from_secs(60));
    c
}

fn on(db: &Path, args: &[&str]) -> Command {
    let mut c = ws();
    c.arg("--db").arg(db).args(args);
    c
}

/// Runs a command that must be refused: exit `code`, nothing on stdout,
/// one line on stderr (returned).
fn refused(mut c: Command, code: i32) -> String {
    let out = c.assert().code(code).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("wardstock: "), "{err}");
    assert!(!err.contains("Error code"), "SQLite's own text: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// What the ledger and the records the tests touch hold: equal before and
/// after a refusal means nothing was written.
fn state(db: &Path) -> Vec<i64> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    [
        "SELECT count(*) FROM movements",
        "SELECT COALESCE(sum(qty), 0) FROM balances",
        "SELECT count(*) FROM stocktake_lines WHERE counted IS NOT NULL",
        "SELECT COALESCE(sum(safety_stock + max_stock), 0) FROM stock_policies",
        "SELECT count(*) FROM prescriptions",
        "SELECT count(*) FROM missed_doses",
        "SELECT count(*) FROM reference_history",
    ]
    .iter()
    .map(|q| conn.query_row(q, [], |r| r.get(0)).unwrap())
    .collect()
}

fn check_passes(db: &Path) {
    on(db, &["check"]).assert().success();
}

/// A lot held on the medical ward, and a stocktake of its item started.
fn stocktake_started(db: &Path) -> (String, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let (item, lot): (String, String) = conn
        .query_row(
            "SELECT i.code, l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
             JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'W-MED' AND b.qty > 0 AND i.controlled = 0 AND l.status = 'ok'
             ORDER BY i.code, l.lot_number LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    let out = on(
        db,
        &[
            "stocktake",
            "start",
            "--user",
            "manager",
            "--place",
            "W-MED",
            "--filter",
            &item,
            "--json",
        ],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    (v["id"].to_string(), item, lot)
}

#[test]
fn a_count_beyond_the_receipts_bound_is_refused_and_check_stays_sound() {
    let (_dir, db) = common::demo_db();
    let (id, item, lot) = stocktake_started(&db);
    let before = state(&db);
    for qty in ["9223372036854775807", "100000001"] {
        let err = refused(
            on(
                &db,
                &[
                    "stocktake",
                    "count",
                    &id,
                    "--user",
                    "manager",
                    "--item",
                    &item,
                    "--lot",
                    &lot,
                    "--qty",
                    qty,
                ],
            ),
            1,
        );
        assert!(err.contains("100,000,000"), "{err}");
    }
    assert_eq!(state(&db), before);
    // The largest count allowed is counted.
    on(
        &db,
        &[
            "stocktake",
            "count",
            &id,
            "--user",
            "manager",
            "--item",
            &item,
            "--lot",
            &lot,
            "--qty",
            "100000000",
        ],
    )
    .assert()
    .success();
    check_passes(&db);
}

#[test]
fn levels_beyond_the_bound_are_refused_and_planning_still_works() {
    let (_dir, db) = common::demo_db();
    let before = state(&db);
    for (safety, max) in [
        ("9223372036854775807", "9223372036854775807"),
        ("1", "100000001"),
        ("100000001", "100000001"),
    ] {
        let err = refused(
            on(
                &db,
                &[
                    "levels", "--user", "manager", "--place", "W-MED", "--item", "PARA500T",
                    "--safety", safety, "--max", max,
                ],
            ),
            1,
        );
        assert!(err.contains("100,000,000"), "{err}");
    }
    // Days of cover and windows are bounded too.
    for (s, m, w) in [("1", "999999999", "30"), ("1", "2", "9223372036854775807")] {
        refused(
            on(
                &db,
                &[
                    "levels",
                    "--user",
                    "manager",
                    "--place",
                    "W-MED",
                    "--from-use",
                    "--safety-days",
                    s,
                    "--max-days",
                    m,
                    "--window-days",
                    w,
                ],
            ),
            1,
        );
    }
    assert_eq!(state(&db), before);
    // The largest levels allowed are set, and the whole database still plans.
    on(
        &db,
        &[
            "levels",
            "--user",
            "manager",
            "--place",
            "W-MED",
            "--item",
            "PARA500T",
            "--safety",
            "100000000",
            "--max",
            "100000000",
        ],
    )
    .assert()
    .success();
    on(&db, &["plan", "--json"]).assert().success();
    check_passes(&db);
}

const RX: &[&str] = &[
    "prescribe",
    "--user",
    "manager",
    "--mrn",
    "MRN100001",
    "--item",
    "PARA500T",
    "--route",
    "PO",
    "--indication",
    "pain",
    "--prescriber",
    "Dr. A. Conti",
];

fn prescribe(db: &Path, more: &[&str]) -> Command {
    let mut args = RX.to_vec();
    args.extend_from_slice(more);
    on(db, &args)
}

#[test]
fn a_prescription_of_absurd_length_dose_or_prn_limit_is_refused_without_a_panic() {
    let (_dir, db) = common::demo_db();
    let before = state(&db);
    let err = refused(
        prescribe(
            &db,
            &["--dose", "1000", "--frequency", "qid", "--days", "95005447"],
        ),
        1,
    );
    assert!(err.contains("--days"), "{err}");
    refused(
        prescribe(
            &db,
            &[
                "--dose",
                "1000",
                "--frequency",
                "qid",
                "--days",
                "9223372036854775807",
            ],
        ),
        1,
    );
    let err = refused(
        prescribe(
            &db,
            &[
                "--dose",
                "500",
                "--frequency",
                "prn",
                "--prn-max",
                "9223372036854775807",
            ],
        ),
        1,
    );
    assert!(err.contains("at most 48"), "{err}");
    let err = refused(
        prescribe(&db, &["--dose", "99999999999", "--frequency", "qid"]),
        1,
    );
    assert!(err.contains("dose"), "{err}");
    refused(
        prescribe(
            &db,
            &[
                "--dose",
                "500",
                "--frequency",
                "prn",
                "--prn-max",
                "4",
                "--prn-interval",
                "9223372036854775807h",
            ],
        ),
        1,
    );
    assert_eq!(state(&db), before);
    // In the reader's language.
    let err = refused(
        prescribe(
            &db,
            &[
                "--lang",
                "zh-CN",
                "--dose",
                "1000",
                "--frequency",
                "qid",
                "--days",
                "95005447",
            ],
        ),
        1,
    );
    assert!(err.contains("须在"), "{err}");
}

#[test]
fn a_schedule_of_a_century_is_refused_at_once() {
    let (_dir, db) = common::demo_db();
    let before = state(&db);
    let err = refused(
        on(
            &db,
            &[
                "mar",
                "--ward",
                "W-MED",
                "--from",
                "1900-01-01T00:00:00Z",
                "--to",
                "9999-12-31T00:00:00Z",
            ],
        ),
        1,
    );
    assert!(err.contains("31 days"), "{err}");
    let err = refused(
        on(
            &db,
            &[
                "--lang",
                "zh-CN",
                "mar",
                "--ward",
                "W-MED",
                "--from",
                "2026-01-01T00:00:00Z",
                "--to",
                "2026-03-01T00:00:00Z",
            ],
        ),
        1,
    );
    assert!(err.contains("31 天"), "{err}");
    assert_eq!(state(&db), before);
}

fn problem_file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn eoq_problem(order_cost: &str, holding_cost: &str) -> String {
    format!(
        r#"{{ "start": "2026-03-02", "buckets": 14, "pharmacy": "PHARM",
  "items":  [ {{"code": "AMOX500", "pack_size": 10, "supplier_lead_buckets": 2}} ],
  "places": [ {{"code": "PHARM"}}, {{"code": "W1", "transport_buckets": 1}} ],
  "policies": [ {{"place": "W1", "item": "AMOX500",
                 "lot_sizing": {{"rule": "eoq", "order_cost": {order_cost}, "holding_cost": {holding_cost}}}}} ],
  "requirements": [ {{"place": "W1", "item": "AMOX500", "bucket": 0, "qty": 15}} ] }}"#
    )
}

#[test]
fn a_problem_file_nested_or_with_absurd_costs_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let deep = problem_file(dir.path(), "deep.json", &"[".repeat(70_000));
    let mut c = ws();
    c.arg("mrp").arg("--input").arg(&deep);
    refused(c, 2);
    for (s, h, field) in [
        ("1e16", "1", "order_cost"),
        ("1", "1e-16", "holding_cost"),
        ("1e300", "1", "order_cost"),
        ("1", "1e-300", "holding_cost"),
    ] {
        let p = problem_file(dir.path(), "eoq.json", &eoq_problem(s, h));
        let mut c = ws();
        c.arg("mrp")
            .arg("--input")
            .arg(&p)
            .timeout(Duration::from_secs(20));
        let err = refused(c, 2);
        assert!(
            err.contains(&format!("policies[0].lot_sizing.{field}")),
            "{err}"
        );
    }
    // Costs within the bounds plan whole packs, never u64::MAX.
    let p = problem_file(dir.path(), "eoq.json", &eoq_problem("1e7", "1e-4"));
    let out = ws()
        .arg("mrp")
        .arg("--input")
        .arg(&p)
        .arg("--json")
        .timeout(Duration::from_secs(20))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let text = plan.to_string();
    assert!(!text.contains("18446744073709551615"), "{text}");
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The bytes of the file and the names beside it.
#[cfg(unix)]
fn snapshot(folder: &Path, db: &Path) -> (Vec<u8>, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (std::fs::read(db).unwrap(), names)
}

#[cfg(unix)]
fn read_only_is_read_and_never_written(db: &Path, folder: &Path) {
    let before = snapshot(folder, db);
    on(db, &["check"]).assert().success();
    on(db, &["stock", "--place", "W-MED", "--json"])
        .assert()
        .success();
    on(db, &["alerts", "--json"]).assert().success();
    on(db, &["mar", "--ward", "W-MED", "--json"])
        .assert()
        .success();
    let err = refused(
        on(
            db,
            &[
                "issue", "--user", "nurse", "--place", "W-MED", "--item", "PARA500T", "--qty", "1",
            ],
        ),
        1,
    );
    assert!(err.contains("read-only: nothing was written"), "{err}");
    // With --json the refusal is JSON, of its own kind.
    let out = on(
        db,
        &[
            "issue", "--user", "nurse", "--place", "W-MED", "--item", "PARA500T", "--qty", "1",
            "--json",
        ],
    )
    .assert()
    .code(1)
    .get_output()
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "read_only", "{v}");
    assert_eq!(snapshot(folder, db), before);
}

#[cfg(unix)]
#[test]
fn a_read_only_database_file_is_read_and_never_written() {
    let (dir, db) = common::demo_db();
    set_mode(&db, 0o444);
    read_only_is_read_and_never_written(&db, dir.path());
    set_mode(&db, 0o644);
}

#[cfg(unix)]
#[test]
fn a_database_in_a_read_only_folder_is_read_and_never_written() {
    let (dir, db) = common::demo_db();
    set_mode(dir.path(), 0o555);
    read_only_is_read_and_never_written(&db, dir.path());
    set_mode(dir.path(), 0o755);
}

#[cfg(unix)]
#[test]
fn an_old_read_only_database_must_be_upgraded_by_someone_who_may_write_it() {
    let (dir, db) = common::demo_db();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "user_version", v - 1).unwrap();
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
    }
    set_mode(&db, 0o444);
    let before = snapshot(dir.path(), &db);
    let err = refused(on(&db, &["check"]), 1);
    assert!(
        err.contains("upgraded by someone who may write it"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path(), &db), before);
    set_mode(&db, 0o644);
}

#[test]
fn every_json_command_refuses_in_json() {
    let (_dir, db) = common::demo_db();
    let out = prescribe(
        &db,
        &[
            "--dose",
            "1500",
            "--frequency",
            "qid",
            "--days",
            "3",
            "--json",
        ],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let id = serde_json::from_slice::<serde_json::Value>(&out).unwrap()["id"].to_string();
    let json_refusal = |mut c: Command, code: i32| -> serde_json::Value {
        let out = c.assert().code(code).get_output().clone();
        // The same refusal, for the person at the terminal, on one line.
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("wardstock: "), "{err}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
        assert_eq!(
            err.trim_end().strip_prefix("wardstock: "),
            v["error"].as_str(),
            "{err}"
        );
        assert!(v["kind"].is_string(), "{v}");
        v
    };
    let before = state(&db);
    // A refusal of the operation.
    let v = json_refusal(
        on(
            &db,
            &["validate", "accept", &id, "--user", "pharm", "--json"],
        ),
        1,
    );
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("accept it only with a comment"),
        "{v}"
    );
    // A bad quantity, a bad range, bad arguments, a missing database.
    let v = json_refusal(
        on(
            &db,
            &[
                "levels",
                "--user",
                "manager",
                "--place",
                "W-MED",
                "--item",
                "PARA500T",
                "--safety",
                "1",
                "--max",
                "100000001",
                "--json",
            ],
        ),
        1,
    );
    assert_eq!(v["kind"], "refused", "{v}");
    json_refusal(
        on(
            &db,
            &[
                "mar",
                "--ward",
                "W-MED",
                "--from",
                "1900-01-01T00:00:00Z",
                "--to",
                "9999-12-31T00:00:00Z",
                "--json",
            ],
        ),
        1,
    );
    let v = json_refusal(on(&db, &["stock", "--json", "--no-such-flag"]), 2);
    assert_eq!(v["kind"], "usage", "{v}");
    let mut c = ws();
    c.args(["--db", "/nonexistent/folder/x.sqlite", "check", "--json"]);
    json_refusal(c, 1);
    let mut c = ws();
    c.args(["gs1", "decode", "(01)123", "--json"]);
    json_refusal(c, 2);
    let dir = tempfile::tempdir().unwrap();
    let p = problem_file(dir.path(), "eoq.json", &eoq_problem("1e16", "1"));
    let mut c = ws();
    c.arg("mrp").arg("--input").arg(&p).arg("--json");
    assert_eq!(json_refusal(c, 2)["kind"], "input");
    assert_eq!(state(&db), before);
    // Success is JSON too.
    let out = on(
        &db,
        &[
            "validate",
            "accept",
            &id,
            "--user",
            "pharm",
            "--comment",
            "short course",
            "--json",
        ],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["decision"], "accepted", "{v}");
    let out = on(
        &db,
        &[
            "rx", "stop", &id, "--user", "manager", "--reason", "done", "--json",
        ],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["status"], "stopped", "{v}");
}

#[test]
fn an_opening_stock_sheet_beyond_the_bound_is_refused_line_by_line() {
    let (dir, db) = common::demo_db();
    let sheet = problem_file(
        dir.path(),
        "stock.csv",
        "place,item,lot,expiry,qty,packs\n\
         W-MED,PARA500T,ZZ1,2029-06-30,9223372036854775807,\n\
         W-MED,PARA500T,ZZ2,2029-06-30,,9223372036854775807\n\
         W-MED,PARA500T,ZZ3,2029-06-30,,99999999\n",
    );
    let before = state(&db);
    let mut c = ws();
    c.arg("--db")
        .arg(&db)
        .args(["import", "stock"])
        .arg(&sheet)
        .args(["--user", "admin"]);
    let out = c.assert().code(1).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    let listed = String::from_utf8(out.stdout).unwrap();
    for line in [
        "line 2, qty: 9223372036854775807 is too large",
        "line 3, packs: 9223372036854775807 is too large",
        "line 4, packs: 1999999980 is too large",
    ] {
        assert!(listed.contains(line), "{listed}");
    }
    assert_eq!(state(&db), before);
}

#[test]
fn transport_and_lead_times_beyond_reckoning_are_refused() {
    let (_dir, db) = common::demo_db();
    let before = state(&db);
    let err = refused(
        on(
            &db,
            &[
                "place",
                "edit",
                "W-MED",
                "--user",
                "admin",
                "--transport-minutes",
                "9223372036854775807",
            ],
        ),
        1,
    );
    assert!(err.contains("transport_minutes"), "{err}");
    let err = refused(
        on(
            &db,
            &[
                "supplier",
                "edit",
                "PHOENIX",
                "--user",
                "admin",
                "--lead-days",
                "9223372036854775807",
            ],
        ),
        1,
    );
    assert!(err.contains("lead_days"), "{err}");
    assert_eq!(state(&db), before);
    // The longest allowed still plans.
    on(
        &db,
        &[
            "supplier",
            "edit",
            "PHOENIX",
            "--user",
            "admin",
            "--lead-days",
            "3660",
        ],
    )
    .assert()
    .success();
    on(&db, &["plan", "--bucket-hours", "1", "--json"])
        .assert()
        .success();
}
