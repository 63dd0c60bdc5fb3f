//! The hospital demo the benchmarks read: generated once into the target
//! directory and reused; delete it to regenerate.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::store::Store;

/// The demo's "now".
pub fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The hospital demo's file (26 wards, 5,000 items, >1,000,000 movements).
pub fn hospital() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wardstock-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hospital.sqlite");
    if !path.exists() {
        let partial = dir.join("hospital.partial");
        let _ = std::fs::remove_file(&partial);
        let started = Instant::now();
        let summary = {
            let mut store = Store::open(&partial).unwrap();
            demo::generate(
                &mut store,
                &DemoOptions {
                    scale: Scale::Hospital,
                    seed: 42,
                    anchor: anchor(),
                },
            )
            .unwrap()
        };
        std::fs::rename(&partial, &path).unwrap();
        println!(
            "hospital demo: {} items, {} lots, {} movements, {} patients generated in {:.2} s",
            summary.items,
            summary.lots,
            summary.movements,
            summary.patients,
            started.elapsed().as_secs_f64()
        );
    }
    path
}
