//! Ward stock: the items of the place shown, filtered as you type, and an
//! item's lots and recent movements. F3 opens the item's operations; a
//! scanned pack opens its item with the lot marked.

use std::cell::Cell as StdCell;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use tui_input::Input;

use crate::domain::fefo::{LotProblem, lot_problem};
use crate::domain::roles::Operation;
use crate::domain::{LotStatus, PlaceKind};
use crate::gs1::Gs1;
use crate::i18n::num;
use crate::ops::stock::ItemRef;
use crate::store::queries::{LotLine, StockLine};
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg, Tab};
use crate::tui::forms::{self, Form, Kind};
use crate::tui::keymap::{Action, Context};
use crate::tui::popups::{Popup, op_menu};
use crate::tui::theme::Theme;
use crate::tui::views::{DetailView, StockView};
use crate::tui::widgets::{Column, TCell, W, line, note_at, visible_table};

#[derive(Debug, Default)]
pub struct StockTab {
    pub view: StockView,
    pub filter: Input,
    /// Indices of the lines matching the filter.
    pub filtered: Vec<usize>,
    pub sel: ListState,
    /// The open item: its lots and movements.
    pub detail: Option<DetailView>,
    pub detail_scroll: usize,
    pub(super) detail_rows: StdCell<usize>,
    /// The lot of the last scan (or the alert that opened the item).
    pub scanned_lot: Option<String>,
    /// The item of the last scan and the expiry on its label: the forms
    /// opened on that item take the scanned lot and expiry.
    pub scanned: Option<(i64, Option<chrono::NaiveDate>)>,
    /// The lot chosen in the item's lots (↑ ↓, or the scanned one), marked;
    /// `None` until one is chosen: the forms never take a lot unasked.
    pub lot_sel: Option<usize>,
    /// A scanned GTIN no item knows, waiting to be linked (F6).
    pub pending_gtin: Option<String>,
    /// The filter was set by a scan or an alert, not typed: Esc back from
    /// the item and a change of place clear it.
    pub auto_filter: bool,
    /// Where Esc goes back to after an alert opened an item here.
    pub return_to: Option<(Tab, usize)>,
}

impl StockTab {
    pub fn load(&mut self, cx: &mut Ctx, place_id: i64) -> rusqlite::Result<()> {
        let conn = &cx.store.conn;
        self.view = StockView::load(conn, place_id, cx.now, &cx.settings.alert_config())?;
        self.filtered = self.view.filter(self.filter.value());
        self.sel.clamp(self.filtered.len());
        if let Some(d) = &self.detail {
            self.detail = match d
                .line
                .as_ref()
                .and_then(|l| self.view.lines.iter().find(|x| x.item_id == l.item_id))
            {
                Some(line) => Some(DetailView::load(conn, place_id, line)?),
                None => None,
            };
        }
        Ok(())
    }

    /// The filter as last typed, reapplied to the loaded lines.
    pub fn refilter(&mut self) {
        self.filtered = self.view.filter(self.filter.value());
        self.sel.reset();
    }

    /// The item selected in the list.
    pub fn selected_line(&self) -> Option<StockLine> {
        self.filtered
            .get(self.sel.selected)
            .and_then(|&i| self.view.lines.get(i))
            .cloned()
    }

    /// The item the operations act on: the open item, or the selected one.
    pub fn op_item(&self) -> Option<StockLine> {
        match &self.detail {
            Some(d) => d.line.clone(),
            None => self.selected_line(),
        }
    }

    /// Before showing an item: the filter that finds it, and where Esc returns.
    pub fn prepare_show(&mut self, filter: &str, back: Option<(Tab, usize)>) {
        self.filter = Input::default().with_value(filter.to_string());
        self.auto_filter = !filter.is_empty();
        self.detail = None;
        self.return_to = back;
        self.scanned = None;
        self.lot_sel = None;
    }

    /// The place changed: the item a scan found is not the one asked for there.
    pub fn place_changed(&mut self) {
        self.detail = None;
        self.lot_sel = None;
        self.sel.reset();
        if std::mem::take(&mut self.auto_filter) {
            self.filter = Input::default();
        }
    }

