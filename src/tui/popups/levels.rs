//! The levels screen (F9 on Ward stock): the place's items with what is on
//! hand, their safety stock and maximum, and how these were set (by hand or
//! from use, by whom, when). A nurse manager or a pharmacist edits one
//! item's levels, or sets them from use after a preview old → new that keeps
//! levels set by hand unless they choose to replace them. Every change goes
//! through the one operation the command line uses.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_input::{Input, InputRequest};

use super::Done;
use crate::domain::roles::Operation;
use crate::i18n::num;
use crate::ops::stock::{FromUse, LevelChange, LevelRow, PlaceRef};
use crate::t;
use crate::tui::component::{Ctx, Level, ListState};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, clear, fit, visible_table, when, wrap_max};

/// Days of cover and of past use for levels from use: the command line's defaults.
const FROM_USE: FromUse = FromUse {
    safety_days: 3,
    max_days: 10,
    window_days: 28,
    apply: false,
    replace_manual: false,
};

#[derive(Debug, Clone)]
pub struct LevelsScreen {
    pub place: PlaceRef,
    pub rows: Vec<LevelRow>,
    pub sel: ListState,
    pub mode: Mode,
    /// The last result or refusal, shown in the box until the next one.
    pub message: Option<(Level, String)>,
}

#[derive(Debug, Clone)]
pub enum Mode {
    List,
    /// One item's safety stock and maximum being edited.
    Edit {
        safety: Input,
        max: Input,
        /// 0: safety stock, 1: maximum.
        focus: usize,
        /// Still as prefilled: the first digit typed replaces the value.
        fresh: [bool; 2],
    },
    /// Levels from use: what would change, to apply.
    FromUse {
        changes: Vec<LevelChange>,
        replace_manual: bool,
        sel: ListState,
    },
}

impl LevelsScreen {
    /// The levels of the place shown.
    pub fn open(cx: &Ctx) -> Option<LevelsScreen> {
        let code = cx.current_place()?.code.clone();
        let place = crate::ops::stock::place_by_code(&cx.store.conn, &code).ok()?;
        let mut s = LevelsScreen {
            place,
            rows: Vec::new(),
            sel: ListState::default(),
            mode: Mode::List,
            message: None,
        };
        s.read(cx);
        Some(s)
    }

