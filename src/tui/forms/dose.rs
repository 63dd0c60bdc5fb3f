//! Giving a dose at the bedside: scan the wristband, then the pack (or,
//! when it cannot be scanned, say why from the ward's list); the units, the
//! route confirmed, the outcome and its reason, and the second user a
//! controlled or high-alert drug needs.

use chrono::{DateTime, Utc};

use super::{After, Field, FormBody};
use crate::gs1::Gs1;
use crate::ops::mar::{self, DoseInput, Outcome};
use crate::ops::stock::ItemRef;
use crate::t;
use crate::tui::component::Ctx;

#[derive(Debug, Clone)]
pub struct Dose {
    /// The prescription given.
    pub rx_id: i64,
    /// The scheduled time (`None` for PRN).
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The patient the dose is for: the wristband must carry this MRN.
    pub patient_mrn: String,
    /// Their name, said with the MRN when a wristband is someone else's.
    pub patient_name: String,
    /// A controlled drug: a witness signs.
    pub controlled: bool,
    /// A high-alert drug: a second user double-checks.
    pub high_alert: bool,
    /// The item of the pack scanned (the prescribed one or an allowed alternative).
    pub pack_item: Option<i64>,
    /// The lot and expiry read from the pack's barcode.
    pub pack_expiry: Option<(String, chrono::NaiveDate)>,
    pub wristband: Field,
    pub lot: Field,
    /// Why the pack cannot be scanned: a code of the ward's list, or "other: …".
    pub unable: Field,
    pub units: Field,
    pub route_ok: Field,
    pub outcome: Field,
    pub reason: Field,
    pub timing: Field,
    pub witness: Field,
    pub witness_pin: Field,
    pub checked_by: Field,
    pub check_pin: Field,
    /// What the last scan confirmed: the right patient, or the pack.
    pub scan_ok: Option<String>,
    /// The dose is outside its window: the timing reason is asked for.
    pub timing_needed: bool,
}

/// Field positions (for the cursor).
pub const LOT: usize = 1;
pub const UNABLE: usize = 2;
pub const ROUTE_OK: usize = 4;
pub const OUTCOME: usize = 5;
pub const UNITS: usize = 3;
pub const REASON: usize = 6;
pub const TIMING: usize = 7;
pub const WITNESS: usize = 8;
pub const WITNESS_PIN: usize = 9;
pub const CHECKED_BY: usize = 10;
pub const CHECK_PIN: usize = 11;

impl Dose {
    pub fn new(rx_id: i64, scheduled_at: Option<DateTime<Utc>>, mrn: &str, units: i64) -> Dose {
        Dose {
            rx_id,
            scheduled_at,
            patient_mrn: mrn.to_string(),
            patient_name: String::new(),
            controlled: false,
            high_alert: false,
            pack_item: None,
            pack_expiry: None,
            wristband: Field::new("", t!("tui.hint.wristband")),
            lot: Field::new("", t!("tui.hint.dose_lot")),
            unable: Field::new("", t!("tui.unscan.hint_plain")),
            units: Field::new(
                &units.to_string(),
                if units == 0 {
                    t!("tui.hint.multi_dose")
                } else {
                    t!("tui.hint.units_given")
                },
            ),
            route_ok: Field::new("", t!("tui.hint.route_ok")),
            outcome: Field::new(
                super::input::outcome_word(Outcome::Given),
                t!("tui.hint.outcome"),
            ),
            reason: Field::new("", t!("tui.hint.dose_reason")),
            timing: Field::new("", t!("tui.hint.timing")),
            witness: Field::new("", t!("tui.hint.witness")),
            witness_pin: Field::secret(t!("tui.hint.their_pin")),
            checked_by: Field::new("", t!("tui.hint.checked_by")),
            check_pin: Field::secret(t!("tui.hint.their_pin")),
            scan_ok: None,
            timing_needed: false,
        }
    }

