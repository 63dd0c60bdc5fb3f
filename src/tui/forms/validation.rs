//! The pharmacist's validation of a prescription: accept (with a comment
//! when findings are overridden) or reject (with the reason). The form shows
//! how long the prescription has waited, its findings and the patient's
//! other active prescriptions; one of those can be stopped or suspended
//! from here (PgUp/PgDn choose it, F8 asks for the reason and a "yes"),
//! through the same operation as `wardstock rx stop|suspend`, and the
//! findings are read again.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{After, Field, Form, FormBody, Kind};
use crate::domain::validation::Finding;
use crate::ops::rx::{self, Decision, OtherActive, StatusChange};
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;

/// How long a prescription has waited, for the pharmacist: "3 h 20 min".
pub fn wait_text(minutes: i64) -> String {
    let minutes = minutes.max(0);
    if minutes < 60 {
        t!("tui.validation.wait_minutes", m = minutes)
    } else {
        t!(
            "tui.validation.wait_hours",
            h = minutes / 60,
            m = minutes % 60
        )
    }
}

/// Stopping or suspending another prescription of the patient.
#[derive(Debug, Clone)]
pub struct RxChange {
    pub target: OtherActive,
    pub what: Field,
    pub reason: Field,
    pub confirm: Field,
}

#[derive(Debug, Clone)]
pub struct Validation {
    pub rx_id: i64,
    pub decision: Field,
    pub comment: Field,
    /// The patient, the dose and how long it has waited: the note's first line.
    pub summary: String,
    /// The findings now (read again after a change of another prescription).
    pub findings: Vec<Finding>,
    /// The patient's other active and suspended prescriptions.
    pub others: Vec<OtherActive>,
    /// The one chosen among `others`.
    pub chosen: usize,
    /// Stopping or suspending the chosen one, while it is asked for.
    pub change: Option<RxChange>,
    /// What was last done from the form (a prescription stopped).
    pub done: Option<String>,
    /// The signed-in pharmacist entered it: another one accepts it.
    pub own: bool,
    /// The approved substitutes offered when the item is short on the ward.
    pub offer: Option<super::substitute::Offering>,
}

/// A stop or a suspension as typed: `stop` / 停止 / 停用, `suspend` / 暂停.
fn change_word(v: &str) -> Option<StatusChange> {
    match v.trim().to_lowercase().as_str() {
        "stop" | "s" | "停止" | "停用" | "停" => Some(StatusChange::Stop),
        "suspend" | "hold" | "暂停" | "暂停用药" => Some(StatusChange::Suspend),
        _ => None,
    }
}

fn other_text(o: &OtherActive) -> String {
    t!(
        "tui.validation.other",
        rx = o.id,
        item = o.item,
        dose = o.dose,
        route = o.route,
        freq = o.frequency,
        status = crate::tui::words::code(&o.status)
    )
}

impl Validation {
    /// The validation of `rx_id`, its findings and the patient's other
    /// prescriptions read now; `summary` says whose it is and its wait.
    pub fn open(cx: &Ctx, rx_id: i64, summary: String) -> Validation {
        let mut v = Validation {
            rx_id,
            decision: Field::new(t!("tui.input.approve"), t!("tui.hint.decision")),
            comment: Field::new("", t!("tui.hint.comment")),
            summary,
            findings: Vec::new(),
            others: Vec::new(),
            chosen: 0,
            change: None,
            done: None,
            offer: None,
            own: cx
                .actor
                .as_ref()
                .is_some_and(|a| rx::entered_by(&cx.store.conn, rx_id, a).unwrap_or(false)),
        };
        v.read(cx);
        // The duplicate a finding names is chosen first: the one most likely
        // to be stopped.
        let named = v.findings.iter().find_map(|f| match f {
            Finding::DuplicateTherapy { other_rx, .. }
            | Finding::DuplicateInClass { other_rx, .. } => Some(*other_rx),
            _ => None,
        });
        if let Some(i) = named.and_then(|id| v.others.iter().position(|o| o.id == id)) {
            v.chosen = i;
        }
        v
    }

