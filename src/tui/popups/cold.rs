//! The cold chain of the place shown (from the operations menu of a cold
//! item on Ward stock): each fridge, freezer and cold room with its range,
//! last reading, state and the lots held there; the selected one's readings
//! of the last two days as a chart against its range; and a reading typed
//! and entered on the round. Read when opened and after each reading;
//! drawing never touches the database.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};

use super::Done;
use super::cold_decide::{self, Deciding, Step};
use crate::domain::cold::celsius_text;
use crate::i18n::cold::{celsius, state};
use crate::ops::cold::{self, ColdState, LocationStatus, StoredReading};
use crate::t;
use crate::tui::component::{Ctx, Level, ListState};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, clear, fit, visible_table};

/// The hours of readings the chart shows, up to now.
const CHART_HOURS: i64 = 48;

#[derive(Debug, Clone)]
pub struct ColdView {
    pub place: String,
    pub rows: Vec<LocationStatus>,
    pub sel: ListState,
    /// The selected location's readings shown on the chart.
    pub readings: Vec<StoredReading>,
    pub since: DateTime<Utc>,
    /// The temperature being typed.
    pub input: String,
    pub message: Option<(Level, String)>,
    /// The held lot selected (of the selected location).
    pub lot: usize,
    /// Whether the signed-in user decides on held lots (a pharmacist).
    pub may_decide: bool,
    /// A release or disposal being typed on the selected held lot.
    pub deciding: Option<Deciding>,
}

impl ColdView {
    /// The cold locations of the place shown.
    pub fn open(cx: &mut Ctx) -> Option<ColdView> {
        let place = cx.current_place()?.code.clone();
        ColdView::open_at(cx, place)
    }

    /// The cold locations of `place` (from a warning of stock held there).
    pub fn open_at(cx: &mut Ctx, place: String) -> Option<ColdView> {
        let mut v = ColdView {
            place,
            rows: Vec::new(),
            sel: ListState::default(),
            readings: Vec::new(),
            since: cx.now,
            input: String::new(),
            message: None,
            lot: 0,
            may_decide: cx.may(crate::domain::roles::Operation::ColdDecision),
            deciding: None,
        };
        if let Err(e) = v.load(cx) {
            cx.say(Level::Error, e);
            return None;
        }
        // Where stock is held first, else the first fridge.
        let first = v
            .rows
            .iter()
            .position(|r| !r.held.is_empty())
            .or_else(|| v.rows.iter().position(|r| r.location.kind == "fridge"));
        if let Some(i) = first.filter(|i| *i > 0) {
            v.sel.move_by(i as isize, v.rows.len());
            if let Err(e) = v.load_readings(cx) {
                cx.say(Level::Error, e);
            }
        }
        Some(v)
    }

    fn load(&mut self, cx: &Ctx) -> Result<(), String> {
        self.rows =
            cold::status(&cx.store.conn, Some(&self.place), cx.now).map_err(|e| e.to_string())?;
        self.sel.move_by(0, self.rows.len());
        self.clamp_lot();
        self.load_readings(cx)
    }

    fn load_readings(&mut self, cx: &Ctx) -> Result<(), String> {
        self.readings.clear();
        let Some(row) = self.rows.get(self.sel.selected) else {
            return Ok(());
        };
        // The two days up to now, or up to the last reading if older.
        let end = match &row.last {
            Some(l) if l.reading.at < cx.now - Duration::hours(CHART_HOURS) => l.reading.at,
            _ => cx.now,
        };
        self.since = end - Duration::hours(CHART_HOURS);
        let log = cold::log(
            &cx.store.conn,
            &row.location.label(),
            Some(self.since),
            None,
        )
        .map_err(|e| e.to_string())?;
        self.readings = log.readings;
        Ok(())
    }

