//! Import of the site's spreadsheets (CSV) and their export.
//!
//! A file is read whole (UTF-8 with or without BOM, comma or semicolon
//! separated), its header matched case-insensitively, and every row checked:
//! first on its own (numbers, decimals, dates, GTIN check digits, values
//! from the formulary's lists), then against the database (known places,
//! items, patients; a GTIN linked elsewhere) inside one write transaction.
//! A file with any bad row writes nothing: the transaction is rolled back
//! and every bad row is listed with its line (the header is line 1), column
//! and problem. A dry run is checked the same way and always rolled back.
//!
//! Rows are matched by code (MRN, user name): a new row is added, a changed
//! row updated (attributed in `reference_history`), an identical one left
//! alone, so importing the same file twice changes nothing.
//!
//! Decimals (`0.5`, `2.67`) are read as text into integer thousandths or
//! cents, never through floating point.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::Actor;
use super::refdata::{self, Change, NewItem, NewPatient, RefDataError};
use crate::domain::{ItemKind, MovementKind, PlaceKind, Role, StorageClass, gtin};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Items,
    Places,
    Locations,
    Suppliers,
    Users,
    Patients,
    Allergies,
    Stock,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Items,
        Kind::Places,
        Kind::Locations,
        Kind::Suppliers,
        Kind::Users,
        Kind::Patients,
        Kind::Allergies,
        Kind::Stock,
    ];

    /// The kind a name (`items`, `Stock`) says.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Items => "items",
            Kind::Places => "places",
            Kind::Locations => "locations",
            Kind::Suppliers => "suppliers",
            Kind::Users => "users",
            Kind::Patients => "patients",
            Kind::Allergies => "allergies",
            Kind::Stock => "stock",
        }
    }

    /// The columns a file must have.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Items => &[
                "code",
                "name",
                "generic_name",
                "atc",
                "form",
                "strength",
                "strength_unit",
                "dose_unit",
                "units_per_pack",
                "gtin",
                "unit_price",
                "storage",
                "controlled",
                "high_alert",
            ],
            Kind::Places => &["code", "name", "kind", "transport_minutes"],
            Kind::Locations => &["place", "code", "name", "kind"],
            Kind::Suppliers => &["code", "name", "lead_days"],
            Kind::Users => &["name", "full_name", "role"],
            Kind::Patients => &["mrn", "name", "date_of_birth", "ward", "bed"],
            Kind::Allergies => &["mrn", "substance", "kind"],
            Kind::Stock => &["place", "item", "lot", "expiry"],
        }
    }

    /// The columns a file may have besides the required ones.
    pub fn optional(self) -> &'static [&'static str] {
        match self {
            Kind::Items => &[
                "supplier",
                "max_daily_dose",
                "in_use_days",
                "per_patient",
                "kind",
            ],
            Kind::Suppliers => &["contact"],
            Kind::Users => &["pin"],
            Kind::Patients => &["sex", "gsrn"],
            Kind::Allergies => &["atc", "reaction"],
            Kind::Stock => &["qty", "packs", "location"],
            _ => &[],
        }
    }

    /// The columns an export writes (the import's, in the same order).
    pub fn export_columns(self) -> Vec<&'static str> {
        let mut cols: Vec<&'static str> = self.required().to_vec();
        match self {
            Kind::Items | Kind::Suppliers => cols.extend(self.optional()),
            Kind::Allergies => cols.extend(["atc", "reaction"]),
            Kind::Patients => cols.extend(["sex", "gsrn"]),
            Kind::Stock => cols.extend(["qty", "location"]),
            _ => {}
        }
        cols
    }

    /// The template: the header and example rows (items: a medicine and a consumable).
    pub fn template(self) -> &'static str {
        match self {
            Kind::Items => include_str!("../../assets/templates/items.csv"),
            Kind::Places => include_str!("../../assets/templates/places.csv"),
            Kind::Locations => include_str!("../../assets/templates/locations.csv"),
            Kind::Suppliers => include_str!("../../assets/templates/suppliers.csv"),
            Kind::Users => include_str!("../../assets/templates/users.csv"),
            Kind::Patients => include_str!("../../assets/templates/patients.csv"),
            Kind::Allergies => include_str!("../../assets/templates/allergies.csv"),
            Kind::Stock => include_str!("../../assets/templates/stock.csv"),
        }
    }

    /// Who may import it: the administrator keeps reference data; opening
    /// stock is booked by the administrator or a pharmacist.
    pub fn may_import(self, role: Role) -> bool {
        match self {
            Kind::Stock => matches!(role, Role::Admin | Role::Pharmacist),
            _ => role == Role::Admin,
        }
    }
}

