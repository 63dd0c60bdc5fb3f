//! The `?` help: every binding of the keymap, described in the reader's
//! language, in two columns so the whole keymap fits 80×24. Any key closes
//! it; the language key also switches the language.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::t;
use crate::tui::component::{Ctx, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, fit, pad};

pub fn key(ev: KeyEvent, cx: &Ctx) -> Done {
    match cx.keymap.action(&[Context::Global], &ev) {
        Some(Action::Language) => Done::Language,
        _ => Done::Close,
    }
}

pub fn draw(f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
    let col_w = 38usize;
    // The keys' column as wide as the widest keys (at most 11): the
    // descriptions keep the rest.
    let key_w = [
        Context::Global,
        Context::Order,
        Context::List,
        Context::Detail,
    ]
    .iter()
    .flat_map(|c| cx.keymap.hints(&[*c]))
    .map(|(k, _)| crate::i18n::width(&k))
    .max()
    .unwrap_or(0)
    .min(11);
    let entry = |keys: &str, desc: &str| -> Line<'static> {
        let k = pad(&fit(keys, key_w), key_w);
        Line::from(vec![
            Span::raw(format!(" {k} ")),
            Span::raw(fit(desc, col_w.saturating_sub(key_w + 3))),
        ])
    };
    // The Site tab is listed only for those who see it.
    let site = Tab::shown(cx).contains(&Tab::Site);
    let reports = Tab::shown(cx).contains(&Tab::Reports);
    let section = |title: &str, ctx: &[Context]| -> Vec<Line<'static>> {
        let mut out = vec![Line::styled(title.to_string(), theme.warn())];
        for (keys, desc) in cx.keymap.hints(ctx) {
            if (!site && desc == Tab::Site.title()) || (!reports && desc == Tab::Reports.title()) {
                continue;
            }
            out.push(entry(&keys, &desc));
        }
        out
    };
    let mut left = section(t!("tui.help.everywhere"), &[Context::Global]);
    left.extend(section(t!("tui.help.pick_list"), &[Context::Order]));
    let mut right = section(t!("tui.help.lists"), &[Context::List]);
    // An item's lots: only what differs from the lists.
    let listed = cx.keymap.hints(&[Context::List]);
    right.push(Line::styled(t!("tui.help.lots"), theme.warn()));
    for (keys, desc) in cx.keymap.hints(&[Context::Detail]) {
        if !listed.iter().any(|(k, _)| *k == keys) || matches!(keys.as_str(), "Home" | "End") {
            right.push(entry(&keys, &desc));
        }
    }
    let rows = left.len().max(right.len());
    // The notes wrapped, in the lines the screen leaves them (at least two).
    let room = (area.height as usize).saturating_sub(rows + 2).max(2);
    let more = if rows + 2 + 2 > area.height as usize {
        t!("tui.help.enlarge")
    } else {
        ""
    };
    let notes = crate::tui::widgets::wrap_max(
        &format!("{} {}{more}", t!("tui.help.note1"), t!("tui.help.note2")),
        76,
        room,
    );
    let h = (rows + notes.len() + 2) as u16;
    let r = centered(area, 78, h.min(area.height));
    crate::tui::widgets::clear(f, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", t!("tui.help.title")));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [cols, foot] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(notes.len() as u16)]).areas(inner);
    let [lc, rc] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(cols);
    f.render_widget(Paragraph::new(left), lc);
    f.render_widget(Paragraph::new(right), rc);
    let w = inner.width as usize;
    let foot_lines: Vec<Line> = notes
        .iter()
        .map(|n| Line::styled(fit(n, w), theme.dim()))
        .collect();
    f.render_widget(Paragraph::new(foot_lines), foot);
}
