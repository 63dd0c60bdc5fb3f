//! The ward's and the pharmacy's everyday stock forms: issue, dispose of,
//! return to the pharmacy, request from the pharmacy, and quarantine,
//! release or recall a lot. A scanned pack fills the lot.

use super::{After, Field, FormBody};
use crate::domain::roles::Operation;
use crate::i18n::num;
use crate::ops::stock::{self, ItemRef};
use crate::t;
use crate::tui::component::Ctx;

/// The place the form acts at (the one shown).
fn place(cx: &Ctx) -> Result<crate::ops::stock::PlaceRef, String> {
    let code = cx
        .current_place()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    stock::place_by_code(&cx.store.conn, &code).map_err(|e| e.to_string())
}

/// What a form about one lot shows before it acts on it: the lot, its
/// expiry and what is held where; the user types yes to go on. A lot
/// changed after the check is shown again and confirmed again.
#[derive(Debug, Clone)]
pub struct LotCheck {
    /// The lot, its expiry and holdings as last shown.
    pub shown: Option<String>,
    /// Yes, typed to go on.
    pub confirm: Field,
}

impl LotCheck {
    pub fn new(cx: &Ctx, item: &ItemRef, lot: &str) -> LotCheck {
        LotCheck {
            shown: describe_lot(cx, item, lot),
            confirm: Field::new("", t!("tui.hint.confirm_lot")),
        }
    }

    /// Ready to act on `lot`: shown as it is now and confirmed.
    fn check(&mut self, cx: &Ctx, item: &ItemRef, lot: &str) -> Result<(), String> {
        let now = describe_lot(cx, item, lot);
        if now != self.shown {
            // Another lot than the one shown: show it and ask again.
            self.shown = now;
            self.confirm.set("");
        }
        if self.shown.is_none() || super::yes(self.confirm.value()) {
            // A lot that is not known here is refused by the operation itself.
            return Ok(());
        }
        Err(t!("tui.form.confirm_lot", lot = lot))
    }

    /// Whether the check waits for the user's yes.
    fn waiting(&self) -> bool {
        self.shown.is_some() && !super::yes(self.confirm.value())
    }
}

