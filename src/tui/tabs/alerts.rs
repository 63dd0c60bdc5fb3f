//! Every warning in one list, worst first, filtered as you type (by place,
//! item or kind; Esc clears); Enter opens the item's lots at its place (Esc
//! comes back here). Numbers are never cut; projected waste shows in units
//! and money, and the totals per kind follow the filter.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use tui_input::Input;

use crate::domain::alerts::{AlertKind, Severity};
use crate::i18n::{money, num};
use crate::t;
use crate::tui::component::{Component, Ctx, ListState, Msg, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::popups::Popup;
use crate::tui::theme::Theme;
use crate::tui::views::{ALERT_KINDS, AlertsView, kind_index};
use crate::tui::widgets::{Column, TCell, W, fit, line, note_at, visible_table, wrap_max};
use crate::tui::words;

/// What the shown warnings add up to: how many of each kind, and the
/// projected waste in units and money.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Warnings per kind, by [`kind_index`].
    pub kinds: [usize; ALERT_KINDS],
    pub severities: [usize; 4],
    pub waste_units: i64,
    pub waste_cents: i64,
}

#[derive(Debug, Default)]
pub struct AlertsTab {
    pub view: AlertsView,
    pub sel: ListState,
    pub filter: Input,
    /// Indices of the rows matching the filter.
    pub filtered: Vec<usize>,
    pub totals: Totals,
    /// The early warnings, loaded apart (`alerts_early`).
    pub early: AlertsView,
}

impl AlertsTab {
    pub fn set(&mut self, view: AlertsView) {
        self.view = super::alerts_early::merged(view, &self.early);
        self.refilter();
    }

    /// The early warnings, when their job is done: in the list with the others.
    pub fn set_early(&mut self, mut early: AlertsView) {
        // Their sentence names the supplier and the prescriptions: filterable.
        for (h, r) in early.haystack.iter_mut().zip(&early.rows) {
            h.push(' ');
            h.push_str(&r.message.to_lowercase());
        }
        self.early = early;
        self.view = super::alerts_early::merged(std::mem::take(&mut self.view), &self.early);
        self.refilter();
    }

    /// The filter as typed, reapplied to the rows; the totals follow it.
    pub fn refilter(&mut self) {
        self.filtered = self.view.filter(self.filter.value());
        self.sel.clamp(self.filtered.len());
        let mut t = Totals::default();
        for &i in &self.filtered {
            let a = &self.view.rows[i].alert;
            t.kinds[kind_index(&a.kind)] += 1;
            t.severities[a.severity as usize] += 1;
            if let AlertKind::ExpiryWaste { units, .. } = a.kind {
                t.waste_units += units;
                t.waste_cents += a.value_cents;
            }
        }
        self.totals = t;
    }

    /// Typing into the filter: while it holds text every printable key is
    /// typed; when empty, keys the keymap does not bind.
    pub fn typed(&mut self, ev: &KeyEvent, bound: Option<Action>) -> bool {
        if !crate::tui::widgets::type_filter(&mut self.filter, ev, bound) {
            return false;
        }
        self.refilter();
        true
    }

