//! The planning problem: what the MRP engine is asked to plan, as read from a
//! problem file (JSON) or built in code by the store side.
//!
//! Quantities are whole dose units (`i64`, so that a negative number in a
//! file is reported by name rather than as a type error). Buckets are
//! indices `0..buckets`; bucket `k` starts at `start + k · bucket_hours`.
//!
//! [`Problem::from_json`] reports a malformed file with the path of the
//! offending field (`policies[0].lot_sizing.qty must be at least 1`,
//! `stock[2]: unknown field ...`) and, for JSON errors, the line and column.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Default bucket length: one day.
pub const DEFAULT_BUCKET_HOURS: i64 = 24;
/// Default horizon: four weeks of daily buckets.
pub const DEFAULT_BUCKETS: i64 = 28;
/// Longest horizon accepted (about 27 years of daily buckets).
pub const MAX_BUCKETS: i64 = 10_000;
/// Largest quantity accepted anywhere (a million million dose units), so
/// that sums over a whole horizon can never overflow.
pub const MAX_QTY: i64 = 1_000_000_000_000;

/// Largest EOQ order cost accepted (as for a policy set in the database).
pub const MAX_ORDER_COST: f64 = 1.0e7;
/// Smallest EOQ holding cost accepted (as for a policy set in the database).
pub const MIN_HOLDING_COST: f64 = 1.0e-4;
/// Largest EOQ holding cost accepted.
pub const MAX_HOLDING_COST: f64 = 1.0e7;
/// Deepest nesting the error-locating scan follows (serde_json stops at 128).
const MAX_DEPTH: usize = 256;

/// One planning problem: a horizon, the places and items, the policies and
/// what is on hand, on its way and required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Start of bucket 0, as a wall-clock time of the clinic. A file may give
    /// a date (`2026-03-02`, midnight), a local time (`2026-03-02T08:00`) or
    /// an RFC 3339 time (`2026-03-02T08:00:00+01:00`, whose wall-clock time in
    /// its own offset is used). Needed only when stock carries expiry dates.
    #[serde(
        default,
        deserialize_with = "de_start",
        serialize_with = "ser_start",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<NaiveDateTime>,
    /// Length of a bucket in hours (default 24).
    #[serde(default = "default_bucket_hours")]
    pub bucket_hours: i64,
    /// Number of buckets in the horizon (default 28).
    #[serde(default = "default_buckets")]
    pub buckets: i64,
    /// Code of the central pharmacy; it must be one of `places`.
    pub pharmacy: String,
    pub items: Vec<Item>,
    pub places: Vec<Place>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    #[serde(default)]
    pub stock: Vec<StockLot>,
    #[serde(default)]
    pub scheduled_receipts: Vec<ScheduledReceipt>,
    #[serde(default)]
    pub requirements: Vec<Requirement>,
}

fn default_bucket_hours() -> i64 {
    DEFAULT_BUCKET_HOURS
}

fn default_buckets() -> i64 {
    DEFAULT_BUCKETS
}

fn default_pack() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    /// Dose units per pack; every order is a whole number of packs.
    #[serde(default = "default_pack")]
    pub pack_size: i64,
    /// Buckets from a purchase order to its delivery at the pharmacy.
    #[serde(default)]
    pub supplier_lead_buckets: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub code: String,
    /// Buckets from a pharmacy release to the delivery on this ward
    /// (0 for the pharmacy itself).
    #[serde(default)]
    pub transport_buckets: i64,
}

/// How one place keeps one item. A (place, item) without a policy is planned
/// lot-for-lot with no safety stock and no minimum order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub place: String,
    pub item: String,
    #[serde(default)]
    pub safety_stock: i64,
    /// Smallest order; orders are raised to it (then to whole packs).
    #[serde(default)]
    pub min_order: i64,
    #[serde(default)]
    pub lot_sizing: LotSizing,
}

