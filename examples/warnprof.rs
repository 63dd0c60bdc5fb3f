use std::time::Instant;
use wardstock::domain::alerts::{self, AlertConfig};
use wardstock::store::{Store, queries};
fn med(mut v: Vec<f64>) -> f64 { v.sort_by(|a, b| a.partial_cmp(b).unwrap()); v[v.len() / 2] }
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let cfg = AlertConfig::default();
    let today = now.date_naive();
    let n = 15;
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); 10];
    for _ in 0..n {
        let s = Instant::now();
        let store = Store::open(std::path::Path::new(&path)).unwrap();
        t[0].push(s.elapsed().as_secs_f64() * 1e3);
        let c = &store.conn;
        if std::env::var("MMAP").is_ok() { c.pragma_update(None, "mmap_size", 1i64 << 30).unwrap(); }
        let s = Instant::now();
        let cand = queries::alert_candidates(c, None, alerts::expiry_horizon(today, &cfg)).unwrap();
        t[1].push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let _u = queries::usable_totals(c, None, today).unwrap();
        t[2].push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let _p = queries::level_policies(c, None).unwrap();
        t[3].push(s.elapsed().as_secs_f64() * 1e3);
        let mut pairs: Vec<(i64, i64)> = cand.iter().map(|b| (b.place_id, b.item_id)).collect();
        pairs.sort_unstable(); pairs.dedup();
        let s = Instant::now();
        let _r = queries::pair_use(c, &pairs, now, 28).unwrap();
        t[4].push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let _h = queries::cold_holds(c, None).unwrap();
        t[5].push(s.elapsed().as_secs_f64() * 1e3);
        drop(store);
        let store = Store::open(std::path::Path::new(&path)).unwrap();
        let s = Instant::now();
        let a = queries::alerts(&store.conn, None, today, &cfg).unwrap();
        t[6].push(s.elapsed().as_secs_f64() * 1e3);
        let ids: Vec<i64> = a.iter().filter_map(|x| x.lot_id).collect();
        let s = Instant::now();
        let _ln = queries::lot_numbers(&store.conn, &ids).unwrap();
        t[9].push(s.elapsed().as_secs_f64() * 1e3);
        drop(store);
        let store = Store::open(std::path::Path::new(&path)).unwrap();
        let s = Instant::now();
        let r = queries::alert_rows(&store.conn, None, today, &cfg).unwrap();
        t[7].push(s.elapsed().as_secs_f64() * 1e3);
        drop(store);
        let store = Store::open(std::path::Path::new(&path)).unwrap();
        let s = Instant::now();
        let v = wardstock::tui::views::load_alerts(&store.conn, now, &cfg).unwrap();
        t[8].push(s.elapsed().as_secs_f64() * 1e3);
        if t[8].len() == 1 { eprintln!("pairs {} alerts {} rows {} view {}", pairs.len(), a.len(), r.len(), v.rows.len()); }
    }
    for (i, name) in ["open", "candidates", "usable", "policies", "pair_use", "cold", "alerts", "alert_rows", "load_alerts", "lot_numbers(warm)"].iter().enumerate() {
        println!("{name:12} {:7.2} ms", med(t[i].clone()));
    }
}
