//! Dispatching or confirming a delivery that carries controlled drugs: the
//! ward counts each controlled line as it arrives, and a second user signs
//! with their PIN (the form's second signature).

use super::{After, Field, FormBody};
use crate::i18n::num;
use crate::ops::stock::{self, ItemRef, TransferOrder, WardCount};
use crate::t;
use crate::tui::component::Ctx;

/// The most controlled lines one form counts (an order rarely carries more
/// than two; the command line counts any number).
pub const MOST_COUNTED: usize = 6;

/// A controlled line to count on arrival.
#[derive(Debug, Clone)]
pub struct Counted {
    pub code: String,
    pub field: Field,
}

#[derive(Debug, Clone)]
pub struct OrderSign {
    pub order: i64,
    /// Confirming the delivery on the ward (else dispatching it).
    pub receiving: bool,
    pub counts: Vec<Counted>,
    pub witness: Option<crate::ops::Actor>,
}

/// The controlled lines of an order with units picked.
pub fn controlled_lines(o: &TransferOrder) -> Vec<&stock::PickLine> {
    o.lines
        .iter()
        .filter(|l| l.item.controlled && l.picked > 0)
        .collect()
}

impl OrderSign {
    pub fn new(o: &TransferOrder, receiving: bool) -> OrderSign {
        let counts = if receiving {
            controlled_lines(o)
                .into_iter()
                .take(MOST_COUNTED)
                .map(|l| Counted {
                    code: l.item.code.clone(),
                    field: Field::new(
                        "",
                        &t!(
                            "cd.tui.count_hint",
                            code = l.item.code,
                            name = l.item.name,
                            unit = crate::i18n::unit(&l.item.dose_unit)
                        ),
                    ),
                })
                .collect()
        } else {
            Vec::new()
        };
        OrderSign {
            order: o.id,
            receiving,
            counts,
            witness: None,
        }
    }

    /// What the form is about: the controlled lines and what was sent.
    pub fn note(o: &TransferOrder, receiving: bool) -> String {
        let lines: Vec<String> = controlled_lines(o)
            .iter()
            .enumerate()
            .map(|(i, l)| {
                t!(
                    "cd.tui.note_line",
                    n = i + 1,
                    code = l.item.code,
                    name = l.item.name,
                    qty = num(l.picked),
                    unit = crate::i18n::unit(&l.item.dose_unit)
                )
            })
            .collect();
        if receiving {
            t!("cd.tui.receive_note", lines = lines.join("; "))
        } else {
            t!("cd.tui.dispatch_note", lines = lines.join("; "))
        }
    }
}

fn label(i: usize) -> &'static str {
    match i {
        0 => t!("cd.tui.count1"),
        1 => t!("cd.tui.count2"),
        2 => t!("cd.tui.count3"),
        3 => t!("cd.tui.count4"),
        4 => t!("cd.tui.count5"),
        _ => t!("cd.tui.count6"),
    }
}

impl FormBody for OrderSign {
    fn title(&self, _item: &ItemRef) -> String {
        if self.receiving {
            t!("cd.tui.receive_title", id = self.order)
        } else {
            t!("cd.tui.dispatch_title", id = self.order)
        }
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, c)| (label(i), &c.field))
            .collect()
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        self.counts.get_mut(i).map(|c| &mut c.field)
    }
    fn submit(&mut self, _item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        if !self.receiving {
            let o = stock::dispatch(
                &mut cx.store,
                &actor,
                cx.now,
                self.order,
                self.witness.as_ref(),
            )
            .map_err(|e| e.to_string())?;
            return Ok((
                super::super::tabs::pharmacy::dispatched_text(&o),
                After::Order(self.order),
            ));
        }
        let mut counted = Vec::new();
        for (i, c) in self.counts.iter().enumerate() {
            if let Some(q) = c.field.number(label(i))? {
                counted.push((c.code.clone(), q));
            }
        }
        let check = WardCount {
            witness: self.witness.clone(),
            counted,
        };
        let taken = stock::confirm_receipt(&mut cx.store, &actor, cx.now, self.order, &check)
            .map_err(|e| e.to_string())?;
        Ok((
            super::super::tabs::pharmacy::received_text(self.order, &taken),
            After::Order(self.order),
        ))
    }
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }
}