/// The lot-sizing rule that turns a net requirement into an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum LotSizing {
    /// Order exactly the net requirement. (A struct variant, so that a
    /// stray field such as `"qty"` is refused rather than ignored.)
    LotForLot {},
    /// Order the smallest multiple of `qty` covering the net requirement.
    FixedQuantity { qty: i64 },
    /// Order what keeps stock at or above safety stock for `periods` buckets.
    Period { periods: i64 },
    /// Order at least the economic order quantity `ceil(sqrt(2·D·S/H))`, with
    /// D the mean gross requirement per bucket, S = `order_cost` per order
    /// and H = `holding_cost` per unit per bucket.
    Eoq { order_cost: f64, holding_cost: f64 },
    /// When projected stock would fall below `min`, order up to `max`.
    MinMax { min: i64, max: i64 },
}

/// Stock on hand now: one lot (or the sum of lots sharing an expiry date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLot {
    pub place: String,
    pub item: String,
    pub qty: i64,
    /// Last day of use (`2026-03-05`); `None` never expires.
    #[serde(
        default,
        deserialize_with = "de_expiry",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiry: Option<NaiveDate>,
}

/// A delivery already released (ordered or in transit), arriving in `bucket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledReceipt {
    pub place: String,
    pub item: String,
    pub bucket: i64,
    pub qty: i64,
}

/// A requirement (gross demand) at a place in a bucket: administrations of a
/// prescription, a forecast of untraceable goods, an outpatient dispense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub place: String,
    pub item: String,
    pub bucket: i64,
    pub qty: i64,
    /// Where the requirement comes from (a prescription id, "forecast"),
    /// carried into the pegging of the orders that cover it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Why a problem file or a problem cannot be planned (the words are in
/// `i18n::errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemError {
    /// The text is not JSON.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON of the wrong shape: a missing or unknown field, a wrong type.
    /// `path` is empty at the top level.
    Shape {
        path: String,
        message: String,
        line: usize,
        column: usize,
    },
    /// A value that is out of range or refers to nothing.
    Invalid { path: String, rule: Rule },
}

/// The rule a value of a problem or scenario file breaks (numbers kept as
/// written, so that a fraction reads as the user typed it). The words are
/// in `i18n::errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Between {
        lo: String,
        hi: String,
        got: String,
    },
    /// At least `lo` and below `hi`.
    FromBelow {
        lo: String,
        hi: String,
        got: String,
    },
    AtLeast {
        lo: String,
        got: String,
    },
    AtMost {
        hi: String,
        got: String,
    },
    Positive {
        got: String,
    },
    NotNegative {
        got: String,
    },
    NotANumber {
        got: String,
    },
    Empty,
    /// Must list at least one.
    NoneListed,
    TooMany {
        max: usize,
        got: usize,
    },
    /// The same code (or place and item) twice; `first` is the field that has it.
    Repeats {
        what: String,
        first: String,
    },
    /// Names a place or item the file does not have.
    NotAmong {
        value: String,
        list: &'static str,
    },
    OutsideHorizon {
        bucket: i64,
        last: i64,
    },
    PharmacyTransport {
        pharmacy: String,
    },
    MaxBelowMin {
        min: i64,
        max: i64,
    },
    /// `start` is needed because a stock line has an expiry.
    StartNeeded {
        because: String,
    },
    /// A lot-sizing rule that does not read (serde's words).
    Shape {
        message: String,
    },
}

impl ProblemError {
    fn invalid(path: impl Into<String>, rule: Rule) -> Self {
        ProblemError::Invalid {
            path: path.into(),
            rule,
        }
    }

    /// The field the error is about (`policies[0].lot_sizing`), if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            ProblemError::Syntax { .. } => None,
            ProblemError::Shape { path, .. } | ProblemError::Invalid { path, .. } => Some(path),
        }
    }
}

impl Problem {
    /// Reads and validates a problem file.
    pub fn from_json(text: &str) -> Result<Problem, ProblemError> {
        let problem: Problem = serde_json::from_str(text).map_err(|e| json_error(text, &e))?;
        problem.validate()?;
        Ok(problem)
    }

