//! The words for the domain's typed results: the roles and what they may do,
//! the seven rights' failures, the pharmacist's findings, the stock warnings,
//! the plan's exceptions. The domain holds the facts; the sentences are here.

use chrono::NaiveDate;

use crate::domain::alerts::{Alert, AlertKind, Severity};
use crate::domain::fefo::LotProblem;
use crate::domain::roles::Operation;
use crate::domain::seven_rights::{Failure, NotAllowed, PatientSeen};
use crate::domain::validation::Finding;
use crate::domain::{Role, cents_text, milli_text};
use crate::planning::mrp::{Exception, ExceptionFacts};
use crate::t;

use super::results::quote;

impl Role {
    /// The role as people say it, in the reader's language.
    pub fn label(self) -> &'static str {
        match self {
            Role::Nurse => t!("domain.role.nurse"),
            Role::NurseManager => t!("domain.role.nurse_manager"),
            Role::Pharmacist => t!("domain.role.pharmacist"),
            Role::Storekeeper => t!("domain.role.storekeeper"),
            Role::Admin => t!("domain.role.admin"),
        }
    }
}

impl crate::domain::schedule::DoseStatus {
    /// A dose's state on the schedule, as one word.
    pub fn label(self) -> &'static str {
        use crate::domain::schedule::DoseStatus as S;
        match self {
            S::Missed => t!("domain.dose_status.missed"),
            S::Late => t!("domain.dose_status.late"),
            S::Due => t!("domain.dose_status.due"),
            S::Upcoming => t!("domain.dose_status.upcoming"),
            S::Recorded => t!("domain.dose_status.recorded"),
        }
    }
}

impl Operation {
    /// What the operation does, as a verb phrase ("receive goods").
    pub fn label(self) -> &'static str {
        match self {
            Operation::Receive => t!("domain.op.receive"),
            Operation::RejectReceipt => t!("domain.op.reject_receipt"),
            Operation::RequestTransfer => t!("domain.op.request_transfer"),
            Operation::Pick => t!("domain.op.pick"),
            Operation::Dispatch => t!("domain.op.dispatch"),
            Operation::Lend => t!("domain.op.lend"),
            Operation::ConfirmReceipt => t!("domain.op.confirm_receipt"),
            Operation::Issue => t!("domain.op.issue"),
            Operation::Waste => t!("domain.op.waste"),
            Operation::Return => t!("domain.op.return"),
            Operation::Quarantine => t!("domain.op.quarantine"),
            Operation::Release => t!("domain.op.release"),
            Operation::Recall => t!("domain.op.recall"),
            Operation::LinkGtin => t!("domain.op.link_gtin"),
            Operation::StartStocktake => t!("domain.op.start_stocktake"),
            Operation::Count => t!("domain.op.count"),
            Operation::ApproveStocktake => t!("domain.op.approve_stocktake"),
            Operation::SetLevels => t!("domain.op.set_levels"),
            Operation::ValidatePrescription => t!("domain.op.validate_prescription"),
            Operation::EnterPrescription => t!("domain.op.enter_prescription"),
            Operation::Administer => t!("domain.op.administer"),
            Operation::WardSettings => t!("domain.op.ward_settings"),
            Operation::Order => t!("domain.op.order"),
            Operation::Plan => t!("domain.op.plan"),
            Operation::MoveStock => t!("domain.op.move_stock"),
            Operation::ValidationSettings => t!("domain.op.validation_settings"),
            Operation::CdRegister => t!("domain.op.cd_register"),
            Operation::ColdReading => t!("cold.op.reading"),
            Operation::ColdDecision => t!("cold.op.decision"),
            Operation::ColdSettings => t!("cold.op.settings"),
            Operation::Reserve => t!("reserve.op"),
        }
    }
}

