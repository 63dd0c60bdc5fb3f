//! Reports over the hospital demo's ledger (>1,000,000 movements), as the
//! CLI and the Reports screen compute them: the stock card of the busiest
//! item at the pharmacy over all its history, a month's consumption by
//! ward, the expiry report, and the stock value with dead stock.
//! Budget (issue 14): seconds, not minutes.

use std::time::Duration;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use wardstock::ops::reports::{self, By};
use wardstock::store::Store;

#[path = "common/hospital.rs"]
mod hospital;
use hospital::{anchor, hospital};

fn benches(c: &mut Criterion) {
    let path = hospital();
    let store = Store::open(&path).unwrap();
    let conn = &store.conn;
    let now = anchor();
    // The item moved most often at the pharmacy.
    let (item, pharmacy): (String, String) = conn
        .query_row(
            "SELECT i.code, p.code FROM movements m JOIN items i ON i.id = m.item_id
             JOIN places p ON p.id = COALESCE(m.from_place_id, m.to_place_id)
             WHERE p.kind = 'pharmacy' GROUP BY m.item_id, p.id ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let ever = now - TimeDelta::days(3650);
    let month = now - TimeDelta::days(30);
    let today = store.today(now);
    let mut g = c.benchmark_group("reports");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("stock_card_busiest_item_all_time", |b| {
        b.iter(|| {
            let card = reports::stock_card(conn, &item, &pharmacy, None, ever, now).unwrap();
            assert!(!card.lines.is_empty());
            card
        })
    });
    g.bench_function("consumption_by_ward_month", |b| {
        b.iter(|| {
            let r = reports::consumption(conn, None, By::Ward, month, now).unwrap();
            assert!(!r.rows.is_empty());
            r
        })
    });
    g.bench_function("expiry_180_days", |b| {
        b.iter(|| reports::expiry(conn, None, 180, today, now, month, now).unwrap())
    });
    g.bench_function("stock_value_90_days", |b| {
        b.iter(|| reports::stock_value(conn, None, 90, now).unwrap())
    });
    g.finish();
}

criterion_group!(reports_group, benches);
criterion_main!(reports_group);
