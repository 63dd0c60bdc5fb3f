//! Prescription frequencies, their expansion into dose times, and the
//! status of a scheduled dose at a given moment (ISMP timing windows).
//!
//! Dose times are local wall-clock times on the ward: "08:00 and 20:00"
//! stays 08:00 and 20:00 across a daylight-saving change. A wall-clock time
//! that does not exist (spring forward) is given at the first valid minute
//! after it; one that exists twice (fall back) is given once, at the first.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    AsRefStr,
    EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Frequency {
    Once,
    Stat,
    Qd,
    Bid,
    Tid,
    Qid,
    Q4h,
    Q6h,
    Q8h,
    Q12h,
    Weekly,
    Prn,
}

impl Frequency {
    /// Default wall-clock administration times of a ward.
    pub fn default_times(self) -> Vec<NaiveTime> {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        match self {
            Frequency::Qd | Frequency::Weekly | Frequency::Once => vec![t(8)],
            Frequency::Bid => vec![t(8), t(20)],
            Frequency::Tid => vec![t(8), t(14), t(22)],
            Frequency::Qid => vec![t(8), t(12), t(18), t(22)],
            Frequency::Q4h => (0..6).map(|i| t(2 + 4 * i)).collect(),
            Frequency::Q6h => (0..4).map(|i| t(6 * i)).collect(),
            Frequency::Q8h => vec![t(6), t(14), t(22)],
            Frequency::Q12h => vec![t(8), t(20)],
            Frequency::Stat | Frequency::Prn => vec![],
        }
    }

    /// Doses per day, for the ISMP window rule (weekly counts as less than daily).
    pub fn more_often_than_daily(self) -> bool {
        matches!(
            self,
            Frequency::Bid
                | Frequency::Tid
                | Frequency::Qid
                | Frequency::Q4h
                | Frequency::Q6h
                | Frequency::Q8h
                | Frequency::Q12h
        )
    }
}

/// Half-width of the timing window around a scheduled dose (ISMP):
/// time-critical ±30 min, more often than daily ±60, daily or less ±120.
pub fn window(freq: Frequency, time_critical: bool) -> Duration {
    if time_critical {
        Duration::minutes(30)
    } else if freq.more_often_than_daily() {
        Duration::minutes(60)
    } else {
        Duration::minutes(120)
    }
}

/// The instant of a wall-clock time on a day in `tz`, DST-safe.
pub fn local_instant<Tz: TimeZone>(
    tz: &Tz,
    day: NaiveDate,
    time: NaiveTime,
) -> Option<DateTime<Utc>> {
    let naive = day.and_time(time);
    // A time in a spring-forward gap moves to the first minute that exists.
    for shift in 0..=180 {
        let candidate = naive + Duration::minutes(shift);
        if let Some(dt) = tz.from_local_datetime(&candidate).earliest() {
            return Some(dt.with_timezone(&Utc));
        }
    }
    None
}

/// Scheduled dose instants of a prescription inside `[from, to)`.
///
/// `start`/`end` bound the prescription (end exclusive, open when `None`).
/// Weekly doses fall on the weekday of the start day; `once` is the first
/// time on or after the start; STAT is the start itself; PRN has no schedule.
pub fn expand<Tz: TimeZone>(
    tz: &Tz,
    freq: Frequency,
    times: &[NaiveTime],
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let lo = from.max(start);
    let hi = end.map_or(to, |e| e.min(to));
    if lo >= hi {
        return vec![];
    }
    match freq {
        Frequency::Prn => return vec![],
        Frequency::Stat => {
            return if start >= from && start < hi {
                vec![start]
            } else {
                vec![]
            };
        }
        _ => {}
    }
    let mut times = times.to_vec();
    times.sort();
    times.dedup();
    let start_day = start.with_timezone(tz).date_naive();
    let first_day = lo.with_timezone(tz).date_naive() - Duration::days(1);
    let last_day = hi.with_timezone(tz).date_naive() + Duration::days(1);
    let mut out = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        let weekly_ok =
            freq != Frequency::Weekly || (day - start_day).num_days().rem_euclid(7) == 0;
        if weekly_ok {
            for t in &times {
                if let Some(at) = local_instant(tz, day, *t)
                    && at >= start
                    && end.is_none_or(|e| at < e)
                {
                    out.push(at);
                }
            }
        }
        day += Duration::days(1);
    }
    out.sort();
    out.dedup();
    if freq == Frequency::Once {
        out.truncate(1);
    }
    out.retain(|at| *at >= lo && *at < hi);
    out
}

/// Where a scheduled dose stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseStatus {
    /// Nothing recorded and the late period after the window has passed too.
    Missed,
    /// The window has closed with nothing recorded; it can still be given
    /// late, with a reason, for another half window.
    Late,
    /// Inside the window (before or after the scheduled time).
    Due,
    /// The window has not opened yet.
    Upcoming,
    /// An outcome is recorded.
    Recorded,
}