    /// Checks every rule the engine relies on; the error names the field.
    pub fn validate(&self) -> Result<(), ProblemError> {
        if !(1..=24 * 366).contains(&self.bucket_hours) {
            return Err(ProblemError::invalid(
                "bucket_hours",
                Rule::Between {
                    lo: "1".into(),
                    hi: "8784".into(),
                    got: self.bucket_hours.to_string(),
                },
            ));
        }
        if !(1..=MAX_BUCKETS).contains(&self.buckets) {
            return Err(ProblemError::invalid(
                "buckets",
                Rule::Between {
                    lo: "1".into(),
                    hi: MAX_BUCKETS.to_string(),
                    got: self.buckets.to_string(),
                },
            ));
        }
        let mut items = std::collections::HashMap::with_capacity(self.items.len());
        for (i, item) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{i}].{f}");
            if item.code.trim().is_empty() {
                return Err(ProblemError::invalid(at("code"), Rule::Empty));
            }
            if let Some(first) = items.insert(item.code.as_str(), i) {
                return Err(ProblemError::invalid(
                    at("code"),
                    Rule::Repeats {
                        what: item.code.clone(),
                        first: format!("items[{first}]"),
                    },
                ));
            }
            range(|| at("pack_size"), item.pack_size, 1, MAX_QTY)?;
            range(
                || at("supplier_lead_buckets"),
                item.supplier_lead_buckets,
                0,
                MAX_BUCKETS,
            )?;
        }
        let mut places = std::collections::HashMap::with_capacity(self.places.len());
        for (i, place) in self.places.iter().enumerate() {
            let at = |f: &str| format!("places[{i}].{f}");
            if place.code.trim().is_empty() {
                return Err(ProblemError::invalid(at("code"), Rule::Empty));
            }
            if let Some(first) = places.insert(place.code.as_str(), i) {
                return Err(ProblemError::invalid(
                    at("code"),
                    Rule::Repeats {
                        what: place.code.clone(),
                        first: format!("places[{first}]"),
                    },
                ));
            }
            range(
                || at("transport_buckets"),
                place.transport_buckets,
                0,
                MAX_BUCKETS,
            )?;
            if place.code == self.pharmacy && place.transport_buckets != 0 {
                return Err(ProblemError::invalid(
                    at("transport_buckets"),
                    Rule::PharmacyTransport {
                        pharmacy: place.code.clone(),
                    },
                ));
            }
        }
        if !places.contains_key(self.pharmacy.as_str()) {
            return Err(ProblemError::invalid(
                "pharmacy",
                Rule::NotAmong {
                    value: self.pharmacy.clone(),
                    list: "places",
                },
            ));
        }
        // The paths of the fields are written only for an error: a
        // hospital's problem has a hundred thousand rows to check.
        let refs = |at: &dyn Fn() -> String, place: &str, item: &str| -> Result<(), ProblemError> {
            if !places.contains_key(place) {
                return Err(ProblemError::invalid(
                    format!("{}.place", at()),
                    Rule::NotAmong {
                        value: place.to_string(),
                        list: "places",
                    },
                ));
            }
            if !items.contains_key(item) {
                return Err(ProblemError::invalid(
                    format!("{}.item", at()),
                    Rule::NotAmong {
                        value: item.to_string(),
                        list: "items",
                    },
                ));
            }
            Ok(())
        };
        let bucket = |at: &dyn Fn() -> String, b: i64| -> Result<(), ProblemError> {
            if (0..self.buckets).contains(&b) {
                Ok(())
            } else {
                Err(ProblemError::invalid(
                    format!("{}.bucket", at()),
                    Rule::OutsideHorizon {
                        bucket: b,
                        last: self.buckets - 1,
                    },
                ))
            }
        };

        let mut policies = std::collections::HashMap::with_capacity(self.policies.len());
        for (i, p) in self.policies.iter().enumerate() {
            let at = || format!("policies[{i}]");
            refs(&at, &p.place, &p.item)?;
            if let Some(first) = policies.insert((p.place.as_str(), p.item.as_str()), i) {
                return Err(ProblemError::invalid(
                    at(),
                    Rule::Repeats {
                        what: format!("{} {}", p.place, p.item),
                        first: format!("policies[{first}]"),
                    },
                ));
            }
            range(
                || format!("{}.safety_stock", at()),
                p.safety_stock,
                0,
                MAX_QTY,
            )?;
            range(|| format!("{}.min_order", at()), p.min_order, 0, MAX_QTY)?;
            let ls = || format!("{}.lot_sizing", at());
            match p.lot_sizing {
                LotSizing::LotForLot {} => {}
                LotSizing::FixedQuantity { qty } => {
                    range(|| format!("{}.qty", ls()), qty, 1, MAX_QTY)?
                }
                LotSizing::Period { periods } => {
                    range(|| format!("{}.periods", ls()), periods, 1, MAX_BUCKETS)?
                }
                LotSizing::Eoq {
                    order_cost,
                    holding_cost,
                } => {
                    // The same bounds as a policy set in the database:
                    // beyond them the order quantity is no longer a count.
                    if !order_cost.is_finite() || order_cost < 0.0 {
                        return Err(ProblemError::invalid(
                            format!("{}.order_cost", ls()),
                            Rule::NotNegative {
                                got: cost_text(order_cost),
                            },
                        ));
                    }
                    if !holding_cost.is_finite() || holding_cost <= 0.0 {
                        return Err(ProblemError::invalid(
                            format!("{}.holding_cost", ls()),
                            Rule::Positive {
                                got: cost_text(holding_cost),
                            },
                        ));
                    }
                    // The same bounds as a policy set in the database:
                    // beyond them the order quantity is no longer a count.
                    if order_cost > MAX_ORDER_COST {
                        return Err(ProblemError::invalid(
                            format!("{}.order_cost", ls()),
                            Rule::Between {
                                lo: "0".into(),
                                hi: MAX_ORDER_COST.to_string(),
                                got: cost_text(order_cost),
                            },
                        ));
                    }
                    if !(MIN_HOLDING_COST..=MAX_HOLDING_COST).contains(&holding_cost) {
                        return Err(ProblemError::invalid(
                            format!("{}.holding_cost", ls()),
                            Rule::Between {
                                lo: MIN_HOLDING_COST.to_string(),
                                hi: MAX_HOLDING_COST.to_string(),
                                got: cost_text(holding_cost),
                            },
                        ));
                    }
                }
                LotSizing::MinMax { min, max } => {
                    range(|| format!("{}.min", ls()), min, 0, MAX_QTY)?;
                    range(|| format!("{}.max", ls()), max, 0, MAX_QTY)?;
                    if max < min {
                        return Err(ProblemError::invalid(
                            format!("{}.max", ls()),
                            Rule::MaxBelowMin { min, max },
                        ));
                    }
                }
            }
        }
        for (i, s) in self.stock.iter().enumerate() {
            let at = || format!("stock[{i}]");
            refs(&at, &s.place, &s.item)?;
            qty(|| format!("{}.qty", at()), s.qty)?;
            if s.expiry.is_some() && self.start.is_none() {
                return Err(ProblemError::invalid(
                    "start",
                    Rule::StartNeeded {
                        because: format!("{}.expiry", at()),
                    },
                ));
            }
        }
        for (i, r) in self.scheduled_receipts.iter().enumerate() {
            let at = || format!("scheduled_receipts[{i}]");
            refs(&at, &r.place, &r.item)?;
            bucket(&at, r.bucket)?;
            qty(|| format!("{}.qty", at()), r.qty)?;
        }
        for (i, r) in self.requirements.iter().enumerate() {
            let at = || format!("requirements[{i}]");
            refs(&at, &r.place, &r.item)?;
            bucket(&at, r.bucket)?;
            qty(|| format!("{}.qty", at()), r.qty)?;
        }
        Ok(())
    }

    /// Start of bucket `k`, when the problem has a start.
    pub fn bucket_start(&self, k: usize) -> Option<NaiveDateTime> {
        let hours = i64::try_from(k).ok()?.checked_mul(self.bucket_hours)?;
        self.start?
            .checked_add_signed(chrono::TimeDelta::try_hours(hours)?)
    }
}

