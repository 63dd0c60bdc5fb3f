//! Every warning in one list, worst first; Enter opens the item's lots at
//! its place (Esc comes back here).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use crate::domain::alerts::Severity;
use crate::i18n::num;
use crate::t;
use crate::tui::component::{Component, Ctx, ListState, Msg, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::views::AlertsView;
use crate::tui::widgets::{col, fit, line, visible_table};
use crate::tui::words;

#[derive(Debug, Default)]
pub struct AlertsTab {
    pub view: AlertsView,
    pub sel: ListState,
}

impl AlertsTab {
    pub fn set(&mut self, view: AlertsView) {
        self.view = view;
        self.sel.clamp(self.view.rows.len());
    }
}

impl Component for AlertsTab {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::List, Context::Global]
    }

    fn offers(&self, action: Action, _cx: &Ctx) -> bool {
        match action {
            Action::Open => true,
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.sel.act(action, self.view.rows.len()) {
            return Msg::None;
        }
        if action != Action::Open {
            return Msg::None;
        }
        // An alert leads to the stock of its item at its place.
        let Some(row) = self.view.rows.get(self.sel.selected) else {
            return Msg::None;
        };
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
        let [cap, list, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let rows = &self.view.rows;
        let count = |s: Severity| rows.iter().filter(|r| r.alert.severity == s).count();
        let mut spans = vec![Span::styled(
            if cx.jobs.alerts.is_running() {
                t!("tui.alerts.loading").to_string()
            } else {
                t!("tui.alerts.count", n = num(rows.len() as i64))
            },
            theme.header(),
        )];
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            spans.push(Span::styled(
                format!(" {} {} ", num(count(s) as i64), words::severity(s)),
                theme.severity(s),
            ));
        }
        line(f, cap, Line::from(spans));
        let h = [
            t!("tui.col.severity"),
            t!("tui.col.warning"),
            t!("tui.col.place"),
            t!("tui.col.code"),
            t!("tui.col.item"),
            t!("tui.col.lot"),
            t!("tui.col.qty"),
        ];
        visible_table(
            f,
            list,
            theme,
            &h,
            &[
                col(h[0], 8),
                col(h[1], 9),
                col(h[2], 6),
                col(h[3], 10),
                Constraint::Min(14),
                col(h[5], 10),
                col(h[6], 6),
            ],
            rows.len(),
            Some(&self.sel),
            |i| {
                let r = &rows[i];
                let style = theme.severity(r.alert.severity);
                Row::new(vec![
                    Cell::from(Span::styled(words::severity(r.alert.severity), style)),
                    Cell::from(Span::styled(words::mark(&r.alert.kind), style)),
                    Cell::from(r.place.clone()),
                    Cell::from(r.item.clone()),
                    Cell::from(r.item_name.clone()),
                    Cell::from(r.lot.clone().unwrap_or_default()),
                    Cell::from(Line::from(num(r.alert.qty)).right_aligned()),
                ])
            },
        );
        line(
            f,
            foot,
            Line::styled(fit(t!("tui.alerts.foot"), foot.width as usize), theme.dim()),
        );
    }
}
