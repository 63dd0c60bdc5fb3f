//! Picking an order line with a quantity: units broken out of a pack (a
//! pack larger than what is still open), a number of units typed, or a
//! picked lot taken back off the order (unpick).

use super::{After, Field, FormBody};
use crate::gs1::Gs1;
use crate::i18n::num;
use crate::ops::stock::{self, ItemRef, PickLine};
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Pick {
    pub order: i64,
    /// Take a picked lot back off the order instead of picking.
    pub unpick: bool,
    pub lot: Field,
    pub quantity: Field,
    /// The expiry printed on the scanned pack, checked against the lot's.
    pub expiry: Option<chrono::NaiveDate>,
    /// Whether the lot came from a scanned pack.
    pub scanned: bool,
}

impl Pick {
    /// Picks on `line`: the FEFO lot and one pack (or what is open, if less).
    pub fn new(order: i64, line: &PickLine) -> Pick {
        let lot = line
            .suggestions
            .first()
            .map(|s| s.lot_number.clone())
            .unwrap_or_default();
        let qty = line.item.units_per_pack.clamp(1, line.open.max(1));
        Pick {
            order,
            unpick: false,
            lot: Field::new(&lot, t!("tui.hint.lot_fefo_pick")),
            quantity: Field::new(&qty.to_string(), t!("tui.hint.pick_units")),
            expiry: None,
            scanned: false,
        }
    }

    /// A scanned pack larger than what is open: break it and pick what is open.
    pub fn break_pack(order: i64, line: &PickLine, g: &Gs1) -> Pick {
        Pick {
            lot: Field::new(g.lot.as_deref().unwrap_or(""), t!("tui.hint.lot_fefo_pick")),
            quantity: Field::new(&line.open.to_string(), t!("tui.hint.pick_units")),
            expiry: g.expiry,
            scanned: true,
            ..Pick::new(order, line)
        }
    }

    /// Takes a picked lot of `line` back off the order (the last one picked).
    pub fn take_back(order: i64, line: &PickLine, cx: &Ctx) -> Pick {
        let lot = crate::store::queries::last_picked_lot(&cx.store.conn, line.line_id)
            .ok()
            .flatten()
            .unwrap_or_default();
        Pick {
            unpick: true,
            lot: Field::new(&lot, t!("tui.hint.lot_unpick")),
            quantity: Field::default(),
            ..Pick::new(order, line)
        }
    }
}

impl FormBody for Pick {
    fn title(&self, item: &ItemRef) -> String {
        if self.unpick {
            t!(
                "tui.form.unpick_title",
                item = item.name,
                order = self.order
            )
        } else {
            t!("tui.form.pick_title", item = item.name, order = self.order)
        }
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        if self.unpick {
            vec![(t!("tui.field.lot"), &self.lot)]
        } else {
            vec![
                (t!("tui.field.lot"), &self.lot),
                (t!("tui.field.quantity"), &self.quantity),
            ]
        }
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        match i {
            0 => Some(&mut self.lot),
            1 if !self.unpick => Some(&mut self.quantity),
            _ => None,
        }
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
    fn scan_pack(
        &mut self,
        item: &ItemRef,
        g: &Gs1,
        pack: &ItemRef,
        cx: &Ctx,
    ) -> Result<Option<usize>, String> {
        let _ = cx;
        if item.id != pack.id {
            return Err(t!(
                "tui.form.other_pack",
                pack = pack.name,
                item = item.name
            ));
        }
        if let Some(l) = &g.lot {
            self.lot.set(l);
        }
        self.expiry = g.expiry;
        self.scanned = true;
        Ok(Some(if self.unpick { 0 } else { 1 }))
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let lot = self.lot.value().to_string();
        if lot.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.lot")));
        }
        if self.unpick {
            let back = stock::unpick(&mut cx.store, &actor, cx.now, self.order, item, &lot)
                .map_err(|e| e.to_string())?;
            return Ok((
                t!(
                    "tui.order.unpicked",
                    qty = num(back.qty),
                    unit = crate::i18n::unit(&item.dose_unit),
                    item = item.name,
                    lot = back.lot_number,
                    id = self.order
                ),
                After::Order(self.order),
            ));
        }
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        if q <= 0 {
            return Err(t!("tui.form.pick_positive").to_string());
        }
        let p = stock::pick_pack(
            &mut cx.store,
            &actor,
            cx.now,
            self.order,
            item,
            &lot,
            self.expiry,
            Some(q),
            self.scanned,
        )
        .map_err(|e| e.to_string())?;
        let mut msg = t!(
            "tui.order.picked",
            qty = num(p.qty),
            unit = crate::i18n::unit(&item.dose_unit),
            item = item.name,
            lot = p.lot_number,
            open = num(p.line_open)
        );
        if let Some(f) = &p.deviation_from {
            msg.push_str(&t!("tui.order.deviation", lot = f));
        }
        Ok((msg, After::Order(self.order)))
    }
}