fn range(path: impl FnOnce() -> String, v: i64, lo: i64, hi: i64) -> Result<(), ProblemError> {
    if v < lo {
        let rule = if lo == 0 {
            Rule::NotNegative { got: v.to_string() }
        } else {
            Rule::AtLeast {
                lo: lo.to_string(),
                got: v.to_string(),
            }
        };
        Err(ProblemError::invalid(path(), rule))
    } else if v > hi {
        Err(ProblemError::invalid(
            path(),
            Rule::AtMost {
                hi: hi.to_string(),
                got: v.to_string(),
            },
        ))
    } else {
        Ok(())
    }
}

/// A cost as a reader can take it in: `1e300`, not three hundred digits.
fn cost_text(x: f64) -> String {
    if x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

fn qty(path: impl FnOnce() -> String, v: i64) -> Result<(), ProblemError> {
    range(path, v, 0, MAX_QTY)
}

/// Parses a start time: a date, a local date and time, or RFC 3339.
pub fn parse_start(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_local());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    None
}

/// Reads an optional string field with `parse`, so that a bad value is
/// reported where it stands in the file (not at the end of its object).
fn de_opt_with<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    what: &'static str,
) -> Result<Option<T>, D::Error> {
    struct Str<T> {
        parse: fn(&str) -> Option<T>,
        what: &'static str,
    }
    impl<T> serde::de::Visitor<'_> for Str<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            (self.parse)(s).ok_or_else(|| E::custom(format!("`{s}` is not {}", self.what)))
        }
    }
    struct Opt<T>(Str<T>);
    impl<'de, T> serde::de::Visitor<'de> for Opt<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0.what)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(self.0).map(Some)
        }
    }
    d.deserialize_option(Opt(Str { parse, what }))
}