    /// What the outcome typed so far means for the fields: `None` while
    /// it is not (yet) a known word, taken as a dose to give.
    fn giving(&self) -> bool {
        !matches!(
            super::input::outcome(self.outcome.value()),
            Some(Outcome::Held | Outcome::Refused | Outcome::Missed | Outcome::NotGivenSupply)
        )
    }

    /// Scanned data that is not a product barcode is the wristband; the
    /// wrong patient is said at once, not after the whole form.
    pub fn scan_wristband(
        &mut self,
        data: &str,
        cx: &Ctx,
    ) -> Option<Result<Option<usize>, String>> {
        let product = cx.parse_scan(data).ok().filter(|g| g.gtin.is_some());
        if product.is_some() {
            return None;
        }
        // A GSRN names its patient's MRN; a scan of the kind the site's
        // wristbands do not carry is refused.
        let band = match crate::ops::scan::wristband_mrn(
            &cx.store.conn,
            data,
            crate::ops::scan::Entry::Scanned,
            cx.settings.scanner.separator,
            cx.today(),
        ) {
            Ok(mrn) => mrn,
            Err(e) => {
                self.wristband.set("");
                return Some(Err(e.to_string()));
            }
        };
        self.wristband.set(&band);
        if let Some(refusal) = self.wrong_patient(&band, cx) {
            self.scan_ok = None;
            return Some(Err(refusal));
        }
        self.scan_ok = Some(t!("tui.dose.scan_patient_ok", mrn = band));
        Some(Ok(self.lot.is_empty().then_some(LOT)))
    }

    /// A wristband (or typed MRN or GSRN) that is another patient's: the
    /// refusal names both patients, MRN and name.
    fn wrong_patient(&self, band: &str, cx: &Ctx) -> Option<String> {
        let band = &match crate::ops::scan::wristband_mrn(
            &cx.store.conn,
            band,
            crate::ops::scan::Entry::Typed,
            cx.settings.scanner.separator,
            cx.today(),
        ) {
            Ok(mrn) => mrn,
            Err(e) => return Some(e.to_string()),
        };
        if band.is_empty() || band.eq_ignore_ascii_case(&self.patient_mrn) {
            return None;
        }
        let name = crate::store::queries::patient_name(&cx.store.conn, band)
            .ok()
            .flatten()
            .unwrap_or_else(|| t!("tui.dose.unknown_patient").to_string());
        Some(t!(
            "tui.dose.wrong_patient",
            band = band,
            band_name = name,
            mrn = self.patient_mrn,
            name = self.patient_name
        ))
    }

    /// Marks the second users a controlled or high-alert drug needs as
    /// required, up front.
    pub fn require_second_users(&mut self, controlled: bool, high_alert: bool) {
        self.controlled = controlled;
        self.high_alert = high_alert;
        if controlled {
            self.witness.hint = t!("tui.hint.witness_required").to_string();
        }
        if high_alert {
            self.checked_by.hint = t!("tui.hint.checked_by_required").to_string();
        }
    }

    /// The first field still to fill that the dose cannot do without: where
    /// the cursor goes after a refusal.
    fn first_missing(&self) -> Option<usize> {
        let given = matches!(
            super::input::outcome(self.outcome.value()),
            Some(Outcome::Given | Outcome::PartiallyGiven)
        );
        let mut need = vec![
            (0, self.wristband.is_empty()),
            (
                OUTCOME,
                super::input::outcome(self.outcome.value()).is_none(),
            ),
        ];
        if given {
            // The pack scanned, or why it cannot be.
            need.push((LOT, self.lot.is_empty() && self.unable.is_empty()));
            need.push((ROUTE_OK, !super::yes(self.route_ok.value())));
        }
        if !given && !self.outcome.is_empty() {
            need.push((REASON, self.reason.is_empty()));
        }
        if given && self.timing_needed {
            need.push((TIMING, self.timing.is_empty()));
        }
        if given && self.controlled {
            need.push((WITNESS, self.witness.is_empty()));
            need.push((WITNESS_PIN, self.witness_pin.is_empty()));
        }
        if given && self.high_alert {
            need.push((CHECKED_BY, self.checked_by.is_empty()));
            need.push((CHECK_PIN, self.check_pin.is_empty()));
        }
        need.into_iter()
            .find(|(_, missing)| *missing)
            .map(|(i, _)| i)
    }
}

