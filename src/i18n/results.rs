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
        let not_scanned = match (&self.scanned, &self.unscanned_reason) {
            (true, _) => String::new(),
            (false, Some(r)) => t!("done.unscan.not_scanned_because", reason = r),
            (false, None) => t!("done.dose.not_scanned").to_string(),
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
        let short = self
            .cannot_pick
            .map(|short| t!("refused.plan.cannot_pick", short = short, qty = self.qty));
        let packs = self
            .ordered
            .as_ref()
            .filter(|o| o.rounded())
            .map(packs_text);
        match (short, packs) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        }
    }
}

/// A purchase line as ordered, in packs: "205 asked: 21 packs of 10 =
/// 210 tablet ordered (rounded up to whole packs)".
pub fn packs_text(o: &crate::ops::purchasing::Ordered) -> String {
    if o.rounded() {
        t!(
            "cli.po.rounded",
            item = o.item,
            asked = super::num(o.asked),
            packs = super::num(o.packs),
            per = super::num(o.units_per_pack),
            qty = super::num(o.qty),
            unit = super::unit(&o.unit)
        )
    } else {
        t!(
            "cli.po.in_packs",
            item = o.item,
            packs = super::num(o.packs),
            per = super::num(o.units_per_pack),
            qty = super::num(o.qty),
            unit = super::unit(&o.unit)
        )
    }
}

/// Why units that arrived must be set aside.
pub fn set_aside(problem: &crate::domain::fefo::LotProblem) -> String {
    t!("refused.stock.set_aside", why = problem)
}

/// A name or code the reader typed or scanned, quoted as the reader's
/// language quotes it: `"NOPE"` in English, `“NOPE”` in Chinese.
pub fn quote(s: &str) -> String {
    match super::lang() {
        super::Lang::En => format!("{s:?}"),
        super::Lang::ZhCn => format!("“{s}”"),
    }
}

/// A route of administration as stored on a prescription (`PO`, `IV`,
/// `IV infusion` …) in the reader's words (口服, 静脉注射, 静脉滴注 …); a
/// route the catalogue does not know is shown as stored.
pub fn route(code: &str) -> &str {
    match code.trim().to_ascii_uppercase().as_str() {
        "PO" => t!("route.po"),
        "IV" => t!("route.iv"),
        "IV INFUSION" => t!("route.iv_infusion"),
        "SC" => t!("route.sc"),
        "IM" => t!("route.im"),
        "INH" => t!("route.inh"),
        "PR" => t!("route.pr"),
        "TOP" => t!("route.top"),
        "TD" => t!("route.td"),
        "OPH" => t!("route.oph"),
        _ => code,
    }
}

/// A prescription's flag (`CD` controlled, `HA` high-alert, `TC`
/// time-critical) in the reader's words; another code as it is.
pub fn flag(code: &str) -> &str {
    match code {
        "CD" => t!("flag.cd"),
        "HA" => t!("flag.ha"),
        "TC" => t!("flag.tc"),
        _ => code,
    }
}

/// Flags written as the schedule stores them, `"CD HA"`, in words.
pub fn flags(codes: &str) -> String {
    codes
        .split_whitespace()
        .map(flag)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A product's dosage form (`tablet`, `injection` …) in the reader's words;
/// a form the catalogue does not know as stored.
pub fn form(name: &str) -> &str {
    match name.trim() {
        "tablet" => t!("form.tablet"),
        "capsule" => t!("form.capsule"),
        "injection" => t!("form.injection"),
        "infusion" => t!("form.infusion"),
        "suppository" => t!("form.suppository"),
        "cream" => t!("form.cream"),
        "eye drops" => t!("form.eye_drops"),
        "patch" => t!("form.patch"),
        "inhaler" => t!("form.inhaler"),
        "oral solution" => t!("form.oral_solution"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_thread_lang};

    #[test]
    fn routes_and_flags_are_said_in_words() {
        set_thread_lang(Lang::ZhCn);
        assert_eq!(route("PO"), "口服");
        assert_eq!(route("IV infusion"), "静脉滴注");
        assert_eq!(route("iv"), "静脉注射");
        assert_eq!(route("NG tube"), "NG tube");
        assert_eq!(flags("CD HA TC"), "麻精 高警 限时");
        assert_eq!(quote("NOPE"), "“NOPE”");
        set_thread_lang(Lang::En);
        assert_eq!(route("IV infusion"), "IV infusion");
        assert_eq!(flags("CD HA"), "CD HA");
        assert_eq!(quote("NOPE"), "\"NOPE\"");
    }
}
