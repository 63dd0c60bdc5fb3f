//! Many workstations on one database: PINs are checked outside the write
//! lock, wrong PINs from several workstations at once still lock after
//! five, a write that cannot get through says so plainly, and several
//! writers at once lose no update and never over-issue.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use wardstock::ops::auth::{SignInError, sign_in};
use wardstock::store::Store;

/// The binary, in English unless a test asks otherwise.
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

/// Another workstation in the middle of a write: holds the write lock
/// until dropped.
fn hold_write_lock(path: &std::path::Path) -> rusqlite::Connection {
    let other = rusqlite::Connection::open(path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    other
}

#[test]
fn a_right_pin_signs_in_while_another_workstation_writes() {
    let (_dir, path) = common::demo_db();
    let mut store = Store::open(&path).unwrap();
    let other = hold_write_lock(&path);
    // The PIN check reads; it never waits for the writer.
    let started = Instant::now();
    let actor = sign_in(&mut store, "nurse", "1234", common::anchor()).unwrap();
    assert_eq!(actor.username, "nurse");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "sign-in waited for another workstation's write: {:?}",
        started.elapsed()
    );
    drop(other);
}

#[test]
fn wrong_pins_from_several_workstations_at_once_lock_after_five() {
    let (_dir, path) = common::demo_db();
    let t0 = common::anchor();
    let n = 8;
    let start = Arc::new(Barrier::new(n));
    let tries: Vec<_> = (0..n)
        .map(|_| {
            let (path, start) = (path.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                start.wait();
                sign_in(&mut store, "nurse", "9999", t0)
            })
        })
        .collect();
    let results: Vec<_> = tries.into_iter().map(|t| t.join().unwrap()).collect();
    // Each wrong PIN is counted once: four warnings, then the lock.
    let mut left: Vec<u32> = results
        .iter()
        .filter_map(|r| match r {
            Err(SignInError::WrongPin { left, .. }) => Some(*left),
            _ => None,
        })
        .collect();
    left.sort_unstable();
    assert_eq!(left, [1, 2, 3, 4], "{results:?}");
    let locked = results
        .iter()
        .filter(|r| matches!(r, Err(SignInError::Locked { .. })))
        .count();
    assert_eq!(locked, n - 4, "{results:?}");
    // The lock holds for the right PIN too, from any workstation.
    let mut store = Store::open(&path).unwrap();
    assert!(matches!(
        sign_in(
            &mut store,
            "nurse",
            "1234",
            t0 + chrono::Duration::minutes(4)
        ),
        Err(SignInError::Locked { .. })
    ));
}

#[test]
fn a_right_pin_racing_wrong_ones_never_gets_past_the_lock() {
    // Four wrong PINs already; then a fifth wrong one and the right one at
    // once, from two workstations: either the right one came first (signed
    // in, count reset, the wrong one is the first of a new count) or the
    // wrong one did (locked, and the right one is refused).
    for _ in 0..3 {
        let (_dir, path) = common::demo_db();
        let t0 = common::anchor();
        let mut store = Store::open(&path).unwrap();
        for _ in 0..4 {
            assert!(sign_in(&mut store, "nurse", "9999", t0).is_err());
        }
        let start = Arc::new(Barrier::new(2));
        let attempt = |pin: &'static str| {
            let (path, start) = (path.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                start.wait();
                sign_in(&mut store, "nurse", pin, t0)
            })
        };
        let (right, wrong) = (attempt("1234"), attempt("9999"));
        let (right, wrong) = (right.join().unwrap(), wrong.join().unwrap());
        let (failed, locked): (u32, Option<String>) = store
            .conn
            .query_row(
                "SELECT failed_pins, locked_until FROM users WHERE username = 'nurse'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        match (&right, &wrong) {
            (Ok(_), Err(SignInError::WrongPin { left: 4, .. })) => {
                assert_eq!((failed, locked), (1, None))
            }
            (Err(SignInError::Locked { .. }), Err(SignInError::Locked { .. })) => {
                assert!(locked.is_some())
            }
            other => panic!("not as if one came after the other: {other:?}"),
        }
    }
}

