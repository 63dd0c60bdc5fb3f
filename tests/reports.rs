//! The stock card: its running balance is the ledger's. From the first
//! movement to today it ends at the stock held; any period opens where the
//! one before closed; a lot's card ends at that lot's balance.

mod common;

use std::path::Path;

use serde_json::Value;

/// A report's JSON.
fn report(db: &Path, name: &str, args: &[&str]) -> Value {
    let out = common::cli(db)
        .args(["report", name, "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn card(db: &Path, args: &[&str]) -> Value {
    report(db, "stock-card", args)
}

fn today(db: &Path) -> String {
    // The demo's clock: the day of its latest movement is within the card.
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT substr(MAX(at), 1, 10) FROM movements", [], |r| {
            r.get(0)
        })
        .unwrap()
}

/// Each line's balance follows from the one before.
fn assert_running(c: &Value) {
    let mut balance = c["opening"].as_i64().unwrap();
    for l in c["lines"].as_array().unwrap() {
        balance += l["in"].as_i64().unwrap() - l["out"].as_i64().unwrap();
        assert_eq!(l["balance"].as_i64().unwrap(), balance, "{l}");
    }
    assert_eq!(c["closing"].as_i64().unwrap(), balance);
}

#[test]
fn from_the_first_movement_the_card_ends_at_the_stock_held() {
    let (_d, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let pairs: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT p.code, i.code, SUM(b.qty) FROM balances b JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id WHERE p.kind IN ('pharmacy', 'ward')
             GROUP BY p.id, i.id ORDER BY SUM(b.qty) DESC LIMIT 6",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!pairs.is_empty());
    let to = today(&db);
    for (place, item, held) in pairs {
        let c = card(
            &db,
            &[
                "--item",
                &item,
                "--place",
                &place,
                "--from",
                "2000-01-01",
                "--to",
                &to,
            ],
        );
        assert_eq!(c["opening"], 0);
        assert!(!c["lines"].as_array().unwrap().is_empty());
        assert_running(&c);
        assert_eq!(c["closing"].as_i64().unwrap(), held, "{item} at {place}");
    }
}

#[test]
fn a_period_opens_where_the_one_before_closed_and_a_lot_has_its_own_card() {
    let (_d, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (place, item, lot, held): (String, String, String, i64) = conn
        .query_row(
            "SELECT p.code, i.code, l.lot_number, b.qty FROM balances b JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id JOIN lots l ON l.id = b.lot_id
             WHERE p.kind = 'ward' AND b.qty > 0
               AND (SELECT COUNT(*) FROM movements m WHERE m.lot_id = b.lot_id AND m.from_place_id = b.place_id) > 3
             ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let to = today(&db);
    let day = chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d").unwrap();
    let mid = (day - chrono::Duration::days(7)).to_string();
    let before = (day - chrono::Duration::days(8)).to_string();
    let first = card(
        &db,
        &[
            "--item",
            &item,
            "--place",
            &place,
            "--from",
            "2000-01-01",
            "--to",
            &before,
        ],
    );
    let second = card(
        &db,
        &[
            "--item", &item, "--place", &place, "--from", &mid, "--to", &to,
        ],
    );
    assert_running(&first);
    assert_running(&second);
    assert_eq!(first["closing"], second["opening"]);
    let lot_card = card(
        &db,
        &[
            "--item",
            &item,
            "--place",
            &place,
            "--lot",
            &lot,
            "--from",
            "2000-01-01",
            "--to",
            &to,
        ],
    );
    assert_running(&lot_card);
    assert_eq!(lot_card["closing"].as_i64().unwrap(), held);
    assert!(
        lot_card["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["lot"] == lot.as_str())
    );
}

#[test]
fn the_card_is_written_as_csv_and_bad_input_is_refused() {
    let (_d, db) = common::demo_db();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("card.csv");
    let to = today(&db);
    let item: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'PHARM' ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    common::cli(&db)
        .args([
            "report",
            "stock-card",
            "--item",
            &item,
            "--place",
            "PHARM",
            "--from",
            "2000-01-01",
            "--to",
            &to,
            "--csv",
        ])
        .arg(&file)
        .assert()
        .success();
    let json = card(
        &db,
        &[
            "--item",
            &item,
            "--place",
            "PHARM",
            "--from",
            "2000-01-01",
            "--to",
            &to,
        ],
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json["lines"].as_array().unwrap().len() + 2);
    assert_eq!(&rows[0][1], "opening");
    let last = rows.last().unwrap();
    assert_eq!(&last[1], "closing");
    assert_eq!(
        last[9].parse::<i64>().unwrap(),
        json["closing"].as_i64().unwrap()
    );
    for args in [
        vec!["--item", "NOSUCH", "--place", "PHARM"],
        vec!["--item", &item, "--place", "NOWHERE"],
        vec!["--item", &item, "--place", "PHARM", "--lot", "NOLOT"],
        vec![
            "--item",
            &item,
            "--place",
            "PHARM",
            "--from",
            "2026-12-05",
            "--to",
            "2026-12-01",
        ],
        vec!["--item", &item, "--place", "PHARM", "--from", "5 Dec"],
    ] {
        let out = common::cli(&db)
            .args(["report", "stock-card"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.trim().is_empty() && err.lines().count() <= 2,
            "{args:?}: {err}"
        );
    }
}

fn consumption(db: &Path, args: &[&str]) -> Value {
    report(db, "consumption", args)
}

fn sum(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
        .unwrap()
        .unwrap_or(0)
}

#[test]
fn consumption_totals_are_the_ledgers_by_every_grouping() {
    let (_d, db) = common::demo_db();
    let to = today(&db);
    let period = ["--from", "2000-01-01", "--to", to.as_str()];
    let wards = "FROM movements m JOIN places w ON w.id = m.from_place_id JOIN items i ON i.id = m.item_id WHERE w.kind = 'ward'";
    let used = sum(
        &db,
        &format!("SELECT SUM(m.qty) {wards} AND m.kind IN ('administration', 'issue', 'waste')"),
    );
    let cost = sum(
        &db,
        &format!(
            "SELECT SUM(m.qty * i.unit_price_cents) {wards} AND m.kind IN ('administration', 'issue', 'waste')"
        ),
    );
    let wasted = sum(
        &db,
        &format!("SELECT SUM(m.qty) {wards} AND m.kind = 'waste'"),
    );
    let to_patients = sum(
        &db,
        &format!(
            "SELECT SUM(m.qty) {wards} AND m.kind IN ('administration', 'issue') AND m.patient_id IS NOT NULL"
        ),
    );
    assert!(used > 0 && wasted > 0 && to_patients > 0);
    for by in ["ward", "item", "patient", "atc", "prescriber"] {
        let mut args = vec!["--by", by];
        args.extend(period);
        let r = consumption(&db, &args);
        let total = &r["total"];
        assert_eq!(total["used"]["units"], used, "{by}");
        assert_eq!(total["used"]["cents"], cost, "{by}");
        assert_eq!(total["wasted"]["units"], wasted, "{by}");
        assert_eq!(total["to_patients"]["units"], to_patients, "{by}");
        let rows = r["rows"].as_array().unwrap();
        let of = |f: &str| {
            rows.iter()
                .map(|x| x[f]["cents"].as_i64().unwrap())
                .sum::<i64>()
        };
        assert_eq!(of("used"), cost, "{by}: the groups add up to the total");
        // Largest cost first; the top groups make the first 80 %.
        let costs: Vec<i64> = rows
            .iter()
            .map(|x| x["used"]["cents"].as_i64().unwrap())
            .collect();
        assert!(costs.windows(2).all(|w| w[0] >= w[1]), "{by}");
        let mut before = 0;
        for x in rows {
            assert_eq!(
                x["top"],
                (before * 10 < cost * 8 && x["used"]["cents"].as_i64().unwrap() > 0),
                "{by}: {x}"
            );
            before += x["used"]["cents"].as_i64().unwrap();
        }
    }
}

#[test]
fn money_is_counted_at_the_price_of_the_day() {
    let (_d, db) = common::demo_db();
    let to = today(&db);
    let period = ["--by", "item", "--from", "2000-01-01", "--to", to.as_str()];
    let before = consumption(&db, &period);
    let top = before["rows"][0].clone();
    let code = top["key"].as_str().unwrap().to_string();
    // The price of the top item doubles now: what was used before keeps its price.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.csv");
    common::cli(&db)
        .args(["export", "items", "--out"])
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().clone();
    let price_col = header.iter().position(|h| h == "unit_price").unwrap();
    let code_col = header.iter().position(|h| h == "code").unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[code_col] == code.as_str() {
            let doubled = format!("{:.2}", rec[price_col].parse::<f64>().unwrap() * 2.0);
            let row: Vec<&str> = rec
                .iter()
                .enumerate()
                .map(|(k, v)| if k == price_col { doubled.as_str() } else { v })
                .collect();
            w.write_record(row).unwrap();
            break;
        }
    }
    std::fs::write(&file, w.into_inner().unwrap()).unwrap();
    let out = common::cli(&db)
        .args(["import", "items"])
        .arg(&file)
        .args(["--user", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = consumption(&db, &period);
    let same = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == code.as_str())
        .unwrap();
    assert_eq!(
        same["used"], top["used"],
        "the earlier use keeps the earlier price"
    );
    let now_price = sum(
        &db,
        &format!("SELECT unit_price_cents FROM items WHERE code = '{code}'"),
    );
    assert_ne!(
        now_price * top["used"]["units"].as_i64().unwrap(),
        top["used"]["cents"].as_i64().unwrap()
    );
}

#[test]
fn the_expiry_report_projects_the_waste_the_warnings_do_and_totals_the_waste_of_the_period() {
    let (_d, db) = common::demo_db();
    let out = common::cli(&db)
        .args(["alerts", "--json"])
        .output()
        .unwrap();
    let alerts: Value = serde_json::from_slice(&out.stdout).unwrap();
    let waste: Vec<&Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "expiry_waste")
        .collect();
    let r = report(&db, "expiry", &["--days", "3650", "--from", "2000-01-01"]);
    let rows = r["expiring"].as_array().unwrap();
    assert!(!rows.is_empty());
    // Two roads to the same projection: the warnings' and the report's.
    assert!(!waste.is_empty());
    for a in &waste {
        let row = rows
            .iter()
            .find(|x| x["place"] == a["place"] && x["lot"] == a["lot"] && x["item"] == a["item"])
            .unwrap_or_else(|| panic!("{a} not in the report"));
        assert_eq!(row["projected_waste"], a["units"], "{a}");
        assert_eq!(row["projected_waste_cents"], a["value_cents"], "{a}");
    }
    let projected: i64 = rows
        .iter()
        .map(|x| x["projected_waste"].as_i64().unwrap())
        .sum();
    assert_eq!(r["projected_waste_units"], projected);
    // A lot never wastes more than is held.
    assert!(
        rows.iter()
            .all(|x| x["projected_waste"].as_i64() <= x["qty"].as_i64())
    );
    let wasted = sum(&db, "SELECT SUM(qty) FROM movements WHERE kind = 'waste'");
    assert!(wasted > 0);
    assert_eq!(r["wasted_units"], wasted);
    let by_reason: i64 = r["wasted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["units"].as_i64().unwrap())
        .sum();
    assert_eq!(by_reason, wasted);
}

#[test]
fn stock_value_is_the_balances_at_todays_prices_and_dead_stock_is_what_did_not_move() {
    let (_d, db) = common::demo_db();
    let r = report(&db, "stock-value", &["--days", "30"]);
    let places = r.as_array().unwrap();
    assert!(places.len() >= 2);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let since: String = conn
        .query_row(
            "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for p in places {
        let code = p["place"].as_str().unwrap();
        let value = sum(
            &db,
            &format!(
                "SELECT SUM(b.qty * i.unit_price_cents) FROM balances b JOIN items i ON i.id = b.item_id
                 JOIN places pl ON pl.id = b.place_id WHERE pl.code = '{code}'"
            ),
        );
        assert_eq!(p["value_cents"], value, "{code}");
        // Dead stock: held, and nothing moved out of here since.
        let dead: Vec<String> = conn
            .prepare(&format!(
                "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id JOIN places pl ON pl.id = b.place_id
                 WHERE pl.code = '{code}' GROUP BY b.item_id HAVING SUM(b.qty) > 0
                   AND NOT EXISTS (SELECT 1 FROM movements m WHERE m.item_id = b.item_id
                                   AND m.from_place_id = b.place_id AND m.at >= '{since}')
                 ORDER BY i.code"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut listed: Vec<String> = p["dead"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["item"].as_str().unwrap().to_string())
            .collect();
        listed.sort();
        assert_eq!(listed, dead, "{code}");
        if let Some(cover) = p["days_of_cover"].as_f64() {
            let used = p["used_cents"].as_f64().unwrap();
            let want = value as f64 / (used / 30.0);
            assert!((cover - want).abs() < 1e-6, "{code}: {cover} vs {want}");
        }
    }
}

#[test]
fn stocktake_variances_are_what_the_approved_counts_moved() {
    let (_d, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (item, lot, held, price): (String, String, i64, i64) = conn
        .query_row(
            "SELECT i.code, l.lot_number, b.qty, i.unit_price_cents FROM balances b JOIN lots l ON l.id = b.lot_id
             JOIN items i ON i.id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.code = 'W-MED' AND b.qty > 5 AND i.controlled = 0 AND l.status = 'ok'
               AND (SELECT COUNT(*) FROM balances o WHERE o.place_id = b.place_id AND o.item_id = b.item_id AND o.qty > 0) = 1
             ORDER BY i.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    drop(conn);
    let run = |args: &[&str]| -> Value {
        let out = common::cli(&db).args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    let started = run(&[
        "stocktake",
        "start",
        "--user",
        "manager",
        "--place",
        "W-MED",
        "--code",
        &item,
    ]);
    let id = started["id"].to_string();
    let counted = (held - 3).to_string();
    run(&[
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
        &counted,
    ]);
    run(&[
        "stocktake",
        "approve",
        &id,
        "--user",
        "manager",
        "--explain",
        &format!("{item}:{lot}=broken blister"),
    ]);
    let r = report(&db, "variances", &["--place", "W-MED"]);
    let rows = r.as_array().unwrap();
    let row = rows
        .iter()
        .find(|v| v["item"] == item.as_str())
        .expect("the item counted");
    assert_eq!(row["expected"], held);
    assert_eq!(row["counted"], held - 3);
    assert_eq!(row["missing"]["units"], 3);
    assert_eq!(row["missing"]["cents"], 3 * price);
    assert_eq!(row["net_cents"], -3 * price);
    // What the report says missing is what the approval took out of stock.
    let adjusted = sum(
        &db,
        "SELECT SUM(qty) FROM movements WHERE kind = 'adjustment' AND from_place_id IS NOT NULL",
    );
    let missing: i64 = rows
        .iter()
        .map(|v| v["missing"]["units"].as_i64().unwrap())
        .sum();
    assert_eq!(missing, adjusted);
}
