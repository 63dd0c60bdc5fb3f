//! The Site tab (6), for those who keep the site: the administrator's list
//! of users (add, change name or role, reset a PIN, unlock, deactivate or
//! reactivate), how much reference data the site holds and how to add more,
//! and the import of a spreadsheet — checked first as a dry run (counts and
//! the first bad rows with their line and column), written only when
//! confirmed. A pharmacist sees it for the opening stock import. Every
//! change goes through the same operations as the command line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use crate::domain::Role;
use crate::i18n::num;
use crate::ops::import::{self, ImportError, Kind as ImportKind, RowProblem, Summary};
use crate::ops::refdata as ops;
use crate::store::queries::{self, UserListRow};
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg};
use crate::tui::forms::admin::{Confirm, Confirming, ImportStart, UserAdd, UserEdit, role_word};
use crate::tui::forms::{Form, Kind};
use crate::tui::job::Polled;
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Column, TCell, W, fit, line, visible_table, wrap};

/// How many reference records the site holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub places: usize,
    pub locations: usize,
    pub items: usize,
    pub suppliers: usize,
    pub patients: i64,
}

/// What an import came to.
#[derive(Debug)]
pub enum Outcome {
    /// Checked (a dry run) or written: the counts.
    Done(Summary),
    /// Bad rows: nothing was (or would be) written.
    Rows(Vec<RowProblem>),
    /// The file as a whole was refused (not allowed, unreadable, columns
    /// missing), in words.
    Refused(String),
}

/// An import run by the background job.
#[derive(Debug)]
pub struct ImportRun {
    pub dry_run: bool,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Phase {
    Checking,
    Checked(Outcome),
    Writing,
    Written(Outcome),
}

/// The import shown on the tab, from the dry run to the write.
#[derive(Debug)]
pub struct Preview {
    pub kind: ImportKind,
    pub path: String,
    pub phase: Phase,
    pub scroll: usize,
}

impl Preview {
    /// Whether the dry run found nothing wrong: it may be written.
    pub fn writable(&self) -> bool {
        matches!(self.phase, Phase::Checked(Outcome::Done(_)))
    }

