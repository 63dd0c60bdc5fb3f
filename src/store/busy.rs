//! Waiting for another workstation's write: several terminals share one
//! file, and SQLite lets one of them write at a time. A write that finds
//! the file busy waits a little (short, growing, jittered naps, so waiting
//! workstations do not wake in step) and tries again, for a bounded time;
//! after that the operation is refused as busy and nothing is written.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a write waits for the others by default.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(5);

/// The longest single nap between two tries.
const MAX_NAP_MS: u64 = 8;

/// The limit in milliseconds; 0 until first read.
static LIMIT_MS: AtomicU64 = AtomicU64::new(0);
static FROM_ENV: OnceLock<u64> = OnceLock::new();

thread_local! {
    /// When the current wait began (SQLite counts the tries; we count time).
    static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How long a write waits for other workstations before it is refused:
/// five seconds, or `WARDSTOCK_BUSY_MS` milliseconds when set (a site with
/// many terminals, or a test that must not wait).
pub fn limit() -> Duration {
    let set = LIMIT_MS.load(Ordering::Relaxed);
    if set > 0 {
        return Duration::from_millis(set);
    }
    let env = *FROM_ENV.get_or_init(|| {
        std::env::var("WARDSTOCK_BUSY_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| (1..=600_000).contains(ms))
            .unwrap_or(DEFAULT_LIMIT.as_millis() as u64)
    });
    Duration::from_millis(env)
}

/// Sets how long writes in this process wait for other workstations.
pub fn set_limit(limit: Duration) {
    LIMIT_MS.store(
        limit.as_millis().clamp(1, 600_000) as u64,
        Ordering::Relaxed,
    );
}

/// A nap before try number `tries` (0-based): 1, 2, 4, up to 8 ms,
/// jittered between half and one and a half of that.
pub fn nap(tries: u32) -> Duration {
    let base = (1u64 << tries.min(5)).min(MAX_NAP_MS) as f64;
    let jitter: f64 = rand::random_range(0.5..1.5);
    Duration::from_micros((base * jitter * 1000.0) as u64)
}

/// SQLite's busy handler for every connection of the store: called with
/// the number of times it was already called for this statement; `true`
/// tries again after a nap, `false` gives up (the statement fails busy).
pub fn handler(count: i32) -> bool {
    let now = Instant::now();
    let since = WAITING_SINCE.with(|s| {
        let since = match (count, s.get()) {
            (0, _) | (_, None) => now,
            (_, Some(t)) => t,
        };
        s.set(Some(since));
        since
    });
    let left = limit().saturating_sub(now.duration_since(since));
    if left.is_zero() {
        return false;
    }
    std::thread::sleep(nap(count.max(0) as u32).min(left));
    true
}

/// Whether a database failure is another workstation holding the write
/// lock (SQLite's busy or locked, with any extended code).
pub fn is_busy(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked))
}
