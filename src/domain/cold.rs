//! The cold chain: a cold location's range, its readings, and the
//! excursions they show.
//!
//! Temperatures are whole tenths of a degree Celsius (`53` is 5.3 °C).
//! Readings are judged with the safe assumption: when a reading shows the
//! location out of range (now, or its minimum or maximum since the last
//! reading), the whole time since the previous reading counts as out of
//! range, and it stays out until a reading shows it back in range with
//! nothing out since. A run out of range longer than the allowed minutes is
//! an excursion; so is a reading missed on a round (no reading for longer
//! than the round interval).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

/// A cold location's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColdRules {
    pub min_tenths: i32,
    pub max_tenths: i32,
    /// Time out of range tolerated before it is an excursion.
    pub allowed_minutes: i64,
    /// A reading is due at least this often; `None`: no rounds kept.
    pub round_minutes: Option<i64>,
}

/// The kinds of location that keep a temperature log.
pub fn is_cold_kind(kind: &str) -> bool {
    matches!(kind, "fridge" | "freezer" | "cold_room")
}

/// The rules of a cold location of `kind` nobody has set: 2–8 °C for a
/// fridge or cold room, -25 to -15 °C for a freezer; 30 minutes out of
/// range allowed; a reading every 12 hours.
pub fn default_rules(kind: &str) -> ColdRules {
    let (min_tenths, max_tenths) = match kind {
        "freezer" => (-250, -150),
        _ => (20, 80),
    };
    ColdRules {
        min_tenths,
        max_tenths,
        allowed_minutes: 30,
        round_minutes: Some(12 * 60),
    }
}

/// One reading: the temperature now, and (on a min/max thermometer) the
/// lowest and highest since the last reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub at: DateTime<Utc>,
    pub current: i32,
    pub min: Option<i32>,
    pub max: Option<i32>,
}

impl ColdRules {
    pub fn in_range(&self, t: i32) -> bool {
        (self.min_tenths..=self.max_tenths).contains(&t)
    }

    /// How far `t` is outside the range (0 inside).
    pub fn distance(&self, t: i32) -> i32 {
        if t > self.max_tenths {
            t - self.max_tenths
        } else if t < self.min_tenths {
            self.min_tenths - t
        } else {
            0
        }
    }

    /// Whether a reading shows the location out of range since the last one.
    pub fn reading_out(&self, r: &Reading) -> bool {
        self.worst(r).is_some()
    }

    /// The value of a reading furthest outside the range, if any is.
    pub fn worst(&self, r: &Reading) -> Option<i32> {
        [Some(r.current), r.min, r.max]
            .into_iter()
            .flatten()
            .filter(|t| !self.in_range(*t))
            .max_by_key(|t| self.distance(*t))
    }
}

/// Why an excursion was raised.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::AsRefStr, strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Out of range for longer than allowed.
    OutOfRange,
    /// No reading for longer than the round interval.
    NoReading,
}

/// An excursion found in readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Excursion {
    pub cause: Cause,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Still out of range (or still without a reading) at the last reading.
    pub ongoing: bool,
    /// The value furthest outside the range (none for a missed reading).
    pub peak: Option<i32>,
}

impl Excursion {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes().max(0)
    }

    /// Whether two excursions of one cause cover a common instant.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start <= end && start <= self.end
    }
}

/// A run of time out of range, as the readings show it (safe assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutOfRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub ongoing: bool,
    pub peak: i32,
}

/// Every run of time out of range in `readings` (sorted by time).
pub fn runs_out_of_range(rules: &ColdRules, readings: &[Reading]) -> Vec<OutOfRange> {
    let mut out = Vec::new();
    let mut run: Option<OutOfRange> = None;
    let mut prev: Option<&Reading> = None;
    for r in readings {
        // Out during (prev, r]: out at the previous reading, or shown out now.
        let worst = rules.worst(r);
        let prev_out = prev.is_some_and(|p| !rules.in_range(p.current));
        if worst.is_some() || prev_out {
            let start = prev.map_or(r.at, |p| p.at);
            let peak = worst.unwrap_or(prev.map_or(r.current, |p| p.current));
            let ongoing = !rules.in_range(r.current);
            run = Some(match run {
                Some(mut cur) => {
                    cur.end = r.at;
                    cur.ongoing = ongoing;
                    if rules.distance(peak) > rules.distance(cur.peak) {
                        cur.peak = peak;
                    }
                    cur
                }
                None => OutOfRange {
                    start,
                    end: r.at,
                    ongoing,
                    peak,
                },
            });
        } else if let Some(done) = run.take() {
            out.push(done);
        }
        prev = Some(r);
    }
    out.extend(run);
    out
}

