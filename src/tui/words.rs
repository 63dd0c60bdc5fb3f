//! The console's words for the domain's codes (roles, severities, warning
//! marks, movement kinds, statuses), in the reader's language. Codes the
//! console does not know are shown as stored.

use crate::domain::Role;
use crate::domain::alerts::{AlertKind, Severity};
use crate::t;

pub fn role(r: Role) -> &'static str {
    r.label()
}

pub fn severity(s: Severity) -> &'static str {
    s.label()
}

/// A warning's short mark in lists.
pub fn mark(k: &AlertKind) -> String {
    k.mark()
}

/// A stored code (movement kind, prescription, order or dose status).
pub fn code(code: &str) -> String {
    if let Ok(kind) = code.parse::<crate::domain::MovementKind>() {
        return crate::i18n::cd::movement_kind(kind).into();
    }
    match code {
        "relocation" => t!("tui.movement.relocation").into(),
        "awaiting_validation" => t!("tui.rx_status.awaiting_validation").into(),
        "active" => t!("tui.rx_status.active").into(),
        "stopped" => t!("tui.rx_status.stopped").into(),
        "rejected" => t!("tui.rx_status.rejected").into(),
        "completed" => t!("tui.rx_status.completed").into(),
        "open" => t!("tui.order_status.open").into(),
        "in_transit" => t!("tui.order_status.in_transit").into(),
        "received" => t!("tui.order_status.received").into(),
        "cancelled" => t!("tui.order_status.cancelled").into(),
        "given" => t!("tui.outcome.given").into(),
        "partially_given" | "partially given" => t!("tui.outcome.partially_given").into(),
        "held" => t!("tui.outcome.held").into(),
        "refused" => t!("tui.outcome.refused").into(),
        "not_given_supply" | "not given supply" => t!("tui.outcome.not_given_supply").into(),
        "missed" => t!("tui.outcome.missed").into(),
        other => other.replace('_', " "),
    }
}

/// The dose flags of a list ("CD HA TC": controlled, high-alert,
/// time-critical) in the reader's short words.
pub fn flags(flags: &str) -> String {
    flags
        .split_whitespace()
        .map(|f| match f {
            "CD" => t!("tui.flag.cd"),
            "HA" => t!("tui.flag.ha"),
            "TC" => t!("tui.flag.tc"),
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A route as written on the prescription, in words (`IV infusion` →
/// 静脉滴注); a route the console does not know is shown as stored.
pub fn route(route: &str) -> String {
    match route.trim().to_ascii_lowercase().as_str() {
        "po" | "oral" => t!("tui.route.po").into(),
        "iv" => t!("tui.route.iv").into(),
        "iv infusion" => t!("tui.route.iv_infusion").into(),
        "sc" => t!("tui.route.sc").into(),
        "im" => t!("tui.route.im").into(),
        "inh" => t!("tui.route.inh").into(),
        "pr" => t!("tui.route.pr").into(),
        "top" | "topical" => t!("tui.route.top").into(),
        "eye" => t!("tui.route.eye").into(),
        _ => route.to_string(),
    }
}

/// A strength or dose as shown: `microgram` is written μg (display only;
/// what is stored stays as it is).
pub fn strength(text: &str) -> String {
    text.replace("microgram", "μg")
}

/// A user's name without the role some sites write after it ("Sam
/// Okafor, nurse"): the role is shown in the reader's words beside it.
pub fn person(full_name: &str, r: Role) -> String {
    let code = r.as_ref();
    for suffix in [code.to_string(), code.replace('_', " ")] {
        if let Some(rest) = full_name.trim_end().strip_suffix(suffix.as_str())
            && let Some(name) = rest.trim_end().strip_suffix(',')
            && !name.trim().is_empty()
        {
            return name.trim_end().to_string();
        }
    }
    full_name.to_string()
}

/// Allergies as stored ("iodinated contrast (allergy)"), the kind in the
/// reader's words.
pub fn allergies(list: &str) -> String {
    list.replace(
        "(allergy)",
        &format!("({})", t!("tui.allergy_kind.allergy")),
    )
    .replace(
        "(intolerance)",
        &format!("({})", t!("tui.allergy_kind.intolerance")),
    )
    .replace(
        "(contraindication)",
        &format!("({})", t!("tui.allergy_kind.contraindication")),
    )
}

/// Where a planned quantity's demand comes from: the forecast (a code) in
/// words, anything else (a place, an order) as it is.
pub fn cover_source(source: &str) -> String {
    match source {
        "forecast" => t!("tui.plan.forecast").into(),
        "safety stock" | "safety_stock" => t!("tui.plan.safety_stock").into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_loses_the_role_written_after_it() {
        assert_eq!(person("Sam Okafor, nurse", Role::Nurse), "Sam Okafor");
        assert_eq!(
            person("Ana Silva, nurse manager", Role::NurseManager),
            "Ana Silva"
        );
        assert_eq!(person("李伟 Li Wei", Role::Pharmacist), "李伟 Li Wei");
        assert_eq!(person("nurse", Role::Nurse), "nurse");
    }
}
