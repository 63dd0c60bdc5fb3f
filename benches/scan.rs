//! A scan to a committed movement, next to a bare SQLite insert + commit
//! on the same database file with the same pragmas, measured in one run
//! (design.md budget: ≤ 2× the bare insert).
//!
//! The scan path: parse the GS1 data, resolve GTIN → item and lot, check
//! the role and the lot's usability, append the movement (its balance
//! triggers fire) and commit with synchronous=FULL.

use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::domain::{PlaceKind, Role};
use wardstock::ops::Actor;
use wardstock::ops::stock;
use wardstock::store::Store;

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        demo::generate(
            &mut store,
            &DemoOptions {
                scale: Scale::Clinic,
                seed: 42,
                anchor: anchor(),
            },
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let nurse: Actor = store
        .conn
        .query_row(
            "SELECT id, username, full_name FROM users WHERE username = 'nurse'",
            [],
            |r| {
                Ok(Actor {
                    user_id: r.get(0)?,
                    username: r.get(1)?,
                    full_name: r.get(2)?,
                    role: Role::Nurse,
                })
            },
        )
        .unwrap();
    // A big usable lot on a ward, and its barcode as a scanner sends it.
    let (gtin, lot, expiry, ward): (String, String, String, String) = store
        .conn
        .query_row(
            "SELECT g.gtin, l.lot_number, l.expiry, p.code FROM balances b JOIN lots l ON l.id = b.lot_id
             JOIN item_gtins g ON g.item_id = b.item_id JOIN places p ON p.id = b.place_id
             WHERE p.kind = 'ward' AND b.status = 'ok' AND l.expiry > '2027-06-01' ORDER BY b.qty DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let scanned = format!(
        "]d201{gtin}17{}{}{}10{lot}\u{1d}21S1",
        &expiry[2..4],
        &expiry[5..7],
        &expiry[8..10]
    );
    let place = stock::place_by_code(&store.conn, &ward).unwrap();
    assert_eq!(place.kind, PlaceKind::Ward);
    // Enough stock for every iteration: top the lot up once.
    store
        .conn
        .execute("UPDATE balances SET qty = qty + 1000000 WHERE place_id = ?1 AND lot_id = (SELECT id FROM lots WHERE lot_number = ?2)", rusqlite::params![place.id, lot])
        .unwrap();
    store
        .conn
        .execute("UPDATE location_balances SET qty = qty + 1000000 WHERE place_id = ?1 AND lot_id = (SELECT id FROM lots WHERE lot_number = ?2)", rusqlite::params![place.id, lot])
        .unwrap();
    // (The balance no longer equals its ledger; this database is thrown away.)
    store.conn.execute_batch("CREATE TABLE bare (id INTEGER PRIMARY KEY, at TEXT NOT NULL, qty INTEGER NOT NULL, note TEXT)").unwrap();

    let mut g = c.benchmark_group("scan_to_movement");
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("bare_sqlite_insert_commit", |b| {
        b.iter(|| {
            let tx = store
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            tx.execute(
                "INSERT INTO bare (at, qty, note) VALUES ('2026-11-22T12:00:00Z', 1, 'x')",
                [],
            )
            .unwrap();
            tx.commit().unwrap();
        })
    });
    g.bench_function("scan_issue_one_unit_committed", |b| {
        b.iter(|| {
            let today = anchor().date_naive();
            let g1 = wardstock::gs1::parse(
                &scanned,
                wardstock::gs1::Options {
                    separator: None,
                    today,
                },
            )
            .unwrap();
            let item = stock::item_by_gtin(&store.conn, g1.gtin.as_deref().unwrap()).unwrap();
            stock::issue(
                &mut store,
                &nurse,
                anchor(),
                &place,
                &item,
                1,
                g1.lot.as_deref(),
                None,
                None,
            )
            .unwrap();
        })
    });
    g.finish();
}

criterion_group!(scan, benches);
criterion_main!(scan);