impl std::fmt::Display for crate::domain::gtin::GtinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::gtin::GtinError as E;
        let s = match self {
            E::Length(g, n) => t!("domain.gtin.length", gtin = quote(g), n = n),
            E::NotDigit(g, c, at) => t!(
                "domain.gtin.not_digit",
                gtin = quote(g),
                c = quote(&c.to_string()),
                at = at
            ),
            E::CheckDigit {
                gtin,
                found,
                expected,
            } => t!(
                "domain.gtin.check_digit",
                gtin = gtin,
                found = found,
                expected = expected
            ),
        };
        f.write_str(&s)
    }
}

impl std::fmt::Display for LotProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LotProblem::Expired { on } => {
                f.write_str(&t!("domain.lot_problem.expired", date = super::date(*on)))
            }
            LotProblem::Quarantined => f.write_str(t!("domain.lot_problem.quarantined")),
            LotProblem::Recalled => f.write_str(t!("domain.lot_problem.recalled")),
        }
    }
}

/// Why a user may not witness or double-check, as a clause.
pub(crate) fn second_user_why(why: NotAllowed) -> String {
    match why {
        NotAllowed::Role { role } => t!("domain.rights.second.role", role = role.label()),
        NotAllowed::SamePerson => t!("domain.rights.second.same_person").into(),
        NotAllowed::Inactive => t!("domain.rights.second.inactive").into(),
        NotAllowed::Locked => t!("domain.rights.second.locked").into(),
    }
}

impl Failure {
    /// What failed and what to do, for the nurse at the bedside.
    pub fn message(&self) -> String {
        match self {
            Failure::Patient { name, mrn, scanned } => match scanned {
                Some(PatientSeen::Wristband { mrn: seen }) => t!(
                    "domain.rights.wrong_patient",
                    scanned = seen,
                    name = name,
                    mrn = mrn
                ),
                Some(PatientSeen::BornOn { given, recorded }) => t!(
                    "domain.rights.wrong_birth_date",
                    given = super::date(*given),
                    name = name,
                    mrn = mrn,
                    born = recorded
                ),
                None => t!("domain.rights.confirm_patient", name = name, mrn = mrn),
            },
            Failure::Drug => t!("domain.rights.wrong_drug").into(),
            Failure::Lot { problem } => t!("domain.rights.lot", why = problem),
            Failure::NoLot => t!("domain.rights.no_lot").into(),
            Failure::ExpiryMismatch { scanned, recorded } => t!(
                "domain.rights.expiry_mismatch",
                scanned = super::date(*scanned),
                recorded = super::date(*recorded)
            ),
            Failure::PackNotScanned { codes } => t!(
                "domain.unscan.pack_not_scanned",
                codes = codes.join(t!("domain.list_separator"))
            ),
            Failure::Dose {
                expected_units_milli,
                given_units,
            } => t!(
                "domain.rights.dose",
                expected = milli_text(*expected_units_milli),
                given = given_units
            ),
            Failure::Route { route } => {
                t!("domain.rights.route", route = super::results::route(route))
            }
            Failure::Time { minutes_off } if *minutes_off < 0 => {
                t!("domain.rights.early", n = -minutes_off)
            }
            Failure::Time { minutes_off } => t!("domain.rights.late", n = minutes_off),
            Failure::TooSoon { last, next } => t!(
                "domain.rights.too_soon",
                last = super::refusals::local_time(*last),
                next = super::refusals::local_time(*next)
            ),
            Failure::Allergy { substances } => t!(
                "domain.rights.allergy",
                substances = substances.join(t!("domain.list_separator"))
            ),
            Failure::Witness => t!("domain.rights.witness").into(),
            Failure::DoubleCheck => t!("domain.rights.double_check").into(),
            Failure::WitnessRefused { user, why } => t!(
                "domain.rights.witness_refused",
                user = user,
                why = second_user_why(*why)
            ),
            Failure::DoubleCheckRefused { user, why } => t!(
                "domain.rights.double_check_refused",
                user = user,
                why = second_user_why(*why)
            ),
        }
    }
}

