//! The words for the errors of the store (opening the database), the
//! barcode parser and GTIN check digits.

use std::fmt;

use crate::gs1::{Gs1Error, UriProblem};
use crate::ops::scan::ScanError;
use crate::ops::site::SiteError;
use crate::planning::problem::{ProblemError, Rule};
use crate::planning::sim::ScenarioError;
use crate::store::StoreError;
use crate::store::backup::BackupError;
use crate::t;

/// What a table of recorded work holds, in words ("recorded dose(s)").
fn record_kind(table: &str) -> &'static str {
    match table {
        "movements" => t!("backup.kind.movements"),
        "location_moves" => t!("backup.kind.location_moves"),
        "administrations" => t!("backup.kind.administrations"),
        "prescriptions" => t!("backup.kind.prescriptions"),
        "prescription_events" => t!("backup.kind.prescription_events"),
        "patient_allergies" => t!("backup.kind.patient_allergies"),
        "patients" => t!("backup.kind.patients"),
        "lots" => t!("backup.kind.lots"),
        "lot_events" => t!("backup.kind.lot_events"),
        "transfer_orders" => t!("backup.kind.transfer_orders"),
        "picks" => t!("backup.kind.picks"),
        "stocktakes" => t!("backup.kind.stocktakes"),
        "purchase_orders" => t!("backup.kind.purchase_orders"),
        "purchase_receipts" => t!("backup.kind.purchase_receipts"),
        "plan_decisions" => t!("backup.kind.plan_decisions"),
        "users" => t!("backup.kind.users"),
        "items" => t!("backup.kind.items"),
        _ => t!("backup.kind.reference_history"),
    }
}

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
            StoreError::Empty { path } => t!("db.empty", path = path),
            StoreError::Exists { path } => t!("db.exists", path = path),
            StoreError::NoWal { path, mode } => t!("db.no_wal", path = path, mode = mode),
            StoreError::NotWardstock { path } => t!("db.not_wardstock", path = path),
            StoreError::TooNew { path, found, known } => {
                t!("db.too_new", path = path, found = found, known = known)
            }
            StoreError::Migration { path, cause } => t!("db.migration", path = path, cause = cause),
            StoreError::ReadOnlyOld { path, found, known } => {
                t!(
                    "db.read_only_old",
                    path = path,
                    found = found,
                    known = known
                )
            }
            StoreError::Sqlite(e) => sqlite(e),
        };
        f.write_str(&s)
    }
}

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
            Gs1Error::Gsrn {
                ai, value, problem, ..
            } => super::wristband::gsrn_problem(ai, value, problem),
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

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Rule::Between { lo, hi, got } => t!("file.rule.between", lo = lo, hi = hi, got = got),
            Rule::FromBelow { lo, hi, got } => {
                t!("file.rule.from_below", lo = lo, hi = hi, got = got)
            }
            Rule::AtLeast { lo, got } => t!("file.rule.at_least", lo = lo, got = got),
            Rule::AtMost { hi, got } => t!("file.rule.at_most", hi = hi, got = got),
            Rule::Positive { got } => t!("file.rule.positive", got = got),
            Rule::NotNegative { got } => t!("file.rule.not_negative", got = got),
            Rule::NotANumber { got } => t!("file.rule.not_a_number", got = got),
            Rule::Empty => t!("file.rule.empty").to_string(),
            Rule::NoneListed => t!("file.rule.none_listed").to_string(),
            Rule::TooMany { max, got } => t!("file.rule.too_many", max = max, got = got),
            Rule::Repeats { what, first } => t!("file.rule.repeats", what = what, first = first),
            Rule::NotAmong { value, list } => t!("file.rule.not_among", value = value, list = list),
            Rule::OutsideHorizon { bucket, last } => {
                t!("file.rule.outside_horizon", bucket = bucket, last = last)
            }
            Rule::PharmacyTransport { pharmacy } => {
                t!("file.rule.pharmacy_transport", pharmacy = pharmacy)
            }
            Rule::MaxBelowMin { min, max } => t!("file.rule.max_below_min", min = min, max = max),
            Rule::StartNeeded { because } => t!("file.rule.start_needed", because = because),
            Rule::Shape { message } => message.clone(),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ProblemError::Syntax {
                line,
                column,
                message,
            } => {
                t!(
                    "file.syntax",
                    line = line,
                    column = column,
                    message = message
                )
            }
            ProblemError::Shape {
                path,
                message,
                line,
                column,
            } if path.is_empty() => {
                t!(
                    "file.shape_top",
                    message = message,
                    line = line,
                    column = column
                )
            }
            ProblemError::Shape {
                path,
                message,
                line,
                column,
            } => {
                t!(
                    "file.shape",
                    path = path,
                    message = message,
                    line = line,
                    column = column
                )
            }
            ProblemError::Invalid { path, rule } => t!("file.invalid", path = path, rule = rule),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for ProblemError {}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ScenarioError::Toml(m) => m.clone(),
            ScenarioError::Json {
                message,
                line,
                column,
            } => {
                t!(
                    "file.shape_top",
                    message = message,
                    line = line,
                    column = column
                )
            }
            ScenarioError::Invalid { path, rule } => t!("file.invalid", path = path, rule = rule),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for ScenarioError {}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ScanError::NotGs1(e) => t!("scan.not_gs1", problem = e),
            ScanError::NoGtin => t!("scan.no_gtin").to_string(),
            ScanError::UnknownGtin { gtin } => t!("scan.unknown_gtin", gtin = gtin),
            ScanError::Stock(e) => e.to_string(),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            BackupError::Exists { path } => t!("backup.exists", path = path.display()),
            BackupError::SameFile { path } => t!("backup.same_file", path = path.display()),
            BackupError::Damaged { path, problems } => t!(
                "backup.damaged",
                path = path.display(),
                problems = problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            BackupError::Newer { path, records } => t!(
                "backup.newer",
                path = path.display(),
                records = records
                    .iter()
                    .map(|(table, n)| t!("backup.record", n = n, what = record_kind(table)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            BackupError::Io { path, cause } => {
                t!("backup.io", path = path.display(), cause = cause)
            }
            BackupError::Store(e) => e.to_string(),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            SiteError::NoName => t!("site.no_name").to_string(),
            SiteError::Timezone { given } => t!("site.timezone", given = given),
            SiteError::NotAdmin { role } => t!("site.not_admin", role = role.label()),
            SiteError::Pin(e) => e.to_string(),
            SiteError::RefData(e) => e.to_string(),
            SiteError::Store(e) => e.to_string(),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for crate::store::check::Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::store::check::Problem as P;
        let s = match self {
            P::Integrity { detail } => t!("check.integrity", detail = detail),
            P::Reference { table, row, parent } => t!(
                "check.reference",
                table = table,
                row = row.map_or_else(|| "?".to_string(), |n| n.to_string()),
                parent = parent
            ),
            P::Balance {
                place,
                lot,
                item,
                stored,
                ledger,
            } => t!(
                "check.balance",
                place = place,
                lot = lot,
                item = item,
                stored = stored,
                ledger = ledger
            ),
            P::LocationBalance {
                place,
                location,
                lot,
                item,
                stored,
                ledger,
            } => t!(
                "check.location_balance",
                place = place,
                location = location,
                lot = lot,
                item = item,
                stored = stored,
                ledger = ledger
            ),
            P::Negative { place, lot, qty } => {
                t!("check.negative", place = place, lot = lot, qty = qty)
            }
            P::LotCopy { place, lot } => t!("check.lot_copy", place = place, lot = lot),
            P::Item { row, lot } => t!("check.item", row = row, lot = lot),
            P::Total {
                total,
                place,
                item,
                stored,
                ledger,
            } => match total {
                crate::store::check::TotalKind::OkUnits => t!(
                    "check.ok_total",
                    place = place,
                    item = item,
                    stored = stored,
                    ledger = ledger
                ),
                crate::store::check::TotalKind::Used => t!(
                    "check.use_total",
                    place = place,
                    item = item,
                    stored = stored,
                    ledger = ledger
                ),
            },
        };
        f.write_str(&s)
    }
}

impl fmt::Display for crate::ops::backups::SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::ops::backups::{MAX_KEEP, SettingError as E};
        let s = match self {
            E::NotAdmin { role } => t!("backup.daily.not_admin", role = role.label()),
            E::Keep { given } => t!("backup.daily.keep", given = given, max = MAX_KEEP),
            E::Folder { dir, cause } => {
                t!("backup.daily.folder", dir = dir.display(), cause = cause)
            }
            E::Store(e) => sqlite(e),
        };
        f.write_str(&s)
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
