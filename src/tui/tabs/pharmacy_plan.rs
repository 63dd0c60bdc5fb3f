//! The Pharmacy tab's plan and simulation: the replenishment suggestions
//! with what they cover, filtered as one types (ward, supplier, item,
//! exceptions), accepted one by one or as a whole filtered set; the
//! exceptions worst first in a pharmacist's words, or the selected item's
//! projected stock; the simulation's progress, its costs and service under
//! both policies, and one drug's ward stock over the days.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};
use tui_input::{Input, InputRequest};

use crate::domain::alerts::Severity;
use crate::domain::roles::Operation;
use crate::i18n::{day_short, num};
use crate::ops::plan::{PlanFilter, Suggestion, exception_kinds, orders_made};
use crate::planning::mrp::{Exception, ExceptionFacts, ExceptionKind};
use crate::planning::sim::SimResult;
use crate::t;
use crate::tui::component::{Ctx, Level, ListState, Msg};
use crate::tui::forms::{Form, Kind, decision::Decision};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::views::{PlanView, SuggestionRow};
use crate::tui::widgets::{
    Column, TCell, W, centered, clear, fit, line, note_at, visible_table, width, wrap,
};

/// The plan screen: the plan, the filter typed over it, the suggestions
/// and exceptions it shows, and the confirmation of accepting them all.
#[derive(Debug, Default)]
pub struct PlanScreen {
    pub plan: PlanView,
    pub sel: ListState,
    /// The selected item's chart instead of the exceptions.
    pub chart: bool,
    pub filter: Input,
    /// The suggestions shown under the filter: indices into `plan.rows`.
    pub shown: Vec<usize>,
    /// The exceptions shown under the filter: indices into `plan.exceptions`.
    pub shown_exceptions: Vec<usize>,
    /// Accepting every suggestion shown, waiting for the user's yes.
    pub confirm: Option<ConfirmAll>,
}

/// Accepting a whole filtered set: what it is and makes, and the answer typed.
#[derive(Debug, Clone)]
pub struct ConfirmAll {
    pub set: Vec<Suggestion>,
    pub transfers: usize,
    pub purchases: usize,
    pub answer: Input,
    /// The answer was not a yes.
    pub asked_again: bool,
}

/// What a key typed on the plan screen did.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed {
    /// Not the plan's: the keymap's action runs.
    Not,
    Taken,
    /// Suggestions were accepted: plan again, keeping the message.
    Decided,
}

impl PlanScreen {
    pub fn new(plan: PlanView) -> PlanScreen {
        let mut s = PlanScreen {
            plan,
            ..PlanScreen::default()
        };
        s.refilter();
        s
    }

    /// A new plan in place of the old: the filter, the view and (as far
    /// as it goes) the selection stay.
    pub fn replace(&mut self, plan: PlanView) {
        self.plan = plan;
        self.refilter();
    }

