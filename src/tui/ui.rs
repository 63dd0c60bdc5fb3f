//! Drawing: a pure function of the app state. Never touches the database,
//! never changes state; long lists draw only their visible rows.

use chrono::Local;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Level, Tab};
use super::keymap::Context;
use super::screens;
use super::theme::Theme;

pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 16;

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        too_small(f, area);
        return;
    }
    if app.actor.is_none() {
        screens::signin::draw(f, area, app, theme);
        return;
    }
    let [title, tabs, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(f, title, app, theme);
    draw_tabs(f, tabs, app, theme);
    match app.tab {
        Tab::Stock => screens::stock::draw(f, body, app, theme),
        Tab::Prescriptions => screens::prescriptions::draw(f, body, app, theme),
        Tab::Administration => screens::administration::draw(f, body, app, theme),
        Tab::Pharmacy => screens::pharmacy::draw(f, body, app, theme),
        Tab::Alerts => screens::alerts::draw(f, body, app, theme),
    }
    draw_status(f, status, app, theme);
    draw_keys(f, keys, app, theme, &app.contexts());
    if app.picker.is_some() {
        draw_picker(f, area, app, theme);
    }
    if let Some((ops, sel)) = &app.op_menu {
        draw_menu(f, area, ops, *sel, theme);
    }
    if let Some(p) = &app.patient {
        draw_patient(f, area, p, app.patient_scroll, theme);
    }
    if let Some(form) = &app.form {
        draw_form(f, area, form, theme);
    }
    if app.help {
        draw_help(f, area, app, theme);
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = format!(
        "wardstock needs at least {MIN_W}×{MIN_H}; this window is {}×{}. Enlarge it.",
        area.width, area.height
    );
    f.render_widget(
        Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .alignment(Alignment::Center),
        area,
    );
}

/// Cuts `s` to at most `w` columns (wide characters count double).
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

fn draw_title(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let clock = app
        .now
        .with_timezone(&Local)
        .format("%a %d %b %H:%M:%S")
        .to_string();
    let user = app
        .actor
        .as_ref()
        .map(|a| format!("{} ({})", a.username, a.role.label()))
        .unwrap_or_default();
    let place = app
        .current_place()
        .map(|p| format!("{} {}", p.code, p.name))
        .unwrap_or_default();
    let right = format!(" {user} │ {clock} ");
    let left_w = (area.width as usize).saturating_sub(right.width());
    let left = fit(&format!(" wardstock │ {place}"), left_w);
    let pad = left_w.saturating_sub(left.width());
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::raw(right),
    ]);
    f.render_widget(Paragraph::new(line).style(theme.title()), area);
}