/// The kind of a recorded allergy (`allergy`, `intolerance`) in words.
pub fn allergy_kind(kind: &str) -> &str {
    match kind {
        "allergy" => t!("domain.allergy_kind.allergy"),
        "intolerance" => t!("domain.allergy_kind.intolerance"),
        other => other,
    }
}

impl Finding {
    /// The finding in one line, for the pharmacist.
    pub fn message(&self) -> String {
        match self {
            Finding::Allergy { substance, kind } => {
                t!(
                    "domain.finding.allergy",
                    kind = allergy_kind(kind),
                    substance = substance
                )
            }
            Finding::DuplicateTherapy {
                other_rx,
                other_item,
                group,
            } => t!(
                "domain.finding.duplicate",
                item = other_item,
                rx = other_rx,
                group = group
            ),
            Finding::DuplicateInClass {
                other_rx,
                other_item,
                class,
            } => t!(
                "domain.finding.duplicate_class",
                item = other_item,
                rx = other_rx,
                class = class
            ),
            Finding::DoseAboveMaximum {
                daily_milli,
                max_milli,
                unit,
            } => t!(
                "domain.finding.dose_above_maximum",
                daily = milli_text(*daily_milli),
                max = milli_text(*max_milli),
                unit = unit
            ),
            Finding::NotInStock { needed, usable } => {
                t!(
                    "domain.finding.not_in_stock",
                    usable = usable,
                    needed = needed
                )
            }
            Finding::OnlyHeldOrExpiringStock { held, expiring } => t!(
                "domain.finding.held_or_expiring",
                held = held,
                expiring = expiring
            ),
        }
    }
}

impl Severity {
    /// How bad a warning is, as one word.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => t!("domain.severity.critical"),
            Severity::High => t!("domain.severity.high"),
            Severity::Medium => t!("domain.severity.medium"),
            Severity::Low => t!("domain.severity.low"),
        }
    }
}

impl AlertKind {
    /// Short mark for list columns.
    pub fn mark(&self) -> String {
        match self {
            AlertKind::Expired => t!("domain.alert.mark.expired").into(),
            AlertKind::Expiring { days_left, .. } => {
                t!("domain.alert.mark.expiring", days = days_left)
            }
            AlertKind::Quarantined => t!("domain.alert.mark.quarantined").into(),
            AlertKind::Recalled => t!("domain.alert.mark.recalled").into(),
            AlertKind::OutOfStock => t!("domain.alert.mark.out").into(),
            AlertKind::BelowSafetyStock => t!("domain.alert.mark.low").into(),
            AlertKind::Attention => t!("domain.alert.mark.attention").into(),
            AlertKind::AboveMaximum => t!("domain.alert.mark.over_max").into(),
            AlertKind::ExpiryWaste { units, .. } => t!("domain.alert.mark.waste", units = units),
            AlertKind::ColdHeld { .. } => t!("cold.alert.mark").into(),
            k @ (AlertKind::DemandSurge { .. }
            | AlertKind::SupplierRisk { .. }
            | AlertKind::SingleSupplier) => crate::i18n::early::mark(k),
        }
    }
}

