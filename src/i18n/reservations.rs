//! Words of stock held for scheduled cases: refusals and statuses.

use std::fmt;

use crate::domain::reservations::CaseTimeProblem;
use crate::i18n::{self, datetime_short};
use crate::ops::reservations::ReserveError;
use crate::t;

/// Units that would leave scheduled cases short, refused with the cases named.
pub fn held_refusal(
    item: &str,
    place: &str,
    unit: &str,
    free: i64,
    wanted: i64,
    cases: &[String],
) -> String {
    t!(
        "reserve.refused.held",
        item = item,
        place = place,
        unit = i18n::unit(unit),
        free = free,
        wanted = wanted,
        cases = cases.join(", ")
    )
}

/// A case's status in the reader's words.
pub fn status(s: &str) -> &'static str {
    match s {
        "booked" => t!("reserve.status.booked"),
        "used" => t!("reserve.status.used"),
        _ => t!("reserve.status.cancelled"),
    }
}

/// A change to a case in the reader's words.
pub fn event(s: &str) -> &'static str {
    match s {
        "booked" => t!("reserve.event.booked"),
        "used" => t!("reserve.event.used"),
        "closed" => t!("reserve.event.closed"),
        _ => t!("reserve.event.cancelled"),
    }
}

impl fmt::Display for ReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ReserveError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::Stock(e) => e.to_string(),
            E::Db(e) => e.to_string(),
            E::Busy => t!("refused.db.busy").into(),
            E::NotAWard(p) => t!("reserve.refused.not_a_ward", place = p),
            E::UnknownPatient(m) => t!("reserve.refused.unknown_patient", mrn = m),
            E::NoItems => t!("reserve.refused.no_items").into(),
            E::ItemTwice(i) => t!("reserve.refused.item_twice", item = i),
            E::BadLine(l) => t!("reserve.refused.bad_line", line = l),
            E::BadTime(a) => t!("reserve.refused.bad_time", at = a),
            E::TimeProblem { at, problem } => match problem {
                CaseTimeProblem::Past => t!("reserve.refused.past", at = datetime_short(*at)),
                CaseTimeProblem::BeyondHorizon => t!(
                    "reserve.refused.beyond",
                    at = datetime_short(*at),
                    days = crate::domain::reservations::HORIZON_DAYS
                ),
            },
            E::UnknownCase(c) => t!("reserve.refused.unknown_case", case = c),
            E::Closed { case, status: st } => {
                t!("reserve.refused.closed", case = case, status = status(st))
            }
            E::NotOnCase { case, item } => {
                t!("reserve.refused.not_on_case", case = case, item = item)
            }
            E::MoreThanHeld {
                case,
                item,
                unit,
                held,
                wanted,
            } => t!(
                "reserve.refused.more_than_held",
                case = case,
                item = item,
                unit = i18n::unit(unit),
                held = held,
                wanted = wanted
            ),
            E::ReasonNeeded => t!("reserve.refused.reason").into(),
        };
        f.write_str(&s)
    }
}