    /// Applies the filter typed to the plan.
    pub fn refilter(&mut self) {
        let f = PlanFilter::parse(self.filter.value());
        let kinds = exception_kinds(&self.plan.exceptions);
        let none = Vec::new();
        self.shown = self
            .plan
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let k = kinds
                    .get(&(r.s.place.clone(), r.s.item.clone()))
                    .unwrap_or(&none);
                f.matches(&r.s, &r.item_name, r.supplier.as_deref(), k)
            })
            .map(|(i, _)| i)
            .collect();
        self.shown_exceptions = self
            .plan
            .exceptions
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                let (name, supplier) = self
                    .plan
                    .exception_items
                    .get(*i)
                    .map(|(n, s)| (n.as_str(), s.as_deref()))
                    .unwrap_or_default();
                f.matches_exception(e, name, supplier)
            })
            .map(|(i, _)| i)
            .collect();
        self.sel.clamp(self.shown.len());
    }

    /// The suggestion selected, if any is shown.
    pub fn selected(&self) -> Option<&SuggestionRow> {
        self.shown
            .get(self.sel.selected)
            .and_then(|&i| self.plan.rows.get(i))
    }

    /// The suggestions shown under the filter, in order.
    pub fn shown_rows(&self) -> impl Iterator<Item = &SuggestionRow> {
        self.shown.iter().filter_map(|&i| self.plan.rows.get(i))
    }

    /// Decided suggestions leave the list at once.
    pub fn remove(&mut self, gone: &[Suggestion]) {
        self.plan.rows.retain(|r| !gone.contains(&r.s));
        self.refilter();
    }

    /// An action on the plan; `None`: leave the plan (back to the orders).
    pub fn event(&mut self, action: Action, cx: &mut Ctx) -> Option<Msg> {
        match action {
            // Esc clears the filter first, then leaves.
            Action::Back if !self.filter.value().is_empty() => {
                self.filter = Input::default();
                self.refilter();
            }
            Action::Back => return None,
            Action::Chart => self.chart = !self.chart,
            Action::Open => return Some(self.open_decision(cx)),
            Action::AcceptAll => self.ask_accept_all(cx),
            a => {
                self.sel.act(a, self.shown.len());
            }
        }
        Some(Msg::None)
    }

    /// The decision form of the selected suggestion (a pharmacist decides).
    fn open_decision(&self, cx: &mut Ctx) -> Msg {
        let Some(row) = self.selected().cloned() else {
            cx.say(Level::Warn, t!("tui.plan.none_selected"));
            return Msg::None;
        };
        if !cx.may(Operation::Plan) {
            cx.say(Level::Warn, t!("tui.plan.pharmacist_decides"));
            return Msg::None;
        }
        let Ok(item) = crate::ops::stock::item_by_code(&cx.store.conn, &row.s.item) else {
            return Msg::None;
        };
        let mut form = Form::new(item, Kind::Decision(Decision::new(row.s.clone())));
        form.note = Some(t!(
            "tui.plan.decision_note",
            from = row.from,
            qty = num(row.s.qty),
            to = row.s.place,
            release = day_short(row.release),
            need = day_short(row.receipt),
            past_due = if row.s.past_due {
                t!("tui.plan.past_due_flag")
            } else {
                ""
            },
            covers = row.covers
        ));
        if let (Some(note), Some(s)) = (form.note.as_mut(), &row.suppliers) {
            note.push_str(&format!(" · {s}"));
        }
        Msg::Form(Box::new(form))
    }

    /// Asks to accept every suggestion shown, naming what they make.
    fn ask_accept_all(&mut self, cx: &mut Ctx) {
        if !cx.may(Operation::Plan) {
            cx.say(Level::Warn, t!("tui.plan.pharmacist_decides"));
            return;
        }
        let rows: Vec<&SuggestionRow> = self.shown_rows().collect();
        if rows.is_empty() {
            cx.say(Level::Warn, t!("plan.accept.none"));
            return;
        }
        let (transfers, purchases) = orders_made(
            rows.iter()
                .map(|r| (&r.s, r.purchase, r.supplier.as_deref())),
        );
        self.confirm = Some(ConfirmAll {
            set: rows.iter().map(|r| r.s.clone()).collect(),
            transfers,
            purchases,
            answer: Input::default(),
            asked_again: false,
        });
    }

    /// A key typed on the plan: into the confirmation when it is open,
    /// else into the filter (as the Ward stock list filters as one types).
    pub fn typed(&mut self, ev: &KeyEvent, bound: Option<Action>, cx: &mut Ctx) -> Typed {
        if matches!(bound, Some(Action::Quit | Action::SignOut)) {
            return Typed::Not;
        }
        let plain =
            matches!(ev.code, KeyCode::Char(_)) && (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        if let Some(c) = self.confirm.as_mut() {
            match ev.code {
                KeyCode::Esc => {
                    self.confirm = None;
                    cx.say(Level::Info, t!("plan.accept.cancelled"));
                }
                KeyCode::Enter => return self.accept_all(cx),
                KeyCode::Char(ch) if plain => {
                    c.answer.handle(InputRequest::InsertChar(ch));
                }
                KeyCode::Backspace => {
                    c.answer.handle(InputRequest::DeletePrevChar);
                }
                _ => {}
            }
            return Typed::Taken;
        }
        if !crate::tui::widgets::type_filter(&mut self.filter, ev, bound) {
            return Typed::Not;
        }
        self.sel.reset();
        self.refilter();
        Typed::Taken
    }

    /// Enter in the confirmation: with a yes, every suggestion shown is
    /// accepted in one operation (all or none).
    fn accept_all(&mut self, cx: &mut Ctx) -> Typed {
        let Some(c) = self.confirm.as_mut() else {
            return Typed::Taken;
        };
        if !crate::tui::forms::yes(c.answer.value()) {
            c.asked_again = true;
            c.answer = Input::default();
            return Typed::Taken;
        }
        let Some(c) = self.confirm.take() else {
            return Typed::Taken;
        };
        let Some(actor) = cx.actor.clone() else {
            return Typed::Taken;
        };
        match crate::ops::plan::accept_all(
            &mut cx.store,
            &actor,
            cx.now,
            &c.set,
            crate::ops::plan::PlanOptions::default(),
        ) {
            Ok(done) => {
                cx.local_writes += 1;
                let mut msg = t!(
                    "plan.accept.done",
                    n = num(done.accepted as i64),
                    transfers = done.transfer_orders.len(),
                    to_refs = refs(&done.transfer_orders),
                    purchases = done.purchase_orders.len(),
                    po_refs = refs(&done.purchase_orders)
                );
                if done.cannot_pick > 0 {
                    msg.push_str(&t!(
                        "plan.accept.cannot_pick",
                        short = num(done.cannot_pick)
                    ));
                }
                if done.rounded > 0 {
                    msg.push_str(&t!("plan.accept.rounded", n = done.rounded));
                }
                let level = if done.cannot_pick > 0 {
                    Level::Warn
                } else {
                    Level::Info
                };
                cx.say(level, msg);
                self.remove(&c.set);
                Typed::Decided
            }
            Err(e) => {
                cx.say(Level::Error, t!("plan.accept.refused", why = e.to_string()));
                Typed::Taken
            }
        }
    }

    /// The plan; `chart_key` is the key that charts the selected item.
    pub fn draw(&self, f: &mut Frame, area: Rect, chart_key: &str, theme: &Theme) {
        draw_plan(f, area, self, chart_key, theme);
        if let Some(c) = &self.confirm {
            draw_confirm(f, area, c, theme);
        }
    }
}

