//! The reports as files and as text: the XLSX workbook read back holds a
//! worksheet per sheet, numbers as numbers and dates as dates, the same
//! values as the CSV and the totals of the JSON; headings in the reader's
//! language; a file that cannot be written is refused whole; the text
//! tables are not cut and their numbers are right-aligned.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;

fn today(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT substr(MAX(at), 1, 10) FROM movements", [], |r| {
            r.get(0)
        })
        .unwrap()
}

fn run(db: &Path, lang: &str, args: &[&str]) -> std::process::Output {
    common::cli(db)
        .env("WARDSTOCK_LANG", lang)
        .arg("report")
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: std::process::Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    let a: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
    serde_json::from_str(&ok(run(db, "en", &a), &a)).unwrap()
}

/// The workbook's worksheets, by name, in order.
fn xlsx(db: &Path, lang: &str, args: &[&str], file: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let a: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--xlsx", file.to_str().unwrap()])
        .collect();
    ok(run(db, lang, &a), &a);
    let bytes = std::fs::read(file).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            // Rows from the first (the title) on, whatever the range's start.
            let (h, w) = range.end().map(|(r, c)| (r + 1, c + 1)).unwrap_or((0, 0));
            let rows = (0..h)
                .map(|r| {
                    (0..w)
                        .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The CSV files of a report: the first and each further sheet's.
fn csv(db: &Path, args: &[&str], file: &Path) -> Vec<Vec<Vec<String>>> {
    let a: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--csv", file.to_str().unwrap()])
        .collect();
    ok(run(db, "en", &a), &a);
    let stem = file.file_stem().unwrap().to_str().unwrap().to_string();
    let mut files: Vec<PathBuf> = vec![file.to_path_buf()];
    let mut others: Vec<PathBuf> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "csv")
                && p.file_stem()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&format!("{stem}-"))
        })
        .collect();
    others.sort();
    files.extend(others);
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(text.starts_with('\u{feff}'), "{f:?} has its BOM");
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            r.records()
                .map(|x| x.unwrap().iter().map(String::from).collect())
                .collect()
        })
        .collect()
}

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// A worksheet's table equals its CSV: numbers are numeric cells with the
/// CSV's value, dates and times are dates with the CSV's day and minute,
/// words are text. Gives the table's rows (without title and headings).
fn same_as_csv(name: &str, ws: &[Vec<Data>], csv: &[Vec<String>]) -> Vec<Vec<Data>> {
    let keys = &csv[0];
    assert_eq!(ws[1].len().max(keys.len()), ws[1].len(), "{name}: headings");
    for (c, h) in ws[1].iter().take(keys.len()).enumerate() {
        assert!(
            matches!(h, Data::String(s) if !s.is_empty()) || keys[c] == "top_80",
            "{name}: heading of {} is {h:?}",
            keys[c]
        );
    }
    let n = csv.len() - 1;
    let table: Vec<Vec<Data>> = ws[2..2 + n].to_vec();
    for (r, (row, line)) in table.iter().zip(&csv[1..]).enumerate() {
        for (c, want) in line.iter().enumerate() {
            let got = row.get(c).unwrap_or(&Data::Empty);
            let at = format!("{name} row {r} {}: {got:?} vs {want:?}", keys[c]);
            let numeric = keys[c].ends_with("_units")
                || keys[c].ends_with("_money")
                || [
                    "qty",
                    "balance",
                    "in",
                    "out",
                    "value",
                    "units",
                    "days_left",
                    "daily_use",
                    "cumulative_share",
                    "expected",
                    "counted",
                    "lots",
                    "given",
                    "scanned",
                    "unscanned",
                    "scanned_share",
                ]
                .contains(&keys[c].as_str());
            if numeric && !want.is_empty() {
                assert!(number(got).is_some(), "{at}: a number, not text");
            }
            match got {
                Data::Empty => assert!(want.is_empty(), "{at}"),
                Data::String(s) => assert!(!s.is_empty() && !want.is_empty(), "{at}"),
                Data::Float(_) | Data::Int(_) => {
                    let v: f64 = want.parse().unwrap_or_else(|_| panic!("{at}"));
                    assert!((number(got).unwrap() - v).abs() < 0.051, "{at}");
                }
                Data::DateTime(d) => {
                    let t = d.as_datetime().unwrap();
                    let shown = if want.len() == 10 {
                        t.format("%Y-%m-%d").to_string()
                    } else {
                        t.format("%Y-%m-%dT%H:%M").to_string()
                    };
                    assert_eq!(shown, want[..shown.len()], "{at}");
                }
                other => panic!("{at}: {other:?}"),
            }
        }
    }
    table
}

