//! Supplier performance, service (stock-outs) and bedside compliance: what
//! a pharmacist and a nurse manager are asked for, counted from what was
//! recorded — an order delivered late and short, a dose not given for lack
//! of supply, a dose given after its window — and totals that equal the
//! database's own.

mod common;

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::Connection;
use serde_json::Value;
use wardstock::domain::schedule::{self, Frequency};
use wardstock::ops::mar::{self, DoseInput, Outcome};

use common::cli;

/// A report's JSON.
fn report(db: &Path, name: &str, args: &[&str]) -> Value {
    let out = cli(db)
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

/// Runs a command that must succeed; gives its standard output.
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

fn zone(conn: &Connection) -> chrono_tz::Tz {
    conn.query_row(
        "SELECT value FROM settings WHERE key = 'timezone'",
        [],
        |r| r.get::<_, String>(0),
    )
    .map(|z| z.parse().unwrap())
    .unwrap_or(chrono_tz::UTC)
}

fn day_of(conn: &Connection, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&zone(conn)).date_naive()
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn day(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

/// A new purchase order through the command line; its number.
fn order(db: &Path, lines: &[&str]) -> i64 {
    let mut args = vec![
        "po",
        "new",
        "--user",
        "store",
        "--supplier",
        "ALLIANCE",
        "--json",
    ];
    for l in lines {
        args.extend(["--line", l]);
    }
    let v: Value = serde_json::from_str(&run(db, &args)).unwrap();
    v["order"].as_str().unwrap()[3..].parse().unwrap()
}

fn ordered(conn: &Connection, po: i64, item: &str) -> i64 {
    conn.query_row(
        "SELECT l.qty FROM purchase_order_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 AND i.code = ?2",
        rusqlite::params![po, item],
        |r| r.get(0),
    )
    .unwrap()
}

fn receive(db: &Path, po: i64, item: &str, lot: &str, qty: i64) {
    run(
        db,
        &[
            "receive",
            "--user",
            "store",
            "--item",
            item,
            "--lot",
            lot,
            "--expiry",
            "2031-06-30",
            "--qty",
            &qty.to_string(),
            "--order",
            &format!("PO-{po}"),
        ],
    );
}

#[test]
fn an_order_delivered_late_and_short_is_counted_and_listed() {
    let (dir, db) = common::demo_db();
    let conn = Connection::open(&db).unwrap();
    let now = Utc::now();
    // Order A: paracetamol delivered short after its due day, the rest of
    // the order cancelled (its second line, nothing received, is not judged).
    let a = order(&db, &["PARA500T:120", "IBU400T:60"]);
    // Order B: nothing has come, three days after it was due.
    let b = order(&db, &["OMEP20C:56"]);
    // Order C: delivered in full before it was due.
    let c = order(&db, &["PARA500T:40"]);
    // The supplier's lead time has passed for A and B: they were due days ago.
    conn.execute(
        "UPDATE purchase_orders SET expected_at = ?2 WHERE id = ?1",
        rusqlite::params![a, ts(now - Duration::days(4))],
    )
    .unwrap();
    conn.execute(
        "UPDATE purchase_orders SET expected_at = ?2 WHERE id = ?1",
        rusqlite::params![b, ts(now - Duration::days(3))],
    )
    .unwrap();
    let para_a = ordered(&conn, a, "PARA500T");
    receive(&db, a, "PARA500T", "SUP-A1", para_a - 20);
    run(
        &db,
        &[
            "po",
            "cancel",
            &a.to_string(),
            "--user",
            "store",
            "--reason",
            "supplier out of stock",
        ],
    );
    receive(&db, c, "PARA500T", "SUP-C1", ordered(&conn, c, "PARA500T"));

    let today = day_of(&conn, now);
    let from = (today - Duration::days(10)).to_string();
    let to = (today + Duration::days(10)).to_string();
    let r = report(&db, "suppliers", &["--from", &from, "--to", &to]);
    let as_of = day(&r["as_of"]);
    assert_eq!(as_of, today);
    let late: Vec<&Value> = r["late"].as_array().unwrap().iter().collect();
    let find = |po: i64, item: &str| {
        late.iter()
            .find(|l| l["order"] == format!("PO-{po}") && l["item"] == item)
            .copied()
    };
    // A: delivered today, four days after its due day, 20 short.
    let la = find(a, "PARA500T").expect("order A is late");
    let due_a = day_of(&conn, now - Duration::days(4));
    assert_eq!(day(&la["due"]), due_a);
    assert_eq!(day(&la["received"]), today);
    assert_eq!(
        la["days_late"].as_i64().unwrap(),
        (today - due_a).num_days()
    );
    assert_eq!(la["short"].as_i64().unwrap(), 20);
    assert_eq!(la["units_received"].as_i64().unwrap(), para_a - 20);
    // A's cancelled line with nothing received is not judged.
    assert!(find(a, "IBU400T").is_none());
    // B: still open, late to today.
    let lb = find(b, "OMEP20C").expect("order B is late");
    let due_b = day_of(&conn, now - Duration::days(3));
    assert!(lb["received"].is_null());
    assert_eq!(
        lb["days_late"].as_i64().unwrap(),
        (as_of - due_b).num_days()
    );
    assert_eq!(lb["short"].as_i64().unwrap(), ordered(&conn, b, "OMEP20C"));
    // C: on time and in full.
    assert!(find(c, "PARA500T").is_none());

    // ALLIANCE × PARA500T holds A (late, short) and C (on time, in full).
    let row = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["supplier"] == "ALLIANCE" && p["item"] == "PARA500T")
        .unwrap();
    assert!(row["lines"].as_i64().unwrap() >= 2);
    assert!(row["otif"].as_i64().unwrap() >= 1);
    assert!(row["late"].as_i64().unwrap() >= 1);

    // Totals: every line due in the period is judged, pending or (cancelled
    // with nothing received) left out; units as the order lines hold them.
    let (lines, withdrawn, qty, received): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(o.status = 'cancelled' AND l.received = 0), SUM(l.qty), SUM(l.received)
             FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.order_id
             WHERE o.expected_at >= ?1 AND o.expected_at < ?2",
            rusqlite::params![
                ts(wardstock::domain::schedule::local_instant(&zone(&conn), today - Duration::days(10), chrono::NaiveTime::MIN).unwrap()),
                ts(wardstock::domain::schedule::local_instant(&zone(&conn), today + Duration::days(11), chrono::NaiveTime::MIN).unwrap()),
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let total = &r["total"];
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
    assert!(withdrawn >= 1);
    assert_eq!(n(total, "lines") + n(total, "pending") + withdrawn, lines);
    assert_eq!(n(total, "units_ordered"), qty);
    assert_eq!(n(total, "units_received"), received);
    assert_eq!(n(total, "late"), late.len() as i64);
    assert_eq!(
        n(total, "on_time") + n(total, "late"),
        n(total, "lines"),
        "a line judged is on time or late"
    );
    // The supplier rows add up to the total.
    for k in ["lines", "on_time", "in_full", "otif", "late", "pending"] {
        let sum: i64 = r["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| n(p, k))
            .sum();
        assert_eq!(sum, n(total, k), "{k}");
    }
    // As a workbook: a worksheet per sheet, the late deliveries with their
    // days late as numbers.
    let book = dir.path().join("suppliers.xlsx");
    run(
        &db,
        &[
            "report",
            "suppliers",
            "--from",
            &from,
            "--to",
            &to,
            "--xlsx",
            book.to_str().unwrap(),
        ],
    );
    {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 3, "{names:?}");
        let late_sheet = wb.worksheet_range(&names[2]).unwrap();
        let rows: Vec<_> = late_sheet.rows().collect();
        let head = rows
            .iter()
            .position(|r| {
                r.iter()
                    .any(|c| matches!(c, Data::String(s) if s == "Days late"))
            })
            .expect("the late deliveries' headings");
        let col = rows[head]
            .iter()
            .position(|c| matches!(c, Data::String(s) if s == "Days late"))
            .unwrap();
        let days: Vec<f64> = rows[head + 1..]
            .iter()
            .filter_map(|r| match &r[col] {
                Data::Float(f) => Some(*f),
                Data::Int(i) => Some(*i as f64),
                _ => None,
            })
            .collect();
        assert_eq!(days.len(), late.len());
        assert!(days.contains(&(la["days_late"].as_i64().unwrap() as f64)));
    }

    // One supplier only; an unknown one is refused in one line.
    let only = report(
        &db,
        "suppliers",
        &["--from", &from, "--to", &to, "--supplier", "alliance"],
    );
    assert!(
        only["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["supplier"] == "ALLIANCE")
    );
    let out = cli(&db)
        .args(["report", "suppliers", "--supplier", "NOBODY"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim().lines().count(),
        1
    );
}

/// An active scheduled prescription a nurse can give from the ward's stock:
/// (rx, mrn, ward, item id, item code, lot, units per dose).
fn prescription(conn: &Connection) -> (i64, String, String, i64, String, String, i64) {
    conn.query_row(
        "SELECT r.id, p.mrn, w.code, i.id, i.code,
                (SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
                 WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok' AND b.expiry > '2027-06-01' AND b.qty >= 10
                 ORDER BY b.expiry LIMIT 1),
                r.dose_milli / i.strength_milli
         FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN items i ON i.id = r.item_id
         JOIN places w ON w.id = p.ward_id
         WHERE r.status = 'active' AND r.frequency IN ('bid', 'tid', 'qid', 'q8h', 'q12h') AND r.time_critical = 0
           AND i.controlled = 0 AND i.high_alert = 0
           AND i.in_use_days IS NULL AND r.dose_milli % i.strength_milli = 0
           AND EXISTS (SELECT 1 FROM balances b WHERE b.place_id = p.ward_id AND b.item_id = i.id AND b.status = 'ok'
                       AND b.expiry > '2027-06-01' AND b.qty >= 10)
           AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id)
         ORDER BY r.id LIMIT 1",
        [],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )
    .unwrap()
}

#[test]
fn a_dose_not_given_for_supply_and_a_ward_run_dry_are_stock_outs() {
    let (_d, db) = common::demo_db();
    let conn = Connection::open(&db).unwrap();
    let (rx, mrn, ward, _, item, _, _) = prescription(&conn);
    let at = {
        let store = wardstock::store::Store::open(&db).unwrap();
        common::due(&store, rx, 1)[0]
    };
    run(
        &db,
        &[
            "administer",
            &rx.to_string(),
            "--user",
            "nurse",
            "--at",
            &ts(at),
            "--wristband",
            &mrn,
            "--outcome",
            "not_given_supply",
        ],
    );
    let recorded: String = conn
        .query_row(
            "SELECT recorded_at FROM administrations WHERE prescription_id = ?1 AND outcome = 'not_given_supply'
             ORDER BY id DESC LIMIT 1",
            [rx],
            |r| r.get(0),
        )
        .unwrap();
    // A ward whose whole stock of an item is issued: it runs dry.
    let (dry_ward, dry_item, held): (String, String, i64) = conn
        .query_row(
            "SELECT w.code, i.code, SUM(b.qty) FROM balances b JOIN places w ON w.id = b.place_id
             JOIN items i ON i.id = b.item_id
             WHERE w.kind = 'ward' AND i.controlled = 0 AND i.in_use_days IS NULL
             GROUP BY b.place_id, b.item_id
             HAVING MIN(b.status = 'ok' AND b.expiry > '2027-06-01') = 1 AND COUNT(*) = 1 AND SUM(b.qty) > 0
             ORDER BY w.code, i.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    run(
        &db,
        &[
            "issue",
            "--user",
            "nurse",
            "--place",
            &dry_ward,
            "--item",
            &dry_item,
            "--qty",
            &held.to_string(),
        ],
    );
    let dry_at: String = conn
        .query_row(
            "SELECT MAX(m.at) FROM movements m JOIN places w ON w.id = m.from_place_id JOIN items i ON i.id = m.item_id
             WHERE w.code = ?1 AND i.code = ?2",
            [&dry_ward, &dry_item],
            |r| r.get(0),
        )
        .unwrap();

    let now = Utc::now();
    let today = day_of(&conn, now);
    let from = (today - Duration::days(1)).to_string();
    let to = today.to_string();
    let r = report(&db, "service", &["--from", &from, "--to", &to]);
    let rows = r["rows"].as_array().unwrap();
    let row = |w: &str, i: &str| {
        rows.iter()
            .find(|x| x["ward"] == w && x["item"] == i)
            .unwrap_or_else(|| panic!("{w} {i} in {rows:?}"))
    };
    let x = row(&ward, &item);
    assert_eq!(x["doses_not_given"], 1);
    assert_eq!(
        x["last_dose_not_given"].as_str().unwrap(),
        recorded,
        "the last occurrence is the dose recorded"
    );
    // The dose not given raised an urgent request to the pharmacy.
    assert!(x["urgent_requests"].as_i64().unwrap() >= 1);
    let y = row(&dry_ward, &dry_item);
    assert_eq!(y["times_at_zero"], 1);
    assert_eq!(y["last_at_zero"].as_str().unwrap(), dry_at);

    // Totals equal the database's own count over the same period.
    let zone = zone(&conn);
    let bound =
        |d: NaiveDate| ts(schedule::local_instant(&zone, d, chrono::NaiveTime::MIN).unwrap());
    let (lo, hi) = (
        bound(today - Duration::days(1)),
        bound(today + Duration::days(1)),
    );
    let not_given: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM administrations WHERE outcome = 'not_given_supply' AND recorded_at >= ?1 AND recorded_at < ?2",
            [&lo, &hi],
            |r| r.get(0),
        )
        .unwrap();
    let urgent: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM transfer_orders o JOIN transfer_lines l ON l.order_id = o.id
             WHERE o.note LIKE 'URGENT%' AND o.created_at >= ?1 AND o.created_at < ?2",
            [&lo, &hi],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(r["total"]["doses_not_given"].as_i64().unwrap(), not_given);
    assert_eq!(r["total"]["urgent_requests"].as_i64().unwrap(), urgent);

    // One ward only.
    let one = report(
        &db,
        "service",
        &["--ward", &ward, "--from", &from, "--to", &to],
    );
    assert!(
        one["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["ward"] == ward.as_str())
    );
    // In Chinese, Chinese headings.
    let out = cli(&db)
        .env("WARDSTOCK_LANG", "zh-CN")
        .args(["report", "service", "--from", &from, "--to", &to])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("缺货情况") && text.contains("因缺药未给药次数"),
        "{text}"
    );
    assert!(!text.contains("Doses not given"), "{text}");
}

#[test]
fn a_dose_given_after_its_window_is_late_with_its_reason_listed() {
    let (_d, db) = common::demo_db();
    let mut store = wardstock::store::Store::open(&db).unwrap();
    let (rx, mrn, ward, item_id, item, lot, units) = prescription(&store.conn);
    let (freq, critical): (String, bool) = store
        .conn
        .query_row(
            "SELECT frequency, time_critical FROM prescriptions WHERE id = ?1",
            [rx],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // The window the schedule uses for this prescription.
    let window = schedule::window(freq.parse::<Frequency>().unwrap(), critical);
    let at = common::due(&store, rx, 1)[0];
    let given_at = at + window + Duration::minutes(5);
    let day = day_of(&store.conn, given_at);
    let period = [
        "--from".to_string(),
        (day - Duration::days(1)).to_string(),
        "--to".to_string(),
        (day + Duration::days(1)).to_string(),
    ];
    let period: Vec<&str> = period.iter().map(String::as_str).collect();
    let before = report(&db, "compliance", &period);
    let dose = DoseInput {
        rx_id: rx,
        scheduled_at: Some(at),
        outcome: Outcome::Given,
        patient_mrn: Some(mrn.clone()),
        patient_dob: None,
        pack: Some((item_id, lot)),
        pack_expiry: None,
        unable_to_scan: None,
        units,
        route_confirmed: true,
        timing_reason: Some("MEAL".into()),
        reason: None,
        witness: None,
        double_check: None,
    };
    let nurse = common::actor(&store, "nurse");
    mar::administer(&mut store, &nurse, given_at, &dose).unwrap();
    let after = report(&db, "compliance", &period);
    let ward_row = |r: &Value| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["ward"] == ward.as_str())
            .cloned()
            .unwrap_or(Value::Null)
    };
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap_or(0);
    let (b, a) = (ward_row(&before), ward_row(&after));
    assert_eq!(n(&a, "late"), n(&b, "late") + 1);
    assert_eq!(n(&a, "on_time"), n(&b, "on_time"));
    assert_eq!(n(&a, "given"), n(&b, "given") + 1);
    assert_eq!(n(&a, "overrides"), n(&b, "overrides") + 1);
    let o = after["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["patient"] == mrn.as_str() && o["kind"] == "timing" && o["item"] == item.as_str()
        })
        .expect("the late dose's override");
    assert_eq!(o["reason"], "MEAL: timed with a meal");
    assert_eq!(
        o["minutes_off"].as_i64().unwrap(),
        (window + Duration::minutes(5)).num_minutes()
    );
    assert_eq!(o["nurse"], "nurse");

    // A dose at the window's very edge is on time: the eMAR shows it due then.
    assert_eq!(
        schedule::dose_status(at, window, false, at + window),
        schedule::DoseStatus::Due
    );
    assert_eq!(
        wardstock::ops::reports::compliance::timing(at, at + window, window),
        wardstock::ops::reports::compliance::Timing::OnTime
    );

    // Totals: doses given and their unscanned packs are the scanning
    // report's; doses missed are the database's.
    let scanning = report(&db, "scanning", &period);
    let total = &after["total"];
    assert_eq!(n(total, "given"), n(&scanning["report"]["total"], "given"));
    assert_eq!(
        n(total, "pack_not_scanned"),
        n(&scanning["report"]["total"], "unscanned")
    );
    assert_eq!(
        n(total, "on_time") + n(total, "early") + n(total, "late") + n(total, "prn"),
        n(total, "given")
    );
    let zone = zone(&store.conn);
    let bound =
        |d: NaiveDate| ts(schedule::local_instant(&zone, d, chrono::NaiveTime::MIN).unwrap());
    let (lo, hi) = (
        bound(day - Duration::days(1)),
        bound(day + Duration::days(2)),
    );
    let recorded_missed: i64 = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM administrations WHERE outcome = 'missed' AND recorded_at >= ?1 AND recorded_at < ?2)
                  + (SELECT COUNT(*) FROM missed_doses d WHERE d.scheduled_at >= ?1 AND d.scheduled_at < ?2
                     AND NOT EXISTS (SELECT 1 FROM administrations a WHERE a.prescription_id = d.prescription_id AND a.scheduled_at = d.scheduled_at))",
            [&lo, &hi],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n(total, "missed"), recorded_missed);

    // Per nurse: the nurse's rows on the ward add up to the ward's.
    let mut by_nurse = period.clone();
    by_nurse.extend(["--by", "nurse"]);
    let bn = report(&db, "compliance", &by_nurse);
    let sum: i64 = bn["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["ward"] == ward.as_str())
        .map(|x| n(x, "late"))
        .sum();
    assert_eq!(sum, n(&a, "late"));

    // In Chinese, Chinese headings.
    let out = cli(&db)
        .env("WARDSTOCK_LANG", "zh-CN")
        .args(["report", "compliance"])
        .args(&period)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("床旁给药依从性")
            && text.contains("准时率")
            && text.contains("超出给药时间窗"),
        "{text}"
    );
}

#[test]
fn refusals_are_one_line_in_either_language() {
    let (_d, db) = common::demo_db();
    for lang in ["en", "zh-CN"] {
        for args in [
            &["report", "service", "--ward", "NOWARD"][..],
            &["report", "compliance", "--ward", "NOWARD"],
            &["report", "compliance", "--by", "patient"],
            &["report", "suppliers", "--from", "2026-13-01"],
            &[
                "report",
                "service",
                "--from",
                "2026-12-05",
                "--to",
                "2026-12-01",
            ],
        ] {
            let out = cli(&db)
                .env("WARDSTOCK_LANG", lang)
                .args(args)
                .output()
                .unwrap();
            assert!(!out.status.success(), "{args:?}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
            let chinese = err.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert_eq!(chinese, lang == "zh-CN", "{args:?}: {err}");
        }
    }
    // Chinese headings on the supplier report too.
    let out = cli(&db)
        .env("WARDSTOCK_LANG", "zh-CN")
        .args(["report", "suppliers", "--from", "2026-01-01"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("供应商绩效") && text.contains("准时足量率"),
        "{text}"
    );
}