/// The lot of `item` numbered `lot`: its expiry and what is held where.
fn describe_lot(cx: &Ctx, item: &ItemRef, lot: &str) -> Option<String> {
    if lot.trim().is_empty() {
        return None;
    }
    let conn = &cx.store.conn;
    let l = stock::lot_by_number(conn, item, lot.trim()).ok()?;
    let held = stock::holdings(conn, l.id).unwrap_or_default();
    let held = if held.is_empty() {
        t!("tui.done.none_in_stock").to_string()
    } else {
        held.iter()
            .map(|h| format!("{} {}", h.place, num(h.qty)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expiry = match l.expiry {
        Some(e) => t!(
            "tui.form.lot_expiry",
            date = crate::i18n::date(e),
            days = (e - cx.today()).num_days()
        ),
        None => t!("tui.lot.no_expiry").to_string(),
    };
    Some(t!(
        "tui.form.lot_facts",
        lot = l.lot_number,
        expiry = expiry,
        held = held
    ))
}

fn actor(cx: &Ctx) -> Result<crate::ops::Actor, String> {
    cx.actor.clone().ok_or_else(String::new)
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub lot: Field,
    pub quantity: Field,
    pub reason: Field,
    /// A controlled drug: the second user who signed.
    pub witness: Option<crate::ops::Actor>,
}

impl Issue {
    pub fn new() -> Issue {
        Issue {
            lot: Field::new("", t!("tui.hint.lot_fefo")),
            quantity: Field::new("", t!("tui.hint.units")),
            reason: Field::new("", t!("tui.hint.issue_reason")),
            witness: None,
        }
    }
}

impl Default for Issue {
    fn default() -> Self {
        Issue::new()
    }
}

impl FormBody for Issue {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.issue_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.quantity"), &self.quantity),
            (t!("tui.field.reason"), &self.reason),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.lot, &mut self.quantity, &mut self.reason]
            .into_iter()
            .nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let (actor, place) = (actor(cx)?, place(cx)?);
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        let lot = self.lot.opt();
        let reason = self.reason.opt();
        let taken = stock::issue(
            &mut cx.store,
            &actor,
            cx.now,
            &place,
            item,
            q,
            lot.as_deref(),
            reason.as_deref(),
            self.witness.as_ref(),
        )
        .map_err(|e| e.to_string())?;
        let lots: Vec<String> = taken
            .iter()
            .map(|x| format!("{}×{}", x.lot_number, num(x.qty)))
            .collect();
        Ok((
            t!(
                "tui.done.issued",
                qty = num(q),
                unit = crate::i18n::unit(&item.dose_unit),
                item = item.name,
                lots = lots.join(", ")
            ),
            After::Reload,
        ))
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }
}

#[derive(Debug, Clone)]
pub struct Waste {
    pub lot: Field,
    pub quantity: Field,
    pub reason: Field,
    pub note: Field,
    /// The lot shown and confirmed before it is disposed of.
    pub check: LotCheck,
    /// A controlled drug: the second user who signed.
    pub witness: Option<crate::ops::Actor>,
}

impl Waste {
    pub fn new(cx: &Ctx, item: &ItemRef, lot: &str) -> Waste {
        Waste {
            check: LotCheck::new(cx, item, lot),
            lot: Field::new(lot, t!("tui.hint.lot_disposed")),
            quantity: Field::new("", t!("tui.hint.units")),
            reason: Field::new(
                super::input::waste_word(stock::WasteReason::Expired),
                t!("tui.hint.waste_reason"),
            ),
            note: Field::new("", t!("tui.hint.optional")),
            witness: None,
        }
    }
}

impl FormBody for Waste {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.waste_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.quantity"), &self.quantity),
            (t!("tui.field.reason"), &self.reason),
            (t!("tui.field.note"), &self.note),
            (t!("tui.field.confirm"), &self.check.confirm),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [
            &mut self.lot,
            &mut self.quantity,
            &mut self.reason,
            &mut self.note,
            &mut self.check.confirm,
        ]
        .into_iter()
        .nth(i)
    }
    fn precheck(&mut self, item: &ItemRef, cx: &Ctx) -> Result<(), String> {
        let lot = self.lot.value().to_string();
        self.check.check(cx, item, &lot)
    }
    fn refocus(&self) -> Option<usize> {
        self.check.waiting().then_some(4)
    }
    fn note(&self) -> Option<String> {
        self.check.shown.clone()
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let (actor, place) = (actor(cx)?, place(cx)?);
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        let why = super::input::waste_reason(self.reason.value())
            .ok_or_else(|| t!("tui.form.waste_reason").to_string())?;
        let note = self.note.opt();
        let lot = self.lot.value().to_string();
        stock::waste(
            &mut cx.store,
            &actor,
            cx.now,
            &place,
            item,
            &lot,
            q,
            why,
            note.as_deref(),
            self.witness.as_ref(),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "tui.done.wasted",
                qty = num(q),
                unit = crate::i18n::unit(&item.dose_unit),
                item = item.name,
                lot = lot,
                reason = why.as_ref()
            ),
            After::Reload,
        ))
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }
}

#[derive(Debug, Clone)]
pub struct Return {
    pub lot: Field,
    pub quantity: Field,
    pub reason: Field,
    /// A controlled drug: the second user who signed.
    pub witness: Option<crate::ops::Actor>,
}

impl Return {
    pub fn new(lot: &str) -> Return {
        Return {
            lot: Field::new(lot, t!("tui.hint.lot_returned")),
            quantity: Field::new("", t!("tui.hint.units")),
            reason: Field::new("", t!("tui.hint.return_reason")),
            witness: None,
        }
    }
}

impl FormBody for Return {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.return_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.quantity"), &self.quantity),
            (t!("tui.field.reason"), &self.reason),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.lot, &mut self.quantity, &mut self.reason]
            .into_iter()
            .nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let (actor, place) = (actor(cx)?, place(cx)?);
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        let lot = self.lot.value().to_string();
        stock::return_to_pharmacy(
            &mut cx.store,
            &actor,
            cx.now,
            &place,
            item,
            &lot,
            q,
            self.reason.value(),
            self.witness.as_ref(),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "tui.done.returned",
                qty = num(q),
                unit = crate::i18n::unit(&item.dose_unit),
                item = item.name,
                lot = lot
            ),
            After::Reload,
        ))
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }
}