impl FormBody for Dose {
    fn title(&self, item: &ItemRef) -> String {
        t!("tui.form.dose_title", item = item.name)
    }

    fn fields(&self) -> Vec<(&'static str, &Field)> {
        vec![
            (t!("tui.field.wristband"), &self.wristband),
            (t!("tui.field.lot"), &self.lot),
            (t!("tui.unscan.field"), &self.unable),
            (t!("tui.field.units"), &self.units),
            (t!("tui.field.route_ok"), &self.route_ok),
            (t!("tui.field.outcome"), &self.outcome),
            (t!("tui.field.reason"), &self.reason),
            (t!("tui.field.timing"), &self.timing),
            (
                if self.controlled {
                    t!("tui.field.witness_required")
                } else {
                    t!("tui.field.witness")
                },
                &self.witness,
            ),
            (t!("tui.field.witness_pin"), &self.witness_pin),
            (
                if self.high_alert {
                    t!("tui.field.checked_by_required")
                } else {
                    t!("tui.field.checked_by")
                },
                &self.checked_by,
            ),
            (t!("tui.field.check_pin"), &self.check_pin),
        ]
    }

    fn field_mut(&mut self, i: usize) -> Option<&mut Field> {
        [
            &mut self.wristband,
            &mut self.lot,
            &mut self.unable,
            &mut self.units,
            &mut self.route_ok,
            &mut self.outcome,
            &mut self.reason,
            &mut self.timing,
            &mut self.witness,
            &mut self.witness_pin,
            &mut self.checked_by,
            &mut self.check_pin,
        ]
        .into_iter()
        .nth(i)
    }

    /// Only what this dose needs: the pack, its units and the route for a
    /// dose given; the reason for one not given; the timing reason outside
    /// the window; a witness for a controlled drug and a double-check for
    /// a high-alert one. A field already filled stays shown.
    fn shown(&self, i: usize) -> bool {
        let giving = self.giving();
        let given_exactly = matches!(
            super::input::outcome(self.outcome.value()),
            Some(Outcome::Given)
        );
        let filled = |f: &Field| !f.is_empty();
        match i {
            LOT | UNITS | ROUTE_OK => giving,
            UNABLE => giving && self.pack_item.is_none(),
            REASON => !given_exactly || filled(&self.reason),
            TIMING => giving && (self.timing_needed || filled(&self.timing)),
            WITNESS | WITNESS_PIN => giving && (self.controlled || filled(&self.witness)),
            CHECKED_BY | CHECK_PIN => giving && (self.high_alert || filled(&self.checked_by)),
            _ => true,
        }
    }

    fn refocus(&self) -> Option<usize> {
        self.first_missing()
    }

