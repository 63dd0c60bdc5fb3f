//! Reading a spreadsheet's CSV (BOM, separator, header) and checking its
//! values: decimals, dates, yes/no, units, ATC codes, GTINs.

use super::*;

// ---------------------------------------------------------------------------
// Reading the file.

/// A file read into its header and rows of trimmed cells.
#[derive(Debug)]
pub struct Sheet {
    /// Column name (lower case) → position.
    pub columns: HashMap<String, usize>,
    pub header: Vec<String>,
    /// (line, cells)
    pub rows: Vec<(u64, Vec<String>)>,
    pub semicolons: bool,
}

/// Reads CSV bytes: BOM removed, separator detected from the header line.
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        ImportError::NotUtf8 { line }
    })?;
    let first = text.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let semicolons = separator_is_semicolon(first);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(if semicolons { b';' } else { b',' })
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|c| c.trim().to_lowercase().replace(' ', "_"))
            .collect(),
        Some(Err(e)) => return Err(csv_error(&e)),
        None => return Err(ImportError::Empty),
    };
    let mut columns = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        columns.entry(h.clone()).or_insert(i);
    }
    let mut rows = Vec::new();
    for (n, rec) in records.enumerate() {
        let rec = rec.map_err(|e| csv_error(&e))?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        // Rows a spreadsheet leaves empty at the end are not data.
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows.push((n as u64 + 2, cells));
    }
    Ok(Sheet {
        columns,
        header,
        rows,
        semicolons,
    })
}

pub(in crate::ops::import) fn csv_error(e: &csv::Error) -> ImportError {
    ImportError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "utf-8".into(),
            _ => e.to_string(),
        },
    }
}

/// The separator a spreadsheet saved: more semicolons than commas (outside
/// quotes) in the header line means semicolons.
pub(in crate::ops::import) fn separator_is_semicolon(line: &str) -> bool {
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            _ => {}
        }
    }
    semis > commas
}

// ---------------------------------------------------------------------------
// Checking values.

/// One row being checked: its cells by column, and the problems found.
pub(in crate::ops::import) struct Row<'a> {
    pub(in crate::ops::import) line: u64,
    pub(in crate::ops::import) cells: &'a [String],
    pub(in crate::ops::import) columns: &'a HashMap<String, usize>,
    pub(in crate::ops::import) semicolons: bool,
    pub(in crate::ops::import) problems: &'a mut Vec<RowProblem>,
}

impl Row<'_> {
    pub(in crate::ops::import) fn has(&self, col: &str) -> bool {
        self.columns.contains_key(col)
    }

    pub(in crate::ops::import) fn text(&self, col: &str) -> &str {
        self.columns
            .get(col)
            .and_then(|i| self.cells.get(*i))
            .map_or("", |s| s.as_str())
    }

    pub(in crate::ops::import) fn bad(&mut self, col: &str, problem: Problem) {
        self.problems.push(RowProblem {
            line: self.line,
            column: col.to_string(),
            problem,
        });
    }

    pub(in crate::ops::import) fn opt(&self, col: &str) -> Option<String> {
        Some(self.text(col).to_string()).filter(|s| !s.is_empty())
    }

    pub(in crate::ops::import) fn req(&mut self, col: &str) -> Option<String> {
        let v = self.opt(col);
        if v.is_none() {
            self.bad(col, Problem::Required);
        }
        v
    }

    /// An optional whole number at least `min`: `Some(None)` when empty.
    pub(in crate::ops::import) fn int_opt(&mut self, col: &str, min: i64) -> Option<Option<i64>> {
        let s = self.text(col).to_string();
        if s.is_empty() {
            return Some(None);
        }
        let max = crate::ops::items::MAX_UNITS;
        match s.parse::<i64>() {
            Ok(v) if v > max => {
                self.bad(col, Problem::TooLarge { value: v, max });
                None
            }
            Ok(v) if v >= min => Some(Some(v)),
            Ok(v) => {
                self.bad(col, Problem::TooSmall { value: v, min });
                None
            }
            Err(_) => {
                self.bad(col, Problem::Number { value: s });
                None
            }
        }
    }

    pub(in crate::ops::import) fn int(&mut self, col: &str, min: i64) -> Option<i64> {
        match self.int_opt(col, min)? {
            Some(v) => Some(v),
            None => {
                self.bad(col, Problem::Required);
                None
            }
        }
    }

    /// An optional decimal in units of 10^-places: `Some(None)` when empty.
    pub(in crate::ops::import) fn dec_opt(
        &mut self,
        col: &str,
        places: u32,
    ) -> Option<Option<i64>> {
        let s = self.text(col).to_string();
        if s.is_empty() {
            return Some(None);
        }
        match parse_decimal(&s, places, self.semicolons) {
            Some(v) => Some(Some(v)),
            None => {
                self.bad(col, Problem::Decimal { value: s, places });
                None
            }
        }
    }

    pub(in crate::ops::import) fn boolean(&mut self, col: &str) -> Option<bool> {
        let s = self.text(col).to_string();
        match parse_bool(&s) {
            Some(b) => Some(b),
            None if s.is_empty() => {
                self.bad(col, Problem::Required);
                None
            }
            None => {
                self.bad(col, Problem::Bool { value: s });
                None
            }
        }
    }

    pub(in crate::ops::import) fn date_opt(&mut self, col: &str) -> Option<Option<NaiveDate>> {
        let s = self.text(col).to_string();
        if s.is_empty() {
            return Some(None);
        }
        match parse_date(&s) {
            Ok(d) => Some(Some(d)),
            Err(p) => {
                self.bad(col, p);
                None
            }
        }
    }

    /// A unit (`dose_unit`, `strength_unit`) from `allowed`, as the
    /// formulary spells it: µg, μg, ug and mcg are microgram; units is unit.
    pub(in crate::ops::import) fn unit(
        &mut self,
        col: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let s = self.text(col);
        if let Some(canonical) = unit_alias(s)
            && allowed.contains(&canonical)
        {
            return Some(canonical);
        }
        self.one_of(col, allowed)
    }

    /// A value from a list (matched case-insensitively), as the list spells it.
    pub(in crate::ops::import) fn one_of(
        &mut self,
        col: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let s = self.text(col).to_string();
        if s.is_empty() {
            self.bad(
                col,
                Problem::RequiredOneOf {
                    allowed: allowed.join(" | "),
                },
            );
            return None;
        }
        let found = allowed.iter().find(|a| a.eq_ignore_ascii_case(&s)).copied();
        if found.is_none() {
            self.bad(
                col,
                Problem::OneOf {
                    value: s,
                    allowed: allowed.join(" | "),
                },
            );
        }
        found
    }
}