/// Where a dose stands: due from the window's opening until it closes
/// (`scheduled ± half_window`, both ends included), late for another half
/// window after it closes, missed after that.
pub fn dose_status(
    scheduled: DateTime<Utc>,
    half_window: Duration,
    recorded: bool,
    now: DateTime<Utc>,
) -> DoseStatus {
    if recorded {
        DoseStatus::Recorded
    } else if now > missed_after(scheduled, half_window) {
        DoseStatus::Missed
    } else if now > scheduled + half_window {
        DoseStatus::Late
    } else if now >= scheduled - half_window {
        DoseStatus::Due
    } else {
        DoseStatus::Upcoming
    }
}

/// The instant after which an unrecorded dose is missed: the window's close
/// plus a late period of another half window.
pub fn missed_after(scheduled: DateTime<Utc>, half_window: Duration) -> DateTime<Utc> {
    scheduled + half_window + half_window
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn q8h_for_five_days_gives_fifteen_doses() {
        let start = utc("2026-03-02T05:00:00Z"); // Monday 06:00 in Paris
        let end = start + Duration::days(5);
        let doses = expand(
            &Paris,
            Frequency::Q8h,
            &Frequency::Q8h.default_times(),
            start,
            Some(end),
            start,
            end,
        );
        assert_eq!(doses.len(), 15);
        assert_eq!(doses[0], start);
    }

    #[test]
    fn wall_clock_kept_across_dst_changes() {
        let times = Frequency::Bid.default_times();
        // Spring forward in Paris: 2026-03-29 02:00 → 03:00.
        let from = utc("2026-03-27T00:00:00Z");
        let to = utc("2026-04-01T00:00:00Z");
        let doses = expand(&Paris, Frequency::Bid, &times, from, None, from, to);
        assert_eq!(
            doses.len(),
            10,
            "five days, two doses each, none lost or doubled"
        );
        for d in &doses {
            let local = d.with_timezone(&Paris).time();
            assert!(local == times[0] || local == times[1], "{local}");
        }
        // Fall back: 2026-10-25 03:00 → 02:00; a 02:30 dose happens once.
        let t230 = vec![NaiveTime::from_hms_opt(2, 30, 0).unwrap()];
        let from = utc("2026-10-24T00:00:00Z");
        let to = utc("2026-10-27T00:00:00Z");
        let doses = expand(&Paris, Frequency::Qd, &t230, from, None, from, to);
        assert_eq!(doses.len(), 3);
        // And in the spring gap it is given at 03:00, not skipped.
        let from = utc("2026-03-28T12:00:00Z");
        let to = utc("2026-03-30T00:00:00Z");
        let doses = expand(&Paris, Frequency::Qd, &t230, from, None, from, to);
        assert_eq!(doses.len(), 1);
        assert_eq!(
            doses[0].with_timezone(&Paris).time(),
            NaiveTime::from_hms_opt(3, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_dose_is_due_until_its_window_closes() {
        let s = utc("2026-11-22T08:00:00Z");
        let w = Duration::minutes(60);
        // Thirty seconds past its time, still inside the window: due, not late.
        assert_eq!(
            dose_status(s, w, false, s + Duration::seconds(30)),
            DoseStatus::Due
        );
        assert_eq!(dose_status(s, w, false, s + w), DoseStatus::Due);
        assert_eq!(
            dose_status(s, w, false, s + w + Duration::seconds(1)),
            DoseStatus::Late
        );
        assert_eq!(
            dose_status(s, w, false, s + w + w + Duration::seconds(1)),
            DoseStatus::Missed
        );
    }

    #[test]
    fn ismp_windows_and_status() {
        assert_eq!(window(Frequency::Bid, true), Duration::minutes(30));
        assert_eq!(window(Frequency::Q8h, false), Duration::minutes(60));
        assert_eq!(window(Frequency::Qd, false), Duration::minutes(120));
        let s = utc("2026-11-22T08:00:00Z");
        let w = Duration::minutes(60);
        assert_eq!(
            dose_status(s, w, false, utc("2026-11-22T06:59:00Z")),
            DoseStatus::Upcoming
        );
        assert_eq!(
            dose_status(s, w, false, utc("2026-11-22T07:00:00Z")),
            DoseStatus::Due
        );
        assert_eq!(
            dose_status(s, w, false, utc("2026-11-22T08:30:00Z")),
            DoseStatus::Due
        );
        assert_eq!(
            dose_status(s, w, false, utc("2026-11-22T09:01:00Z")),
            DoseStatus::Late
        );
        assert_eq!(
            dose_status(s, w, false, utc("2026-11-22T10:01:00Z")),
            DoseStatus::Missed
        );
        assert_eq!(
            dose_status(s, w, true, utc("2026-11-22T09:01:00Z")),
            DoseStatus::Recorded
        );
    }
}