/// The pharmaceutical forms of the formulary.
pub const FORMS: &[&str] = &[
    "tablet",
    "capsule",
    "oral solution",
    "oral suspension",
    "granules",
    "syrup",
    "injection",
    "infusion",
    "suppository",
    "enema",
    "inhaler",
    "nebuliser solution",
    "cream",
    "ointment",
    "gel",
    "patch",
    "eye drops",
    "eye ointment",
    "consumable",
];

/// Units of strength.
pub const STRENGTH_UNITS: &[&str] = &["mg", "g", "microgram", "ml", "mmol", "IU", "unit"];

/// Units a dose is counted in.
pub const DOSE_UNITS: &[&str] = &[
    "tablet",
    "capsule",
    "ampoule",
    "vial",
    "bag",
    "bottle",
    "inhaler",
    "patch",
    "pen",
    "suppository",
    "syringe",
    "tube",
    "sachet",
    "piece",
    "pair",
    "puff",
    "pack",
    "unit",
    "mg",
    "ml",
    "microgram",
    "IU",
];

const STORAGE: &[&str] = &["room", "cold", "frozen"];
const PLACE_KINDS: &[&str] = &["pharmacy", "ward"];
const LOCATION_KINDS: &[&str] = &[
    "shelf",
    "fridge",
    "freezer",
    "cold_room",
    "safe",
    "cd_safe",
    "trolley",
    "other",
];
const ROLES: &[&str] = &[
    "nurse",
    "nurse_manager",
    "pharmacist",
    "storekeeper",
    "admin",
];
const ITEM_KINDS: &[&str] = &["drug", "consumable"];
const ALLERGY_KINDS: &[&str] = &["allergy", "intolerance", "contraindication"];
const SEXES: &[&str] = &["female", "male", "other", "unknown"];

/// What is wrong with one value of a row; the facts to say it and to say
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The value is empty.
    Required,
    /// The value is empty; it is one of a list.
    #[serde(rename = "required")]
    RequiredOneOf {
        allowed: String,
    },
    /// A whole number was expected.
    Number {
        value: String,
    },
    /// A decimal with at most `places` decimals was expected.
    Decimal {
        value: String,
        places: u32,
    },
    /// The number is below the smallest allowed.
    TooSmall {
        value: i64,
        min: i64,
    },
    /// The number is above the largest allowed (the receipt's bound).
    TooLarge {
        value: i64,
        max: i64,
    },
    /// yes/no/true/false/1/0 was expected.
    Bool {
        value: String,
    },
    /// A date YYYY-MM-DD was expected.
    Date {
        value: String,
    },
    /// A date written another way (31/12/2027, 2027/12/31): how to write it.
    #[serde(rename = "date")]
    DateAs {
        value: String,
        write: NaiveDate,
    },
    /// A date whose day and month cannot be told apart (03/04/2027).
    #[serde(rename = "date")]
    DateAmbiguous {
        value: String,
        day_first: NaiveDate,
        month_first: NaiveDate,
    },
    /// The value is not one of the list.
    OneOf {
        value: String,
        allowed: String,
    },
    /// An ATC code like N02BE01 (or its first letters for an allergy).
    Atc {
        value: String,
    },
    /// A GTIN whose last digit is wrong.
    GtinCheckDigit {
        gtin: String,
        expected: u8,
    },
    /// A GTIN that is not 8, 12, 13 or 14 digits.
    GtinFormat {
        gtin: String,
    },
    /// A GTIN the spreadsheet turned into a number (4.03185E+12).
    GtinAsNumber {
        value: String,
    },
    /// A GTIN already linked to another item.
    GtinElsewhere {
        gtin: String,
        item: String,
    },
    /// The same code earlier in the file: the key as the file writes it.
    Repeated {
        key: String,
        first_line: u64,
    },
    UnknownPlace {
        code: String,
    },
    NotAWard {
        code: String,
    },
    UnknownLocation {
        place: String,
        code: String,
    },
    /// The item may not be kept at that location (cold off a fridge, a
    /// controlled drug out of the safe).
    WrongStorage {
        location: String,
        needs: crate::domain::storage::Needs,
    },
    UnknownItem {
        code: String,
    },
    UnknownSupplier {
        code: String,
    },
    UnknownPatient {
        mrn: String,
    },
    /// A wristband GSRN that is not one (18 digits, the check digit).
    Gsrn {
        value: String,
        detail: crate::gs1::GsrnProblem,
    },
    /// A wristband GSRN that another patient has.
    GsrnElsewhere {
        gsrn: String,
        mrn: String,
    },
    /// A user name with spaces.
    UserName {
        value: String,
    },
    /// A PIN is 4 to 8 digits.
    Pin,
    /// The importing administrator's own role: another administrator
    /// changes it, so that a site never loses its last one by a typo.
    OwnRole,
    /// A multi-dose item (in-use days) needs its strength.
    MultiDosePack,
    /// A place's kind cannot change (pharmacy ↔ ward).
    PlaceKindFixed {
        was: String,
    },
    /// Neither `qty` nor `packs`, or both.
    QtyOrPacks,
    /// The lot is known with another expiry.
    LotExpiry {
        lot: String,
        expiry: String,
    },
    /// The lot has expired: it is not opening stock.
    Expired {
        date: NaiveDate,
    },
    /// No location written, and the lot is held at other locations of the
    /// place (`SHELF-B 4`), not where the item arrives.
    HeldElsewhere {
        at: String,
    },
    /// The lot already holds stock at the location (a stocktake corrects it).
    AlreadyHeld {
        held: i64,
        location: String,
    },
}

