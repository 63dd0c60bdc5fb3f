//! What the console's parts share: the context every component works in
//! (store, signed-in user, places, message line, background jobs), the list
//! selection that remembers the rows it was last drawn with, the messages a
//! component sends up to the app, and the `Component` trait.

use std::cell::Cell;

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::job::AsyncSingleJob;
use super::keymap::{Action, Context, Keymap};
use super::theme::Theme;
use super::views::{AlertsView, PlanView};
use crate::domain::PlaceKind;
use crate::domain::roles::Operation;
use crate::ops::Actor;
use crate::planning::sim::SimResult;
use crate::store::Store;
use crate::store::queries::Place;
use crate::t;

/// The smallest window the console draws its layout in; below it, it asks
/// for a larger one and takes no keys but quit and sign out.
pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Tab {
    Prescriptions,
    Administration,
    Stock,
    Pharmacy,
    Alerts,
    /// The site's people and reference data, and imports: shown only to a
    /// user who may import something (the administrator; a pharmacist for
    /// opening stock).
    Site,
    /// Reports and charts: shown to those who are asked for reports (not
    /// to a ward nurse).
    Reports,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Prescriptions,
        Tab::Administration,
        Tab::Stock,
        Tab::Pharmacy,
        Tab::Alerts,
        Tab::Site,
        Tab::Reports,
    ];

    /// The tabs the signed-in user sees, in order.
    pub fn shown(cx: &Ctx) -> Vec<Tab> {
        let site = cx.actor.as_ref().is_some_and(|a| {
            crate::ops::import::Kind::ALL
                .iter()
                .any(|k| k.may_import(a.role))
        });
        let reports = cx
            .actor
            .as_ref()
            .is_some_and(|a| super::tabs::reports::for_role(a.role));
        Tab::ALL
            .into_iter()
            .filter(|t| (*t != Tab::Site || site) && (*t != Tab::Reports || reports))
            .collect()
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Prescriptions => t!("tui.tab.prescriptions"),
            Tab::Administration => t!("tui.tab.administration"),
            Tab::Stock => t!("tui.tab.stock"),
            Tab::Pharmacy => t!("tui.tab.pharmacy"),
            Tab::Alerts => t!("tui.tab.alerts"),
            Tab::Site => t!("tui.tab.site"),
            Tab::Reports => t!("tui.tab.reports"),
        }
    }

    /// The title on a narrow screen.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Prescriptions => t!("tui.tab_short.prescriptions"),
            Tab::Administration => t!("tui.tab_short.administration"),
            Tab::Stock => t!("tui.tab_short.stock"),
            Tab::Pharmacy => t!("tui.tab_short.pharmacy"),
            Tab::Alerts => t!("tui.tab_short.alerts"),
            Tab::Site => t!("tui.tab_short.site"),
            Tab::Reports => t!("tui.tab_short.reports"),
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// Selection and scroll of a list. Drawing records how many rows it had
/// (gitui's `current_size`), so moving a page never needs the layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    offset: Cell<usize>,
    rows: Cell<usize>,
}

impl ListState {
    /// Rows the list showed when last drawn (at least 1).
    pub fn rows(&self) -> usize {
        self.rows.get().max(1)
    }

    /// Moves by `delta` rows in a list of `len`; a page is the rows last drawn.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            self.offset.set(0);
            return;
        }
        self.selected = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize;
    }

    /// Moves for a list action (arrows, pages, ends).
    pub fn act(&mut self, action: Action, len: usize) -> bool {
        let page = self.rows() as isize;
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => return false,
        };
        self.move_by(delta, len);
        true
    }

    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    pub fn reset(&mut self) {
        *self = ListState::default();
    }

    /// Called while drawing a window of `height` rows over a list of `len`:
    /// records the height and gives the first row to draw, keeping the
    /// selection in view.
    pub fn window(&self, len: usize, height: usize) -> usize {
        self.rows.set(height);
        let height = height.max(1);
        let sel = self.selected.min(len.saturating_sub(1));
        let mut off = self.offset.get();
        if sel < off {
            off = sel;
        } else if sel >= off + height {
            off = sel + 1 - height;
        }
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off
    }

    /// Keeps the first row shown at `off`: a list whose group headings take
    /// lines shows fewer rows than its height.
    pub fn keep_offset(&self, off: usize) {
        self.offset.set(off);
    }
}