    fn submit(&mut self, item: &ItemRef, cx: &mut Ctx) -> Result<(String, After), String> {
        let actor = cx.actor.clone().ok_or_else(String::new)?;
        let now = cx.now;
        let outcome: Outcome = super::input::outcome(self.outcome.value())
            .ok_or_else(|| t!("tui.form.bad_outcome", value = self.outcome.value()))?;
        // A second user signs in with their PIN (wrong PINs count towards their lock).
        let store = &mut cx.store;
        let mut second = |user: &Field, pin: &Field| -> Result<Option<crate::ops::Actor>, String> {
            if user.is_empty() {
                return Ok(None);
            }
            crate::ops::auth::sign_in(store, user.value(), pin.input.value(), now)
                .map(Some)
                .map_err(|e| e.to_string())
        };
        let witness = second(&self.witness, &self.witness_pin)?;
        let double_check = second(&self.checked_by, &self.check_pin)?;
        // A date typed instead of a scan: the date of birth confirmed with
        // the patient whose name the form shows.
        let band = self.wristband.value();
        let dob = chrono::NaiveDate::parse_from_str(band, "%Y-%m-%d").ok();
        if dob.is_none()
            && let Some(refusal) = self.wrong_patient(band, cx)
        {
            return Err(refusal);
        }
        let lot = self.lot.value().to_string();
        // A lot typed without scanning the pack is not a scan: the pack is
        // scanned, or the nurse says why it cannot be.
        if !lot.is_empty()
            && self.pack_item.is_none()
            && matches!(outcome, Outcome::Given | Outcome::PartiallyGiven)
        {
            return Err(t!("tui.unscan.typed_lot").to_string());
        }
        let input = DoseInput {
            rx_id: self.rx_id,
            scheduled_at: self.scheduled_at,
            outcome,
            patient_mrn: Some(band.to_string()).filter(|m| !m.is_empty() && dob.is_none()),
            patient_dob: dob,
            pack: (!lot.is_empty()).then(|| (self.pack_item.unwrap_or(item.id), lot.clone())),
            pack_expiry: self
                .pack_expiry
                .as_ref()
                .filter(|(scanned, _)| *scanned == lot)
                .map(|(_, expiry)| *expiry),
            unable_to_scan: self.unable.opt(),
            units: self.units.number(t!("tui.field.units"))?.unwrap_or(0),
            route_confirmed: super::yes(self.route_ok.value()),
            timing_reason: self.timing.opt(),
            reason: self.reason.opt(),
            witness,
            double_check,
        };
        let r = mar::administer(&mut cx.store, &actor, now, &input).map_err(|e| {
            // Outside the window after all (the clock moved on): the
            // timing reason is asked for.
            if let mar::DoseError::Rights(failed) = &e
                && failed
                    .iter()
                    .any(|f| matches!(f, crate::domain::seven_rights::Failure::Time { .. }))
            {
                self.timing_needed = true;
            }
            e.to_string()
        })?;
        Ok((format!("{}: {}", item.name, r.summary()), After::Reload))
    }

    /// The prescribed product or an allowed alternative, at its own strength.
    fn scan_pack(
        &mut self,
        item: &ItemRef,
        g: &Gs1,
        pack: &ItemRef,
        cx: &Ctx,
    ) -> Result<Option<usize>, String> {
        let allowed =
            crate::ops::rx::allowed_products(&cx.store.conn, self.rx_id).unwrap_or_default();
        if !allowed.contains(&pack.id) {
            // An approved substitute: the way to give it is named.
            if crate::ops::substitutes::listed_for(&cx.store.conn, item.id, pack.id)
                .unwrap_or(false)
            {
                return Err(t!(
                    "console_resilience.bedside.substitute_not_allowed",
                    pack = pack.name,
                    item = item.name,
                    rx = self.rx_id,
                    code = pack.code
                ));
            }
            return Err(t!(
                "tui.dose.wrong_drug",
                pack = pack.name,
                item = item.name
            ));
        }
        // A recalled, quarantined or expired lot is refused at the scan.
        if let Some(lot) = &g.lot {
            crate::ops::stock::pack_usable(&cx.store.conn, pack, lot, cx.today())
                .map_err(|e| e.to_string())?;
        }
        self.pack_item = Some(pack.id);
        if pack.id != item.id
            && let Some(units) =
                crate::store::queries::units_for_dose(&cx.store.conn, self.rx_id, pack.id)
        {
            self.units.set(&units.to_string());
        }
        if let Some(lot) = &g.lot {
            self.lot.set(lot);
            // Scanned after all: no reason why not.
            self.unable.set("");
        }
        self.pack_expiry = g.lot.clone().zip(g.expiry);
        let lot = g.lot.as_deref().unwrap_or("—");
        self.scan_ok = Some(match g.expiry {
            Some(e) => t!(
                "tui.dose.scan_pack_ok",
                pack = pack.name,
                lot = lot,
                expiry = crate::i18n::date(e)
            ),
            None => t!("tui.dose.scan_pack_ok_lot", pack = pack.name, lot = lot),
        });
        Ok(self.route_ok.is_empty().then_some(ROUTE_OK))
    }

    fn scan_confirmed(&self) -> Option<String> {
        self.scan_ok.clone()
    }
}
