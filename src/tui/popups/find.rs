//! Where else an item is (F7 in an item's detail on Ward stock): every
//! usable unit at the pharmacy and the other wards, nearest first, and the
//! item's approved substitutes. A nurse chooses a ward's row and asks it for
//! an emergency transfer (the quantity in a form); the pharmacy's rows say
//! to request from the pharmacy instead. Read when opened; drawing never
//! touches the database.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::domain::roles::Operation;
use crate::i18n::num;
use crate::ops::stock::{self, Found, ItemRef, PlaceRef};
use crate::store::queries::StockLine;
use crate::t;
use crate::tui::component::{Ctx, Level, ListState};
use crate::tui::forms::{Form, Kind, emergency::Emergency};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, clear, fit, visible_table};

#[derive(Debug, Clone)]
pub struct FindView {
    pub found: Found,
    pub item: ItemRef,
    /// The ward asking (none: the place shown is not a ward).
    pub here: Option<PlaceRef>,
    /// What the ward asking needs: up to its safety stock, else a pack.
    pub need: i64,
    pub sel: ListState,
    pub message: Option<(Level, String)>,
}

impl FindView {
    /// Where else the item of `line` is, seen from the place shown.
    pub fn open(cx: &Ctx, line: &StockLine) -> Result<FindView, String> {
        let read = || -> Result<(ItemRef, Option<PlaceRef>, Found), stock::StockError> {
            let item = stock::item_by_code(&cx.store.conn, &line.code)?;
            let here = match cx.current_place() {
                Some(p) => Some(stock::place_by_code(&cx.store.conn, &p.code)?),
                None => None,
            };
            let found = stock::find_stock(&cx.store.conn, &item, here.as_ref(), cx.now)?;
            Ok((item, here, found))
        };
        let (item, here, found) = read().map_err(|e| t!("tui.find.failed", why = e))?;
        let need = if line.safety_stock > line.usable {
            line.safety_stock - line.usable
        } else {
            line.units_per_pack.max(1)
        };
        Ok(FindView {
            found,
            item,
            here,
            need,
            sel: ListState::default(),
            message: None,
        })
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &Ctx) -> Done {
        self.message = None;
        let len = self.found.holdings.len();
        match ev.code {
            KeyCode::Esc => return Done::Close,
            KeyCode::Up => _ = self.sel.act(Action::Up, len),
            KeyCode::Down => _ = self.sel.act(Action::Down, len),
            KeyCode::PageUp => _ = self.sel.act(Action::PageUp, len),
            KeyCode::PageDown => _ = self.sel.act(Action::PageDown, len),
            KeyCode::Home => _ = self.sel.act(Action::Top, len),
            KeyCode::End => _ = self.sel.act(Action::Bottom, len),
            KeyCode::Enter => match self.ask(cx) {
                Ok(form) => return Done::Form(Box::new(form)),
                Err(e) => self.message = Some((Level::Warn, e)),
            },
            _ => {}
        }
        Done::Stay
    }

