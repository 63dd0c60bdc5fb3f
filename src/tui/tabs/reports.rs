//! The Reports tab (7), for those who are asked for reports (the nurse
//! manager, the pharmacist, the storekeeper, the administrator): a report
//! or chart chosen, its period, place and own option set, run in the
//! background while the console answers; its sheets read as tables (Tab
//! or ←/→ between them, → for the columns that do not fit), a chart drawn,
//! and the report shown exported to the user's export folder.

mod chart;
mod run;
mod setup;
mod view;

use std::cell::Cell;
use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

pub use chart::ChartData;
pub use run::{Shown, compute, export, export_dir};
pub use setup::{Kind, Params, Quick, Row, Setup};
pub use view::SheetText;

use crate::domain::Role;
use crate::ops::reports::series::{self, ItemName};
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg};
use crate::tui::job::Polled;
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{draw_lines, fit, wrap_max};

/// Whether a user of `role` is asked for reports (a ward nurse is not).
pub fn for_role(role: Role) -> bool {
    matches!(
        role,
        Role::NurseManager | Role::Pharmacist | Role::Storekeeper | Role::Admin
    )
}

/// What the background job gives.
pub type Ran = Result<Box<Shown>, String>;

#[derive(Debug, Default)]
pub struct ReportsTab {
    pub setup: Setup,
    /// The formulary, for naming an item by typing.
    pub items: Vec<ItemName>,
    /// The report last run.
    pub shown: Option<Box<Shown>>,
    /// The report is on the screen (else the settings).
    pub viewing: bool,
    pub sheet: usize,
    /// The first of the columns that scroll.
    pub col: usize,
    pub sel: ListState,
    /// A chart's drawing rather than its numbers.
    pub chart: bool,
    /// The report being run.
    pub running: Option<Kind>,
    /// Where exports go (`None`: [`export_dir`]).
    pub export_dir: Option<PathBuf>,
    /// The console's place the settings last followed.
    place_id: Option<i64>,
    /// The table's width when last drawn.
    table_w: Cell<u16>,
}

impl ReportsTab {
    /// Reads what choosing needs; the place follows the console's.
    pub fn load(&mut self, cx: &mut Ctx) -> rusqlite::Result<()> {
        if self.items.is_empty() {
            self.items = series::item_names(&cx.store.conn)?;
        }
        let here = cx.current_place().map(|p| p.id);
        if here != self.place_id {
            self.place_id = here;
            self.setup.place = if here.is_some() { cx.place + 1 } else { 0 };
        }
        self.setup.place = self.setup.place.min(cx.places.len());
        if self.setup.from.value().is_empty() {
            let q = self.setup.quick;
            self.setup.set_quick(q, cx.today());
        }
        // A report in another language is written again in the reader's.
        if let Some(s) = &self.shown
            && s.lang != crate::i18n::lang()
            && self.running.is_none()
        {
            let p = s.params.clone();
            self.run(cx, p);
        }
        Ok(())
    }

    /// Runs a report: on its own thread and connection when the terminal
    /// runs, so keys stay answered; the newest request wins.
    pub fn run(&mut self, cx: &mut Ctx, p: Params) {
        self.running = Some(p.kind);
        let now = cx.now;
        if cx.jobs.background {
            cx.say(
                Level::Info,
                t!("reports_screen.running", report = p.kind.name()),
            );
            let path = cx.store.path().to_path_buf();
            cx.jobs.report.spawn(true, move |_| {
                crate::store::Store::open(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|s| compute(&s.conn, &p, now))
                    .map(Box::new)
            });
        } else {
            let r = compute(&cx.store.conn, &p, now).map(Box::new);
            cx.jobs.report.spawn(false, move |_| r);
        }
    }

    /// What the report job gives.
    pub fn polled(&mut self, cx: &mut Ctx, p: Polled<Ran, ()>) {
        match p {
            Polled::Done(Ok(s)) => {
                self.running = None;
                let rows: usize = s.texts.iter().map(|t| t.rows.len()).sum();
                cx.say(
                    Level::Info,
                    t!(
                        "reports_screen.ready",
                        report = s.params.kind.name(),
                        rows = crate::i18n::num(rows as i64),
                        ms = s.millis
                    ),
                );
                let same = self
                    .shown
                    .as_ref()
                    .is_some_and(|old| old.params == s.params);
                self.chart = s.chart.is_some() && (!same || self.chart);
                if !same {
                    self.sheet = 0;
                    self.col = s.texts.first().map_or(0, SheetText::first_scrolled);
                    self.sel.reset();
                }
                self.sheet = self.sheet.min(s.texts.len().saturating_sub(1));
                self.shown = Some(s);
                self.viewing = true;
            }
            Polled::Done(Err(e)) => {
                self.running = None;
                cx.say(Level::Error, t!("reports_screen.failed", error = e));
            }
            Polled::Lost => {
                self.running = None;
                cx.say(Level::Error, t!("reports_screen.lost"));
            }
            Polled::Progress(()) => {}
        }
    }

