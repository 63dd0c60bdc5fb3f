//! The patient record's forms (F4): record an allergy, remove one with the
//! reason, move the patient to another ward or bed. Who may do each is the
//! operation's own rule; a refusal comes back in words.

use super::{After, Field, FormBody};
use crate::ops::refdata as ops;
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;

fn actor(cx: &Ctx) -> Result<crate::ops::Actor, String> {
    cx.actor.clone().ok_or_else(String::new)
}

/// An allergy kind in the reader's words.
pub fn kind_word(kind: &str) -> &str {
    match kind {
        "allergy" => t!("tui.allergy_kind.allergy"),
        "intolerance" => t!("tui.allergy_kind.intolerance"),
        "contraindication" => t!("tui.allergy_kind.contraindication"),
        other => other,
    }
}

/// An allergy kind typed as its code or its word in the reader's language.
pub fn allergy_kind(v: &str) -> String {
    let v = v.trim();
    ops::ALLERGY_KINDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(v) || kind_word(k) == v)
        .map_or_else(|| v.to_string(), |k| k.to_string())
}

#[derive(Debug, Clone)]
pub struct AllergyAdd {
    pub mrn: String,
    pub substance: Field,
    pub kind: Field,
    pub atc: Field,
    pub reaction: Field,
}

impl AllergyAdd {
    pub fn new(mrn: &str) -> AllergyAdd {
        let kinds: Vec<&str> = ops::ALLERGY_KINDS.iter().map(|k| kind_word(k)).collect();
        AllergyAdd {
            mrn: mrn.to_string(),
            substance: Field::new("", t!("tui.hint.substance")),
            kind: Field::new(
                kind_word("allergy"),
                &t!("tui.hint.allergy_kind", kinds = kinds.join(", ")),
            ),
            atc: Field::new("", t!("tui.hint.allergy_atc")),
            reaction: Field::new("", t!("tui.hint.optional")),
        }
    }
}

impl FormBody for AllergyAdd {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.patient.allergy_title", mrn = self.mrn)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.substance"), &self.substance),
            (t!("tui.field.allergy_kind"), &self.kind),
            (t!("tui.field.atc"), &self.atc),
            (t!("tui.field.reaction"), &self.reaction),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [
            &mut self.substance,
            &mut self.kind,
            &mut self.atc,
            &mut self.reaction,
        ]
        .into_iter()
        .nth(i)
    }
    fn refocus(&self) -> Option<usize> {
        super::first_empty(&self.fields()[..2], 0)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if self.substance.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.substance")));
        }
        let kind = allergy_kind(self.kind.value());
        let atc = self.atc.opt();
        let reaction = self.reaction.opt();
        let a = ops::allergy_add(
            &mut cx.store,
            &actor,
            cx.now,
            &self.mrn,
            self.substance.value(),
            &kind,
            atc.as_deref(),
            reaction.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "refdata.allergy.recorded",
                mrn = a.mrn,
                substance = a.substance,
                kind = kind_word(&a.kind)
            ),
            After::Patient(self.mrn.clone()),
        ))
    }
}

#[derive(Debug, Clone)]
pub struct AllergyRemove {
    pub mrn: String,
    pub substance: Field,
    pub reason: Field,
}

impl AllergyRemove {
    pub fn new(mrn: &str) -> AllergyRemove {
        AllergyRemove {
            mrn: mrn.to_string(),
            substance: Field::new("", t!("tui.hint.substance_recorded")),
            reason: Field::new("", t!("tui.hint.removal_reason")),
        }
    }

    /// What the form says above its fields: the allergies recorded now
    /// (`current`, as the record lists them).
    pub fn note(current: &str) -> String {
        t!(
            "tui.hint.recorded_allergies",
            list = crate::tui::words::allergies(current)
        )
    }
}

impl FormBody for AllergyRemove {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.patient.remove_title", mrn = self.mrn)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.substance"), &self.substance),
            (t!("tui.field.reason"), &self.reason),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.substance, &mut self.reason].into_iter().nth(i)
    }
    fn refocus(&self) -> Option<usize> {
        super::first_empty(&self.fields(), 0)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if self.substance.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.substance")));
        }
        // The record keeps why: a removal says its reason.
        if self.reason.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.reason")));
        }
        let a = ops::allergy_remove(
            &mut cx.store,
            &actor,
            cx.now,
            &self.mrn,
            self.substance.value(),
            Some(self.reason.value()),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "refdata.allergy.removed",
                mrn = a.mrn,
                substance = a.substance
            ),
            After::Patient(self.mrn.clone()),
        ))
    }
}

#[derive(Debug, Clone)]
pub struct PatientMove {
    pub mrn: String,
    pub ward: Field,
    pub bed: Field,
}

impl PatientMove {
    pub fn new(mrn: &str, ward: &str, bed: &str) -> PatientMove {
        PatientMove {
            mrn: mrn.to_string(),
            ward: Field::new(ward, t!("tui.hint.ward_code")),
            bed: Field::new(bed, t!("tui.hint.bed")),
        }
    }
}

impl FormBody for PatientMove {
    fn title(&self, _: &ItemRef) -> String {
        t!("tui.patient.move_title", mrn = self.mrn)
    }
    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.ward"), &self.ward),
            (t!("tui.field.bed"), &self.bed),
        ]
    }
    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [&mut self.ward, &mut self.bed].into_iter().nth(i)
    }
    fn submit(&mut self, _: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = actor(cx)?;
        if self.ward.is_empty() {
            return Err(t!("tui.form.required", label = t!("tui.field.ward")));
        }
        let p = ops::patient_move(
            &mut cx.store,
            &actor,
            cx.now,
            &self.mrn,
            Some(self.ward.value()),
            Some(self.bed.value()),
        )
        .map_err(|e| e.to_string())?;
        Ok((
            t!(
                "tui.patient.moved",
                mrn = p.mrn,
                ward = p.ward.clone().unwrap_or_default(),
                bed = p.bed.clone().unwrap_or_default()
            ),
            After::Patient(self.mrn.clone()),
        ))
    }
}