    fn record(&mut self, cx: &mut Ctx) {
        let Some(row) = self.rows.get(self.sel.selected) else {
            return;
        };
        let Some(actor) = cx.actor.clone() else {
            return;
        };
        let label = row.location.label();
        let reading = cold::HandReading {
            current: &self.input,
            min: None,
            max: None,
            at: None,
        };
        let now = cx.now;
        match cold::record_reading(&mut cx.store, &actor, now, &label, &reading) {
            Ok(done) => {
                cx.local_writes += 1;
                let held: usize = done.raised.iter().map(|r| r.held.len()).sum();
                let msg = if done.raised.iter().any(|r| r.new) {
                    (
                        Level::Error,
                        t!("cold.tui.excursion", location = label, lots = held),
                    )
                } else {
                    (
                        Level::Info,
                        t!(
                            "cold.tui.recorded",
                            location = label,
                            t = celsius(
                                crate::domain::cold::parse_celsius(&self.input).unwrap_or(0)
                            )
                        ),
                    )
                };
                self.input.clear();
                self.message = Some(msg);
                if let Err(e) = self.load(cx) {
                    self.message = Some((Level::Error, e));
                }
            }
            Err(e) => self.message = Some((Level::Warn, e.to_string())),
        }
    }

    /// The lots held at the selected location.
    fn held(&self) -> &[crate::ops::cold::HeldLot] {
        self.rows
            .get(self.sel.selected)
            .map_or(&[][..], |r| r.held.as_slice())
    }

    fn clamp_lot(&mut self) {
        self.lot = self.lot.min(self.held().len().saturating_sub(1));
    }

    /// Starts releasing or disposing of the selected held lot.
    fn decide(&mut self, cx: &Ctx, decision: crate::ops::cold::Decision) {
        let Some(hold) = self.held().get(self.lot).cloned() else {
            self.message = Some((Level::Warn, t!("cold.tui.held_none").into()));
            return;
        };
        match cold_decide::start(cx, &hold, decision) {
            Ok(d) => {
                self.input.clear();
                self.message = None;
                self.deciding = Some(d);
            }
            Err(e) => self.message = Some((Level::Warn, e)),
        }
    }

