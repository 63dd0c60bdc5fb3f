//! An emergency transfer asked from the console: the ward that ran out asks
//! a lending ward (chosen in the list of where the item is, F7 on Ward
//! stock) for a quantity. The same operation as `wardstock transfer new
//! --from WARD --to WARD`: an urgent transfer order the lending ward picks
//! and sends.

use super::{After, Field, FormBody};
use crate::ops::stock::{self, ItemRef, PlaceRef};
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Emergency {
    /// The lending ward.
    pub from: PlaceRef,
    /// The ward asking.
    pub to: PlaceRef,
    pub quantity: Field,
    pub note: Field,
}

impl Emergency {
    pub fn new(from: PlaceRef, to: PlaceRef, qty: i64) -> Emergency {
        Emergency {
            quantity: Field::new(
                &qty.to_string(),
                &t!("console_resilience.find.qty_hint", from = from.code),
            ),
            note: Field::new("", t!("console_resilience.find.note_hint")),
            from,
            to,
        }
    }
}

impl FormBody for Emergency {
    fn title(&self, item: &ItemRef) -> String {
        t!(
            "console_resilience.find.form_title",
            item = item.name,
            from = self.from.code,
            to = self.to.code
        )
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.quantity"), &self.quantity),
            (t!("console_resilience.find.note"), &self.note),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.quantity, &mut self.note].into_iter().nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        let note = self.note.opt();
        let id = stock::request_emergency_transfer(
            &mut cx.store,
            &actor,
            cx.now,
            &self.from,
            &self.to,
            &[(item.clone(), q)],
            note.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "console_resilience.find.requested",
                qty = crate::i18n::num(q),
                unit = crate::i18n::unit(&item.dose_unit),
                item = item.name,
                from = self.from.code,
                order = format!("TO-{id}")
            ),
            After::Reload,
        ))
    }
}
