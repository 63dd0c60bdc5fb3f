//! The approved substitutes offered in the pharmacist's validation when the
//! prescribed item is short on the patient's ward (the validation's own
//! supply finding says so), each with its stock on the ward and elsewhere;
//! F6 records that the prescription may be given with one, with the
//! reason, through the operation behind `wardstock rx substitute`.

use super::Field;
use crate::domain::validation::Finding;
use crate::i18n::num;
use crate::ops::substitutes::{self, Offer};
use crate::t;
use crate::tui::component::Ctx;

/// The substitution being typed: which substitute and why.
#[derive(Debug, Clone)]
pub struct Entry {
    pub substitute: Field,
    pub reason: Field,
}

/// The substitutes offered for a prescription.
#[derive(Debug, Clone)]
pub struct Offering {
    pub offer: Offer,
    pub entry: Option<Entry>,
}

impl Offering {
    /// The offer for `rx_id` given its findings now; `None` when the item
    /// is not short or has no approved substitute.
    pub fn read(cx: &Ctx, rx_id: i64, findings: &[Finding]) -> Option<Offering> {
        substitutes::offer_for_prescription(&cx.store.conn, rx_id, findings, cx.now)
            .ok()
            .flatten()
            .filter(|o| !o.substitutes.is_empty())
            .map(|offer| Offering { offer, entry: None })
    }

    /// The substitute proposed first: one not yet allowed with the most
    /// units on the ward.
    fn proposed(&self) -> Option<&str> {
        self.offer
            .substitutes
            .iter()
            .filter(|s| !s.allowed)
            .max_by_key(|s| (s.stock.here, s.stock.elsewhere))
            .map(|s| s.stock.item.as_str())
    }

    /// Starts typing a substitution (F6); `false` when every substitute
    /// is already allowed.
    pub fn start(&mut self) -> bool {
        let Some(code) = self.proposed().map(str::to_string) else {
            return false;
        };
        self.entry = Some(Entry {
            substitute: Field::new(&code, t!("console_resilience.substitute.hint_item")),
            reason: Field::new("", t!("console_resilience.substitute.hint_reason")),
        });
        true
    }

    /// What the form says of the offer: the shortage and each substitute.
    pub fn lines(&self) -> Vec<String> {
        let o = &self.offer;
        let mut out = vec![t!(
            "console_resilience.substitute.short",
            item = o.item,
            ward = o.ward,
            usable = num(o.usable),
            needed = num(o.needed)
        )];
        for s in &o.substitutes {
            let per = s
                .stock
                .per_unit
                .map(|p| crate::domain::milli_text((p * 1000.0).round() as i64))
                .unwrap_or_else(|| "?".into());
            let mut line = t!(
                "console_resilience.substitute.line",
                code = s.stock.item,
                name = s.stock.name,
                per = per,
                here = num(s.stock.here),
                elsewhere = num(s.stock.elsewhere)
            );
            if s.allowed {
                line.push_str(&format!(
                    " ✓ {}",
                    t!("console_resilience.substitute.allowed")
                ));
            } else if s.alternative {
                line.push_str(&format!(
                    " · {}",
                    t!(
                        "console_resilience.substitute.alternative",
                        note = s.note.clone().unwrap_or_default()
                    )
                ));
            }
            out.push(line);
        }
        if self.entry.is_none() && self.proposed().is_some() {
            out.push(t!("console_resilience.substitute.how").to_string());
        }
        out
    }

    /// Records the substitution typed: the words of what was done.
    pub fn submit(&mut self, cx: &mut Ctx) -> Result<String, String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let Some(e) = self.entry.as_ref() else {
            return Err(String::new());
        };
        let code = e.substitute.value().to_string();
        let reason = e.reason.value().to_string();
        let sub =
            crate::ops::stock::item_by_code(&cx.store.conn, &code).map_err(|e| e.to_string())?;
        substitutes::allow_for_prescription(
            &mut cx.store,
            &actor,
            cx.now,
            self.offer.rx_id,
            &sub,
            &reason,
        )
        .map_err(|e| e.to_string())?;
        self.entry = None;
        Ok(t!(
            "console_resilience.substitute.recorded",
            rx = self.offer.rx_id,
            code = sub.code,
            name = sub.name,
            reason = reason
        ))
    }
}