    fn read(&mut self, cx: &Ctx) {
        match crate::ops::stock::levels_at(&cx.store.conn, self.place.id, cx.now) {
            Ok(rows) => self.rows = rows,
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
        self.sel.clamp(self.rows.len());
    }

    fn say(&mut self, cx: &mut Ctx, level: Level, msg: String) {
        cx.say(level, msg.clone());
        self.message = Some((level, msg));
    }

    /// Whether the user may change levels (as the operation decides); if
    /// not, says so and who does.
    fn may(&mut self, cx: &mut Ctx) -> bool {
        let Some(actor) = cx.actor.clone() else {
            return false;
        };
        match crate::ops::stock::allow(&actor, Operation::SetLevels) {
            Ok(()) => true,
            Err(e) => {
                let msg = t!("levels.refused.role", why = e.to_string());
                self.say(cx, Level::Warn, msg);
                false
            }
        }
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> Done {
        let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        match &mut self.mode {
            Mode::List => match ev.code {
                KeyCode::Esc => return Done::Close,
                KeyCode::Enter => self.edit(cx),
                KeyCode::Char('u') | KeyCode::Char('U') if plain => self.preview(cx, false),
                code => {
                    let n = self.rows.len();
                    list_key(&mut self.sel, code, n);
                }
            },
            Mode::Edit {
                safety,
                max,
                focus,
                fresh,
            } => match ev.code {
                KeyCode::Esc => {
                    self.mode = Mode::List;
                    self.message = None;
                }
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                    *focus = 1 - *focus
                }
                KeyCode::Enter if *focus == 0 => *focus = 1,
                KeyCode::Enter => self.save(cx),
                KeyCode::Char(c) if plain => {
                    let input = if *focus == 0 { safety } else { max };
                    if std::mem::take(&mut fresh[*focus]) {
                        *input = Input::default();
                    }
                    input.handle(InputRequest::InsertChar(c));
                }
                KeyCode::Backspace => {
                    fresh[*focus] = false;
                    let input = if *focus == 0 { safety } else { max };
                    input.handle(InputRequest::DeletePrevChar);
                }
                _ => {}
            },
            Mode::FromUse {
                changes,
                replace_manual,
                sel,
            } => match ev.code {
                KeyCode::Esc => {
                    self.mode = Mode::List;
                    self.message = None;
                }
                KeyCode::Char('r') | KeyCode::Char('R') if plain => {
                    let replace = !*replace_manual;
                    self.preview(cx, replace);
                }
                KeyCode::Enter => self.apply(cx),
                code => {
                    let n = changes.len();
                    list_key(sel, code, n);
                }
            },
        }
        Done::Stay
    }

    /// Opens the selected item's levels to edit.
    fn edit(&mut self, cx: &mut Ctx) {
        if !self.may(cx) {
            return;
        }
        let Some(row) = self.rows.get(self.sel.selected) else {
            return;
        };
        let value = |v: Option<i64>| Input::default().with_value(v.unwrap_or(0).to_string());
        self.mode = Mode::Edit {
            safety: value(row.safety_stock),
            max: value(row.max_stock),
            focus: 0,
            fresh: [true, true],
        };
        self.message = None;
    }

    /// Sets the edited levels, by hand.
    fn save(&mut self, cx: &mut Ctx) {
        let Mode::Edit { safety, max, .. } = &self.mode else {
            return;
        };
        let (Some(row), Some(actor)) =
            (self.rows.get(self.sel.selected).cloned(), cx.actor.clone())
        else {
            return;
        };
        let number = |input: &Input, label: &str| -> Result<i64, String> {
            let v = input.value().trim();
            v.parse::<i64>()
                .map_err(|_| t!("tui.form.not_a_number", label = label, value = v))
        };
        let values = number(safety, t!("levels.col.safety"))
            .and_then(|s| number(max, t!("levels.col.max")).map(|m| (s, m)));
        let (s, m) = match values {
            Ok(v) => v,
            Err(e) => {
                self.message = Some((Level::Error, e));
                return;
            }
        };
        match crate::ops::stock::set_levels_at(
            &mut cx.store,
            &actor,
            cx.now,
            &self.place,
            &row.item,
            s,
            m,
        ) {
            Ok(l) => {
                cx.local_writes += 1;
                self.mode = Mode::List;
                self.read(cx);
                let msg = t!(
                    "levels.done.set",
                    item = row.item.name,
                    place = self.place.code,
                    safety = num(l.safety_stock),
                    max = num(l.max_stock)
                );
                self.say(cx, Level::Info, msg);
            }
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    /// What setting levels from use would change, item by item.
    fn preview(&mut self, cx: &mut Ctx, replace_manual: bool) {
        if !self.may(cx) {
            return;
        }
        let Some(actor) = cx.actor.clone() else {
            return;
        };
        let how = FromUse {
            replace_manual,
            ..FROM_USE
        };
        match crate::ops::stock::levels_from_use(&mut cx.store, &actor, cx.now, &self.place, how) {
            Ok(changes) => {
                self.mode = Mode::FromUse {
                    changes,
                    replace_manual,
                    sel: ListState::default(),
                };
                self.message = None;
            }
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    /// Writes the levels from use that the preview showed.
    fn apply(&mut self, cx: &mut Ctx) {
        let Mode::FromUse { replace_manual, .. } = &self.mode else {
            return;
        };
        let Some(actor) = cx.actor.clone() else {
            return;
        };
        let how = FromUse {
            apply: true,
            replace_manual: *replace_manual,
            ..FROM_USE
        };
        match crate::ops::stock::levels_from_use(&mut cx.store, &actor, cx.now, &self.place, how) {
            Ok(changes) => {
                cx.local_writes += 1;
                self.mode = Mode::List;
                self.read(cx);
                let msg = t!(
                    "levels.done.from_use",
                    n = changes.iter().filter(|c| c.changed()).count(),
                    kept = changes.iter().filter(|c| c.kept_manual).count(),
                    place = self.place.code
                );
                self.say(cx, Level::Info, msg);
            }
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        // Below the title line, over the tab and its key bar: the box says its own keys.
        let r = Rect {
            y: area.y + 1.min(area.height),
            height: area.height.saturating_sub(1),
            ..area
        };
        clear(f, r);
        let title = match &self.mode {
            Mode::FromUse { .. } => t!(
                "levels.title_from_use",
                place = self.place.name,
                days = FROM_USE.window_days
            ),
            _ => t!("levels.title", place = self.place.name),
        };
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            fit(&title, r.width.saturating_sub(4) as usize)
        ));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [table, bottom] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(4)]).areas(inner);
        match &self.mode {
            Mode::FromUse {
                changes,
                replace_manual,
                sel,
            } => {
                self.draw_preview(f, table, changes, sel, theme);
                let hint = if *replace_manual {
                    t!("levels.keys.preview_replacing")
                } else {
                    t!("levels.keys.preview_keeping")
                };
                self.draw_bottom(f, bottom, None, hint, theme);
            }
            Mode::Edit {
                safety, max, focus, ..
            } => {
                self.draw_list(f, table, theme);
                let row = self.rows.get(self.sel.selected);
                let field = |label: &str, input: &Input, on: bool| {
                    format!("{label} [{}{}]", input.value(), if on { "▏" } else { "" })
                };
                let form = format!(
                    "{}: {}   {}",
                    row.map_or("", |r| r.item.name.as_str()),
                    field(t!("levels.col.safety"), safety, *focus == 0),
                    field(t!("levels.col.max"), max, *focus == 1)
                );
                self.draw_bottom(f, bottom, Some(form), t!("levels.keys.edit"), theme);
            }
            Mode::List => {
                self.draw_list(f, table, theme);
                self.draw_bottom(f, bottom, None, t!("levels.keys.list"), theme);
            }
        }
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let cols = [
            Column::new(t!("tui.col.item"), W::Fill(16)),
            Column::new(t!("levels.col.on_hand"), W::Whole),
            Column::new(t!("levels.col.safety"), W::Whole),
            Column::new(t!("levels.col.max"), W::Whole),
            Column::new(t!("levels.col.set"), W::Fit { min: 8, max: 34 }),
        ];
        let rows = &self.rows;
        visible_table(f, area, theme, &cols, rows.len(), Some(&self.sel), |i| {
            let r = &rows[i];
            let level = |v: Option<i64>| v.map(num).unwrap_or_else(|| "–".into());
            vec![
                TCell::name(r.item.name.clone()),
                TCell::right(num(r.on_hand)),
                TCell::right(level(r.safety_stock)),
                TCell::right(level(r.max_stock)),
                TCell::from(how_set(r)),
            ]
        });
        if rows.is_empty() {
            crate::tui::widgets::note_at(f, area, 1, t!("levels.none"), theme.dim());
        }
    }

    fn draw_preview(
        &self,
        f: &mut Frame,
        area: Rect,
        changes: &[LevelChange],
        sel: &ListState,
        theme: &Theme,
    ) {
        let cols = [
            Column::new(t!("tui.col.item"), W::Fill(16)),
            Column::new(t!("levels.col.use"), W::Whole),
            Column::new(t!("levels.col.old"), W::Whole),
            Column::new(t!("levels.col.new"), W::Whole),
            Column::new(t!("levels.col.note"), W::Fit { min: 6, max: 20 }),
        ];
        visible_table(f, area, theme, &cols, changes.len(), Some(sel), |i| {
            let c = &changes[i];
            let old = match (c.old_safety, c.old_max) {
                (Some(s), Some(m)) => format!("{}/{}", num(s), num(m)),
                _ => "–".into(),
            };
            let (note, style) = if c.kept_manual {
                (t!("levels.kept_manual"), theme.warn())
            } else if c.changed() {
                (t!("levels.changes"), theme.info())
            } else {
                (t!("levels.same"), theme.dim())
            };
            vec![
                TCell::name(c.item_name.clone()),
                TCell::right(crate::domain::milli_text(c.daily_use_milli)),
                TCell::right(old),
                TCell::right(format!("{}/{}", num(c.safety_stock), num(c.max_stock))),
                TCell::styled(note, style),
            ]
        });
        if changes.is_empty() {
            crate::tui::widgets::note_at(f, area, 1, t!("levels.no_use"), theme.dim());
        }
    }

    fn draw_bottom(
        &self,
        f: &mut Frame,
        area: Rect,
        form: Option<String>,
        keys: &str,
        theme: &Theme,
    ) {
        let w = area.width.saturating_sub(1) as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(form) = form {
            lines.push(Line::styled(format!(" {}", fit(&form, w)), theme.header()));
        }
        if let Some((level, msg)) = &self.message {
            let style = match level {
                Level::Error => theme.error(),
                Level::Warn => theme.warn(),
                Level::Info => theme.info(),
            };
            let room = 3usize.saturating_sub(lines.len()).max(1);
            for part in wrap_max(msg, w, room) {
                lines.push(Line::styled(format!(" {part}"), style));
            }
        }
        lines.truncate(3);
        while lines.len() < 3 {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(format!(" {}", fit(keys, w)), theme.dim()));
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// How an item's levels were set, in words: by hand or from use, by whom, when.
fn how_set(r: &LevelRow) -> String {
    let how = match r.source.as_deref() {
        Some("manual") => t!("levels.source.manual"),
        Some("use") => t!("levels.source.use"),
        _ if r.safety_stock.is_some() => t!("levels.source.unknown"),
        _ => return "–".into(),
    };
    let mut s = how.to_string();
    if let Some(by) = &r.set_by {
        s.push_str(&format!(" · {by}"));
    }
    if let Some(at) = r.set_at {
        s.push_str(&format!(" {}", when(at)));
    }
    s
}

/// Arrows, pages and ends in a list.
fn list_key(sel: &mut ListState, code: KeyCode, len: usize) {
    use crate::tui::keymap::Action;
    let action = match code {
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home => Action::Top,
        KeyCode::End => Action::Bottom,
        _ => return,
    };
    sel.act(action, len);
}
