//! A patient's record over the Administration tab (F4): allergies,
//! prescriptions, then doses with their lots, newest first. A nurse
//! manager, pharmacist or administrator records and removes allergies
//! there; a nurse manager or administrator moves and discharges the patient
//! (the operations' own rules say who; the keys offered follow them).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::ops::refdata;
use crate::store::queries::PatientRecord;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::forms::admin::{Confirm, Confirming};
use crate::tui::forms::patient::{AllergyAdd, AllergyRemove, PatientMove};
use crate::tui::forms::{Form, Kind};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, fit, pad, width};

#[derive(Debug, Clone)]
pub struct PatientCard {
    pub record: PatientRecord,
    pub scroll: usize,
    /// The last refusal, shown in the card.
    pub error: Option<String>,
}

/// Who may do a record's change: the operation's own rule.
fn allowed(action: Action, cx: &Ctx) -> Result<(), String> {
    let Some(actor) = cx.actor.as_ref() else {
        return Err(String::new());
    };
    let r = match action {
        Action::AddAllergy | Action::RemoveAllergy => refdata::may_record_allergy(actor),
        _ => refdata::may_admit(actor),
    };
    r.map_err(|e| e.to_string())
}

const CHANGES: [Action; 4] = [
    Action::AddAllergy,
    Action::RemoveAllergy,
    Action::MovePatient,
    Action::Discharge,
];

impl PatientCard {
    pub fn new(record: PatientRecord) -> PatientCard {
        PatientCard {
            record,
            scroll: 0,
            error: None,
        }
    }

    /// The patient's record read afresh (after a change).
    pub fn open(cx: &Ctx, mrn: &str) -> Option<PatientCard> {
        crate::store::queries::patient_record(&cx.store.conn, mrn)
            .ok()
            .flatten()
            .map(PatientCard::new)
    }

    /// Whether the patient lies on a ward (not discharged).
    fn admitted(&self) -> bool {
        self.record.ward.is_some()
    }

    /// The changes offered: those the user may make, that apply now.
    fn offered(&self, cx: &Ctx) -> Vec<Action> {
        CHANGES
            .into_iter()
            .filter(|a| allowed(*a, cx).is_ok())
            .filter(|a| match a {
                Action::RemoveAllergy => !self.record.allergies.is_empty(),
                Action::MovePatient | Action::Discharge => self.admitted(),
                _ => true,
            })
            .collect()
    }

    fn change(&mut self, action: Action, cx: &Ctx) -> Done {
        if let Err(e) = allowed(action, cx) {
            self.error = Some(e);
            return Done::Stay;
        }
        let p = &self.record;
        let (kind, note) = match action {
            Action::AddAllergy => (Kind::AllergyAdd(AllergyAdd::new(&p.mrn)), None),
            Action::RemoveAllergy if p.allergies.is_empty() => {
                self.error = Some(t!("tui.patient.no_allergy").to_string());
                return Done::Stay;
            }
            Action::RemoveAllergy => (
                Kind::AllergyRemove(AllergyRemove::new(&p.mrn)),
                Some(AllergyRemove::note(&p.allergies)),
            ),
            _ if !self.admitted() => {
                self.error = Some(t!("tui.patient.not_admitted", mrn = p.mrn));
                return Done::Stay;
            }
            Action::MovePatient => (
                Kind::PatientMove(PatientMove::new(
                    &p.mrn,
                    p.ward.as_deref().unwrap_or_default(),
                    p.bed.as_deref().unwrap_or_default(),
                )),
                None,
            ),
            _ => {
                let c = Confirm::new(Confirming::Discharge {
                    mrn: p.mrn.clone(),
                    name: p.name.clone(),
                });
                let note = c.note();
                (Kind::Confirm(c), Some(note))
            }
        };
        let mut form = Form::plain(kind);
        form.note = note;
        Done::Form(Box::new(form))
    }

