//! Prescriptions of the selected ward (read-only for now).

use chrono::Local;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{line, visible_table};
use crate::domain::alerts::Severity;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::ui::fit;
use crate::tui::views::dose_text;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [cap, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = match app.current_ward() {
        Some(ward) => ward.name.clone(),
        None if app.rx.all_wards => "Validation queue, all wards".to_string(),
        None => {
            line(
                f,
                cap,
                Line::styled(
                    " Prescriptions are per ward: press F2 and choose a ward.",
                    theme.warn(),
                ),
            );
            return;
        }
    };
    let awaiting = app
        .rx
        .lines
        .iter()
        .filter(|l| l.status == "awaiting_validation")
        .count();
    let active = app.rx.lines.iter().filter(|l| l.status == "active").count();
    line(
        f,
        cap,
        Line::from(vec![
            Span::styled(format!(" {title} — "), theme.header()),
            Span::raw(format!("{active} active, ")),
            Span::styled(
                format!("{awaiting} awaiting validation"),
                if awaiting > 0 {
                    theme.warn()
                } else {
                    theme.dim()
                },
            ),
            Span::raw(format!(", {} patients", app.rx.patients.len())),
        ]),
    );
    let wide = area.width >= 100;
    let mut header = vec![
        if app.rx.all_wards { "Ward bed" } else { "Bed" },
        "Patient",
        "Drug",
        "Dose",
        "Route",
        "Freq",
        "Status",
    ];
    let mut widths = vec![
        Constraint::Length(if app.rx.all_wards { 10 } else { 4 }),
        Constraint::Length(16),
        Constraint::Min(14),
        Constraint::Length(11),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Length(11),
    ];
    if wide {
        header.push("Start");
        widths.push(Constraint::Length(12));
    }
    visible_table(
        f,
        list,
        theme,
        &header,
        &widths,
        app.rx.lines.len(),
        Some(app.rx_sel),
        |i| {
            let l = &app.rx.lines[i];
            let status_style = match l.status.as_str() {
                "awaiting_validation" => theme.warn(),
                "active" => theme.info(),
                _ => theme.dim(),
            };
            let status = match l.status.as_str() {
                "awaiting_validation"
                    if app.rx.findings.get(&l.id).is_some_and(|f| !f.is_empty()) =>
                {
                    "validate !".to_string()
                }
                "awaiting_validation" => "to validate".to_string(),
                s => s.to_string(),
            };
            let mut cells = vec![
                Cell::from(l.bed.clone().unwrap_or_default()),
                Cell::from(l.patient.clone()),
                Cell::from(l.item.clone()),
                Cell::from(dose_text(l)),
                Cell::from(l.route.clone()),
                Cell::from(l.frequency.clone()),
                Cell::from(Span::styled(status, status_style)),
            ];
            if wide {
                cells.push(Cell::from(
                    l.start_at
                        .map(|t| t.with_timezone(&Local).format("%d %b %H:%M").to_string())
                        .unwrap_or_default(),
                ));
            }
            Row::new(cells)
        },
    );
    let findings = app
        .rx
        .lines
        .get(app.rx_sel.selected)
        .and_then(|l| app.rx.findings.get(&l.id))
        .filter(|f| !f.is_empty());
    if let Some(found) = findings {
        let text: Vec<String> = found.iter().map(|f| f.message()).collect();
        line(
            f,
            foot,
            Line::styled(
                fit(&format!(" ! {}", text.join("; ")), foot.width as usize),
                theme.warn(),
            ),
        );
    } else if let Some(l) = app.rx.lines.get(app.rx_sel.selected) {
        let allergies = app.rx.allergies(l.patient_id);
        let mut spans = vec![Span::raw(fit(
            &format!(
                " {} · {} · {} · by {} ",
                l.mrn, l.indication, l.times, l.prescriber
            ),
            (foot.width as usize).saturating_sub(allergies.len().min(40) + 12),
        ))];
        if !allergies.is_empty() {
            spans.push(Span::styled(
                format!("· Allergies: {allergies}"),
                theme.severity(Severity::High),
            ));
        }
        line(f, foot, Line::from(spans));
    } else {
        line(
            f,
            foot,
            Line::styled(" No prescriptions on this ward.", theme.dim()),
        );
    }
}
