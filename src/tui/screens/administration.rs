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
                format!(" {} overdue ", count(DoseStatus::Late)),
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
    let wide = list.width >= 80;
    let mut header = vec!["Time", "Status"];
    let mut widths = vec![Constraint::Length(5), Constraint::Length(10)];
    if wide {
        header.push("Bed");
        widths.push(Constraint::Length(4));
    }
    header.extend(["Patient", "Drug", "Dose"]);
    widths.extend([
        Constraint::Length(12),
        Constraint::Min(10),
        Constraint::Length(9),
    ]);
    if wide {
        header.push("Route");
        widths.push(Constraint::Length(5));
    }
    header.push("Flags");
    widths.push(Constraint::Length(8));
    visible_table(
        f,
        list,
        theme,
        &header,
        &widths,
        app.mar.rows.len(),
        Some(app.mar_sel),
        |i| {
            let r = &app.mar.rows[i];
            let (text, style) = match r.status(app.now) {
                DoseStatus::Missed => ("MISSED".to_string(), theme.severity(Severity::Critical)),
                DoseStatus::Late => ("overdue".to_string(), theme.severity(Severity::High)),
                DoseStatus::Due => ("due now".to_string(), theme.warn()),
                DoseStatus::Upcoming => ("upcoming".to_string(), theme.dim()),
                DoseStatus::Recorded => (
                    match r.outcome.as_deref().unwrap_or("") {
                        "partially given" => "partial".to_string(),
                        "not given supply" => "no supply".to_string(),
                        o => o.to_string(),
                    },
                    Style::default(),
                ),
            };
            let mut cells = vec![
                Cell::from(r.at.with_timezone(&Local).format("%H:%M").to_string()),
                Cell::from(Span::styled(text, style)),
            ];
            if wide {
                cells.push(Cell::from(r.bed.clone()));
            }
            cells.extend([
                Cell::from(r.patient.clone()),
                Cell::from(r.item.clone()),
                Cell::from(r.dose.clone()),
            ]);
            if wide {
                cells.push(Cell::from(r.route.clone()));
            }
            cells.push(Cell::from(r.flags.clone()));
            Row::new(cells)
        },
    );
    // The selected dose in full (bed, route, window, who recorded it), then the PRN list.
    let mut text = String::new();
    if let Some(r) = app.mar.rows.get(app.mar_sel.selected) {
        let local =
            |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&Local).format("%H:%M").to_string();
        text.push_str(&format!(
            " {} {} · {} {} {} · window {}–{}",
            r.bed,
            r.patient,
            r.item,
            r.dose,
            r.route,
            local(r.at - r.window()),
            local(r.at + r.window())
        ));
        if let (Some(o), Some(by)) = (&r.outcome, &r.by) {
            text.push_str(&format!(" · {o} by {by}"));
        }
        text.push_str(" │");
    }
    let prn: Vec<String> = app
        .mar
        .prn
        .iter()
        .map(|p| format!("{} {}", p.bed.clone().unwrap_or_default(), p.item))
        .collect();
    if prn.is_empty() {
        text.push_str(" no PRN prescriptions");
    } else {
        text.push_str(&format!(" PRN: {}", prn.join("; ")));
    }
    line(
        f,
        foot,
        Line::styled(fit(&text, foot.width as usize), theme.dim()),
    );
}