/// Order references in a message: all of a few, else the first and last.
fn refs(r: &[String]) -> String {
    match r {
        [] => String::new(),
        [first, .., last] if r.len() > 3 => format!("({first} … {last})"),
        _ => format!("({})", r.join(", ")),
    }
}

/// Heights of the suggestions table and of the lower pane (exceptions or chart).
fn plan_split(height: u16) -> (u16, u16) {
    let body = height.saturating_sub(3);
    let lower = (body * 2 / 5).max(4).min(body.saturating_sub(3));
    (body.saturating_sub(lower), lower)
}

/// The day of a plan bucket.
fn bucket_day(plan: &PlanView, k: f64) -> String {
    plan.start
        .map(|s| day_short((s + chrono::Duration::hours(plan.bucket_hours * k as i64)).date()))
        .unwrap_or_default()
}

/// A day of the plan as a pharmacist says it: today, tomorrow, or its date.
fn plan_day(plan: &PlanView, k: usize) -> String {
    let hours = plan.bucket_hours.saturating_mul(k as i64);
    let Some(start) = plan.start else {
        return String::new();
    };
    let date = day_short((start + chrono::Duration::hours(hours)).date());
    match hours / 24 {
        0 => t!("plan.day.today", date = date),
        1 => t!("plan.day.tomorrow", date = date),
        _ => t!("plan.day.on", date = date),
    }
}

/// `n` days of the plan in words.
fn plan_days(plan: &PlanView, n: usize) -> String {
    let days = (plan.bucket_hours.saturating_mul(n as i64) / 24).max(1);
    if days == 1 {
        t!("domain.mrp.one_day").to_string()
    } else {
        t!("domain.mrp.days", n = days)
    }
}

