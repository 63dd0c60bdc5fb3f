//! The console's shared state and `update`: keys become actions through the
//! keymap and go to the component shown (a form, a popup or a tab); what a
//! component asks of the app comes back as a [`Msg`]. The app keeps only
//! what the components share: the context (store, user, places, message
//! line, jobs), the tab shown, and the open form or popup.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::component::{Ctx, Jobs, Level, Msg};
pub use super::component::{ListState, Tab};
use super::forms::{After, Form, Keyed};
use super::job::Polled;
use super::keymap::{Action, Context, Keymap};
use super::popups::{Done, Popup, picker::Picker};
use super::scan::{Detector, Seen, Unresolved};
use super::signin::{SignIn, SignInKey};
use super::tabs::Tabs;
use super::views::{AlertsView, load_alerts, ward_needs};
use crate::domain::roles::Operation;
use crate::i18n::{self, Lang};
use crate::store::Store;
use crate::store::queries;
use crate::t;

mod session;

pub struct App {
    pub cx: Ctx,
    pub tab: Tab,
    pub tabs: Tabs,
    pub signin: SignIn,
    pub form: Option<Form>,
    pub popup: Option<Popup>,
    pub quit: bool,
    /// A demo database: the sign-in screen names the demo users.
    pub demo: bool,
    /// The language asked for explicitly (`--lang`, `WARDSTOCK_LANG`): the
    /// user's own setting does not override it.
    explicit_lang: Option<Lang>,
    /// What each tab's view was loaded from: (place, data stamp). A tab is
    /// reloaded only when its place or the data changed, or on refresh.
    loaded: HashMap<Tab, (i64, (i64, NaiveDate))>,
    /// Scanner bursts: the detector, and the state before the burst began
    /// (keys of a burst act as typed until Enter shows it was a scan).
    detector: Detector,
    before_burst: Option<Snapshot>,
    /// The clock of `on_key` (keys a second apart: typed, never a scan).
    key_clock: std::time::Duration,
    /// When the cold locations' rounds were last checked.
    rounds_checked: Option<DateTime<Utc>>,
}

/// What a scanner burst may have changed before it was recognised.
#[derive(Debug, Clone)]
struct Snapshot {
    tab: Tab,
    place: usize,
    filter: String,
    stock_sel: ListState,
    /// The plan screen's filter and selection: a scan's keys typed there
    /// are taken back.
    plan: Option<(String, ListState)>,
    /// The Alerts tab's filter and selection, likewise.
    alerts: (String, ListState),
    /// The Reports tab's settings (a scan's keys typed into a day or an item).
    reports: super::tabs::reports::Setup,
    popup: Option<Popup>,
    status: Option<(Level, String)>,
    form: Option<Form>,
}

impl App {
    /// The console in the language asked for with `WARDSTOCK_LANG`, else the system's.
    pub fn new(store: Store, keymap: Keymap, now: DateTime<Utc>, size: (u16, u16)) -> App {
        App::with_lang(
            store,
            keymap,
            now,
            size,
            i18n::explicit(None).ok().flatten(),
        )
    }

    /// The console in `explicit` language, or (when `None`) each signed-in
    /// user's own, else the system's.
    pub fn with_lang(
        store: Store,
        keymap: Keymap,
        now: DateTime<Utc>,
        size: (u16, u16),
        explicit: Option<Lang>,
    ) -> App {
        i18n::set_thread_lang(i18n::choose(explicit, None));
        // This console shows its own site's clock, whatever the terminal's TZ.
        i18n::set_thread_zone(store.zone());
        let demo = queries::setting(&store.conn, "demo_scale")
            .ok()
            .flatten()
            .is_some();
        App {
            cx: Ctx {
                store,
                keymap,
                now,
                size,
                actor: None,
                places: Vec::new(),
                place: 0,
                status: None,
                settings: crate::config::Settings::default(),
                local_writes: 0,
                jobs: Jobs::default(),
                setup: Default::default(),
            },
            tab: Tab::Stock,
            tabs: Tabs::default(),
            signin: SignIn::default(),
            form: None,
            popup: None,
            quit: false,
            demo,
            explicit_lang: explicit,
            loaded: HashMap::new(),
            detector: Detector::default(),
            before_burst: None,
            key_clock: std::time::Duration::ZERO,
            rounds_checked: None,
        }
    }

