//! A report as the reader sees it: sheets of typed cells.
//!
//! `ops::reports` computes a report as plain data. Turned into a [`Report`]
//! it has its words (titles and column headings in the reader's language)
//! and cells that keep their type, so every face writes the same report its
//! own way without guessing: the CLI's text table and CSV, the XLSX workbook
//! (numbers as numbers, dates as dates, money formatted) and the console's
//! Reports screen.

use chrono::{NaiveDate, NaiveDateTime};

/// One value of a report, with its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Words or a code, shown as written.
    Text(String),
    /// A stable code (`opening`, `receipt`, `yes`) in files and the
    /// reader's words for it on the screen: `code` is what a CSV holds,
    /// `text` what a person reads (text table, console, XLSX).
    Coded {
        code: String,
        text: String,
    },
    /// A count of units (or of doses, orders …).
    Units(i64),
    /// Money in cents.
    Money(i64),
    /// A day on the site's calendar.
    Date(NaiveDate),
    /// A local time on the site's clock.
    DateTime(NaiveDateTime),
    /// A number of days, possibly fractional (days of cover, days late).
    Days(f64),
    /// A share: 0.25 is 25 %.
    Percent(f64),
}

impl Cell {
    /// The cell as a text table shows it, in the reader's language.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Coded { text, .. } => text.clone(),
            Cell::Units(n) => super::num(*n),
            Cell::Money(c) => super::money(*c),
            Cell::Date(d) => super::date(*d),
            Cell::DateTime(t) => super::datetime(*t),
            Cell::Days(d) => format!("{d:.1}"),
            Cell::Percent(p) => format!("{:.1} %", p * 100.0),
        }
    }

    /// The cell as a CSV file holds it: numbers without separators, money
    /// with two decimals, days and times in ISO 8601.
    pub fn csv(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Coded { code, .. } => code.clone(),
            Cell::Units(n) => n.to_string(),
            Cell::Money(c) => {
                let sign = if *c < 0 { "-" } else { "" };
                format!(
                    "{sign}{}.{:02}",
                    c.unsigned_abs() / 100,
                    c.unsigned_abs() % 100
                )
            }
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Cell::Days(d) => format!("{d:.1}"),
            Cell::Percent(p) => format!("{:.4}", p),
        }
    }

    /// Numbers, money, days and times are right-aligned; words are not.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Units(_) | Cell::Money(_) | Cell::Days(_) | Cell::Percent(_)
        )
    }
}

impl Cell {
    /// A code with the reader's words for it.
    pub fn coded(code: impl Into<String>, text: impl Into<String>) -> Cell {
        Cell::Coded {
            code: code.into(),
            text: text.into(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// A column: `key` is the stable CSV header (English, snake_case, what a
/// spreadsheet formula refers to); `heading` is the reader's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: &'static str,
    pub heading: String,
}

impl Column {
    pub fn new(key: &'static str, heading: impl Into<String>) -> Self {
        Column {
            key,
            heading: heading.into(),
        }
    }
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// A stable English name for files and tests (`expiring`, `wasted`).
    pub key: &'static str,
    /// A short name (an XLSX tab holds at most 31 characters).
    pub name: String,
    /// The line above the table: what it is and over which period.
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// A totals row, shown under the table (and written last to files).
    pub total: Option<Vec<Cell>>,
    /// Lines under the table in words (what ★ means, what was left out).
    pub notes: Vec<String>,
}

impl Sheet {
    /// Every row's cell in column `key`, for tests and charts.
    pub fn column(&self, key: &str) -> Option<Vec<&Cell>> {
        let i = self.columns.iter().position(|c| c.key == key)?;
        Some(self.rows.iter().filter_map(|r| r.get(i)).collect())
    }
}

/// A whole report: one or more sheets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub title: String,
    pub sheets: Vec<Sheet>,
}
