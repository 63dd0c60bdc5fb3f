//! When a ward runs out: `find` shows every usable unit elsewhere, and an
//! emergency transfer brings it from another ward, lot-traced and signed.

mod common;

use predicates::prelude::*;
use serde_json::Value;

fn json(c: &mut assert_cmd::Command) -> Value {
    let out = c.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// Usable units of `item` per (place, lot) at places other than `except`,
/// read from the balances: not held, not expired today.
fn usable_elsewhere(db: &std::path::Path, item: &str, except: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN places p ON p.id = b.place_id
         JOIN items i ON i.id = b.item_id
         WHERE i.code = ?1 AND p.code <> ?2 AND p.kind IN ('pharmacy', 'ward')
           AND b.status = 'ok' AND (b.expiry IS NULL OR b.expiry >= date('now'))",
        [item, except],
        |r| r.get(0),
    )
    .unwrap()
}

fn held_at(db: &std::path::Path, place: &str, item: &str, lot: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN places p ON p.id = b.place_id
         JOIN lots l ON l.id = b.lot_id JOIN items i ON i.id = b.item_id
         WHERE p.code = ?1 AND i.code = ?2 AND l.lot_number = ?3",
        [place, item, lot],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn find_lists_every_usable_unit_elsewhere_and_nothing_held_or_expired() {
    let (_dir, db) = common::demo_db();
    let found = json(common::cli(&db).args(["find", "PARA500T", "--for", "W-GER", "--json"]));
    let rows = found["holdings"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|h| h["place"] != "W-GER" && h["place"] != "TRANSIT")
    );
    assert_eq!(
        found["total"].as_i64().unwrap(),
        usable_elsewhere(&db, "PARA500T", "W-GER")
    );
    // The pharmacy first, then wards by transport time.
    assert_eq!(rows[0]["place"], "PHARM");
    let wards: Vec<i64> = rows
        .iter()
        .filter(|h| h["place"] != "PHARM")
        .map(|h| h["minutes"].as_i64().unwrap())
        .collect();
    assert!(wards.windows(2).all(|w| w[0] <= w[1]), "{wards:?}");
    // A lot put in quarantine is no longer offered, anywhere.
    let lot = rows[0]["lot"].as_str().unwrap().to_string();
    common::cli(&db)
        .args([
            "quarantine",
            "--user",
            "pharm",
            "--item",
            "PARA500T",
            "--lot",
            &lot,
        ])
        .args(["--reason", "suspected damage"])
        .assert()
        .success();
    let found = json(common::cli(&db).args(["find", "PARA500T", "--for", "W-GER", "--json"]));
    let rows = found["holdings"].as_array().unwrap();
    assert!(rows.iter().all(|h| h["lot"] != lot.as_str()));
    assert_eq!(
        found["total"].as_i64().unwrap(),
        usable_elsewhere(&db, "PARA500T", "W-GER")
    );
    // In words, with the way to ask a ward.
    common::cli(&db)
        .args(["find", "PARA500T", "--for", "W-GER"])
        .assert()
        .success()
        .stdout(predicate::str::contains("usable elsewhere"));
    common::cli(&db)
        .args(["--lang", "zh-CN", "find", "PARA500T", "--for", "W-GER"])
        .assert()
        .success()
        .stdout(predicate::str::contains("其他地点可用"));
    common::cli(&db)
        .args(["find", "NOSUCH"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("NOSUCH"));
}

#[test]
fn an_emergency_transfer_moves_traced_units_from_one_ward_to_another() {
    let (_dir, db) = common::demo_db();
    let found = json(common::cli(&db).args(["find", "PARA500T", "--for", "W-GER", "--json"]));
    let lend = found["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["place"] != "PHARM" && h["qty"].as_i64().unwrap() >= 10)
        .expect("a ward holding paracetamol")
        .clone();
    let from = lend["place"].as_str().unwrap().to_string();
    let lot = lend["lot"].as_str().unwrap().to_string();
    let before = (
        held_at(&db, &from, "PARA500T", &lot),
        held_at(&db, "W-GER", "PARA500T", &lot),
    );
    // The nurse of the ward that ran out asks the other ward.
    let order = json(common::cli(&db).args([
        "transfer",
        "new",
        "--user",
        "nurse",
        "--to",
        "W-GER",
        "--from",
        &from,
        "--line",
        "PARA500T:10",
        "--json",
    ]));
    let id = order["id"].as_i64().unwrap().to_string();
    assert_eq!(order["from"], from.as_str());
    assert_eq!(order["urgent"], true);
    // Listed first among the orders, as urgent.
    let list = json(common::cli(&db).args(["transfer", "list", "--json"]));
    assert_eq!(list[0]["id"].as_i64().unwrap().to_string(), id);
    assert_eq!(list[0]["urgent"], true);
    // The lending ward's nurse picks (a plain nurse may not pick a pharmacy order).
    common::cli(&db)
        .args([
            "transfer", "pick", &id, "--user", "nurse2", "--item", "PARA500T",
        ])
        .args(["--lot", &lot, "--qty", "10"])
        .assert()
        .success();
    common::cli(&db)
        .args(["transfer", "dispatch", &id, "--user", "nurse2"])
        .assert()
        .success();
    common::cli(&db)
        .args(["transfer", "receive", &id, "--user", "nurse"])
        .assert()
        .success();
    assert_eq!(held_at(&db, &from, "PARA500T", &lot), before.0 - 10);
    assert_eq!(held_at(&db, "W-GER", "PARA500T", &lot), before.1 + 10);
    // The ledger names the order at each step.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let steps: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM movements WHERE order_ref = ?1",
            [format!("TO-{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(steps, 2, "out of the lending ward, into the receiving one");
    common::cli(&db).arg("check").assert().success();
    // A pharmacy order is still picked by the pharmacy only.
    let normal = json(common::cli(&db).args([
        "transfer",
        "new",
        "--user",
        "nurse",
        "--to",
        "W-GER",
        "--line",
        "PARA500T:10",
        "--json",
    ]));
    let nid = normal["id"].as_i64().unwrap().to_string();
    let plot = normal["lines"][0]["suggestions"][0]["lot_number"]
        .as_str()
        .unwrap()
        .to_string();
    common::cli(&db)
        .args([
            "transfer", "pick", &nid, "--user", "nurse2", "--item", "PARA500T",
        ])
        .args(["--lot", &plot, "--qty", "10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("may not"));
}

#[test]
fn an_emergency_transfer_is_refused_from_a_ward_that_has_none_or_from_itself() {
    let (_dir, db) = common::demo_db();
    let conn = rusqlite::Connection::open(&db).unwrap();
    // An item the surgical ward holds none of.
    let item: String = conn
        .query_row(
            "SELECT i.code FROM items i WHERE NOT EXISTS (
                 SELECT 1 FROM balances b JOIN places p ON p.id = b.place_id
                 WHERE b.item_id = i.id AND p.code = 'W-SUR') ORDER BY i.code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let line = format!("{item}:5");
    let ask = |from: &str| {
        let mut c = common::cli(&db);
        c.args(["transfer", "new", "--user", "nurse", "--to", "W-GER"])
            .args(["--from", from, "--line", &line]);
        c
    };
    ask("W-SUR")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("W-SUR holds no usable"));
    ask("W-GER")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot lend to W-GER"));
    ask("PHARM")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("leave out --from"));
    let orders: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM transfer_orders WHERE note LIKE 'URGENT: emergency%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orders, 0, "nothing written");
}
