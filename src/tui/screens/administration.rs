//! The administration schedule of the selected ward: doses due, late,
//! missed and upcoming (read-only for now).

use chrono::Local;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::domain::schedule::DoseStatus;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::ui::fit;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let Some(ward) = app.current_ward() else {
        line(
            f,
            cap,
            Line::styled(
                " The schedule is per ward: press F2 and choose a ward.",
                theme.warn(),
            ),
        );
        return;
    };
    let count = |s: DoseStatus| {
        app.mar
            .rows
            .iter()
            .filter(|r| r.status(app.now) == s)
            .count()
    };
    let span = match (app.mar.from, app.mar.to) {
        (Some(a), Some(b)) => format!(
            "{}–{}",
            a.with_timezone(&Local).format("%H:%M"),
            b.with_timezone(&Local).format("%H:%M")
        ),
        _ => String::new(),
    };
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(format!(" {} doses {span} ", ward.code), theme.header()),
            Span::styled(
                format!(" {} missed ", count(DoseStatus::Missed)),
                theme.severity(Severity::Critical),
            ),
            Span::styled(
                format!(" {} late ", count(DoseStatus::Late)),
                theme.severity(Severity::High),
            ),
            Span::styled(format!(" {} due ", count(DoseStatus::Due)), theme.warn()),
            Span::raw(format!(
                " {} upcoming  {} recorded",
                count(DoseStatus::Upcoming),
                count(DoseStatus::Recorded)
            )),
        ]),
    );
    visible_table(
        f,
        list,
        theme,
        &[
            "Time", "Status", "Bed", "Patient", "Drug", "Dose", "Route", "Flags",
        ],
        &[
            Constraint::Length(5),
            Constraint::Length(12),
            Constraint::Length(4),
            Constraint::Length(13),
            Constraint::Min(12),
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(6),
        ],
        app.mar.rows.len(),
        Some(app.mar_sel),
        |i| {
            let r = &app.mar.rows[i];
            let (text, style) = match r.status(app.now) {
                DoseStatus::Missed => ("MISSED".to_string(), theme.severity(Severity::Critical)),
                DoseStatus::Late => ("LATE".to_string(), theme.severity(Severity::High)),
                DoseStatus::Due => ("due now".to_string(), theme.warn()),
                DoseStatus::Upcoming => ("upcoming".to_string(), theme.dim()),
                DoseStatus::Recorded => (
                    format!(
                        "{} {}",
                        r.outcome.clone().unwrap_or_default(),
                        r.by.clone().unwrap_or_default()
                    ),
                    Style::default(),
                ),
            };
            Row::new(vec![
                Cell::from(r.at.with_timezone(&Local).format("%H:%M").to_string()),
                Cell::from(Span::styled(text, style)),
                Cell::from(r.bed.clone()),
                Cell::from(r.patient.clone()),
                Cell::from(r.item.clone()),
                Cell::from(r.dose.clone()),
                Cell::from(r.route.clone()),
                Cell::from(r.flags.clone()),
            ])
        },
    );
    let prn: Vec<String> = app
        .mar
        .prn
        .iter()
        .map(|p| format!("{} {}", p.bed.clone().unwrap_or_default(), p.item))
        .collect();
    let text = if prn.is_empty() {
        " No PRN prescriptions.".to_string()
    } else {
        format!(" PRN available: {}", prn.join("; "))
    };
    line(
        f,
        foot,
        Line::styled(fit(&text, foot.width as usize), theme.dim()),
    );
}
