//! The pharmacist's validation of a prescription: accept (with a comment
//! when findings are overridden) or reject (with the reason).

use super::{After, Field, FormBody};
use crate::ops::rx::{self, Decision};
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Validation {
    pub rx_id: i64,
    pub decision: Field,
    pub comment: Field,
}

impl Validation {
    pub fn new(rx_id: i64) -> Validation {
        Validation {
            rx_id,
            decision: Field::new(t!("tui.input.approve"), t!("tui.hint.decision")),
            comment: Field::new("", t!("tui.hint.comment")),
        }
    }
}

impl FormBody for Validation {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.validate_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.decision"), &self.decision),
            (t!("tui.field.comment"), &self.comment),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.decision, &mut self.comment].into_iter().nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let id = self.rx_id;
        let text = self.comment.value().to_string();
        let accepted = super::decision(self.decision.value())
            .ok_or_else(|| t!("tui.form.bad_decision", value = self.decision.value()))?;
        let decision = if accepted {
            Decision::Accept {
                comment: Some(text).filter(|t| !t.is_empty()),
            }
        } else {
            Decision::Reject { reason: text }
        };
        rx::validate(&mut cx.store, &actor, cx.now, id, &decision).map_err(|e| e.to_string())?;
        Ok((
            if accepted {
                t!("tui.done.validated", id = id, item = item.name)
            } else {
                t!("tui.done.rx_rejected", id = id)
            },
            After::Reload,
        ))
    }
}