fn de_start<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    de_opt_with(
        d,
        parse_start,
        "a date (2026-03-02) or a time (2026-03-02T08:00, RFC 3339)",
    )
}

fn de_expiry<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    de_opt_with(
        d,
        |s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        "a date (YYYY-MM-DD, e.g. 2026-03-05)",
    )
}

fn ser_start<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) if t.time() == NaiveTime::MIN => {
            s.collect_str(&format_args!("{}", t.format("%Y-%m-%d")))
        }
        Some(t) => s.collect_str(&format_args!("{}", t.format("%Y-%m-%dT%H:%M:%S"))),
        None => s.serialize_none(),
    }
}

/// Turns a serde_json error into a [`ProblemError`] naming the field.
fn json_error(text: &str, e: &serde_json::Error) -> ProblemError {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    match e.classify() {
        Category::Data => {
            let path = locate(text, line, column);
            // An error inside a lot-sizing rule surfaces at the end of its
            // policy: look inside the rule to name the field.
            if let Some(found) = lot_sizing_error(text, &path) {
                return ProblemError::Shape {
                    path: format!("{path}.lot_sizing"),
                    message: found,
                    line,
                    column,
                };
            }
            ProblemError::Shape {
                path,
                message,
                line,
                column,
            }
        }
        Category::Io | Category::Syntax | Category::Eof => ProblemError::Syntax {
            line,
            column,
            message,
        },
    }
}

/// The error in `policies[i].lot_sizing`, when `path` is `policies[i]` and
/// its rule is the trouble.
fn lot_sizing_error(text: &str, path: &str) -> Option<String> {
    let i: usize = path
        .strip_prefix("policies[")?
        .strip_suffix(']')?
        .parse()
        .ok()?;
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let rule = value.get("policies")?.get(i)?.get("lot_sizing")?.clone();
    serde_json::from_value::<LotSizing>(rule)
        .err()
        .map(|e| e.to_string())
}

