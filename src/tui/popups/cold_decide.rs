//! A pharmacist's decision on a lot held after an excursion, in the cold
//! chain popup: release it (a comment required) or dispose of it (a comment
//! and a second Enter that confirms, after the lot, its expiry, the units
//! and the excursion's duration and peak were shown). Both go through the
//! operations the CLI's `cold release` and `cold dispose` use.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::domain::roles::Operation;
use crate::i18n::cold::{cause, celsius_opt};
use crate::ops::cold::{self, Decision, HeldLot};
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::{Ctx, Level};
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, wrap};

/// The longest comment taken (characters).
const MAX_COMMENT: usize = 200;

/// A decision being typed on one held lot.
#[derive(Debug, Clone)]
pub struct Deciding {
    pub decision: Decision,
    pub hold: HeldLot,
    pub item: ItemRef,
    pub expiry: Option<NaiveDate>,
    pub comment: String,
    /// A disposal with its comment typed: the next Enter disposes.
    pub confirm: bool,
}

/// What a key did to a decision.
pub enum Step {
    Stay,
    /// Back to the list, nothing written.
    Back,
    /// The decision to run now.
    Run,
}

/// Starts a decision on `hold`, or says why it cannot be made here (the
/// signed-in user is not a pharmacist: the typed refusal, in words).
pub fn start(cx: &Ctx, hold: &HeldLot, decision: Decision) -> Result<Deciding, String> {
    let actor = cx.actor.as_ref().ok_or_else(String::new)?;
    crate::ops::items::allow(actor, Operation::ColdDecision).map_err(|e| {
        format!(
            "{} — {}",
            e,
            t!("console_resilience.cold.pharmacist_decides")
        )
    })?;
    let item =
        crate::ops::stock::item_by_id(&cx.store.conn, hold.item_id).map_err(|e| e.to_string())?;
    let expiry = crate::ops::stock::lot_by_number(&cx.store.conn, &item, &hold.lot)
        .map_err(|e| e.to_string())?
        .expiry;
    Ok(Deciding {
        decision,
        hold: hold.clone(),
        item,
        expiry,
        comment: String::new(),
        confirm: false,
    })
}

impl Deciding {
    pub fn key(&mut self, ev: KeyEvent) -> Result<Step, String> {
        let plain = (ev.modifiers - KeyModifiers::SHIFT).is_empty();
        match ev.code {
            KeyCode::Esc if self.confirm => self.confirm = false,
            KeyCode::Esc => return Ok(Step::Back),
            KeyCode::Enter => {
                if self.comment.trim().is_empty() {
                    return Err(cold::ColdError::CommentRequired.to_string());
                }
                if self.decision == Decision::Dispose && !self.confirm {
                    self.confirm = true;
                    return Ok(Step::Stay);
                }
                return Ok(Step::Run);
            }
            KeyCode::Backspace => {
                self.confirm = false;
                self.comment.pop();
            }
            KeyCode::Char(c) if plain && self.comment.chars().count() < MAX_COMMENT => {
                self.confirm = false;
                self.comment.push(c);
            }
            _ => {}
        }
        Ok(Step::Stay)
    }

    /// Runs the decision: the words of what was recorded, or the refusal.
    pub fn run(&self, cx: &mut Ctx) -> Result<(Level, String), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let now = cx.now;
        let location = &self.hold.location;
        let done = match self.decision {
            Decision::Release => cold::release(
                &mut cx.store,
                &actor,
                now,
                location,
                &self.item,
                &self.hold.lot,
                &self.comment,
            ),
            Decision::Dispose => cold::dispose(
                &mut cx.store,
                &actor,
                now,
                location,
                &self.item,
                &self.hold.lot,
                &self.comment,
                None,
            ),
        }
        .map_err(|e| e.to_string())?;
        cx.local_writes += 1;
        let msg = if done.decision == "dispose" {
            t!(
                "cold.cli.disposed",
                item = done.item,
                lot = done.lot,
                location = done.location,
                qty = crate::i18n::num(done.disposed)
            )
        } else {
            t!(
                "console_resilience.cold.released",
                item = done.item,
                lot = done.lot,
                minutes = done.minutes,
                peak = celsius_opt(done.peak_tenths),
                total = done.cumulative_minutes
            )
        };
        Ok((Level::Info, msg))
    }

    /// The decision's panel: the lot and the excursion, the comment typed,
    /// and for a disposal the confirmation asked.
    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width as usize;
        let h = &self.hold;
        let unit = crate::i18n::unit(&h.unit);
        let head = match self.decision {
            Decision::Release => t!(
                "console_resilience.cold.release_title",
                item = h.item_code,
                lot = h.lot
            ),
            Decision::Dispose => t!(
                "console_resilience.cold.dispose_title",
                item = h.item_code,
                lot = h.lot
            ),
        };
        let mut lines = vec![
            Line::styled(fit(&head, w), theme.title()),
            Line::raw(fit(
                &t!(
                    "console_resilience.cold.lot_line",
                    name = h.item_name,
                    expiry = self
                        .expiry
                        .map(crate::i18n::date)
                        .unwrap_or_else(|| "-".into()),
                    qty = crate::i18n::num(h.qty),
                    unit = unit,
                    location = h.location
                ),
                w,
            )),
            Line::styled(
                fit(
                    &t!(
                        "console_resilience.cold.excursion_line",
                        minutes = h.minutes,
                        peak = celsius_opt(h.peak_tenths),
                        cause = cause(h.cause),
                        at = crate::i18n::datetime_short(crate::i18n::local(h.held_at))
                    ),
                    w,
                ),
                theme.error(),
            ),
        ];
        let typed = t!("console_resilience.cold.comment", comment = self.comment);
        for part in wrap(&format!("{typed}▏"), w).into_iter().take(3) {
            lines.push(Line::styled(part, theme.header()));
        }
        if self.confirm {
            for part in wrap(
                &t!(
                    "console_resilience.cold.confirm_dispose",
                    qty = crate::i18n::num(h.qty),
                    unit = unit,
                    lot = h.lot
                ),
                w,
            ) {
                lines.push(Line::styled(part, theme.error()));
            }
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    /// The keys while deciding.
    pub fn keys(&self) -> &'static str {
        match (self.decision, self.confirm) {
            (Decision::Release, _) => t!("console_resilience.cold.keys_release"),
            (Decision::Dispose, false) => t!("console_resilience.cold.keys_dispose"),
            (Decision::Dispose, true) => t!("console_resilience.cold.keys_confirm"),
        }
    }
}