fn col(csv: &[Vec<String>], key: &str) -> usize {
    csv[0]
        .iter()
        .position(|k| k == key)
        .unwrap_or_else(|| panic!("no column {key} in {:?}", csv[0]))
}

fn numbers(table: &[Vec<Data>], c: usize) -> Vec<f64> {
    table
        .iter()
        .map(|r| number(&r[c]).unwrap_or_else(|| panic!("a number: {:?}", r[c])))
        .collect()
}

#[test]
fn consumption_in_a_workbook_is_the_csv_and_the_json_totals() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let to = today(&db);
    let args = [
        "consumption",
        "--by",
        "ward",
        "--from",
        "2000-01-01",
        "--to",
        to.as_str(),
    ];
    let j = json(&db, &args);
    let book = xlsx(&db, "en", &args, &dir.path().join("use.xlsx"));
    let files = csv(&db, &args, &dir.path().join("use.csv"));
    assert_eq!(book.len(), 1);
    assert_eq!(files.len(), 1);
    let (name, ws) = &book[0];
    assert_eq!(name, "Consumption");
    assert!(matches!(&ws[0][0], Data::String(t) if t.starts_with("Consumption and cost")));
    let table = same_as_csv(name, ws, &files[0]);
    let total = table.last().unwrap();
    let (units, money) = (col(&files[0], "used_units"), col(&files[0], "used_money"));
    assert_eq!(
        number(&total[units]).unwrap() as i64,
        j["total"]["used"]["units"].as_i64().unwrap()
    );
    assert!(
        (number(&total[money]).unwrap() * 100.0 - j["total"]["used"]["cents"].as_f64().unwrap())
            .abs()
            < 0.5
    );
    let groups = &table[..table.len() - 1];
    assert_eq!(groups.len(), j["rows"].as_array().unwrap().len());
    let sum: f64 = numbers(groups, money).iter().sum();
    assert!((sum - number(&total[money]).unwrap()).abs() < 0.01);
    let share = numbers(groups, col(&files[0], "cumulative_share"));
    assert!((share.last().unwrap() - 1.0).abs() < 1e-6, "{share:?}");
    // The notes are under the table, after an empty row.
    assert!(ws.len() > table.len() + 3);
    assert!(matches!(&ws[table.len() + 3][0], Data::String(n) if n.contains("80 %")));
}

#[test]
fn the_stock_card_in_a_workbook_keeps_the_running_balance_and_its_times() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let to = today(&db);
    let item: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'W-MED' ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let args = [
        "stock-card",
        "--item",
        item.as_str(),
        "--place",
        "W-MED",
        "--from",
        "2000-01-01",
        "--to",
        to.as_str(),
    ];
    let j = json(&db, &args);
    let book = xlsx(&db, "en", &args, &dir.path().join("card.xlsx"));
    let files = csv(&db, &args, &dir.path().join("card.csv"));
    assert_eq!(book.len(), 1);
    let table = same_as_csv(&book[0].0, &book[0].1, &files[0]);
    let lines = j["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    assert_eq!(table.len(), lines.len() + 2, "opening, lines, closing");
    let balance = numbers(&table, col(&files[0], "balance"));
    assert_eq!(balance[0] as i64, j["opening"].as_i64().unwrap());
    for (b, l) in balance[1..].iter().zip(lines) {
        assert_eq!(*b as i64, l["balance"].as_i64().unwrap());
    }
    assert_eq!(
        *balance.last().unwrap() as i64,
        j["closing"].as_i64().unwrap()
    );
    let (i, o) = (col(&files[0], "in"), col(&files[0], "out"));
    let closing = table.last().unwrap();
    assert_eq!(
        number(&closing[i]).unwrap() as i64,
        j["total_in"].as_i64().unwrap()
    );
    assert_eq!(
        number(&closing[o]).unwrap() as i64,
        j["total_out"].as_i64().unwrap()
    );
    let at = col(&files[0], "at");
    assert!(
        table
            .iter()
            .all(|r| matches!(&r[at], Data::DateTime(d) if d.is_datetime()))
    );
    assert_eq!(files[0][1][col(&files[0], "kind")], "opening");
}

