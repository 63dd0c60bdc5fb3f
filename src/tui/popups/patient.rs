//! A patient's record over the Administration tab (F4): allergies,
//! prescriptions, then doses with their lots, newest first.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Done;
use crate::store::queries::PatientRecord;
use crate::t;
use crate::tui::component::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, fit, pad};

#[derive(Debug, Clone)]
pub struct PatientCard {
    pub record: PatientRecord,
    pub scroll: usize,
}

impl PatientCard {
    pub fn key(&mut self, ev: KeyEvent, cx: &Ctx) -> Done {
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

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
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
                        kind = crate::i18n::domain::allergy_kind(&a.kind),
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
        for l in &p.prescriptions {
            lines.push(Line::raw(fit(
                &format!(
                    " RX-{} {} {} {} {} {} · {}",
                    l.id,
                    pad(&crate::tui::words::code(&l.status), 11),
                    l.item,
                    l.dose_text(),
                    l.route,
                    l.frequency,
                    l.indication
                ),
                w,
            )));
        }
        lines.push(Line::styled(t!("tui.patient.doses"), theme.warn()));
        for d in &p.doses {
            let when = crate::domain::instant_from_text(
                d.scheduled_at.as_deref().unwrap_or(d.recorded_at.as_str()),
            )
            .map(crate::tui::widgets::when)
            .unwrap_or_default();
            lines.push(Line::raw(fit(
                &format!(
                    " {when} {} {} {}",
                    pad(&crate::tui::words::code(&d.outcome), 15),
                    pad(
                        &d.lot
                            .as_ref()
                            .map(|l| t!("tui.patient.lot", lot = l))
                            .unwrap_or_default(),
                        13
                    ),
                    d.item,
                ),
                w,
            )));
        }
        let body = r.height.saturating_sub(3) as usize;
        let scroll = self.scroll.min(lines.len().saturating_sub(body));
        let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(body).collect();
        shown.push(Line::styled(fit(t!("tui.patient.keys"), w), theme.dim()));
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
