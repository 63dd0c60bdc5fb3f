//! Console state and `update`: keys become actions through the keymap;
//! actions change state and reload view data. Drawing is in `ui`.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use super::keymap::{Action, Context, Keymap};
use super::views::{
    AlertsView, DetailView, MarView, PharmacyView, RxView, StockView, load_alerts, ward_needs,
};
use crate::domain::PlaceKind;
use crate::ops::{Actor, auth};
use crate::store::Store;
use crate::store::queries::{self, Place};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Tab {
    Prescriptions,
    Administration,
    Stock,
    Pharmacy,
    Alerts,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Prescriptions,
        Tab::Administration,
        Tab::Stock,
        Tab::Pharmacy,
        Tab::Alerts,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Prescriptions => "Prescriptions",
            Tab::Administration => "Administration",
            Tab::Stock => "Ward stock",
            Tab::Pharmacy => "Pharmacy",
            Tab::Alerts => "Alerts",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// Selection and scroll of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListSel {
    pub selected: usize,
    pub offset: usize,
}

impl ListSel {
    /// Moves by `delta` rows in a list of `len`, keeping the selection in a
    /// window of `height` rows.
    pub fn move_by(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = ListSel::default();
            return;
        }
        let max = len - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max as isize) as usize;
        self.fit(len, height);
    }

    pub fn fit(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

#[derive(Debug, Default)]
pub struct SignIn {
    pub user: Input,
    pub pin: Input,
    pub on_pin: bool,
}

pub struct App {
    store: Store,
    pub keymap: Keymap,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub actor: Option<Actor>,
    pub signin: SignIn,
    pub tab: Tab,
    pub places: Vec<Place>,
    pub place: usize,
    pub picker: Option<usize>,
    pub help: bool,
    pub status: Option<(Level, String)>,
    pub quit: bool,
    pub demo_hint: Option<String>,

    pub stock: StockView,
    pub filter: Input,
    pub filtered: Vec<usize>,
    pub stock_sel: ListSel,
    pub detail: Option<DetailView>,
    pub detail_scroll: usize,

    pub rx: RxView,
    pub rx_sel: ListSel,
    pub mar: MarView,
    pub mar_sel: ListSel,
    /// A patient's record open over the Administration tab.
    pub patient: Option<crate::store::queries::PatientRecord>,
    pub patient_scroll: usize,
    pub pharmacy: PharmacyView,
    pub pharm_sel: ListSel,
    /// The replenishment plan, open over the Pharmacy tab.
    pub plan: Option<super::views::PlanView>,
    pub plan_sel: ListSel,
    /// The plan shows the selected item's chart instead of the exceptions.
    pub plan_chart: bool,
    /// A plan being computed on its own connection, so keys stay answered.
    plan_job: Option<std::sync::mpsc::Receiver<Result<super::views::PlanView, String>>>,
    /// A decision was taken while a plan was being computed: its result is
    /// out of date when it arrives, and the plan is made again.
    plan_stale: bool,
    /// The policy simulation on the Pharmacy tab, its progress, and the drug charted.
    pub sim: Option<crate::planning::sim::SimResult>,
    pub sim_progress: Option<(usize, usize)>,
    pub sim_drug: usize,
    sim_job: Option<std::sync::mpsc::Receiver<SimMsg>>,
    /// The hospital-wide warning list being read on its own connection.
    alerts_job: Option<std::sync::mpsc::Receiver<Result<AlertsView, String>>>,
    /// Long reads (the hospital-wide plan) run in the background (the
    /// terminal sets this; tests compute in place).
    pub background_jobs: bool,
    /// The transfer order whose pick list is open on the Pharmacy tab.
    pub order: Option<crate::ops::stock::TransferOrder>,
    pub alerts: AlertsView,
    pub alerts_sel: ListSel,

    /// What each tab's view was loaded from: (place, data stamp). A tab is
    /// reloaded only when its place or the data changed, or on refresh.
    loaded: std::collections::HashMap<Tab, (i64, (i64, chrono::NaiveDate))>,
    /// Writes made through this console (other connections show in `data_version`).
    pub local_writes: i64,
    /// Where Esc goes back to after an alert opened an item elsewhere.
    pub return_to: Option<(Tab, usize)>,

    /// Scanner bursts: the detector, and the state before the burst began
    /// (keys of a burst act as typed until Enter shows it was a scan).
    detector: super::scan::Detector,
    before_burst: Option<Snapshot>,
    /// The clock of `on_key` (keys a second apart: typed, never a scan).
    key_clock: std::time::Duration,
    /// A scanned GTIN no item knows, waiting to be linked (F6).
    pub pending_gtin: Option<String>,
    /// The lot of the last scan, marked in the item's lots.
    pub scanned_lot: Option<String>,
    /// The character this site's scanners send instead of the group separator.
    pub scan_separator: Option<char>,
    /// The operations menu of an item (F3), with its selection.
    pub op_menu: Option<(Vec<crate::domain::roles::Operation>, usize)>,
    /// An open operation form.
    pub form: Option<super::form::Form>,
    /// Site settings (warning thresholds, scanner, receiving).
    pub settings: crate::config::Settings,
}

/// What a scanner burst may have changed before it was recognised.
#[derive(Debug, Clone)]
struct Snapshot {
    tab: Tab,
    place: usize,
    filter: String,
    help: bool,
    picker: Option<usize>,
    stock_sel: ListSel,
    status: Option<(Level, String)>,
    form: Option<super::form::Form>,
    op_menu: Option<(Vec<crate::domain::roles::Operation>, usize)>,
}

/// Rows of chrome around the body: title, tabs, status line, key bar.
pub const FRAME_ROWS: u16 = 4;

impl App {
    pub fn new(store: Store, keymap: Keymap, now: DateTime<Utc>, size: (u16, u16)) -> App {
        let demo_hint = queries::setting(&store.conn, "demo_scale")
            .ok()
            .flatten()
            .map(|_| {
                format!(
                    "Demo: nurse, manager, pharm, store, admin · PIN {}",
                    crate::demo::DEMO_PIN
                )
            });
        App {
            store,
            keymap,
            now,
            size,
            actor: None,
            signin: SignIn::default(),
            tab: Tab::Stock,
            places: Vec::new(),
            place: 0,
            picker: None,
            help: false,
            status: None,
            quit: false,
            demo_hint,
            stock: StockView::default(),
            filter: Input::default(),
            filtered: Vec::new(),
            stock_sel: ListSel::default(),
            detail: None,
            detail_scroll: 0,
            rx: RxView::default(),
            rx_sel: ListSel::default(),
            mar: MarView::default(),
            mar_sel: ListSel::default(),
            patient: None,
            patient_scroll: 0,
            pharmacy: PharmacyView::default(),
            pharm_sel: ListSel::default(),
            plan: None,
            plan_sel: ListSel::default(),
            plan_chart: false,
            plan_job: None,
            plan_stale: false,
            sim: None,
            sim_progress: None,
            sim_drug: 0,
            sim_job: None,
            alerts_job: None,
            background_jobs: false,
            order: None,
            alerts: AlertsView::default(),
            alerts_sel: ListSel::default(),
            loaded: std::collections::HashMap::new(),
            local_writes: 0,
            return_to: None,
            detector: Default::default(),
            before_burst: None,
            key_clock: std::time::Duration::ZERO,
            pending_gtin: None,
            scanned_lot: None,
            scan_separator: None,
            op_menu: None,
            form: None,
            settings: crate::config::Settings::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The item selected in the Ward stock list.
    pub fn selected_line(&self) -> Option<crate::store::queries::StockLine> {
        self.filtered
            .get(self.stock_sel.selected)
            .and_then(|&i| self.stock.lines.get(i))
            .cloned()
    }

    pub fn current_place(&self) -> Option<&Place> {
        self.places.get(self.place)
    }

    /// The ward shown by the ward-bound tabs: the selected place if it is a ward.
    pub fn current_ward(&self) -> Option<&Place> {
        self.current_place().filter(|p| p.kind == PlaceKind::Ward)
    }

    fn say(&mut self, level: Level, msg: impl Into<String>) {
        self.status = Some((level, msg.into()));
    }

    /// Rows available to a list on the current tab, given its own header rows.
    pub fn list_rows(&self, header_rows: u16) -> usize {
        self.size.1.saturating_sub(FRAME_ROWS + header_rows).max(1) as usize
    }

    pub fn contexts(&self) -> Vec<Context> {
        if self.actor.is_none() {
            vec![Context::Signin]
        } else if self.tab == Tab::Stock && self.detail.is_some() {
            vec![Context::Detail, Context::Global]
        } else if self.tab == Tab::Pharmacy && self.order.is_some() {
            vec![Context::Order, Context::Global]
        } else if self.tab == Tab::Pharmacy && (self.sim.is_some() || self.sim_progress.is_some()) {
            vec![Context::Sim, Context::Global]
        } else if self.tab == Tab::Pharmacy && self.plan.is_some() {
            vec![Context::Plan, Context::Global]
        } else {
            vec![Context::List, Context::Global]
        }
    }

    /// Whether the key bar should offer an action on the current screen.
    pub fn offers(&self, action: Action) -> bool {
        match action {
            Action::Open => match self.tab {
                Tab::Stock | Tab::Alerts | Tab::Pharmacy => true,
                Tab::Prescriptions => self.validation_target().is_some(),
                Tab::Administration => self.dose_target().is_some(),
            },
            Action::ClearFilter => self.tab == Tab::Stock && !self.filter.value().is_empty(),
            Action::LinkGtin => self.pending_gtin.is_some() && self.tab == Tab::Stock,
            Action::Group => self.tab == Tab::Administration && !self.mar.slots.is_empty(),
            Action::Replenish => self.tab == Tab::Pharmacy && self.order.is_none(),
            Action::Simulate => self.tab == Tab::Pharmacy && self.order.is_none(),
            Action::Chart => self.plan.is_some(),
            Action::Patient => self.tab == Tab::Administration && self.mar_slot().is_some(),
            Action::Operations => self.tab == Tab::Stock,
            Action::Dispatch | Action::ConfirmReceipt => {
                use crate::domain::roles::{Operation, may};
                let op = if action == Action::Dispatch {
                    Operation::Dispatch
                } else {
                    Operation::ConfirmReceipt
                };
                let status = if action == Action::Dispatch {
                    "open"
                } else {
                    "in_transit"
                };
                self.actor.as_ref().is_some_and(|a| may(a.role, op))
                    && self.order.as_ref().is_some_and(|o| o.status == status)
            }
            _ => true,
        }
    }

    pub fn tick(&mut self, now: DateTime<Utc>) {
        let day = |t: DateTime<Utc>| t.with_timezone(&chrono::Local).date_naive();
        let new_day = day(now) != day(self.now);
        self.now = now;
        // Expiry marks and usable stock change at midnight.
        if new_day && self.actor.is_some() {
            self.reload();
        }
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.fit_lists();
    }

    /// A key typed by a person (tests, replays): never part of a scan burst.
    pub fn on_key(&mut self, ev: KeyEvent) {
        self.key_clock += std::time::Duration::from_secs(1);
        self.on_key_at(ev, self.key_clock);
    }

    /// A key at a moment of a monotonic clock; fast bursts ending in Enter are scans.
    pub fn on_key_at(&mut self, ev: KeyEvent, at: std::time::Duration) {
        use super::scan::Seen;
        if self.actor.is_none() {
            self.signin_key(ev);
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
            place: self.place,
            filter: self.filter.value().to_string(),
            help: self.help,
            picker: self.picker,
            stock_sel: self.stock_sel,
            status: self.status.clone(),
            form: self.form.clone(),
            op_menu: self.op_menu.clone(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.form = s.form;
        self.op_menu = s.op_menu;
        self.help = s.help;
        self.picker = s.picker;
        self.status = s.status;
        if self.place != s.place || self.tab != s.tab {
            self.place = s.place;
            self.tab = s.tab;
            self.reload();
        }
        self.filter = Input::default().with_value(s.filter);
        self.filtered = self.stock.filter(self.filter.value());
        self.stock_sel = s.stock_sel;
        self.fit_lists();
    }

    /// Scanned data, on whatever screen is open: the pack's item opens in
    /// Ward stock at the current place with its lot marked.
    pub fn scan(&mut self, data: &str) {
        use crate::ops::stock;
        self.help = false;
        self.picker = None;
        // In a dose form, what is not a product barcode is the wristband.
        if let Some(form) = self
            .form
            .as_mut()
            .filter(|f| f.op == crate::domain::roles::Operation::Administer)
        {
            let today = self.now.with_timezone(&chrono::Local).date_naive();
            let product = crate::gs1::parse(
                data,
                crate::gs1::Options {
                    separator: self.scan_separator,
                    today,
                },
            )
            .ok()
            .filter(|g| g.gtin.is_some());
            if product.is_none() {
                form.set("Wristband", data.trim());
                // The wrong patient is said at once, not after the whole form.
                if let Some(expected) = form.patient_mrn.as_deref()
                    && !data.trim().eq_ignore_ascii_case(expected)
                {
                    form.error = Some(format!(
                        "WRONG PATIENT: this wristband is {}, the dose is for {expected} — stop",
                        data.trim()
                    ));
                    return;
                }
                if form.value("Lot").is_empty() {
                    form.focus_on("Lot");
                }
                form.error = None;
                return;
            }
        }
        let today = self.now.with_timezone(&chrono::Local).date_naive();
        let g = match crate::gs1::parse(
            data,
            crate::gs1::Options {
                separator: self.scan_separator,
                today,
            },
        ) {
            Ok(g) => g,
            Err(e) => {
                self.say(Level::Error, format!("Scan not understood: {e}"));
                return;
            }
        };
        let Some(gtin) = g.gtin.clone() else {
            self.say(
                Level::Warn,
                "The scan carries no product code (GTIN): scan the product barcode of the pack",
            );
            return;
        };
        let item = match stock::item_by_gtin(&self.store.conn, &gtin) {
            Ok(i) => i,
            Err(stock::StockError::UnknownGtin(_)) => {
                let may_link = self.actor.as_ref().is_some_and(|a| {
                    crate::domain::roles::may(a.role, crate::domain::roles::Operation::LinkGtin)
                });
                if may_link {
                    self.pending_gtin = Some(gtin.clone());
                    self.tab = Tab::Stock;
                    self.detail = None;
                    self.reload();
                    let key = self.keymap.keys_for(Context::List, Action::LinkGtin);
                    self.say(
                        Level::Warn,
                        format!(
                            "Unknown barcode {gtin}: select its item and press {key} to link it"
                        ),
                    );
                } else {
                    self.say(Level::Warn, format!("Unknown barcode {gtin}: ask a pharmacist or storekeeper to link it to an item"));
                }
                return;
            }
            Err(e) => {
                self.say(Level::Error, e.to_string());
                return;
            }
        };
        if let Some(form) = self.form.as_mut() {
            if form.op == crate::domain::roles::Operation::Administer {
                // The prescribed product or an allowed alternative, at its own strength.
                let allowed = form
                    .rx_id
                    .and_then(|rx| crate::ops::rx::allowed_products(&self.store.conn, rx).ok())
                    .unwrap_or_default();
                if !allowed.contains(&item.id) {
                    form.error = Some(format!(
                        "Wrong drug: that pack is {}, not the prescribed {}",
                        item.name, form.item.name
                    ));
                    return;
                }
                form.pack_item = Some(item.id);
                if item.id != form.item.id
                    && let Some(units) = crate::store::queries::units_for_dose(
                        &self.store.conn,
                        form.rx_id.unwrap_or(0),
                        item.id,
                    )
                {
                    form.set("Units", &units.to_string());
                }
                if let Some(lot) = &g.lot {
                    form.set("Lot", lot);
                }
                if form.value("Route OK").is_empty() {
                    form.focus_on("Route OK");
                }
                form.error = None;
                return;
            }
            if form.item.id != item.id {
                form.error = Some(format!(
                    "That pack is {}, not {}",
                    item.name, form.item.name
                ));
                return;
            }
            if let Some(lot) = &g.lot {
                form.set("Lot", lot);
            }
            if let Some(e) = g.expiry {
                form.set("Expiry", &e.to_string());
            }
            // On to the first field the scan did not fill (the quantity).
            if let Some(i) = form
                .fields
                .iter()
                .position(|f| !matches!(f.label, "Lot" | "Expiry") && f.input.value().is_empty())
            {
                form.focus = i;
            }
            form.error = None;
            return;
        }
        if self.tab == Tab::Pharmacy && self.order.as_ref().is_some_and(|o| o.status == "open") {
            self.scan_pick(&g, &item);
            return;
        }
        self.scanned_lot = g.lot.clone();
        self.tab = Tab::Stock;
        self.detail = None;
        self.return_to = None;
        self.filter = Input::default().with_value(item.code.clone());
        self.reload();
        let place = self
            .current_place()
            .map(|p| p.code.clone())
            .unwrap_or_default();
        let Some(pos) = self
            .filtered
            .iter()
            .position(|&i| self.stock.lines[i].item_id == item.id)
        else {
            self.say(
                Level::Warn,
                format!("Scanned {} — not stocked at {place}", item.name),
            );
            return;
        };
        self.stock_sel = ListSel {
            selected: pos,
            offset: 0,
        };
        self.open();
        let lot = g.lot.as_deref().unwrap_or("");
        let here = self
            .detail
            .as_ref()
            .and_then(|d| d.lots.iter().find(|l| l.lot_number == lot).cloned());
        let exp = g.expiry.map(|e| format!(" exp {e}")).unwrap_or_default();
        // The expiry that counts is the earlier of the label's and the one recorded for the lot.
        let recorded = here.as_ref().and_then(|l| l.expiry);
        let expired = [g.expiry, recorded]
            .into_iter()
            .flatten()
            .filter(|e| *e < today)
            .min();
        if let (Some(label), Some(rec)) = (g.expiry, recorded)
            && label != rec
        {
            self.say(
                Level::Error,
                format!("Scanned {} lot {lot}: the pack says expiry {label} but the lot is recorded with {rec} — set the pack aside and ask the pharmacy", item.name),
            );
            return;
        }
        let (level, msg) = match (expired, here) {
            (Some(e), _) => (
                Level::Error,
                format!(
                    "Scanned {} lot {lot}: EXPIRED on {e} — do not use; dispose of it",
                    item.name
                ),
            ),
            (None, Some(l)) if l.status != crate::domain::LotStatus::Ok => (
                Level::Error,
                format!(
                    "Scanned {} lot {lot}{exp}: {} — do not use",
                    item.name,
                    l.status.as_ref().to_uppercase()
                ),
            ),
            (None, Some(l)) => (
                Level::Info,
                format!(
                    "Scanned {} lot {lot}{exp}: {} {} at {place}",
                    item.name, l.qty, item.dose_unit
                ),
            ),
            (None, None) if lot.is_empty() => (Level::Info, format!("Scanned {}", item.name)),
            (None, None) => (
                Level::Warn,
                format!(
                    "Scanned {} lot {lot}{exp}: none of this lot at {place}",
                    item.name
                ),
            ),
        };
        self.say(level, msg);
    }

    /// The item the operations menu acts on: the open item, or the selected one.
    fn op_item(&self) -> Option<crate::store::queries::StockLine> {
        if self.tab != Tab::Stock {
            return None;
        }
        match &self.detail {
            Some(d) => d.line.clone(),
            None => self.selected_line(),
        }
    }

    fn open_menu(&mut self) {
        let (Some(actor), Some(place)) = (self.actor.as_ref(), self.current_place()) else {
            return;
        };
        if self.op_item().is_none() {
            self.say(Level::Warn, "Select an item in Ward stock first");
            return;
        }
        if place.kind == PlaceKind::Transit {
            self.say(
                Level::Warn,
                "Goods in transit are handled on their transfer order (Pharmacy tab)",
            );
            return;
        }
        let ops: Vec<_> = super::form::menu(
            place.kind == PlaceKind::Pharmacy,
            self.stock.stocktake.is_some(),
        )
        .into_iter()
        .filter(|op| crate::domain::roles::may(actor.role, *op))
        .collect();
        if ops.is_empty() {
            self.say(
                Level::Warn,
                format!("A {} has no stock operations here", actor.role.label()),
            );
            return;
        }
        self.op_menu = Some((ops, 0));
    }

    fn menu_key(&mut self, ev: KeyEvent) {
        let Some((ops, sel)) = self.op_menu.clone() else {
            return;
        };
        match ev.code {
            KeyCode::Up => self.op_menu = Some((ops, sel.saturating_sub(1))),
            KeyCode::Down => self.op_menu = Some((ops.clone(), (sel + 1).min(ops.len() - 1))),
            KeyCode::Esc => self.op_menu = None,
            KeyCode::Enter => {
                self.op_menu = None;
                let Some(line) = self.op_item() else { return };
                let Ok(item) = crate::ops::stock::item_by_code(&self.store.conn, &line.code) else {
                    return;
                };
                // Prefill the lot: the scanned one, else the first (FEFO) lot here.
                let lot = self
                    .scanned_lot
                    .clone()
                    .filter(|l| {
                        self.detail
                            .as_ref()
                            .is_some_and(|d| d.lots.iter().any(|x| &x.lot_number == l))
                    })
                    .or_else(|| {
                        self.detail
                            .as_ref()
                            .and_then(|d| d.lots.first().map(|l| l.lot_number.clone()))
                    })
                    .unwrap_or_default();
                let place = self.stock.place_id;
                let mut form = super::form::Form::new(ops[sel], item, place, &lot);
                if let Some(st) = &self.stock.stocktake {
                    let counted = st.lines.iter().filter(|l| l.counted.is_some()).count();
                    let variances: Vec<i64> = st
                        .lines
                        .iter()
                        .filter_map(|l| l.variance())
                        .filter(|v| *v != 0)
                        .collect();
                    let moved = st
                        .lines
                        .iter()
                        .filter(|l| l.counted.is_some() && l.moved())
                        .count();
                    form.note = Some(format!(
                        "ST-{}: {counted} of {} lines counted, {} variance(s) totalling {:+} units, {moved} moved since counted",
                        st.id,
                        st.lines.len(),
                        variances.len(),
                        variances.iter().sum::<i64>()
                    ));
                    // The variances themselves, so the approver sees what will change.
                    let lines: Vec<String> = st
                        .lines
                        .iter()
                        .filter_map(|l| {
                            l.variance()
                                .filter(|v| *v != 0)
                                .map(|v| format!("{} {} {v:+}", l.item_code, l.lot_number))
                        })
                        .take(6)
                        .collect();
                    if !lines.is_empty()
                        && let Some(n) = form.note.as_mut()
                    {
                        n.push_str(&format!(": {}", lines.join(", ")));
                    }
                }
                self.form = Some(form);
            }
            KeyCode::Char(c) if c.is_ascii_digit() => {
                let n = c.to_digit(10).unwrap_or(0) as usize;
                if (1..=ops.len()).contains(&n) {
                    self.op_menu = Some((ops, n - 1));
                    self.menu_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
                }
            }
            _ => {}
        }
    }

    fn form_key(&mut self, ev: KeyEvent) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        match ev.code {
            KeyCode::Esc => {
                self.form = None;
                self.say(Level::Info, "Cancelled: nothing was recorded");
            }
            KeyCode::Tab | KeyCode::Down => {
                form.next_field();
            }
            KeyCode::BackTab | KeyCode::Up => form.prev_field(),
            // Enter moves to the next field; on the last one it records.
            KeyCode::Enter if !form.next_field() => self.submit_form(),
            KeyCode::Char(c) if (ev.modifiers - KeyModifiers::SHIFT).is_empty() => {
                form.type_key(InputRequest::InsertChar(c))
            }
            KeyCode::Backspace => form.type_key(InputRequest::DeletePrevChar),
            KeyCode::Delete => form.type_key(InputRequest::DeleteNextChar),
            KeyCode::Left => form.type_key(InputRequest::GoToPrevChar),
            KeyCode::Right => form.type_key(InputRequest::GoToNextChar),
            _ => {}
        }
    }

    /// Runs the form's operation; a refusal stays in the form to be corrected.
    fn submit_form(&mut self) {
        use crate::domain::roles::Operation as Op;
        use crate::ops::stock;
        let (Some(form), Some(actor)) = (self.form.clone(), self.actor.clone()) else {
            return;
        };
        let now = self.now;
        let conn_place = stock::place_by_code(
            &self.store.conn,
            &self
                .current_place()
                .map(|p| p.code.clone())
                .unwrap_or_default(),
        );
        let result: Result<String, String> = (|| {
            let place = conn_place.map_err(|e| e.to_string())?;
            let item = &form.item;
            let unit = &item.dose_unit;
            let lot = form.value("Lot").to_string();
            let qty = |label: &str| -> Result<i64, String> {
                form.number(label)?
                    .ok_or_else(|| format!("{label} is required"))
            };
            let e = |x: stock::StockError| x.to_string();
            match form.op {
                Op::Receive => {
                    let line = form.receive_line()?;
                    let units = line.qty;
                    let r = stock::receive(
                        &mut self.store,
                        &actor,
                        now,
                        &line,
                        self.settings.receiving.short_dated_days,
                    )
                    .map_err(e)?;
                    let short = r.warnings();
                    Ok(format!(
                        "Received {units} {unit} of {} lot {lot}{short}",
                        item.name
                    ))
                }
                Op::RejectReceipt => {
                    let line = form.receive_line()?;
                    let units = line.qty;
                    stock::reject_receipt(
                        &mut self.store,
                        &actor,
                        now,
                        &line,
                        form.value("Reason"),
                    )
                    .map_err(e)?;
                    Ok(format!(
                        "Rejected {units} {unit} of {} lot {lot}: recorded, nothing entered stock",
                        item.name
                    ))
                }
                Op::Issue => {
                    let q = qty("Quantity")?;
                    let lot = Some(lot.as_str()).filter(|l| !l.is_empty());
                    let reason = Some(form.value("Reason")).filter(|r| !r.is_empty());
                    let t =
                        stock::issue(&mut self.store, &actor, now, &place, item, q, lot, reason)
                            .map_err(e)?;
                    let lots: Vec<String> = t
                        .iter()
                        .map(|x| format!("{}×{}", x.lot_number, x.qty))
                        .collect();
                    Ok(format!(
                        "Issued {q} {unit} of {} ({})",
                        item.name,
                        lots.join(", ")
                    ))
                }
                Op::Waste => {
                    let q = qty("Quantity")?;
                    let why: stock::WasteReason = form.value("Reason").parse().map_err(|_| {
                        "Reason must be expired, damaged, contaminated or other".to_string()
                    })?;
                    let note = Some(form.value("Note")).filter(|n| !n.is_empty());
                    stock::waste(
                        &mut self.store,
                        &actor,
                        now,
                        &place,
                        item,
                        &lot,
                        q,
                        why,
                        note,
                    )
                    .map_err(e)?;
                    Ok(format!(
                        "Disposed of {q} {unit} of {} lot {lot} ({})",
                        item.name,
                        why.as_ref()
                    ))
                }
                Op::Return => {
                    let q = qty("Quantity")?;
                    stock::return_to_pharmacy(
                        &mut self.store,
                        &actor,
                        now,
                        &place,
                        item,
                        &lot,
                        q,
                        form.value("Reason"),
                    )
                    .map_err(e)?;
                    Ok(format!(
                        "Returned {q} {unit} of {} lot {lot} to the pharmacy",
                        item.name
                    ))
                }
                Op::RequestTransfer => {
                    let q = qty("Quantity")?;
                    let id = stock::request_transfer(
                        &mut self.store,
                        &actor,
                        now,
                        &place,
                        &[(item.clone(), q)],
                        None,
                    )
                    .map_err(e)?;
                    Ok(format!(
                        "Requested {q} {unit} of {} from the pharmacy: order TO-{id}",
                        item.name
                    ))
                }
                Op::Quarantine | Op::Release | Op::Recall => {
                    let reason = form.value("Reason").to_string();
                    let h = match form.op {
                        Op::Quarantine => {
                            stock::quarantine(&mut self.store, &actor, now, item, &lot, &reason)
                        }
                        Op::Release => {
                            stock::release(&mut self.store, &actor, now, item, &lot, &reason)
                        }
                        _ => stock::recall(&mut self.store, &actor, now, item, &lot, &reason),
                    }
                    .map_err(e)?;
                    let where_: Vec<String> =
                        h.iter().map(|x| format!("{} {}", x.qty, x.place)).collect();
                    let done = match form.op {
                        Op::Quarantine => "quarantined",
                        Op::Release => "released",
                        _ => "recalled",
                    };
                    Ok(format!(
                        "Lot {lot} of {} {done} everywhere; units: {}",
                        item.name,
                        if where_.is_empty() {
                            "none in stock".into()
                        } else {
                            where_.join(", ")
                        }
                    ))
                }
                Op::StartStocktake => {
                    let id = stock::start_stocktake(
                        &mut self.store,
                        &actor,
                        now,
                        &place,
                        form.value("Items"),
                    )
                    .map_err(e)?;
                    let st = stock::stocktake(&self.store.conn, id).map_err(e)?;
                    Ok(format!(
                        "Stocktake ST-{id} started: {} lot line(s) to count; F3 → Count (a scan fills the lot)",
                        st.lines.len()
                    ))
                }
                Op::Count => {
                    let n = qty("Counted")?;
                    let id = self
                        .stock
                        .stocktake
                        .as_ref()
                        .map(|s| s.id)
                        .ok_or("no stocktake is open here")?;
                    let c =
                        stock::count(&mut self.store, &actor, now, id, item, &lot, n).map_err(e)?;
                    let var = c.variance().map(|v| format!("{v:+}")).unwrap_or_default();
                    Ok(format!(
                        "Counted {} lot {}: {n} (expected {}, {var})",
                        item.name, c.lot_number, c.expected
                    ))
                }
                Op::ApproveStocktake => {
                    let id = self
                        .stock
                        .stocktake
                        .as_ref()
                        .map(|s| s.id)
                        .ok_or("no stocktake is open here")?;
                    let lines =
                        stock::approve_stocktake(&mut self.store, &actor, now, id).map_err(e)?;
                    let adjusted = lines.iter().filter(|l| l.variance() != Some(0)).count();
                    Ok(format!(
                        "Stocktake ST-{id} approved: {} line(s), {adjusted} adjusted",
                        lines.len()
                    ))
                }
                Op::Administer => {
                    use crate::ops::mar::{self, DoseInput, Outcome};
                    let outcome: Outcome = form.value("Outcome").parse().map_err(|_| {
                        "Outcome: given, partially_given, held, refused or not_given_supply"
                            .to_string()
                    })?;
                    let reason = Some(form.value("Reason").to_string()).filter(|r| !r.is_empty());
                    let timing = Some(form.value("Timing").to_string()).filter(|r| !r.is_empty());
                    // A second user signs in with their PIN (wrong PINs count towards their lock).
                    let mut second =
                        |user: &str, pin: &str| -> Result<Option<crate::ops::Actor>, String> {
                            if user.is_empty() {
                                return Ok(None);
                            }
                            crate::ops::auth::sign_in(&mut self.store, user, pin, now)
                                .map(Some)
                                .map_err(|e| e.to_string())
                        };
                    let witness = second(form.value("Witness"), form.value("Witness PIN"))?;
                    let double_check = second(form.value("Checked by"), form.value("Check PIN"))?;
                    let input = DoseInput {
                        rx_id: form.rx_id.ok_or("no dose selected")?,
                        scheduled_at: form.scheduled_at,
                        outcome,
                        // A date typed instead of a scan: the date of birth confirmed
                        // with the patient whose name the form shows.
                        patient_mrn: Some(form.value("Wristband").trim().to_string()).filter(|m| {
                            !m.is_empty()
                                && chrono::NaiveDate::parse_from_str(m, "%Y-%m-%d").is_err()
                        }),
                        patient_dob: chrono::NaiveDate::parse_from_str(
                            form.value("Wristband").trim(),
                            "%Y-%m-%d",
                        )
                        .ok(),
                        pack: (!lot.is_empty())
                            .then(|| (form.pack_item.unwrap_or(item.id), lot.clone())),
                        units: form.number("Units")?.unwrap_or(0),
                        route_confirmed: matches!(
                            form.value("Route OK").to_lowercase().as_str(),
                            "yes" | "y"
                        ),
                        timing_reason: timing,
                        reason,
                        witness,
                        double_check,
                    };
                    let r = mar::administer(&mut self.store, &actor, now, &input)
                        .map_err(|e| e.to_string())?;
                    let msg = format!("{}: {}", item.name, r.summary());
                    Ok(msg)
                }
                Op::ValidatePrescription => {
                    use crate::ops::rx::{self, Decision};
                    let id = form.rx_id.ok_or("no prescription selected")?;
                    let text = form.value("Comment").to_string();
                    let decision = match form.value("Decision").to_lowercase().as_str() {
                        "accept" | "a" => Decision::Accept {
                            comment: Some(text).filter(|t| !t.is_empty()),
                        },
                        "reject" | "r" => Decision::Reject { reason: text },
                        other => {
                            return Err(format!("Decision: type accept or reject, not {other:?}"));
                        }
                    };
                    let accepted = matches!(decision, Decision::Accept { .. });
                    rx::validate(&mut self.store, &actor, now, id, &decision)
                        .map_err(|e| e.to_string())?;
                    Ok(if accepted {
                        format!("Prescription {id} validated: {} is active", item.name)
                    } else {
                        format!(
                            "Prescription {id} rejected; the reason is recorded for the prescriber"
                        )
                    })
                }
                Op::Plan => {
                    let s = form.suggestion.clone().ok_or("no suggestion selected")?;
                    match form.value("Decision").to_lowercase().as_str() {
                        "accept" | "a" => {
                            let q = qty("Qty")?;
                            let a = crate::ops::plan::accept(
                                &mut self.store,
                                &actor,
                                now,
                                &s,
                                Some(q),
                                crate::ops::plan::PlanOptions::default(),
                            )
                            .map_err(|x| x.to_string())?;
                            Ok(format!(
                                "Accepted: {} {} for {} → {}{}",
                                a.qty,
                                item.name,
                                s.place,
                                a.order_ref,
                                a.warning().map(|w| format!(" — {w}")).unwrap_or_default()
                            ))
                        }
                        "reject" | "r" => {
                            crate::ops::plan::reject(
                                &mut self.store,
                                &actor,
                                now,
                                &s,
                                form.value("Reason"),
                            )
                            .map_err(|x| x.to_string())?;
                            Ok(format!("Rejected: {} {} for {}", s.qty, item.name, s.place))
                        }
                        other => Err(format!("Decision: type accept or reject, not {other:?}")),
                    }
                }
                _ => Err("this operation is not available here".into()),
            }
        })();
        match result {
            Ok(msg) => {
                self.form = None;
                self.local_writes += 1;
                self.reload();
                if form.op == Op::Plan {
                    // The decided suggestion leaves the list at once; the
                    // accepted order is on its way: plan again.
                    if let (Some(p), Some(s)) = (self.plan.as_mut(), form.suggestion.as_ref()) {
                        p.rows.retain(|r| &r.s != s);
                    }
                    self.open_plan();
                }
                self.say(Level::Info, msg);
            }
            Err(msg) => {
                if let Some(f) = self.form.as_mut() {
                    f.error = Some(msg);
                }
            }
        }
    }

    /// Plans replenishment for the whole hospital from the database now.
    /// In the background on its own read connection when the terminal runs,
    /// so the screen keeps answering while a large hospital is planned.
    fn open_plan(&mut self) {
        let opt = crate::ops::plan::PlanOptions::default();
        if self.background_jobs {
            if self.plan_job.is_some() {
                self.plan_stale = true;
            } else {
                let path = self.store.path().to_path_buf();
                let now = self.now;
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let result = crate::store::Store::open(&path)
                        .map_err(|e| e.to_string())
                        .and_then(|store| super::views::PlanView::load(&store.conn, now, opt));
                    let _ = tx.send(result);
                });
                self.plan_job = Some(rx);
            }
            self.say(Level::Info, "Planning the whole hospital…");
            return;
        }
        let result = super::views::PlanView::load(&self.store.conn, self.now, opt);
        self.show_plan(result);
    }

    /// Simulates AS IS against TO BE: the current ward's own drugs from its
    /// use, or the paper's case study at the pharmacy; in the background with
    /// its progress when the terminal runs.
    fn start_simulation(&mut self) {
        if self.sim_job.is_some() {
            self.say(Level::Info, "A simulation is already running");
            return;
        }
        let ward = self
            .current_place()
            .filter(|p| p.kind == PlaceKind::Ward)
            .map(|p| p.code.clone());
        let path = self.store.path().to_path_buf();
        let now = self.now;
        let run = move |progress: &mut dyn FnMut(usize, usize)| -> Result<crate::planning::sim::SimResult, String> {
            use crate::planning::sim;
            let scenario = match &ward {
                Some(w) => {
                    let store = crate::store::Store::open(&path).map_err(|e| e.to_string())?;
                    crate::ops::plan::scenario_from_db(&store.conn, w, now).map_err(|e| e.to_string())?
                }
                None => sim::Scenario::paper().map_err(|e| e.to_string())?,
            };
            Ok(sim::simulate(&scenario, &sim::SimOptions::default(), progress))
        };
        self.sim = None;
        self.sim_drug = 0;
        self.sim_progress = Some((0, crate::planning::sim::DEFAULT_REPLICATIONS));
        if self.background_jobs {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let progress_tx = tx.clone();
                let result = run(&mut |done, total| {
                    let _ = progress_tx.send(SimMsg::Progress(done, total));
                });
                let _ = tx.send(SimMsg::Done(Box::new(result)));
            });
            self.sim_job = Some(rx);
            self.say(Level::Info, "Simulating AS IS against TO BE…");
        } else {
            let result = run(&mut |_, _| {});
            self.show_simulation(result);
        }
    }

    fn show_simulation(&mut self, result: Result<crate::planning::sim::SimResult, String>) {
        self.sim_progress = None;
        match result {
            Ok(r) => {
                let msg = match r.saving.percent.as_ref() {
                    Some(p) => format!(
                        "Simulated {} replications of {} days: TO BE saves {:.1} % of AS IS ({:.1} % without the drugs' price)",
                        r.replications,
                        r.days,
                        p.mean,
                        r.saving.operating_percent.as_ref().map_or(0.0, |o| o.mean)
                    ),
                    None => format!(
                        "Simulated {} replications of {} days",
                        r.replications, r.days
                    ),
                };
                self.sim = Some(r);
                self.say(Level::Info, msg);
            }
            Err(e) => self.say(Level::Error, format!("The simulation could not run: {e}")),
        }
    }

    /// Whether the warning list is being read in the background.
    pub fn alerts_loading(&self) -> bool {
        self.alerts_job.is_some()
    }

    /// The warning list, and what the Pharmacy tab shows of it.
    fn apply_alerts(&mut self, alerts: AlertsView) {
        let pharm = self
            .places
            .iter()
            .find(|p| p.kind == PlaceKind::Pharmacy)
            .map(|p| p.id);
        let here = |sev| {
            alerts
                .rows
                .iter()
                .filter(|r| Some(r.alert.place_id) == pharm && r.alert.severity == sev)
                .count()
        };
        self.pharmacy.critical = here(crate::domain::alerts::Severity::Critical);
        self.pharmacy.high = here(crate::domain::alerts::Severity::High);
        self.pharmacy.needs = ward_needs(&alerts, &self.places);
        self.alerts = alerts;
        self.fit_lists();
    }

    /// Takes finished background work (a plan, a simulation's progress).
    pub fn poll_jobs(&mut self) {
        if let Some(rx) = &self.alerts_job {
            match rx.try_recv() {
                Ok(result) => {
                    self.alerts_job = None;
                    match result {
                        Ok(a) if self.actor.is_some() => self.apply_alerts(a),
                        Ok(_) => {}
                        Err(e) => self.say(Level::Error, format!("cannot read the warnings: {e}")),
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.alerts_job = None,
            }
        }
        while let Some(rx) = &self.sim_job {
            match rx.try_recv() {
                Ok(SimMsg::Progress(done, total)) => self.sim_progress = Some((done, total)),
                Ok(SimMsg::Done(result)) => {
                    self.sim_job = None;
                    if self.actor.is_some() && self.sim_progress.is_some() {
                        self.show_simulation(*result);
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.sim_job = None;
                    self.sim_progress = None;
                    self.say(
                        Level::Error,
                        "The simulation stopped before it finished: press F11 again",
                    );
                }
            }
        }
        let Some(rx) = &self.plan_job else { return };
        match rx.try_recv() {
            Ok(result) => {
                self.plan_job = None;
                if std::mem::take(&mut self.plan_stale) {
                    self.open_plan();
                } else if self.actor.is_some() {
                    self.show_plan(result);
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.plan_job = None;
                self.say(
                    Level::Error,
                    "The plan stopped before it finished: press F10 again",
                );
            }
        }
    }

    fn show_plan(&mut self, result: Result<super::views::PlanView, String>) {
        match result {
            Ok(p) => {
                let msg = format!(
                    "Plan: {} suggestion(s), {} exception(s) over 28 days, computed in {} ms",
                    p.rows.len(),
                    p.exceptions.len(),
                    p.millis
                );
                let n = p.rows.len();
                self.plan = Some(p);
                self.plan_sel.selected = self.plan_sel.selected.min(n.saturating_sub(1));
                self.say(Level::Info, msg);
            }
            Err(e) => self.say(Level::Error, format!("The plan could not be computed: {e}")),
        }
    }

    /// The decision form of the selected suggestion (a pharmacist decides).
    fn open_decision(&mut self) {
        let Some(row) = self
            .plan
            .as_ref()
            .and_then(|p| p.rows.get(self.plan_sel.selected))
            .cloned()
        else {
            self.say(Level::Warn, "No suggestion selected");
            return;
        };
        let may = self.actor.as_ref().is_some_and(|a| {
            crate::domain::roles::may(a.role, crate::domain::roles::Operation::Plan)
        });
        if !may {
            self.say(Level::Warn, "A pharmacist accepts or rejects suggestions");
            return;
        }
        let Ok(item) = crate::ops::stock::item_by_code(&self.store.conn, &row.s.item) else {
            return;
        };
        let mut form = super::form::Form::new(crate::domain::roles::Operation::Plan, item, 0, "");
        form.set("Qty", &row.s.qty.to_string());
        form.note = Some(format!(
            "{} {} → {}: release {}, needed {}{} · covers {}",
            row.from,
            row.s.qty,
            row.s.place,
            row.release.format("%d %b"),
            row.receipt.format("%d %b"),
            if row.s.past_due { " · PAST DUE" } else { "" },
            row.covers
        ));
        form.suggestion = Some(row.s.clone());
        self.form = Some(form);
    }

    /// The selected line of the administration list.
    pub fn mar_slot(&self) -> Option<super::views::Slot> {
        self.mar.slots.get(self.mar_sel.selected).copied()
    }

    /// The selected dose (a scheduled dose not recorded yet, or a PRN line)
    /// when a nurse is signed in: (prescription, scheduled time).
    fn dose_target(&self) -> Option<(i64, Option<chrono::DateTime<chrono::Utc>>)> {
        use super::views::Slot;
        let nurse = self.actor.as_ref().is_some_and(|a| {
            crate::domain::roles::may(a.role, crate::domain::roles::Operation::Administer)
        });
        if !nurse {
            return None;
        }
        match self.mar_slot()? {
            Slot::Dose(i) => self
                .mar
                .rows
                .get(i)
                .filter(|r| !r.recorded)
                .map(|r| (r.prescription_id, Some(r.at))),
            Slot::Prn(i) => self.mar.prn.get(i).map(|l| (l.id, None)),
        }
    }

    /// The record of the selected line's patient: allergies, prescriptions, doses with lots.
    fn open_patient(&mut self) {
        let Some(slot) = self.mar_slot() else {
            self.say(Level::Warn, "Select a dose or PRN line to see the patient");
            return;
        };
        let mrn = self.mar.mrn(slot).to_string();
        match crate::store::queries::patient_record(&self.store.conn, &mrn) {
            Ok(Some(rec)) => {
                self.patient = Some(rec);
                self.patient_scroll = 0;
            }
            Ok(None) => self.say(Level::Warn, format!("no patient with MRN {mrn}")),
            Err(e) => self.say(Level::Error, format!("cannot read the patient record: {e}")),
        }
    }

    /// The bedside form of the selected dose: scan the wristband, then the pack.
    fn open_dose(&mut self) {
        let Some((rx_id, at)) = self.dose_target() else {
            self.say(
                Level::Warn,
                "Select a dose that is not recorded yet; a nurse gives doses",
            );
            return;
        };
        let item_id: Option<i64> = self
            .store
            .conn
            .query_row(
                "SELECT item_id FROM prescriptions WHERE id = ?1",
                [rx_id],
                |r| r.get(0),
            )
            .ok();
        let Some(item) =
            item_id.and_then(|id| crate::ops::stock::item_by_id(&self.store.conn, id).ok())
        else {
            return;
        };
        let units =
            crate::store::queries::units_for_dose(&self.store.conn, rx_id, item.id).unwrap_or(1);
        let multi_dose = units == 0;
        // What the nurse sees of the dose: who, what, when and its flags.
        let (head, when) = match self.mar_slot() {
            Some(super::views::Slot::Dose(i)) => {
                let r = &self.mar.rows[i];
                (
                    format!(
                        "{} {} ({}) · {} {}{}",
                        r.bed,
                        r.patient,
                        r.mrn,
                        r.dose,
                        r.route,
                        if r.flags.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", r.flags)
                        }
                    ),
                    format!(
                        "at {} ±{} min",
                        r.at.with_timezone(&chrono::Local).format("%H:%M"),
                        r.window_minutes
                    ),
                )
            }
            Some(super::views::Slot::Prn(i)) => {
                let (l, st) = (&self.mar.prn[i], &self.mar.prn_state[i]);
                let limit = st
                    .max_24h
                    .map(|m| format!("{}/{m} in 24 h", st.given_24h))
                    .unwrap_or_default();
                let next = match st.next_allowed {
                    Some(t) => format!(
                        " · next from {}",
                        t.with_timezone(&chrono::Local).format("%d %b %H:%M")
                    ),
                    None => " · may be given now".to_string(),
                };
                (
                    format!(
                        "{} {} ({}) · {} {} · {}",
                        l.bed.clone().unwrap_or_default(),
                        l.patient,
                        l.mrn,
                        l.dose_text(),
                        l.route,
                        l.indication
                    ),
                    format!("PRN {limit}{next}"),
                )
            }
            None => return,
        };
        let ward = self.current_ward().map(|w| w.id);
        let mut form =
            super::form::Form::new(crate::domain::roles::Operation::Administer, item, 0, "");
        form.rx_id = Some(rx_id);
        form.scheduled_at = at;
        // A dose whose window has closed is most often documented as missed.
        if let Some(super::views::Slot::Dose(i)) = self.mar_slot()
            && self.mar.rows[i].status(self.now) == crate::domain::schedule::DoseStatus::Missed
        {
            form.set("Outcome", "missed");
            form.focus_on("Reason");
        }
        form.patient_mrn = match self.mar_slot() {
            Some(super::views::Slot::Dose(i)) => Some(self.mar.rows[i].mrn.clone()),
            Some(super::views::Slot::Prn(i)) => Some(self.mar.prn[i].mrn.clone()),
            None => None,
        };
        form.set("Units", &units.to_string());
        if multi_dose {
            form.set_hint(
                "Units",
                "multi-dose pack: the dose is drawn from the open pack".into(),
            );
        }
        if let Some(w) = ward {
            use crate::ops::ward::{ReasonKind, reasons};
            let codes = |k: ReasonKind| {
                reasons(&self.store.conn, w, k)
                    .map(|l| {
                        l.iter()
                            .map(|r| r.code.clone())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default()
            };
            form.set_hint(
                "Reason",
                if form.value("Outcome") == "missed" {
                    format!("missed {} · or other: …", codes(ReasonKind::Missed))
                } else {
                    format!(
                        "held {} · refused {}",
                        codes(ReasonKind::Held),
                        codes(ReasonKind::Refused)
                    )
                },
            );
            form.set_hint(
                "Timing",
                format!("{} · or other: …", codes(ReasonKind::Timing)),
            );
        }
        form.note = Some(format!("{head} {when}"));
        self.form = Some(form);
        self.say(Level::Info, "Scan the wristband, then the pack");
    }

    /// The selected prescription, when it awaits validation and a pharmacist is signed in.
    fn validation_target(&self) -> Option<&crate::store::queries::PrescriptionLine> {
        let pharmacist = self.actor.as_ref().is_some_and(|a| {
            crate::domain::roles::may(
                a.role,
                crate::domain::roles::Operation::ValidatePrescription,
            )
        });
        self.rx
            .lines
            .get(self.rx_sel.selected)
            .filter(|l| pharmacist && l.status == "awaiting_validation")
    }

    fn open_validation(&mut self) {
        let Some(line) = self.validation_target().cloned() else {
            self.say(
                Level::Warn,
                "A pharmacist validates prescriptions that await validation: select one",
            );
            return;
        };
        let Ok(item) = crate::ops::stock::item_by_id(&self.store.conn, line.item_id) else {
            return;
        };
        let mut form = super::form::Form::new(
            crate::domain::roles::Operation::ValidatePrescription,
            item,
            0,
            "",
        );
        form.rx_id = Some(line.id);
        let findings = self.rx.findings.get(&line.id).cloned().unwrap_or_default();
        form.note = Some(if findings.is_empty() {
            format!(
                "{} {} · {} {} {} · no findings",
                line.bed.clone().unwrap_or_default(),
                line.patient,
                crate::tui::views::dose_text(&line),
                line.route,
                line.frequency
            )
        } else {
            findings
                .iter()
                .map(|f| format!("! {}", f.message()))
                .collect::<Vec<_>>()
                .join(" ")
        });
        self.form = Some(form);
    }

    fn open_order(&mut self, id: i64) {
        match crate::ops::stock::transfer_order(&self.store.conn, id, self.now) {
            Ok(o) => {
                if o.status == "open" {
                    self.say(
                        Level::Info,
                        format!("Order {id}: scan each pack to pick it"),
                    );
                }
                self.order = Some(o);
            }
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }

    /// Dispatch (pharmacy) or confirm receipt (ward) of the open order.
    fn order_op(&mut self, action: Action) {
        let (Some(order), Some(actor)) = (self.order.as_ref().map(|o| o.id), self.actor.clone())
        else {
            return;
        };
        let result = match action {
            Action::Dispatch => {
                crate::ops::stock::dispatch(&mut self.store, &actor, self.now, order).map(|o| {
                    let open: i64 = o.lines.iter().map(|l| l.open).sum();
                    if let Some(b) = o.backorder {
                        format!(
                            "TO-{order} dispatched; {open} unit(s) not picked go on back-order TO-{b}, open for picking"
                        )
                    } else {
                        format!("Order {order} dispatched complete")
                    }
                })
            }
            _ => crate::ops::stock::confirm_receipt(&mut self.store, &actor, self.now, order).map(
                |t| {
                    let mut msg = format!(
                        "Order {order} received: {} unit(s) now in ward stock",
                        t.iter().map(|x| x.qty).sum::<i64>()
                    );
                    for w in t.iter().filter_map(|x| x.warning.as_ref()) {
                        msg.push_str(&format!(" — WARNING: {}", crate::i18n::results::set_aside(w)));
                    }
                    msg
                },
            ),
        };
        match result {
            Ok(msg) => {
                self.local_writes += 1;
                self.open_order(order);
                self.say(Level::Info, msg);
            }
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }

    /// A pack scanned while a pick list is open: pick one pack of that lot.
    fn scan_pick(&mut self, g: &crate::gs1::Gs1, item: &crate::ops::stock::ItemRef) {
        let (Some(order), Some(actor)) = (self.order.as_ref().map(|o| o.id), self.actor.clone())
        else {
            return;
        };
        let Some(lot) = g.lot.clone() else {
            self.say(
                Level::Warn,
                format!(
                    "The code of {} carries no lot: scan the 2D code of the pack",
                    item.name
                ),
            );
            return;
        };
        match crate::ops::stock::pick(
            &mut self.store,
            &actor,
            self.now,
            order,
            item,
            &lot,
            None,
            true,
        ) {
            Ok(p) => {
                self.local_writes += 1;
                self.open_order(order);
                let mut msg = format!(
                    "Picked {} {} of {} lot {}; {} still open",
                    p.qty, item.dose_unit, item.name, p.lot_number, p.line_open
                );
                let level = match &p.deviation_from {
                    Some(f) => {
                        msg.push_str(&format!(" — not the FEFO lot {f}: deviation recorded"));
                        Level::Warn
                    }
                    None => Level::Info,
                };
                self.say(level, msg);
            }
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }

    fn link_pending_gtin(&mut self) {
        let Some(gtin) = self.pending_gtin.clone() else {
            self.say(
                Level::Warn,
                "No unknown barcode to link: scan the pack first",
            );
            return;
        };
        let Some(line) = self.selected_line() else {
            self.say(
                Level::Warn,
                "Select the item the barcode belongs to, then link it",
            );
            return;
        };
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let result = crate::ops::stock::item_by_code(&self.store.conn, &line.code)
            .and_then(|item| crate::ops::stock::link_gtin(&mut self.store, &actor, &gtin, &item));
        match result {
            Ok(g) => {
                self.pending_gtin = None;
                self.local_writes += 1;
                self.say(
                    Level::Info,
                    format!("Barcode {g} linked to {} ({})", line.name, line.code),
                );
            }
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }

    fn typed_key(&mut self, ev: KeyEvent) {
        // Quitting and signing out work from anywhere, forms included: a
        // shared workstation must never keep someone signed in.
        if (self.form.is_some() || self.op_menu.is_some() || self.picker.is_some())
            && let Some(a @ (Action::Quit | Action::SignOut)) =
                self.keymap.action(&[Context::Global], &ev)
        {
            self.apply(a);
            return;
        }
        if self.form.is_some() {
            self.form_key(ev);
            return;
        }
        if self.op_menu.is_some() {
            self.menu_key(ev);
            return;
        }
        if self.patient.is_some() {
            match self.keymap.action(&[Context::Detail], &ev) {
                Some(Action::Back) => self.patient = None,
                Some(Action::Up) => self.patient_scroll = self.patient_scroll.saturating_sub(1),
                Some(Action::Down) => self.patient_scroll += 1,
                Some(Action::PageUp) => {
                    self.patient_scroll = self.patient_scroll.saturating_sub(10)
                }
                Some(Action::PageDown) => self.patient_scroll += 10,
                Some(Action::Top) => self.patient_scroll = 0,
                _ => {}
            }
            return;
        }
        if self.help {
            // Any key closes the help.
            self.help = false;
            return;
        }
        if let Some(sel) = self.picker {
            self.picker_key(ev, sel);
            return;
        }
        let plain_char =
            matches!(ev.code, KeyCode::Char(_)) && (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        let typing = self.tab == Tab::Stock && self.detail.is_none();
        // While the filter holds text, printable keys are typed into it.
        if typing && plain_char && !self.filter.value().is_empty() {
            self.type_filter(ev);
            return;
        }
        match self.keymap.action(&self.contexts(), &ev) {
            Some(a) => self.apply(a),
            None if typing
                && (plain_char
                    || matches!(
                        ev.code,
                        KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right
                    )) =>
            {
                self.type_filter(ev)
            }
            None => {}
        }
    }

    fn type_filter(&mut self, ev: KeyEvent) {
        let req = match ev.code {
            KeyCode::Char(c) => InputRequest::InsertChar(c),
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right => InputRequest::GoToNextChar,
            _ => return,
        };
        self.filter.handle(req);
        self.refilter();
    }

    fn refilter(&mut self) {
        self.filtered = self.stock.filter(self.filter.value());
        self.stock_sel = ListSel::default();
        self.fit_lists();
    }

    fn signin_key(&mut self, ev: KeyEvent) {
        match self.keymap.action(&[Context::Signin], &ev) {
            Some(Action::Quit) => self.quit = true,
            Some(Action::NextField) => self.signin.on_pin = !self.signin.on_pin,
            Some(Action::Submit) => {
                if !self.signin.on_pin
                    && !self.signin.user.value().trim().is_empty()
                    && self.signin.pin.value().is_empty()
                {
                    self.signin.on_pin = true;
                } else {
                    self.submit_signin();
                }
            }
            _ => {
                let field = if self.signin.on_pin {
                    &mut self.signin.pin
                } else {
                    &mut self.signin.user
                };
                let req = match ev.code {
                    KeyCode::Char(c) if (ev.modifiers - KeyModifiers::SHIFT).is_empty() => {
                        Some(InputRequest::InsertChar(c))
                    }
                    KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
                    KeyCode::Delete => Some(InputRequest::DeleteNextChar),
                    KeyCode::Left => Some(InputRequest::GoToPrevChar),
                    KeyCode::Right => Some(InputRequest::GoToNextChar),
                    KeyCode::Esc => {
                        *field = Input::default();
                        None
                    }
                    _ => None,
                };
                if let Some(r) = req {
                    field.handle(r);
                }
            }
        }
    }

    fn submit_signin(&mut self) {
        let user = self.signin.user.value().trim().to_string();
        if user.is_empty() {
            self.signin.on_pin = false;
            self.say(Level::Warn, "Type your user name, then your PIN");
            return;
        }
        let pin = self.signin.pin.value().to_string();
        if pin.is_empty() {
            self.signin.on_pin = true;
            self.say(Level::Warn, "Type your PIN, then Enter");
            return;
        }
        self.signin.pin = Input::default();
        match auth::sign_in(&mut self.store, &user, &pin, self.now) {
            Ok(actor) => {
                let greeting = format!("Signed in as {} ({})", actor.full_name, actor.role.label());
                self.actor = Some(actor);
                self.signin = SignIn::default();
                self.after_signin();
                self.say(Level::Info, greeting);
            }
            Err(e) => {
                self.signin.on_pin = !matches!(e, auth::SignInError::UnknownUser(_));
                self.say(Level::Error, e.to_string());
            }
        }
    }

    fn after_signin(&mut self) {
        match queries::places(&self.store.conn) {
            Ok(p) => self.places = p,
            Err(e) => self.say(Level::Error, format!("cannot read places: {e}")),
        }
        // Pharmacy staff start at the pharmacy, ward staff at the first ward.
        let pharmacy_side = self.actor.as_ref().is_some_and(|a| {
            matches!(
                a.role,
                crate::domain::Role::Pharmacist | crate::domain::Role::Storekeeper
            )
        });
        let want = if pharmacy_side {
            PlaceKind::Pharmacy
        } else {
            PlaceKind::Ward
        };
        self.place = self.places.iter().position(|p| p.kind == want).unwrap_or(0);
        self.tab = Tab::Stock;
        self.filter = Input::default();
        self.detail = None;
        self.loaded.clear();
        self.reload();
    }

    /// A stamp that changes whenever the data may have: another connection
    /// committed (`PRAGMA data_version`), this console wrote, or the day changed.
    fn data_stamp(&self) -> (i64, chrono::NaiveDate) {
        let version: i64 = self
            .store
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .unwrap_or(-1);
        (
            version + self.local_writes,
            self.now.with_timezone(&chrono::Local).date_naive(),
        )
    }

    /// Reloads the current tab's view unless it is up to date.
    pub fn reload(&mut self) {
        let place = self.current_place().map_or(0, |p| p.id);
        let key = (
            if matches!(self.tab, Tab::Alerts | Tab::Pharmacy) {
                0
            } else {
                place
            },
            self.data_stamp(),
        );
        if self.loaded.get(&self.tab) == Some(&key) {
            if self.tab == Tab::Stock {
                self.filtered = self.stock.filter(self.filter.value());
            }
            self.fit_lists();
            return;
        }
        self.force_reload();
        self.loaded.insert(self.tab, key);
    }

    /// Reloads the current tab's view data from the store.
    pub fn force_reload(&mut self) {
        let Some(place) = self.current_place().cloned() else {
            self.say(
                Level::Warn,
                "This database has no places yet: run `wardstock demo` or add places",
            );
            return;
        };
        // Doses whose window has closed with nothing recorded become missed.
        if self.tab == Tab::Administration
            && place.kind == PlaceKind::Ward
            && let Err(e) = crate::ops::mar::close_missed(&mut self.store, Some(place.id), self.now)
        {
            self.say(
                Level::Warn,
                format!("Missed doses could not be recorded: {e}"),
            );
        }
        let conn = &self.store.conn;
        let mut load_warnings = false;
        let result: rusqlite::Result<()> = (|| {
            match self.tab {
                Tab::Stock => {
                    self.stock =
                        StockView::load(conn, place.id, self.now, &self.settings.alert_config())?;
                    self.filtered = self.stock.filter(self.filter.value());
                    if let Some(d) = &self.detail {
                        if let Some(line) = d
                            .line
                            .as_ref()
                            .and_then(|l| self.stock.lines.iter().find(|x| x.item_id == l.item_id))
                        {
                            self.detail = Some(DetailView::load(conn, place.id, line)?);
                        } else {
                            self.detail = None;
                        }
                    }
                }
                Tab::Prescriptions => {
                    self.rx = match self
                        .places
                        .iter()
                        .find(|p| p.id == place.id && p.kind == PlaceKind::Ward)
                    {
                        Some(w) => RxView::load(conn, w.id, self.now)?,
                        // At the pharmacy: every ward's prescriptions to validate.
                        None if place.kind == PlaceKind::Pharmacy => {
                            RxView::load_queue(conn, &self.places, self.now)?
                        }
                        None => RxView::default(),
                    };
                }
                Tab::Administration => {
                    self.mar = match self
                        .places
                        .iter()
                        .find(|p| p.id == place.id && p.kind == PlaceKind::Ward)
                    {
                        Some(w) => MarView::load(conn, w.id, self.now, self.mar.by_patient)?,
                        None => MarView::default(),
                    };
                }
                Tab::Pharmacy => {
                    let pharm = self
                        .places
                        .iter()
                        .find(|p| p.kind == PlaceKind::Pharmacy)
                        .map(|p| p.id);
                    let mut orders = crate::ops::stock::transfer_orders(conn, None, None)?;
                    // Open and in transit first, newest first; then the latest received.
                    orders.sort_by_key(|o| {
                        (
                            matches!(o.status.as_str(), "received" | "cancelled"),
                            std::cmp::Reverse(o.id),
                        )
                    });
                    orders.truncate(200);
                    self.pharmacy.orders = orders;
                    self.pharmacy.items = match pharm {
                        Some(id) => queries::item_count(conn, id)?,
                        None => 0,
                    };
                    load_warnings = true;
                }
                Tab::Alerts => load_warnings = true,
            }
            Ok(())
        })();
        // The warnings of every place: read in place, or in the background
        // when the terminal runs (the list fills a moment later).
        if result.is_ok() && load_warnings {
            let cfg = self.settings.alert_config();
            if self.background_jobs {
                let (path, now) = (self.store.path().to_path_buf(), self.now);
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let r = crate::store::Store::open(&path)
                        .map_err(|e| e.to_string())
                        .and_then(|s| load_alerts(&s.conn, now, &cfg).map_err(|e| e.to_string()));
                    let _ = tx.send(r);
                });
                self.alerts_job = Some(rx);
            } else {
                match load_alerts(&self.store.conn, self.now, &cfg) {
                    Ok(a) => self.apply_alerts(a),
                    Err(e) => self.say(Level::Error, format!("cannot read the database: {e}")),
                }
            }
        }
        if let Err(e) = result {
            self.say(Level::Error, format!("cannot read the database: {e}"));
        }
        self.fit_lists();
    }

    fn fit_lists(&mut self) {
        let stock_rows = self.list_rows(super::screens::stock::HEADER_ROWS);
        self.stock_sel.fit(self.filtered.len(), stock_rows);
        let rows = self.list_rows(super::screens::LIST_HEADER_ROWS);
        self.rx_sel.fit(self.rx.lines.len(), rows);
        self.mar_sel.fit(self.mar.slots.len(), rows);
        self.alerts_sel.fit(self.alerts.rows.len(), rows);
        let pharm_rows = super::screens::pharmacy::order_rows(
            self.size.1.saturating_sub(FRAME_ROWS),
            self.pharmacy.needs.len(),
        );
        self.pharm_sel.fit(self.pharmacy.orders.len(), pharm_rows);
    }

    fn switch_tab(&mut self, tab: Tab) {
        if self.tab != tab {
            self.tab = tab;
            self.reload();
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = true,
            Action::NextTab => self.switch_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            Action::PrevTab => {
                self.switch_tab(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()])
            }
            Action::Tab1 => self.switch_tab(Tab::Prescriptions),
            Action::Tab2 => self.switch_tab(Tab::Administration),
            Action::Tab3 => self.switch_tab(Tab::Stock),
            Action::Tab4 => self.switch_tab(Tab::Pharmacy),
            Action::Tab5 => self.switch_tab(Tab::Alerts),
            Action::ChoosePlace => self.picker = Some(self.place),
            Action::Refresh if self.tab == Tab::Pharmacy && self.plan.is_some() => self.open_plan(),
            Action::Refresh => {
                self.loaded.clear();
                self.reload();
                self.say(Level::Info, "Refreshed");
            }
            Action::SignOut => {
                let who = self.actor.take().map(|a| a.username).unwrap_or_default();
                self.signin = SignIn::default();
                // Nothing of the last user's work stays on the screen.
                self.detail = None;
                self.form = None;
                self.op_menu = None;
                self.picker = None;
                self.order = None;
                self.pending_gtin = None;
                self.scanned_lot = None;
                self.return_to = None;
                self.patient = None;
                self.plan = None;
                self.sim = None;
                self.sim_progress = None;
                self.help = false;
                self.filter = Input::default();
                self.say(Level::Info, format!("{who} signed out"));
            }
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-(self.list_rows(2) as isize)),
            Action::PageDown => self.scroll(self.list_rows(2) as isize),
            Action::Top => self.scroll(isize::MIN / 2),
            Action::Bottom => self.scroll(isize::MAX / 2),
            Action::Open => self.open(),
            Action::Back if self.order.is_some() => {
                self.order = None;
                self.reload();
            }
            Action::Back
                if self.tab == Tab::Pharmacy
                    && (self.sim.is_some() || self.sim_progress.is_some()) =>
            {
                // A run goes on in the background; its result is dropped.
                self.sim = None;
                self.sim_progress = None;
                self.sim_job = None;
            }
            Action::Back if self.tab == Tab::Pharmacy && self.plan.is_some() => {
                self.plan = None;
                self.reload();
            }
            Action::Back => {
                self.detail = None;
                self.detail_scroll = 0;
                // Opened from an alert: back to the alert list, on the place it showed.
                if let Some((tab, place)) = self.return_to.take() {
                    self.place = place;
                    self.filter = Input::default();
                    self.tab = tab;
                    self.reload();
                }
            }
            Action::ClearFilter => {
                if !self.filter.value().is_empty() {
                    self.filter = Input::default();
                    self.refilter();
                }
            }
            Action::LinkGtin => self.link_pending_gtin(),
            Action::Group => {
                if self.tab == Tab::Administration {
                    let keep = self.mar_slot();
                    self.mar.by_patient = !self.mar.by_patient;
                    self.mar.arrange();
                    self.fit_lists();
                    if let Some(k) = keep {
                        self.mar_sel.selected =
                            self.mar.slots.iter().position(|s| *s == k).unwrap_or(0);
                    }
                    self.say(
                        Level::Info,
                        if self.mar.by_patient {
                            "Doses grouped by patient"
                        } else {
                            "Doses by time"
                        },
                    );
                }
            }
            Action::Patient => self.open_patient(),
            Action::Replenish => self.open_plan(),
            Action::Simulate => self.start_simulation(),
            Action::Chart => self.plan_chart = !self.plan_chart,
            Action::Operations => self.open_menu(),
            Action::Dispatch => self.order_op(Action::Dispatch),
            Action::ConfirmReceipt => self.order_op(Action::ConfirmReceipt),
            Action::NextField | Action::Submit => {}
        }
    }

    fn scroll(&mut self, delta: isize) {
        if self.tab == Tab::Stock && self.detail.is_some() {
            let len = self.detail.as_ref().map_or(0, |d| d.movements.len());
            let page = self.list_rows(8).max(1) as isize;
            let delta = match delta {
                d if d == isize::MIN / 2 || d == isize::MAX / 2 => d,
                d if d.abs() > 1 => d.signum() * page,
                d => d,
            };
            self.detail_scroll = (self.detail_scroll as isize + delta)
                .clamp(0, len.saturating_sub(1) as isize) as usize;
            return;
        }
        let rows = self.list_rows(super::screens::LIST_HEADER_ROWS);
        match self.tab {
            Tab::Stock => {
                let rows = self.list_rows(super::screens::stock::HEADER_ROWS);
                self.stock_sel.move_by(delta, self.filtered.len(), rows)
            }
            Tab::Prescriptions => self.rx_sel.move_by(delta, self.rx.lines.len(), rows),
            Tab::Administration => self.mar_sel.move_by(delta, self.mar.slots.len(), rows),
            Tab::Pharmacy if self.sim.is_some() => {
                let n = self.sim.as_ref().map_or(1, |r| r.drugs.len().max(1)) as isize;
                let step = delta.signum();
                self.sim_drug = (self.sim_drug as isize + step).rem_euclid(n) as usize;
            }
            Tab::Pharmacy if self.plan.is_some() => {
                let rows =
                    super::screens::pharmacy::plan_rows(self.size.1.saturating_sub(FRAME_ROWS));
                let n = self.plan.as_ref().map_or(0, |p| p.rows.len());
                self.plan_sel.move_by(delta, n, rows)
            }
            Tab::Pharmacy => {
                let rows = super::screens::pharmacy::order_rows(
                    self.size.1.saturating_sub(FRAME_ROWS),
                    self.pharmacy.needs.len(),
                );
                self.pharm_sel
                    .move_by(delta, self.pharmacy.orders.len(), rows)
            }
            Tab::Alerts => self.alerts_sel.move_by(delta, self.alerts.rows.len(), rows),
        }
    }

    fn open(&mut self) {
        match self.tab {
            Tab::Stock => {
                let Some(line) = self.selected_line() else {
                    self.say(
                        Level::Warn,
                        "No item selected: clear the filter (Esc) or choose another place",
                    );
                    return;
                };
                match DetailView::load(&self.store.conn, self.stock.place_id, &line) {
                    Ok(d) => {
                        self.detail = Some(d);
                        self.detail_scroll = 0;
                    }
                    Err(e) => self.say(Level::Error, format!("cannot read the lots: {e}")),
                }
            }
            Tab::Prescriptions => self.open_validation(),
            Tab::Administration => self.open_dose(),
            Tab::Pharmacy if self.plan.is_some() => self.open_decision(),
            Tab::Pharmacy => {
                let Some(id) = self
                    .pharmacy
                    .orders
                    .get(self.pharm_sel.selected)
                    .map(|o| o.id)
                else {
                    self.say(Level::Warn, "No transfer order selected");
                    return;
                };
                self.open_order(id);
            }
            Tab::Alerts => {
                // An alert leads to the stock of its item at its place.
                let Some(row) = self.alerts.rows.get(self.alerts_sel.selected).cloned() else {
                    return;
                };
                if let Some(idx) = self.places.iter().position(|p| p.id == row.alert.place_id) {
                    self.return_to = Some((Tab::Alerts, self.place));
                    self.place = idx;
                    self.filter = Input::default().with_value(row.item.clone());
                    self.tab = Tab::Stock;
                    self.detail = None;
                    self.reload();
                    if let Some(pos) = self
                        .filtered
                        .iter()
                        .position(|&i| self.stock.lines[i].item_id == row.alert.item_id)
                    {
                        self.stock_sel.selected = pos;
                        self.open();
                    }
                }
            }
        }
    }

    fn picker_key(&mut self, ev: KeyEvent, sel: usize) {
        let n = self.places.len();
        if n == 0 {
            self.picker = None;
            return;
        }
        match ev.code {
            KeyCode::Up => self.picker = Some(sel.saturating_sub(1)),
            KeyCode::Down => self.picker = Some((sel + 1).min(n - 1)),
            KeyCode::Enter => {
                self.picker = None;
                if sel != self.place {
                    self.place = sel;
                    self.detail = None;
                    self.stock_sel = ListSel::default();
                    self.rx_sel = ListSel::default();
                    self.mar_sel = ListSel::default();
                    self.reload();
                    let name = self.places[sel].name.clone();
                    self.say(Level::Info, format!("Showing {name}"));
                }
            }
            KeyCode::Esc => self.picker = None,
            KeyCode::Char(c) => {
                // Jump to the next place whose code or name (after "W-") starts with the letter.
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
                    .find(|&i| starts(&self.places[i]))
                {
                    self.picker = Some(i);
                }
            }
            _ => {}
        }
    }
}

/// A message from a simulation running in the background.
pub enum SimMsg {
    Progress(usize, usize),
    Done(Box<Result<crate::planning::sim::SimResult, String>>),
}