    /// Reads the findings and the other prescriptions again.
    fn read(&mut self, cx: &Ctx) {
        let conn = &cx.store.conn;
        self.findings = rx::findings_now(conn, self.rx_id, cx.now).unwrap_or_default();
        self.others = rx::other_active(conn, self.rx_id).unwrap_or_default();
        self.chosen = self.chosen.min(self.others.len().saturating_sub(1));
        self.offer = super::substitute::Offering::read(cx, self.rx_id, &self.findings);
    }

    /// The substitution typed, recorded; back to the validation, read again.
    fn submit_substitute(
        &mut self,
        item: &ItemRef,
        cx: &mut Ctx,
    ) -> Result<(String, After), String> {
        let msg = self.offer.as_mut().ok_or_else(String::new)?.submit(cx)?;
        self.done = Some(msg.clone());
        self.read(cx);
        let form = Form::new(item.clone(), Kind::Validation(self.clone()));
        Ok((msg, After::Form(Box::new(form))))
    }

    /// The substitution being typed, if any.
    fn entry(&self) -> Option<&super::substitute::Entry> {
        self.offer.as_ref().and_then(|o| o.entry.as_ref())
    }

    fn submit_change(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let Some(c) = self.change.as_ref() else {
            return Err(String::new());
        };
        let change = change_word(c.what.value())
            .ok_or_else(|| t!("tui.validation.bad_change", value = c.what.value()))?;
        if c.reason.is_empty() {
            return Err(t!("tui.validation.reason_needed").to_string());
        }
        if !super::yes(c.confirm.value()) {
            return Err(t!("tui.form.type_yes").to_string());
        }
        let (target, reason) = (c.target.clone(), c.reason.value().to_string());
        rx::change_status(&mut cx.store, &actor, cx.now, target.id, change, &reason)
            .map_err(|e| e.to_string())?;
        let msg = match change {
            StatusChange::Stop => t!(
                "tui.validation.stopped",
                rx = target.id,
                item = target.item,
                reason = reason
            ),
            _ => t!(
                "tui.validation.suspended",
                rx = target.id,
                item = target.item,
                reason = reason
            ),
        };
        self.change = None;
        self.done = Some(msg.clone());
        self.read(cx);
        // Back to the validation, its findings read again.
        let form = Form::new(item.clone(), Kind::Validation(self.clone()));
        Ok((msg, After::Form(Box::new(form))))
    }
}