/// A bad row: its line as a spreadsheet numbers it (the header is line 1),
/// the column, and the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: String,
    #[serde(flatten)]
    pub problem: Problem,
}

/// Why a file is refused as a whole.
#[derive(Debug)]
pub enum ImportError {
    /// The user's role may not import this kind.
    NotAllowed {
        role: Role,
        kind: Kind,
    },
    /// The file is not UTF-8 (a spreadsheet's "CSV UTF-8" is).
    NotUtf8 {
        line: u64,
    },
    /// No header line.
    Empty,
    /// The CSV itself is broken at a line (an unclosed quote).
    Csv {
        line: u64,
        message: String,
    },
    /// Required columns missing from the header.
    MissingColumns {
        columns: Vec<String>,
    },
    /// Bad rows: nothing was written.
    Rows(Vec<RowProblem>),
    Store(rusqlite::Error),
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(e)
    }
}

/// A new user's one-time PIN, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewPin {
    pub user: String,
    pub pin: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub kind: Kind,
    pub dry_run: bool,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Columns of the file that were not read.
    pub ignored_columns: Vec<String>,
    /// One-time PINs of new users without a `pin`.
    pub new_pins: Vec<NewPin>,
}

// ---------------------------------------------------------------------------
// The import.

/// Imports a file of `kind` as `actor`: every row checked, then all written
/// in one transaction, or nothing (any bad row, or a dry run).
pub fn import(
    store: &mut Store,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<Summary, ImportError> {
    let file = prepare(&store.conn, actor, kind, bytes)?;
    let today = site_today(&store.conn, now)?;
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (mut summary, problems) = apply(&tx, actor, now, today, file, dry_run)?;
    if !problems.is_empty() {
        tx.rollback()?;
        return Err(ImportError::Rows(problems));
    }
    if dry_run {
        // No user was added: their PINs do not exist.
        summary.new_pins.clear();
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(summary)
}

/// Checks and applies a file of `kind` inside the caller's transaction,
/// which commits or rolls back (the FHIR admission feed builds its rows as
/// a sheet and writes them with its prescriptions, all or nothing).
pub(crate) fn apply_in(
    tx: &Connection,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<(Summary, Vec<RowProblem>), ImportError> {
    let file = prepare(tx, actor, kind, bytes)?;
    let today = site_today(tx, now)?;
    apply(tx, actor, now, today, file, false)
}

/// A file read and its header checked, ready to be applied.
struct Prepared {
    kind: Kind,
    sheet: Sheet,
    ignored: Vec<String>,
    /// User name → (PIN hash, the one-time PIN if it was generated).
    pins: HashMap<String, (String, Option<String>)>,
}

/// Reads a file of `kind` and checks the whole of it (who may import it,
/// its columns); hashes the PINs of new users, outside any transaction
/// (hashing is slow and other workstations would wait for the write lock).
fn prepare(
    conn: &Connection,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
) -> Result<Prepared, ImportError> {
    if !kind.may_import(actor.role) {
        return Err(ImportError::NotAllowed {
            role: actor.role,
            kind,
        });
    }
    let sheet = read_sheet(bytes)?;
    let mut missing: Vec<String> = kind
        .required()
        .iter()
        .filter(|c| !sheet.columns.contains_key(**c))
        .map(|c| c.to_string())
        .collect();
    if kind == Kind::Stock
        && !sheet.columns.contains_key("qty")
        && !sheet.columns.contains_key("packs")
    {
        missing.push("qty".into());
    }
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns { columns: missing });
    }
    let mut ignored: Vec<String> = sheet
        .header
        .iter()
        .filter(|h| {
            !h.is_empty()
                && !kind.required().contains(&h.as_str())
                && !kind.optional().contains(&h.as_str())
        })
        .cloned()
        .collect();
    ignored.dedup();
    let pins = if kind == Kind::Users {
        new_user_pins(conn, &sheet)?
    } else {
        HashMap::new()
    };
    Ok(Prepared {
        kind,
        sheet,
        ignored,
        pins,
    })
}

/// Applies every good row of a prepared file inside the caller's
/// transaction; returns what was done and every bad row. The caller
/// commits or rolls back.
fn apply(
    conn: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    file: Prepared,
    dry_run: bool,
) -> Result<(Summary, Vec<RowProblem>), ImportError> {
    let Prepared {
        kind,
        sheet,
        ignored,
        pins,
    } = file;
    let mut ctx = Ctx {
        conn,
        actor,
        now,
        today,
        pins,
        problems: Vec::new(),
        summary: Summary {
            kind,
            dry_run,
            added: 0,
            changed: 0,
            unchanged: 0,
            ignored_columns: ignored,
            new_pins: Vec::new(),
        },
        seen: HashMap::new(),
    };
    for (line, cells) in &sheet.rows {
        let mut problems = Vec::new();
        let mut row = Row {
            line: *line,
            cells,
            columns: &sheet.columns,
            semicolons: sheet.semicolons,
            problems: &mut problems,
        };
        let outcome = match kind {
            Kind::Items => ctx.item(&mut row),
            Kind::Places => ctx.place(&mut row),
            Kind::Locations => ctx.location(&mut row),
            Kind::Suppliers => ctx.supplier(&mut row),
            Kind::Users => ctx.user(&mut row),
            Kind::Patients => ctx.patient(&mut row),
            Kind::Allergies => ctx.allergy(&mut row),
            Kind::Stock => ctx.stock(&mut row),
        }?;
        if problems.is_empty() {
            match outcome {
                Some(Outcome::Added) => ctx.summary.added += 1,
                Some(Outcome::Changed) => ctx.summary.changed += 1,
                Some(Outcome::Unchanged) => ctx.summary.unchanged += 1,
                None => {}
            }
        }
        ctx.problems.extend(problems);
    }
    Ok((ctx.summary, ctx.problems))
}

enum Outcome {
    Added,
    Changed,
    Unchanged,
}

struct Ctx<'c> {
    conn: &'c Connection,
    actor: &'c Actor,
    now: DateTime<Utc>,
    /// The site's date at `now`.
    today: NaiveDate,
    /// User name → (PIN hash, the one-time PIN if it was generated).
    pins: HashMap<String, (String, Option<String>)>,
    problems: Vec<RowProblem>,
    summary: Summary,
    /// A row's key → the line it was first seen on.
    seen: HashMap<String, u64>,
}