    /// The totals as one text: each kind shown with its count, then the
    /// projected waste in units and money.
    pub fn totals_text(&self) -> String {
        let t = &self.totals;
        let lang = crate::i18n::lang();
        let waste = kind_index(&AlertKind::ExpiryWaste {
            units: 0,
            days_left: 0,
        });
        (0..ALERT_KINDS)
            .filter(|&k| t.kinds[k] > 0)
            .map(|k| {
                let kind = crate::tui::views::kind_name_in(lang, k);
                let n = num(t.kinds[k] as i64);
                if k == waste {
                    t!(
                        "tables.alerts.waste_total",
                        kind = kind,
                        n = n,
                        units = num(t.waste_units),
                        money = money(t.waste_cents)
                    )
                } else {
                    t!("tables.alerts.kind_count", kind = kind, n = n)
                }
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// A warning's kind in the list: its mark, and for projected waste the
/// days to expiry (the units and money have their own columns).
fn kind_cell(k: &AlertKind) -> String {
    match k {
        AlertKind::ExpiryWaste { days_left, .. } => {
            t!("tables.alerts.waste_mark", days = days_left)
        }
        other => words::mark(other),
    }
}

impl Component for AlertsTab {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::List, Context::Global]
    }

    fn offers(&self, action: Action, _cx: &Ctx) -> bool {
        match action {
            Action::Open => true,
            Action::ClearFilter => !self.filter.value().is_empty(),
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.sel.act(action, self.filtered.len()) {
            return Msg::None;
        }
        if action == Action::ClearFilter {
            if !self.filter.value().is_empty() {
                self.filter = Input::default();
                self.refilter();
            }
            return Msg::None;
        }
        if action != Action::Open {
            return Msg::None;
        }
        // An alert leads to the stock of its item at its place.
        let Some(row) = self
            .filtered
            .get(self.sel.selected)
            .and_then(|&i| self.view.rows.get(i))
        else {
            return Msg::None;
        };
        // Stock held after an excursion: the place's cold chain, where a
        // pharmacist decides on each lot.
        if matches!(
            row.alert.kind,
            crate::domain::alerts::AlertKind::ColdHeld { .. }
        ) && let Some(p) = cx.places.iter().find(|p| p.id == row.alert.place_id)
        {
            let code = p.code.clone();
            return crate::tui::popups::cold::ColdView::open_at(cx, code)
                .map_or(Msg::None, |v| Msg::Popup(Popup::Cold(Box::new(v))));
        }
        match cx.places.iter().position(|p| p.id == row.alert.place_id) {
            Some(place) => Msg::ShowItem {
                place,
                item_id: row.alert.item_id,
                filter: row.item.clone(),
                lot: None,
                back: Some((Tab::Alerts, cx.place)),
            },
            None => Msg::None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        // An early warning selected: its sentence (what is behind it) in
        // place of the totals.
        let selected = self
            .filtered
            .get(self.sel.selected)
            .and_then(|&i| self.view.rows.get(i));
        let early = super::alerts_early::selected_message(selected);
        let totals = wrap_max(
            &early.map_or_else(|| self.totals_text(), str::to_string),
            area.width.saturating_sub(1) as usize,
            3,
        );
        // The hint under the totals where the list keeps room for it.
        let hint_h = u16::from(area.height >= 24);
        let [cap, list, foot, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(totals.len() as u16),
            Constraint::Length(hint_h),
        ])
        .areas(area);
        // The filter, then how many are shown and how bad.
        let filter = self.filter.value();
        let (prompt, style) = if filter.is_empty() {
            (t!("tables.alerts.filter_hint").to_string(), theme.dim())
        } else {
            (filter.to_string(), Style::default())
        };
        let label = format!(" {} ", t!("tui.stock.filter"));
        let label_w = crate::i18n::width(&label) as u16;
        let mut spans = vec![
            Span::styled(label, theme.header()),
            Span::styled(prompt, style),
            Span::raw("  "),
        ];
        if cx.jobs.alerts.is_running() || cx.jobs.early.is_running() {
            spans.push(Span::styled(
                t!("tui.alerts.loading").to_string(),
                theme.dim(),
            ));
        } else if filter.is_empty() {
            spans.push(Span::styled(
                t!("tui.alerts.count", n = num(self.view.rows.len() as i64)),
                theme.dim(),
            ));
        } else {
            spans.push(Span::styled(
                t!(
                    "tables.alerts.count",
                    shown = num(self.filtered.len() as i64),
                    total = num(self.view.rows.len() as i64)
                ),
                theme.dim(),
            ));
        }
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            let n = self.totals.severities[s as usize];
            let text = format!(" {} {} ", num(n as i64), words::severity(s));
            let used: usize = spans.iter().map(|s| s.width()).sum();
            if n > 0 && used + crate::i18n::width(&text) <= cap.width as usize {
                spans.push(Span::styled(text, theme.severity(s)));
            }
        }
        line(f, cap, Line::from(spans));
        if !filter.is_empty() {
            let x = cap.x + label_w + self.filter.visual_cursor() as u16;
            if x < cap.right() {
                f.set_cursor_position((x, cap.y));
            }
        }
        let cols = [
            Column::new(t!("tui.col.severity"), W::Whole).optional(3),
            Column::new(t!("tui.col.warning"), W::Whole),
            Column::new(t!("tui.col.place"), W::Whole),
            // A cut code is a wrong code: the code column is never cut.
            Column::new(t!("tui.col.code"), W::Whole),
            Column::new(t!("tui.col.item"), W::Fill(8)),
            Column::new(t!("tui.col.lot"), W::Fit { min: 6, max: 16 }).optional(2),
            Column::new(t!("tui.col.qty"), W::Whole),
            Column::new(t!("tables.col.waste"), W::Whole).sparse(),
            Column::new(t!("tables.col.value"), W::Whole).sparse(),
        ];
        let rows = &self.view.rows;
        let shown = &self.filtered;
        visible_table(f, list, theme, &cols, shown.len(), Some(&self.sel), |i| {
            let r = &rows[shown[i]];
            let a = &r.alert;
            let style = theme.severity(a.severity);
            let waste = match a.kind {
                AlertKind::ExpiryWaste { units, .. } => num(units),
                _ => String::new(),
            };
            vec![
                TCell::styled(words::severity(a.severity), style),
                TCell::styled(kind_cell(&a.kind), style),
                TCell::from(r.place.clone()),
                TCell::from(r.item.clone()),
                TCell::name(r.item_name.clone()),
                TCell::from(r.lot.clone().unwrap_or_default()),
                TCell::right(num(a.qty)),
                TCell::right(waste),
                TCell::right(if a.value_cents > 0 {
                    money(a.value_cents)
                } else {
                    String::new()
                }),
            ]
        });
        if shown.is_empty() && !rows.is_empty() {
            note_at(f, list, 2, t!("tables.alerts.no_match"), theme.dim());
        }
        for (k, text) in totals.iter().enumerate() {
            let r = Rect {
                y: foot.y + k as u16,
                height: 1,
                ..foot
            };
            if r.y < foot.bottom() {
                line(f, r, Line::styled(format!(" {text}"), theme.info()));
            }
        }
        if hint.height > 0 {
            line(
                f,
                hint,
                Line::styled(fit(t!("tui.alerts.foot"), hint.width as usize), theme.dim()),
            );
        }
    }
}