/// The background jobs.
#[derive(Default)]
pub struct Jobs {
    /// Long reads run on their own thread (the terminal sets this; tests
    /// compute in place).
    pub background: bool,
    pub alerts: AsyncSingleJob<Result<AlertsView, String>>,
    /// The early warnings (demand surge, supplier risk), loaded apart.
    pub early: AsyncSingleJob<Result<Vec<crate::store::queries::AlertRow>, String>>,
    pub plan: AsyncSingleJob<Result<PlanView, String>>,
    pub sim: AsyncSingleJob<Result<SimResult, String>, (usize, usize)>,
    /// The day's backup, made at the first sign-in of the day.
    pub backup: AsyncSingleJob<Option<crate::ops::backups::DailyOutcome>>,
    /// An import on the Site tab: its dry run, then the write.
    pub import: AsyncSingleJob<super::tabs::site::ImportRun>,
    /// A report run on the Reports tab.
    pub report: AsyncSingleJob<super::tabs::reports::Ran>,
}

/// What every component works with.
pub struct Ctx {
    pub store: Store,
    pub keymap: Keymap,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub actor: Option<Actor>,
    pub places: Vec<Place>,
    pub place: usize,
    pub status: Option<(Level, String)>,
    pub settings: crate::config::Settings,
    /// Writes made through this console (other connections show in `data_version`).
    pub local_writes: i64,
    pub jobs: Jobs,
    /// How far the site is set up, read at sign-in and with every reload.
    pub setup: crate::store::queries::SetupCounts,
}

impl Ctx {
    pub fn say(&mut self, level: Level, msg: impl Into<String>) {
        self.status = Some((level, msg.into()));
    }

    pub fn current_place(&self) -> Option<&Place> {
        self.places.get(self.place)
    }

    /// The ward shown by the ward-bound tabs: the selected place if it is a ward.
    pub fn current_ward(&self) -> Option<&Place> {
        self.current_place().filter(|p| p.kind == PlaceKind::Ward)
    }

    pub fn pharmacy_id(&self) -> Option<i64> {
        self.places
            .iter()
            .find(|p| p.kind == PlaceKind::Pharmacy)
            .map(|p| p.id)
    }

    /// Whether the signed-in user may perform `op`.
    pub fn may(&self, op: Operation) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|a| crate::domain::roles::may(a.role, op))
    }

    /// Today at the site.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.store.zone()).date_naive()
    }

    /// A barcode read with this site's scanner settings.
    pub fn parse_scan(&self, data: &str) -> Result<crate::gs1::Gs1, crate::gs1::Gs1Error> {
        crate::gs1::parse(
            data,
            crate::gs1::Options {
                separator: self.settings.scanner.separator,
                today: self.today(),
            },
        )
    }

    /// The keys bound to an action, for messages ("press F6").
    pub fn keys(&self, context: Context, action: Action) -> String {
        self.keymap.keys_for(context, action)
    }
}

/// What a component asks of the app after handling a key or a scan.
pub enum Msg {
    None,
    /// Open a form over the screen.
    Form(Box<super::forms::Form>),
    /// Open a popup over the screen.
    Popup(super::popups::Popup),
    /// Show an item's lots in Ward stock at a place (from an alert or a
    /// scan); Esc goes back to `back` (a tab and place) when given.
    ShowItem {
        place: usize,
        item_id: i64,
        filter: String,
        lot: Option<String>,
        back: Option<(Tab, usize)>,
    },
    /// Go to a tab at a place.
    Goto(Tab, usize),
    /// Data changed: reload the tab shown.
    Reload,
}

/// A tab or popup: its keymap contexts, the commands it offers, how it draws.
pub trait Component {
    /// The keymap contexts active while it is shown, most specific first.
    fn contexts(&self) -> Vec<Context>;
    /// Whether the key bar offers `action` now.
    fn offers(&self, _action: Action, _cx: &Ctx) -> bool {
        true
    }
    /// What the key bar says `action` does now, when it depends on the
    /// state (the role, the place); `None`: the keymap's words.
    fn describe(&self, _action: Action, _cx: &Ctx) -> Option<String> {
        None
    }
    /// An action from the keymap.
    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg;
    /// Draws from its own state; never queries, never changes state (but
    /// records the rows it had).
    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme);
}
