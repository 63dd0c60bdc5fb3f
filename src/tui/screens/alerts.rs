//! Every warning in one list, worst first; Enter opens the item's stock.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let count = |s: Severity| {
        app.alerts
            .rows
            .iter()
            .filter(|r| r.alert.severity == s)
            .count()
    };
    let mut spans = vec![Span::styled(
        if app.alerts_loading() {
            " reading the warnings of every place… ".to_string()
        } else {
            format!(" {} warnings ", app.alerts.rows.len())
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
            format!(" {} {} ", count(s), s.label()),
            theme.severity(s),
        ));
    }
    line(f, cap, Line::from(spans));
    visible_table(
        f,
        list,
        theme,
        &["Severity", "Warning", "Place", "Code", "Item", "Lot", "Qty"],
        &[
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(10),
            Constraint::Min(14),
            Constraint::Length(10),
            Constraint::Length(6),
        ],
        app.alerts.rows.len(),
        Some(app.alerts_sel),
        |i| {
            let r = &app.alerts.rows[i];
            let style = theme.severity(r.alert.severity);
            Row::new(vec![
                Cell::from(Span::styled(r.alert.severity.label(), style)),
                Cell::from(Span::styled(r.alert.kind.mark(), style)),
                Cell::from(r.place.clone()),
                Cell::from(r.item.clone()),
                Cell::from(r.item_name.clone()),
                Cell::from(r.lot.clone().unwrap_or_default()),
                Cell::from(Line::from(r.alert.qty.to_string()).right_aligned()),
            ])
        },
    );
    line(
        f,
        foot,
        Line::styled(" Enter opens the item's lots at its place.", theme.dim()),
    );
}
