//! Why a substitute was not approved, in the reader's words.

use std::fmt;

use crate::ops::substitutes::SubstituteError;
use crate::t;

impl fmt::Display for SubstituteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SubstituteError as E;
        let none = || t!("substitute.no_atc").to_string();
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::Stock(e) => e.to_string(),
            E::Db(e) => e.to_string(),
            E::Same(item) => t!("substitute.refused.same", item = item),
            E::OtherSubstance {
                item,
                item_atc,
                substitute,
                substitute_atc,
            } => t!(
                "substitute.refused.other_substance",
                item = item,
                item_atc = item_atc.clone().unwrap_or_else(none),
                substitute = substitute,
                substitute_atc = substitute_atc.clone().unwrap_or_else(none)
            ),
            E::NoteNeeded => t!("substitute.refused.note").to_string(),
            E::NoConversion { item, substitute } => t!(
                "substitute.refused.no_conversion",
                item = item,
                substitute = substitute
            ),
            E::NotListed { item, substitute } => t!(
                "substitute.refused.not_listed",
                item = item,
                substitute = substitute
            ),
            E::UnknownRx(id) => t!("substitute.refused.unknown_rx", id = id),
            E::RxNotInForce { id, status } => {
                t!("substitute.refused.not_in_force", id = id, status = status)
            }
            E::WrongRoute {
                substitute,
                form,
                route,
            } => t!(
                "substitute.refused.route",
                substitute = substitute,
                form = form,
                route = route
            ),
            E::AlreadyAllowed { id, substitute } => t!(
                "substitute.refused.already",
                id = id,
                substitute = substitute
            ),
            E::ReasonNeeded => t!("substitute.refused.reason").to_string(),
        };
        f.write_str(&s)
    }
}
