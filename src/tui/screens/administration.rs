//! The administration schedule of the selected ward: doses due, late,
//! missed and upcoming, and the PRN prescriptions that may be given; by
//! time or grouped by patient. Enter gives the selected dose.

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
use crate::tui::views::Slot;

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
            Span::styled(
                format!(
                    " {} doses {span}{} ",
                    ward.code,
                    if app.mar.by_patient {
                        " by patient"
                    } else {
                        ""
                    }
                ),
                theme.header(),
            ),
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
        app.mar.slots.len(),
        Some(app.mar_sel),
        |i| {
            // In groups, a patient's name shows on their first line only.
            let same_patient = app.mar.by_patient
                && i > 0
                && app.mar.mrn(app.mar.slots[i - 1]) == app.mar.mrn(app.mar.slots[i]);
            let r = match app.mar.slots[i] {
                Slot::Dose(d) => &app.mar.rows[d],
                Slot::Prn(p) => {
                    let (l, st) = (&app.mar.prn[p], &app.mar.prn_state[p]);
                    let (text, style) = match st.next_allowed {
                        None => ("PRN ready".to_string(), Style::default()),
                        Some(t) => (
                            format!("PRN {}", t.with_timezone(&Local).format("%H:%M")),
                            theme.dim(),
                        ),
                    };
                    let mut cells = vec![Cell::from("PRN"), Cell::from(Span::styled(text, style))];
                    if wide {
                        cells.push(Cell::from(l.bed.clone().unwrap_or_default()));
                    }
                    cells.extend([
                        Cell::from(if same_patient {
                            String::new()
                        } else {
                            l.patient.clone()
                        }),
                        Cell::from(l.item.clone()),
                        Cell::from(l.dose_text()),
                    ]);
                    if wide {
                        cells.push(Cell::from(l.route.clone()));
                    }
                    // Controlled and high-alert first: a witness, a double check.
                    let marks = [(l.controlled, "CD"), (l.high_alert, "HA")]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, f)| *f)
                        .collect::<Vec<_>>()
                        .join(" ");
                    let count = st
                        .max_24h
                        .map(|m| format!("{}/{m}", st.given_24h))
                        .unwrap_or_default();
                    let flags = [marks, count]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    cells.push(Cell::from(flags));
                    return Row::new(cells);
                }
            };
            let (text, style) = match r.status(app.now) {
                DoseStatus::Missed if r.auto_missed => {
                    ("MISSED ✎".to_string(), theme.severity(Severity::Critical))
                }
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
                Cell::from(if same_patient {
                    String::new()
                } else {
                    r.patient.clone()
                }),
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
    let selected = match app.mar_slot() {
        Some(Slot::Dose(d)) => app.mar.rows.get(d),
        _ => None,
    };
    if let Some(r) = selected {
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
        } else if r.auto_missed {
            text.push_str(" · MISSED: Enter to document why");
        }
    }
    if let Some(Slot::Prn(p)) = app.mar_slot() {
        let (l, st) = (&app.mar.prn[p], &app.mar.prn_state[p]);
        text.push_str(&format!(
            " {} {} · {} {} PRN for {}",
            l.bed.clone().unwrap_or_default(),
            l.patient,
            l.item,
            l.dose_text(),
            l.indication
        ));
        if let Some(t) = st.last_given {
            text.push_str(&format!(
                " · last {}",
                t.with_timezone(&Local).format("%H:%M")
            ));
        }
        match st.next_allowed {
            Some(t) => text.push_str(&format!(
                " · next from {}",
                t.with_timezone(&Local).format("%d %b %H:%M")
            )),
            None => text.push_str(" · may be given now"),
        }
    }
    line(
        f,
        foot,
        Line::styled(fit(&text, foot.width as usize), theme.dim()),
    );
}