/// The excursions in `readings` (sorted by time): runs out of range longer
/// than allowed, and gaps between readings longer than the round interval.
pub fn excursions(rules: &ColdRules, readings: &[Reading]) -> Vec<Excursion> {
    let mut out: Vec<Excursion> = runs_out_of_range(rules, readings)
        .into_iter()
        .filter(|r| (r.end - r.start).num_minutes() > rules.allowed_minutes)
        .map(|r| Excursion {
            cause: Cause::OutOfRange,
            start: r.start,
            end: r.end,
            ongoing: r.ongoing,
            peak: Some(r.peak),
        })
        .collect();
    if let Some(round) = rules.round_minutes {
        for pair in readings.windows(2) {
            let due = pair[0].at + chrono::Duration::minutes(round);
            if pair[1].at > due {
                out.push(Excursion {
                    cause: Cause::NoReading,
                    start: due,
                    end: pair[1].at,
                    ongoing: false,
                    peak: None,
                });
            }
        }
    }
    out.sort_by_key(|e| (e.start, e.cause.as_ref().to_string()));
    out
}

/// A missed reading now: the last reading is older than the round interval.
pub fn missed_round(
    rules: &ColdRules,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Excursion> {
    let round = rules.round_minutes?;
    let due = last? + chrono::Duration::minutes(round);
    (now > due).then_some(Excursion {
        cause: Cause::NoReading,
        start: due,
        end: now,
        ongoing: true,
        peak: None,
    })
}

/// A temperature as typed or exported ("5.3", "-18", "5,3", "+4.25") in
/// tenths of a degree, rounded half away from zero; `None` if it is not one
/// or is outside -100..=100 °C.
pub fn parse_celsius(text: &str) -> Option<i32> {
    let t = text
        .trim()
        .trim_end_matches("°C")
        .trim_end_matches('C')
        .trim_end_matches('°')
        .trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits = digits.replace(',', ".");
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if whole.len() > 3 || frac.len() > 6 {
        return None;
    }
    let w: i32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut f = frac.chars();
    let tenth = f.next().and_then(|c| c.to_digit(10)).unwrap_or(0) as i32;
    let round_up = f.next().and_then(|c| c.to_digit(10)).unwrap_or(0) >= 5;
    let mut v = w * 10 + tenth + i32::from(round_up);
    if neg {
        v = -v;
    }
    (-1000..=1000).contains(&v).then_some(v)
}

/// Tenths of a degree as text: `53` → "5.3".
pub fn celsius_text(tenths: i32) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

/// Why a line of a logger's export does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum BadLine {
    /// The time is not one of the formats loggers write.
    Time { line: usize, text: String },
    /// The temperature is not a number of degrees.
    Temperature { line: usize, text: String },
    /// Fewer columns than the time and temperature need.
    Columns { line: usize },
    /// A local time that does not exist or is ambiguous (a clock change).
    LocalTime { line: usize, text: String },
}

impl BadLine {
    pub fn line(&self) -> usize {
        match self {
            BadLine::Time { line, .. }
            | BadLine::Temperature { line, .. }
            | BadLine::Columns { line }
            | BadLine::LocalTime { line, .. } => *line,
        }
    }
}

/// A time as loggers write it: ISO 8601 with a zone (`2026-12-04T08:00:00Z`,
/// `+08:00`), or local wall-clock time in the site's zone
/// (`2026-12-04 08:00[:ss]`, `2026-12-04T08:00`, `dd/mm/yyyy hh:mm[:ss]`,
/// `yyyy/mm/dd hh:mm[:ss]`). `Err(true)` is a local time the clock change
/// skips or repeats; `Err(false)` is no time at all.
pub fn parse_logger_time<Z: TimeZone>(text: &str, zone: &Z) -> Result<DateTime<Utc>, bool> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    const LOCAL: &[&str] = &[
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ];
    for f in LOCAL {
        if let Ok(local) = NaiveDateTime::parse_from_str(t, f) {
            return zone
                .from_local_datetime(&local)
                .single()
                .map(|d| d.with_timezone(&Utc))
                .ok_or(true);
        }
    }
    Err(false)
}