type Step = Result<Option<Outcome>, ImportError>;

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl Ctx<'_> {
    /// Refuses a key seen earlier in the file (reported on `col`, naming
    /// the key as the file writes it: `shown`).
    fn first_time(&mut self, row: &mut Row, col: &str, key: String, shown: String) -> bool {
        if let Some(first) = self.seen.get(&key) {
            row.bad(
                col,
                Problem::Repeated {
                    key: shown,
                    first_line: *first,
                },
            );
            false
        } else {
            self.seen.insert(key, row.line);
            true
        }
    }

    fn history<T: Serialize>(
        &self,
        kind: &str,
        code: &str,
        before: Option<&T>,
        after: &T,
    ) -> Result<(), ImportError> {
        let before = before.map(json);
        let after = json(after);
        refdata::record_change(
            self.conn,
            &Change {
                at: self.now,
                user_id: self.actor.user_id,
                kind,
                code,
                before: before.as_deref(),
                after: &after,
            },
        )
        .map_err(store_err)
    }

    /// Records the change and says what it was.
    fn keep<T: Serialize + PartialEq>(
        &self,
        kind: &str,
        code: &str,
        before: Option<&T>,
        after: &T,
    ) -> Step {
        match before {
            Some(b) if b == after => Ok(Some(Outcome::Unchanged)),
            Some(b) => {
                self.history(kind, code, Some(b), after)?;
                Ok(Some(Outcome::Changed))
            }
            None => {
                self.history(kind, code, None, after)?;
                Ok(Some(Outcome::Added))
            }
        }
    }

    fn place_id(
        &self,
        row: &mut Row,
        col: &str,
        code: &str,
    ) -> Result<Option<(i64, String)>, ImportError> {
        let found: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, kind FROM places WHERE code = ?1 COLLATE NOCASE",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if found.is_none() {
            row.bad(col, Problem::UnknownPlace { code: code.into() });
        }
        Ok(found)
    }
}