/// A request for stock from the pharmacy.
#[derive(Debug, Clone)]
pub struct Request {
    pub quantity: Field,
}

impl Request {
    pub fn new() -> Request {
        Request {
            quantity: Field::new("", t!("tui.hint.units_wanted")),
        }
    }
}

impl Default for Request {
    fn default() -> Self {
        Request::new()
    }
}

impl FormBody for Request {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.request_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![(t!("tui.field.quantity"), &self.quantity)]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        (i == 0).then_some(&mut self.quantity)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let (actor, place) = (actor(cx)?, place(cx)?);
        let q = self.quantity.required(t!("tui.field.quantity"))?;
        let id = stock::request_transfer(
            &mut cx.store,
            &actor,
            cx.now,
            &place,
            &[(item.clone(), q)],
            None,
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "tui.done.requested",
                qty = num(q),
                unit = crate::i18n::unit(&item.dose_unit),
                item = item.name,
                id = id
            ),
            After::Reload,
        ))
    }
}

/// Quarantine, release or recall a lot everywhere.
#[derive(Debug, Clone)]
pub struct LotHold {
    /// `Quarantine`, `Release` or `Recall`.
    pub op: Operation,
    pub lot: Field,
    pub reason: Field,
    /// The lot shown and confirmed before it is held or recalled.
    pub check: LotCheck,
}

impl LotHold {
    pub fn new(op: Operation, cx: &Ctx, item: &ItemRef, lot: &str) -> LotHold {
        LotHold {
            op,
            check: LotCheck::new(cx, item, lot),
            lot: Field::new(lot, t!("tui.hint.lot_concerned")),
            reason: Field::new("", t!("tui.hint.required")),
        }
    }
}

impl FormBody for LotHold {
    fn title(&self, item: &ItemRef) -> String {
        match self.op {
            Operation::Quarantine => t!("tui.form.quarantine_title", item = item.name),
            Operation::Release => t!("tui.form.release_title", item = item.name),
            _ => t!("tui.form.recall_title", item = item.name),
        }
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.reason"), &self.reason),
            (t!("tui.field.confirm"), &self.check.confirm),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.lot, &mut self.reason, &mut self.check.confirm]
            .into_iter()
            .nth(i)
    }
    fn precheck(&mut self, item: &ItemRef, cx: &Ctx) -> Result<(), String> {
        let lot = self.lot.value().to_string();
        self.check.check(cx, item, &lot)
    }
    fn refocus(&self) -> Option<usize> {
        self.check.waiting().then_some(2)
    }
    fn note(&self) -> Option<String> {
        self.check.shown.clone()
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        let lot = self.lot.value().to_string();
        let reason = self.reason.value().to_string();
        let (store, now) = (&mut cx.store, cx.now);
        let held = match self.op {
            Operation::Quarantine => stock::quarantine(store, &actor, now, item, &lot, &reason),
            Operation::Release => stock::release(store, &actor, now, item, &lot, &reason),
            _ => stock::recall(store, &actor, now, item, &lot, &reason),
        }
        .map_err(|e| e.to_string())?;
        let places: Vec<String> = held
            .iter()
            .map(|x| match x.open_pack {
                // A multi-dose pack closed with the lot: say where, and to discard it.
                Some(_) => x.place_text(),
                None => format!("{} {}", num(x.qty), x.place),
            })
            .collect();
        let places = if places.is_empty() {
            t!("tui.done.none_in_stock").to_string()
        } else {
            places.join(", ")
        };
        Ok((
            match self.op {
                Operation::Quarantine => {
                    t!(
                        "tui.done.quarantined",
                        lot = lot,
                        item = item.name,
                        places = places
                    )
                }
                Operation::Release => {
                    t!(
                        "tui.done.released",
                        lot = lot,
                        item = item.name,
                        places = places
                    )
                }
                _ => t!(
                    "tui.done.recalled",
                    lot = lot,
                    item = item.name,
                    places = places
                ),
            },
            After::Reload,
        ))
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
}