/// Reads a data logger's CSV export: a header row (optional), then one
/// reading a line with a time and a temperature in °C; `,` or `;` between
/// columns (`;` when the temperatures use a decimal comma); blank lines
/// skipped. The time and temperature columns are found by the header's
/// names (time/date/时间, temp/°C/celsius/温度), else the first column that
/// reads as a time and the next one. All lines or none: every bad line is
/// named by its number (1 is the first line of the file).
pub fn parse_logger_csv<Z: TimeZone>(
    text: &str,
    zone: &Z,
) -> Result<Vec<(DateTime<Utc>, i32)>, Vec<BadLine>> {
    let text = text.trim_start_matches('\u{feff}');
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let Some(&(_, first)) = lines.first() else {
        return Ok(Vec::new());
    };
    let sep = if first.contains(';') {
        ';'
    } else if first.contains('\t') {
        '\t'
    } else {
        ','
    };
    let split = |l: &str| -> Vec<String> {
        l.split(sep)
            .map(|c| c.trim().trim_matches('"').trim().to_string())
            .collect()
    };
    let head = split(first);
    let is_time = |c: &str| parse_logger_time(c, zone).is_ok();
    let header = !head.iter().any(|c| is_time(c));
    let (time_col, temp_col) = if header {
        let lower: Vec<String> = head.iter().map(|h| h.to_lowercase()).collect();
        let time = lower
            .iter()
            .position(|h| h.contains("time") || h.contains("date") || h.contains("时间"));
        let temp = lower.iter().position(|h| {
            h.contains("temp") || h.contains("°c") || h.contains("celsius") || h.contains("温度")
        });
        match (time, temp) {
            (Some(a), Some(b)) if a != b => (a, b),
            _ => guess_columns(lines.get(1).map(|l| split(l.1)), &is_time),
        }
    } else {
        guess_columns(Some(head.clone()), &is_time)
    };
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for &(n, l) in lines.iter().skip(usize::from(header)) {
        let cols = split(l);
        let (Some(tc), Some(vc)) = (cols.get(time_col), cols.get(temp_col)) else {
            bad.push(BadLine::Columns { line: n });
            continue;
        };
        let at = match parse_logger_time(tc, zone) {
            Ok(at) => Some(at),
            Err(local) => {
                bad.push(if local {
                    BadLine::LocalTime {
                        line: n,
                        text: tc.clone(),
                    }
                } else {
                    BadLine::Time {
                        line: n,
                        text: tc.clone(),
                    }
                });
                None
            }
        };
        let temp = parse_celsius(vc);
        if temp.is_none() {
            bad.push(BadLine::Temperature {
                line: n,
                text: vc.clone(),
            });
        }
        if let (Some(at), Some(t)) = (at, temp) {
            good.push((at, t));
        }
    }
    if bad.is_empty() {
        good.sort_by_key(|g| g.0);
        Ok(good)
    } else {
        Err(bad)
    }
}

fn guess_columns(row: Option<Vec<String>>, is_time: &dyn Fn(&str) -> bool) -> (usize, usize) {
    let time = row
        .as_ref()
        .and_then(|r| r.iter().position(|c| is_time(c)))
        .unwrap_or(0);
    (time, time + 1)
}

