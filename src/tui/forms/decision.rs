//! A pharmacist's decision on a replenishment suggestion: accept it (with
//! the quantity settled on) into a transfer or purchase order, or reject it
//! with the reason (it then stays out of the plan for a day).

use super::{After, Field, FormBody};
use crate::ops::plan::{self, PlanOptions, Suggestion};
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Decision {
    pub suggestion: Suggestion,
    pub decision: Field,
    pub qty: Field,
    pub reason: Field,
}

impl Decision {
    pub fn new(suggestion: Suggestion) -> Decision {
        Decision {
            decision: Field::new(t!("tui.input.accept"), t!("tui.hint.decision")),
            qty: Field::new(&suggestion.qty.to_string(), t!("tui.hint.plan_qty")),
            reason: Field::new("", t!("tui.hint.plan_reason")),
            suggestion,
        }
    }
}

impl FormBody for Decision {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.decision_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.decision"), &self.decision),
            (t!("tui.field.qty"), &self.qty),
            (t!("tui.field.reason"), &self.reason),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.decision, &mut self.qty, &mut self.reason]
            .into_iter()
            .nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let s = self.suggestion.clone();
        let accepted = super::decision(self.decision.value())
            .ok_or_else(|| t!("tui.form.bad_decision", value = self.decision.value()))?;
        let msg = if accepted {
            let q = self.qty.required(t!("tui.field.qty"))?;
            let a = plan::accept(
                &mut cx.store,
                &actor,
                cx.now,
                &s,
                Some(q),
                PlanOptions::default(),
            )
            .map_err(|e| e.to_string())?;
            let mut msg = t!(
                "tui.done.accepted",
                qty = crate::i18n::num(a.qty),
                item = item.name,
                place = s.place,
                order = a.order_ref
            );
            if let Some(w) = a.warning() {
                msg.push_str(&format!(" — {w}"));
            }
            msg
        } else {
            plan::reject(&mut cx.store, &actor, cx.now, &s, self.reason.value())
                .map_err(|e| e.to_string())?;
            t!(
                "tui.done.suggestion_rejected",
                qty = crate::i18n::num(s.qty),
                item = item.name,
                place = s.place
            )
        };
        Ok((msg, After::Decided(s)))
    }
}