    /// A scanned pack of `item` was shown: forms on it take its lot and expiry.
    pub fn mark_scan(&mut self, item: &ItemRef, g: &Gs1) {
        self.scanned = Some((item.id, g.expiry));
    }

    /// The lot chosen for the open item's forms: the one selected in its
    /// lots, else the scanned one (with the label's expiry); none otherwise.
    fn chosen_lot(&self, item_id: i64) -> (String, Option<chrono::NaiveDate>) {
        let d = self
            .detail
            .as_ref()
            .filter(|d| d.line.as_ref().map(|l| l.item_id) == Some(item_id));
        let selected = d.and_then(|d| self.lot_sel.and_then(|i| d.lots.get(i)));
        let scan_expiry = self
            .scanned
            .filter(|(id, _)| *id == item_id)
            .map(|(_, e)| e);
        let scanned = scan_expiry.and(self.scanned_lot.clone());
        match (selected, scanned) {
            (Some(l), Some(s)) if l.lot_number == s => (s, scan_expiry.flatten().or(l.expiry)),
            (Some(l), _) => (l.lot_number.clone(), l.expiry),
            (None, Some(s)) if d.is_some() => (s, scan_expiry.flatten()),
            _ => (String::new(), None),
        }
    }

    /// Selects and opens an item of the loaded list; false when not stocked here.
    pub fn open_item(&mut self, cx: &mut Ctx, item_id: i64) -> bool {
        self.filtered = self.view.filter(self.filter.value());
        let Some(pos) = self
            .filtered
            .iter()
            .position(|&i| self.view.lines[i].item_id == item_id)
        else {
            return false;
        };
        self.sel.reset();
        self.sel.selected = pos;
        self.open(cx);
        true
    }

    fn open(&mut self, cx: &mut Ctx) {
        let Some(line) = self.selected_line() else {
            cx.say(Level::Warn, t!("tui.stock.none_selected"));
            return;
        };
        match DetailView::load(&cx.store.conn, self.view.place_id, &line) {
            Ok(d) => {
                // The scanned lot, when it is here, is the one chosen.
                self.lot_sel = self
                    .scanned_lot
                    .as_ref()
                    .and_then(|s| d.lots.iter().position(|l| &l.lot_number == s));
                self.detail = Some(d);
                self.detail_scroll = 0;
            }
            Err(e) => cx.say(Level::Error, t!("tui.stock.cannot_read_lots", error = e)),
        }
    }

    /// After a scan opened the pack's item: what the lot is here, and
    /// whether it may be used.
    pub fn say_scanned(&mut self, cx: &mut Ctx, item: &ItemRef, g: &Gs1) {
        let place = cx
            .current_place()
            .map(|p| p.code.clone())
            .unwrap_or_default();
        if self.detail.is_none() {
            cx.say(
                Level::Warn,
                t!("tui.scan.not_stocked", item = item.name, place = place),
            );
            return;
        }
        let today = cx.today();
        let lot = g.lot.as_deref().unwrap_or("");
        let here: Option<LotLine> = self
            .detail
            .as_ref()
            .and_then(|d| d.lots.iter().find(|l| l.lot_number == lot).cloned());
        let exp = g
            .expiry
            .map(|e| t!("tui.scan.exp", date = crate::i18n::date(e)))
            .unwrap_or_default();
        // The expiry that counts is the earlier of the label's and the one recorded for the lot.
        let recorded = here.as_ref().and_then(|l| l.expiry);
        if let (Some(label), Some(rec)) = (g.expiry, recorded)
            && label != rec
        {
            cx.say(
                Level::Error,
                t!(
                    "tui.scan.expiry_mismatch",
                    item = item.name,
                    lot = lot,
                    label = crate::i18n::date(label),
                    recorded = crate::i18n::date(rec)
                ),
            );
            return;
        }
        let earliest = [g.expiry, recorded].into_iter().flatten().min();
        let status = here.as_ref().map_or(LotStatus::Ok, |l| l.status);
        let (level, msg) = match (lot_problem(status, earliest, today), here) {
            (Some(LotProblem::Expired { on: e }), _) => (
                Level::Error,
                t!(
                    "tui.scan.expired",
                    item = item.name,
                    lot = lot,
                    date = crate::i18n::date(e)
                ),
            ),
            (Some(LotProblem::Quarantined), _) => (
                Level::Error,
                t!(
                    "tui.scan.quarantined",
                    item = item.name,
                    lot = lot,
                    exp = exp
                ),
            ),
            (Some(LotProblem::Recalled), _) => (
                Level::Error,
                t!("tui.scan.recalled", item = item.name, lot = lot, exp = exp),
            ),
            (None, Some(l)) => (
                Level::Info,
                t!(
                    "tui.scan.here",
                    item = item.name,
                    lot = lot,
                    exp = exp,
                    qty = num(l.qty),
                    unit = crate::i18n::unit(&item.dose_unit),
                    place = place
                ),
            ),
            (None, None) if lot.is_empty() => (Level::Info, t!("tui.scan.item", item = item.name)),
            (None, None) => (
                Level::Warn,
                t!(
                    "tui.scan.none_here",
                    item = item.name,
                    lot = lot,
                    exp = exp,
                    place = place
                ),
            ),
        };
        cx.say(level, msg);
    }

