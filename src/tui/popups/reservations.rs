//! The scheduled cases of the place shown (from the F3 menu on a ward's
//! stock): each case
//! with its time, patient and kit (held, used, short); a case booked (N),
//! used as booked (U: units to the patient, the rest released) or cancelled
//! with a reason (C). Read when opened and after each change; drawing never
//! touches the database.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::domain::roles::{Operation, may};
use crate::i18n::reservations::status;
use crate::i18n::{datetime_short, local, num};
use crate::ops::reservations::{self as res, Case};
use crate::t;
use crate::tui::component::{Ctx, Level, ListState};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, clear, fit, visible_table};

/// What is being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    List,
    /// Booking: when, patient, kit, note; `focus` is the field typed in.
    New {
        fields: [String; 4],
        focus: usize,
    },
    /// Cancelling the selected case: its reason.
    Cancel {
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct ReservationsView {
    pub place: String,
    pub cases: Vec<Case>,
    pub sel: ListState,
    pub mode: Mode,
    pub message: Option<(Level, String)>,
}

/// The words of a booking's fields, in order.
fn field_label(i: usize) -> &'static str {
    match i {
        0 => t!("reserve.tui.field_at"),
        1 => t!("reserve.tui.field_patient"),
        2 => t!("reserve.tui.field_kit"),
        _ => t!("reserve.tui.field_note"),
    }
}

impl ReservationsView {
    pub fn open(cx: &mut Ctx) -> Option<ReservationsView> {
        let place = cx.current_place()?.code.clone();
        let mut v = ReservationsView {
            place,
            cases: Vec::new(),
            sel: ListState::default(),
            mode: Mode::List,
            message: None,
        };
        if let Err(e) = v.load(cx) {
            cx.say(Level::Error, e);
            return None;
        }
        Some(v)
    }

    fn load(&mut self, cx: &Ctx) -> Result<(), String> {
        let place = crate::ops::stock::place_by_code(&cx.store.conn, &self.place)
            .map_err(|e| e.to_string())?;
        self.cases =
            res::cases(&cx.store.conn, Some(place.id), cx.now, 7).map_err(|e| e.to_string())?;
        self.sel.move_by(0, self.cases.len());
        Ok(())
    }

    fn selected(&self) -> Option<&Case> {
        self.cases.get(self.sel.selected)
    }

    fn may(cx: &Ctx, op: Operation) -> bool {
        cx.actor.as_ref().is_some_and(|a| may(a.role, op))
    }

    fn done(&mut self, cx: &mut Ctx, msg: String) {
        cx.local_writes += 1;
        self.mode = Mode::List;
        self.message = Some((Level::Info, msg));
        if let Err(e) = self.load(cx) {
            self.message = Some((Level::Error, e));
        }
    }

    fn book(&mut self, cx: &mut Ctx) {
        let Mode::New { fields, .. } = &self.mode else {
            return;
        };
        let fields = fields.clone();
        let Some(actor) = cx.actor.clone() else {
            return;
        };
        let now = cx.now;
        let zone = cx.store.zone();
        let result = (|| -> Result<res::Booked, String> {
            let place = crate::ops::stock::place_by_code(&cx.store.conn, &self.place)
                .map_err(|e| e.to_string())?;
            let at = crate::domain::reservations::parse_case_time(&fields[0], &zone)
                .ok_or_else(|| res::ReserveError::BadTime(fields[0].clone()).to_string())?;
            let mut kit = Vec::new();
            for part in fields[2].split([' ', ',', ';']).filter(|s| !s.is_empty()) {
                let (code, qty) = res::parse_kit_line(part).map_err(|e| e.to_string())?;
                let item = crate::ops::stock::item_by_code(&cx.store.conn, &code)
                    .map_err(|e| e.to_string())?;
                kit.push((item, qty));
            }
            let note = Some(fields[3].as_str()).filter(|n| !n.trim().is_empty());
            res::book(
                &mut cx.store,
                &actor,
                now,
                &place,
                at,
                &fields[1],
                &kit,
                note,
            )
            .map_err(|e| e.to_string())
        })();
        match result {
            Ok(b) => {
                let mut msg = t!(
                    "reserve.tui.booked",
                    case = b.reference,
                    at = datetime_short(local(b.case_at))
                );
                if !b.short.is_empty() {
                    let short: Vec<String> = b
                        .short
                        .iter()
                        .map(|s| format!("{} {}/{}", s.item, s.free, s.wanted))
                        .collect();
                    msg.push_str(&t!("reserve.tui.booked_short", items = short.join(", ")));
                }
                self.done(cx, msg);
            }
            Err(e) => self.message = Some((Level::Warn, e)),
        }
    }