/// `0.5`, `2.67`, `12` → the value in units of 10^-places, exactly. A comma
/// is a decimal mark only in a semicolon-separated file.
pub fn parse_decimal(s: &str, places: u32, comma_decimal: bool) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = match s.find(|c| c == '.' || (comma_decimal && c == ',')) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > places as usize
        || whole.len() > 12
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..places as usize {
        f *= 10;
    }
    w.checked_mul(10i64.pow(places))?.checked_add(f)
}

/// An integer in units of 10^-places written as a decimal (`500` at 3
/// places is `0.5`).
pub fn decimal_text(v: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let (w, f) = (v / scale, (v % scale).abs());
    if f == 0 {
        return w.to_string();
    }
    let frac = format!("{f:0width$}", width = places as usize);
    let frac = if places == 2 {
        frac.as_str()
    } else {
        frac.trim_end_matches('0')
    };
    format!("{w}.{frac}")
}

/// Another spelling of a unit of the formulary: the formulary's own.
pub fn unit_alias(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        // µ is the micro sign (U+00B5), μ the Greek letter (U+03BC).
        "mcg" | "µg" | "μg" | "ug" | "micrograms" | "微克" => Some("microgram"),
        "units" => Some("unit"),
        "puffs" => Some("puff"),
        "packs" => Some("pack"),
        _ => None,
    }
}

/// A date as the import reads it: YYYY-MM-DD only. Another way of writing
/// it is refused with the way to write it; when the day and the month
/// cannot be told apart (03/04/2027) both readings are given, never guessed.
pub fn parse_date(s: &str) -> Result<NaiveDate, Problem> {
    let s = s.trim();
    if s.len() == 10
        && s.as_bytes()[4] == b'-'
        && let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
    {
        return Ok(d);
    }
    let value = s.to_string();
    let parts: Vec<&str> = s.split(['/', '.', '-']).map(str::trim).collect();
    let numbers: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 3 || numbers.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(Problem::Date { value });
    }
    let (a, b, c) = (numbers[0], numbers[1], numbers[2]);
    let ymd = |y: u32, m: u32, d: u32| NaiveDate::from_ymd_opt(y as i32, m, d);
    if parts[0].len() == 4 {
        return match ymd(a, b, c) {
            Some(write) => Err(Problem::DateAs { value, write }),
            None => Err(Problem::Date { value }),
        };
    }
    if parts[2].len() == 4 {
        return match (ymd(c, b, a), ymd(c, a, b)) {
            (Some(day_first), Some(month_first)) if day_first != month_first => {
                Err(Problem::DateAmbiguous {
                    value,
                    day_first,
                    month_first,
                })
            }
            (Some(write), _) | (None, Some(write)) => Err(Problem::DateAs { value, write }),
            (None, None) => Err(Problem::Date { value }),
        };
    }
    Err(Problem::Date { value })
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "y" | "是" => Some(true),
        "no" | "false" | "0" | "n" | "否" => Some(false),
        _ => None,
    }
}

pub(in crate::ops::import) fn atc_ok(atc: &str) -> bool {
    let b = atc.as_bytes();
    b.len() == 7
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3..5].iter().all(u8::is_ascii_uppercase)
        && b[5..7].iter().all(u8::is_ascii_digit)
}

/// The first 1, 3, 4, 5 or 7 characters of an ATC code (an allergy to a
/// group of medicines).
pub(in crate::ops::import) fn atc_prefix_ok(p: &str) -> bool {
    const FULL: &str = "N02BE01";
    [1, 3, 4, 5, 7].contains(&p.len())
        && p.bytes().zip(FULL.bytes()).all(|(c, f)| {
            if f.is_ascii_digit() {
                c.is_ascii_digit()
            } else {
                c.is_ascii_uppercase()
            }
        })
}

pub(in crate::ops::import) fn gtin_problem(e: gtin::GtinError) -> Problem {
    match e {
        gtin::GtinError::CheckDigit { gtin, expected, .. } => {
            Problem::GtinCheckDigit { gtin, expected }
        }
        gtin::GtinError::Length(g, _) | gtin::GtinError::NotDigit(g, _, _) => {
            Problem::GtinFormat { gtin: g }
        }
    }
}

/// A GTIN-14 as people write it: the shortest of GTIN-8, -12 or -13 it
/// pads to (the same number once read back).
pub fn gtin_text(g14: &str) -> &str {
    [8, 12, 13]
        .into_iter()
        .find(|l| g14.len() == 14 && g14.bytes().take(14 - l).all(|b| b == b'0'))
        .map_or(g14, |l| &g14[14 - l..])
}