    pub fn store(&self) -> &Store {
        &self.cx.store
    }

    pub fn current_place(&self) -> Option<&queries::Place> {
        self.cx.current_place()
    }

    /// The keymap contexts of what is shown.
    pub fn contexts(&self) -> Vec<Context> {
        if self.cx.actor.is_none() {
            vec![Context::Signin]
        } else {
            self.tabs.get(self.tab).contexts()
        }
    }

    /// Whether the key bar should offer an action on the current screen.
    pub fn offers(&self, action: Action) -> bool {
        self.tabs.get(self.tab).offers(action, &self.cx)
    }

    pub fn tick(&mut self, now: DateTime<Utc>) {
        let zone = self.cx.store.zone();
        let day = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
        let new_day = day(now) != day(self.cx.now);
        self.cx.now = now;
        self.check_cold_rounds(now);
        // The schedule follows the clock: its window (4 h back, 12 h ahead)
        // moves on every quarter of an hour, and what became due shows.
        let schedule_stale = self.tab == Tab::Administration
            && self.tabs.administration.view.from.is_some_and(|f| {
                now - f >= chrono::Duration::hours(4) + chrono::Duration::minutes(15)
            });
        // Expiry marks and usable stock change at midnight.
        if self.cx.actor.is_some() && (new_day || (schedule_stale && self.form.is_none())) {
            if schedule_stale {
                self.loaded.remove(&Tab::Administration);
            }
            self.reload();
        }
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.cx.size = (w, h);
    }

    /// A key typed by a person (tests, replays): never part of a scan burst.
    pub fn on_key(&mut self, ev: KeyEvent) {
        self.key_clock += std::time::Duration::from_secs(1);
        self.on_key_at(ev, self.key_clock);
    }

    /// A key at a moment of a monotonic clock; fast bursts ending in Enter are scans.
    pub fn on_key_at(&mut self, ev: KeyEvent, at: std::time::Duration) {
        self.key(ev, at);
        self.poll_jobs();
    }