#[test]
fn a_write_that_cannot_get_through_says_so_and_writes_nothing() {
    let (_dir, path) = common::demo_db();
    let count = || -> i64 {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM movements", [], |r| r.get(0))
            .unwrap()
    };
    let before = count();
    let other = hold_write_lock(&path);
    for (lang, said) in [
        (
            "en",
            "wardstock: another workstation is busy; nothing was written, try again\n",
        ),
        (
            "zh-CN",
            "wardstock: 另一台工作站正忙；未写入任何内容，请重试\n",
        ),
    ] {
        let started = Instant::now();
        let out = ws()
            .arg("--db")
            .arg(&path)
            .env("WARDSTOCK_PIN", "1234")
            // The wait for the other workstation, short for the test (5 s by default).
            .env("WARDSTOCK_BUSY_MS", "400")
            .args(["--lang", lang])
            .args([
                "receive",
                "--user",
                "store",
                "--item",
                "PARA500T",
                "--lot",
                "BUSY-1",
                "--expiry",
                "2030-01-31",
                "--qty",
                "10",
            ])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err, said);
        assert!(out.stdout.is_empty());
        // It waited for the other workstation before giving up.
        assert!(started.elapsed() >= Duration::from_millis(400));
    }
    // Every kind of operation says it the same way, without SQLite's text:
    // a user's language, a stock issue, with a right PIN or a wrong one to count.
    for args in [
        &["user", "language", "--user", "nurse", "zh-CN"][..],
        &[
            "issue", "--user", "nurse", "--place", "W-MED", "--item", "PARA500T", "--qty", "1",
        ],
    ] {
        for pin in ["1234", "9999"] {
            let out = ws()
                .arg("--db")
                .arg(&path)
                .env("WARDSTOCK_PIN", pin)
                .env("WARDSTOCK_BUSY_MS", "200")
                .args(args)
                .assert()
                .code(1)
                .get_output()
                .clone();
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(
                err, "wardstock: another workstation is busy; nothing was written, try again\n",
                "{args:?} with PIN {pin}"
            );
        }
    }
    drop(other);
    assert_eq!(count(), before);
    // Once the other workstation is done, the same command goes through.
    ws().arg("--db")
        .arg(&path)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "receive",
            "--user",
            "store",
            "--item",
            "PARA500T",
            "--lot",
            "BUSY-1",
            "--expiry",
            "2030-01-31",
            "--qty",
            "10",
        ])
        .assert()
        .success();
    assert_eq!(count(), before + 1);
}

#[test]
fn a_write_waits_for_a_short_write_elsewhere_instead_of_failing() {
    let (_dir, path) = common::demo_db();
    let other = hold_write_lock(&path);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    ws().arg("--db")
        .arg(&path)
        .env("WARDSTOCK_PIN", "1234")
        .args([
            "receive",
            "--user",
            "store",
            "--item",
            "PARA500T",
            "--lot",
            "WAIT-1",
            "--expiry",
            "2030-01-31",
            "--qty",
            "10",
        ])
        .assert()
        .success();
    release.join().unwrap();
}

