//! A stocktake of the place shown: start it, count each lot (a scanned pack
//! fills the lot), and approve it, which adjusts the variances.

use super::{After, Field, FormBody};
use crate::i18n::num;
use crate::ops::stock::{self, ItemRef, Stocktake};
use crate::t;
use crate::tui::component::Ctx;

/// What the open stocktake stands at, shown in every stock form while it is
/// open: lines counted, the variances (so the approver sees what will change).
pub fn summary(st: &Stocktake) -> String {
    let counted = st.lines.iter().filter(|l| l.counted.is_some()).count();
    let variances: Vec<i64> = st
        .lines
        .iter()
        .filter_map(|l| l.variance())
        .filter(|v| *v != 0)
        .collect();
    let moved = st
        .lines
        .iter()
        .filter(|l| l.counted.is_some() && l.moved())
        .count();
    let mut note = t!(
        "tui.stocktake.summary",
        id = st.id,
        counted = counted,
        lines = st.lines.len(),
        variances = variances.len(),
        total = format!("{:+}", variances.iter().sum::<i64>()),
        moved = moved
    );
    let lines: Vec<String> = st
        .lines
        .iter()
        .filter_map(|l| {
            l.variance()
                .filter(|v| *v != 0)
                .map(|v| format!("{} {} {v:+}", l.item_code, l.lot_number))
        })
        .take(6)
        .collect();
    if !lines.is_empty() {
        note.push_str(&format!(": {}", lines.join(", ")));
    }
    note
}

fn actor(cx: &Ctx) -> Result<crate::ops::Actor, String> {
    cx.actor.clone().ok_or_else(String::new)
}

#[derive(Debug, Clone)]
pub struct Start {
    /// Empty: every item here; else a name, code or ATC filter.
    pub items: Field,
    /// Empty: the whole place; else one storage location.
    pub location: Field,
    /// "y": a controlled-drug check (every controlled drug here).
    pub controlled: Field,
}

impl Start {
    pub fn new() -> Start {
        Start {
            items: Field::new("", t!("tui.hint.stocktake_items")),
            location: Field::new("", t!("tui.hint.stocktake_location")),
            controlled: Field::new("", t!("cd.tui.check_hint")),
        }
    }
}

impl Default for Start {
    fn default() -> Self {
        Start::new()
    }
}

impl FormBody for Start {
    fn title(&self, _item: &ItemRef) -> String {
        t!("tui.form.start_stocktake_title").to_string()
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.items"), &self.items),
            (t!("tui.field.location"), &self.location),
            (t!("cd.tui.check_field"), &self.controlled),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        match i {
            0 => Some(&mut self.items),
            1 => Some(&mut self.location),
            2 => Some(&mut self.controlled),
            _ => None,
        }
    }
    fn submit(&mut self, _item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        let code = cx
            .current_place()
            .map(|p| p.code.clone())
            .unwrap_or_default();
        let place = stock::place_by_code(&cx.store.conn, &code).map_err(|e| e.to_string())?;
        let location = self.location.opt();
        let id = if super::yes(self.controlled.value()) {
            if !self.items.is_empty() || location.is_some() {
                return Err(t!("cd.tui.check_whole_place").to_string());
            }
            stock::start_cd_check(&mut cx.store, &actor, cx.now, &place)
        } else {
            stock::start_stocktake(
                &mut cx.store,
                &actor,
                cx.now,
                &place,
                self.items.value(),
                location.as_deref(),
            )
        }
        .map_err(|e| e.to_string())?;
        let st = stock::stocktake(&cx.store.conn, id).map_err(|e| e.to_string())?;
        Ok((
            t!(
                "tui.done.stocktake_started",
                id = id,
                lines = st.lines.len()
            ),
            After::Reload,
        ))
    }
}

#[derive(Debug, Clone)]
pub struct Count {
    pub stocktake: Option<i64>,
    pub lot: Field,
    pub counted: Field,
    /// Why the count differs (required for a controlled drug before approval).
    pub why: Field,
}

impl Count {
    pub fn new(stocktake: Option<i64>, lot: &str) -> Count {
        Count {
            stocktake,
            lot: Field::new(lot, t!("tui.hint.lot_counted")),
            counted: Field::new("", t!("tui.hint.counted")),
            why: Field::new("", t!("cd.tui.why_hint")),
        }
    }
}

impl FormBody for Count {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.count_title", item = item.name)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.field.counted"), &self.counted),
            (t!("cd.tui.why_field"), &self.why),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.lot, &mut self.counted, &mut self.why]
            .into_iter()
            .nth(i)
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        let n = self.counted.required(t!("tui.field.counted"))?;
        let id = self.stocktake.ok_or(t!("tui.form.no_stocktake"))?;
        let mut c = stock::count(&mut cx.store, &actor, cx.now, id, item, self.lot.value(), n)
            .map_err(|e| e.to_string())?;
        let varies = c.variance().is_some_and(|v| v != 0);
        if varies && !self.why.is_empty() {
            c = stock::explain_variance(
                &mut cx.store,
                &actor,
                id,
                item,
                self.lot.value(),
                self.why.value(),
            )
            .map_err(|e| e.to_string())?;
        } else if varies && c.controlled {
            // Counted; the explanation is still due before approval.
            self.why.hint = t!("cd.tui.why_due").to_string();
        }
        let var = c.variance().map(|v| format!("{v:+}")).unwrap_or_default();
        Ok((
            t!(
                "tui.done.counted",
                item = item.name,
                lot = c.lot_number,
                qty = num(n),
                expected = num(c.expected),
                variance = var
            ),
            After::Reload,
        ))
    }
    fn lot_field(&mut self) -> Option<&mut Field> {
        Some(&mut self.lot)
    }
}

/// Approving has nothing to type: the note says what will be adjusted.
#[derive(Debug, Clone)]
pub struct Approve {
    pub stocktake: Option<i64>,
    /// Controlled drugs counted: the second user who signed.
    pub witness: Option<crate::ops::Actor>,
}

impl FormBody for Approve {
    fn title(&self, _item: &ItemRef) -> String {
        t!("tui.form.approve_title").to_string()
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![]
    }
    fn field_mut(&mut self, _i: usize) -> Option<&mut Field> {
        None
    }
    fn submit(&mut self, _item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        let id = self.stocktake.ok_or(t!("tui.form.no_stocktake"))?;
        let lines =
            stock::approve_stocktake(&mut cx.store, &actor, cx.now, id, self.witness.as_ref())
                .map_err(|e| e.to_string())?;
        let adjusted = lines.iter().filter(|l| l.variance() != Some(0)).count();
        Ok((
            t!(
                "tui.done.stocktake_approved",
                id = id,
                lines = lines.len(),
                adjusted = adjusted
            ),
            After::Reload,
        ))
    }
    fn witness_slot(&mut self) -> Option<&mut Option<crate::ops::Actor>> {
        Some(&mut self.witness)
    }
}
