//! The administration schedule of the ward shown: doses due, late, missed
//! and upcoming, and the PRN prescriptions that may be given; by time or
//! grouped by patient (F7). Enter gives the selected dose; F4 shows the
//! patient's record. A wristband scanned here (GSRN or MRN, as the site's
//! wristbands carry) opens that patient's doses; Esc shows every patient.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::PlaceKind;
use crate::domain::alerts::Severity;
use crate::domain::roles::Operation;
use crate::domain::schedule::DoseStatus;
use crate::store::queries::Place;
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg};
use crate::tui::forms::{Form, Kind, dose};
use crate::tui::keymap::{Action, Context};
use crate::tui::popups::{Popup, patient::PatientCard};
use crate::tui::theme::Theme;
use crate::tui::views::{MarView, Slot};
use crate::tui::widgets::{Column, TCell, W, fit, grouped_table, hm, line, when};

#[derive(Debug, Default)]
pub struct AdministrationTab {
    pub view: MarView,
    pub sel: ListState,
    /// The patient whose wristband was scanned: the list shows only their
    /// lines, grouped, until Esc.
    pub patient: Option<Shown>,
}

/// The patient a wristband scan opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub ward_id: i64,
    pub mrn: String,
    pub name: String,
}

impl AdministrationTab {
    pub fn load(&mut self, cx: &mut Ctx, place: &Place) -> rusqlite::Result<()> {
        if place.kind != PlaceKind::Ward {
            self.view = MarView::default();
            return Ok(());
        }
        // Doses whose window has closed with nothing recorded become missed.
        if let Err(e) = crate::ops::mar::close_missed(&mut cx.store, Some(place.id), cx.now) {
            cx.say(Level::Warn, t!("tui.mar.close_missed_failed", error = e));
        }
        self.view = MarView::load(&cx.store.conn, place.id, cx.now, self.view.by_patient)?;
        if self.patient.as_ref().is_some_and(|p| p.ward_id != place.id) {
            self.patient = None;
        }
        self.only_patient();
        self.sel.clamp(self.view.slots.len());
        Ok(())
    }

    /// Keeps only the lines of the patient a wristband opened, if any.
    fn only_patient(&mut self) {
        if let Some(p) = &self.patient {
            let v = &self.view;
            let keep: Vec<Slot> = v
                .slots
                .iter()
                .copied()
                .filter(|s| v.mrn(*s) == p.mrn)
                .collect();
            self.view.slots = keep;
        }
    }