/// Units of `item` held at `place`.
fn held(conn: &rusqlite::Connection, place: &str, item: &str) -> i64 {
    conn.query_row(
        "SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN places p ON p.id = b.place_id
         JOIN items i ON i.id = b.item_id WHERE p.code = ?1 AND i.code = ?2",
        [place, item],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn several_workstations_writing_at_once_lose_nothing_and_never_over_issue() {
    let (_dir, path) = common::demo_db();
    let conn = rusqlite::Connection::open(&path).unwrap();
    // A ward item with a little usable stock: the workstations together ask
    // for more than there is.
    let (ward, item, on_ward): (String, String, i64) = conn
        .query_row(
            "SELECT p.code, i.code, SUM(b.qty) FROM balances b JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id
             WHERE p.code = 'W-MED' AND i.controlled = 0 AND b.status = 'ok' AND b.expiry > '2027-01-01'
             GROUP BY b.item_id HAVING COUNT(*) = (SELECT COUNT(*) FROM balances b2 WHERE b2.place_id = b.place_id AND b2.item_id = b.item_id)
                AND SUM(b.qty) BETWEEN 3 AND 12
             ORDER BY i.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let in_pharmacy = held(&conn, "PHARM", "PARA500T");
    let workers = 6;
    let rounds = 3;
    let start = Arc::new(Barrier::new(workers));
    let runs: Vec<_> = (0..workers)
        .map(|w| {
            let (path, start, ward, item) =
                (path.clone(), start.clone(), ward.clone(), item.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut out = Vec::new();
                for r in 0..rounds {
                    // Every workstation receives into the same lot (one balance row).
                    let receive = ws()
                        .arg("--db")
                        .arg(&path)
                        .env("WARDSTOCK_PIN", "1234")
                        .args([
                            "receive",
                            "--user",
                            "store",
                            "--item",
                            "PARA500T",
                            "--lot",
                            "MANY-1",
                            "--expiry",
                            "2030-01-31",
                            "--qty",
                            "7",
                        ])
                        .output()
                        .unwrap();
                    out.push(("receive", w, r, receive));
                    let nurse = if w % 2 == 0 { "nurse" } else { "nurse2" };
                    let issue = ws()
                        .arg("--db")
                        .arg(&path)
                        .env("WARDSTOCK_PIN", "1234")
                        .args([
                            "issue", "--user", nurse, "--place", &ward, "--item", &item, "--qty",
                            "1",
                        ])
                        .output()
                        .unwrap();
                    out.push(("issue", w, r, issue));
                }
                out
            })
        })
        .collect();
    let results: Vec<_> = runs.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let mut received = 0;
    let mut issued = 0;
    for (what, w, r, o) in &results {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("busy") && !err.contains("locked") && !err.contains("database"),
            "{what} by workstation {w}, round {r}: {err}"
        );
        match (*what, o.status.success()) {
            ("receive", true) => received += 1,
            ("receive", false) => panic!("receive by workstation {w}, round {r} failed: {err}"),
            ("issue", true) => issued += 1,
            // Refused only because the ward had no more.
            ("issue", false) => assert!(err.contains("usable") && err.contains("wanted"), "{err}"),
            _ => unreachable!(),
        }
    }
    assert_eq!(received, workers * rounds);
    // No over-issue: exactly what the ward held went out, never more.
    assert_eq!(issued as i64, on_ward.min((workers * rounds) as i64));
    assert_eq!(held(&conn, &ward, &item), on_ward - issued as i64);
    // No lost update: every receipt is in the one balance.
    assert_eq!(
        held(&conn, "PHARM", "PARA500T"),
        in_pharmacy + 7 * (workers * rounds) as i64
    );
    drop(conn);
    let store = Store::open(&path).unwrap();
    common::assert_clean(&store);
}

#[test]
fn check_checks_the_ledger_and_full_checks_the_file_too() {
    let (_dir, path) = common::demo_db();
    let out = |args: &[&str]| {
        String::from_utf8(
            ws().arg("--db")
                .arg(&path)
                .args(args)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap()
    };
    let ledger = out(&["check"]);
    assert!(ledger.starts_with("ok: "), "{ledger}");
    assert!(ledger.contains("`wardstock check --full`"), "{ledger}");
    let full = out(&["check", "--full"]);
    assert!(full.starts_with("ok: "), "{full}");
    assert!(full.contains("every page, index and reference"), "{full}");
    let json: serde_json::Value = serde_json::from_str(&out(&["check", "--json"])).unwrap();
    assert_eq!(json["scope"], "ledger");
    let json: serde_json::Value =
        serde_json::from_str(&out(&["check", "--full", "--json"])).unwrap();
    assert_eq!(json["scope"], "full");
    let zh = out(&["--lang", "zh-CN", "check"]);
    assert!(
        zh.starts_with("正常：") && zh.contains("已核对台账"),
        "{zh}"
    );
}

#[test]
fn the_ledger_check_finds_what_the_full_check_finds_in_the_ledger() {
    let (_dir, path) = common::demo_db();
    let conn = rusqlite::Connection::open(&path).unwrap();
    // A stored balance off by two, a location balance off by three, and a
    // ledger line whose balance row was lost.
    conn.execute_batch(
        "UPDATE balances SET qty = qty + 2 WHERE (place_id, lot_id) = (SELECT place_id, lot_id FROM balances WHERE qty > 0 ORDER BY place_id, lot_id LIMIT 1);
         UPDATE location_balances SET qty = qty + 3 WHERE (place_id, lot_id, location_id) = (SELECT place_id, lot_id, location_id FROM location_balances WHERE qty > 0 ORDER BY place_id DESC, lot_id LIMIT 1);
         DELETE FROM balances WHERE (place_id, lot_id) = (SELECT place_id, lot_id FROM balances WHERE qty > 0 ORDER BY place_id DESC, lot_id DESC LIMIT 1);",
    )
    .unwrap();
    let ledger = wardstock::store::check::ledger(&conn).unwrap();
    let full = wardstock::store::check::run(&conn).unwrap();
    assert_eq!(ledger.problems, full.problems);
    assert_eq!(ledger.movements, full.movements);
    let kinds: Vec<_> = ledger
        .problems
        .iter()
        .map(|p| match p {
            wardstock::store::check::Problem::Balance { stored, ledger, .. } => {
                format!("balance {stored} vs {ledger}")
            }
            wardstock::store::check::Problem::LocationBalance { .. } => "location".into(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(
        kinds.iter().filter(|k| k.starts_with("balance")).count() == 2
            && kinds.iter().any(|k| k.starts_with("balance 0 vs ")),
        "{kinds:?}"
    );
    drop(conn);
    ws().arg("--db")
        .arg(&path)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicates::str::contains("ledger sums to"))
        .stderr(predicates::str::contains("3 problem(s) found"));
}