    /// The operations the signed-in role may do on an item at the place shown.
    fn ops(&self, cx: &Ctx) -> Vec<Operation> {
        let (Some(actor), Some(place)) = (cx.actor.as_ref(), cx.current_place()) else {
            return Vec::new();
        };
        if place.kind == PlaceKind::Transit {
            return Vec::new();
        }
        let cold = self
            .op_item()
            .is_some_and(|l| matches!(l.storage.as_str(), "cold" | "frozen"));
        op_menu::menu(
            place.kind == PlaceKind::Pharmacy,
            self.view.stocktake.is_some(),
            self.op_item().is_some_and(|l| l.controlled),
        )
        .into_iter()
        // A ward's scheduled cases: booked by some, used by those who issue.
        .chain((place.kind == PlaceKind::Ward).then_some(Operation::Reserve))
        // A cold item's menu ends with its place's fridges and their log.
        .chain(cold.then_some(Operation::ColdReading))
        .filter(|op| {
            crate::domain::roles::may(actor.role, *op)
                || (*op == Operation::Reserve
                    && crate::domain::roles::may(actor.role, Operation::Issue))
        })
        // A nurse disposes of stock on a ward, never at the pharmacy.
        .filter(|op| {
            !(actor.role == crate::domain::Role::Nurse
                && *op == Operation::Waste
                && place.kind != PlaceKind::Ward)
        })
        .collect()
    }

    /// The operations menu of the item (F3).
    fn open_menu(&mut self, cx: &mut Ctx) -> Msg {
        let (Some(actor), Some(place)) = (cx.actor.as_ref(), cx.current_place()) else {
            return Msg::None;
        };
        if self.op_item().is_none() {
            cx.say(Level::Warn, t!("tui.stock.select_first"));
            return Msg::None;
        }
        if place.kind == PlaceKind::Transit {
            cx.say(Level::Warn, t!("tui.stock.transit"));
            return Msg::None;
        }
        let ops = self.ops(cx);
        if ops.is_empty() {
            let role = crate::tui::words::role(actor.role);
            cx.say(Level::Warn, t!("tui.stock.no_operations", role = role));
            return Msg::None;
        }
        Msg::Popup(Popup::OpMenu(op_menu::OpMenu { ops, selected: 0 }))
    }

    /// The controlled-drug register page of the item at the place shown.
    pub fn register(&self, cx: &mut Ctx) -> Option<crate::tui::popups::register::RegisterPage> {
        let line = self.op_item()?;
        let place = cx.current_place()?.code.clone();
        match crate::tui::popups::register::RegisterPage::open(cx, &place, &line.code) {
            Ok(p) => Some(p),
            Err(e) => {
                cx.say(Level::Error, e);
                None
            }
        }
    }