    fn use_all(&mut self, cx: &mut Ctx) {
        let (Some(case), Some(actor)) = (self.selected().cloned(), cx.actor.clone()) else {
            return;
        };
        let now = cx.now;
        match res::use_case(&mut cx.store, &actor, now, &case.reference, &[], true, None) {
            Ok(u) => {
                let units: i64 = u.used.iter().map(|l| l.qty).sum();
                let msg = t!(
                    "reserve.tui.used",
                    case = u.reference,
                    units = num(units),
                    mrn = u.mrn
                );
                self.done(cx, msg);
            }
            Err(res::ReserveError::Stock(crate::ops::stock::StockError::Cd(_))) => {
                self.message = Some((Level::Warn, t!("reserve.tui.use_cd", case = case.reference)));
            }
            Err(e) => self.message = Some((Level::Warn, e.to_string())),
        }
    }

    fn cancel(&mut self, cx: &mut Ctx) {
        let Mode::Cancel { reason } = &self.mode else {
            return;
        };
        let reason = reason.clone();
        let (Some(case), Some(actor)) = (self.selected().cloned(), cx.actor.clone()) else {
            return;
        };
        let now = cx.now;
        match res::cancel(&mut cx.store, &actor, now, &case.reference, &reason) {
            Ok(_) => self.done(cx, t!("reserve.tui.cancelled", case = case.reference)),
            Err(e) => self.message = Some((Level::Warn, e.to_string())),
        }
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> Done {
        let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        match &mut self.mode {
            Mode::New { fields, focus } => match ev.code {
                KeyCode::Esc => self.mode = Mode::List,
                KeyCode::Tab | KeyCode::Down => *focus = (*focus + 1) % 4,
                KeyCode::BackTab | KeyCode::Up => *focus = (*focus + 3) % 4,
                KeyCode::Enter if *focus < 3 => *focus += 1,
                KeyCode::Enter => self.book(cx),
                KeyCode::Backspace => {
                    fields[*focus].pop();
                }
                KeyCode::Char(c) if plain && fields[*focus].chars().count() < 200 => {
                    fields[*focus].push(c);
                }
                _ => {}
            },
            Mode::Cancel { reason } => match ev.code {
                KeyCode::Esc => self.mode = Mode::List,
                KeyCode::Enter => self.cancel(cx),
                KeyCode::Backspace => {
                    reason.pop();
                }
                KeyCode::Char(c) if plain && reason.chars().count() < 200 => reason.push(c),
                _ => {}
            },
            Mode::List => match ev.code {
                KeyCode::Esc => return Done::Close,
                KeyCode::Char('n' | 'N') if plain => {
                    if Self::may(cx, Operation::Reserve) {
                        let tomorrow = (local(cx.now) + Duration::days(1)).date();
                        self.mode = Mode::New {
                            fields: [
                                format!("{tomorrow} 08:00"),
                                String::new(),
                                String::new(),
                                String::new(),
                            ],
                            focus: 1,
                        };
                        self.message = None;
                    } else {
                        self.message = Some((Level::Warn, t!("reserve.tui.may_not_book").into()));
                    }
                }
                KeyCode::Char('u' | 'U') if plain && self.selected().is_some_and(Case::is_open) => {
                    self.use_all(cx);
                }
                KeyCode::Char('c' | 'C') if plain && self.selected().is_some_and(Case::is_open) => {
                    if Self::may(cx, Operation::Reserve) {
                        self.mode = Mode::Cancel {
                            reason: String::new(),
                        };
                        self.message = None;
                    } else {
                        self.message = Some((Level::Warn, t!("reserve.tui.may_not_cancel").into()));
                    }
                }
                KeyCode::Up | KeyCode::Down | KeyCode::Home | KeyCode::End => {
                    let action = match ev.code {
                        KeyCode::Up => crate::tui::keymap::Action::Up,
                        KeyCode::Down => crate::tui::keymap::Action::Down,
                        KeyCode::Home => crate::tui::keymap::Action::Top,
                        _ => crate::tui::keymap::Action::Bottom,
                    };
                    self.sel.act(action, self.cases.len());
                }
                _ => {}
            },
        }
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        clear(f, area);
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            fit(
                &t!("reserve.tui.title", place = self.place),
                area.width.saturating_sub(4) as usize
            )
        ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let form_h = match self.mode {
            Mode::New { .. } => 4,
            Mode::Cancel { .. } => 1,
            Mode::List => 0,
        };
        let list_h = (self.cases.len() as u16 + 1).clamp(2, 8);
        let [list, kit, form, msg, keys] = Layout::vertical([
            Constraint::Length(list_h),
            Constraint::Min(0),
            Constraint::Length(form_h),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        if self.cases.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(fit(t!("reserve.cli.none"), w), theme.dim())),
                list,
            );
        } else {
            let cols = [
                Column::new(t!("reserve.col.case"), W::Whole),
                Column::new(t!("reserve.col.at"), W::Whole),
                Column::new(t!("reserve.col.patient"), W::Fill(10)),
                Column::new(t!("reserve.col.status"), W::Whole),
                Column::new(t!("reserve.tui.col_short"), W::Whole),
            ];
            let cases = &self.cases;
            visible_table(f, list, theme, &cols, cases.len(), Some(&self.sel), |i| {
                let c = &cases[i];
                let short: i64 = c.lines.iter().map(|l| l.short).sum();
                vec![
                    TCell::from(c.reference.clone()),
                    TCell::from(
                        c.case_at
                            .map(|t| datetime_short(local(t)))
                            .unwrap_or_default(),
                    ),
                    TCell::name(format!("{} {}", c.mrn, c.patient)),
                    TCell::from(status(&c.status).to_string()),
                    if short > 0 {
                        TCell::styled(num(short), theme.error())
                    } else {
                        TCell::right("-")
                    },
                ]
            });
        }
        if let Some(c) = self.selected() {
            let mut lines: Vec<Line> = Vec::new();
            if let Some(n) = &c.note {
                lines.push(Line::styled(fit(n, w), theme.dim()));
            }
            for l in &c.lines {
                let text = if c.is_open() {
                    t!(
                        "reserve.cli.line_open",
                        item = l.item,
                        qty = l.qty,
                        held = l.held,
                        used = l.used,
                        unit = crate::i18n::unit(&l.unit)
                    )
                } else {
                    t!(
                        "reserve.cli.line_closed",
                        item = l.item,
                        qty = l.qty,
                        used = l.used,
                        released = l.released,
                        unit = crate::i18n::unit(&l.unit)
                    )
                };
                let (text, style) = if l.short > 0 {
                    (
                        format!("{text}{}", t!("reserve.cli.line_short", short = l.short)),
                        theme.error(),
                    )
                } else {
                    (text, ratatui::style::Style::default())
                };
                lines.push(Line::styled(fit(&text, w), style));
            }
            f.render_widget(Paragraph::new(lines), kit);
        }
        match &self.mode {
            Mode::New { fields, focus } => {
                let lines: Vec<Line> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let text = format!(
                            "{}: {v}{}",
                            field_label(i),
                            if i == *focus { "▏" } else { "" }
                        );
                        let style = if i == *focus {
                            theme.title()
                        } else {
                            ratatui::style::Style::default()
                        };
                        Line::styled(fit(&text, w), style)
                    })
                    .collect();
                f.render_widget(Paragraph::new(lines), form);
            }
            Mode::Cancel { reason } => {
                let text = t!(
                    "reserve.tui.reason",
                    case = self
                        .selected()
                        .map(|c| c.reference.clone())
                        .unwrap_or_default(),
                    reason = reason
                );
                f.render_widget(
                    Paragraph::new(Line::styled(fit(&text, w), theme.title())),
                    form,
                );
            }
            Mode::List => {}
        }
        if let Some((level, text)) = &self.message {
            let style = match level {
                Level::Info => theme.dim(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            f.render_widget(Paragraph::new(Line::styled(fit(text, w), style)), msg);
        }
        let keys_text = match self.mode {
            Mode::New { .. } => t!("reserve.tui.keys_new"),
            Mode::Cancel { .. } => t!("reserve.tui.keys_cancel"),
            Mode::List => t!("reserve.tui.keys"),
        };
        f.render_widget(
            Paragraph::new(Line::styled(fit(keys_text, w), theme.dim())),
            keys,
        );
    }
}