    /// A wristband scanned on the schedule (no form open): that patient's
    /// doses, grouped, the first due selected. Returns `false` when the
    /// data is a pack's barcode, which opens the pack as on any screen.
    pub fn scan(&mut self, cx: &mut Ctx, data: &str) -> bool {
        use crate::ops::scan::{Entry, WristbandError, identify_wristband};
        let found = identify_wristband(
            &cx.store.conn,
            data,
            Entry::Scanned,
            cx.settings.scanner.separator,
            cx.today(),
        );
        let p = match found {
            Ok(p) => p,
            Err(WristbandError::Pack) => return false,
            Err(e @ (WristbandError::UnknownGsrn { .. } | WristbandError::UnknownMrn { .. })) => {
                cx.say(Level::Warn, t!("wristband.tui.unknown", why = e));
                return true;
            }
            Err(e) => {
                cx.say(Level::Error, t!("wristband.tui.refused", why = e));
                return true;
            }
        };
        let bed = p.bed.clone().unwrap_or_else(|| "-".into());
        let here = cx.current_place().cloned();
        if p.discharged || p.ward_id.is_none() {
            cx.say(
                Level::Warn,
                t!("wristband.tui.not_admitted", name = p.name, mrn = p.mrn),
            );
            return true;
        }
        let Some(here) = here.filter(|h| p.ward_id == Some(h.id)) else {
            cx.say(
                Level::Warn,
                t!(
                    "wristband.tui.other_ward",
                    name = p.name,
                    mrn = p.mrn,
                    ward = p.ward.clone().unwrap_or_default(),
                    bed = bed,
                    here = cx
                        .current_place()
                        .map(|h| h.code.clone())
                        .unwrap_or_default()
                ),
            );
            return true;
        };
        self.patient = Some(Shown {
            ward_id: here.id,
            mrn: p.mrn.clone(),
            name: p.name.clone(),
        });
        self.view.by_patient = true;
        self.view.arrange();
        self.only_patient();
        if self.view.slots.is_empty() {
            self.patient = None;
            self.view.arrange();
            cx.say(
                Level::Info,
                t!(
                    "wristband.tui.no_doses",
                    name = p.name,
                    mrn = p.mrn,
                    bed = bed
                ),
            );
            return true;
        }
        // The first dose to give: due or late, not yet recorded.
        let v = &self.view;
        let due = |s: &Slot| match *s {
            Slot::Dose(i) => matches!(v.rows[i].status(cx.now), DoseStatus::Due | DoseStatus::Late),
            Slot::Prn(_) => false,
        };
        let n_due = v.slots.iter().filter(|s| due(s)).count();
        self.sel.reset();
        // Else the next dose not yet recorded.
        let open = |s: &Slot| matches!(*s, Slot::Dose(i) if !v.rows[i].recorded);
        self.sel.selected = v
            .slots
            .iter()
            .position(due)
            .or_else(|| v.slots.iter().position(open))
            .unwrap_or(0);
        cx.say(
            Level::Info,
            t!(
                "wristband.tui.opened",
                name = p.name,
                mrn = p.mrn,
                bed = bed,
                due = n_due,
                n = v.slots.len()
            ),
        );
        true
    }

    /// Every patient again, after a wristband opened one.
    fn all_patients(&mut self) {
        let keep = self.slot();
        self.patient = None;
        self.view.arrange();
        if let Some(k) = keep {
            self.sel.selected = self.view.slots.iter().position(|s| *s == k).unwrap_or(0);
        }
    }

    /// The selected line of the list.
    pub fn slot(&self) -> Option<Slot> {
        self.view.slots.get(self.sel.selected).copied()
    }

    /// The selected dose (a scheduled dose not recorded yet, or a PRN line)
    /// when a nurse is signed in: (prescription, scheduled time).
    fn dose_target(&self, cx: &Ctx) -> Option<(i64, Option<chrono::DateTime<chrono::Utc>>)> {
        if !cx.may(Operation::Administer) {
            return None;
        }
        match self.slot()? {
            Slot::Dose(i) => self
                .view
                .rows
                .get(i)
                .filter(|r| !r.recorded)
                .map(|r| (r.prescription_id, Some(r.at))),
            Slot::Prn(i) => self.view.prn.get(i).map(|l| (l.id, None)),
        }
    }