/// The path (`stock[2].qty`) of the innermost JSON value that contains the
/// given position, found by a small scan of the text. Used only to explain
/// an error, so it tolerates malformed text after the position.
fn locate(text: &str, line: usize, column: usize) -> String {
    let bytes = text.as_bytes();
    // serde_json counts lines from 1 and columns in bytes from 1 (the last
    // byte it read); column 0 means the error sits at a line's start.
    let mut offset = 0usize;
    let mut l = 1usize;
    while l < line && offset < bytes.len() {
        if bytes[offset] == b'\n' {
            l += 1;
        }
        offset += 1;
    }
    let pos = (offset + column).saturating_sub(1);
    let mut scan = Scan {
        bytes,
        at: 0,
        pos,
        found: None,
    };
    let mut path = String::new();
    scan.value(&mut path, 0);
    scan.found.unwrap_or_default()
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Byte offset of the error.
    pos: usize,
    /// The innermost value containing `pos`, once known.
    found: Option<String>,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.at < self.bytes.len() && self.bytes[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    /// Scans one value starting at `self.at`. Values are closed innermost
    /// first, so the first one found to contain the error position is the
    /// innermost; an unclosed value (the text stops or breaks) contains it.
    fn value(&mut self, path: &mut String, depth: usize) {
        self.ws();
        // Deeper than any problem file: serde_json has refused it already,
        // and following it would exhaust the stack.
        if depth > MAX_DEPTH {
            self.at = self.bytes.len();
            return;
        }
        let start = self.at;
        let Some(&first) = self.bytes.get(start) else {
            return;
        };
        match first {
            b'{' | b'[' => {
                self.at += 1;
                let mut index = 0usize;
                loop {
                    if self.found.is_some() {
                        return;
                    }
                    self.ws();
                    match self.bytes.get(self.at) {
                        Some(b'}' | b']') => {
                            self.at += 1;
                            break;
                        }
                        Some(b',') => {
                            self.at += 1;
                            index += 1;
                        }
                        Some(b'"') if first == b'{' => {
                            let key = self.string();
                            self.ws();
                            if self.bytes.get(self.at) == Some(&b':') {
                                self.at += 1;
                            }
                            self.ws();
                            // serde_json reports a wrong value where it
                            // peeked at it: one byte before the value.
                            if self.at > self.pos + 1 {
                                // The error is at this key (an unknown field).
                                break;
                            }
                            let keep = path.len();
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(&key);
                            self.value(path, depth + 1);
                            path.truncate(keep);
                        }
                        Some(_) if first == b'[' => {
                            let keep = path.len();
                            path.push_str(&format!("[{index}]"));
                            let before = self.at;
                            self.value(path, depth + 1);
                            path.truncate(keep);
                            if self.at == before {
                                self.at = self.bytes.len();
                            }
                        }
                        _ => self.at = self.bytes.len(),
                    }
                    if self.at >= self.bytes.len() {
                        break;
                    }
                }
            }
            b'"' => {
                self.string();
            }
            _ => {
                while self.at < self.bytes.len()
                    && !matches!(self.bytes[self.at], b',' | b'}' | b']')
                    && !self.bytes[self.at].is_ascii_whitespace()
                {
                    self.at += 1;
                }
            }
        }
        if self.found.is_none()
            && start <= self.pos + 1
            && (self.pos < self.at || self.at >= self.bytes.len())
        {
            self.found = Some(path.clone());
        }
    }

    fn string(&mut self) -> String {
        let start = self.at + 1;
        self.at += 1;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    let end = self.at - 1;
                    return String::from_utf8_lossy(&self.bytes[start.min(end)..end]).into_owned();
                }
                _ => self.at += 1,
            }
        }
        self.at = self.bytes.len();
        String::new()
    }
}

impl Default for LotSizing {
    fn default() -> Self {
        LotSizing::LotForLot {}
    }
}

impl fmt::Display for LotSizing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LotSizing::LotForLot {} => write!(f, "lot-for-lot"),
            LotSizing::FixedQuantity { qty } => write!(f, "fixed quantity {qty}"),
            LotSizing::Period { periods } => write!(f, "period order quantity, {periods} buckets"),
            LotSizing::Eoq {
                order_cost,
                holding_cost,
            } => write!(
                f,
                "EOQ (order cost {order_cost}, holding cost {holding_cost})"
            ),
            LotSizing::MinMax { min, max } => write!(f, "min/max {min}/{max}"),
        }
    }
}
