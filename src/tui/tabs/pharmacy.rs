//! Pharmacy: transfer orders to the wards (Enter opens the pick list, where
//! each scanned pack is picked), the pharmacy's own warnings and the ward
//! lines below safety stock; the replenishment plan (F10) and the policy
//! simulation (F11). Which of these shows is one mode.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::roles::Operation;
use crate::gs1::Gs1;
use crate::i18n::num;
use crate::ops::plan::Suggestion;
use crate::ops::stock::{ItemRef, TransferOrder};
use crate::planning::sim::SimResult;
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg};
use crate::tui::forms::{self, Form, Kind};
use crate::tui::job::Polled;
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::views::{PharmacyView, PlanView};

use super::pharmacy_plan::{PlanScreen, Typed};

/// What the Pharmacy tab shows.
#[derive(Debug, Default)]
pub enum Mode {
    /// Transfer orders and the wards' needs.
    #[default]
    Orders,
    /// A transfer order's pick list.
    PickList(TransferOrder),
    /// The replenishment plan of the whole hospital, filtered as one types.
    Plan(Box<PlanScreen>),
    /// The policy simulation: running (with its progress) or its result.
    Simulation {
        progress: (usize, usize),
        result: Option<Box<SimResult>>,
        /// The drug charted.
        drug: usize,
    },
}

#[derive(Debug, Default)]
pub struct PharmacyTab {
    pub view: PharmacyView,
    pub sel: ListState,
    pub mode: Mode,
    /// The line chosen in the open pick list (↑ ↓): F3 picks a quantity of
    /// it, Delete takes a picked lot back.
    pub line_sel: usize,
    /// The next plan replaces the list without a message (a decision's
    /// message stays on the line).
    quiet: bool,
}

impl PharmacyTab {
    pub fn load(&mut self, cx: &Ctx) -> rusqlite::Result<()> {
        let conn = &cx.store.conn;
        let mut orders = crate::ops::stock::transfer_orders(conn, None, None)?;
        // Open and in transit first, urgent ones before the others, newest
        // first; then the latest received.
        orders.sort_by_key(|o| {
            let done = matches!(o.status.as_str(), "received" | "cancelled");
            (done, done || !o.urgent, std::cmp::Reverse(o.id))
        });
        orders.truncate(200);
        self.view.orders = orders;
        self.view.items = match cx.pharmacy_id() {
            Some(id) => crate::store::queries::item_count(conn, id)?,
            None => 0,
        };
        self.sel.clamp(self.view.orders.len());
        Ok(())
    }

    /// The plan shown, if any.
    pub fn plan(&self) -> Option<&PlanView> {
        match &self.mode {
            Mode::Plan(p) => Some(&p.plan),
            _ => None,
        }
    }

    /// The simulation's result, if shown.
    pub fn sim(&self) -> Option<&SimResult> {
        match &self.mode {
            Mode::Simulation {
                result: Some(r), ..
            } => Some(r),
            _ => None,
        }
    }

    /// The drug the simulation charts.
    pub fn sim_drug(&self) -> usize {
        match &self.mode {
            Mode::Simulation { drug, .. } => *drug,
            _ => 0,
        }
    }

