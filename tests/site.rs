//! A site's database file: the command line never turns an empty or
//! missing file into a database except by creating one on purpose.

use assert_cmd::Command;
use predicates::prelude::*;

fn ws() -> Command {
    let mut c = Command::cargo_bin("wardstock").unwrap();
    c.env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("LC_ALL")
        .env("LANG", "C");
    c
}

#[test]
fn check_on_an_empty_file_refuses_and_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("clinic.sqlite");
    std::fs::write(&blank, b"").unwrap();
    ws().arg("--db")
        .arg(&blank)
        .arg("check")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("empty file").and(predicate::str::contains("wardstock init")),
        );
    assert_eq!(std::fs::metadata(&blank).unwrap().len(), 0);
    ws().arg("--db")
        .arg(&blank)
        .args(["--lang", "zh-CN", "stock"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("空文件"));
    // A demo may be built over it, on purpose.
    ws().arg("--db")
        .arg(&blank)
        .args(["demo", "--at", "2026-11-22T12:00:00Z"])
        .assert()
        .success();
    ws().arg("--db").arg(&blank).arg("check").assert().success();
}
