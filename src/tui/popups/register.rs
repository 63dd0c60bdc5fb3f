//! The controlled-drug register page of an item at the place shown: every
//! movement with who recorded it, who signed second, and the running
//! balance, which ends at what the ledger holds now. Read once when opened;
//! drawing never touches the database.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::i18n::num;
use crate::ops::stock::Register;
use crate::t;
use crate::tui::component::{Ctx, ListState};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, fit, visible_table};

#[derive(Debug, Clone)]
pub struct RegisterPage {
    pub page: Register,
    pub sel: ListState,
}

impl RegisterPage {
    /// The page of `item` at `place`, the latest entry selected.
    pub fn open(cx: &Ctx, place: &str, item: &str) -> Result<RegisterPage, String> {
        let conn = &cx.store.conn;
        let place = crate::ops::stock::place_by_code(conn, place).map_err(|e| e.to_string())?;
        let item = crate::ops::stock::item_by_code(conn, item).map_err(|e| e.to_string())?;
        let page = crate::ops::stock::register(conn, &place, &item, None, None)
            .map_err(|e| e.to_string())?;
        let mut sel = ListState::default();
        sel.move_by(page.entries.len() as isize, page.entries.len());
        Ok(RegisterPage { page, sel })
    }

    pub fn key(&mut self, ev: KeyEvent) -> Done {
        let action = match ev.code {
            KeyCode::Esc | KeyCode::Left => return Done::Close,
            KeyCode::Up => Action::Up,
            KeyCode::Down => Action::Down,
            KeyCode::PageUp => Action::PageUp,
            KeyCode::PageDown => Action::PageDown,
            KeyCode::Home => Action::Top,
            KeyCode::End => Action::Bottom,
            _ => return Done::Stay,
        };
        self.sel.act(action, self.page.entries.len());
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let r = area;
        crate::tui::widgets::clear(f, r);
        let p = &self.page;
        let title = t!(
            "cd.tui.register_title",
            item = p.item_name,
            code = p.item_code,
            place = p.place,
            unit = crate::i18n::unit(&p.unit)
        );
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            fit(&title, r.width.saturating_sub(4) as usize)
        ));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [head, table, foot, keys] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let w = inner.width as usize;
        f.render_widget(
            Paragraph::new(Line::styled(
                fit(&t!("cd.cli.opening", qty = num(p.opening)), w),
                theme.dim(),
            )),
            head,
        );
        let cols = [
            Column::new(t!("cd.col.when"), W::Whole),
            Column::new(t!("cd.col.kind"), W::Fit { min: 4, max: 14 }).optional(2),
            Column::new(t!("cd.col.lot"), W::Fit { min: 6, max: 12 }).optional(3),
            Column::new(t!("cd.col.from_to"), W::Fill(8)),
            Column::new(t!("cd.col.in"), W::Whole),
            Column::new(t!("cd.col.out"), W::Whole),
            Column::new(t!("cd.col.balance"), W::Whole),
            Column::new(t!("cd.col.by"), W::Fit { min: 5, max: 12 }),
            Column::new(t!("cd.col.witness"), W::Fit { min: 5, max: 12 }),
        ];
        let entries = &p.entries;
        visible_table(
            f,
            table,
            theme,
            &cols,
            entries.len(),
            Some(&self.sel),
            |i| {
                let e = &entries[i];
                let when = crate::domain::instant_from_text(&e.at)
                    .map(|t| crate::i18n::datetime_short(crate::i18n::local(t)))
                    .unwrap_or_else(|| e.at.clone());
                let qty = |n: i64| if n > 0 { num(n) } else { String::new() };
                let witness = match &e.witness {
                    Some(w) => TCell::from(w.as_str()),
                    None => TCell::styled("—", theme.warn()),
                };
                vec![
                    TCell::from(when),
                    TCell::from(crate::i18n::cd::movement_kind(e.kind)),
                    TCell::from(e.lot_number.as_str()),
                    TCell::from(match crate::i18n::cd::dose_note(e, &p.strength_unit) {
                        Some(note) => format!("{} · {note}", e.counterpart),
                        None => e.counterpart.clone(),
                    }),
                    TCell::right(qty(e.qty_in)),
                    TCell::right(qty(e.qty_out)),
                    TCell::right(num(e.balance)),
                    TCell::from(e.by.as_str()),
                    witness,
                ]
            },
        );
        let (text, style) = if p.closing == p.held_now {
            (t!("cd.tui.agrees", closing = num(p.closing)), theme.dim())
        } else {
            (
                t!(
                    "cd.cli.ledger_differs",
                    qty = num(p.held_now),
                    closing = num(p.closing)
                ),
                theme.error(),
            )
        };
        f.render_widget(Paragraph::new(Line::styled(fit(&text, w), style)), foot);
        f.render_widget(
            Paragraph::new(Line::styled(
                fit(t!("cd.tui.register_keys"), w),
                theme.dim(),
            )),
            keys,
        );
    }
}
