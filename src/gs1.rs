//! GS1 barcode data → typed fields. Pure: no I/O.
//!
//! Accepts what scanners and labels deliver:
//! - element strings, variable-length fields ended by the group separator
//!   (ASCII 29) or a configured substitute character, or by the end;
//! - an optional symbology identifier prefix (`]d2`, `]C1`, `]Q3`, `]e0` …);
//! - the human-readable form with parentheses, `(01)…(17)…(10)…`;
//! - GS1 Digital Link URIs, `https://<host>/01/<gtin>/10/<lot>?17=<yymmdd>`;
//! - plain GTIN-8/12/13/14.
//!
//! Besides packs it reads the GSRN of a patient's wristband (AI 8018,
//! "GSRN – recipient") and of a caregiver's badge (AI 8017, "GSRN –
//! provider"): 18 digits whose last is a mod-10 check digit, the GTIN's.
//!
//! GTIN check digits are verified, dates are YYMMDD with day `00` meaning
//! the month's last day and the century chosen by GS1's sliding window
//! (−49/+50 years from today), fixed-length fields have their lengths
//! checked. Unknown AIs are kept as raw elements. Positions in errors count
//! characters from 1 in the input as given.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::gtin;

/// The ASCII group separator (FNC1 inside a symbol).
pub const GS: char = '\u{1d}';

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    pub ai: String,
    pub value: String,
}

/// What a GS1 code says about a pack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gs1 {
    /// GTIN-14 (AI 01), or the plain GTIN scanned.
    pub gtin: Option<String>,
    /// AI 17.
    pub expiry: Option<NaiveDate>,
    /// AI 10.
    pub lot: Option<String>,
    /// AI 21.
    pub serial: Option<String>,
    /// AI 11.
    pub production_date: Option<NaiveDate>,
    /// AI 15.
    pub best_before: Option<NaiveDate>,
    /// AI 30 (variable count of items) or 37 (count of trade items).
    pub count: Option<u64>,
    /// AI 02: GTIN of the trade items contained in a logistic unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_gtin: Option<String>,
    /// AI 8018, GSRN – recipient: the patient a wristband names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gsrn_recipient: Option<String>,
    /// AI 8017, GSRN – provider: the caregiver a badge names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gsrn_provider: Option<String>,
    pub elements: Vec<Element>,
}

/// Why a scan is not a GS1 barcode; the words are in `i18n::errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gs1Error {
    Empty,
    ExpectedAi {
        pos: usize,
        found: String,
    },
    Length {
        pos: usize,
        ai: String,
        expected: usize,
        found: usize,
    },
    TooLong {
        pos: usize,
        ai: String,
        max: usize,
        found: usize,
    },
    NotNumeric {
        pos: usize,
        ai: String,
        value: String,
    },
    EmptyValue {
        pos: usize,
        ai: String,
    },
    Date {
        pos: usize,
        ai: String,
        value: String,
    },
    Gtin {
        pos: usize,
        source: gtin::GtinError,
    },
    Parenthesis {
        pos: usize,
    },
    Uri {
        pos: usize,
        problem: UriProblem,
    },
    Conflict {
        pos: usize,
        ai: String,
    },
    /// A GSRN (AI 8018 on a wristband, 8017 on a badge) that is not one.
    Gsrn {
        pos: usize,
        ai: String,
        value: String,
        problem: GsrnProblem,
    },
}

/// What is wrong with a GSRN (Global Service Relation Number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum GsrnProblem {
    /// Not 18 characters.
    Length { found: usize },
    /// A character that is not a digit.
    NotDigit { found: char },
    /// The last digit is not the mod-10 check digit of the 17 before it.
    CheckDigit { found: u8, expected: u8 },
}

/// Checks a GSRN: 18 digits, the last the GS1 mod-10 check digit (the
/// GTIN's algorithm). Surrounding spaces are ignored; the GSRN is returned.
pub fn check_gsrn(value: &str) -> Result<String, GsrnProblem> {
    let v = value.trim();
    if let Some(c) = v.chars().find(|c| !c.is_ascii_digit()) {
        return Err(GsrnProblem::NotDigit { found: c });
    }
    if v.len() != 18 {
        return Err(GsrnProblem::Length { found: v.len() });
    }
    let (body, last) = v.split_at(17);
    let expected = gtin::check_digit(body).unwrap_or(0);
    let found = last.as_bytes()[0] - b'0';
    if found != expected {
        return Err(GsrnProblem::CheckDigit { found, expected });
    }
    Ok(v.to_string())
}