#[test]
fn expiry_has_two_worksheets_with_dates_and_the_json_totals() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let to = today(&db);
    let args = [
        "expiry",
        "--days",
        "3650",
        "--from",
        "2000-01-01",
        "--to",
        to.as_str(),
    ];
    let j = json(&db, &args);
    let book = xlsx(&db, "en", &args, &dir.path().join("expiry.xlsx"));
    let files = csv(&db, &args, &dir.path().join("expiry.csv"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Expiring", "Wasted"]);
    assert_eq!(files.len(), 2, "the wasted sheet is written beside");
    let expiring = same_as_csv("expiring", &book[0].1, &files[0]);
    let wasted = same_as_csv("wasted", &book[1].1, &files[1]);
    assert_eq!(expiring.len(), j["expiring"].as_array().unwrap().len() + 1);
    let e = col(&files[0], "expiry");
    assert!(
        expiring[..expiring.len() - 1]
            .iter()
            .all(|r| matches!(&r[e], Data::DateTime(_)))
    );
    let total = expiring.last().unwrap();
    assert_eq!(
        number(&total[col(&files[0], "waste_units")]).unwrap() as i64,
        j["projected_waste_units"].as_i64().unwrap()
    );
    assert!(
        (number(&total[col(&files[0], "waste_money")]).unwrap() * 100.0
            - j["projected_waste_cents"].as_f64().unwrap())
        .abs()
            < 0.5
    );
    let total = wasted.last().unwrap();
    assert_eq!(
        number(&total[col(&files[1], "waste_units")]).unwrap() as i64,
        j["wasted_units"].as_i64().unwrap()
    );
    assert!(
        (number(&total[col(&files[1], "waste_money")]).unwrap() * 100.0
            - j["wasted_cents"].as_f64().unwrap())
        .abs()
            < 0.5
    );
}

#[test]
fn every_report_makes_a_workbook_and_chinese_readers_get_chinese_headings() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let to = today(&db);
    let item: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT code FROM items ORDER BY code LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let period = ["--from", "2000-01-01", "--to", to.as_str()];
    let reports: Vec<(Vec<&str>, usize, &str)> = vec![
        (
            [
                &["stock-card", "--item", item.as_str(), "--place", "PHARM"],
                &period[..],
            ]
            .concat(),
            1,
            "批号",
        ),
        ([&["consumption"], &period[..]].concat(), 1, "用量"),
        ([&["expiry"], &period[..]].concat(), 2, "效期"),
        (vec!["stock-value"], 2, "库存金额"),
        ([&["variances"], &period[..]].concat(), 1, "账面数"),
        ([&["scanning"], &period[..]].concat(), 1, "已扫码"),
    ];
    for (i, (args, sheets, word)) in reports.iter().enumerate() {
        let file = dir.path().join(format!("zh-{i}.xlsx"));
        let book = xlsx(&db, "zh-CN", args, &file);
        assert_eq!(book.len(), *sheets, "{args:?}");
        let mut names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), *sheets, "{args:?}: names are unique");
        for (name, ws) in &book {
            assert!(name.chars().count() <= 31);
            assert!(!name.is_ascii(), "{args:?}: {name} in Chinese");
            assert!(
                ws[1]
                    .iter()
                    .any(|h| matches!(h, Data::String(s) if !s.is_ascii())),
                "{args:?}: {name} headings {:?}",
                ws[1]
            );
        }
        // In English, each worksheet holds what its CSV does.
        let en = xlsx(&db, "en", args, &dir.path().join(format!("en-{i}.xlsx")));
        let sub = dir.path().join(format!("csv-{i}"));
        std::fs::create_dir(&sub).unwrap();
        let files = csv(&db, args, &sub.join("r.csv"));
        assert_eq!(files.len(), en.len(), "{args:?}");
        for ((name, ws), f) in en.iter().zip(&files) {
            same_as_csv(name, ws, f);
        }
        let headings: String = book
            .iter()
            .flat_map(|(_, ws)| ws[1].iter().map(|h| h.to_string()))
            .collect();
        assert!(headings.contains(word), "{args:?}: {headings}");
    }
}

