//! Drawing the frame around the components: the title, the tabs, the
//! message line and the key bar; then the tab, the popup and the form on
//! top. Never touches the database, never changes state.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::App;
use super::component::{Ctx, Level, Tab};
use super::keymap::{Action, Context};
use super::theme::Theme;
use super::widgets::{fit, width};
use crate::t;

use super::component::{MIN_H, MIN_W};

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        too_small(f, area);
        return;
    }
    let cx = &app.cx;
    if cx.actor.is_none() {
        let hint = app
            .demo
            .then(|| t!("tui.signin.demo", pin = crate::demo::DEMO_PIN));
        app.signin.draw(f, area, cx, hint.as_deref(), theme);
        return;
    }
    // The message line grows to three lines: a message is shown whole.
    let status_h = status_lines(cx, area.width).len().max(1) as u16;
    let [title, tabs, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_h),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(f, title, cx, theme);
    draw_tabs(f, tabs, app.tab, &Tab::shown(cx), theme);
    // A new site is guided until it has wards and items; the Site tab is
    // where that is done.
    if cx.setup.incomplete() && app.tab != Tab::Site {
        draw_setup(f, body, cx, theme);
    } else {
        app.tabs.get(app.tab).draw(f, body, cx, theme);
    }
    draw_status(f, status, cx, theme);
    let shown = app.tabs.get(app.tab);
    draw_keys(f, keys, cx, theme, &app.contexts(), &|a| {
        app.offers(a).then(|| shown.describe(a, cx))
    });
    if let Some(p) = &app.popup {
        p.draw(f, area, cx, theme);
    }
    if let Some(form) = &app.form {
        form.draw(f, area, theme);
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = t!(
        "tui.too_small",
        min_w = MIN_W,
        min_h = MIN_H,
        w = area.width,
        h = area.height
    );
    f.render_widget(
        Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .alignment(Alignment::Center),
        area,
    );
}

fn draw_title(f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
    let local = crate::i18n::local(cx.now);
    let clock = format!(
        "{} {}",
        crate::i18n::day_short(local.date()),
        local.format("%H:%M:%S")
    );
    let user = cx
        .actor
        .as_ref()
        .map(|a| format!("{} ({})", a.username, super::words::role(a.role)))
        .unwrap_or_default();
    let place = cx
        .current_place()
        .map(|p| {
            // A place named by its code alone (a site started without a
            // pharmacy name) is shown once.
            if p.name.trim().is_empty() || p.name == p.code {
                p.code.clone()
            } else {
                format!("{} {}", p.code, p.name)
            }
        })
        .unwrap_or_default();
    let right = format!(" {user} │ {clock} ");
    let left_w = (area.width as usize).saturating_sub(width(&right));
    let left = fit(&format!(" wardstock │ {place}"), left_w);
    let pad = left_w.saturating_sub(width(&left));
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::raw(right),
    ]);
    f.render_widget(Paragraph::new(line).style(theme.title()), area);
}

fn draw_tabs(f: &mut Frame, area: Rect, active: Tab, shown: &[Tab], theme: &Theme) {
    let long: usize = shown.iter().map(|t| width(t.title()) + 5).sum::<usize>() + 1;
    let short = long > area.width as usize;
    let mut spans = vec![Span::raw(" ")];
    for t in shown {
        let i = t.index();
        let title = if short { t.short_title() } else { t.title() };
        let style = if *t == active {
            theme.tab_active()
        } else {
            theme.tab()
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, title), style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The message wrapped to the width, at most three lines.
fn status_lines(cx: &Ctx, w: u16) -> Vec<String> {
    match &cx.status {
        Some((_, msg)) if !msg.is_empty() => {
            super::widgets::wrap_max(&super::words::strength(msg), w as usize, 3)
        }
        _ => Vec::new(),
    }
}

fn draw_status(f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
    if let Some((level, _)) = &cx.status {
        let style = match level {
            Level::Info => theme.info(),
            Level::Warn => theme.warn(),
            Level::Error => theme.error(),
        };
        let lines: Vec<Line> = status_lines(cx, area.width)
            .into_iter()
            .map(Line::raw)
            .collect();
        f.render_widget(Paragraph::new(lines).style(style), area);
    }
}

/// The key bar: as many of the offered bindings as fit the width
/// (`offers`: `None` when not offered, else the component's own words if any).
pub fn draw_keys(
    f: &mut Frame,
    area: Rect,
    cx: &Ctx,
    theme: &Theme,
    contexts: &[Context],
    offers: &dyn Fn(Action) -> Option<Option<String>>,
) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (action, keys, desc) in cx.keymap.bar(contexts) {
        // Not offered now; or offered, in the shown component's words.
        let Some(own) = offers(action) else {
            continue;
        };
        let desc = own.unwrap_or(desc);
        let w = width(&keys) + width(&desc) + 3;
        if used + w > area.width as usize {
            break;
        }
        spans.push(Span::styled(format!(" {keys}"), theme.key()));
        spans.push(Span::raw(format!(" {desc} ")));
        used += w;
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A new site's screens: what to set up next and how, in order, instead of
/// empty lists.
fn draw_setup(f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
    let s = cx.setup;
    let user = cx.actor.as_ref().map_or("", |a| a.username.as_str());
    let steps: [(bool, String); 8] = [
        (s.wards > 0, t!("tui.setup.wards", user = user)),
        (s.more_locations > 0, t!("tui.setup.locations", user = user)),
        (s.suppliers > 0, t!("tui.setup.suppliers", user = user)),
        (s.items > 0, t!("tui.setup.items", user = user)),
        (s.staff > 0, t!("tui.setup.staff", user = user)),
        (s.patients > 0, t!("tui.setup.patients", user = user)),
        (s.allergies > 0, t!("tui.setup.allergies", user = user)),
        (s.movements > 0, t!("tui.setup.stock", user = user)),
    ];
    let next = steps.iter().position(|(done, _)| !done);
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = vec![
        Line::styled(fit(t!("tui.setup.title"), w), theme.header()),
        Line::from(""),
    ];
    // Those who keep the site do it on its own tab too.
    if Tab::shown(cx).contains(&Tab::Site) {
        let key = cx.keys(Context::Global, Action::Tab6);
        for l in super::widgets::wrap(&t!("tui.setup.console", key = key), w) {
            lines.push(Line::styled(l, theme.info()));
        }
        lines.push(Line::from(""));
    }
    for (i, (done, text)) in steps.iter().enumerate() {
        let mark = if *done {
            "✓"
        } else if Some(i) == next {
            "→"
        } else {
            "·"
        };
        let style = if Some(i) == next {
            theme.warn()
        } else if *done {
            theme.dim()
        } else {
            ratatui::style::Style::default()
        };
        for (k, l) in super::widgets::wrap(&format!("{mark} {}. {text}", i + 1), w)
            .into_iter()
            .enumerate()
        {
            let l = if k == 0 { l } else { format!("     {l}") };
            lines.push(Line::styled(l, style));
        }
    }
    lines.push(Line::from(""));
    for l in super::widgets::wrap(t!("tui.setup.templates"), w) {
        lines.push(Line::styled(l, theme.dim()));
    }
    f.render_widget(
        Paragraph::new(lines),
        area.inner(ratatui::layout::Margin::new(1, 0)),
    );
}
