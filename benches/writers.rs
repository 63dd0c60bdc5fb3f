//! Several workstations writing to one database file at once: N processes
//! of the release binary, each running the command line's own stock
//! operations (sign in with a PIN, then receive into the pharmacy or issue
//! from a ward) one after another, as terminals on one host would.
//!
//! Prints, for 1, 4 and 16 writers: operations, failures, median, p99 and
//! the worst time of one operation (process start to exit, PIN check
//! included), next to the budgets of design.md: 4 writers p99 ≤ 150 ms;
//! 16 writers no failure, p99 ≤ 1 s.
//!
//! `cargo bench --bench writers`; `WRITERS_OPS=N` sets the operations per
//! writer (default 50); `WRITERS_BIN=PATH` runs another build of the binary
//! (to compare with an earlier version).

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::store::Store;

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// One operation as a workstation runs it: the binary, signed in by PIN.
fn op(db: &Path, args: &[String]) -> (Duration, bool, String) {
    let bin =
        std::env::var_os("WRITERS_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_wardstock").into());
    let started = Instant::now();
    let out = Command::new(bin)
        .arg("--db")
        .arg(db)
        .env("WARDSTOCK_PIN", "1234")
        .env("LANG", "C")
        .env_remove("WARDSTOCK_LANG")
        .env_remove("WARDSTOCK_DB")
        .env_remove("WARDSTOCK_BUSY_MS")
        .args(args)
        .output()
        .expect("the wardstock binary runs");
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    (took, out.status.success(), err)
}

/// The (ward, item) pairs with the most usable stock that is not a
/// controlled drug: what the writers issue from.
fn issue_sources(db: &Path) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT p.code, i.code, SUM(b.qty) AS q FROM balances b
             JOIN places p ON p.id = b.place_id JOIN items i ON i.id = b.item_id
             WHERE p.kind = 'ward' AND i.controlled = 0 AND b.status = 'ok' AND b.expiry > '2027-06-01'
               AND NOT EXISTS (SELECT 1 FROM balances o WHERE o.place_id = b.place_id AND o.item_id = b.item_id
                               AND (o.status <> 'ok' OR o.expiry <= '2027-06-01'))
             GROUP BY b.place_id, b.item_id ORDER BY q DESC LIMIT 16",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

struct Run {
    writers: usize,
    times: Vec<Duration>,
    failures: Vec<String>,
    wall: Duration,
}

fn run(db: &Path, writers: usize, per_writer: usize, sources: &[(String, String, i64)]) -> Run {
    let start = Arc::new(Barrier::new(writers + 1));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let db = db.to_path_buf();
            let start = start.clone();
            let (ward, item, _) = sources[w % sources.len()].clone();
            std::thread::spawn(move || {
                start.wait();
                let mut out = Vec::with_capacity(per_writer);
                for k in 0..per_writer {
                    let args: Vec<String> = if k % 2 == 0 {
                        // Every writer receives into the same lot: one balance row.
                        [
                            "receive",
                            "--user",
                            "store",
                            "--item",
                            "PARA500T",
                            "--lot",
                            "BENCH-1",
                            "--expiry",
                            "2030-01-31",
                            "--qty",
                            "5",
                        ]
                        .map(String::from)
                        .to_vec()
                    } else {
                        let nurse = if w % 2 == 0 { "nurse" } else { "nurse2" };
                        vec![
                            "issue".into(),
                            "--user".into(),
                            nurse.into(),
                            "--place".into(),
                            ward.clone(),
                            "--item".into(),
                            item.clone(),
                            "--qty".into(),
                            "1".into(),
                        ]
                    };
                    out.push(op(&db, &args));
                }
                out
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut times = Vec::new();
    let mut failures = Vec::new();
    for t in threads {
        for (took, ok, err) in t.join().unwrap() {
            times.push(took);
            if !ok {
                failures.push(err);
            }
        }
    }
    times.sort_unstable();
    Run {
        writers,
        times,
        failures,
        wall: began.elapsed(),
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs it too:
    // only measure when asked to bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let per_writer: usize = std::env::var("WRITERS_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clinic.sqlite");
    {
        let mut store = Store::open(&db).unwrap();
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
    let sources = issue_sources(&db);
    assert!(!sources.is_empty(), "the demo has ward stock to issue");
    println!(
        "writers: each operation is one `wardstock` process (PIN check, then receive or issue), {per_writer} per writer"
    );
    println!(
        "{:>8} {:>6} {:>9} {:>11} {:>11} {:>11} {:>9}  budget",
        "writers", "ops", "failures", "median", "p99", "max", "ops/s"
    );
    for writers in [1, 4, 16] {
        let r = run(&db, writers, per_writer, &sources);
        let p99 = pct(&r.times, 0.99);
        let budget = match r.writers {
            4 => {
                let ok = p99 <= Duration::from_millis(150);
                format!("p99 ≤ 150 ms: {}", if ok { "met" } else { "MISSED" })
            }
            16 => {
                let ok = p99 <= Duration::from_secs(1) && r.failures.is_empty();
                format!(
                    "0 failures, p99 ≤ 1 s: {}",
                    if ok { "met" } else { "MISSED" }
                )
            }
            _ => "-".to_string(),
        };
        println!(
            "{:>8} {:>6} {:>9} {:>11} {:>11} {:>11} {:>9.1}  {budget}",
            r.writers,
            r.times.len(),
            r.failures.len(),
            ms(pct(&r.times, 0.5)),
            ms(p99),
            ms(*r.times.last().unwrap()),
            r.times.len() as f64 / r.wall.as_secs_f64(),
        );
        for f in r.failures.iter().take(5) {
            println!("         failure: {f}");
        }
    }
    let store = Store::open(&db).unwrap();
    let report = wardstock::store::check::run(&store.conn).unwrap();
    println!(
        "check --full after the runs: {}",
        if report.ok() {
            "clean".to_string()
        } else {
            format!("{} problem(s)", report.problems.len())
        }
    );
}