    /// The form of an operation chosen from the menu, the lot prefilled
    /// only when chosen: selected in the item's lots, or scanned.
    pub fn form_for(&self, op: Operation, cx: &Ctx) -> Option<Form> {
        let line = self.op_item()?;
        let item = crate::ops::stock::item_by_code(&cx.store.conn, &line.code).ok()?;
        let (lot, expiry) = if self.detail.is_some() {
            self.chosen_lot(line.item_id)
        } else {
            (String::new(), None)
        };
        let st = self.view.stocktake.as_ref().map(|s| s.id);
        use Operation as Op;
        let kind = match op {
            Op::Receive => Kind::Receive(forms::receive::Receive::new(false, &lot)),
            Op::RejectReceipt => Kind::Receive(forms::receive::Receive::new(true, &lot)),
            Op::Issue => Kind::Issue(forms::stock_ops::Issue::new()),
            Op::Waste => Kind::Waste(forms::stock_ops::Waste::new(cx, &item, &lot)),
            Op::Return => Kind::Return(forms::stock_ops::Return::new(&lot)),
            Op::RequestTransfer => Kind::Request(forms::stock_ops::Request::new()),
            Op::Quarantine | Op::Release | Op::Recall => {
                Kind::LotHold(forms::stock_ops::LotHold::new(op, cx, &item, &lot))
            }
            Op::StartStocktake => Kind::StartStocktake(forms::stocktake::Start::new()),
            Op::Count => Kind::Count(forms::stocktake::Count::new(st, &lot)),
            Op::ApproveStocktake => Kind::Approve(forms::stocktake::Approve {
                stocktake: st,
                witness: None,
            }),
            _ => return None,
        };
        // A controlled drug's movement, or a count with controlled drugs to
        // approve, is signed by a second user.
        let cosign = match op {
            Op::Receive | Op::Issue | Op::Waste | Op::Return => item.controlled,
            Op::ApproveStocktake => self
                .view
                .stocktake
                .as_ref()
                .is_some_and(|s| s.controlled || s.lines.iter().any(|l| l.controlled)),
            _ => false,
        };
        let mut form = Form::new(item, kind).with_cosign(cosign);
        if let (Kind::Receive(r), Some(e)) = (&mut form.kind, expiry) {
            r.expiry.set(&e.to_string());
        }
        form.note = self.view.stocktake.as_ref().map(forms::stocktake::summary);
        // The cursor starts on the first field still to fill.
        form.focus = forms::first_empty(&form.fields(), 0).unwrap_or(0);
        Some(form)
    }

    /// Linking a scanned barcode to the selected item, after the user
    /// confirms what will be linked to what.
    fn link_pending_gtin(&mut self, cx: &mut Ctx) -> Msg {
        let Some(gtin) = self.pending_gtin.clone() else {
            cx.say(Level::Warn, t!("tui.stock.no_gtin"));
            return Msg::None;
        };
        let Some(line) = self.selected_line() else {
            cx.say(Level::Warn, t!("tui.stock.select_for_gtin"));
            return Msg::None;
        };
        let what = forms::admin::Confirming::LinkGtin {
            gtin,
            code: line.code.clone(),
            name: line.name.clone(),
        };
        let c = forms::admin::Confirm::new(what);
        let mut form = Form::plain(Kind::Confirm(c.clone()));
        form.note = Some(c.note());
        // Asked once: a refusal or Esc needs a new scan.
        self.pending_gtin = None;
        Msg::Form(Box::new(form))
    }

    /// Typing into the filter: while it holds text every printable key is
    /// typed; when empty, keys the keymap does not bind.
    pub fn typed(&mut self, ev: &KeyEvent, bound: Option<Action>) -> bool {
        if self.detail.is_some() || !crate::tui::widgets::type_filter(&mut self.filter, ev, bound) {
            return false;
        }
        self.auto_filter = false;
        self.refilter();
        true
    }