    /// A pack scanned on the settings of an item's report names its item;
    /// whether it was taken.
    pub fn scanned(&mut self, cx: &mut Ctx, item: &crate::ops::stock::ItemRef) -> bool {
        if self.viewing || self.setup.kind.option() != setup::Opt::Item {
            return false;
        }
        self.setup.item = tui_input::Input::default().with_value(item.code.clone());
        self.setup.row = Row::Option;
        cx.say(
            Level::Info,
            t!("reports_screen.scanned", item = item.code, name = item.name),
        );
        true
    }

    /// Keys typed into the settings' text (days, an item, a number).
    pub fn typed(&mut self, ev: &KeyEvent) -> bool {
        !self.viewing && self.setup.typing() && self.setup.typed(ev)
    }

    fn showing(&self) -> Option<&Shown> {
        self.shown.as_deref().filter(|_| self.viewing)
    }

    fn texts(&self) -> Option<&SheetText> {
        self.showing().and_then(|s| s.texts.get(self.sheet))
    }

    fn turn_sheet(&mut self, step: isize) {
        let Some(n) = self.showing().map(|s| s.texts.len()).filter(|n| *n > 1) else {
            return;
        };
        self.sheet = (self.sheet as isize + step).rem_euclid(n as isize) as usize;
        self.col = self.texts().map_or(0, SheetText::first_scrolled);
        self.sel.reset();
    }

    fn do_export(&mut self, cx: &mut Ctx) {
        let Some(s) = self.showing() else {
            return;
        };
        let Some(dir) = self.export_dir.clone().or_else(export_dir) else {
            cx.say(Level::Error, t!("reports_screen.no_folder"));
            return;
        };
        match export(s, &dir) {
            Ok(files) => {
                let name = |p: &std::path::PathBuf| {
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                cx.say(
                    Level::Info,
                    t!(
                        "reports_screen.exported",
                        dir = dir.display(),
                        file = files.first().map(name).unwrap_or_default(),
                        n = files.len().saturating_sub(1)
                    ),
                );
            }
            Err(e) => cx.say(Level::Error, e),
        }
    }

    fn view_event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        let rows = self.texts().map_or(0, |t| t.rows.len());
        if !self.chart && self.sel.act(action, rows) {
            return Msg::None;
        }
        let w = self.table_w.get() as usize;
        match action {
            Action::Back => self.viewing = false,
            Action::NextSheet => self.turn_sheet(1),
            Action::PrevSheet => self.turn_sheet(-1),
            Action::ColumnsRight => match self.texts().and_then(|t| t.next_page(self.col, w)) {
                Some(c) if !self.chart => self.col = c,
                _ => self.turn_sheet(1),
            },
            Action::ColumnsLeft => match self.texts().and_then(|t| t.prev_page(self.col, w)) {
                Some(c) if !self.chart => self.col = c,
                _ => self.turn_sheet(-1),
            },
            Action::Chart if self.showing().is_some_and(|s| s.chart.is_some()) => {
                self.chart = !self.chart
            }
            Action::Export => self.do_export(cx),
            _ => {}
        }
        Msg::None
    }