impl FormBody for Validation {
    fn title(&self, item: &ItemRef) -> String {
        if self.entry().is_some() {
            return t!(
                "console_resilience.substitute.title",
                rx = self.rx_id,
                item = item.name
            );
        }
        match &self.change {
            Some(c) => t!(
                "tui.validation.change_title",
                rx = c.target.id,
                item = c.target.item
            ),
            None => t!("tui.form.validate_title", item = item.name),
        }
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        if let Some(e) = self.entry() {
            return vec![
                (
                    t!("console_resilience.substitute.field_item"),
                    &e.substitute,
                ),
                (t!("tui.field.reason"), &e.reason),
            ];
        }
        match &self.change {
            Some(c) => vec![
                (t!("tui.validation.field_change"), &c.what),
                (t!("tui.field.reason"), &c.reason),
                (t!("tui.field.confirm"), &c.confirm),
            ],
            None => vec![
                (t!("tui.field.decision"), &self.decision),
                (t!("tui.field.comment"), &self.comment),
            ],
        }
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        if let Some(e) = self.offer.as_mut().and_then(|o| o.entry.as_mut()) {
            return [&mut e.substitute, &mut e.reason].into_iter().nth(i);
        }
        match &mut self.change {
            Some(c) => [&mut c.what, &mut c.reason, &mut c.confirm]
                .into_iter()
                .nth(i),
            None => [&mut self.decision, &mut self.comment].into_iter().nth(i),
        }
    }
    fn key(&mut self, ev: &KeyEvent) -> Option<usize> {
        if !(ev.modifiers - KeyModifiers::SHIFT).is_empty() {
            return None;
        }
        if let Some(o) = self.offer.as_mut() {
            match ev.code {
                KeyCode::Esc if o.entry.is_some() => {
                    o.entry = None;
                    return Some(0);
                }
                KeyCode::F(6) if o.entry.is_none() && self.change.is_none() && o.start() => {
                    self.done = None;
                    // The substitute proposed, the reason next.
                    return Some(1);
                }
                _ if o.entry.is_some() => return None,
                _ => {}
            }
        }
        match (ev.code, self.change.is_some()) {
            // Esc while stopping goes back to the validation.
            (KeyCode::Esc, true) => {
                self.change = None;
                Some(0)
            }
            (KeyCode::PageDown, false) if !self.others.is_empty() => {
                self.chosen = (self.chosen + 1) % self.others.len();
                Some(0)
            }
            (KeyCode::PageUp, false) if !self.others.is_empty() => {
                let n = self.others.len();
                self.chosen = (self.chosen + n - 1) % n;
                Some(0)
            }
            (KeyCode::F(8), false) => {
                let target = self.others.get(self.chosen)?.clone();
                self.change = Some(RxChange {
                    target,
                    what: Field::new(
                        t!("tui.validation.stop_word"),
                        t!("tui.validation.hint_change"),
                    ),
                    reason: Field::new("", t!("tui.validation.hint_reason")),
                    confirm: Field::new("", t!("tui.hint.confirm_yes")),
                });
                self.done = None;
                // The stop or suspension is typed over, the reason next.
                Some(1)
            }
            _ => None,
        }
    }
    fn note(&self) -> Option<String> {
        let mut lines = Vec::new();
        if let Some(c) = &self.change {
            lines.push(t!(
                "tui.validation.change_note",
                other = other_text(&c.target),
                rx = self.rx_id
            ));
            return Some(lines.join("\n"));
        }
        if let Some(o) = self.offer.as_ref().filter(|o| o.entry.is_some()) {
            lines.extend(o.lines());
            return Some(lines.join("\n"));
        }
        if let Some(d) = &self.done {
            lines.push(format!("✓ {d}"));
        }
        if self.own {
            lines.push(rx::RxError::OwnPrescription { id: self.rx_id }.to_string());
        }
        if self.findings.is_empty() {
            lines.push(format!(
                "{} · {}",
                self.summary,
                t!("tui.validation.no_findings")
            ));
        } else {
            lines.push(self.summary.clone());
            lines.push(
                self.findings
                    .iter()
                    .map(|f| format!("! {}", f.message()))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        if let Some(o) = self.others.get(self.chosen) {
            lines.push(t!(
                "tui.validation.also_on",
                other = other_text(o),
                n = self.chosen + 1,
                total = self.others.len()
            ));
        }
        if let Some(o) = &self.offer {
            lines.extend(o.lines());
        }
        Some(lines.join("\n"))
    }
    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        if self.entry().is_some() {
            return self.submit_substitute(item, cx);
        }
        if self.change.is_some() {
            return self.submit_change(item, cx);
        }
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let id = self.rx_id;
        let text = self.comment.value().to_string();
        let accepted = super::decision(self.decision.value())
            .ok_or_else(|| t!("tui.form.bad_decision", value = self.decision.value()))?;
        let decision = if accepted {
            Decision::Accept {
                comment: Some(text).filter(|t| !t.is_empty()),
            }
        } else {
            Decision::Reject { reason: text }
        };
        rx::validate(&mut cx.store, &actor, cx.now, id, &decision).map_err(|e| e.to_string())?;
        Ok((
            if accepted {
                t!("tui.done.validated", id = id, item = item.name)
            } else {
                t!("tui.done.rx_rejected", id = id)
            },
            After::Reload,
        ))
    }
}