    /// In an item's lots: ↑ ↓ choose a lot; pages and ends scroll the movements.
    fn scroll_detail(&mut self, action: Action) {
        let (lots, len) = self
            .detail
            .as_ref()
            .map_or((0, 0), |d| (d.lots.len(), d.movements.len()));
        if matches!(action, Action::Up | Action::Down) {
            if lots > 0 {
                self.lot_sel = Some(match (self.lot_sel, action) {
                    (None, _) => 0,
                    (Some(i), Action::Up) => i.saturating_sub(1),
                    (Some(i), _) => (i + 1).min(lots - 1),
                });
            }
            return;
        }
        let rows = self.detail_rows.get().max(1);
        let page = rows as isize;
        let delta = match action {
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => return,
        };
        // The last page is a full one: End shows the oldest rows, not one.
        self.detail_scroll = (self.detail_scroll as isize)
            .saturating_add(delta)
            .clamp(0, len.saturating_sub(rows) as isize) as usize;
    }
}

impl Component for StockTab {
    fn contexts(&self) -> Vec<Context> {
        if self.detail.is_some() {
            vec![Context::Detail, Context::Global]
        } else {
            vec![Context::List, Context::Global]
        }
    }

    fn offers(&self, action: Action, _cx: &Ctx) -> bool {
        match action {
            Action::Open | Action::Operations => true,
            Action::ClearFilter => !self.filter.value().is_empty(),
            Action::LinkGtin => self.pending_gtin.is_some(),
            Action::Levels => self.detail.is_none(),

            Action::FindElsewhere => self.detail.is_some(),
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn describe(&self, action: Action, cx: &Ctx) -> Option<String> {
        if action != Action::Operations {
            return None;
        }
        // F3 names what this role may do here, the first few.
        let ops = self.ops(cx);
        let mut names: Vec<&str> = ops.iter().take(3).map(|o| op_menu::short(*o)).collect();
        if ops.len() > 3 {
            names.push("…");
        }
        Some(names.join(t!("tui.key.ops_sep"))).filter(|s| !s.is_empty())
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                if self.detail.is_some() {
                    self.scroll_detail(action);
                } else {
                    self.sel.act(action, self.filtered.len());
                }
            }
            Action::Open => self.open(cx),
            Action::Levels => {
                return crate::tui::popups::levels::LevelsScreen::open(cx)
                    .map_or(Msg::None, |l| Msg::Popup(Popup::Levels(Box::new(l))));
            }
            Action::FindElsewhere => return self.find_elsewhere(cx),

            Action::Back => {
                self.detail = None;
                self.detail_scroll = 0;
                self.lot_sel = None;
                // Opened from an alert: back to the alert list, on the place it showed.
                if let Some((tab, place)) = self.return_to.take() {
                    self.filter = Input::default();
                    self.auto_filter = false;
                    return Msg::Goto(tab, place);
                }
                // Opened by a scan: back to every item, the digits switching tabs again.
                if std::mem::take(&mut self.auto_filter) {
                    let item = self.selected_line().map(|l| l.item_id);
                    self.filter = Input::default();
                    self.refilter();
                    if let Some(pos) = item.and_then(|id| {
                        self.filtered
                            .iter()
                            .position(|&i| self.view.lines[i].item_id == id)
                    }) {
                        self.sel.selected = pos;
                    }
                }
            }
            Action::ClearFilter if !self.filter.value().is_empty() => {
                self.filter = Input::default();
                self.auto_filter = false;
                self.refilter();
            }
            Action::LinkGtin => return self.link_pending_gtin(cx),
            Action::Operations => return self.open_menu(cx),
            _ => {}
        }
        Msg::None
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        match &self.detail {
            Some(d) => super::stock_lots::draw_detail(self, f, area, cx, d, theme),
            None => self.draw_list(f, area, theme),
        }
    }
}