impl Alert {
    /// One sentence for the person who has to act on it.
    pub fn message(&self, unit: &str, lot: Option<&str>, expiry: Option<NaiveDate>) -> String {
        let lot = lot.unwrap_or("?");
        let unit = super::unit(unit);
        let date = expiry.map(super::date).unwrap_or_default();
        let q = self.qty;
        match self.kind {
            AlertKind::Expired => t!(
                "domain.alert.expired",
                lot = lot,
                date = date,
                q = q,
                unit = unit
            ),
            AlertKind::Expiring { days_left, .. } => t!(
                "domain.alert.expiring",
                lot = lot,
                date = date,
                days = days_left,
                q = q,
                unit = unit
            ),
            AlertKind::Quarantined => {
                t!("domain.alert.quarantined", lot = lot, q = q, unit = unit)
            }
            AlertKind::Recalled => t!("domain.alert.recalled", lot = lot, q = q, unit = unit),
            AlertKind::OutOfStock => {
                t!("domain.alert.out", safety = self.safety_stock, unit = unit)
            }
            AlertKind::BelowSafetyStock => t!(
                "domain.alert.low",
                q = q,
                unit = unit,
                safety = self.safety_stock
            ),
            AlertKind::Attention => t!(
                "domain.alert.attention",
                q = q,
                unit = unit,
                safety = self.safety_stock
            ),
            AlertKind::ExpiryWaste { units, days_left } => t!(
                "domain.alert.waste",
                lot = lot,
                units = units,
                q = q,
                unit = unit,
                days = days_left,
                date = date,
                value = cents_text(self.value_cents)
            ),
            AlertKind::AboveMaximum => t!(
                "domain.alert.over_max",
                q = q,
                unit = unit,
                max = self.max_stock
            ),
            AlertKind::ColdHeld {
                minutes,
                peak_tenths,
            } => t!(
                "cold.alert.held",
                lot = lot,
                q = q,
                unit = unit,
                minutes = minutes,
                peak = peak_tenths
                    .map(crate::domain::cold::celsius_text)
                    .unwrap_or_else(|| "-".into())
            ),
            k @ (AlertKind::DemandSurge { .. }
            | AlertKind::SupplierRisk { .. }
            | AlertKind::SingleSupplier) => crate::i18n::early::short_message(&k, q, unit),
        }
    }
}

impl Exception {
    /// The day bucket `k` is, as the reader's language writes it (a time of
    /// day too when buckets are shorter than a day); "bucket k" without a
    /// plan start.
    fn day(&self, k: usize) -> String {
        match self.bucket_start(k) {
            Some(t) if self.bucket_hours % 24 == 0 => super::day_short(t.date()),
            Some(t) => super::datetime_short(t),
            None => t!("domain.mrp.bucket", n = k),
        }
    }

    /// `n` buckets as days (or hours when buckets are shorter than a day).
    fn span(&self, n: usize) -> String {
        let hours = i64::try_from(n)
            .unwrap_or(i64::MAX)
            .saturating_mul(self.bucket_hours);
        match (hours % 24 == 0, hours) {
            (true, 24) => t!("domain.mrp.one_day").into(),
            (true, h) => t!("domain.mrp.days", n = h / 24),
            (false, 1) => t!("domain.mrp.one_hour").into(),
            (false, h) => t!("domain.mrp.hours", n = h),
        }
    }

    /// What the planner should do, from the kind and the facts, in days.
    pub fn message(&self) -> String {
        let qty = self.qty;
        match self.facts {
            ExceptionFacts::Expedite {
                lead,
                late,
                purchase: true,
            } => t!(
                "domain.mrp.expedite_purchase",
                qty = qty,
                day = self.day(self.bucket),
                lead = self.span(lead),
                late = self.span(late)
            ),
            ExceptionFacts::Expedite { lead, late, .. } => t!(
                "domain.mrp.expedite_delivery",
                qty = qty,
                day = self.day(self.bucket),
                lead = self.span(lead),
                late = self.span(late)
            ),
            ExceptionFacts::BelowSafetyStock { stock, safety } => t!(
                "domain.mrp.below_safety_stock",
                stock = stock,
                safety = safety,
                short = qty
            ),
            ExceptionFacts::Expired { expiry } => {
                t!("domain.mrp.expired", qty = qty, date = super::date(expiry))
            }
            ExceptionFacts::ExpiringBeforeUse { expiry } => t!(
                "domain.mrp.expiring",
                qty = qty,
                date = super::date(expiry),
                day = self.day(self.bucket)
            ),
            ExceptionFacts::Cancel { scheduled } => {
                t!("domain.mrp.cancel", qty = qty, day = self.day(scheduled))
            }
            ExceptionFacts::Defer { scheduled, needed } => t!(
                "domain.mrp.defer",
                qty = qty,
                day = self.day(scheduled),
                needed = self.day(needed)
            ),
        }
    }
}