/// An exception in the words a pharmacist uses: what is needed, when, and
/// what to do about it.
pub fn exception_words(plan: &PlanView, e: &Exception, item: &str) -> String {
    let item = if item.is_empty() {
        e.item.as_str()
    } else {
        item
    };
    let (place, qty) = (e.place.as_str(), num(e.qty as i64));
    match e.facts {
        ExceptionFacts::Expedite {
            lead,
            purchase: true,
            ..
        } => t!(
            "plan.why.expedite_purchase",
            item = item,
            qty = qty,
            day = plan_day(plan, e.bucket),
            lead = plan_days(plan, lead)
        ),
        ExceptionFacts::Expedite { lead, .. } => t!(
            "plan.why.expedite_delivery",
            item = item,
            place = place,
            qty = qty,
            day = plan_day(plan, e.bucket),
            lead = plan_days(plan, lead)
        ),
        ExceptionFacts::BelowSafetyStock { stock, safety } => t!(
            "plan.why.below_safety",
            item = item,
            place = place,
            stock = num(stock as i64),
            safety = num(safety),
            short = qty
        ),
        ExceptionFacts::Expired { expiry } => t!(
            "plan.why.expired",
            item = item,
            place = place,
            qty = qty,
            date = crate::i18n::date(expiry)
        ),
        ExceptionFacts::ExpiringBeforeUse { expiry } => t!(
            "plan.why.expiring",
            item = item,
            place = place,
            qty = qty,
            date = crate::i18n::date(expiry)
        ),
        ExceptionFacts::Cancel { scheduled } => t!(
            "plan.why.cancel",
            item = item,
            place = place,
            qty = qty,
            day = plan_day(plan, scheduled),
            days = plan_days(
                plan,
                crate::ops::plan::PlanOptions::default().buckets as usize
            )
        ),
        ExceptionFacts::Defer { scheduled, needed } => t!(
            "plan.why.defer",
            item = item,
            place = place,
            qty = qty,
            day = plan_day(plan, scheduled),
            needed = plan_day(plan, needed)
        ),
    }
}

/// The kind of an exception as a short word, with its style.
fn exception_kind(k: ExceptionKind, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    match k {
        ExceptionKind::Expedite => (
            t!("tui.exception.expedite"),
            theme.severity(Severity::Critical),
        ),
        ExceptionKind::BelowSafetyStock => {
            (t!("tui.exception.below_ss"), theme.severity(Severity::High))
        }
        ExceptionKind::ExpiringBeforeUse => (t!("tui.exception.expiring"), theme.warn()),
        ExceptionKind::Cancel => (t!("tui.exception.cancel"), theme.info()),
        ExceptionKind::Defer => (t!("tui.exception.defer"), theme.dim()),
    }
}