impl StockTab {
    /// Where else the item of the detail is (the pharmacy and the other
    /// wards, nearest first) and its approved substitutes: a ward's row
    /// asks it for an emergency transfer.
    fn find_elsewhere(&self, cx: &mut Ctx) -> Msg {
        let Some(line) = self.detail.as_ref().and_then(|d| d.line.as_ref()) else {
            return Msg::None;
        };
        match crate::tui::popups::find::FindView::open(cx, line) {
            Ok(v) => Msg::Popup(Popup::Find(Box::new(v))),
            Err(e) => {
                cx.say(Level::Error, e);
                Msg::None
            }
        }
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let [top, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let mut count = t!(
            "tui.stock.count",
            shown = num(self.filtered.len() as i64),
            total = num(self.view.lines.len() as i64)
        );
        if let Some(st) = &self.view.stocktake {
            let counted = st.lines.iter().filter(|l| l.counted.is_some()).count();
            count.push_str(&t!(
                "tui.stock.stocktake_open",
                id = st.id,
                counted = counted,
                lines = st.lines.len()
            ));
        }
        let filter = self.filter.value();
        let (prompt, style) = if filter.is_empty() {
            (t!("tui.stock.filter_hint").to_string(), theme.dim())
        } else {
            (filter.to_string(), Style::default())
        };
        let label = format!(" {} ", t!("tui.stock.filter"));
        let label_w = crate::i18n::width(&label) as u16;
        line(
            f,
            top,
            Line::from(vec![
                Span::styled(label, theme.header()),
                Span::styled(prompt, style),
                Span::raw("   "),
                Span::styled(count, theme.dim()),
            ]),
        );
        if !filter.is_empty() {
            let x = top.x + label_w + self.filter.visual_cursor() as u16;
            if x < top.right() {
                f.set_cursor_position((x, top.y));
            }
        }
        stock_table(
            f,
            list,
            theme,
            &self.view,
            &self.filtered,
            Some(&self.sel),
            list.width >= 100,
        );
        if self.view.lines.is_empty() {
            note_at(f, list, 2, t!("tui.stock.empty"), theme.dim());
        } else if self.filtered.is_empty() {
            note_at(f, list, 2, t!("tui.stock.no_match"), theme.dim());
        }
    }
}

/// The item table of Ward stock.
pub fn stock_table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    view: &StockView,
    rows: &[usize],
    sel: Option<&ListState>,
    wide: bool,
) {
    let usable = area.width >= 78;
    let mut cols = vec![
        // A cut code is a wrong code: the code column is never cut.
        Column::new(t!("tui.col.code"), W::Whole),
        Column::new(t!("tui.col.name"), W::Fill(10)),
    ];
    if wide {
        cols.push(Column::new("ATC", W::Whole));
    }
    // What is usable is never left out; what is on hand (blocked stock
    // included, the mark says so) and the unit (the name says the form) are.
    cols.push(Column::new(t!("tui.col.on_hand"), W::Whole).optional(1));
    if usable {
        cols.push(Column::new(t!("tui.col.usable"), W::Whole));
    }
    // Units held for scheduled cases, where the place has any.
    let held = view.lines.iter().any(|l| l.reserved > 0);
    if held {
        cols.push(Column::new(t!("reserve.tui.col_held"), W::Whole));
    }
    cols.extend([
        Column::new(t!("tui.col.unit"), W::Whole).optional(2),
        Column::new(t!("tui.col.expires"), W::Whole),
        Column::new(t!("tui.col.warn"), W::Whole),
    ]);
    visible_table(f, area, theme, &cols, rows.len(), sel, |i| {
        let l: &StockLine = &view.lines[rows[i]];
        let mark = view.marks.get(&l.item_id);
        let mut cells = vec![TCell::from(l.code.clone()), TCell::name(l.name.clone())];
        if wide {
            cells.push(TCell::from(l.atc.clone().unwrap_or_default()));
        }
        cells.push(TCell::right(num(l.on_hand)));
        if usable {
            cells.push(TCell::right(num(l.usable)));
        }
        if held {
            cells.push(match l.reserved {
                0 => TCell::from(""),
                r => TCell::right(num(r)),
            });
        }
        cells.push(TCell::from(crate::i18n::unit(&l.dose_unit).to_string()));
        cells.push(TCell::from(
            l.earliest_expiry
                .map(crate::i18n::date)
                .unwrap_or_else(|| "—".into()),
        ));
        cells.push(match mark {
            Some(m) => TCell::styled(m.text.clone(), theme.severity(m.severity)),
            None => TCell::from(""),
        });
        cells
    });
}