    pub fn key(&mut self, ev: KeyEvent, cx: &Ctx) -> Done {
        if let Some(a) = cx.keymap.action(&[Context::Patient], &ev) {
            return self.change(a, cx);
        }
        match cx.keymap.action(&[Context::Detail], &ev) {
            Some(Action::Back) => return Done::Close,
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll += 1,
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(10),
            Some(Action::PageDown) => self.scroll += 10,
            Some(Action::Top) => self.scroll = 0,
            _ => {}
        }
        Done::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        let p = &self.record;
        let r = centered(
            area,
            area.width.saturating_sub(4).max(40),
            area.height.saturating_sub(2),
        );
        crate::tui::widgets::clear(f, r);
        let w = r.width.saturating_sub(2) as usize;
        let mut lines = vec![
            Line::styled(
                fit(
                    &t!(
                        "tui.patient.head",
                        mrn = p.mrn,
                        dob = p.dob,
                        ward = p.ward.clone().unwrap_or_default(),
                        bed = p.bed.clone().unwrap_or_default()
                    ),
                    w,
                ),
                theme.dim(),
            ),
            if p.allergies.is_empty() {
                Line::raw(t!("tui.patient.no_allergy"))
            } else {
                Line::styled(
                    fit(
                        &t!(
                            "tui.patient.allergies",
                            list = crate::tui::words::allergies(&p.allergies)
                        ),
                        w,
                    ),
                    theme.error(),
                )
            },
        ];
        // Removed allergies, as history: who, when, why.
        for a in &p.removed_allergies {
            let at = crate::domain::instant_from_text(&a.removed_at)
                .map(crate::tui::widgets::when)
                .unwrap_or_default();
            lines.push(Line::styled(
                fit(
                    &t!(
                        "tui.patient.removed_allergy",
                        substance = a.substance,
                        kind = crate::tui::forms::patient::kind_word(&a.kind),
                        at = at,
                        by = a.removed_by,
                        reason = a.reason.clone().unwrap_or_default()
                    ),
                    w,
                ),
                theme.dim(),
            ));
        }
        lines.push(Line::styled(t!("tui.patient.prescriptions"), theme.warn()));
        // Each line's status whole, in a column as wide as the widest; what
        // follows wraps under itself rather than being cut.
        let status_w = p
            .prescriptions
            .iter()
            .map(|l| width(&crate::tui::words::code(&l.status)))
            .max()
            .unwrap_or(0);
        for l in &p.prescriptions {
            let head = format!(
                " RX-{} {} ",
                l.id,
                pad(&crate::tui::words::code(&l.status), status_w)
            );
            let rest = format!(
                "{} {} {} {} · {}",
                crate::tui::words::strength(&l.item),
                crate::tui::words::strength(&l.dose_text()),
                l.route,
                l.frequency,
                l.indication
            );
            lines.extend(hanging(&head, &rest, w, 2).into_iter().map(Line::raw));
        }
        lines.push(Line::styled(t!("tui.patient.doses"), theme.warn()));
        let outcome_w = p
            .doses
            .iter()
            .map(|d| width(&crate::tui::words::code(&d.outcome)))
            .max()
            .unwrap_or(0);
        let lot_w = p
            .doses
            .iter()
            .filter_map(|d| d.lot.as_ref())
            .map(|l| width(&t!("tui.patient.lot", lot = l)))
            .max()
            .unwrap_or(0);
        for d in &p.doses {
            // When it was done, not when it was due; the due time, the
            // people, the scan and the reason on the line below.
            let recorded = crate::domain::instant_from_text(&d.recorded_at);
            let due = d
                .scheduled_at
                .as_deref()
                .and_then(crate::domain::instant_from_text);
            let when = recorded.map(crate::tui::widgets::when).unwrap_or_default();
            let mut detail = vec![t!("tui.patient.by", user = d.by)];
            if let (Some(r), Some(s)) = (recorded, due) {
                let minutes = (r - s).num_minutes();
                let at = crate::tui::widgets::when(s);
                detail.push(if minutes <= -15 {
                    t!("tui.patient.due_early", at = at, minutes = -minutes)
                } else if minutes >= 15 {
                    t!("tui.patient.due_late", at = at, minutes = minutes)
                } else {
                    t!("tui.patient.due", at = at)
                });
            }
            if let Some(u) = &d.witness {
                detail.push(t!("tui.patient.witness", user = u));
            }
            if let Some(u) = &d.double_check {
                detail.push(t!("tui.patient.checked", user = u));
            }
            if !d.scanned && d.lot.is_some() {
                detail.push(match &d.unscanned_reason {
                    Some(r) => t!("tui.unscan.patient_because", reason = r),
                    None => t!("tui.unscan.patient_no_reason").to_string(),
                });
            }
            if let Some(r) = d.reason.as_deref().filter(|r| !r.is_empty()) {
                detail.push(r.to_string());
            }
            let lot = d
                .lot
                .as_ref()
                .map(|l| t!("tui.patient.lot", lot = l))
                .unwrap_or_default();
            let head = format!(
                " {when} {} {} ",
                pad(&crate::tui::words::code(&d.outcome), outcome_w),
                pad(&lot, lot_w)
            );
            lines.extend(
                hanging(&head, &crate::tui::words::strength(&d.item), w, 2)
                    .into_iter()
                    .map(Line::raw),
            );
            for l in crate::tui::widgets::wrap_max(&detail.join(" · "), w.saturating_sub(3), 2) {
                lines.push(Line::styled(format!("   {l}"), theme.dim()));
            }
        }
        // Under the record: the refusal, then the changes this user may make.
        let mut foot = Vec::new();
        if let Some(e) = &self.error {
            for l in crate::tui::widgets::wrap_max(e, w, 2) {
                foot.push(Line::styled(l, theme.error()));
            }
        }
        let offered = self.offered(cx);
        if !offered.is_empty() {
            let keys: Vec<String> = offered
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        cx.keys(Context::Patient, *a),
                        crate::tui::keymap::describe(Context::Patient, *a)
                    )
                })
                .collect();
            foot.push(Line::styled(fit(&keys.join("  "), w), theme.key()));
        }
        foot.push(Line::styled(fit(t!("tui.patient.keys"), w), theme.dim()));
        let body = (r.height as usize).saturating_sub(2 + foot.len());
        let scroll = self.scroll.min(lines.len().saturating_sub(body));
        let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(body).collect();
        shown.extend(foot);
        f.render_widget(
            Paragraph::new(shown).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", fit(&p.name, w.saturating_sub(2)))),
            ),
            r,
        );
    }
}

/// `head` then `rest` wrapped under itself in `w` columns, in at most
/// `max` lines (the last ends in "…" when more was left).
fn hanging(head: &str, rest: &str, w: usize, max: usize) -> Vec<String> {
    let hw = width(head);
    if hw + 8 > w {
        return vec![fit(&format!("{head}{rest}"), w)];
    }
    crate::tui::widgets::wrap_max(rest, w - hw, max)
        .into_iter()
        .enumerate()
        .map(|(k, l)| {
            if k == 0 {
                format!("{head}{l}")
            } else {
                format!("{}{l}", " ".repeat(hw))
            }
        })
        .collect()
}
