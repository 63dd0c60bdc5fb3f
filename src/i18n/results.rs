//! The words for what an operation did: a recorded dose, a receipt's
//! flags, the holdings of a lot, a delivery the pharmacy cannot pick.

use crate::ops::mar::{Outcome, Recorded};
use crate::ops::plan::Accepted;
use crate::ops::stock::{Holding, Received};
use crate::t;

impl Recorded {
    /// One line for the nurse: the outcome, the units and lot, the open
    /// pack, the urgent request.
    pub fn summary(&self) -> String {
        use crate::t;
        let mut line = match self.outcome {
            Outcome::Given => t!("done.dose.given"),
            Outcome::PartiallyGiven => t!("done.dose.partially_given"),
            Outcome::Held => t!("done.dose.held"),
            Outcome::Refused => t!("done.dose.refused"),
            Outcome::NotGivenSupply => t!("done.dose.not_given_supply"),
            Outcome::Missed => t!("done.dose.missed"),
        }
        .to_string();
        let not_scanned = if self.scanned {
            ""
        } else {
            t!("done.dose.not_scanned")
        };
        let lot = self.lot.clone().unwrap_or_default();
        if self.units > 0 && self.open_pack.is_none() {
            line.push_str(&t!(
                "done.dose.units",
                units = self.units,
                lot = lot,
                not_scanned = not_scanned
            ));
        }
        if let Some(p) = &self.open_pack {
            let drawn = if p.opened_now {
                t!(
                    "done.dose.from_new_pack",
                    pack = p.id,
                    lot = lot,
                    not_scanned = not_scanned
                )
            } else {
                t!(
                    "done.dose.from_open_pack",
                    pack = p.id,
                    lot = lot,
                    not_scanned = not_scanned
                )
            };
            line.push_str(&drawn);
            line.push_str(&t!(
                "done.dose.left",
                left = crate::domain::milli_text(p.remaining_milli),
                unit = crate::i18n::unit(&p.unit),
                discard = crate::i18n::refusals::local_time(p.discard_at)
            ));
        }
        if let Some(o) = self.urgent_order {
            line.push_str(&t!("done.dose.urgent", order = o));
        }
        line
    }
}

impl Received {
    /// What the storekeeper must note about the delivery, if anything.
    pub fn warnings(&self) -> String {
        let mut s = String::new();
        if let Some(d) = self.short_dated_days {
            s.push_str(&crate::t!("refused.stock.short_dated", days = d));
        }
        if let Some(o) = self.over_order {
            s.push_str(&crate::t!("refused.stock.over_order", units = o));
        }
        s
    }
}

impl Holding {
    /// Where the units are, for a recall or quarantine notice.
    pub fn place_text(&self) -> String {
        match self.open_pack {
            Some(pack) => t!(
                "refused.stock.open_pack_closed",
                place = self.place_name,
                pack = pack
            ),
            None => self.place_name.clone(),
        }
    }
}

impl Accepted {
    /// What the pharmacist must know about an accepted suggestion, if anything.
    pub fn warning(&self) -> Option<String> {
        self.cannot_pick
            .map(|short| t!("refused.plan.cannot_pick", short = short, qty = self.qty))
    }
}

/// Why units that arrived must be set aside.
pub fn set_aside(problem: &crate::domain::fefo::LotProblem) -> String {
    t!("refused.stock.set_aside", why = problem)
}
