//! Receiving a delivery line into the pharmacy, or rejecting it at the
//! quality check: lot, expiry, packs and loose units, supplier, and the
//! purchase order (receive) or the reason (reject). A scan fills lot and expiry.

use super::{After, Field, FormBody};
use crate::gs1::Gs1;
use crate::ops::stock::{self, ItemRef, ReceiveLine};
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Receive {
    /// Rejected at the quality check: nothing enters stock.
    pub reject: bool,
    pub lot: Field,
    pub expiry: Field,
    pub packs: Field,
    pub units: Field,
    pub supplier: Field,
    /// Receive: the purchase order delivered (optional).
    pub order: Field,
    /// Reject: why (required).
    pub reason: Field,
    /// Receive: the storage location (empty: where the item is kept).
    pub location: Field,
    /// A controlled drug: the second user who signed.
    pub witness: Option<crate::ops::Actor>,
}

impl Receive {
    pub fn new(reject: bool, lot: &str) -> Receive {
        Receive {
            reject,
            lot: Field::new(lot, t!("tui.hint.lot_scan")),
            expiry: Field::new("", t!("tui.hint.expiry")),
            packs: Field::new(
                "",
                if reject {
                    t!("tui.hint.packs_refused")
                } else {
                    t!("tui.hint.packs")
                },
            ),
            units: Field::new(
                "",
                if reject {
                    t!("tui.hint.units_refused")
                } else {
                    t!("tui.hint.units_loose")
                },
            ),
            supplier: Field::new("", t!("tui.hint.optional")),
            order: Field::new("", t!("tui.hint.order")),
            reason: Field::new("", t!("tui.hint.reject_reason")),
            location: Field::new("", t!("tui.hint.location")),
            witness: None,
        }
    }

    /// The delivery line: lot, expiry, packs and loose units (checked,
    /// never negative), supplier.
    pub fn line(&self, item: &ItemRef) -> Result<ReceiveLine, String> {
        let expiry = match self.expiry.value() {
            "" => None,
            v => Some(
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| t!("tui.form.bad_expiry", value = v))?,
            ),
        };
        let (packs, loose) = (
            self.packs.number(t!("tui.field.packs"))?.unwrap_or(0),
            self.units.number(t!("tui.field.units"))?.unwrap_or(0),
        );
        if packs < 0 || loose < 0 {
            return Err(t!("tui.form.negative").to_string());
        }
        let qty = packs
            .checked_mul(item.units_per_pack)
            .and_then(|u| u.checked_add(loose))
            .ok_or(t!("tui.form.too_much"))?;
        Ok(ReceiveLine {
            item: item.clone(),
            lot_number: self.lot.value().to_string(),
            expiry,
            qty,
            supplier: self.supplier.opt(),
            order_ref: self
                .order
                .opt()
                .filter(|_| !self.reject)
                .map(|o| o.to_ascii_uppercase()),
            location: self.location.opt().filter(|_| !self.reject),
        })
    }
}

impl FormBody for Receive {
    fn title(&self, item: &ItemRef) -> String {
        if self.reject {
            t!("tui.form.reject_title", item = item.name)
        } else {
            t!("tui.form.receive_title", item = item.name)
        }
    }

    fn fields(&self) -> Vec<(&'static str, &Field)> {
        let mut f = vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.expiry"), &self.expiry),
            (t!("tui.field.packs"), &self.packs),
            (t!("tui.field.units"), &self.units),
            (t!("tui.field.supplier"), &self.supplier),
        ];
        if self.reject {
            f.push((t!("tui.field.reason"), &self.reason));
        } else {
            f.push((t!("tui.field.order"), &self.order));
            f.push((t!("tui.field.location"), &self.location));
        }
        f
    }

    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        Some(match i {
            0 => &mut self.lot,
            1 => &mut self.expiry,
            2 => &mut self.packs,
            3 => &mut self.units,
            4 => &mut self.supplier,
            5 if self.reject => &mut self.reason,
            5 => &mut self.order,
            6 if !self.reject => &mut self.location,
            _ => return None,
        })
    }

    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or("")?;
        let line = self.line(item)?;
        let units = crate::i18n::num(line.qty);
        let lot = line.lot_number.clone();
        if self.reject {
            stock::reject_receipt(&mut cx.store, &actor, cx.now, &line, self.reason.value())
                .map_err(|e| e.to_string())?;
            return Ok((
                t!(
                    "tui.done.rejected_receipt",
                    qty = units,
                    unit = crate::i18n::unit(&item.dose_unit),
                    item = item.name,
                    lot = lot
                ),
                After::Reload,
            ));
        }
        let r = stock::receive(
            &mut cx.store,
            &actor,
            cx.now,
            &line,
            cx.settings.receiving.short_dated_days,
            self.witness.as_ref(),
        )
        .map_err(|e| e.to_string())?;
        let mut msg = t!(
            "tui.done.received",
            qty = units,
            unit = crate::i18n::unit(&item.dose_unit),
            item = item.name,
            lot = lot
        );
        msg.push_str(&r.warnings());
        msg.push_str(&t!("tui.done.put_at", location = r.location));
        Ok((msg, After::Reload))
    }

    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }

    fn scan_pack(
        &mut self,
        item: &ItemRef,
        g: &Gs1,
        pack: &ItemRef,
        _cx: &Ctx,
    ) -> Result<Option<usize>, String> {
        if item.id != pack.id {
            return Err(t!(
                "tui.form.other_pack",
                pack = pack.name,
                item = item.name
            ));
        }
        if let Some(lot) = &g.lot {
            self.lot.set(lot);
        }
        if let Some(e) = g.expiry {
            self.expiry.set(&e.to_string());
        }
        // On to the first field the scan did not fill (the quantity).
        Ok(self
            .fields()
            .iter()
            .skip(2)
            .position(|(_, f)| f.is_empty())
            .map(|i| i + 2))
    }
}
