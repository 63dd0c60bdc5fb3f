//! The words for the site's reference data and its administration refused:
//! items, places, locations, suppliers, users.

use std::fmt;

use super::*;

impl fmt::Display for RefDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RefDataError as E;
        let s: String = match self {
            E::Gtin { code, source } => t!("refused.refdata.gtin", code = code, why = source),
            E::Duplicate { what, code } => t!(
                "refused.refdata.duplicate",
                what = match what {
                    RefKind::Place => t!("refused.refdata.kind.place"),
                    RefKind::Location => t!("refused.refdata.kind.location"),
                    RefKind::Item => t!("refused.refdata.kind.item"),
                    RefKind::Gtin => t!("refused.refdata.kind.gtin"),
                    RefKind::User => t!("refused.refdata.kind.user"),
                    RefKind::PatientMrn => t!("refused.refdata.kind.patient_mrn"),
                },
                code = quote(code)
            ),
            E::PlaceNeedsCodeAndName => t!("refused.refdata.place_code_name").into(),
            E::BadAtc { item, atc } => {
                t!("refused.refdata.bad_atc", item = item, atc = quote(atc))
            }
            E::MultiDosePack { item } => t!(
                "refused.refdata.multi_dose",
                item = item,
                most = crate::ops::items::MAX_DAYS
            ),
            E::PackOrPrice { item } => t!(
                "refused.refdata.pack_or_price",
                item = item,
                most = crate::i18n::num(MAX_UNITS)
            ),
            E::UserName => t!("refused.refdata.user_name").into(),
            E::Levels { safety, max } => {
                t!(
                    "refused.refdata.levels",
                    safety = safety,
                    max = max,
                    most = crate::i18n::num(MAX_UNITS)
                )
            }
            E::Pin { user, source } => t!("refused.refdata.pin", user = user, why = source),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for crate::ops::refdata::AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::ops::refdata::AdminError as E;
        let s: String = match self {
            E::NotAdmin { role } => t!("refdata.refused.not_admin", role = role.label()),
            E::UnknownUser(u) => t!("refdata.refused.unknown_user", user = quote(u)),
            E::UnknownItem(c) => t!("refdata.refused.unknown_item", code = quote(c)),
            E::UnknownPlace(c) => t!("refdata.refused.unknown_place", code = quote(c)),
            E::UnknownSupplier(c) => t!("refdata.refused.unknown_supplier", code = quote(c)),
            E::UnknownPatient(m) => t!("refdata.refused.unknown_patient", mrn = quote(m)),
            E::Wristband(e) => e.to_string(),
            E::LastAdmin { user } => t!("refdata.refused.last_admin", user = user),
            E::OwnAccount => t!("refdata.refused.own_account").into(),
            E::GtinElsewhere { gtin, item, name } => t!(
                "refdata.refused.gtin_elsewhere",
                gtin = gtin,
                item = item,
                name = name
            ),
            E::GtinNotLinked { gtin, item } => {
                t!("refdata.refused.gtin_not_linked", gtin = gtin, item = item)
            }
            E::PlaceHoldsStock { place, units } => t!(
                "refdata.refused.place_holds_stock",
                place = place,
                units = crate::i18n::num(*units)
            ),
            E::PlaceHasPatients { place, patients } => t!(
                "refdata.refused.place_has_patients",
                place = place,
                n = patients
            ),
            E::Closed { place } => t!("refdata.refused.closed", place = place),
            E::UnknownLocation { place, code } => t!(
                "refdata.refused.unknown_location",
                place = place,
                code = quote(code)
            ),
            E::LocationHoldsStock {
                place,
                location,
                units,
            } => t!(
                "refdata.refused.location_holds_stock",
                place = place,
                location = location,
                units = crate::i18n::num(*units)
            ),
            E::LocationIsDefault { place, location } => t!(
                "refdata.refused.location_is_default",
                place = place,
                location = location
            ),
            E::WrongStorage {
                item,
                place,
                location,
                needs,
            } => crate::ops::stock::StockError::WrongStorage {
                item: item.clone(),
                place: place.clone(),
                location: location.clone(),
                needs: *needs,
            }
            .to_string(),
            E::LocationClosed { place, location } => t!(
                "refdata.refused.location_closed",
                place = place,
                location = location
            ),
            E::NotAWard { place } => t!("refdata.refused.not_a_ward", place = place),
            E::AlreadyAdmitted { mrn, ward } => {
                t!("refdata.refused.already_admitted", mrn = mrn, ward = ward)
            }
            E::Discharged { mrn } => t!("refdata.refused.discharged", mrn = mrn),
            E::NoAllergy { mrn, substance } => t!(
                "refdata.refused.no_allergy",
                mrn = mrn,
                substance = quote(substance)
            ),
            E::Negative { field } => t!("refdata.refused.negative", field = field),
            E::TooLarge { field, most } => t!(
                "refdata.refused.too_large",
                field = field,
                most = crate::i18n::num(*most)
            ),
            E::PatientsNotAllowed { role } => {
                t!("refdata.refused.patients_not_allowed", role = role.label())
            }
            E::AllergiesNotAllowed { role } => {
                t!("refdata.refused.allergies_not_allowed", role = role.label())
            }
            E::SupplierCodeName => t!("refdata.refused.supplier_code_name").into(),
            E::SupplierExists(c) => t!("refdata.refused.supplier_exists", code = quote(c)),
            E::Choice {
                field,
                value,
                allowed,
            } => t!(
                "refdata.refused.choice",
                field = field,
                value = quote(value),
                allowed = allowed.join(", ")
            ),
            E::Data(e) => e.to_string(),
            E::Pin(e) => e.to_string(),
            E::Rx(e) => e.to_string(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}