    /// A key while a decision is typed.
    fn decision_key(&mut self, ev: KeyEvent, cx: &mut Ctx) {
        let Some(d) = self.deciding.as_mut() else {
            return;
        };
        match d.key(ev) {
            Ok(Step::Stay) => {}
            Ok(Step::Back) => {
                self.deciding = None;
                self.message = Some((Level::Info, t!("tui.form.cancelled").into()));
            }
            Ok(Step::Run) => match d.run(cx) {
                Ok(msg) => {
                    self.deciding = None;
                    self.message = Some(msg);
                    if let Err(e) = self.load(cx) {
                        self.message = Some((Level::Error, e));
                    }
                }
                Err(e) => {
                    d.confirm = false;
                    self.message = Some((Level::Warn, e));
                }
            },
            Err(e) => self.message = Some((Level::Warn, e)),
        }
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &mut Ctx) -> Done {
        if self.deciding.is_some() {
            self.decision_key(ev, cx);
            return Done::Stay;
        }
        let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        match ev.code {
            KeyCode::Esc if !self.input.is_empty() => self.input.clear(),
            KeyCode::Esc => return Done::Close,
            KeyCode::Enter if !self.input.is_empty() => self.record(cx),
            KeyCode::Tab => {
                let n = self.held().len().max(1);
                self.lot = (self.lot + 1) % n;
            }
            KeyCode::BackTab => {
                let n = self.held().len().max(1);
                self.lot = (self.lot + n - 1) % n;
            }
            KeyCode::F(5) => self.decide(cx, crate::ops::cold::Decision::Release),
            KeyCode::F(8) => self.decide(cx, crate::ops::cold::Decision::Dispose),
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Char(c)
                if plain
                    && self.input.len() < 8
                    && (c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')) =>
            {
                self.input.push(c);
            }
            KeyCode::Up | KeyCode::Down | KeyCode::Home | KeyCode::End => {
                let action = match ev.code {
                    KeyCode::Up => crate::tui::keymap::Action::Up,
                    KeyCode::Down => crate::tui::keymap::Action::Down,
                    KeyCode::Home => crate::tui::keymap::Action::Top,
                    _ => crate::tui::keymap::Action::Bottom,
                };
                let before = self.sel.selected;
                self.sel.act(action, self.rows.len());
                if self.sel.selected != before {
                    self.lot = 0;
                    if let Err(e) = self.load_readings(cx) {
                        self.message = Some((Level::Error, e));
                    }
                }
            }
            _ => {}
        }
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        clear(f, area);
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            fit(
                &t!("cold.tui.title", place = self.place),
                area.width.saturating_sub(4) as usize
            )
        ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let list_h = (self.rows.len() as u16 + 1).clamp(2, 7);
        let held_n = self
            .rows
            .get(self.sel.selected)
            .map_or(0, |r| r.held.len().max(1)) as u16;
        let decide_h = u16::from(!self.held().is_empty() && self.deciding.is_none());
        let [list, held, chart, input, msg, decide_keys, keys] = Layout::vertical([
            Constraint::Length(list_h),
            Constraint::Length(held_n.min(4)),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(decide_h),
            Constraint::Length(1),
        ])
        .areas(inner);
        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    fit(t!("cold.cli.no_locations"), w),
                    theme.dim(),
                )),
                list,
            );
        } else {
            let cols = [
                Column::new(t!("cold.col.location"), W::Fill(10)),
                Column::new(t!("cold.col.range"), W::Whole).optional(2),
                Column::new(t!("cold.col.last"), W::Whole),
                Column::new(t!("cold.col.at"), W::Whole).optional(3),
                Column::new(t!("cold.col.state"), W::Fit { min: 6, max: 22 }),
                Column::new(t!("cold.col.held"), W::Whole),
            ];
            let rows = &self.rows;
            visible_table(f, list, theme, &cols, rows.len(), Some(&self.sel), |i| {
                let s = &rows[i];
                let r = &s.location.rules;
                let st = match s.state {
                    ColdState::Ok => TCell::from(state(s.state)),
                    ColdState::NoReadings => TCell::styled(state(s.state), theme.dim()),
                    _ => TCell::styled(state(s.state), theme.error()),
                };
                vec![
                    TCell::from(format!("{} {}", s.location.code, s.location.name)),
                    TCell::from(format!(
                        "{}–{}",
                        celsius_text(r.min_tenths),
                        celsius(r.max_tenths)
                    )),
                    TCell::right(
                        s.last
                            .as_ref()
                            .map(|l| celsius(l.reading.current))
                            .unwrap_or_else(|| "-".into()),
                    ),
                    TCell::from(
                        s.last
                            .as_ref()
                            .map(|l| crate::i18n::datetime_short(crate::i18n::local(l.reading.at)))
                            .unwrap_or_else(|| "-".into()),
                    ),
                    st,
                    if s.held.is_empty() {
                        TCell::right("-")
                    } else {
                        TCell::styled(crate::i18n::num(s.held.len() as i64), theme.error())
                    },
                ]
            });
        }
        if let Some(row) = self.rows.get(self.sel.selected) {
            let off = self.lot.saturating_sub(3);
            let mut lines: Vec<Line> = row
                .held
                .iter()
                .enumerate()
                .skip(off)
                .take(4)
                .map(|(i, h)| {
                    let style = if i == self.lot {
                        theme
                            .error()
                            .add_modifier(ratatui::style::Modifier::REVERSED)
                    } else {
                        theme.error()
                    };
                    Line::styled(
                        fit(
                            &t!(
                                "cold.tui.held",
                                item = h.item_code,
                                lot = h.lot,
                                qty = crate::i18n::num(h.qty),
                                minutes = h.minutes,
                                peak = crate::i18n::cold::celsius_opt(h.peak_tenths)
                            ),
                            w,
                        ),
                        style,
                    )
                })
                .collect();
            if lines.is_empty() {
                lines.push(Line::styled(fit(t!("cold.tui.held_none"), w), theme.dim()));
            }
            f.render_widget(Paragraph::new(lines), held);
            match &self.deciding {
                Some(d) => d.draw(f, chart, theme),
                None => self.draw_chart(f, chart, row, theme),
            }
        }
        let prompt = t!(
            "cold.tui.prompt",
            location = self
                .rows
                .get(self.sel.selected)
                .map(|r| r.location.code.clone())
                .unwrap_or_default(),
            t = self.input
        );
        if self.deciding.is_none() {
            f.render_widget(
                Paragraph::new(Line::styled(fit(&prompt, w), theme.title())),
                input,
            );
        }
        if let Some((level, text)) = &self.message {
            let style = match level {
                Level::Info => theme.dim(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            f.render_widget(Paragraph::new(Line::styled(fit(text, w), style)), msg);
        }
        if decide_h > 0 {
            let words = if self.may_decide {
                t!("console_resilience.cold.keys_decide")
            } else {
                t!("console_resilience.cold.keys_nurse")
            };
            f.render_widget(
                Paragraph::new(Line::styled(fit(words, w), theme.warn())),
                decide_keys,
            );
        }
        let keys_words = match &self.deciding {
            Some(d) => d.keys(),
            None => t!("cold.tui.keys"),
        };
        f.render_widget(
            Paragraph::new(Line::styled(fit(keys_words, w), theme.dim())),
            keys,
        );
    }

    fn draw_chart(&self, f: &mut Frame, area: Rect, row: &LocationStatus, theme: &Theme) {
        if area.height < 5 || area.width < 24 {
            return;
        }
        if self.readings.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    fit(t!("cold.cli.no_readings"), area.width as usize),
                    theme.dim(),
                )),
                area,
            );
            return;
        }
        let r = &row.location.rules;
        let x = |t: DateTime<Utc>| (t - self.since).num_minutes() as f64 / 60.0;
        let deg = |tenths: i32| tenths as f64 / 10.0;
        let points: Vec<(f64, f64)> = self
            .readings
            .iter()
            .map(|s| (x(s.reading.at), deg(s.reading.current)))
            .collect();
        let out: Vec<(f64, f64)> = self
            .readings
            .iter()
            .filter(|s| r.reading_out(&s.reading))
            .map(|s| {
                (
                    x(s.reading.at),
                    deg(r.worst(&s.reading).unwrap_or(s.reading.current)),
                )
            })
            .collect();
        let span = CHART_HOURS as f64;
        let low = vec![(0.0, deg(r.min_tenths)), (span, deg(r.min_tenths))];
        let high = vec![(0.0, deg(r.max_tenths)), (span, deg(r.max_tenths))];
        let values = self.readings.iter().flat_map(|s| {
            [Some(s.reading.current), s.reading.min, s.reading.max]
                .into_iter()
                .flatten()
        });
        let lo = values
            .clone()
            .min()
            .unwrap_or(r.min_tenths)
            .min(r.min_tenths)
            - 20;
        let hi = values.max().unwrap_or(r.max_tenths).max(r.max_tenths) + 20;
        let local = |h: f64| {
            let t = self.since + Duration::minutes((h * 60.0) as i64);
            crate::i18n::datetime_short(crate::i18n::local(t))
        };
        let chart = Chart::new(vec![
            Dataset::default()
                .name(t!("cold.tui.series"))
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.title())
                .data(&points),
            Dataset::default()
                .name(t!("cold.tui.range"))
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.dim())
                .data(&low),
            Dataset::default()
                .graph_type(GraphType::Line)
                .marker(ratatui::symbols::Marker::Braille)
                .style(theme.dim())
                .data(&high),
            Dataset::default()
                .name(t!("cold.tui.out"))
                .graph_type(GraphType::Scatter)
                .marker(ratatui::symbols::Marker::Dot)
                .style(theme.error())
                .data(&out),
        ])
        .x_axis(Axis::default().bounds([0.0, span]).labels(vec![
            Line::from(local(0.0)),
            Line::from(local(span / 2.0)),
            Line::from(local(span)),
        ]))
        .y_axis(Axis::default().bounds([deg(lo), deg(hi)]).labels(vec![
            Line::from(celsius_text(lo)),
            Line::from(celsius_text((lo + hi) / 2)),
            Line::from(celsius_text(hi)),
        ]));
        f.render_widget(chart, area);
    }
}