/// What is wrong with a GS1 Digital Link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriProblem {
    BadEscape,
    NotUtf8,
    NoPath,
    NoGtin,
    NotAnAi { segment: String },
    NoValue { ai: String },
}

impl Gs1Error {
    pub fn position(&self) -> usize {
        match self {
            Gs1Error::Empty => 1,
            Gs1Error::ExpectedAi { pos, .. }
            | Gs1Error::Length { pos, .. }
            | Gs1Error::TooLong { pos, .. }
            | Gs1Error::NotNumeric { pos, .. }
            | Gs1Error::EmptyValue { pos, .. }
            | Gs1Error::Date { pos, .. }
            | Gs1Error::Gtin { pos, .. }
            | Gs1Error::Parenthesis { pos }
            | Gs1Error::Uri { pos, .. }
            | Gs1Error::Conflict { pos, .. }
            | Gs1Error::Gsrn { pos, .. } => *pos,
        }
    }
}

/// How the digits of an AI's data field are constrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    /// Length of the AI itself (2, 3 or 4 digits).
    ai_len: usize,
    /// Fixed data length (no separator needed), or `None` for variable.
    fixed: Option<usize>,
    /// Maximum data length when variable.
    max: usize,
    numeric: bool,
}

/// The length of the AI and of its data, from the AI's first digits
/// (GS1 General Specifications, AI table; the fixed-length prefixes of
/// figure 7.8.4-2 need no separator).
fn spec(prefix2: &str, ai4: &str) -> Option<Spec> {
    let v = |ai_len, max, numeric| {
        Some(Spec {
            ai_len,
            fixed: None,
            max,
            numeric,
        })
    };
    let f = |ai_len, len| {
        Some(Spec {
            ai_len,
            fixed: Some(len),
            max: len,
            numeric: true,
        })
    };
    match prefix2 {
        "00" => f(2, 18),
        "01" | "02" | "03" => f(2, 14),
        "04" => f(2, 16),
        "11" | "12" | "13" | "14" | "15" | "16" | "17" | "18" | "19" => f(2, 6),
        "20" => f(2, 2),
        "10" | "21" | "22" => v(2, 20, false),
        "30" | "37" => v(2, 8, true),
        "90" => v(2, 30, false),
        "91" | "92" | "93" | "94" | "95" | "96" | "97" | "98" | "99" => v(2, 90, false),
        "23" => v(3, 30, false),
        "24" | "25" => v(3, 30, false),
        "40" => v(3, 30, false),
        "41" => f(3, 13),
        "42" => v(3, 30, false),
        "31" | "32" | "33" | "34" | "35" | "36" => f(4, 6),
        "39" => v(4, 18, true),
        "70" | "71" | "72" | "80" | "81" | "82" => {
            // 4-digit AIs; a few are fixed length.
            match ai4 {
                "7003" => f(4, 10),
                "8001" => f(4, 14),
                "8005" => f(4, 6),
                "8006" => f(4, 18),
                "8017" | "8018" => f(4, 18),
                // Service relation instance number, after a GSRN.
                "8019" => v(4, 10, true),
                "8100" => f(4, 6),
                _ => v(4, 70, false),
            }
        }
        _ => None,
    }
}

/// The century of a YYMMDD year by GS1's sliding window around `today`.
fn gs1_year(yy: i32, today: NaiveDate) -> i32 {
    let current = today.year();
    let mut year = current - current.rem_euclid(100) + yy;
    if year - current > 50 {
        year -= 100;
    } else if year - current < -49 {
        year += 100;
    }
    year
}

/// Parses a YYMMDD date; day `00` is the last day of the month.
pub fn parse_date(value: &str, today: NaiveDate) -> Option<NaiveDate> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| value[r].parse::<u32>().ok();
    let (yy, mm, dd) = (n(0..2)?, n(2..4)?, n(4..6)?);
    let year = gs1_year(yy as i32, today);
    if dd == 0 {
        let first_next = if mm == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, mm + 1, 1)
        };
        if !(1..=12).contains(&mm) {
            return None;
        }
        return first_next.and_then(|d| d.pred_opt());
    }
    NaiveDate::from_ymd_opt(year, mm, dd)
}

/// Options of the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// A character the scanner sends instead of the group separator.
    pub separator: Option<char>,
    /// "Today", for the date century window.
    pub today: NaiveDate,
}