    /// The emergency transfer form for the selected row's ward, or why
    /// there is none.
    fn ask(&self, cx: &Ctx) -> Result<Form, String> {
        let Some(row) = self.found.holdings.get(self.sel.selected) else {
            return Err(t!("tui.find.none").into());
        };
        if !cx.may(Operation::RequestTransfer) {
            let actor = cx.actor.as_ref().ok_or_else(String::new)?;
            return Err(crate::ops::items::allow(actor, Operation::RequestTransfer)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default());
        }
        let Some(here) = self
            .here
            .clone()
            .filter(|p| p.kind == crate::domain::PlaceKind::Ward)
        else {
            return Err(t!("console_resilience.find.not_a_ward").into());
        };
        if row.pharmacy {
            return Err(t!("console_resilience.find.from_pharmacy").into());
        }
        let from = stock::place_by_code(&cx.store.conn, &row.place).map_err(|e| e.to_string())?;
        // Up to what the lending ward holds of it.
        let there: i64 = self
            .found
            .holdings
            .iter()
            .filter(|h| h.place == row.place)
            .map(|h| h.qty)
            .sum();
        let qty = self.need.min(there).max(1);
        let mut form = Form::new(
            self.item.clone(),
            Kind::Emergency(Emergency::new(from, here, qty)),
        );
        form.note = Some(t!(
            "console_resilience.find.form_note",
            from = row.place,
            name = row.place_name,
            qty = num(there),
            spare = num(row.spare),
            minutes = row.minutes
        ));
        Ok(form)
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        // As high as its rows need, up to the screen.
        let want = self.found.holdings.len().max(1) + self.found.substitutes.len().min(3) + 6;
        let area = crate::tui::widgets::centered(
            area,
            area.width,
            (want.min(u16::MAX as usize) as u16).min(area.height),
        );
        clear(f, area);
        let unit = crate::i18n::unit(&self.found.dose_unit);
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            fit(
                &t!(
                    "tui.find.title",
                    item = self.found.item,
                    total = num(self.found.total),
                    unit = unit
                ),
                area.width.saturating_sub(4) as usize
            )
        ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let subs = self.found.substitutes.len().min(3) as u16;
        let [list, detail, subs_area, msg, keys] = Layout::vertical([
            Constraint::Min(2),
            Constraint::Length(1),
            Constraint::Length(subs),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let rows = &self.found.holdings;
        if rows.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(fit(t!("tui.find.none"), w), theme.dim())),
                list,
            );
        } else {
            let cols = [
                Column::new(t!("console_resilience.find.col_place"), W::Fill(8)),
                Column::new(t!("console_resilience.find.col_location"), W::Whole).optional(3),
                Column::new(
                    t!("console_resilience.find.col_lot"),
                    W::Fit { min: 6, max: 14 },
                ),
                Column::new(t!("console_resilience.find.col_expiry"), W::Whole).optional(2),
                Column::new(t!("console_resilience.find.col_qty"), W::Whole),
                Column::new(t!("console_resilience.find.col_spare"), W::Whole).optional(1),
                Column::new(t!("console_resilience.find.col_minutes"), W::Whole),
            ];
            visible_table(f, list, theme, &cols, rows.len(), Some(&self.sel), |i| {
                let h = &rows[i];
                vec![
                    TCell::from(format!("{} {}", h.place, h.place_name)),
                    TCell::from(h.location.clone()),
                    TCell::from(h.lot.clone()),
                    TCell::from(h.expiry.map(crate::i18n::date).unwrap_or_default()),
                    TCell::right(num(h.qty)),
                    TCell::right(num(h.spare)),
                    TCell::right(h.minutes.to_string()),
                ]
            });
        }
        if let Some(h) = rows.get(self.sel.selected) {
            let text = t!(
                "tui.find.line",
                place = h.place,
                location = h.location,
                lot = h.lot,
                expiry = h.expiry.map(crate::i18n::date).unwrap_or_default(),
                qty = num(h.qty),
                spare = num(h.spare),
                minutes = h.minutes
            );
            f.render_widget(
                Paragraph::new(Line::styled(fit(&text, w), theme.dim())),
                detail,
            );
        }
        let lines: Vec<Line> = self
            .found
            .substitutes
            .iter()
            .take(3)
            .map(|s| {
                Line::styled(
                    fit(
                        &t!(
                            "tui.find.substitute",
                            code = s.item,
                            name = s.name,
                            per = s
                                .per_unit
                                .map(|p| format!("{p:.0}"))
                                .unwrap_or_else(|| "?".into()),
                            here = num(s.here),
                            elsewhere = num(s.elsewhere)
                        ),
                        w,
                    ),
                    theme.warn(),
                )
            })
            .collect();
        f.render_widget(Paragraph::new(lines), subs_area);
        if let Some((level, text)) = &self.message {
            let style = match level {
                Level::Info => theme.dim(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            f.render_widget(Paragraph::new(Line::styled(fit(text, w), style)), msg);
        }
        f.render_widget(
            Paragraph::new(Line::styled(
                fit(t!("console_resilience.find.keys"), w),
                theme.dim(),
            )),
            keys,
        );
    }
}
