//! Pharmacy: central stock at a glance and the ward items below safety
//! stock now (read-only for now).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub const HEADER_ROWS: u16 = 3;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let p = &app.pharmacy;
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(" Central pharmacy ", theme.header()),
            Span::raw(format!(" {} items · ", p.items)),
            Span::styled(
                format!("{} critical", p.critical),
                theme.severity(Severity::Critical),
            ),
            Span::raw(" · "),
            Span::styled(format!("{} high", p.high), theme.severity(Severity::High)),
            Span::raw(format!(
                " · {} ward lines below safety stock",
                app.pharmacy.needs.len()
            )),
        ]),
    );
    visible_table(
        f,
        list,
        theme,
        &["Ward", "Code", "Item", "Usable", "Safety", "State"],
        &[
            Constraint::Length(6),
            Constraint::Length(10),
            Constraint::Min(16),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(10),
        ],
        app.pharmacy.needs.len(),
        Some(app.pharm_sel),
        |i| {
            let n = &app.pharmacy.needs[i];
            Row::new(vec![
                Cell::from(n.ward.clone()),
                Cell::from(n.code.clone()),
                Cell::from(n.name.clone()),
                Cell::from(Line::from(n.usable.to_string()).right_aligned()),
                Cell::from(Line::from(n.safety_stock.to_string()).right_aligned()),
                Cell::from(Span::styled(
                    if n.usable <= 0 { "OUT" } else { "LOW" },
                    theme.severity(n.severity),
                )),
            ])
        },
    );
    line(
        f,
        foot,
        Line::styled(
            " Ward lines below safety stock now. The pharmacy's own stock: Ward stock tab, place PHARM.",
            theme.dim(),
        ),
    );
}