fn draw_plan(f: &mut Frame, area: Rect, screen: &PlanScreen, chart_key: &str, theme: &Theme) {
    let plan = &screen.plan;
    let sel = &screen.sel;
    let (top, lower) = plan_split(area.height);
    let [cap, filter_line, list, lower_cap, lower_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(top),
        Constraint::Length(1),
        Constraint::Length(lower),
    ])
    .areas(area);
    let rows: Vec<&SuggestionRow> = screen.shown_rows().collect();
    let deliveries = rows.iter().filter(|r| !r.purchase).count();
    let past_due = rows.iter().filter(|r| r.s.past_due).count();
    let title = Span::styled(format!(" {} ", t!("tui.plan.title")), theme.header());
    let counts = vec![
        Span::raw(t!(
            "tui.plan.counts",
            deliveries = num(deliveries as i64),
            purchases = num((rows.len() - deliveries) as i64)
        )),
        Span::styled(
            t!("tui.plan.past_due", n = num(past_due as i64)),
            theme.severity(Severity::Critical),
        ),
    ];
    // The counts matter more than the title the tab already shows.
    let counts_w: usize = counts.iter().map(|s| width(&s.content)).sum();
    let mut spans = Vec::new();
    if counts_w + width(&title.content) <= cap.width as usize {
        spans.push(title);
    }
    spans.extend(counts);
    line(f, cap, Line::from(spans));
    // The filter, or how to filter; what is shown of how many, and what
    // was left out as rejected.
    let mut right = String::new();
    if !screen.filter.value().is_empty() {
        right.push_str(&t!(
            "plan.filter.shown",
            shown = num(rows.len() as i64),
            total = num(plan.rows.len() as i64)
        ));
    }
    if plan.rejected > 0 {
        right.push_str(&t!("tui.plan.rejected_today", n = plan.rejected));
    }
    let room = (filter_line.width as usize).saturating_sub(width(&right) + 1);
    let left = if screen.filter.value().is_empty() {
        Span::styled(fit(t!("plan.filter.hint"), room), theme.dim())
    } else {
        Span::styled(
            fit(&t!("plan.filter.typed", text = screen.filter.value()), room),
            theme.info(),
        )
    };
    let pad_w = room.saturating_sub(width(&left.content)) + 1;
    line(
        f,
        filter_line,
        Line::from(vec![left, Span::raw(" ".repeat(pad_w)), Span::raw(right)]),
    );
    let wide = list.width >= 90;
    let mut cols = vec![
        Column::new(t!("tui.col.release"), W::Whole),
        Column::new(t!("tui.col.need"), W::Whole),
        Column::new(t!("tui.col.to"), W::Whole),
        Column::new(t!("tui.col.from"), W::Fit { min: 6, max: 12 }),
        Column::new(t!("tui.col.item"), W::Fill(12)),
        Column::new(t!("tui.col.qty"), W::Whole),
    ];
    if wide {
        cols.push(Column::new(t!("tui.col.covers"), W::Fit { min: 12, max: 30 }).optional(1));
    }
    visible_table(f, list, theme, &cols, rows.len(), Some(sel), |i| {
        let r = rows[i];
        let release = if r.s.past_due {
            TCell::styled(t!("tui.plan.now"), theme.severity(Severity::Critical))
        } else {
            TCell::from(day_short(r.release))
        };
        let mut cells = vec![
            release,
            TCell::from(day_short(r.receipt)),
            TCell::from(r.s.place.clone()),
            TCell::from(r.from.clone()),
            TCell::name(format!("{} {}", r.s.item, r.item_name)),
            TCell::right(num(r.s.qty)),
        ];
        if wide {
            cells.push(TCell::from(r.covers.clone()));
        }
        cells
    });
    if rows.is_empty() {
        let text = if plan.rows.is_empty() {
            t!("tui.plan.nothing").to_string()
        } else {
            t!("plan.filter.nothing", text = screen.filter.value())
        };
        note_at(f, list, 1, &text, theme.dim());
    }
    let selected = screen.selected();
    if screen.chart {
        let Some(row) = selected else { return };
        let Some(curve) = plan.curves.get(&(row.s.place.clone(), row.s.item.clone())) else {
            return;
        };
        draw_chart(f, lower_cap, lower_area, plan, row, curve, theme);
        return;
    }
    line(
        f,
        lower_cap,
        Line::styled(
            fit(
                &t!(
                    "tui.plan.exceptions",
                    n = screen.shown_exceptions.len(),
                    key = chart_key
                ),
                lower_cap.width as usize,
            ),
            theme.header(),
        ),
    );
    // The selected suggestion's own exceptions, in full, above the list.
    let text_w = lower_area.width.saturating_sub(1) as usize;
    let mut why: Vec<Line> = Vec::new();
    if let Some(row) = selected {
        why.extend(plan.substitutes.line(plan, &row.s, text_w, theme));
        for e in plan
            .exceptions
            .iter()
            .filter(|e| e.place == row.s.place && e.item == row.s.item)
        {
            let (kind, style) = exception_kind(e.kind, theme);
            let text = t!(
                "plan.why.kind",
                kind = kind,
                text = exception_words(plan, e, &row.item_name)
            );
            for part in crate::tui::widgets::wrap_max(&text, text_w, 2) {
                why.push(Line::styled(format!(" {part}"), style));
            }
        }
    }
    let max_why = (lower_area.height / 2) as usize;
    why.truncate(max_why);
    let [why_area, table_area] =
        Layout::vertical([Constraint::Length(why.len() as u16), Constraint::Min(0)])
            .areas(lower_area);
    f.render_widget(ratatui::widgets::Paragraph::new(why), why_area);
    let cols = [
        Column::new(t!("tui.col.kind"), W::Whole),
        Column::new(t!("tui.col.day"), W::Whole),
        Column::new(t!("tui.col.message"), W::Fill(20)),
    ];
    let shown = &screen.shown_exceptions;
    visible_table(f, table_area, theme, &cols, shown.len(), None, |i| {
        let k = shown[i];
        let e = &plan.exceptions[k];
        let name = plan
            .exception_items
            .get(k)
            .map(|(n, _)| n.as_str())
            .unwrap_or_default();
        let (text, style) = exception_kind(e.kind, theme);
        vec![
            TCell::styled(text, style),
            TCell::from(bucket_day(plan, e.bucket as f64)),
            TCell::from(plan.substitutes.words(e, exception_words(plan, e, name))),
        ]
    });
}