    /// The bedside form of the selected dose: scan the wristband, then the pack.
    fn open_dose(&self, cx: &mut Ctx) -> Msg {
        let (Some((rx_id, at)), Some(slot)) = (self.dose_target(cx), self.slot()) else {
            let recorded_by = match self.slot() {
                Some(Slot::Dose(i)) => self.view.rows.get(i).filter(|r| r.recorded),
                _ => None,
            }
            .map(|r| r.by.clone().unwrap_or_default());
            let msg = match recorded_by {
                Some(nurse) => t!("tui.mar.already_recorded", nurse = nurse),
                None if !cx.may(Operation::Administer) => t!("tui.mar.nurse_only").to_string(),
                None => t!("tui.mar.select_dose").to_string(),
            };
            cx.say(Level::Warn, msg);
            return Msg::None;
        };
        let conn = &cx.store.conn;
        let Some(item) = crate::store::queries::prescription_item(conn, rx_id)
            .ok()
            .flatten()
            .and_then(|id| crate::ops::stock::item_by_id(conn, id).ok())
        else {
            return Msg::None;
        };
        let units = crate::store::queries::units_for_dose(conn, rx_id, item.id).unwrap_or(1);
        let v = &self.view;
        // What the nurse sees of the dose: who, what, when and its flags.
        let (note, mrn, missed, name, route, controlled, high_alert, off_window) = match slot {
            Slot::Dose(i) => {
                let r = &v.rows[i];
                let flags = if r.flags.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", crate::tui::words::flags(&r.flags))
                };
                (
                    t!(
                        "tui.mar.dose_note",
                        bed = r.bed,
                        patient = r.patient,
                        mrn = r.mrn,
                        dose = crate::tui::words::strength(&r.dose),
                        route = crate::tui::words::route(&r.route),
                        flags = flags,
                        at = hm(r.at),
                        window = r.window_minutes
                    ),
                    r.mrn.clone(),
                    r.status(cx.now) == DoseStatus::Missed,
                    r.patient.clone(),
                    r.route.clone(),
                    r.flags.split_whitespace().any(|f| f == "CD"),
                    r.flags.split_whitespace().any(|f| f == "HA"),
                    (cx.now - r.at).num_minutes().abs() > r.window_minutes,
                )
            }
            Slot::Prn(i) => {
                let (l, st) = (&v.prn[i], &v.prn_state[i]);
                let limit = st
                    .max_24h
                    .map(|m| t!("tui.mar.prn_limit", given = st.given_24h, max = m))
                    .unwrap_or_default();
                let next = match st.next_allowed {
                    Some(t) => t!("tui.mar.next_from", at = when(t)),
                    None => t!("tui.mar.may_give_now").to_string(),
                };
                (
                    t!(
                        "tui.mar.prn_note",
                        bed = l.bed.clone().unwrap_or_default(),
                        patient = l.patient,
                        mrn = l.mrn,
                        dose = crate::tui::words::strength(&l.dose_text()),
                        route = crate::tui::words::route(&l.route),
                        indication = l.indication,
                        limit = limit,
                        next = next
                    ),
                    l.mrn.clone(),
                    false,
                    l.patient.clone(),
                    l.route.clone(),
                    l.controlled,
                    l.high_alert,
                    false,
                )
            }
        };
        let mut d = dose::Dose::new(rx_id, at, &mrn, units);
        d.patient_name = name;
        d.require_second_users(controlled, high_alert);
        d.timing_needed = off_window;
        d.route_ok.hint = t!(
            "tui.hint.route_ok",
            route = crate::tui::words::route(&route)
        );
        // A dose whose window has closed is most often documented as missed.
        if missed {
            d.outcome.set(crate::tui::forms::input::outcome_word(
                crate::ops::mar::Outcome::Missed,
            ));
        }
        if let Some(w) = cx.current_ward().map(|w| w.id) {
            use crate::ops::ward::{ReasonKind, reasons};
            let codes = |k: ReasonKind| {
                reasons(conn, w, k)
                    .map(|l| {
                        l.iter()
                            .map(|r| r.code.clone())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default()
            };
            d.reason.hint = if missed {
                t!("tui.hint.missed_codes", codes = codes(ReasonKind::Missed))
            } else {
                t!(
                    "tui.hint.held_refused_codes",
                    held = codes(ReasonKind::Held),
                    refused = codes(ReasonKind::Refused)
                )
            };
            d.timing.hint = t!("tui.hint.timing_codes", codes = codes(ReasonKind::Timing));
            d.unable.hint = t!("tui.unscan.hint", codes = codes(ReasonKind::UnableToScan));
        }
        let mut form = Form::new(item, Kind::Dose(d));
        if missed {
            form.focus = dose::REASON;
        }
        form.note = Some(match cx.current_ward().map(|w| w.id) {
            Some(ward) => with_substitute_offer(note, cx, rx_id, ward),
            None => note,
        });
        cx.say(Level::Info, t!("tui.mar.scan_first"));
        Msg::Form(Box::new(form))
    }

    /// The record of the selected line's patient.
    fn open_patient(&self, cx: &mut Ctx) -> Msg {
        let Some(slot) = self.slot() else {
            cx.say(Level::Warn, t!("tui.mar.select_for_patient"));
            return Msg::None;
        };
        let mrn = self.view.mrn(slot).to_string();
        match crate::store::queries::patient_record(&cx.store.conn, &mrn) {
            Ok(Some(record)) => Msg::Popup(Popup::Patient(PatientCard::new(record))),
            Ok(None) => {
                cx.say(Level::Warn, t!("tui.mar.no_patient", mrn = mrn));
                Msg::None
            }
            Err(e) => {
                cx.say(Level::Error, t!("tui.mar.cannot_read_patient", error = e));
                Msg::None
            }
        }
    }

    fn group(&mut self, cx: &mut Ctx) {
        let keep = self.slot();
        self.view.by_patient = !self.view.by_patient;
        self.view.arrange();
        self.only_patient();
        if let Some(k) = keep {
            self.sel.selected = self.view.slots.iter().position(|s| *s == k).unwrap_or(0);
        }
        cx.say(
            Level::Info,
            if self.view.by_patient {
                t!("tui.mar.grouped")
            } else {
                t!("tui.mar.by_time")
            },
        );
    }
}

impl AdministrationTab {
    /// The selected dose in full (bed, route, window, who recorded it), or the PRN line.
    fn foot_text(&self) -> String {
        let v = &self.view;
        match self.slot() {
            Some(Slot::Dose(d)) => {
                let r = &v.rows[d];
                let mut text = t!(
                    "tui.mar.foot_dose",
                    bed = r.bed,
                    patient = r.patient,
                    item = crate::tui::words::strength(&r.item),
                    dose = crate::tui::words::strength(&r.dose),
                    route = crate::tui::words::route(&r.route),
                    from = hm(r.at - r.window()),
                    to = hm(r.at + r.window())
                );
                if let (Some(o), Some(by)) = (&r.outcome, &r.by) {
                    text.push_str(&t!(
                        "tui.mar.foot_by",
                        outcome = crate::tui::words::code(o),
                        by = by
                    ));
                } else if r.auto_missed {
                    text.push_str(t!("tui.mar.foot_document"));
                }
                text
            }
            Some(Slot::Prn(p)) => {
                let (l, st) = (&v.prn[p], &v.prn_state[p]);
                let mut text = t!(
                    "tui.mar.foot_prn",
                    bed = l.bed.clone().unwrap_or_default(),
                    patient = l.patient,
                    item = crate::tui::words::strength(&l.item),
                    dose = crate::tui::words::strength(&l.dose_text()),
                    indication = l.indication
                );
                if let Some(t) = st.last_given {
                    text.push_str(&t!("tui.mar.last_given", at = hm(t)));
                }
                match st.next_allowed {
                    Some(t) => text.push_str(&t!("tui.mar.next_from", at = when(t))),
                    None => text.push_str(t!("tui.mar.may_give_now")),
                }
                text
            }
            None => String::new(),
        }
    }
}

impl Component for AdministrationTab {
    fn contexts(&self) -> Vec<Context> {
        // One patient's doses: Esc (the detail's "back") shows every patient.
        if self.patient.is_some() {
            vec![Context::Detail, Context::List, Context::Global]
        } else {
            vec![Context::List, Context::Global]
        }
    }

