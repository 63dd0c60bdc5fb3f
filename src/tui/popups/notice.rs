//! A notice over the screen that stays until it is closed with Enter or
//! Esc: what must be read once and handed over (a one-time PIN), never left
//! on the message line for the next person at the workstation.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::t;
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, fit, wrap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub lines: Vec<String>,
    /// What is to be read out or copied (a one-time PIN), on its own line.
    pub code: Option<String>,
    /// A notice for reference only (not a secret shown once).
    pub plain: bool,
}

impl Notice {
    pub fn key(&mut self, ev: KeyEvent) -> Done {
        match ev.code {
            KeyCode::Enter | KeyCode::Esc => Done::Close,
            _ => Done::Stay,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = 60.min(area.width);
        let text_w = w.saturating_sub(4) as usize;
        let mut lines = vec![Line::raw("")];
        for l in &self.lines {
            for part in wrap(l, text_w) {
                lines.push(Line::styled(format!(" {part}"), theme.warn()));
            }
        }
        if let Some(code) = &self.code {
            lines.push(Line::raw(""));
            lines.push(
                Line::styled(code.clone(), theme.header().add_modifier(Modifier::BOLD)).centered(),
            );
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                " {}",
                fit(
                    if self.plain {
                        t!("tui.find.close")
                    } else {
                        t!("tui.site.notice_keys")
                    },
                    text_w
                )
            ),
            theme.dim(),
        ));
        let h = (lines.len() as u16 + 2).min(area.height);
        let r = centered(area, w, h);
        crate::tui::widgets::clear(f, r);
        f.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", fit(&self.title, text_w))),
            ),
            r,
        );
    }
}