fn draw_chart(
    f: &mut Frame,
    cap: Rect,
    area: Rect,
    plan: &PlanView,
    row: &SuggestionRow,
    curve: &crate::tui::views::Curve,
    theme: &Theme,
) {
    line(
        f,
        cap,
        Line::styled(
            fit(
                &t!(
                    "tui.plan.chart_caption",
                    item = row.s.item,
                    place = row.s.place,
                    safety = num(curve.safety_stock)
                ),
                cap.width as usize,
            ),
            theme.header(),
        ),
    );
    let on_hand: Vec<(f64, f64)> = curve
        .on_hand
        .iter()
        .enumerate()
        .map(|(k, v)| (k as f64, *v as f64))
        .collect();
    let n = curve.on_hand.len().max(2) as f64 - 1.0;
    let ss: Vec<(f64, f64)> = vec![
        (0.0, curve.safety_stock as f64),
        (n, curve.safety_stock as f64),
    ];
    let top = curve
        .on_hand
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(curve.safety_stock.max(0) as u32)
        .max(1) as f64;
    let chart = Chart::new(vec![
        Dataset::default()
            .name(t!("tui.plan.on_hand"))
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.info())
            .data(&on_hand),
        Dataset::default()
            .name(t!("tui.plan.safety_stock"))
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.severity(Severity::High))
            .data(&ss),
    ])
    .x_axis(Axis::default().bounds([0.0, n]).labels(vec![
        Line::from(bucket_day(plan, 0.0)),
        Line::from(bucket_day(plan, n / 2.0)),
        Line::from(bucket_day(plan, n)),
    ]))
    .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
        Line::from("0"),
        Line::from(num((top / 2.0).round() as i64)),
        Line::from(num(top as i64)),
    ]));
    f.render_widget(chart, area);
}

/// The confirmation of accepting every suggestion shown, over the plan.
fn draw_confirm(f: &mut Frame, area: Rect, c: &ConfirmAll, theme: &Theme) {
    let w = 64.min(area.width);
    let text_w = w.saturating_sub(4) as usize;
    let mut lines = vec![Line::raw("")];
    let question = t!(
        "plan.accept.confirm",
        n = num(c.set.len() as i64),
        transfers = num(c.transfers as i64),
        purchases = num(c.purchases as i64)
    );
    for part in wrap(&question, text_w) {
        lines.push(Line::styled(format!(" {part}"), theme.warn()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" > {}▏", fit(c.answer.value(), text_w.saturating_sub(3))),
        theme.header(),
    ));
    lines.push(Line::raw(""));
    let hint = if c.asked_again {
        t!("plan.accept.not_yes")
    } else {
        t!("plan.accept.type_yes")
    };
    for part in wrap(hint, text_w) {
        lines.push(Line::styled(format!(" {part}"), theme.dim()));
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    clear(f, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", fit(t!("plan.accept.title"), text_w))),
        ),
        r,
    );
}

pub fn draw_progress(f: &mut Frame, area: Rect, done: usize, total: usize, theme: &Theme) {
    let [cap, gauge] = Layout::vertical([Constraint::Length(2), Constraint::Length(3)]).areas(area);
    line(
        f,
        cap,
        Line::styled(
            fit(t!("tui.sim.progress"), cap.width as usize),
            theme.header(),
        ),
    );
    let ratio = if total == 0 {
        0.0
    } else {
        done as f64 / total as f64
    };
    f.render_widget(
        ratatui::widgets::Gauge::default()
            .block(
                ratatui::widgets::Block::bordered()
                    .title(format!(" {} ", t!("tui.sim.replications"))),
            )
            .gauge_style(theme.info())
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{done}/{total}")),
        gauge,
    );
}