    /// The transfer order whose pick list is open.
    pub fn order(&self) -> Option<&TransferOrder> {
        match &self.mode {
            Mode::PickList(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_plan(&self) -> bool {
        matches!(self.mode, Mode::Plan(_))
    }

    /// The plan screen shown, if any.
    pub fn plan_screen(&self) -> Option<&PlanScreen> {
        match &self.mode {
            Mode::Plan(p) => Some(p),
            _ => None,
        }
    }

    pub fn plan_screen_mut(&mut self) -> Option<&mut PlanScreen> {
        match &mut self.mode {
            Mode::Plan(p) => Some(p),
            _ => None,
        }
    }

    /// A key typed on the plan screen: its filter, or the confirmation of
    /// accepting what it shows.
    pub fn typed(&mut self, ev: &KeyEvent, bound: Option<Action>, cx: &mut Ctx) -> bool {
        let Mode::Plan(p) = &mut self.mode else {
            return false;
        };
        match p.typed(ev, bound, cx) {
            Typed::Not => false,
            Typed::Taken => true,
            Typed::Decided => {
                self.quiet = true;
                self.open_plan(cx);
                true
            }
        }
    }

    /// Plans replenishment for the whole hospital from the database now, in
    /// the background on its own read connection when the terminal runs.
    pub fn open_plan(&mut self, cx: &mut Ctx) {
        let opt = crate::ops::plan::PlanOptions::default();
        let (path, now) = (cx.store.path().to_path_buf(), cx.now);
        if cx.jobs.background {
            // After a decision its message stays until the user's next action.
            if !self.quiet {
                cx.say(Level::Info, t!("tui.plan.planning"));
            }
            cx.jobs.plan.spawn(true, move |_| {
                crate::store::Store::open(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|store| PlanView::load(&store.conn, now, opt))
            });
        } else {
            let result = PlanView::load(&cx.store.conn, now, opt);
            cx.jobs.plan.spawn(false, move |_| result);
        }
    }

    /// A plan computed in the background.
    pub fn polled_plan(&mut self, cx: &mut Ctx, p: Polled<Result<PlanView, String>, ()>) {
        match p {
            Polled::Done(Ok(plan)) => {
                if matches!(self.mode, Mode::PickList(_)) {
                    return;
                }
                if !std::mem::take(&mut self.quiet) {
                    cx.say(
                        Level::Info,
                        t!(
                            "tui.plan.done",
                            suggestions = plan.rows.len(),
                            exceptions = plan.exceptions.len(),
                            ms = plan.millis
                        ),
                    );
                }
                match &mut self.mode {
                    Mode::Plan(p) => p.replace(plan),
                    _ => self.mode = Mode::Plan(Box::new(PlanScreen::new(plan))),
                }
            }
            Polled::Done(Err(e)) => cx.say(Level::Error, t!("tui.plan.failed", error = e)),
            Polled::Progress(()) => {}
            Polled::Lost => cx.say(Level::Error, t!("tui.plan.lost")),
        }
    }

    /// A suggestion was decided: it leaves the list at once, and the plan
    /// is made again (the accepted order is on its way).
    pub fn decided(&mut self, cx: &mut Ctx, s: &Suggestion) {
        if let Mode::Plan(p) = &mut self.mode {
            p.remove(std::slice::from_ref(s));
        }
        self.quiet = true;
        self.open_plan(cx);
    }

    /// Simulates AS IS against TO BE: the ward shown's own drugs from its
    /// use, or the paper's case study at the pharmacy; with its progress.
    fn start_simulation(&mut self, cx: &mut Ctx) {
        if cx.jobs.sim.is_running() {
            cx.say(Level::Info, t!("tui.sim.running"));
            return;
        }
        let ward = cx.current_ward().map(|p| p.code.clone());
        let (path, now) = (cx.store.path().to_path_buf(), cx.now);
        self.mode = Mode::Simulation {
            progress: (0, crate::planning::sim::DEFAULT_REPLICATIONS),
            result: None,
            drug: 0,
        };
        if cx.jobs.background {
            cx.say(Level::Info, t!("tui.sim.started"));
        }
        cx.jobs.sim.spawn(cx.jobs.background, move |progress| {
            use crate::planning::sim;
            let scenario = match &ward {
                Some(w) => {
                    let store = crate::store::Store::open(&path).map_err(|e| e.to_string())?;
                    crate::ops::plan::scenario_from_db(&store.conn, w, now)
                        .map_err(|e| e.to_string())?
                }
                None => sim::Scenario::paper().map_err(|e| e.to_string())?,
            };
            let mut report = |done, total| progress((done, total));
            Ok(sim::simulate(
                &scenario,
                &sim::SimOptions::default(),
                &mut report,
            ))
        });
    }

    /// Progress or the result of the simulation.
    pub fn polled_sim(
        &mut self,
        cx: &mut Ctx,
        p: Polled<Result<SimResult, String>, (usize, usize)>,
    ) {
        let Mode::Simulation {
            progress, result, ..
        } = &mut self.mode
        else {
            return;
        };
        match p {
            Polled::Progress(p) => *progress = p,
            Polled::Done(Ok(r)) => {
                let msg = match r.saving.percent.as_ref() {
                    Some(p) => t!(
                        "tui.sim.done_saving",
                        replications = r.replications,
                        days = r.days,
                        saving = format!("{:.1}", p.mean),
                        operating = format!(
                            "{:.1}",
                            r.saving.operating_percent.as_ref().map_or(0.0, |o| o.mean)
                        )
                    ),
                    None => t!("tui.sim.done", replications = r.replications, days = r.days),
                };
                *result = Some(Box::new(r));
                cx.say(Level::Info, msg);
            }
            Polled::Done(Err(e)) => {
                self.mode = Mode::Orders;
                cx.say(Level::Error, t!("tui.sim.failed", error = e));
            }
            Polled::Lost => {
                self.mode = Mode::Orders;
                let key = cx.keys(Context::List, Action::Simulate);
                cx.say(Level::Error, t!("tui.sim.lost", key = key));
            }
        }
    }

    fn open_order(&mut self, cx: &mut Ctx, id: i64) {
        match crate::ops::stock::transfer_order(&cx.store.conn, id, cx.now) {
            Ok(mut o) => {
                // Once dispatched nothing is left to pick on this order:
                // what was not picked went on a back-order.
                if o.status != "open" {
                    for l in &mut o.lines {
                        l.open = 0;
                        l.shortfall = 0;
                        l.suggestions.clear();
                    }
                }
                // Opened again after an action: that action's message stays.
                let same = self.order().is_some_and(|p| p.id == o.id);
                if !same {
                    self.line_sel = 0;
                    if o.status == "open" {
                        cx.say(Level::Info, t!("tui.order.scan_to_pick", id = id));
                    }
                }
                self.line_sel = self.line_sel.min(o.lines.len().saturating_sub(1));
                self.mode = Mode::PickList(o);
            }
            Err(e) => cx.say(Level::Error, e.to_string()),
        }
    }

    /// Dispatch (pharmacy) or confirm receipt (ward) of the open order. An
    /// order carrying controlled drugs opens a form: a second user signs,
    /// and the ward counts each controlled line.
    fn order_op(&mut self, cx: &mut Ctx, action: Action) -> Msg {
        let (Some(o), Some(actor)) = (self.order().cloned(), cx.actor.clone()) else {
            return Msg::None;
        };
        let order = o.id;
        let receiving = action != Action::Dispatch;
        if !forms::order::controlled_lines(&o).is_empty() {
            let mut form = Form::plain(Kind::Order(forms::order::OrderSign::new(&o, receiving)))
                .with_cosign(true);
            form.note = Some(forms::order::OrderSign::note(&o, receiving));
            return Msg::Form(Box::new(form));
        }
        let result = if receiving {
            crate::ops::stock::confirm_receipt(
                &mut cx.store,
                &actor,
                cx.now,
                order,
                &Default::default(),
            )
            .map(|taken| received_text(order, &taken))
        } else {
            crate::ops::stock::dispatch(&mut cx.store, &actor, cx.now, order, None)
                .map(|o| dispatched_text(&o))
        };
        match result {
            Ok(msg) => {
                cx.local_writes += 1;
                self.open_order(cx, order);
                cx.say(Level::Info, msg);
            }
            Err(e) => cx.say(Level::Error, e.to_string()),
        }
        Msg::None
    }

    /// Opens an order again, read afresh (after a form acted on it).
    pub fn reopen(&mut self, cx: &mut Ctx, id: i64) {
        self.open_order(cx, id);
    }

    /// Whether a scanned pack is picked into the open pick list.
    pub fn picking(&self) -> bool {
        self.order().is_some_and(|o| o.status == "open")
    }

    /// The pick form on the chosen line of the open pick list: a quantity
    /// of a lot, or (`unpick`) a picked lot taken back.
    fn pick_form(&self, cx: &mut Ctx, unpick: bool) -> Msg {
        let Some(o) = self.order() else {
            return Msg::None;
        };
        if o.status != "open" {
            return Msg::None;
        }
        let Some(line) = o.lines.get(self.line_sel) else {
            return Msg::None;
        };
        if !unpick && line.open == 0 {
            cx.say(
                Level::Warn,
                t!("tui.order.line_done", item = line.item.name, id = o.id),
            );
            return Msg::None;
        }
        if unpick && line.picked == 0 {
            cx.say(
                Level::Warn,
                t!("tui.order.nothing_picked", item = line.item.name, id = o.id),
            );
            return Msg::None;
        }
        let pick = if unpick {
            forms::pick::Pick::take_back(o.id, line, cx)
        } else {
            forms::pick::Pick::new(o.id, line)
        };
        let mut form = Form::new(line.item.clone(), Kind::Pick(pick));
        form.note = Some(t!(
            "tui.order.pick_note",
            requested = num(line.requested),
            picked = num(line.picked),
            open = num(line.open),
            pack = num(line.item.units_per_pack),
            unit = crate::i18n::unit(&line.item.dose_unit)
        ));
        form.focus = if unpick { 0 } else { 1 };
        Msg::Form(Box::new(form))
    }

    /// A pack scanned while a pick list is open: pick one pack of that lot.
    /// A pack larger than what is still open opens the pick form to break
    /// it, with what is open as the quantity.
    pub fn scan_pick(&mut self, cx: &mut Ctx, g: &Gs1, item: &ItemRef) -> Option<Form> {
        let (Some(order), Some(actor)) = (self.order().map(|o| o.id), cx.actor.clone()) else {
            return None;
        };
        let Some(lot) = g.lot.clone() else {
            cx.say(Level::Warn, t!("tui.order.no_lot", item = item.name));
            return None;
        };
        match crate::ops::stock::pick_pack(
            &mut cx.store,
            &actor,
            cx.now,
            order,
            item,
            &lot,
            g.expiry,
            None,
            true,
        ) {
            Ok(p) => {
                cx.local_writes += 1;
                self.open_order(cx, order);
                let mut msg = t!(
                    "tui.order.picked",
                    qty = num(p.qty),
                    unit = crate::i18n::unit(&item.dose_unit),
                    item = item.name,
                    lot = p.lot_number,
                    open = num(p.line_open)
                );
                let level = match &p.deviation_from {
                    Some(f) => {
                        msg.push_str(&t!("tui.order.deviation", lot = f));
                        Level::Warn
                    }
                    None => Level::Info,
                };
                cx.say(level, msg);
            }
            Err(e @ crate::ops::stock::StockError::PackLargerThanOpen { .. }) => {
                let line = self
                    .order()
                    .and_then(|o| o.lines.iter().position(|l| l.item.id == item.id));
                if let Some(i) = line {
                    self.line_sel = i;
                }
                let line = line.and_then(|i| self.order().map(|o| o.lines[i].clone()))?;
                let mut form = Form::new(
                    item.clone(),
                    Kind::Pick(forms::pick::Pick::break_pack(order, &line, g)),
                );
                form.note = Some(format!("{} {}", e, t!("tui.order.break_note")));
                form.focus = 1;
                cx.say(Level::Warn, e.to_string());
                return Some(form);
            }
            Err(e) => cx.say(Level::Error, e.to_string()),
        }
        None
    }
}

impl Component for PharmacyTab {
    fn contexts(&self) -> Vec<Context> {
        let own = match self.mode {
            Mode::Orders => Context::List,
            Mode::PickList(_) => Context::Order,
            Mode::Plan(_) => Context::Plan,
            Mode::Simulation { .. } => Context::Sim,
        };
        vec![own, Context::Global]
    }

    fn offers(&self, action: Action, cx: &Ctx) -> bool {
        match action {
            Action::Open => matches!(self.mode, Mode::Orders | Mode::Plan(_)),
            Action::AcceptAll => self.is_plan() && cx.may(Operation::Plan),
            Action::Replenish | Action::Simulate => matches!(self.mode, Mode::Orders),
            Action::Chart => self.is_plan(),
            Action::Dispatch => {
                cx.may(Operation::Dispatch) && self.order().is_some_and(|o| o.status == "open")
            }
            Action::Operations | Action::Unpick => cx.may(Operation::Pick) && self.picking(),
            Action::ConfirmReceipt => {
                cx.may(Operation::ConfirmReceipt)
                    && self.order().is_some_and(|o| o.status == "in_transit")
            }
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        match &mut self.mode {
            Mode::PickList(_) => match action {
                Action::Back => {
                    self.mode = Mode::Orders;
                    return Msg::Reload;
                }
                Action::Dispatch | Action::ConfirmReceipt => return self.order_op(cx, action),
                Action::Operations => return self.pick_form(cx, false),
                Action::Unpick => return self.pick_form(cx, true),
                Action::Up => self.line_sel = self.line_sel.saturating_sub(1),
                Action::Down => {
                    let n = self.order().map_or(0, |o| o.lines.len());
                    self.line_sel = (self.line_sel + 1).min(n.saturating_sub(1));
                }
                _ => {}
            },
            Mode::Simulation { result, drug, .. } => match action {
                Action::Back => {
                    // A run goes on in the background; its result is dropped.
                    cx.jobs.sim.cancel();
                    self.mode = Mode::Orders;
                }
                Action::Up | Action::Down => {
                    let n = result.as_ref().map_or(1, |r| r.drugs.len().max(1)) as isize;
                    let step = if action == Action::Up { -1 } else { 1 };
                    *drug = (*drug as isize + step).rem_euclid(n) as usize;
                }
                _ => {}
            },
            Mode::Plan(p) => match p.event(action, cx) {
                Some(msg) => return msg,
                None => {
                    self.mode = Mode::Orders;
                    return Msg::Reload;
                }
            },
            Mode::Orders => match action {
                Action::Open => match self.view.orders.get(self.sel.selected).map(|o| o.id) {
                    Some(id) => self.open_order(cx, id),
                    None => cx.say(Level::Warn, t!("tui.order.none_selected")),
                },
                Action::Replenish => self.open_plan(cx),
                Action::Simulate => self.start_simulation(cx),
                a => {
                    self.sel.act(a, self.view.orders.len());
                }
            },
        }
        Msg::None
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        match &self.mode {
            Mode::Orders => self.draw_orders(f, area, theme),
            Mode::PickList(o) => {
                super::pharmacy_orders::draw_order(f, area, o, self.line_sel, theme)
            }
            Mode::Plan(p) => p.draw(f, area, &cx.keys(Context::Plan, Action::Chart), theme),
            Mode::Simulation {
                result: Some(r),
                drug,
                ..
            } => super::pharmacy_plan::draw_sim(f, area, r, *drug, theme),
            Mode::Simulation {
                progress: (done, total),
                ..
            } => super::pharmacy_plan::draw_progress(f, area, *done, *total, theme),
        }
        let _ = cx;
    }
}

/// What a dispatch did, for the message line.
pub fn dispatched_text(o: &crate::ops::stock::TransferOrder) -> String {
    let open: i64 = o.lines.iter().map(|l| l.open).sum();
    match o.backorder {
        Some(b) => t!(
            "tui.order.dispatched_backorder",
            id = o.id,
            open = num(open),
            backorder = b
        ),
        None => t!("tui.order.dispatched", id = o.id),
    }
}

/// What a confirmed delivery brought, with what must be set aside.
pub fn received_text(order: i64, taken: &[crate::ops::stock::Taken]) -> String {
    let mut msg = t!(
        "tui.order.received",
        id = order,
        qty = num(taken.iter().map(|x| x.qty).sum::<i64>())
    );
    for w in taken.iter().filter_map(|x| x.warning.as_ref()) {
        msg.push_str(&t!(
            "tui.order.warning",
            warning = crate::i18n::results::set_aside(w)
        ));
    }
    msg
}