/// Parses scanned or typed GS1 data.
pub fn parse(input: &str, opts: Options) -> Result<Gs1, Gs1Error> {
    let chars: Vec<char> = input.chars().collect();
    let mut start = 0;
    // Symbology identifier: "]" + code letter + modifier digit.
    if chars.len() >= 3
        && chars[0] == ']'
        && chars[1].is_ascii_alphabetic()
        && chars[2].is_ascii_alphanumeric()
    {
        start = 3;
    }
    // Leading separators (an FNC1 in first position) and surrounding spaces carry nothing.
    let is_sep = |c: char| c == GS || Some(c) == opts.separator;
    while start < chars.len() && (is_sep(chars[start]) || chars[start].is_whitespace()) {
        start += 1;
    }
    let mut end = chars.len();
    while end > start && (chars[end - 1].is_whitespace() || is_sep(chars[end - 1])) {
        end -= 1;
    }
    if start >= end {
        return Err(Gs1Error::Empty);
    }
    let body: String = chars[start..end].iter().collect();
    let lower = body.to_ascii_lowercase();
    let elements = if lower.starts_with("http://") || lower.starts_with("https://") {
        digital_link(&chars[start..end], start)?
    } else if chars[start] == '(' {
        human_readable(&chars[start..end], start)?
    } else if chars[start..end].iter().all(|c| c.is_ascii_digit())
        && [8, 12, 13].contains(&(end - start))
    {
        // A plain GTIN-8/12/13 (a 14-digit string is read as a GTIN-14 too, below).
        let g = gtin::normalize(&body).map_err(|source| Gs1Error::Gtin {
            pos: start + 1,
            source,
        })?;
        vec![(
            start,
            Element {
                ai: "01".into(),
                value: g,
            },
        )]
    } else if chars[start..end].iter().all(|c| c.is_ascii_digit())
        && end - start == 14
        && !looks_like_elements(&body)
    {
        vec![(
            start,
            Element {
                ai: "01".into(),
                value: body.clone(),
            },
        )]
    } else {
        element_string(&chars[start..end], start, &is_sep)?
    };
    interpret(elements, opts.today)
}

/// A 14-digit string starting with "01"/"02" could be an element string with
/// a short GTIN; treat 14 digits as a plain GTIN-14 unless its check digit fails.
fn looks_like_elements(body: &str) -> bool {
    gtin::normalize(body).is_err()
}

fn element_string(
    chars: &[char],
    offset: usize,
    is_sep: &dyn Fn(char) -> bool,
) -> Result<Vec<(usize, Element)>, Gs1Error> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_sep(chars[i]) {
            i += 1;
            continue;
        }
        let pos = offset + i + 1;
        let prefix: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let ai4: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if prefix.len() < 2 || !prefix.chars().all(|c| c.is_ascii_digit()) {
            return Err(Gs1Error::ExpectedAi {
                pos,
                found: chars[i..chars.len().min(i + 4)].iter().collect(),
            });
        }
        let Some(s) = spec(&prefix, &ai4) else {
            return Err(Gs1Error::ExpectedAi { pos, found: ai4 });
        };
        if i + s.ai_len > chars.len() {
            return Err(Gs1Error::ExpectedAi { pos, found: ai4 });
        }
        let ai: String = chars[i..i + s.ai_len].iter().collect();
        if !ai.chars().all(|c| c.is_ascii_digit()) {
            return Err(Gs1Error::ExpectedAi { pos, found: ai });
        }
        let data_start = i + s.ai_len;
        let data_end = match s.fixed {
            Some(n) => {
                let available = chars[data_start..]
                    .iter()
                    .take_while(|c| !is_sep(**c))
                    .count();
                if available < n {
                    return Err(Gs1Error::Length {
                        pos: offset + data_start + 1,
                        ai,
                        expected: n,
                        found: available,
                    });
                }
                data_start + n
            }
            None => {
                data_start
                    + chars[data_start..]
                        .iter()
                        .take_while(|c| !is_sep(**c))
                        .count()
            }
        };
        let value: String = chars[data_start..data_end].iter().collect();
        out.push((offset + data_start, Element { ai, value }));
        i = data_end;
    }
    Ok(out)
}

