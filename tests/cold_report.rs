//! The cold chain's report (`wardstock report cold-chain`, and the Reports
//! tab): each excursion with its location, start, minutes, peak and lots
//! held, and each lot's decision — the same figures `cold excursions`
//! reads, in JSON, CSV and XLSX.

mod common;

use std::path::Path;

use serde_json::Value;

use common::cli;

const FROM: &str = "2026-11-01";
const TO: &str = "2026-11-30";

fn run(db: &Path, args: &[&str]) -> String {
    let out = cli(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(db, args)).unwrap()
}

/// The demo's fridge with one lot released and one disposed of, by the
/// pharmacist through the CLI; gives the two lots.
fn decided_demo() -> (tempfile::TempDir, std::path::PathBuf, String, String) {
    let (dir, db) = common::demo_db();
    let held = json(&db, &["cold", "status", "--place", "W-GER", "--json"]);
    let lots: Vec<String> = held
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["held"].as_array().unwrap().clone())
        .map(|h| h["lot"].as_str().unwrap().to_string())
        .collect();
    assert!(lots.len() >= 3, "{held}");
    let (a, b) = (lots[0].clone(), lots[1].clone());
    for (verb, lot, comment) in [
        ("release", &a, "stable at 25 °C for 4 days"),
        ("dispose", &b, "no stability data"),
    ] {
        run(
            &db,
            &[
                "cold",
                verb,
                "--location",
                "W-GER/FRIDGE",
                "--lot",
                lot,
                "--comment",
                comment,
                "--user",
                "pharm",
            ],
        );
    }
    (dir, db, a, b)
}

#[test]
fn the_report_gives_the_excursions_and_decisions_cold_excursions_reads() {
    let (_dir, db, released, disposed) = decided_demo();
    let report = json(
        &db,
        &["report", "cold-chain", "--from", FROM, "--to", TO, "--json"],
    );
    let cli = json(
        &db,
        &["cold", "excursions", "--from", FROM, "--to", TO, "--json"],
    );
    assert_eq!(report, cli, "the same excursions and decisions");
    let list = report.as_array().unwrap();
    assert_eq!(list.len(), 1, "{report}");
    let e = &list[0];
    assert_eq!(e["location"], "W-GER/FRIDGE");
    assert_eq!(e["minutes"], 150);
    assert_eq!(e["peak_tenths"], 124);
    let holds = e["holds"].as_array().unwrap();
    let of = |lot: &str| holds.iter().find(|h| h["lot"] == lot).unwrap().clone();
    assert_eq!(of(&released)["decision"], "release");
    assert_eq!(of(&released)["decided_by"], "pharm");
    assert_eq!(of(&disposed)["decision"], "dispose");
    assert_eq!(of(&disposed)["comment"], "no stability data");
    // Another place's cold locations had none.
    let none = json(
        &db,
        &[
            "report",
            "cold-chain",
            "--place",
            "W-MED",
            "--from",
            FROM,
            "--to",
            TO,
            "--json",
        ],
    );
    assert_eq!(none, Value::Array(Vec::new()));
}

#[test]
fn the_csv_files_count_each_decision_and_name_who_made_it() {
    let (dir, db, released, disposed) = decided_demo();
    let path = dir.path().join("cold.csv");
    let said = run(
        &db,
        &[
            "report",
            "cold-chain",
            "--from",
            FROM,
            "--to",
            TO,
            "--csv",
            path.to_str().unwrap(),
        ],
    );
    assert!(said.contains("cold.csv"), "{said}");
    let read = |p: &Path| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(p).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let held: i64 = wardstock::store::Store::open(&db)
        .unwrap()
        .conn
        .query_row("SELECT count(*) FROM cold_holds", [], |r| r.get(0))
        .unwrap();
    let rows = read(&path);
    // location,cause,start,end,minutes,peak_c,lots_held,released,disposed,pending; then the total.
    assert_eq!(rows.len(), 2, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r[0], "W-GER/FRIDGE");
    assert_eq!(r[1], "out_of_range");
    assert_eq!(r[4], "150");
    assert_eq!(r[5], "12.4");
    assert_eq!(r[6], held.to_string());
    assert_eq!(r[7], "1");
    assert_eq!(r[8], "1");
    assert_eq!(r[9], (held - 2).to_string());
    assert_eq!(rows[1][6], held.to_string(), "the total");
    let decisions = read(&dir.path().join("cold-decisions.csv"));
    assert_eq!(decisions.len() as i64, held);
    let of = |lot: &str| decisions.iter().find(|d| d[3] == lot).unwrap().clone();
    assert_eq!(of(&released)[4], "released");
    assert_eq!(of(&released)[5], "pharm");
    assert_eq!(of(&disposed)[4], "disposed");
    assert_eq!(of(&disposed)[7], "no stability data");
    assert!(decisions.iter().filter(|d| d[4] == "pending").count() as i64 == held - 2);
}

#[test]
fn the_workbook_has_the_excursions_and_the_decisions() {
    let (dir, db, _, _) = decided_demo();
    let book = dir.path().join("cold.xlsx");
    run(
        &db,
        &[
            "report",
            "cold-chain",
            "--from",
            FROM,
            "--to",
            TO,
            "--xlsx",
            book.to_str().unwrap(),
        ],
    );
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 2, "{names:?}");
    let first = wb.worksheet_range(&names[0]).unwrap();
    let minutes = first
        .rows()
        .flat_map(|r| r.iter())
        .any(|c| matches!(c, Data::Float(m) if *m == 150.0) || matches!(c, Data::Int(150)));
    assert!(minutes, "the minutes as a number");
}

#[test]
fn a_bad_period_is_refused_in_one_line_and_writes_nothing() {
    let (dir, db, _, _) = decided_demo();
    let path = dir.path().join("bad.csv");
    let out = cli(&db)
        .args([
            "report",
            "cold-chain",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--csv",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim().lines().count(),
        1
    );
    assert!(!path.exists());
}