    fn key(&mut self, ev: KeyEvent, at: std::time::Duration) {
        // Below the smallest layout nothing is shown but the request to
        // enlarge the window: nothing may be done unseen. Quitting and
        // signing out still work.
        let (w, h) = self.cx.size;
        if w < super::component::MIN_W || h < super::component::MIN_H {
            self.detector.other();
            self.before_burst = None;
            match self.cx.keymap.action(&[Context::Global], &ev) {
                Some(a @ (Action::Quit | Action::SignOut)) if self.cx.actor.is_some() => {
                    self.apply(a)
                }
                Some(Action::Quit) => self.quit = true,
                _ => {}
            }
            return;
        }
        if self.cx.actor.is_none() {
            match self.signin.key(ev, &mut self.cx) {
                SignInKey::Quit => self.quit = true,
                SignInKey::Submit(user, pin) => self.sign_in(&user, &pin),
                SignInKey::ChangePin(user, old, new) => self.change_pin(&user, &old, &new),
                SignInKey::Stay => {}
            }
            return;
        }
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        // The group separator arrives as ASCII 29, which terminals report as Ctrl-] or Ctrl-5.
        let gs = matches!(ev.code, KeyCode::Char('\u{1d}'))
            || (mods == KeyModifiers::CONTROL
                && matches!(ev.code, KeyCode::Char(']') | KeyCode::Char('5')));
        match ev.code {
            _ if gs => {
                if self.detector.char(crate::gs1::GS, at) == (Seen::Char { first: true }) {
                    self.before_burst = Some(self.snapshot());
                }
                return;
            }
            KeyCode::Char(c) if mods.is_empty() => {
                if self.detector.char(c, at) == (Seen::Char { first: true }) {
                    self.before_burst = Some(self.snapshot());
                }
            }
            KeyCode::Enter => {
                if let Seen::Scan(data) = self.detector.enter(at) {
                    if let Some(s) = self.before_burst.take() {
                        self.restore(s);
                    }
                    self.scan(&data);
                    return;
                }
            }
            _ => {
                self.detector.other();
            }
        }
        self.typed_key(ev);
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            tab: self.tab,
            place: self.cx.place,
            filter: self.tabs.stock.filter.value().to_string(),
            stock_sel: self.tabs.stock.sel.clone(),
            plan: self
                .tabs
                .pharmacy
                .plan_screen()
                .map(|p| (p.filter.value().to_string(), p.sel.clone())),
            alerts: (
                self.tabs.alerts.filter.value().to_string(),
                self.tabs.alerts.sel.clone(),
            ),
            reports: self.tabs.reports.setup.clone(),
            popup: self.popup.clone(),
            status: self.cx.status.clone(),
            form: self.form.clone(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.form = s.form;
        self.popup = s.popup;
        self.cx.status = s.status;
        if self.cx.place != s.place || self.tab != s.tab {
            self.cx.place = s.place;
            self.tab = s.tab;
            self.reload();
        }
        let stock = &mut self.tabs.stock;
        stock.filter = tui_input::Input::default().with_value(s.filter);
        stock.refilter();
        stock.sel = s.stock_sel;
        if let (Some((filter, sel)), Some(p)) = (s.plan, self.tabs.pharmacy.plan_screen_mut()) {
            p.filter = tui_input::Input::default().with_value(filter);
            p.refilter();
            p.sel = sel;
        }
        let (filter, sel) = s.alerts;
        let alerts = &mut self.tabs.alerts;
        if alerts.filter.value() != filter {
            alerts.filter = tui_input::Input::default().with_value(filter);
            alerts.refilter();
        }
        alerts.sel = sel;
        self.tabs.reports.setup = s.reports;
    }

    /// Scanned data, on whatever screen is open: into the open form, a pick
    /// list, or the pack's item opens in Ward stock with its lot marked.
    pub fn scan(&mut self, data: &str) {
        if matches!(self.popup, Some(Popup::Help | Popup::Picker(_))) {
            self.popup = None;
        }
        if let Some(form) = self.form.as_mut()
            && form.scan_raw(data, &self.cx)
        {
            // The form says what the scan did; an older message no longer applies.
            self.cx.status = None;
            return;
        }
        // On the schedule, a wristband opens that patient's doses.
        if self.form.is_none()
            && self.tab == Tab::Administration
            && self.tabs.administration.scan(&mut self.cx, data)
        {
            self.popup = None;
            return;
        }
        // With a form open, a scan's problem is said in the form, replacing
        // its older one.
        if let Some(form) = self.form.as_mut()
            && let Err(e) = super::scan::resolve(&self.cx, data)
            && !matches!(e, Unresolved::Unknown(_))
        {
            form.error = Some(match e {
                Unresolved::NotUnderstood(e) => t!("tui.scan.not_understood", error = e),
                Unresolved::NoGtin => t!("tui.scan.no_gtin").to_string(),
                Unresolved::Other(e) => e,
                Unresolved::Unknown(_) => String::new(),
            });
            self.cx.status = None;
            return;
        }
        let (item, g) = match super::scan::resolve(&self.cx, data) {
            Ok(x) => x,
            Err(Unresolved::NotUnderstood(e)) => {
                self.cx
                    .say(Level::Error, t!("tui.scan.not_understood", error = e));
                return;
            }
            Err(Unresolved::NoGtin) => {
                self.cx.say(Level::Warn, t!("tui.scan.no_gtin"));
                return;
            }
            Err(Unresolved::Unknown(gtin)) => {
                if self.cx.may(Operation::LinkGtin) {
                    self.tabs.stock.pending_gtin = Some(gtin.clone());
                    self.tabs.stock.detail = None;
                    self.tab = Tab::Stock;
                    self.reload();
                    let key = self.cx.keys(Context::List, Action::LinkGtin);
                    self.cx.say(
                        Level::Warn,
                        t!("tui.scan.unknown_link", gtin = gtin, key = key),
                    );
                } else {
                    self.cx
                        .say(Level::Warn, t!("tui.scan.unknown_ask", gtin = gtin));
                }
                return;
            }
            Err(Unresolved::Other(e)) => {
                self.cx.say(Level::Error, e);
                return;
            }
        };
        if let Some(form) = self.form.as_mut() {
            form.scan_pack(&g, &item, &self.cx);
            self.cx.status = None;
            return;
        }
        // On the Reports tab's settings, a pack names the item of a stock
        // card or line.
        if self.tab == Tab::Reports && self.tabs.reports.scanned(&mut self.cx, &item) {
            return;
        }
        if self.tab == Tab::Pharmacy && self.tabs.pharmacy.picking() {
            if let Some(form) = self.tabs.pharmacy.scan_pick(&mut self.cx, &g, &item) {
                self.form = Some(form);
            }
            return;
        }
        self.tabs.stock.scanned_lot = g.lot.clone();
        self.handle(Msg::ShowItem {
            place: self.cx.place,
            item_id: item.id,
            filter: item.code.clone(),
            lot: g.lot.clone(),
            back: None,
        });
        self.tabs.stock.mark_scan(&item, &g);
        self.tabs.stock.say_scanned(&mut self.cx, &item, &g);
    }

    fn typed_key(&mut self, ev: KeyEvent) {
        // A message says what the last action did: it stays until the
        // next key, which is the next action (a scan's keys are not: the
        // burst puts the message back before the scan is read).
        self.cx.status = None;
        // Quitting and signing out work from anywhere, forms included: a
        // shared workstation must never keep someone signed in.
        if (self.form.is_some() || self.popup.is_some())
            && let Some(a @ (Action::Quit | Action::SignOut)) =
                self.cx.keymap.action(&[Context::Global], &ev)
        {
            self.apply(a);
            return;
        }
        if let Some(form) = self.form.as_mut() {
            match form.key(ev) {
                Keyed::Stay => {}
                Keyed::Cancel => {
                    // Back to the patient's record the form was opened from.
                    if let Some(mrn) = self.form.take().as_ref().and_then(|f| f.patient()) {
                        self.popup = super::popups::patient::PatientCard::open(&self.cx, mrn)
                            .map(Popup::Patient);
                    }
                    self.cx.say(Level::Info, t!("tui.form.cancelled"));
                }
                Keyed::Submit => self.submit_form(),
            }
            return;
        }
        if let Some(Popup::Levels(l)) = self.popup.as_mut() {
            if let Done::Close = l.key(ev, &mut self.cx) {
                self.popup = None;
                self.reload();
            }
            return;
        }
        if let Some(Popup::Reservations(r)) = self.popup.as_mut() {
            if let Done::Close = r.key(ev, &mut self.cx) {
                self.popup = None;
                self.reload();
            }
            return;
        }
        if let Some(Popup::Cold(c)) = self.popup.as_mut() {
            if let Done::Close = c.key(ev, &mut self.cx) {
                self.popup = None;
                self.reload();
            }
            return;
        }
        if let Some(popup) = self.popup.as_mut() {
            match popup.key(ev, &self.cx) {
                Done::Stay => {}
                Done::Close => self.popup = None,
                Done::Place(i) => {
                    self.popup = None;
                    self.choose_place(i);
                }
                Done::Operation(crate::domain::roles::Operation::CdRegister) => {
                    self.popup = self.tabs.stock.register(&mut self.cx).map(Popup::Register);
                }
                Done::Operation(crate::domain::roles::Operation::Reserve) => {
                    self.popup =
                        crate::tui::popups::reservations::ReservationsView::open(&mut self.cx)
                            .map(|r| Popup::Reservations(Box::new(r)));
                }
                Done::Operation(crate::domain::roles::Operation::ColdReading) => {
                    self.popup = crate::tui::popups::cold::ColdView::open(&mut self.cx)
                        .map(|c| Popup::Cold(Box::new(c)));
                }
                Done::Operation(op) => {
                    self.popup = None;
                    self.form = self.tabs.stock.form_for(op, &self.cx);
                }
                Done::Language => {
                    self.popup = None;
                    self.switch_language();
                }
                Done::Form(f) => {
                    self.popup = None;
                    self.form = Some(*f);
                }
            }
            return;
        }
        let bound = self
            .cx
            .keymap
            .action(&self.contexts(), &ev)
            // The Site tab's key is no key for those who do not see it.
            .filter(|a| *a != Action::Tab6 || Tab::shown(&self.cx).contains(&Tab::Site))
            .filter(|a| *a != Action::Tab7 || Tab::shown(&self.cx).contains(&Tab::Reports));
        if self.tab == Tab::Stock && self.tabs.stock.typed(&ev, bound) {
            return;
        }
        if self.tab == Tab::Pharmacy && self.tabs.pharmacy.typed(&ev, bound, &mut self.cx) {
            return;
        }
        if self.tab == Tab::Alerts && self.tabs.alerts.typed(&ev, bound) {
            return;
        }
        if self.tab == Tab::Reports && self.tabs.reports.typed(&ev) {
            return;
        }
        if let Some(a) = bound {
            self.apply(a);
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.popup = Some(Popup::Help),
            Action::NextTab | Action::PrevTab => {
                let shown = Tab::shown(&self.cx);
                let n = shown.len().max(1);
                let at = shown.iter().position(|t| *t == self.tab).unwrap_or(0);
                let step = if action == Action::NextTab { 1 } else { n - 1 };
                if let Some(t) = shown.get((at + step) % n) {
                    self.switch_tab(*t);
                }
            }
            Action::Tab1 => self.switch_tab(Tab::Prescriptions),
            Action::Tab2 => self.switch_tab(Tab::Administration),
            Action::Tab3 => self.switch_tab(Tab::Stock),
            Action::Tab4 => self.switch_tab(Tab::Pharmacy),
            Action::Tab5 => self.switch_tab(Tab::Alerts),
            Action::Tab6 if Tab::shown(&self.cx).contains(&Tab::Site) => self.switch_tab(Tab::Site),
            Action::Tab6 => {}
            Action::Tab7 if Tab::shown(&self.cx).contains(&Tab::Reports) => {
                self.switch_tab(Tab::Reports)
            }
            Action::Tab7 => {}
            Action::ChoosePlace => {
                self.popup = Some(Popup::Picker(Picker {
                    selected: self.cx.place,
                }))
            }
            Action::Refresh if self.tab == Tab::Pharmacy && self.tabs.pharmacy.is_plan() => {
                self.tabs.pharmacy.open_plan(&mut self.cx)
            }
            Action::Refresh => {
                self.loaded.clear();
                self.reload();
                self.cx.say(Level::Info, t!("tui.refreshed"));
            }
            Action::SignOut => self.sign_out(),
            Action::Language => self.switch_language(),
            other => {
                let msg = self.tabs.get_mut(self.tab).event(other, &mut self.cx);
                self.handle(msg);
            }
        }
    }

    /// Does what a component asked.
    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::None => {}
            Msg::Form(f) => self.form = Some(*f),
            Msg::Popup(p) => self.popup = Some(p),
            Msg::Reload => self.reload(),
            Msg::Goto(tab, place) => {
                self.cx.place = place;
                self.tab = tab;
                self.reload();
            }
            Msg::ShowItem {
                place,
                item_id,
                filter,
                lot,
                back,
            } => {
                self.cx.place = place;
                self.tabs.stock.prepare_show(&filter, back);
                self.tabs.stock.scanned_lot = lot;
                self.tab = Tab::Stock;
                self.reload();
                self.tabs.stock.open_item(&mut self.cx, item_id);
            }
        }
    }

    /// Runs the open form's operation; a refusal stays in the form.
    fn submit_form(&mut self) {
        let Some(mut form) = self.form.take() else {
            return;
        };
        match form.submit(&mut self.cx) {
            Some((msg, after)) => {
                self.cx.local_writes += 1;
                self.reload();
                self.cx.say(Level::Info, msg);
                match after {
                    After::Reload => {}
                    After::Decided(s) => self.tabs.pharmacy.decided(&mut self.cx, &s),
                    After::Order(id) => self.tabs.pharmacy.reopen(&mut self.cx, id),
                    After::Notice(n) => self.popup = Some(Popup::Notice(n)),
                    After::Form(f) => self.form = Some(*f),
                    After::Patient(mrn) => {
                        self.popup = super::popups::patient::PatientCard::open(&self.cx, &mrn)
                            .map(Popup::Patient)
                    }
                    After::Import { kind, path } => {
                        self.tabs.site.start_import(&mut self.cx, kind, path, true);
                        self.poll_jobs();
                    }
                }
            }
            None => {
                // The refusal shows in the form; an older message no longer applies.
                self.cx.status = None;
                self.form = Some(form);
            }
        }
    }

    fn choose_place(&mut self, i: usize) {
        if i == self.cx.place {
            if let Some(p) = self.cx.places.get(i) {
                let name = p.name.clone();
                self.cx.say(Level::Info, t!("tui.showing", place = name));
            }
            return;
        }
        self.cx.place = i;
        // Remembered for the user's next sign-in.
        if let (Some(a), Some(p)) = (self.cx.actor.as_ref(), self.cx.places.get(i))
            && crate::store::queries::set_user_place(&mut self.cx.store, a.user_id, p.id).is_ok()
        {
            self.cx.local_writes += 1;
        }
        self.tabs.stock.place_changed();
        self.tabs.prescriptions.sel.reset();
        self.tabs.administration.sel.reset();
        self.reload();
        let name = self.cx.places[i].name.clone();
        self.cx.say(Level::Info, t!("tui.showing", place = name));
    }

    fn switch_tab(&mut self, tab: Tab) {
        if self.tab != tab {
            // The message was about the tab left.
            self.cx.status = None;
            self.tab = tab;
            self.reload();
        }
    }

    /// A stamp that changes whenever the data may have: another connection
    /// committed, this console wrote, or the day changed.
    fn data_stamp(&self) -> (i64, NaiveDate) {
        let version = queries::data_version(&self.cx.store.conn).unwrap_or(-1);
        (version + self.cx.local_writes, self.cx.today())
    }

    /// Reloads the current tab's view unless it is up to date.
    pub fn reload(&mut self) {
        // A new site is guided until it has wards and items.
        if self.cx.setup.incomplete()
            && let Ok(c) = queries::setup_counts(&self.cx.store.conn)
        {
            self.cx.setup = c;
            if !c.incomplete()
                && let Ok(p) = queries::places(&self.cx.store.conn)
            {
                self.cx.places = p;
            }
        }
        let place = self.cx.current_place().map_or(0, |p| p.id);
        let key = (
            if matches!(self.tab, Tab::Alerts | Tab::Pharmacy | Tab::Site) {
                0
            } else {
                place
            },
            self.data_stamp(),
        );
        if self.loaded.get(&self.tab) == Some(&key) {
            if self.tab == Tab::Stock {
                let stock = &mut self.tabs.stock;
                stock.filtered = stock.view.filter(stock.filter.value());
                stock.sel.clamp(stock.filtered.len());
            }
            return;
        }
        self.force_reload();
        self.loaded.insert(self.tab, key);
    }

    /// Reloads the current tab's view data from the store.
    pub fn force_reload(&mut self) {
        // The site's own data needs no place (a new site has none yet).
        if self.tab == Tab::Site {
            if let Err(e) = self.tabs.site.load(&mut self.cx) {
                self.cx.say(Level::Error, t!("tui.cannot_read", error = e));
            }
            return;
        }
        let Some(place) = self.cx.current_place().cloned() else {
            self.cx.say(Level::Warn, t!("tui.no_places"));
            return;
        };
        let cx = &mut self.cx;
        let mut load_warnings = false;
        let result = match self.tab {
            Tab::Stock => self.tabs.stock.load(cx, place.id),
            Tab::Prescriptions => self.tabs.prescriptions.load(cx, &place),
            Tab::Administration => self.tabs.administration.load(cx, &place),
            Tab::Pharmacy => {
                load_warnings = true;
                self.tabs.pharmacy.load(cx)
            }
            Tab::Alerts => {
                load_warnings = true;
                super::tabs::alerts_early::spawn(cx);
                Ok(())
            }
            Tab::Site => Ok(()),
            Tab::Reports => self.tabs.reports.load(cx),
        };
        if let Err(e) = result {
            cx.say(Level::Error, t!("tui.cannot_read", error = e));
            return;
        }
        // The warnings of every place: read in place, or in the background
        // when the terminal runs (the list fills a moment later).
        if load_warnings {
            let cfg = cx.settings.alert_config();
            let now = cx.now;
            if cx.jobs.background {
                let path = cx.store.path().to_path_buf();
                cx.jobs.alerts.spawn(true, move |_| {
                    crate::store::Store::open(&path)
                        .map_err(|e| e.to_string())
                        .and_then(|s| load_alerts(&s.conn, now, &cfg).map_err(|e| e.to_string()))
                });
            } else {
                let r = load_alerts(&cx.store.conn, now, &cfg).map_err(|e| e.to_string());
                cx.jobs.alerts.spawn(false, move |_| r);
            }
            self.poll_jobs();
        }
    }

    /// The warning list, and what the Pharmacy tab shows of it.
    fn apply_alerts(&mut self, alerts: AlertsView) {
        let pharm = self.cx.pharmacy_id();
        let here = |sev| {
            alerts
                .rows
                .iter()
                .filter(|r| Some(r.alert.place_id) == pharm && r.alert.severity == sev)
                .count()
        };
        let p = &mut self.tabs.pharmacy.view;
        p.critical = here(crate::domain::alerts::Severity::Critical);
        p.high = here(crate::domain::alerts::Severity::High);
        p.needs = ward_needs(&alerts, &self.cx.places);
        self.tabs.alerts.set(alerts);
    }

    /// Takes what the background jobs report: warnings, a plan, a simulation's progress.
    pub fn poll_jobs(&mut self) {
        let signed_in = self.cx.actor.is_some();
        for p in self.cx.jobs.alerts.poll() {
            match p {
                Polled::Done(Ok(a)) if signed_in => self.apply_alerts(a),
                Polled::Done(Err(e)) => self
                    .cx
                    .say(Level::Error, t!("tui.alerts.failed", error = e)),
                _ => {}
            }
        }
        for p in self.cx.jobs.early.poll() {
            match p {
                Polled::Done(Ok(rows)) if signed_in => {
                    let view = AlertsView::new(rows, &self.cx.places);
                    self.tabs.alerts.set_early(view);
                }
                Polled::Done(Err(e)) => self
                    .cx
                    .say(Level::Error, t!("tui.alerts.failed", error = e)),
                _ => {}
            }
        }
        for p in self.cx.jobs.plan.poll() {
            if signed_in {
                self.tabs.pharmacy.polled_plan(&mut self.cx, p);
            }
        }
        for p in self.cx.jobs.sim.poll() {
            if signed_in {
                self.tabs.pharmacy.polled_sim(&mut self.cx, p);
            }
        }
        for p in self.cx.jobs.import.poll() {
            if signed_in && self.tabs.site.polled(&mut self.cx, p) {
                // Written: every tab reads the data again, and new places show.
                self.cx.local_writes += 1;
                if let Ok(places) = queries::places(&self.cx.store.conn) {
                    self.cx.places = places;
                    self.cx.place = self.cx.place.min(self.cx.places.len().saturating_sub(1));
                }
                self.loaded.clear();
                self.reload();
            }
        }
        for p in self.cx.jobs.report.poll() {
            if signed_in {
                self.tabs.reports.polled(&mut self.cx, p);
            }
        }
        for p in self.cx.jobs.backup.poll() {
            match p {
                Polled::Done(Some(outcome)) => self.daily_backup_done(outcome),
                Polled::Lost => self.cx.say(Level::Warn, t!("backup.daily.lost")),
                _ => {}
            }
        }
    }
}