    fn draw_view(&self, f: &mut Frame, area: Rect, s: &Shown, cx: &Ctx, theme: &Theme) {
        let w = area.width as usize;
        let mut head = vec![Line::styled(fit(&s.report.title, w), theme.header())];
        if self.chart && s.chart.is_some() {
            if let Some(k) = self.running {
                head.push(Line::styled(
                    fit(&t!("reports_screen.running", report = k.name()), w),
                    theme.warn(),
                ));
            }
            let [top, body] =
                Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)])
                    .areas(area);
            draw_lines(f, top, head);
            if let Some(c) = &s.chart {
                chart::draw(f, body, c, theme);
            }
            return;
        }
        let Some((sheet, texts)) = s.report.sheets.get(self.sheet).zip(s.texts.get(self.sheet))
        else {
            draw_lines(f, area, head);
            return;
        };
        // The sheets by name, the one shown marked; the columns hidden.
        let mut tabs: Vec<Span> = Vec::new();
        if s.report.sheets.len() > 1 {
            for (i, sh) in s.report.sheets.iter().enumerate() {
                let style = if i == self.sheet {
                    theme.tab_active()
                } else {
                    theme.tab()
                };
                tabs.push(Span::styled(format!(" {} ", sh.name), style));
                tabs.push(Span::raw(" "));
            }
        }
        let left = texts.prev_page(self.col, w).is_some();
        let right = texts.more_right(self.col, w);
        if left || right {
            let keys = format!(
                "{}/{}",
                cx.keys(Context::ReportView, Action::ColumnsLeft),
                cx.keys(Context::ReportView, Action::ColumnsRight)
            );
            let shown_cols = texts.layout(self.col, w);
            let scrolled: Vec<usize> = shown_cols
                .iter()
                .map(|(i, _)| *i)
                .filter(|i| *i >= texts.first_scrolled())
                .collect();
            tabs.push(Span::styled(
                t!(
                    "reports_screen.columns",
                    from = scrolled.first().map_or(0, |i| i + 1),
                    to = scrolled.last().map_or(0, |i| i + 1),
                    of = texts.widths.len(),
                    keys = keys
                ),
                theme.dim(),
            ));
        }
        if let Some(k) = self.running {
            tabs.push(Span::styled(
                format!(" {}", t!("reports_screen.running", report = k.name())),
                theme.warn(),
            ));
        }
        if !tabs.is_empty() {
            head.push(crate::tui::widgets::fit_line(Line::from(tabs), w));
        }
        if !sheet.title.is_empty() {
            head.push(Line::styled(fit(&sheet.title, w), theme.dim()));
        }
        let notes: Vec<Line> = sheet
            .notes
            .iter()
            .flat_map(|n| wrap_max(n, w, 2))
            .take(2)
            .map(|l| Line::styled(l, theme.dim()))
            .collect();
        let empty = texts.rows.is_empty();
        let [top, table, foot] = Layout::vertical([
            Constraint::Length(head.len() as u16),
            Constraint::Min(2),
            Constraint::Length(notes.len() as u16 + u16::from(empty)),
        ])
        .areas(area);
        draw_lines(f, top, head);
        self.table_w.set(table.width);
        view::draw_table(f, table, texts, self.col, &self.sel, theme);
        let mut foot_lines = Vec::new();
        if empty {
            foot_lines.push(Line::styled(
                fit(t!("reports_screen.no_rows"), w),
                theme.dim(),
            ));
        }
        foot_lines.extend(notes);
        draw_lines(f, foot, foot_lines);
    }
}

impl Component for ReportsTab {
    fn contexts(&self) -> Vec<Context> {
        if self.showing().is_some() {
            vec![Context::ReportView, Context::Global]
        } else {
            vec![Context::Reports, Context::Global]
        }
    }

    fn offers(&self, action: Action, _cx: &Ctx) -> bool {
        if let Some(s) = self.showing() {
            return match action {
                Action::NextSheet => s.texts.len() > 1,
                Action::PrevSheet | Action::ColumnsLeft => false,
                Action::Chart => s.chart.is_some(),
                Action::ColumnsRight => {
                    !self.chart
                        && (s.texts.len() > 1
                            || self.texts().is_some_and(|t| {
                                t.more_right(self.col, self.table_w.get() as usize)
                            }))
                }
                a => !super::TAB_ACTIONS.contains(&a) || a == Action::Chart,
            };
        }
        match action {
            Action::PrevChoice => false,
            Action::NextChoice => !self.setup.typing(),
            Action::Back => self.shown.is_some(),
            Action::Open => true,
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn describe(&self, action: Action, _cx: &Ctx) -> Option<String> {
        match action {
            Action::Back if !self.viewing => Some(t!("reports_screen.key.last_result").into()),
            Action::Chart if self.chart => Some(t!("reports_screen.key.table").into()),
            _ => None,
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.showing().is_some() {
            return self.view_event(action, cx);
        }
        match action {
            Action::Up => self.setup.move_row(-1),
            Action::Down => self.setup.move_row(1),
            Action::PrevChoice => self.setup.change(-1, cx),
            Action::NextChoice => self.setup.change(1, cx),
            Action::Back if self.shown.is_some() => self.viewing = true,
            Action::Open => match self.setup.params(cx, &self.items) {
                Ok(p) => self.run(cx, p),
                Err(e) => cx.say(Level::Warn, e),
            },
            _ => {}
        }
        Msg::None
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        match self.showing() {
            Some(s) => self.draw_view(f, area, s, cx, theme),
            None => self
                .setup
                .draw(f, area, cx, &self.items, self.running, theme),
        }
    }
}