#[test]
fn a_file_that_cannot_be_written_is_refused_and_json_goes_alone() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    for (flag, file) in [("--xlsx", "r.xlsx"), ("--csv", "r.csv")] {
        let missing = dir.path().join("no-such-dir").join(file);
        let out = run(&db, "en", &["expiry", flag, missing.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("no-such-dir"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    for other in ["--xlsx", "--csv"] {
        let out = run(&db, "en", &["consumption", "--json", other, "x"]);
        assert_eq!(out.status.code(), Some(2), "{other}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--json"));
    }
    let out = run(
        &db,
        "en",
        &[
            "stock-card",
            "--item",
            "X",
            "--place",
            "PHARM",
            "--csv",
            "a.csv",
            "--xlsx",
            "b.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(&db, "en", &["stock-value", "--from", "2026-01-01"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim().lines().count(),
        1
    );
}

#[test]
fn text_tables_are_whole_with_numbers_to_the_right_in_both_languages() {
    let (_d, db) = common::demo_db();
    let to = today(&db);
    let period = ["--from", "2000-01-01", "--to", to.as_str()];
    let item: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'PHARM' ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Reports whose last column is always a number.
    let reports: Vec<Vec<&str>> = vec![
        [
            &["stock-card", "--item", item.as_str(), "--place", "PHARM"],
            &period[..],
        ]
        .concat(),
        [&["expiry", "--days", "3650"], &period[..]].concat(),
        vec!["stock-value"],
        [&["consumption"], &period[..]].concat(),
        [&["scanning"], &period[..]].concat(),
        [&["variances"], &period[..]].concat(),
    ];
    let names: Vec<String> = json(&db, &["expiry", "--days", "3650"])["expiring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item_name"].as_str().unwrap().to_string())
        .collect();
    for lang in ["en", "zh-CN"] {
        for args in &reports {
            let text = ok(run(&db, lang, args), args);
            let table: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
                .collect();
            if args[0] != "variances" {
                assert!(!table.is_empty(), "{lang} {args:?}: {text}");
            }
            // Tables are not cut: every line of one table is as wide.
            let mut tables: Vec<Vec<usize>> = Vec::new();
            for l in &table {
                if l.starts_with('┌') {
                    tables.push(Vec::new());
                }
                if let Some(t) = tables.last_mut() {
                    t.push(wardstock::i18n::width(l));
                }
            }
            for t in &tables {
                assert!(
                    t.iter().all(|w| *w == t[0]),
                    "{lang} {args:?}: {t:?}\n{text}"
                );
            }
            assert!(!text.contains('…'), "{lang} {args:?}");
            if args[0] == "expiry" {
                for n in &names {
                    assert!(text.contains(n.as_str()), "{lang}: {n} whole");
                }
            }
            if matches!(args[0], "stock-card" | "expiry" | "stock-value") {
                // Numbers to the right: the last column's cells end at its edge.
                let mut header = false;
                let mut body = Vec::new();
                for l in &table {
                    if l.starts_with('┌') {
                        header = true;
                    } else if l.starts_with('│') {
                        if !header {
                            body.push(l);
                        }
                        header = false;
                    }
                }
                for l in body {
                    let cell = l.trim_end_matches('│').trim_end();
                    assert!(
                        cell.ends_with(|c: char| c.is_ascii_digit())
                            && l.ends_with(" │")
                            && !l.ends_with("  │"),
                        "{lang} {args:?}: {l}"
                    );
                }
            }
        }
    }
}