fn human_readable(chars: &[char], offset: usize) -> Result<Vec<(usize, Element)>, Gs1Error> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        if chars[i] != '(' {
            return Err(Gs1Error::ExpectedAi {
                pos: offset + i + 1,
                found: chars[i].to_string(),
            });
        }
        let Some(close) = chars[i..].iter().position(|c| *c == ')').map(|p| p + i) else {
            return Err(Gs1Error::Parenthesis {
                pos: offset + i + 1,
            });
        };
        let ai: String = chars[i + 1..close].iter().collect();
        if ai.len() < 2 || ai.len() > 4 || !ai.chars().all(|c| c.is_ascii_digit()) {
            return Err(Gs1Error::ExpectedAi {
                pos: offset + i + 2,
                found: ai,
            });
        }
        let data_start = close + 1;
        let data_end = chars[data_start..]
            .iter()
            .position(|c| *c == '(')
            .map_or(chars.len(), |p| p + data_start);
        let value: String = chars[data_start..data_end]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string();
        out.push((offset + data_start, Element { ai, value }));
        i = data_end;
    }
    Ok(out)
}

fn percent_decode(s: &str, pos: usize) -> Result<String, Gs1Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    return Err(Gs1Error::Uri {
                        pos: pos + i,
                        problem: UriProblem::BadEscape,
                    });
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Gs1Error::Uri {
        pos,
        problem: UriProblem::NotUtf8,
    })
}

fn digital_link(chars: &[char], offset: usize) -> Result<Vec<(usize, Element)>, Gs1Error> {
    let s: String = chars.iter().collect();
    // Character positions of byte offsets (the URI may hold non-ASCII).
    let pos_of = |byte: usize| offset + s[..byte.min(s.len())].chars().count() + 1;
    let after_scheme = s.find("://").map(|p| p + 3).unwrap_or(0);
    let path_start = s[after_scheme..].find('/').map(|p| p + after_scheme);
    let Some(path_start) = path_start else {
        return Err(Gs1Error::Uri {
            pos: pos_of(s.len()),
            problem: UriProblem::NoPath,
        });
    };
    let (path, query) = match s[path_start..].find(['?', '#']) {
        Some(q) => (&s[path_start..path_start + q], Some(path_start + q)),
        None => (&s[path_start..], None),
    };
    // Find the primary key "/01/" (or "/gtin/"), or a GSRN's "/8018/" or
    // "/8017/", in the path; anything before it is a prefix.
    let segments: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut at = path_start;
        for seg in path.split('/') {
            v.push((at, seg));
            at += seg.len() + 1;
        }
        v
    };
    let Some(k) = segments.iter().position(|(_, seg)| {
        ["01", "8017", "8018"].contains(seg)
            || ["gtin", "gsrn", "gsrnp"]
                .iter()
                .any(|k| seg.eq_ignore_ascii_case(k))
    }) else {
        return Err(Gs1Error::Uri {
            pos: pos_of(path_start),
            problem: UriProblem::NoGtin,
        });
    };
    let mut out = Vec::new();
    let mut j = k;
    while j < segments.len() {
        let (at, key) = segments[j];
        if key.is_empty() {
            j += 1;
            continue;
        }
        let ai = match key.to_ascii_lowercase().as_str() {
            "gtin" => "01".to_string(),
            "lot" => "10".to_string(),
            "ser" => "21".to_string(),
            "gsrn" => "8018".to_string(),
            "gsrnp" => "8017".to_string(),
            "srin" => "8019".to_string(),
            _ => key.to_string(),
        };
        if !ai.chars().all(|c| c.is_ascii_digit()) || !(2..=4).contains(&ai.len()) {
            return Err(Gs1Error::Uri {
                pos: pos_of(at),
                problem: UriProblem::NotAnAi {
                    segment: key.to_string(),
                },
            });
        }
        let Some(&(vat, value)) = segments.get(j + 1) else {
            return Err(Gs1Error::Uri {
                pos: pos_of(at),
                problem: UriProblem::NoValue { ai: ai.clone() },
            });
        };
        let mut value = percent_decode(value, pos_of(vat))?;
        // Digital Link allows GTIN-8/12/13 in the path; element strings carry GTIN-14.
        if ai == "01"
            && [8, 12, 13].contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_digit())
        {
            value = format!("{value:0>14}");
        }
        out.push((pos_of(vat) - 1, Element { ai, value }));
        j += 2;
    }
    if let Some(q) = query {
        let qs = &s[q + 1..];
        let qs = qs.split('#').next().unwrap_or("");
        let mut at = q + 1;
        for pair in qs.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            // Only numeric keys are AIs; other parameters (linkType, …) are not data.
            if !key.is_empty()
                && key.chars().all(|c| c.is_ascii_digit())
                && (2..=4).contains(&key.len())
            {
                let vpos = at + key.len() + 1;
                out.push((
                    pos_of(vpos) - 1,
                    Element {
                        ai: key.to_string(),
                        value: percent_decode(value, pos_of(vpos))?,
                    },
                ));
            }
            at += pair.len() + 1;
        }
    }
    Ok(out)
}

