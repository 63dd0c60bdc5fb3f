//! The words of the early warnings (demand surge, supplier risk, a critical
//! item with one supplier) and of an item's suppliers.

use std::fmt;

use crate::domain::alerts::AlertKind;
use crate::domain::early::{Critical, Delivery, Surge, name_some};
use crate::ops::suppliers::{LinkError, SupplierChoice};
use crate::t;

use super::results::quote;

/// A warning's short mark for list columns.
pub fn mark(k: &AlertKind) -> String {
    match *k {
        AlertKind::DemandSurge {
            percent: Some(p), ..
        } => t!("early.mark.surge", percent = p),
        AlertKind::DemandSurge { percent: None, .. } => t!("early.mark.surge_new").into(),
        AlertKind::SupplierRisk {
            on_time_percent,
            in_full_percent,
            ..
        } => t!(
            "early.mark.supplier",
            percent = on_time_percent.min(in_full_percent)
        ),
        _ => t!("early.mark.single").into(),
    }
}

/// A sentence from the warning's numbers alone (the early warnings carry a
/// fuller one naming what is behind them).
pub fn short_message(k: &AlertKind, q: i64, unit: &str) -> String {
    match *k {
        AlertKind::DemandSurge { usual, days, .. } => t!(
            "early.alert.surge_short",
            q = q,
            unit = unit,
            days = days,
            usual = usual
        ),
        AlertKind::SupplierRisk {
            lines,
            on_time_percent,
            in_full_percent,
        } => t!(
            "early.alert.supplier_short",
            lines = lines,
            on_time = on_time_percent,
            in_full = in_full_percent
        ),
        _ => t!("early.alert.single_short").into(),
    }
}

/// The name of an early warning's kind (by its place among the kinds of
/// warning: 10 surge, 11 supplier risk, 12 one supplier) in language `l`.
pub fn kind_name_in(l: super::Lang, kind: usize) -> &'static str {
    match kind {
        10 => super::text_in(l, "early.kind.surge"),
        11 => super::text_in(l, "early.kind.supplier"),
        _ => super::text_in(l, "early.kind.single"),
    }
}

/// Some sources by name, and how many more.
pub fn sources_text(sources: &[String]) -> String {
    let (shown, more) = name_some(sources, crate::ops::early::NAMED_SOURCES);
    let list = shown.join(", ");
    if more > 0 {
        t!("early.sources_more", list = list, n = more)
    } else {
        list
    }
}

/// A ward's surge, naming the prescriptions or cases behind it.
pub fn surge_message(up: &Surge, days: i64, unit: &str, sources: &[String]) -> String {
    let unit = super::unit(unit);
    let from = sources_text(sources);
    match up.percent {
        Some(p) => t!(
            "early.alert.surge",
            q = up.need,
            unit = unit,
            days = days,
            usual = up.usual,
            percent = p,
            from = from
        ),
        None => t!(
            "early.alert.surge_new",
            q = up.need,
            unit = unit,
            days = days,
            from = from
        ),
    }
}

/// A supplier at risk for an item, with the orders behind it and the
/// item's other supplier.
pub fn supplier_message(
    supplier: &str,
    d: &Delivery,
    sources: &[String],
    alternative: Option<&str>,
) -> String {
    let alt = match alternative {
        Some(a) => t!("early.alert.alternative", supplier = a),
        None => t!("early.alert.no_alternative").to_string(),
    };
    t!(
        "early.alert.supplier",
        supplier = supplier,
        lines = d.lines,
        on_time = d.on_time_percent(),
        in_full = d.in_full_percent(),
        orders = if sources.is_empty() {
            "-".to_string()
        } else {
            sources_text(sources)
        },
        alternative = alt
    )
}

/// Why an item is critical, in words.
pub fn critical_reason(c: Critical) -> &'static str {
    match c {
        Critical::Flagged => t!("early.critical.flagged"),
        Critical::HighAlert => t!("early.critical.high_alert"),
        Critical::TimeCritical => t!("early.critical.time_critical"),
    }
}

/// A critical item with one supplier only.
pub fn single_message(supplier: &str, why: Critical) -> String {
    t!(
        "early.alert.single",
        supplier = supplier,
        why = critical_reason(why)
    )
}

/// A purchase suggestion's suppliers: the preferred one and the next, with
/// their lead times.
pub fn choice_text(c: &SupplierChoice) -> String {
    match (&c.alternative, c.alternative_lead_days) {
        (Some(a), Some(d)) => t!(
            "early.plan.suppliers",
            preferred = c.preferred,
            days = c.lead_days,
            alternative = a,
            alt_days = d
        ),
        _ => t!(
            "early.plan.supplier_only",
            preferred = c.preferred,
            days = c.lead_days
        ),
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = match self {
            LinkError::Forbidden(e) => e.to_string(),
            LinkError::Stock(e) => e.to_string(),
            LinkError::Db(e) => e.to_string(),
            LinkError::UnknownSupplier(code) => {
                t!("early.refused.unknown_supplier", code = quote(code))
            }
            LinkError::OutOfRange { field, least, most } => t!(
                "early.refused.out_of_range",
                field = field,
                least = least,
                most = most
            ),
            LinkError::NotLinked { item, supplier } => {
                t!("early.refused.not_linked", item = item, supplier = supplier)
            }
            LinkError::PreferredWithOthers { item, supplier } => t!(
                "early.refused.preferred_last",
                item = item,
                supplier = supplier
            ),
        };
        f.write_str(&s)
    }
}
