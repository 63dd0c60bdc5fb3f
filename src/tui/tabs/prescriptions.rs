//! Prescriptions of the ward shown; at the pharmacy, the validation queue
//! of every ward, the longest waiting first, with how long each has waited.
//! Enter validates the selected prescription (a pharmacist).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::domain::PlaceKind;
use crate::domain::alerts::Severity;
use crate::domain::roles::Operation;
use crate::store::queries::{Place, PrescriptionLine};
use crate::t;
use crate::tui::component::{Component, Ctx, Level, ListState, Msg};
use crate::tui::forms::validation::{Validation, wait_text};
use crate::tui::forms::{Form, Kind};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::views::RxView;
use crate::tui::widgets::{Column, TCell, W, fit, line, visible_table, when, width};

#[derive(Debug, Default)]
pub struct PrescriptionsTab {
    pub view: RxView,
    pub sel: ListState,
}

impl PrescriptionsTab {
    pub fn load(&mut self, cx: &Ctx, place: &Place) -> rusqlite::Result<()> {
        let conn = &cx.store.conn;
        self.view = match place.kind {
            PlaceKind::Ward => RxView::load(conn, place.id, cx.now)?,
            // At the pharmacy: every ward's prescriptions to validate.
            PlaceKind::Pharmacy => RxView::load_queue(conn, &cx.places, cx.now)?,
            PlaceKind::Transit => RxView::default(),
        };
        self.sel.clamp(self.view.lines.len());
        Ok(())
    }

    /// The selected prescription, when it awaits validation and a pharmacist is signed in.
    fn validation_target(&self, cx: &Ctx) -> Option<&PrescriptionLine> {
        self.view.lines.get(self.sel.selected).filter(|l| {
            cx.may(Operation::ValidatePrescription) && l.status == "awaiting_validation"
        })
    }

    fn open_validation(&self, cx: &mut Ctx) -> Msg {
        let Some(line) = self.validation_target(cx).cloned() else {
            if cx.may(Operation::ValidatePrescription) {
                cx.say(Level::Warn, t!("tui.rx.validate_who"));
            } else {
                cx.say(Level::Warn, t!("tui.rx.pharmacist_only"));
            }
            return Msg::None;
        };
        let Ok(item) = crate::ops::stock::item_by_id(&cx.store.conn, line.item_id) else {
            return Msg::None;
        };
        let summary = t!(
            "tui.validation.summary",
            bed = line.bed.clone().unwrap_or_default(),
            patient = line.patient,
            dose = crate::tui::words::strength(&line.dose_text()),
            route = crate::tui::words::route(&line.route),
            freq = line.frequency,
            waited = t!(
                "tui.validation.waited",
                time = wait_text(self.view.waited.get(&line.id).copied().unwrap_or(0))
            )
        );
        let form = Form::new(
            item,
            Kind::Validation(Validation::open(cx, line.id, summary)),
        );
        Msg::Form(Box::new(form))
    }
}

