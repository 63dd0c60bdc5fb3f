//! The ward/place picker (F2): ↑ ↓ Enter, Esc; a letter jumps to the next
//! place whose code or name starts with it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::Done;
use crate::store::queries::Place;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::theme::Theme;
use crate::tui::widgets::{draw_choices, pad};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub selected: usize,
}

impl Picker {
    pub fn key(&mut self, ev: KeyEvent, cx: &Ctx) -> Done {
        let n = cx.places.len();
        if n == 0 {
            return Done::Close;
        }
        let sel = self.selected;
        match ev.code {
            KeyCode::Up => self.selected = sel.saturating_sub(1),
            KeyCode::Down => self.selected = (sel + 1).min(n - 1),
            KeyCode::Enter => return Done::Place(sel.min(n - 1)),
            KeyCode::Esc => return Done::Close,
            KeyCode::Char(c) => {
                let c = c.to_lowercase().to_string();
                let starts = |p: &Place| {
                    let code = p.code.to_lowercase();
                    code.starts_with(&c)
                        || code.trim_start_matches("w-").starts_with(&c)
                        || p.name
                            .to_lowercase()
                            .split_whitespace()
                            .any(|w| w.starts_with(&c))
                };
                if let Some(i) = (1..=n)
                    .map(|k| (sel + k) % n)
                    .find(|&i| starts(&cx.places[i]))
                {
                    self.selected = i;
                }
            }
            _ => {}
        }
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        // Codes whole, in a column as wide as the longest.
        let code_w = cx
            .places
            .iter()
            .map(|p| crate::i18n::width(&p.code))
            .max()
            .unwrap_or(0);
        let rows: Vec<String> = cx
            .places
            .iter()
            .map(|p| format!(" {} {}", pad(&p.code, code_w), p.name))
            .collect();
        let title = format!(" {} ", t!("tui.picker.title"));
        let w = rows
            .iter()
            .map(|r| crate::i18n::width(r) + 4)
            .chain([crate::i18n::width(&title) + 2, 44])
            .max()
            .unwrap_or(44)
            .min(area.width as usize) as u16;
        draw_choices(f, area, w, &title, &rows, self.selected, theme);
    }
}
