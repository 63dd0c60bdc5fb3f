//! Shared test fixtures: a demo clinic built once per test binary and
//! copied for each test, so tests never share a database file.

#![allow(dead_code)]

/// The console driven by keys over a test terminal.
pub mod console;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::store::Store;

/// The demo's "now" in every test: a fixed instant so data is reproducible.
pub fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn master() -> &'static Path {
    static MASTER: OnceLock<PathBuf> = OnceLock::new();
    MASTER.get_or_init(|| {
        let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
        let path = dir.path().join("master.sqlite");
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
        // Fold the WAL into the main file so a plain copy is complete.
        store
            .conn
            .pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
        drop(store);
        path
    })
}

/// A private copy of the demo clinic.
pub fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.sqlite");
    std::fs::copy(master(), &path).unwrap();
    (dir, path)
}

pub fn open_demo() -> (tempfile::TempDir, Store) {
    let (dir, path) = demo_db();
    let store = Store::open(&path).unwrap();
    (dir, store)
}

/// A demo user as the operations see them, without a PIN check.
pub fn actor(store: &Store, username: &str) -> wardstock::ops::Actor {
    store
        .conn
        .query_row(
            "SELECT id, username, full_name, role FROM users WHERE username = ?1",
            [username],
            |r| {
                Ok(wardstock::ops::Actor {
                    user_id: r.get(0)?,
                    username: r.get(1)?,
                    full_name: r.get(2)?,
                    role: r
                        .get::<_, String>(3)?
                        .parse::<wardstock::domain::Role>()
                        .unwrap(),
                })
            },
        )
        .unwrap()
}

/// The next `n` scheduled doses of a prescription not yet recorded, from two hours before the demo's "now".
pub fn due(store: &Store, rx: i64, n: usize) -> Vec<chrono::DateTime<chrono::Utc>> {
    let ward: i64 = store
        .conn
        .query_row(
            "SELECT p.ward_id FROM prescriptions r JOIN patients p ON p.id = r.patient_id WHERE r.id = ?1",
            [rx],
            |r| r.get(0),
        )
        .unwrap();
    let from = anchor() - chrono::Duration::hours(2);
    let (rows, _) = wardstock::store::queries::schedule(
        &store.conn,
        ward,
        from,
        from + chrono::Duration::days(3),
    )
    .unwrap();
    let at: Vec<_> = rows
        .iter()
        .filter(|r| r.prescription_id == rx && !r.recorded)
        .map(|r| r.at)
        .take(n)
        .collect();
    assert_eq!(at.len(), n, "prescription {rx} has {n} doses to give");
    at
}

/// `wardstock check` passes.
pub fn assert_clean(store: &Store) {
    let report = wardstock::store::check::run(&store.conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// A patient of `ward` without allergies.
pub fn patient_on(store: &Store, ward: &str) -> String {
    store
        .conn
        .query_row(
            "SELECT p.mrn FROM patients p JOIN places w ON w.id = p.ward_id WHERE w.code = ?1
             AND NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = p.id) ORDER BY p.mrn LIMIT 1",
            [ward],
            |r| r.get(0),
        )
        .unwrap()
}

/// A prescription by mouth, to change with struct update.
pub fn base_rx(
    mrn: &str,
    item: &str,
    dose_milli: i64,
    freq: wardstock::domain::schedule::Frequency,
    start: DateTime<Utc>,
) -> wardstock::ops::rx::NewRx {
    wardstock::ops::rx::NewRx {
        mrn: mrn.into(),
        item_code: item.into(),
        dose_milli,
        route: "PO".into(),
        frequency: freq,
        times: vec![],
        prn_max_per_day: None,
        prn_min_interval_min: None,
        generic_atc: None,
        alternatives: vec![],
        start,
        end: None,
        indication: "test indication".into(),
        prescriber: "Dr. A. Conti".into(),
        time_critical: false,
    }
}

/// The command line on a database, as a signed-in user would run it: PINs
/// (the user's and a witness's) from the environment, in English.
pub fn cli(db: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("wardstock").unwrap();
    c.arg("--db")
        .arg(db)
        .env("WARDSTOCK_PIN", "1234")
        .env("WARDSTOCK_WITNESS_PIN", "1234")
        .env("WARDSTOCK_LANG", "en")
        .env_remove("WARDSTOCK_USER");
    c
}