impl Component for PrescriptionsTab {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::List, Context::Global]
    }

    fn offers(&self, action: Action, cx: &Ctx) -> bool {
        match action {
            Action::Open => self.validation_target(cx).is_some(),
            a => !super::TAB_ACTIONS.contains(&a),
        }
    }

    fn event(&mut self, action: Action, cx: &mut Ctx) -> Msg {
        if self.sel.act(action, self.view.lines.len()) {
            return Msg::None;
        }
        match action {
            Action::Open => self.open_validation(cx),
            _ => Msg::None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &Ctx, theme: &Theme) {
        let [cap, list, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let title = match cx.current_ward() {
            Some(ward) => ward.name.clone(),
            None if self.view.all_wards => t!("tui.rx.queue_title").to_string(),
            None => {
                line(
                    f,
                    cap,
                    Line::styled(fit(t!("tui.rx.per_ward"), cap.width as usize), theme.warn()),
                );
                return;
            }
        };
        let v = &self.view;
        let awaiting = v
            .lines
            .iter()
            .filter(|l| l.status == "awaiting_validation")
            .count();
        let active = v.lines.iter().filter(|l| l.status == "active").count();
        line(
            f,
            cap,
            Line::from(vec![
                Span::styled(format!(" {title} — "), theme.header()),
                // The pharmacy's queue holds only what awaits validation:
                // the wards' active prescriptions are not counted in it.
                Span::raw(if v.all_wards {
                    String::new()
                } else {
                    t!("tui.rx.active", n = active)
                }),
                Span::styled(
                    t!("tui.rx.awaiting", n = awaiting),
                    if awaiting > 0 {
                        theme.warn()
                    } else {
                        theme.dim()
                    },
                ),
                Span::raw(t!("tui.rx.patients", n = v.patients.len())),
            ]),
        );
        let wide = area.width >= 100;
        let mut cols = vec![
            Column::new(
                if v.all_wards {
                    t!("tui.col.ward_bed")
                } else {
                    t!("tui.col.bed")
                },
                W::Whole,
            ),
            // A patient's name is never cut before an optional column goes.
            Column::new(t!("tui.col.patient"), W::Fill(8)),
            Column::new(t!("tui.col.drug"), W::Fill(14)),
            Column::new(t!("tui.col.dose"), W::Whole),
            Column::new(t!("tui.col.route_short"), W::Whole).optional(1),
            Column::new(t!("tui.col.freq"), W::Whole).optional(2),
            Column::new(t!("tui.col.status"), W::Whole),
        ];
        if v.all_wards {
            // The queue is ordered by it, longest first.
            cols.push(Column::new(t!("tui.validation.col_waited"), W::Whole));
        }
        if wide {
            cols.push(Column::new(t!("tui.col.start"), W::Whole).optional(3));
        }
        visible_table(f, list, theme, &cols, v.lines.len(), Some(&self.sel), |i| {
            let l = &v.lines[i];
            let status_style = match l.status.as_str() {
                "awaiting_validation" => theme.warn(),
                "active" => theme.info(),
                _ => theme.dim(),
            };
            let status = match l.status.as_str() {
                "awaiting_validation" if v.findings.get(&l.id).is_some_and(|f| !f.is_empty()) => {
                    t!("tui.rx.validate_findings").to_string()
                }
                "awaiting_validation" => t!("tui.rx.to_validate").to_string(),
                s => crate::tui::words::code(s),
            };
            let mut cells = vec![
                TCell::from(l.bed.clone().unwrap_or_default()),
                TCell::from(l.patient.clone()),
                TCell::name(l.item.clone()),
                TCell::dose(l.dose_text()),
                TCell::from(l.route.clone()),
                TCell::from(l.frequency.clone()),
                TCell::styled(status, status_style),
            ];
            if v.all_wards {
                cells.push(TCell::from(wait_text(
                    v.waited.get(&l.id).copied().unwrap_or(0),
                )));
            }
            if wide {
                cells.push(TCell::from(l.start_at.map(when).unwrap_or_default()));
            }
            cells
        });
        let findings = v
            .lines
            .get(self.sel.selected)
            .and_then(|l| v.findings.get(&l.id))
            .filter(|f| !f.is_empty());
        if let Some(found) = findings {
            let text: Vec<String> = found.iter().map(|f| f.message()).collect();
            line(
                f,
                foot,
                Line::styled(
                    fit(&format!(" ! {}", text.join("; ")), foot.width as usize),
                    theme.warn(),
                ),
            );
        } else if let Some(l) = v.lines.get(self.sel.selected) {
            let allergies = v.allergies(l.patient_id);
            let allergy_text = if allergies.is_empty() {
                String::new()
            } else {
                fit(
                    &t!(
                        "tui.rx.allergies",
                        list = crate::tui::words::allergies(allergies)
                    ),
                    40,
                )
            };
            let mut spans = vec![Span::raw(fit(
                &t!(
                    "tui.rx.foot",
                    mrn = l.mrn,
                    indication = l.indication,
                    times = l.times,
                    by = l.prescriber
                ),
                (foot.width as usize).saturating_sub(width(&allergy_text)),
            ))];
            if !allergy_text.is_empty() {
                spans.push(Span::styled(allergy_text, theme.severity(Severity::High)));
            }
            line(f, foot, Line::from(spans));
        } else {
            line(f, foot, Line::styled(t!("tui.rx.empty"), theme.dim()));
        }
    }
}
