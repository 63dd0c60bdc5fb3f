//! The words for the errors of the store (opening the database), the
//! barcode parser and GTIN check digits.

use std::fmt;

use crate::domain::gtin::GtinError;
use crate::gs1::{Gs1Error, UriProblem};
use crate::store::StoreError;
use crate::t;

/// A database error in words a user can act on; SQLite's own text only as
/// the cause of an unexpected failure.
pub fn sqlite(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            t!("db.busy").to_string()
        }
        Some(ErrorCode::DiskFull) => t!("db.full").to_string(),
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) => {
            t!("db.read_only").to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            t!("db.corrupt").to_string()
        }
        _ => t!("db.other", cause = e),
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            StoreError::Folder { path } => t!("db.folder", path = path),
            StoreError::CannotOpen { path } => t!("db.cannot_open", path = path),
            StoreError::Open { path, cause } => t!("db.open", path = path, cause = sqlite(cause)),
            StoreError::NoWal { path, mode } => t!("db.no_wal", path = path, mode = mode),
            StoreError::NotWardstock { path } => t!("db.not_wardstock", path = path),
            StoreError::TooNew { path, found, known } => {
                t!("db.too_new", path = path, found = found, known = known)
            }
            StoreError::Migration { path, cause } => t!("db.migration", path = path, cause = cause),
            StoreError::Sqlite(e) => sqlite(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for GtinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            GtinError::Length(g, n) => t!("gtin.length", gtin = g, n = n),
            GtinError::NotDigit(g, c, pos) => t!("gtin.not_digit", gtin = g, c = c, pos = pos),
            GtinError::CheckDigit {
                gtin,
                found,
                expected,
            } => {
                t!(
                    "gtin.check_digit",
                    gtin = gtin,
                    found = found,
                    expected = expected
                )
            }
        };
        f.write_str(&s)
    }
}

impl std::error::Error for GtinError {}

impl fmt::Display for Gs1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Gs1Error::Empty => t!("gs1.empty").to_string(),
            Gs1Error::ExpectedAi { pos, found } => t!("gs1.expected_ai", pos = pos, found = found),
            Gs1Error::Length {
                pos,
                ai,
                expected,
                found,
            } => {
                t!(
                    "gs1.length",
                    pos = pos,
                    ai = ai,
                    expected = expected,
                    found = found
                )
            }
            Gs1Error::TooLong {
                pos,
                ai,
                max,
                found,
            } => {
                t!("gs1.too_long", pos = pos, ai = ai, max = max, found = found)
            }
            Gs1Error::NotNumeric { pos, ai, value } => {
                t!("gs1.not_numeric", pos = pos, ai = ai, value = value)
            }
            Gs1Error::EmptyValue { pos, ai } => t!("gs1.empty_value", pos = pos, ai = ai),
            Gs1Error::Date { pos, ai, value } => t!("gs1.date", pos = pos, ai = ai, value = value),
            Gs1Error::Gtin { pos, source } => t!("gs1.gtin", pos = pos, problem = source),
            Gs1Error::Parenthesis { pos } => t!("gs1.parenthesis", pos = pos),
            Gs1Error::Uri { pos, problem } => {
                let p = match problem {
                    UriProblem::BadEscape => t!("gs1.uri.bad_escape").to_string(),
                    UriProblem::NotUtf8 => t!("gs1.uri.not_utf8").to_string(),
                    UriProblem::NoPath => t!("gs1.uri.no_path").to_string(),
                    UriProblem::NoGtin => t!("gs1.uri.no_gtin").to_string(),
                    UriProblem::NotAnAi { segment } => t!("gs1.uri.not_an_ai", segment = segment),
                    UriProblem::NoValue { ai } => t!("gs1.uri.no_value", ai = ai),
                };
                t!("gs1.uri.at", pos = pos, problem = p)
            }
            Gs1Error::Conflict { pos, ai } => t!("gs1.conflict", pos = pos, ai = ai),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for Gs1Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Gs1Error::Gtin { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_thread_lang};

    #[test]
    fn a_bad_barcode_is_said_in_the_readers_language() {
        let e = crate::gs1::parse(
            "(01)12345678901234",
            crate::gs1::Options {
                separator: None,
                today: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            },
        )
        .unwrap_err();
        set_thread_lang(Lang::En);
        let en = e.to_string();
        set_thread_lang(Lang::ZhCn);
        let zh = e.to_string();
        assert!(en.contains("check digit"), "{en}");
        assert!(zh.contains("校验位"), "{zh}");
        assert!(zh.contains("12345678901234"), "{zh}");
    }

    #[test]
    fn a_newer_database_is_said_in_both_languages() {
        let e = StoreError::TooNew {
            path: "/x.sqlite".into(),
            found: 9,
            known: 6,
        };
        set_thread_lang(Lang::ZhCn);
        assert!(
            e.to_string().contains("/x.sqlite") && e.to_string().contains("更新"),
            "{e}"
        );
        set_thread_lang(Lang::En);
        assert!(e.to_string().contains("newer wardstock"), "{e}");
    }
}
