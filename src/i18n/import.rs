//! The words of import and export: each row problem with what to do, the
//! refusals of a whole file, and the export's failures.

use std::fmt;

use crate::ops::import::{ExportError, ImportError, Kind, Problem, RowProblem, STRENGTH_UNITS};
use crate::t;

impl Kind {
    /// The kind of file as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Items => t!("import.kind.items"),
            Kind::Places => t!("import.kind.places"),
            Kind::Locations => t!("import.kind.locations"),
            Kind::Suppliers => t!("import.kind.suppliers"),
            Kind::Users => t!("import.kind.users"),
            Kind::Patients => t!("import.kind.patients"),
            Kind::Allergies => t!("import.kind.allergies"),
            Kind::Stock => t!("import.kind.stock"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Problem as P;
        let s: String = match self {
            P::Required => t!("import.problem.required").into(),
            P::RequiredOneOf { allowed } => t!("import.problem.required_one_of", allowed = allowed),
            P::Number { value } => t!("import.problem.number", value = value),
            P::Decimal { value, places } => {
                t!("import.problem.decimal", value = value, places = places)
            }
            P::TooSmall { value, min } => t!("import.problem.too_small", value = value, min = min),
            P::TooLarge { value, max } => t!(
                "import.problem.too_large",
                value = value,
                max = super::num(*max)
            ),
            P::Bool { value } => t!("import.problem.bool", value = value),
            P::Date { value } => t!("import.problem.date", value = value),
            P::DateAs { value, write } => t!(
                "import.problem.date_as",
                value = value,
                date = write.format("%Y-%m-%d")
            ),
            P::DateAmbiguous {
                value,
                day_first,
                month_first,
            } => t!(
                "import.problem.date_ambiguous",
                value = value,
                day_first = day_first.format("%Y-%m-%d"),
                month_first = month_first.format("%Y-%m-%d")
            ),
            P::OneOf { value, allowed } => {
                t!("import.problem.one_of", value = value, allowed = allowed)
            }
            P::Atc { value } => t!("import.problem.atc", value = value),
            P::Gsrn { value, detail } => super::wristband::entered_gsrn(value, detail),
            P::GsrnElsewhere { gsrn, mrn } => {
                t!("wristband.entry.elsewhere", gsrn = gsrn, mrn = mrn)
            }
            P::GtinCheckDigit { gtin, expected } => {
                t!(
                    "import.problem.gtin_check_digit",
                    gtin = gtin,
                    expected = expected
                )
            }
            P::GtinFormat { gtin } => t!("import.problem.gtin_format", gtin = gtin),
            P::GtinAsNumber { value } => t!("import.problem.gtin_as_number", value = value),
            P::GtinElsewhere { gtin, item } => {
                t!("import.problem.gtin_elsewhere", gtin = gtin, item = item)
            }
            P::Repeated { key, first_line } => {
                t!("import.problem.repeated", key = key, first = first_line)
            }
            P::UnknownPlace { code } => t!("import.problem.unknown_place", code = code),
            P::NotAWard { code } => t!("import.problem.not_a_ward", code = code),
            P::WrongStorage { location, needs } => {
                use crate::domain::storage::Needs;
                match needs {
                    Needs::Cold => t!("import.problem.needs_cold", location = location),
                    Needs::Frozen => t!("import.problem.needs_frozen", location = location),
                    Needs::Safe => t!("import.problem.needs_safe", location = location),
                }
            }
            P::UnknownLocation { place, code } => {
                t!(
                    "import.problem.unknown_location",
                    place = place,
                    code = code
                )
            }
            P::UnknownItem { code } => t!("import.problem.unknown_item", code = code),
            P::UnknownSupplier { code } => t!("import.problem.unknown_supplier", code = code),
            P::UnknownPatient { mrn } => t!("import.problem.unknown_patient", mrn = mrn),
            P::UserName { value } => t!("import.problem.user_name", value = value),
            P::Pin => t!("import.problem.pin").into(),
            P::OwnRole => t!("import.problem.own_role").into(),
            P::MultiDosePack => t!("import.problem.multi_dose").into(),
            P::PlaceKindFixed { was } => t!("import.problem.place_kind_fixed", was = was),
            P::QtyOrPacks => t!("import.problem.qty_or_packs").into(),
            P::LotExpiry { lot, expiry } => {
                t!("import.problem.lot_expiry", lot = lot, expiry = expiry)
            }
            P::Expired { date } => t!("import.problem.expired", date = super::date(*date)),
            P::HeldElsewhere { at } => t!("import.problem.held_elsewhere", at = at),
            P::AlreadyHeld { held, location } => t!(
                "import.problem.already_held",
                held = super::num(*held),
                location = location
            ),
        };
        f.write_str(&s)
    }
}

impl RowProblem {
    /// The problem in words: an empty column says what to write in it.
    pub fn what(&self) -> String {
        if self.problem != Problem::Required {
            return self.problem.to_string();
        }
        match self.column.as_str() {
            "generic_name" => t!("import.required.generic_name").into(),
            "gtin" => t!("import.required.gtin").into(),
            "unit_price" => t!("import.required.unit_price").into(),
            "units_per_pack" => t!("import.required.units_per_pack").into(),
            "strength_unit" => t!(
                "import.required.strength_unit",
                units = STRENGTH_UNITS.join(" | ")
            ),
            "date_of_birth" => t!("import.required.date_of_birth").into(),
            "controlled" | "high_alert" => t!("import.required.yes_no").into(),
            "lead_days" | "transport_minutes" => t!("import.required.number").into(),
            _ => self.problem.to_string(),
        }
    }

    /// The problem with the file it is in, for a site's folder.
    pub fn in_file(&self, file: &str) -> String {
        t!(
            "import.site.row",
            file = file,
            line = self.line,
            column = self.column,
            problem = self.what()
        )
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&t!(
            "import.row",
            line = self.line,
            column = self.column,
            problem = self.what()
        ))
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImportError as E;
        let s: String = match self {
            E::NotAllowed { role, kind } => t!(
                "import.refused.not_allowed",
                role = role.label(),
                kind = kind.label()
            ),
            E::NotUtf8 { line } => t!("import.refused.not_utf8", line = line),
            E::Empty => t!("import.refused.empty").into(),
            E::Csv { line, message } => t!("import.refused.csv", line = line, why = message),
            E::MissingColumns { columns } => {
                t!(
                    "import.refused.missing_columns",
                    columns = columns.join(", ")
                )
            }
            E::Rows(rows) => t!("import.refused.rows", n = rows.len()),
            E::Store(e) => super::refusals::database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io(e) => f.write_str(&t!("import.export.io", why = e)),
            ExportError::Store(e) => f.write_str(&super::refusals::database(e)),
        }
    }
}