fn draw_tabs(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let short = area.width < 80;
    let mut spans = vec![Span::raw(" ")];
    for (i, t) in Tab::ALL.iter().enumerate() {
        let title = if short {
            match t {
                Tab::Prescriptions => "Rx",
                Tab::Administration => "Admin",
                Tab::Stock => "Stock",
                Tab::Pharmacy => "Pharmacy",
                Tab::Alerts => "Alerts",
            }
        } else {
            t.title()
        };
        let style = if *t == app.tab {
            theme.tab_active()
        } else {
            theme.tab()
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, title), style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some((level, msg)) = &app.status {
        let style = match level {
            Level::Info => theme.info(),
            Level::Warn => theme.warn(),
            Level::Error => theme.error(),
        };
        f.render_widget(
            Paragraph::new(fit(msg, area.width as usize)).style(style),
            area,
        );
    }
}

/// The key bar: as many of the context's bindings as fit the width.
pub fn draw_keys(f: &mut Frame, area: Rect, app: &App, theme: &Theme, contexts: &[Context]) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (action, keys, desc) in app.keymap.bar(contexts) {
        if !app.offers(action) {
            continue;
        }
        let w = keys.width() + desc.width() + 3;
        if used + w > area.width as usize {
            break;
        }
        spans.push(Span::styled(format!(" {keys}"), theme.key()));
        spans.push(Span::raw(format!(" {desc} ")));
        used += w;
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A boxed list to choose from, the selected row reversed, scrolled to keep it in view.
fn draw_choices(
    f: &mut Frame,
    area: Rect,
    width: u16,
    title: &str,
    rows: &[String],
    sel: usize,
    theme: &Theme,
) {
    let h = (rows.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, width, h);
    f.render_widget(Clear, r);
    let inner_h = h.saturating_sub(2) as usize;
    let offset = sel.saturating_sub(inner_h.saturating_sub(1));
    let inner_w = width.saturating_sub(4) as usize;
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_h)
        .map(|(i, row)| {
            let text = fit(row, inner_w);
            if i == sel {
                Line::styled(text, theme.selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        r,
    );
}

fn draw_picker(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let rows: Vec<String> = app
        .places
        .iter()
        .map(|p| format!(" {:<6} {}", p.code, p.name))
        .collect();
    draw_choices(
        f,
        area,
        44,
        " Ward / place — ↑↓ Enter, Esc ",
        &rows,
        app.picker.unwrap_or(0),
        theme,
    );
}

fn draw_menu(
    f: &mut Frame,
    area: Rect,
    ops: &[crate::domain::roles::Operation],
    sel: usize,
    theme: &Theme,
) {
    let rows: Vec<String> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let label = op.label();
            let (first, rest) = label.split_at(label.chars().next().map_or(0, char::len_utf8));
            format!(" {} {}{rest}", i + 1, first.to_uppercase())
        })
        .collect();
    draw_choices(
        f,
        area,
        40,
        " Operation — ↑↓ Enter, Esc ",
        &rows,
        sel,
        theme,
    );
}

/// A patient's record: allergies, prescriptions, then doses with their lots, newest first.
fn draw_patient(
    f: &mut Frame,
    area: Rect,
    p: &crate::store::queries::PatientRecord,
    scroll: usize,
    theme: &Theme,
) {
    let r = centered(
        area,
        area.width.saturating_sub(4).max(40),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    let w = r.width.saturating_sub(2) as usize;
    let mut lines = vec![
        Line::styled(
            fit(
                &format!(
                    "{} · born {} · {} bed {}",
                    p.mrn,
                    p.dob,
                    p.ward.clone().unwrap_or_default(),
                    p.bed.clone().unwrap_or_default()
                ),
                w,
            ),
            theme.dim(),
        ),
        if p.allergies.is_empty() {
            Line::raw("No allergy recorded")
        } else {
            Line::styled(
                fit(&format!("ALLERGIES: {}", p.allergies), w),
                theme.error(),
            )
        },
        Line::styled("Prescriptions", theme.warn()),
    ];
    for l in &p.prescriptions {
        lines.push(Line::raw(fit(
            &format!(
                " RX-{} {:<11} {} {} {} {} · {}",
                l.id,
                l.status.replace('_', " "),
                l.item,
                l.dose_text(),
                l.route,
                l.frequency,
                l.indication
            ),
            w,
        )));
    }
    lines.push(Line::styled("Doses (newest first)", theme.warn()));
    for d in &p.doses {
        let when = crate::domain::instant_from_text(
            d.scheduled_at.as_deref().unwrap_or(d.recorded_at.as_str()),
        )
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%d %b %H:%M")
                .to_string()
        })
        .unwrap_or_default();
        lines.push(Line::raw(fit(
            &format!(
                " {when} {:<15} {:<13} {}",
                d.outcome.replace('_', " "),
                d.lot
                    .as_ref()
                    .map(|l| format!("lot {l}"))
                    .unwrap_or_default(),
                d.item,
            ),
            w,
        )));
    }
    let body = r.height.saturating_sub(3) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(body));
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(body).collect();
    shown.push(Line::styled("↑↓ PgUp PgDn scroll · Esc close", theme.dim()));
    f.render_widget(
        Paragraph::new(shown).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", fit(&p.name, w.saturating_sub(2)))),
        ),
        r,
    );
}