    /// How far the outcome scrolls: about one line per bad row or new PIN.
    fn max_scroll(&self) -> usize {
        match &self.phase {
            Phase::Checked(Outcome::Rows(r)) | Phase::Written(Outcome::Rows(r)) => r.len(),
            Phase::Written(Outcome::Done(s)) => s.new_pins.len(),
            _ => 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct SiteTab {
    pub users: Vec<UserListRow>,
    pub sel: ListState,
    pub counts: Counts,
    pub preview: Option<Preview>,
}

/// Reads and imports a file (on whatever connection it is given).
fn run(
    store: &mut crate::store::Store,
    actor: &crate::ops::Actor,
    kind: ImportKind,
    path: &str,
    dry_run: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> ImportRun {
    let outcome = match std::fs::read(path) {
        Err(e) => Outcome::Refused(t!("import.cli.read", path = path, why = e)),
        Ok(bytes) => match import::import(store, actor, kind, &bytes, dry_run, now) {
            Ok(s) => Outcome::Done(s),
            Err(ImportError::Rows(rows)) => Outcome::Rows(rows),
            Err(e) => Outcome::Refused(e.to_string()),
        },
    };
    ImportRun { dry_run, outcome }
}

impl SiteTab {
    fn is_admin(cx: &Ctx) -> bool {
        cx.actor.as_ref().is_some_and(|a| a.role == Role::Admin)
    }

    pub fn load(&mut self, cx: &mut Ctx) -> rusqlite::Result<()> {
        let conn = &cx.store.conn;
        self.users = if Self::is_admin(cx) {
            queries::user_list(conn)?
        } else {
            Vec::new()
        };
        self.sel.clamp(self.users.len());
        self.counts = Counts {
            // The place for goods in transit is not one the site keeps.
            places: queries::place_records(conn)?
                .iter()
                .filter(|p| p.kind != "transit")
                .count(),
            locations: queries::location_records(conn, None)?
                .iter()
                .filter(|l| l.closed_at.is_none())
                .count(),
            items: queries::item_records(conn, "")?.len(),
            suppliers: queries::supplier_records(conn)?.len(),
            patients: queries::setup_counts(conn)?.patients,
        };
        Ok(())
    }

    fn selected(&self) -> Option<&UserListRow> {
        self.users.get(self.sel.selected)
    }

    fn locked(u: &UserListRow, cx: &Ctx) -> bool {
        u.locked_until
            .as_deref()
            .and_then(crate::domain::instant_from_text)
            .is_some_and(|t| t > cx.now)
    }

    /// Starts an import: the dry run, or (confirmed) the write. A large
    /// file is read on its own connection while the console answers.
    pub fn start_import(&mut self, cx: &mut Ctx, kind: ImportKind, path: String, dry_run: bool) {
        let Some(actor) = cx.actor.clone() else {
            return;
        };
        self.preview = Some(Preview {
            kind,
            path: path.clone(),
            phase: if dry_run {
                Phase::Checking
            } else {
                Phase::Writing
            },
            scroll: 0,
        });
        let now = cx.now;
        if cx.jobs.background {
            let db = cx.store.path().to_path_buf();
            cx.jobs
                .import
                .spawn(true, move |_| match crate::store::Store::open(&db) {
                    Ok(mut store) => run(&mut store, &actor, kind, &path, dry_run, now),
                    Err(e) => ImportRun {
                        dry_run,
                        outcome: Outcome::Refused(e.to_string()),
                    },
                });
        } else {
            let r = run(&mut cx.store, &actor, kind, &path, dry_run, now);
            cx.jobs.import.spawn(false, move |_| r);
        }
    }

    /// What the import job reports; `true` when data was written.
    pub fn polled(&mut self, cx: &mut Ctx, p: Polled<ImportRun, ()>) -> bool {
        let Some(preview) = self.preview.as_mut() else {
            return false;
        };
        match p {
            Polled::Done(r) => {
                let wrote = !r.dry_run && matches!(r.outcome, Outcome::Done(_));
                let kind = preview.kind.label();
                match (&r.outcome, r.dry_run) {
                    (Outcome::Done(_), true) => {
                        cx.say(Level::Info, t!("tui.site.checked", kind = kind))
                    }
                    (Outcome::Done(s), false) => cx.say(
                        Level::Info,
                        t!(
                            "import.summary",
                            kind = kind,
                            added = s.added,
                            changed = s.changed,
                            unchanged = s.unchanged
                        ),
                    ),
                    (Outcome::Rows(rows), _) => {
                        cx.say(Level::Warn, t!("import.refused.rows", n = rows.len()))
                    }
                    (Outcome::Refused(e), _) => cx.say(Level::Error, e.clone()),
                }
                preview.scroll = 0;
                preview.phase = if r.dry_run {
                    Phase::Checked(r.outcome)
                } else {
                    Phase::Written(r.outcome)
                };
                wrote
            }
            Polled::Lost => {
                preview.phase = Phase::Checked(Outcome::Refused(t!("tui.site.import_lost").into()));
                false
            }
            Polled::Progress(()) => false,
        }
    }

    fn user_form(&self, action: Action, cx: &mut Ctx) -> Msg {
        if !Self::is_admin(cx) {
            // The operations' own refusal, in words.
            if let Some(a) = &cx.actor {
                let e = ops::AdminError::NotAdmin { role: a.role };
                cx.say(Level::Error, e.to_string());
            }
            return Msg::None;
        }
        if action == Action::AddUser {
            return Msg::Form(Box::new(Form::plain(Kind::UserAdd(UserAdd::new()))));
        }
        let Some(u) = self.selected() else {
            cx.say(Level::Warn, t!("tui.site.select_user"));
            return Msg::None;
        };
        let user = u.name.clone();
        let confirm = |what: Confirming| {
            let c = Confirm::new(what);
            let mut form = Form::plain(Kind::Confirm(c.clone()));
            form.note = Some(c.note());
            Msg::Form(Box::new(form))
        };
        match action {
            Action::Open => Msg::Form(Box::new(Form::plain(Kind::UserEdit(UserEdit::new(
                &u.name,
                &u.full_name,
                &u.role,
            ))))),
            Action::ResetPin => confirm(Confirming::ResetPin { user }),
            Action::Deactivate if u.active => confirm(Confirming::Deactivate { user }),
            Action::Deactivate => {
                let Some(actor) = cx.actor.clone() else {
                    return Msg::None;
                };
                match ops::user_set_active(&mut cx.store, &actor, cx.now, &user, true) {
                    Ok(_) => {
                        cx.local_writes += 1;
                        cx.say(Level::Info, t!("refdata.user.activated", user = user));
                        Msg::Reload
                    }
                    Err(e) => {
                        cx.say(Level::Error, e.to_string());
                        Msg::None
                    }
                }
            }
            Action::Unlock => {
                let Some(actor) = cx.actor.clone() else {
                    return Msg::None;
                };
                match ops::user_unlock(&mut cx.store, &actor, cx.now, &user) {
                    Ok(_) => {
                        cx.local_writes += 1;
                        cx.say(Level::Info, t!("refdata.user.unlocked", user = user));
                        Msg::Reload
                    }
                    Err(e) => {
                        cx.say(Level::Error, e.to_string());
                        Msg::None
                    }
                }
            }
            _ => Msg::None,
        }
    }

    fn preview_event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        let Some(p) = self.preview.as_mut() else {
            return Msg::None;
        };
        match action {
            Action::Up => p.scroll = p.scroll.saturating_sub(1),
            Action::Down => p.scroll = (p.scroll + 1).min(p.max_scroll()),
            Action::PageUp => p.scroll = p.scroll.saturating_sub(10),
            Action::PageDown => p.scroll = (p.scroll + 10).min(p.max_scroll()),
            // A write under way finishes: it is all or nothing, and its
            // outcome is shown.
            Action::Back if matches!(p.phase, Phase::Writing) => {
                cx.say(Level::Warn, t!("tui.site.wait_write"));
            }
            Action::Back => {
                let done = matches!(p.phase, Phase::Written(_));
                if matches!(p.phase, Phase::Checking) {
                    cx.jobs.import.cancel();
                }
                if !done {
                    cx.say(Level::Info, t!("tui.site.import_cancelled"));
                }
                self.preview = None;
            }
            Action::Open if p.writable() => {
                let (kind, path) = (p.kind, p.path.clone());
                self.start_import(cx, kind, path, false);
            }
            Action::Open => {}
            _ => {}
        }
        Msg::None
    }

    fn draw_preview(&self, f: &mut Frame, area: Rect, p: &Preview, theme: &Theme) {
        let w = area.width.saturating_sub(1) as usize;
        let mut head = vec![Line::styled(
            fit(
                &t!("tui.site.import_head", kind = p.kind.label(), path = p.path),
                w,
            ),
            theme.header(),
        )];
        let mut body: Vec<Line> = Vec::new();
        let say = |lines: &mut Vec<Line>, text: &str, style| {
            for l in wrap(text, w) {
                lines.push(Line::styled(l, style));
            }
        };
        let summary = |s: &Summary| {
            t!(
                "import.summary",
                kind = p.kind.label(),
                added = num(s.added as i64),
                changed = num(s.changed as i64),
                unchanged = num(s.unchanged as i64)
            )
        };
        let outcome = |lines: &mut Vec<Line>, o: &Outcome, written: bool| match o {
            Outcome::Done(s) => {
                say(lines, &summary(s), theme.info());
                if !s.ignored_columns.is_empty() {
                    say(
                        lines,
                        &t!("import.ignored", columns = s.ignored_columns.join(", ")),
                        theme.dim(),
                    );
                }
                if written {
                    for pin in &s.new_pins {
                        say(
                            lines,
                            &t!("import.new_pin", user = pin.user, pin = pin.pin),
                            theme.warn(),
                        );
                    }
                } else {
                    say(lines, t!("tui.site.dry_run"), theme.warn());
                }
            }
            Outcome::Rows(rows) => {
                say(
                    lines,
                    &t!("import.refused.rows", n = rows.len()),
                    theme.error(),
                );
                for r in rows {
                    say(lines, &r.to_string(), theme.error());
                }
            }
            Outcome::Refused(e) => say(lines, e, theme.error()),
        };
        let keys = match &p.phase {
            Phase::Checking => {
                head.push(Line::styled(
                    fit(t!("tui.site.checking_file"), w),
                    theme.dim(),
                ));
                t!("tui.site.keys_wait")
            }
            Phase::Writing => {
                head.push(Line::styled(fit(t!("tui.site.writing"), w), theme.dim()));
                t!("tui.site.wait_write")
            }
            Phase::Checked(o) => {
                outcome(&mut body, o, false);
                if p.writable() {
                    t!("tui.site.keys_write")
                } else {
                    t!("tui.site.keys_back")
                }
            }
            Phase::Written(o) => {
                if matches!(o, Outcome::Done(_)) {
                    head.push(Line::styled(fit(t!("tui.site.written"), w), theme.info()));
                }
                outcome(&mut body, o, true);
                t!("tui.site.keys_back")
            }
        };
        let [top, mid, foot] = Layout::vertical([
            Constraint::Length(head.len() as u16),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(ratatui::widgets::Paragraph::new(head), top);
        let h = mid.height as usize;
        let scroll = p.scroll.min(body.len().saturating_sub(h));
        let shown: Vec<Line> = body.into_iter().skip(scroll).take(h).collect();
        f.render_widget(ratatui::widgets::Paragraph::new(shown), mid);
        line(f, foot, Line::styled(fit(keys, w), theme.dim()));
    }
}

impl Component for SiteTab {
    fn contexts(&self) -> Vec<Context> {
        if self.preview.is_some() {
            vec![Context::Import, Context::Global]
        } else {
            vec![Context::Site, Context::List, Context::Global]
        }
    }

    fn offers(&self, action: Action, cx: &Ctx) -> bool {
        if let Some(p) = &self.preview {
            return match action {
                Action::Open => p.writable(),
                Action::Back => !matches!(p.phase, Phase::Writing),
                _ => true,
            };
        }
        let admin = Self::is_admin(cx);
        let sel = self.selected();
        match action {
            Action::AddUser => admin,
            Action::Open | Action::ResetPin | Action::Deactivate => admin && sel.is_some(),
            Action::Unlock => admin && sel.is_some_and(|u| Self::locked(u, cx)),
            Action::Import => true,
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn describe(&self, action: Action, _cx: &Ctx) -> Option<String> {
        match action {
            Action::Back
                if self
                    .preview
                    .as_ref()
                    .is_some_and(|p| matches!(p.phase, Phase::Written(_))) =>
            {
                Some(t!("tui.key.back").to_string())
            }
            Action::Open if self.preview.is_none() => {
                Some(crate::tui::keymap::describe(Context::Site, Action::Open).to_string())
            }
            Action::Deactivate if self.selected().is_some_and(|u| !u.active) => {
                Some(t!("tui.key.reactivate").to_string())
            }
            _ => None,
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.preview.is_some() {
            return self.preview_event(action, cx);
        }
        if self.sel.act(action, self.users.len()) {
            return Msg::None;
        }
        match action {
            Action::Import => {
                let start = ImportStart::new(cx);
                let note = start.note(cx);
                let mut form = Form::plain(Kind::ImportStart(start));
                form.note = Some(note);
                Msg::Form(Box::new(form))
            }
            Action::AddUser
            | Action::Open
            | Action::ResetPin
            | Action::Unlock
            | Action::Deactivate => self.user_form(action, cx),
            _ => Msg::None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        if let Some(p) = &self.preview {
            self.draw_preview(f, area, p, theme);
            return;
        }
        let w = area.width.saturating_sub(1) as usize;
        let c = self.counts;
        let counts = t!(
            "tui.site.counts",
            places = num(c.places as i64),
            locations = num(c.locations as i64),
            items = num(c.items as i64),
            suppliers = num(c.suppliers as i64),
            patients = num(c.patients)
        );
        let import_key = cx.keys(Context::Site, Action::Import);
        let how = if Self::is_admin(cx) {
            t!("tui.site.how", key = import_key)
        } else {
            t!("tui.site.how_stock", key = import_key)
        };
        let mut head = vec![Line::styled(fit(&counts, w), theme.header())];
        for l in wrap(&how, w).into_iter().take(3) {
            head.push(Line::styled(l, theme.dim()));
        }
        let [top, list] =
            Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)])
                .areas(area);
        f.render_widget(ratatui::widgets::Paragraph::new(head), top);
        if !Self::is_admin(cx) {
            return;
        }
        let cols = [
            Column::new(t!("tui.col.user"), W::Fit { min: 6, max: 14 }),
            Column::new(t!("tui.col.full_name"), W::Fill(8)),
            Column::new(t!("tui.col.role"), W::Whole),
            Column::new(t!("tui.col.state"), W::Fit { min: 8, max: 30 }),
        ];
        let rows = &self.users;
        visible_table(f, list, theme, &cols, rows.len(), Some(&self.sel), |i| {
            let u = &rows[i];
            let mut state = vec![if u.active {
                t!("refdata.user.active")
            } else {
                t!("refdata.user.inactive")
            }];
            let locked = Self::locked(u, cx);
            if locked {
                state.push(t!("refdata.user.locked"));
            }
            if u.must_change_pin {
                state.push(t!("refdata.user.one_time"));
            }
            let style = if locked {
                theme.error()
            } else if !u.active {
                theme.dim()
            } else if u.must_change_pin {
                theme.warn()
            } else {
                ratatui::style::Style::default()
            };
            vec![
                TCell::styled(u.name.clone(), style),
                TCell::styled(u.full_name.clone(), style),
                TCell::styled(role_word(&u.role).to_string(), style),
                TCell::styled(state.join(", "), style),
            ]
        });
    }
}
