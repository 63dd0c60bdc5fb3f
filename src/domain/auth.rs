//! Sign-in rules: PIN format and the lockout after repeated wrong PINs.

use chrono::{DateTime, Duration, Utc};

/// Wrong PINs in a row that lock a user.
pub const MAX_FAILED_PINS: u32 = 5;
/// How long a locked user waits.
pub const LOCK_MINUTES: i64 = 5;

/// A PIN is 4 to 8 digits.
pub fn pin_format_ok(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// The sign-in state kept per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockState {
    pub failed: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LockState {
    /// `Some(until)` while the user is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|u| *u > now)
    }

    /// The state after a wrong PIN at `now`: the fifth in a row locks the
    /// user for five minutes and starts a new count.
    pub fn after_failure(&self, now: DateTime<Utc>) -> LockState {
        // A lock that has run out starts a fresh count.
        let failed = if self.locked_until.is_some_and(|u| u <= now) {
            1
        } else {
            self.failed + 1
        };
        if failed >= MAX_FAILED_PINS {
            LockState {
                failed: 0,
                locked_until: Some(now + Duration::minutes(LOCK_MINUTES)),
            }
        } else {
            LockState {
                failed,
                locked_until: None,
            }
        }
    }

    /// Wrong PINs left before the lock.
    pub fn attempts_left(&self) -> u32 {
        MAX_FAILED_PINS.saturating_sub(self.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifth_wrong_pin_locks_for_five_minutes() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut s = LockState::default();
        for i in 1..5 {
            s = s.after_failure(t0);
            assert_eq!(s.failed, i);
            assert_eq!(s.locked_at(t0), None);
        }
        s = s.after_failure(t0);
        assert_eq!(s.locked_at(t0), Some(t0 + Duration::minutes(5)));
        assert_eq!(
            s.locked_at(t0 + Duration::seconds(299)),
            Some(t0 + Duration::minutes(5))
        );
        assert_eq!(s.locked_at(t0 + Duration::minutes(5)), None);
        // After the lock the count starts again.
        let s2 = s.after_failure(t0 + Duration::minutes(6));
        assert_eq!((s2.failed, s2.locked_until), (1, None));
    }

    #[test]
    fn pin_format() {
        assert!(pin_format_ok("1234"));
        assert!(pin_format_ok("12345678"));
        assert!(!pin_format_ok("123"));
        assert!(!pin_format_ok("123456789"));
        assert!(!pin_format_ok("12a4"));
    }
}