/// The simulation's result: costs, service and stock under both policies,
/// the saving, and the ward stock of one drug under each policy over the
/// days (the paper's Figures 5 and 6); ↑ ↓ choose the drug.
pub fn draw_sim(f: &mut Frame, area: Rect, r: &SimResult, drug: usize, theme: &Theme) {
    let [cap, table, chart_cap, chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(1),
        Constraint::Min(4),
    ])
    .areas(area);
    line(
        f,
        cap,
        Line::styled(
            fit(
                &t!(
                    "tui.sim.caption",
                    scenario = if r.description.is_empty() {
                        &r.scenario
                    } else {
                        &r.description
                    },
                    days = r.days,
                    replications = r.replications,
                    seed = r.seed
                ),
                cap.width as usize,
            ),
            theme.header(),
        ),
    );
    let (a, b) = (&r.as_is.total, &r.to_be.total);
    let euro = |v: f64| crate::domain::thousands(v, 0);
    let pct = |v: f64| format!("{:.1} %", v * 100.0);
    let saving = |e: &Option<crate::planning::sim::Estimate>| {
        // Savings are already percentages of AS IS.
        e.as_ref()
            .map(|p| format!("{:.1} %", p.mean))
            .unwrap_or_else(|| "–".into())
    };
    let rows: Vec<(&str, String, String, String)> = vec![
        (
            t!("tui.sim.total_cost"),
            euro(a.cost.total.mean),
            euro(b.cost.total.mean),
            saving(&r.saving.percent),
        ),
        (
            t!("tui.sim.without_price"),
            euro(a.cost.total.mean - a.cost.purchasing.mean),
            euro(b.cost.total.mean - b.cost.purchasing.mean),
            saving(&r.saving.operating_percent),
        ),
        (
            t!("tui.sim.fill_rate"),
            pct(a.fill_rate.mean),
            pct(b.fill_rate.mean),
            String::new(),
        ),
        (
            t!("tui.sim.no_stockout"),
            pct(a.cycle_service_level.mean),
            pct(b.cycle_service_level.mean),
            String::new(),
        ),
        (
            t!("tui.sim.ward_stock"),
            euro(a.average_stock.ward_value.mean),
            euro(b.average_stock.ward_value.mean),
            String::new(),
        ),
        (
            t!("tui.sim.deliveries"),
            euro(a.ward_deliveries.mean),
            euro(b.ward_deliveries.mean),
            String::new(),
        ),
    ];
    let saving_h = t!("tui.sim.saving");
    visible_table(
        f,
        table,
        theme,
        &[
            Column::new("", W::Fill(14)),
            Column::new(t!("tui.sim.as_is"), W::Whole),
            Column::new(t!("tui.sim.to_be"), W::Whole),
            Column::new(saving_h, W::Whole),
        ],
        rows.len(),
        None,
        |i| {
            let (l, x, y, z) = &rows[i];
            vec![
                TCell::from(*l),
                TCell::right(x.clone()),
                TCell::right(y.clone()),
                TCell::right(z.clone()),
            ]
        },
    );
    let Some(series) = r
        .series
        .drugs
        .get(drug.min(r.series.drugs.len().saturating_sub(1)))
    else {
        return;
    };
    line(
        f,
        chart_cap,
        Line::styled(
            fit(
                &t!("tui.sim.chart_caption", drug = series.drug),
                chart_cap.width as usize,
            ),
            theme.header(),
        ),
    );
    let points = |v: &[u64]| -> Vec<(f64, f64)> {
        v.iter()
            .enumerate()
            .map(|(k, q)| (k as f64, *q as f64))
            .collect()
    };
    let (as_is, to_be) = (points(&series.as_is.ward), points(&series.to_be.ward));
    let top = series
        .as_is
        .ward
        .iter()
        .chain(&series.to_be.ward)
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let n = series.as_is.ward.len().max(2) as f64 - 1.0;
    let c = Chart::new(vec![
        Dataset::default()
            .name("AS IS")
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.severity(Severity::High))
            .data(&as_is),
        Dataset::default()
            .name("TO BE")
            .graph_type(GraphType::Line)
            .marker(ratatui::symbols::Marker::Braille)
            .style(theme.info())
            .data(&to_be),
    ])
    .x_axis(Axis::default().bounds([0.0, n]).labels(vec![
        Line::from(t!("tui.sim.day", n = 1)),
        Line::from(t!("tui.sim.day", n = (n as usize) / 2 + 1)),
        Line::from(t!("tui.sim.day", n = n as usize + 1)),
    ]))
    .y_axis(Axis::default().bounds([0.0, top * 1.1]).labels(vec![
        Line::from("0"),
        Line::from(num((top / 2.0).round() as i64)),
        Line::from(num(top as i64)),
    ]));
    f.render_widget(c, chart);
}
