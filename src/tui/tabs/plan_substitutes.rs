//! The approved substitutes the plan's shortage lines name: for an item
//! short at a place (an exception to expedite or below its safety stock),
//! its substitutes and what the place holds of each now (the plan's own
//! stock figures). Read with the plan, in its job; drawing only looks up.

use std::collections::HashMap;

use crate::planning::mrp::{Exception, ExceptionKind};
use crate::planning::problem::Problem;
use crate::t;

/// A substitute of an item and its units on hand, by place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSubstitutes {
    /// By item code: its approved substitutes' codes.
    by_item: HashMap<String, Vec<String>>,
    /// Usable units by (place, item), from the plan's stock.
    on_hand: HashMap<(String, String), i64>,
}

/// Whether an exception is a shortage a substitute may cover.
fn is_shortage(e: &Exception) -> bool {
    matches!(
        e.kind,
        ExceptionKind::Expedite | ExceptionKind::BelowSafetyStock
    )
}

impl PlanSubstitutes {
    /// The substitutes of the items short in `exceptions`, with the stock
    /// `problem` plans from.
    pub fn load(
        conn: &rusqlite::Connection,
        problem: &Problem,
        exceptions: &[Exception],
    ) -> Result<PlanSubstitutes, String> {
        if !exceptions.iter().any(is_shortage) {
            return Ok(PlanSubstitutes::default());
        }
        let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
        for s in crate::ops::substitutes::substitutes(conn, None).map_err(|e| e.to_string())? {
            by_item.entry(s.item).or_default().push(s.substitute);
        }
        let mut on_hand: HashMap<(String, String), i64> = HashMap::new();
        if !by_item.is_empty() {
            for l in &problem.stock {
                *on_hand
                    .entry((l.place.clone(), l.item.clone()))
                    .or_default() += l.qty;
            }
        }
        Ok(PlanSubstitutes { by_item, on_hand })
    }

    /// An exception's words with its item's substitutes at its place
    /// ("substitute: PARA500T, 39 on hand"), for a shortage.
    pub fn words(&self, e: &Exception, words: String) -> String {
        if !is_shortage(e) {
            return words;
        }
        let Some(subs) = self.by_item.get(&e.item) else {
            return words;
        };
        let named: Vec<String> = subs
            .iter()
            .map(|s| {
                t!(
                    "console_resilience.plan.substitute",
                    code = s,
                    qty = crate::i18n::num(
                        self.on_hand
                            .get(&(e.place.clone(), s.clone()))
                            .copied()
                            .unwrap_or(0)
                    )
                )
            })
            .collect();
        format!("{words} · {}", named.join(", "))
    }

    /// The selected suggestion's substitutes, when its item is short at
    /// its place: one line above its exceptions.
    pub fn line(
        &self,
        plan: &crate::tui::views::PlanView,
        s: &crate::ops::plan::Suggestion,
        w: usize,
        theme: &crate::tui::theme::Theme,
    ) -> Option<ratatui::text::Line<'static>> {
        let e = plan
            .exceptions
            .iter()
            .find(|e| e.place == s.place && e.item == s.item && is_shortage(e))?;
        let text = self.words(e, String::new());
        let text = text.strip_prefix(" · ")?;
        Some(ratatui::text::Line::styled(
            format!(" {}", crate::tui::widgets::fit(text, w)),
            theme.warn(),
        ))
    }
}