/// The reason recorded on an opening-balance movement.
pub const OPENING_BALANCE: &str = "opening balance";

fn store_err(e: RefDataError) -> ImportError {
    match e {
        RefDataError::Store(e) => ImportError::Store(e),
        // Checked before writing; anything else here is a fault of the data
        // the checks missed, reported as the database refusing it.
        other => ImportError::Store(rusqlite::Error::ToSqlConversionFailure(Box::new(other))),
    }
}

/// A PIN is 4 to 8 digits.
fn pin_ok(p: &str) -> bool {
    (4..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

/// The PIN hash of a new user: theirs, or a one-time PIN's (returned too).
fn hash_for(name: &str, pin: Option<String>) -> Result<(String, Option<String>), ImportError> {
    let (pin, one_time) = match pin {
        Some(p) => (p, None),
        None => {
            let p = one_time_pin();
            (p.clone(), Some(p))
        }
    };
    let hash = super::auth::hash_pin(&pin, None).map_err(|source| {
        store_err(RefDataError::Pin {
            user: name.to_string(),
            source,
        })
    })?;
    Ok((hash, one_time))
}

/// PIN hashes for the users of a sheet not yet in the database, whose PIN
/// (if any) is well formed; the rows themselves are checked later.
fn new_user_pins(
    conn: &Connection,
    sheet: &Sheet,
) -> Result<HashMap<String, (String, Option<String>)>, ImportError> {
    let (Some(&name_col), pin_col) = (sheet.columns.get("name"), sheet.columns.get("pin")) else {
        return Ok(HashMap::new());
    };
    let mut out = HashMap::new();
    for (_, cells) in &sheet.rows {
        let name = cells.get(name_col).map_or("", |s| s.as_str());
        if name.is_empty() || out.contains_key(name) {
            continue;
        }
        let known: Option<i64> = conn
            .query_row("SELECT id FROM users WHERE username = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        if known.is_some() {
            continue;
        }
        let pin = pin_col
            .and_then(|i| cells.get(*i))
            .filter(|p| !p.is_empty())
            .cloned();
        if pin.as_deref().is_some_and(|p| !pin_ok(p)) {
            continue;
        }
        out.insert(name.to_string(), hash_for(name, pin)?);
    }
    Ok(out)
}

/// The site's date at `now`, in the site's time zone.
fn site_today(conn: &Connection, now: DateTime<Utc>) -> Result<NaiveDate, ImportError> {
    Ok(now
        .with_timezone(&crate::store::queries::site_zone(conn)?)
        .date_naive())
}

/// A one-time PIN of six digits from the operating system's randomness.
fn one_time_pin() -> String {
    use rand::Rng;
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

mod export;
mod kinds;
mod sheet;
mod site;

pub use sheet::*;

pub use export::{ExportError, Period, export, export_movements};
pub use site::{
    FileOutcome, FileReport, SITE_ORDER, SiteFile, SiteFolder, SiteReport, import_site, site_files,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("0.5", 3, false), Some(500));
        assert_eq!(parse_decimal("2.67", 2, false), Some(267));
        assert_eq!(parse_decimal("12", 2, false), Some(1200));
        assert_eq!(parse_decimal(".5", 3, false), Some(500));
        assert_eq!(parse_decimal("0,5", 3, true), Some(500));
        assert_eq!(parse_decimal("0,5", 3, false), None);
        assert_eq!(parse_decimal("2.675", 2, false), None);
        assert_eq!(parse_decimal("-1", 2, false), None);
        assert_eq!(parse_decimal("1e3", 2, false), None);
        assert_eq!(parse_decimal(".", 2, false), None);
        assert_eq!(decimal_text(500, 3), "0.5");
        assert_eq!(decimal_text(267, 2), "2.67");
        assert_eq!(decimal_text(250, 2), "2.50");
        assert_eq!(decimal_text(1_000_000, 3), "1000");
        assert_eq!(decimal_text(2_500, 3), "2.5");
    }

    #[test]
    fn dates_are_year_month_day_and_never_guessed() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(parse_date("2027-12-31"), Ok(d(2027, 12, 31)));
        let as_ = |s: &str| match parse_date(s) {
            Err(Problem::DateAs { write, .. }) => Some(write),
            _ => None,
        };
        assert_eq!(as_("31/12/2027"), Some(d(2027, 12, 31)));
        assert_eq!(as_("2027/12/31"), Some(d(2027, 12, 31)));
        assert_eq!(as_("31.12.2027"), Some(d(2027, 12, 31)));
        assert_eq!(as_("05/05/2027"), Some(d(2027, 5, 5)));
        assert!(matches!(
            parse_date("03/04/2027"),
            Err(Problem::DateAmbiguous { day_first, month_first, .. })
                if day_first == d(2027, 4, 3) && month_first == d(2027, 3, 4)
        ));
        assert!(matches!(
            parse_date("2027-02-30"),
            Err(Problem::Date { .. })
        ));
        assert!(matches!(
            parse_date("32/13/2027"),
            Err(Problem::Date { .. })
        ));
        assert!(matches!(parse_date("soon"), Err(Problem::Date { .. })));
        assert!(matches!(parse_date("12/31/27"), Err(Problem::Date { .. })));
    }

    #[test]
    fn units_have_one_spelling() {
        for s in ["µg", "μg", "mcg", "MCG", "ug", "微克"] {
            assert_eq!(unit_alias(s), Some("microgram"), "{s}");
        }
        assert_eq!(unit_alias("units"), Some("unit"));
        assert_eq!(unit_alias("mg"), None);
        for u in ["puff", "pack", "unit", "IU", "microgram"] {
            assert!(DOSE_UNITS.contains(&u), "{u}");
        }
    }

    #[test]
    fn the_separator_is_found_in_the_header() {
        assert!(separator_is_semicolon("code;name;kind"));
        assert!(!separator_is_semicolon("code,name,kind"));
        assert!(!separator_is_semicolon("\"a;b;c\",name"));
    }

    #[test]
    fn a_sheet_skips_its_bom_and_numbers_lines_like_a_spreadsheet() {
        let s = read_sheet(b"\xEF\xBB\xBF Code ;Name\nA;x\n;\nB;y\n").unwrap();
        assert!(s.semicolons);
        assert_eq!(s.columns.get("code"), Some(&0));
        assert_eq!(s.rows[0].0, 2);
        assert_eq!(s.rows[1].0, 4);
    }

    #[test]
    fn atc_prefixes() {
        assert!(atc_prefix_ok("J01C"));
        assert_eq!(gtin_text("00000096385074"), "96385074");
        assert_eq!(gtin_text("00012345678905"), "012345678905");
        assert_eq!(gtin_text("04031847000072"), "4031847000072");
        assert_eq!(gtin_text("15012345678907"), "15012345678907");
        assert!(atc_prefix_ok("N02BE01"));
        assert!(!atc_prefix_ok("J1"));
        assert!(!atc_prefix_ok("penicillin"));
    }
}