impl serde::Serialize for Exception {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // The documented shape of `wardstock plan --json`: the facts are in
        // the message, in the reader's language.
        let mut st = s.serialize_struct("Exception", 6)?;
        st.serialize_field("place", &self.place)?;
        st.serialize_field("item", &self.item)?;
        st.serialize_field("bucket", &self.bucket)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("qty", &self.qty)?;
        st.serialize_field("message", &self.message())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_thread_lang};

    #[test]
    fn the_seven_rights_speak_both_languages() {
        set_thread_lang(Lang::En);
        assert!(
            Failure::Time { minutes_off: -75 }
                .message()
                .contains("75 min early")
        );
        let expired = Failure::Lot {
            problem: LotProblem::Expired {
                on: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            },
        };
        assert_eq!(
            expired.message(),
            "this pack may not be given: the lot expired on 2026-11-21"
        );
        set_thread_lang(Lang::ZhCn);
        assert!(expired.message().contains("过期"), "{}", expired.message());
        assert!(expired.message().contains("2026-11-21"));
    }

    #[test]
    fn the_wrong_patient_names_the_wristband_and_the_prescriptions_patient() {
        let f = Failure::Patient {
            name: "Alba Kowalski".into(),
            mrn: "MRN100003".into(),
            scanned: Some(PatientSeen::Wristband {
                mrn: "MRN100004".into(),
            }),
        };
        set_thread_lang(Lang::ZhCn);
        assert_eq!(
            f.message(),
            "患者身份不符：腕带为 MRN100004，医嘱患者为 MRN100003（Alba Kowalski），请停止给药"
        );
        set_thread_lang(Lang::En);
        assert_eq!(
            f.message(),
            "wrong patient: the wristband says MRN100004, the dose is for Alba Kowalski (MRN100003) — stop"
        );
        set_thread_lang(Lang::ZhCn);
        let route = Failure::Route {
            route: "IV infusion".into(),
        };
        assert_eq!(route.message(), "请核对给药途径：静脉滴注");
    }

    #[test]
    fn findings_speak_both_languages() {
        let f = Finding::DoseAboveMaximum {
            daily_milli: 4_000_000,
            max_milli: 3_000_000,
            unit: "mg".into(),
        };
        set_thread_lang(Lang::En);
        assert!(
            f.message()
                .contains("4000 mg a day is above the maximum daily dose of 3000 mg")
        );
        set_thread_lang(Lang::ZhCn);
        assert!(
            f.message().contains("最大日剂量 3000 mg"),
            "{}",
            f.message()
        );
    }

    #[test]
    fn plan_exceptions_name_days_in_both_languages() {
        let start = NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let e = Exception {
            place: "W-MED".into(),
            item: "PARA500T".into(),
            bucket: 2,
            kind: crate::planning::mrp::ExceptionKind::Expedite,
            qty: 40,
            facts: ExceptionFacts::Expedite {
                lead: 3,
                late: 1,
                purchase: false,
            },
            scheduled_bucket: None,
            start: Some(start),
            bucket_hours: 24,
        };
        set_thread_lang(Lang::En);
        assert_eq!(
            e.message(),
            "order 40 needed by 05 Dec: with a transport time of 3 days it is 1 day late; expedite as an urgent delivery"
        );
        set_thread_lang(Lang::ZhCn);
        let zh = e.message();
        assert!(
            zh.contains("12-05") && zh.contains("3 天") && zh.contains("紧急配送"),
            "{zh}"
        );
        // Without a start, the bucket is named.
        set_thread_lang(Lang::En);
        let no_start = Exception { start: None, ..e };
        assert!(
            no_start.message().contains("bucket 2"),
            "{}",
            no_start.message()
        );
    }
}