/// Checks each element against its AI's rules and fills the typed fields.
fn interpret(elements: Vec<(usize, Element)>, today: NaiveDate) -> Result<Gs1, Gs1Error> {
    let mut g = Gs1::default();
    for (at, e) in elements {
        let pos = at + 1;
        if e.value.is_empty() {
            return Err(Gs1Error::EmptyValue { pos, ai: e.ai });
        }
        let prefix = &e.ai[..2.min(e.ai.len())];
        let ai4: String = e.ai.chars().chain(std::iter::repeat('0')).take(4).collect();
        if let Some(s) = spec(prefix, &ai4) {
            let n = e.value.chars().count();
            if s.ai_len != e.ai.len() {
                return Err(Gs1Error::ExpectedAi { pos, found: e.ai });
            }
            match s.fixed {
                Some(len) if n != len => {
                    return Err(Gs1Error::Length {
                        pos,
                        ai: e.ai,
                        expected: len,
                        found: n,
                    });
                }
                None if n > s.max => {
                    return Err(Gs1Error::TooLong {
                        pos,
                        ai: e.ai,
                        max: s.max,
                        found: n,
                    });
                }
                _ => {}
            }
            if s.numeric && !e.value.chars().all(|c| c.is_ascii_digit()) {
                return Err(Gs1Error::NotNumeric {
                    pos,
                    ai: e.ai,
                    value: e.value,
                });
            }
        }
        let date = |v: &str| {
            parse_date(v, today).ok_or_else(|| Gs1Error::Date {
                pos,
                ai: e.ai.clone(),
                value: v.to_string(),
            })
        };
        let gtin14 = |v: &str| gtin::normalize(v).map_err(|source| Gs1Error::Gtin { pos, source });
        let set = |slot: &mut Option<String>, v: String| -> Result<(), Gs1Error> {
            match slot {
                Some(old) if *old != v => Err(Gs1Error::Conflict {
                    pos,
                    ai: e.ai.clone(),
                }),
                _ => {
                    *slot = Some(v);
                    Ok(())
                }
            }
        };
        match e.ai.as_str() {
            "01" => set(&mut g.gtin, gtin14(&e.value)?)?,
            "02" => set(&mut g.content_gtin, gtin14(&e.value)?)?,
            "00" => {
                let (body, last) = e.value.split_at(17);
                let expected = gtin::check_digit(body).unwrap_or(0);
                if last.as_bytes()[0] - b'0' != expected {
                    return Err(Gs1Error::Gtin {
                        pos,
                        source: gtin::GtinError::CheckDigit {
                            gtin: e.value.clone(),
                            found: last.as_bytes()[0] - b'0',
                            expected,
                        },
                    });
                }
            }
            "10" => set(&mut g.lot, e.value.clone())?,
            "21" => set(&mut g.serial, e.value.clone())?,
            "11" => g.production_date = Some(date(&e.value)?),
            "15" => g.best_before = Some(date(&e.value)?),
            "17" => g.expiry = Some(date(&e.value)?),
            "12" | "13" | "16" => {
                date(&e.value)?;
            }
            "30" | "37" => g.count = e.value.parse().ok(),
            "8017" | "8018" => {
                let gsrn = check_gsrn(&e.value).map_err(|problem| Gs1Error::Gsrn {
                    pos,
                    ai: e.ai.clone(),
                    value: e.value.clone(),
                    problem,
                })?;
                let slot = if e.ai == "8018" {
                    &mut g.gsrn_recipient
                } else {
                    &mut g.gsrn_provider
                };
                set(slot, gsrn)?;
            }
            _ => {}
        }
        g.elements.push(e);
    }
    Ok(g)
}

/// Formats fields as an element string with `sep` after variable-length
/// fields (what a scanner sends), for tests and labels.
pub fn element_string_of(elements: &[Element], sep: char) -> String {
    let mut out = String::new();
    for (i, e) in elements.iter().enumerate() {
        out.push_str(&e.ai);
        out.push_str(&e.value);
        let prefix = &e.ai[..2.min(e.ai.len())];
        let ai4: String = e.ai.chars().chain(std::iter::repeat('0')).take(4).collect();
        let fixed = spec(prefix, &ai4).is_some_and(|s| s.fixed.is_some());
        if !fixed && i + 1 < elements.len() {
            out.push(sep);
        }
    }
    out
}

#[cfg(test)]
mod tests;