    fn describe(&self, action: Action, _cx: &Ctx) -> Option<String> {
        (action == Action::Back && self.patient.is_some())
            .then(|| t!("wristband.tui.all_patients").to_string())
    }

    fn offers(&self, action: Action, cx: &Ctx) -> bool {
        match action {
            Action::Back => self.patient.is_some(),
            Action::Open => self.dose_target(cx).is_some(),
            Action::Group => !self.view.slots.is_empty(),
            Action::Patient => self.slot().is_some(),
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.sel.act(action, self.view.slots.len()) {
            return Msg::None;
        }
        match action {
            Action::Open => self.open_dose(cx),
            Action::Patient => self.open_patient(cx),
            Action::Back if self.patient.is_some() => {
                self.all_patients();
                Msg::None
            }
            Action::Group => {
                self.group(cx);
                Msg::None
            }
            _ => Msg::None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        // The line under the list takes two lines rather than cut the route.
        let foot_lines = crate::tui::widgets::wrap_max(
            &self.foot_text(),
            (area.width as usize).saturating_sub(1),
            2,
        );
        let [cap, list, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(foot_lines.len().max(1) as u16),
        ])
        .areas(area);
        let Some(ward) = cx.current_ward() else {
            line(
                f,
                cap,
                Line::styled(
                    fit(t!("tui.mar.per_ward"), cap.width as usize),
                    theme.warn(),
                ),
            );
            return;
        };
        let v = &self.view;
        // With one patient's doses shown, their counts.
        let count = |s: DoseStatus| {
            v.rows
                .iter()
                .filter(|r| self.patient.as_ref().is_none_or(|p| p.mrn == r.mrn))
                .filter(|r| r.status(cx.now) == s)
                .count()
        };
        let span = match (v.from, v.to) {
            (Some(a), Some(b)) => format!("{}–{}", hm(a), hm(b)),
            _ => String::new(),
        };
        let mut grouped = if v.by_patient {
            t!("tui.mar.by_patient")
        } else {
            ""
        }
        .to_string();
        if let Some(p) = &self.patient {
            grouped.push_str(&t!("wristband.tui.filtered", name = p.name));
        }
        line(
            f,
            cap,
            Line::from(vec![
                Span::styled(
                    t!(
                        "tui.mar.caption",
                        ward = ward.code,
                        span = span,
                        grouped = grouped
                    ),
                    theme.header(),
                ),
                Span::styled(
                    t!("tui.mar.n_missed", n = count(DoseStatus::Missed)),
                    theme.severity(Severity::Critical),
                ),
                Span::styled(
                    t!("tui.mar.n_overdue", n = count(DoseStatus::Late)),
                    theme.severity(Severity::High),
                ),
                Span::styled(
                    t!("tui.mar.n_due", n = count(DoseStatus::Due)),
                    theme.warn(),
                ),
                Span::raw(t!(
                    "tui.mar.n_upcoming",
                    n = count(DoseStatus::Upcoming),
                    recorded = count(DoseStatus::Recorded)
                )),
            ]),
        );
        // The route shows in the line under the list below 100 columns.
        let route = list.width >= 100;
        let mut cols = vec![
            Column::new(t!("tui.col.time"), W::Whole),
            Column::new(t!("tui.col.status"), W::Whole),
            Column::new(t!("tui.col.bed"), W::Whole).optional(2),
            // A patient's name is never cut before an optional column goes.
            // Grouped, it heads the group instead (the column is left empty).
            Column::new(t!("tui.col.patient"), W::Fill(8)).sparse(),
            Column::new(t!("tui.col.drug"), W::Fill(12)),
            Column::new(t!("tui.col.dose"), W::Whole),
        ];
        if route {
            cols.push(Column::new(t!("tui.col.route_short"), W::Whole).optional(1));
        }
        cols.push(Column::new(t!("tui.col.flags"), W::Whole));
        // Grouped by patient, each patient's name, bed and number head their lines.
        let heading = |i: usize| {
            let slot = v.slots[i];
            let (name, bed) = match slot {
                Slot::Dose(d) => (&v.rows[d].patient, v.rows[d].bed.as_str()),
                Slot::Prn(p) => (&v.prn[p].patient, v.prn[p].bed.as_deref().unwrap_or("")),
            };
            [name.as_str(), bed, v.mrn(slot)]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let group: Option<&dyn Fn(usize) -> String> = v.by_patient.then_some(&heading);
        grouped_table(
            f,
            list,
            theme,
            &cols,
            v.slots.len(),
            Some(&self.sel),
            group,
            |i| {
                // Grouped, the patient and bed are in the heading.
                let grouped = v.by_patient;
                let r = match v.slots[i] {
                    Slot::Dose(d) => &v.rows[d],
                    Slot::Prn(p) => {
                        let (l, st) = (&v.prn[p], &v.prn_state[p]);
                        let (text, style) = match st.next_allowed {
                            None => (t!("tui.mar.prn_ready").to_string(), Style::default()),
                            Some(t) => (t!("tui.mar.prn_next", at = hm(t)), theme.dim()),
                        };
                        let mut cells = vec![TCell::from("PRN"), TCell::styled(text, style)];
                        cells.extend([
                            TCell::from(if grouped {
                                String::new()
                            } else {
                                l.bed.clone().unwrap_or_default()
                            }),
                            TCell::from(if grouped {
                                String::new()
                            } else {
                                l.patient.clone()
                            }),
                            TCell::name(l.item.clone()),
                            TCell::dose(l.dose_text()),
                        ]);
                        if route {
                            cells.push(TCell::from(l.route.clone()));
                        }
                        // Controlled and high-alert first: a witness, a double check.
                        let marks = [(l.controlled, "CD"), (l.high_alert, "HA")]
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, f)| *f)
                            .collect::<Vec<_>>()
                            .join(" ");
                        // The count says what it counts, never cut: `0/4 in 24 h`.
                        let count = st
                            .max_24h
                            .map(|m| t!("tui.mar.prn_limit", given = st.given_24h, max = m))
                            .unwrap_or_default();
                        let flags = [crate::tui::words::flags(&marks), count]
                            .into_iter()
                            .filter(|x| !x.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        cells.push(TCell::from(flags));
                        return cells;
                    }
                };
                let (text, style) = match r.status(cx.now) {
                    DoseStatus::Missed if r.auto_missed => (
                        format!("{} ✎", t!("tui.mar.missed")),
                        theme.severity(Severity::Critical),
                    ),
                    DoseStatus::Missed => (
                        t!("tui.mar.missed").to_string(),
                        theme.severity(Severity::Critical),
                    ),
                    DoseStatus::Late => (
                        t!("tui.mar.overdue").to_string(),
                        theme.severity(Severity::High),
                    ),
                    DoseStatus::Due => (t!("tui.mar.due").to_string(), theme.warn()),
                    DoseStatus::Upcoming => (t!("tui.mar.upcoming").to_string(), theme.dim()),
                    DoseStatus::Recorded => (
                        match r.outcome.as_deref().unwrap_or("") {
                            "partially given" => t!("tui.mar.partial").to_string(),
                            "not given supply" => t!("tui.mar.no_supply").to_string(),
                            o => crate::tui::words::code(o),
                        },
                        Style::default(),
                    ),
                };
                let mut cells = vec![TCell::from(hm(r.at)), TCell::styled(text, style)];
                cells.extend([
                    TCell::from(if grouped {
                        String::new()
                    } else {
                        r.bed.clone()
                    }),
                    TCell::from(if grouped {
                        String::new()
                    } else {
                        r.patient.clone()
                    }),
                    TCell::name(r.item.clone()),
                    TCell::dose(r.dose.clone()),
                ]);
                if route {
                    cells.push(TCell::from(r.route.clone()));
                }
                cells.push(TCell::from(crate::tui::words::flags(&r.flags)));
                cells
            },
        );
        for (k, text) in foot_lines.iter().enumerate() {
            let r = Rect {
                y: foot.y + k as u16,
                height: 1,
                ..foot
            };
            line(f, r, Line::styled(format!(" {text}"), theme.dim()));
        }
    }
}

/// The dose's note, and when the prescribed item has no usable unit on the
/// ward, the approved substitutes that have: allowed for this prescription
/// (scan its pack), or to be allowed by a pharmacist first.
fn with_substitute_offer(note: String, cx: &Ctx, rx_id: i64, ward: i64) -> String {
    let Ok(Some(offer)) =
        crate::ops::substitutes::bedside_offer(&cx.store.conn, rx_id, ward, cx.today())
    else {
        return note;
    };
    let mut out = note;
    for s in &offer.substitutes {
        out.push('\n');
        out.push_str(&if s.allowed {
            t!(
                "console_resilience.bedside.offer_allowed",
                item = offer.item,
                code = s.code,
                name = s.name,
                n = s.on_ward
            )
        } else {
            t!(
                "console_resilience.bedside.offer_ask",
                item = offer.item,
                code = s.code,
                name = s.name,
                n = s.on_ward
            )
        });
    }
    out
}