/// A day's date for the console's chart labels and the log's filters.
pub fn day_start<Z: TimeZone>(day: NaiveDate, zone: &Z) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap() + chrono::Duration::minutes(h * 60 + m)
    }

    fn r(h: i64, m: i64, c: i32) -> Reading {
        Reading {
            at: at(h, m),
            current: c,
            min: None,
            max: None,
        }
    }

    fn fridge() -> ColdRules {
        ColdRules {
            round_minutes: None,
            ..default_rules("fridge")
        }
    }

    #[test]
    fn readings_within_range_raise_nothing() {
        let rs: Vec<Reading> = (0..24).map(|h| r(h, 0, 40 + (h % 3) as i32)).collect();
        assert!(excursions(&default_rules("fridge"), &rs).is_empty());
    }

    #[test]
    fn out_of_range_longer_than_allowed_is_an_excursion_with_its_peak() {
        let rs = vec![
            r(8, 0, 50),
            r(8, 15, 95),
            r(8, 30, 112),
            r(8, 45, 90),
            r(9, 0, 60),
        ];
        let ex = excursions(&fridge(), &rs);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].cause, Cause::OutOfRange);
        // From the last reading in range to the first back in range.
        assert_eq!(ex[0].start, at(8, 0));
        assert_eq!(ex[0].end, at(9, 0));
        assert_eq!(ex[0].minutes(), 60);
        assert_eq!(ex[0].peak, Some(112));
        assert!(!ex[0].ongoing);
    }

    #[test]
    fn a_short_blip_within_the_allowed_time_is_not_an_excursion() {
        let rs = vec![r(8, 0, 50), r(8, 10, 85), r(8, 20, 60)];
        assert_eq!(runs_out_of_range(&fridge(), &rs).len(), 1);
        assert!(excursions(&fridge(), &rs).is_empty());
    }

    #[test]
    fn a_maximum_above_the_range_since_the_last_reading_counts() {
        let mut second = r(14, 0, 50);
        second.max = Some(101);
        second.min = Some(40);
        let rs = vec![r(8, 0, 50), second, r(20, 0, 50)];
        let ex = excursions(&default_rules("fridge"), &rs);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].start, at(8, 0));
        assert_eq!(ex[0].end, at(14, 0));
        assert_eq!(ex[0].peak, Some(101));
    }

    #[test]
    fn too_cold_counts_and_the_peak_is_the_coldest() {
        let rs = vec![r(8, 0, 50), r(9, 0, 5), r(10, 0, -12), r(11, 0, 40)];
        let ex = excursions(&fridge(), &rs);
        assert_eq!(ex[0].peak, Some(-12));
        assert_eq!(ex[0].minutes(), 180);
    }

    #[test]
    fn still_out_at_the_last_reading_is_ongoing() {
        let rs = vec![r(8, 0, 50), r(9, 0, 120)];
        let ex = excursions(&fridge(), &rs);
        assert!(ex[0].ongoing);
    }

    #[test]
    fn a_missed_round_is_an_excursion_without_a_reading() {
        let rules = ColdRules {
            round_minutes: Some(12 * 60),
            ..default_rules("fridge")
        };
        let rs = vec![r(0, 0, 50), r(20, 0, 50)];
        let ex = excursions(&rules, &rs);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].cause, Cause::NoReading);
        assert_eq!(ex[0].start, at(12, 0));
        assert_eq!(ex[0].peak, None);
        assert_eq!(missed_round(&rules, Some(at(0, 0)), at(11, 0)), None);
        assert_eq!(
            missed_round(&rules, Some(at(0, 0)), at(13, 0)).map(|e| e.minutes()),
            Some(60)
        );
    }

    #[test]
    fn temperatures_read_as_typed() {
        assert_eq!(parse_celsius("5.3"), Some(53));
        assert_eq!(parse_celsius("5,3"), Some(53));
        assert_eq!(parse_celsius("-18"), Some(-180));
        assert_eq!(parse_celsius("+4.25"), Some(43));
        assert_eq!(parse_celsius("-0.26"), Some(-3));
        assert_eq!(parse_celsius("7 °C"), Some(70));
        assert_eq!(parse_celsius("warm"), None);
        assert_eq!(parse_celsius(""), None);
        assert_eq!(parse_celsius("-"), None);
        assert_eq!(parse_celsius("1e3"), None);
        assert_eq!(parse_celsius("150"), None);
        assert_eq!(celsius_text(-35), "-3.5");
        assert_eq!(celsius_text(80), "8.0");
    }

    #[test]
    fn a_logger_export_with_a_header_and_semicolons() {
        let zone = chrono_tz::Asia::Shanghai;
        let csv = "No.;Time;Temperature(°C)\n1;04/12/2026 08:00;5,1\n2;04/12/2026 08:15;5,4\n";
        let got = parse_logger_csv(csv, &zone).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].0,
            Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap()
        );
        assert_eq!(got[1].1, 54);
    }

    #[test]
    fn an_iso_export_without_a_header() {
        let csv = "2026-12-04T08:00:00Z,5.0\n2026-12-04T08:05:00Z,5.5\n";
        let got = parse_logger_csv(csv, &Utc).unwrap();
        assert_eq!(got[1], (at(8, 5), 55));
    }

    #[test]
    fn every_bad_line_is_named() {
        let csv = "time,temp\n2026-12-04T08:00:00Z,5.0\nyesterday,5.5\n2026-12-04T08:10:00Z,warm\n2026-12-04T08:15:00Z\n";
        let bad = parse_logger_csv(csv, &Utc).unwrap_err();
        let lines: Vec<usize> = bad.iter().map(BadLine::line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
    }

    proptest! {
        #[test]
        fn within_range_never_raises_and_excursions_last_longer_than_allowed(
            temps in proptest::collection::vec(-50i32..150, 1..60),
            step in 1i64..90,
        ) {
            let rules = fridge();
            let rs: Vec<Reading> = temps.iter().enumerate()
                .map(|(i, t)| Reading { at: at(0, i as i64 * step), current: *t, min: None, max: None })
                .collect();
            let ex = excursions(&rules, &rs);
            if temps.iter().all(|t| rules.in_range(*t)) {
                prop_assert!(ex.is_empty());
            }
            for e in &ex {
                prop_assert!(e.minutes() > rules.allowed_minutes);
                let peak = e.peak.unwrap();
                prop_assert!(!rules.in_range(peak));
                // The peak is the worst reading of the run.
                for r in rs.iter().filter(|r| r.at > e.start && r.at <= e.end) {
                    prop_assert!(rules.distance(r.current) <= rules.distance(peak));
                }
            }
            // Runs never overlap and come in order.
            let runs = runs_out_of_range(&rules, &rs);
            for w in runs.windows(2) {
                prop_assert!(w[0].end < w[1].start || w[0].end <= w[1].start);
            }
        }

        #[test]
        fn celsius_round_trips(t in -1000i32..=1000) {
            prop_assert_eq!(parse_celsius(&celsius_text(t)), Some(t));
        }
    }
}
