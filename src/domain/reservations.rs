//! Stock held for scheduled cases: the pure rules.
//!
//! A case holds quantities of items at its place, never lots. Every other
//! use of the place's stock sees the held units as taken from the lots that
//! expire last (so the earliest-expiring stock keeps moving), and the case
//! itself takes first-expired-first-out when it is used.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::LotStatus;
use super::fefo::{LotStock, fefo_order};

/// How far ahead a case may be booked: the planning horizon's reach.
pub const HORIZON_DAYS: i64 = 90;

/// The lots of an item at a place with `held` units set aside for cases:
/// the held part of each lot, taken from the latest-expiring usable lots
/// first, is marked unusable (as a quarantined part FEFO never picks), so
/// that what FEFO offers for any other use is only the free stock.
pub fn hold_back(lots: Vec<LotStock>, held: i64, day: NaiveDate) -> Vec<LotStock> {
    if held <= 0 {
        return lots;
    }
    // Usable lots, latest to expire first.
    let order: Vec<i64> = fefo_order(&lots, day)
        .into_iter()
        .rev()
        .map(|l| l.lot_id)
        .collect();
    let mut left = held;
    let mut take: Vec<(i64, i64)> = Vec::new();
    for id in order {
        if left == 0 {
            break;
        }
        let qty: i64 = lots
            .iter()
            .filter(|l| l.lot_id == id && l.usable_on(day))
            .map(|l| l.qty)
            .sum();
        let t = qty.min(left);
        if t > 0 {
            take.push((id, t));
            left -= t;
        }
    }
    let mut out = Vec::with_capacity(lots.len() + take.len());
    for mut l in lots {
        let pos = take
            .iter()
            .position(|(id, _)| *id == l.lot_id)
            .filter(|_| l.usable_on(day));
        match pos {
            Some(i) => {
                let t = take[i].1.min(l.qty);
                take[i].1 -= t;
                let mut part = l.clone();
                part.qty = t;
                part.status = LotStatus::Quarantined;
                l.qty -= t;
                if l.qty > 0 {
                    out.push(l);
                }
                if t > 0 {
                    out.push(part);
                }
            }
            None => out.push(l),
        }
    }
    out
}

/// Units of an item that may be taken for another use: the usable units
/// less those held for cases (never below zero).
pub fn free(usable: i64, held: i64) -> i64 {
    (usable - held.max(0)).max(0)
}

/// Whether taking `wanted` usable units leaves enough for the cases.
pub fn leaves_enough(usable: i64, held: i64, wanted: i64) -> bool {
    held <= 0 || usable - wanted >= held
}

/// When a case is scheduled, as typed: `YYYY-MM-DD HH:MM` (or with a `T`)
/// on the site's clock, or an instant with its offset (RFC 3339).
pub fn parse_case_time<Tz: TimeZone>(text: &str, zone: &Tz) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(at) = super::instant_from_text(t) {
        return Some(at);
    }
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

/// Why a case's time is refused: gone, or too far ahead to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseTimeProblem {
    Past,
    BeyondHorizon,
}

/// A case is booked for a time to come, within the horizon.
pub fn case_time_problem(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<CaseTimeProblem> {
    if at < now {
        Some(CaseTimeProblem::Past)
    } else if at > now + chrono::Duration::days(HORIZON_DAYS) {
        Some(CaseTimeProblem::BeyondHorizon)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn lot(id: i64, expiry: &str, qty: i64) -> LotStock {
        LotStock {
            lot_id: id,
            expiry: Some(d(expiry)),
            received_seq: id,
            status: LotStatus::Ok,
            qty,
        }
    }

    #[test]
    fn held_units_come_off_the_latest_expiring_lots() {
        let lots = vec![lot(1, "2027-01-31", 5), lot(2, "2027-06-30", 4)];
        let out = hold_back(lots, 6, d("2026-12-01"));
        let usable: Vec<(i64, i64)> = out
            .iter()
            .filter(|l| l.usable_on(d("2026-12-01")))
            .map(|l| (l.lot_id, l.qty))
            .collect();
        assert_eq!(usable, vec![(1, 3)]);
        let plan = crate::domain::fefo::pick(&out, 10, d("2026-12-01"));
        assert_eq!(plan.picked(), 3);
    }

    #[test]
    fn case_times() {
        let z = chrono_tz::Europe::Paris;
        let at = parse_case_time("2026-12-07 08:30", &z).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-07T07:30:00+00:00");
        assert!(parse_case_time("tomorrow", &z).is_none());
        let now = at - chrono::Duration::days(2);
        assert_eq!(case_time_problem(at, now), None);
        assert_eq!(
            case_time_problem(now - chrono::Duration::hours(1), now),
            Some(CaseTimeProblem::Past)
        );
        assert_eq!(
            case_time_problem(now + chrono::Duration::days(HORIZON_DAYS + 1), now),
            Some(CaseTimeProblem::BeyondHorizon)
        );
    }

    proptest! {
        #[test]
        fn free_stock_is_usable_less_held(qtys in proptest::collection::vec(0i64..20, 0..6), held in 0i64..80) {
            let day = d("2026-12-01");
            let lots: Vec<LotStock> = qtys.iter().enumerate().map(|(i, q)| lot(i as i64, "2027-03-01", *q)).collect();
            let usable: i64 = qtys.iter().sum();
            let out = hold_back(lots, held, day);
            let total: i64 = out.iter().map(|l| l.qty).sum();
            prop_assert_eq!(total, usable);
            let left: i64 = out.iter().filter(|l| l.usable_on(day)).map(|l| l.qty).sum();
            prop_assert_eq!(left, free(usable, held));
        }
    }
}
