//! The words of controlled-drug refusals and the register's headings.

use std::fmt;

use crate::domain::seven_rights::NotAllowed;
use crate::ops::stock::CdRefusal;
use crate::t;

impl fmt::Display for CdRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CdRefusal as E;
        let s: String = match self {
            E::WitnessNeeded { item } => t!("cd.refused.witness_needed", item = item),
            E::WitnessRefused { item, user, why } => {
                let why = match why {
                    NotAllowed::SamePerson => t!("cd.refused.same_person").to_string(),
                    other => super::domain::second_user_why(*other),
                };
                t!(
                    "cd.refused.witness_refused",
                    item = item,
                    user = user,
                    why = why
                )
            }
            E::CountNeeded { order, items } => t!(
                "cd.refused.count_needed",
                order = order,
                items = items
                    .iter()
                    .map(|c| t!(
                        "cd.refused.count_item",
                        code = c.code,
                        name = c.name,
                        sent = super::num(c.sent),
                        unit = super::unit(&c.unit)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            E::CountDiffers {
                order,
                item,
                unit,
                sent,
                counted,
            } => t!(
                "cd.refused.count_differs",
                order = order,
                item = item,
                unit = super::unit(unit),
                sent = super::num(*sent),
                counted = super::num(*counted)
            ),
            E::CountNotOnOrder { order, item } => {
                t!("cd.refused.count_not_on_order", order = order, item = item)
            }
            E::VarianceUnexplained { stocktake, lines } => t!(
                "cd.refused.variance_unexplained",
                id = stocktake,
                lines = lines
                    .iter()
                    .map(|(item, lot, v)| t!(
                        "cd.refused.variance_line",
                        item = item,
                        lot = lot,
                        variance = format!("{v:+}")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            E::NothingToExplain {
                stocktake,
                item,
                lot,
            } => t!(
                "cd.refused.nothing_to_explain",
                id = stocktake,
                item = item,
                lot = lot
            ),
            E::ExplanationEmpty => t!("cd.refused.explanation_empty").into(),
            E::NoControlledStock { place } => t!("cd.refused.no_controlled_stock", place = place),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for CdRefusal {}

/// A movement's kind, in the reader's language.
pub fn movement_kind(k: crate::domain::MovementKind) -> &'static str {
    use crate::domain::MovementKind as K;
    match k {
        K::Receipt => t!("tui.movement.receipt"),
        K::Transfer => t!("tui.movement.transfer"),
        K::Administration => t!("tui.movement.administration"),
        K::Issue => t!("tui.movement.issue"),
        K::Waste => t!("tui.movement.waste"),
        K::Return => t!("tui.movement.return"),
        K::Adjustment => t!("tui.movement.adjustment"),
    }
}

/// What a dose gave the patient and what was left of the last ampoule and
/// discarded, for a register entry that is a dose.
pub fn dose_note(e: &crate::ops::stock::RegisterEntry, strength_unit: &str) -> Option<String> {
    let amount = |milli: i64| {
        format!(
            "{} {}",
            crate::domain::milli_text(milli),
            super::unit(strength_unit)
        )
    };
    match (e.given_milli, e.discarded_milli) {
        (Some(g), Some(d)) => Some(t!(
            "cd.note.given_discarded",
            given = amount(g),
            discarded = amount(d)
        )),
        (Some(g), None) => Some(t!("cd.note.given", given = amount(g))),
        _ => None,
    }
}