fn draw_form(f: &mut Frame, area: Rect, form: &super::form::Form, theme: &Theme) {
    // Hints under the fields only when there is room for them.
    let with_hints =
        form.fields.len() as u16 * 2 + 7 + 2 * form.note.is_some() as u16 <= area.height;
    let h = form.fields.len() as u16 * (1 + with_hints as u16) + 7 + 2 * form.note.is_some() as u16;
    let r = centered(area, 64, h);
    f.render_widget(Clear, r);
    let inner_w = r.width.saturating_sub(4) as usize;
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "{} ({}, {} per pack)",
                form.item.code, form.item.dose_unit, form.item.units_per_pack
            ),
            inner_w,
        ),
        theme.dim(),
    )];
    if let Some(note) = &form.note {
        lines.push(Line::styled(note.clone(), theme.warn()));
    }
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let active = i == form.focus;
        let style = if active {
            theme.selected()
        } else {
            Style::default()
        };
        let value = if field.secret {
            "•".repeat(field.input.value().chars().count().min(28))
        } else {
            fit(field.input.value(), 28)
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {:<12}", field.label)),
            Span::styled(format!("[{value:<28}]"), style),
        ]));
        let row = lines.len() as u16 - 1;
        if with_hints {
            lines.push(Line::styled(
                format!("{:13}{}", "", fit(&field.hint, inner_w.saturating_sub(13))),
                theme.dim(),
            ));
        }
        if active {
            cursor = Some((
                r.x + 1 + 14 + field.input.visual_cursor().min(28) as u16,
                r.y + 1 + row,
            ));
        }
    }
    match &form.error {
        Some(e) => lines.push(Line::styled(e.clone(), theme.error())),
        None => lines.push(Line::raw("")),
    }
    lines.push(Line::styled(
        "Enter next / record · Tab move · Esc cancel",
        theme.dim(),
    ));
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", fit(&form.title(), 56))),
        ),
        r,
    );
    if let Some(pos) = cursor
        && pos.0 < area.right()
        && pos.1 < area.bottom()
    {
        f.set_cursor_position(pos);
    }
}

fn draw_help(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let section = |title: &str, ctx: &[Context]| -> Vec<Line<'static>> {
        let mut out = vec![Line::styled(title.to_string(), theme.warn())];
        for (keys, desc) in app.keymap.hints(ctx) {
            out.push(Line::from(vec![
                Span::raw(format!(" {} ", fit(&keys, 11))),
                Span::raw(desc),
            ]));
        }
        out
    };
    // Two columns, so the whole keymap fits 80×24.
    let mut left = section("Everywhere", &[Context::Global]);
    left.extend(section("A pick list", &[Context::Order]));
    let mut right = section("Lists", &[Context::List]);
    // An item's lots: only what differs from the lists.
    let listed = app.keymap.hints(&[Context::List]);
    right.push(Line::styled("An item's lots", theme.warn()));
    for (keys, desc) in app.keymap.hints(&[Context::Detail]) {
        if !listed.iter().any(|(k, _)| *k == keys) || matches!(keys.as_str(), "Home" | "End") {
            right.push(Line::from(vec![
                Span::raw(format!(" {} ", fit(&keys, 11))),
                Span::raw(desc),
            ]));
        }
    }
    let notes = [
        "Type on Ward stock to filter by name, code or ATC; digits are typed once",
        "the filter holds text. A scanner works on any screen. Keys: keymap.toml.",
    ];
    let rows = left.len().max(right.len());
    let h = (rows + notes.len() + 3) as u16;
    let r = centered(area, 78, h.min(area.height));
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Help — any key closes it ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [cols, foot] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(notes.len() as u16)]).areas(inner);
    let [lc, rc] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(cols);
    f.render_widget(Paragraph::new(left), lc);
    f.render_widget(Paragraph::new(right), rc);
    let more = if h > area.height {
        " (enlarge the window to see every key)"
    } else {
        ""
    };
    let mut foot_lines: Vec<Line> = notes
        .iter()
        .map(|n| Line::styled(n.to_string(), theme.dim()))
        .collect();
    if let Some(last) = foot_lines.last_mut() {
        last.spans.push(Span::styled(more, theme.warn()));
    }
    f.render_widget(Paragraph::new(foot_lines), foot);
}
