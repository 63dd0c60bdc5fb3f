//! Every warning in one list, worst first; Enter opens the item's lots at
//! its place (Esc comes back here).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::domain::alerts::Severity;
use crate::i18n::num;
use crate::t;
use crate::tui::component::{Component, Ctx, ListState, Msg, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::views::AlertsView;
use crate::tui::widgets::{Column, TCell, W, fit, line, visible_table};
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
        let cols = [
            Column::new(t!("tui.col.severity"), W::Whole),
            Column::new(t!("tui.col.warning"), W::Whole),
            Column::new(t!("tui.col.place"), W::Whole),
            // A cut code is a wrong code: the code column is never cut.
            Column::new(t!("tui.col.code"), W::Whole),
            Column::new(t!("tui.col.item"), W::Fill(8)),
            Column::new(t!("tui.col.lot"), W::Fit { min: 6, max: 16 }).optional(1),
            Column::new(t!("tui.col.qty"), W::Whole),
        ];
        visible_table(f, list, theme, &cols, rows.len(), Some(&self.sel), |i| {
            let r = &rows[i];
            let style = theme.severity(r.alert.severity);
            vec![
                TCell::styled(words::severity(r.alert.severity), style),
                TCell::styled(words::mark(&r.alert.kind), style),
                TCell::from(r.place.clone()),
                TCell::from(r.item.clone()),
                TCell::name(r.item_name.clone()),
                TCell::from(r.lot.clone().unwrap_or_default()),
                TCell::right(num(r.alert.qty)),
            ]
        });
        line(
            f,
            foot,
            Line::styled(fit(t!("tui.alerts.foot"), foot.width as usize), theme.dim()),
        );
    }
}
