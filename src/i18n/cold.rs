//! The words of the cold chain: its refusals, states and causes.

use std::fmt;

use crate::domain::cold::{BadLine, Cause, celsius_text};
use crate::ops::cold::{ColdError, ColdState};
use crate::t;

use super::results::quote;

/// A temperature in tenths of a degree, with its unit.
pub fn celsius(tenths: i32) -> String {
    t!("cold.celsius", t = celsius_text(tenths))
}

/// An optional temperature ("-" when none).
pub fn celsius_opt(tenths: Option<i32>) -> String {
    tenths.map(celsius).unwrap_or_else(|| "-".into())
}

/// Why an excursion was raised, in words.
pub fn cause(c: Cause) -> &'static str {
    match c {
        Cause::OutOfRange => t!("cold.cause.out_of_range"),
        Cause::NoReading => t!("cold.cause.no_reading"),
    }
}

/// How a cold location stands, in words.
pub fn state(s: ColdState) -> &'static str {
    match s {
        ColdState::Ok => t!("cold.state.ok"),
        ColdState::OutOfRange => t!("cold.state.out_of_range"),
        ColdState::Overdue => t!("cold.state.overdue"),
        ColdState::NoReadings => t!("cold.state.no_readings"),
    }
}

/// A decision on a held lot, in words (as stored: release, dispose; none: awaiting).
pub fn decision(d: Option<&str>) -> &'static str {
    match d {
        Some("release") => t!("cold.decision.release"),
        Some("dispose") => t!("cold.decision.dispose"),
        _ => t!("cold.decision.awaiting"),
    }
}

/// One bad line of a logger's export.
pub fn bad_line(b: &BadLine) -> String {
    match b {
        BadLine::Time { line, text } => t!("cold.bad_line.time", line = line, text = quote(text)),
        BadLine::Temperature { line, text } => {
            t!("cold.bad_line.temperature", line = line, text = quote(text))
        }
        BadLine::Columns { line } => t!("cold.bad_line.columns", line = line),
        BadLine::LocalTime { line, text } => {
            t!("cold.bad_line.local_time", line = line, text = quote(text))
        }
    }
}

impl fmt::Display for ColdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ColdError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::UnknownLocation(l) => t!("cold.refused.unknown_location", location = quote(l)),
            E::AmbiguousLocation { code, places } => t!(
                "cold.refused.ambiguous_location",
                code = code,
                places = places.join(", ")
            ),
            E::NotCold { location, kind } => {
                t!("cold.refused.not_cold", location = location, kind = kind)
            }
            E::BadTemperature(text) => t!("cold.refused.bad_temperature", text = quote(text)),
            E::MinMaxOrder => t!("cold.refused.min_max_order").into(),
            E::RangeOrder => t!("cold.refused.range_order").into(),
            E::InFuture(at) => t!(
                "cold.refused.in_future",
                at = super::refusals::local_time(*at)
            ),
            E::BadLines { file, lines } => {
                let mut s = t!("cold.refused.bad_lines", file = file, n = lines.len());
                for l in lines.iter().take(20) {
                    s.push_str("\n  ");
                    s.push_str(&bad_line(l));
                }
                if lines.len() > 20 {
                    s.push_str("\n  …");
                }
                s
            }
            E::EmptyFile(file) => t!("cold.refused.empty_file", file = file),
            E::NotHeld { location, lot } => {
                t!("cold.refused.not_held", location = location, lot = lot)
            }
            E::UnknownLot { item, lot } => t!("cold.refused.unknown_lot", item = item, lot = lot),
            E::CommentRequired => t!("cold.refused.comment_required").into(),
            E::Stock(e) => e.to_string(),
            E::Busy => t!("refused.db.busy").into(),
            E::Store(e) => super::refusals::database(e),
        };
        f.write_str(&s)
    }
}
