//! The words for the operations' refusals: each error variant of `ops` turned
//! into a sentence in the reader's language, from its facts. `e.to_string()`
//! speaks the language of the thread that calls it.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::domain::{LotStatus, PlaceKind};
use crate::ops::auth::{PinError, SignInError};
use crate::ops::items::{BadQuantity, Forbidden, MAX_UNITS, is_busy};
use crate::ops::mar::DoseError;
use crate::ops::plan::PlanError;
use crate::ops::purchasing::PurchaseError;
use crate::ops::refdata::{RefDataError, RefKind};
use crate::ops::rx::{PrescribeError, RxError, StatusRule};
use crate::ops::stock::{LotUse, StockError};
use crate::ops::ward::{TimesError, WardError};
use crate::t;

use super::results::quote;

/// A database failure in plain words: another workstation writing (try
/// again), a full disk, a read-only or damaged file (as the store says
/// them), or else that the database could not be read or written. Never
/// SQLite's own text: that stays the error's `source()`.
pub fn database(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    if is_busy(e) {
        return t!("refused.db.busy").into();
    }
    match e.sqlite_error_code() {
        Some(
            C::DiskFull | C::ReadOnly | C::PermissionDenied | C::DatabaseCorrupt | C::NotADatabase,
        ) => super::errors::sqlite(e),
        _ => t!("refused.db.failed").into(),
    }
}

/// A status stored in the database (an order's, a stocktake's, a
/// prescription's) as people say it.
pub fn status_word(s: &str) -> String {
    match s {
        "open" => t!("refused.status.open").into(),
        "in_transit" => t!("refused.status.in_transit").into(),
        "received" => t!("refused.status.received").into(),
        "partial" => t!("refused.status.partial").into(),
        "cancelled" => t!("refused.status.cancelled").into(),
        "approved" => t!("refused.status.approved").into(),
        "awaiting_validation" | "awaiting validation" => {
            t!("refused.status.awaiting_validation").into()
        }
        "active" => t!("refused.status.active").into(),
        "suspended" => t!("refused.status.suspended").into(),
        "stopped" => t!("refused.status.stopped").into(),
        "superseded" => t!("refused.status.superseded").into(),
        "completed" => t!("refused.status.completed").into(),
        "rejected" => t!("refused.status.rejected").into(),
        other => other.replace('_', " "),
    }
}

/// A lot status as a state ("is quarantined").
pub fn lot_status_word(s: LotStatus) -> &'static str {
    match s {
        LotStatus::Ok => t!("refused.lot_status.ok"),
        LotStatus::Quarantined => t!("refused.lot_status.quarantined"),
        LotStatus::Recalled => t!("refused.lot_status.recalled"),
    }
}

fn lot_use_word(u: LotUse) -> &'static str {
    match u {
        LotUse::Received => t!("refused.lot_use.received"),
        LotUse::Issued => t!("refused.lot_use.issued"),
        LotUse::SentToWard => t!("refused.lot_use.sent_to_ward"),
        LotUse::Used => t!("refused.lot_use.used"),
    }
}

/// A local time as the reader's language writes it in a sentence.
pub fn local_time(t: DateTime<Utc>) -> String {
    super::datetime_short(super::local(t))
}

fn expiry_word(d: Option<chrono::NaiveDate>) -> String {
    match d {
        Some(d) => super::date(d),
        None => t!("refused.stock.no_expiry").to_string(),
    }
}

fn lines_text(lines: &[(String, String)]) -> String {
    lines
        .iter()
        .map(|(item, lot)| t!("refused.stock.item_lot", item = item, lot = lot))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&t!(
            "refused.forbidden",
            user = self.user,
            role = self.role.label(),
            op = self.op.label()
        ))
    }
}

impl fmt::Display for BadQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadQuantity::NotPositive(_) => f.write_str(t!("refused.quantity.not_positive")),
            BadQuantity::TooLarge(q) => f.write_str(&t!(
                "refused.quantity.too_large",
                qty = q,
                most = super::num(MAX_UNITS)
            )),
        }
    }
}

impl fmt::Display for StockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use StockError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::UnknownItem(code) => t!("refused.stock.unknown_item", code = quote(code)),
            E::UnknownItemId(id) => t!(
                "refused.stock.unknown_item",
                code = quote(&format!("#{id}"))
            ),
            E::UnknownGtin(g) => t!("refused.stock.unknown_gtin", gtin = g),
            E::UnknownLot { item, lot } => {
                t!("refused.stock.unknown_lot", item = item, lot = quote(lot))
            }
            E::UnknownLotId(id) => t!(
                "refused.stock.unknown_lot",
                item = "?",
                lot = quote(&format!("#{id}"))
            ),
            E::UnknownPlace(code) => t!("refused.stock.unknown_place", code = quote(code)),
            E::UnknownPlaceId(id) => t!(
                "refused.stock.unknown_place",
                code = quote(&format!("#{id}"))
            ),
            E::NoPlaceOfKind(kind) => t!(
                "refused.stock.no_place_of_kind",
                kind = match kind {
                    PlaceKind::Pharmacy => t!("refused.place_kind.pharmacy"),
                    PlaceKind::Ward => t!("refused.place_kind.ward"),
                    PlaceKind::Transit => t!("refused.place_kind.transit"),
                }
            ),
            E::Quantity(e) => e.to_string(),
            E::InTransit => t!("refused.stock.in_transit").into(),
            // A supplier's expired or blocked goods are refused at the door,
            // not taken in and written off.
            E::Expired {
                lot,
                item,
                expiry,
                verb: LotUse::Received,
            } => t!(
                "refused.stock.expired_receipt",
                lot = lot,
                item = item,
                date = super::date(*expiry)
            ),
            E::NotUsable {
                lot,
                item,
                status,
                verb: LotUse::Received,
            } => t!(
                "refused.stock.not_usable_receipt",
                lot = lot,
                item = item,
                status = lot_status_word(*status)
            ),
            E::Expired {
                lot,
                item,
                expiry,
                verb,
            } => t!(
                "refused.stock.expired",
                lot = lot,
                item = item,
                date = super::date(*expiry),
                verb = lot_use_word(*verb)
            ),
            E::NotUsable {
                lot,
                item,
                status,
                verb,
            } => t!(
                "refused.stock.not_usable",
                lot = lot,
                item = item,
                status = lot_status_word(*status),
                verb = lot_use_word(*verb)
            ),
            E::NotEnoughInLot {
                item,
                lot,
                place,
                unit,
                available,
                wanted,
            } => t!(
                "refused.stock.not_enough_in_lot",
                item = item,
                lot = lot,
                place = place,
                unit = crate::i18n::unit(unit),
                available = available,
                wanted = wanted
            ),
            E::UnknownLocation { place, code } => t!(
                "refused.stock.unknown_location",
                place = place,
                code = quote(code)
            ),
            E::LocationClosed { place, location } => t!(
                "refused.stock.location_closed",
                place = place,
                location = location
            ),
            E::WrongStorage {
                item,
                place,
                location,
                needs,
            } => {
                use crate::domain::storage::Needs;
                match needs {
                    Needs::Cold => t!(
                        "refused.stock.needs_cold",
                        item = item,
                        place = place,
                        location = location
                    ),
                    Needs::Frozen => t!(
                        "refused.stock.needs_frozen",
                        item = item,
                        place = place,
                        location = location
                    ),
                    Needs::Safe => t!(
                        "refused.stock.needs_safe",
                        item = item,
                        place = place,
                        location = location
                    ),
                }
            }
            E::SameLocation { location } => {
                t!("refused.stock.same_location", location = location)
            }
            E::NotEnoughAtLocation {
                item,
                lot,
                location,
                unit,
                available,
                wanted,
            } => t!(
                "refused.stock.not_enough_at_location",
                item = item,
                lot = lot,
                location = location,
                unit = crate::i18n::unit(unit),
                available = available,
                wanted = wanted
            ),
            E::NotEnough {
                item,
                place,
                unit,
                available,
                wanted,
            } => t!(
                "refused.stock.not_enough",
                item = item,
                place = place,
                unit = crate::i18n::unit(unit),
                available = available,
                wanted = wanted
            ),
            E::ExpiryMismatch {
                item,
                lot,
                recorded,
                given,
            } => t!(
                "refused.stock.expiry_mismatch",
                item = item,
                lot = lot,
                recorded = expiry_word(*recorded),
                given = expiry_word(*given)
            ),
            E::ExpiryRequired { item } => t!("refused.stock.expiry_required", item = item),
            E::Retired { item, on } => t!(
                "refused.stock.retired",
                item = item,
                on = on.get(..10).unwrap_or(on)
            ),
            E::LotNumberRequired => t!("refused.stock.lot_required").into(),
            E::Gtin(e) => e.to_string(),
            E::GtinTaken { gtin, item, code } => t!(
                "refused.stock.gtin_taken",
                gtin = gtin,
                item = item,
                code = code
            ),
            E::RejectReasonRequired => t!("refused.stock.reject_reason").into(),
            E::ReturnReasonRequired => t!("refused.stock.return_reason").into(),
            E::StatusReasonRequired(op) => t!("refused.stock.status_reason", op = op.label()),
            E::IssueNotOnWard(place) => t!("refused.stock.issue_not_ward", place = place),
            E::NurseWasteOffWard(place) => t!("refused.stock.nurse_waste_off_ward", place = place),
            E::ReturnNotFromWard(place) => t!("refused.stock.return_not_ward", place = place),
            E::TransferNotToWard(place) => t!("refused.stock.transfer_not_ward", place = place),
            E::LendNotFromWard { from, to } => {
                t!("refused.stock.lend_not_ward", from = from, to = to)
            }
            E::NothingToLend { from, item } => {
                t!("refused.stock.nothing_to_lend", from = from, item = item)
            }
            E::PlaceClosed(place) => t!("refused.stock.place_closed", place = place),
            E::AlreadyStatus { lot, status } => t!(
                "refused.stock.already_status",
                lot = lot,
                status = lot_status_word(*status)
            ),
            E::NotQuarantined { lot } => t!("refused.stock.not_quarantined", lot = lot),
            E::RecalledNotReleased { lot } => t!("refused.stock.recalled_not_released", lot = lot),
            E::EmptyTransfer => t!("refused.stock.empty_transfer").into(),
            E::UnknownTransfer(id) => t!("refused.stock.unknown_transfer", order = id),
            E::PickNotOpen { order, status } => t!(
                "refused.stock.pick_not_open",
                order = order,
                status = status_word(status)
            ),
            E::NotOnTransfer { item, order } => {
                t!("refused.stock.not_on_transfer", item = item, order = order)
            }
            E::FullyPicked {
                item,
                order,
                picked,
                requested,
            } => t!(
                "refused.stock.fully_picked",
                item = item,
                order = order,
                picked = picked,
                requested = requested
            ),
            E::PackLargerThanOpen {
                item,
                unit,
                open,
                pack,
            } => t!(
                "refused.stock.pack_larger",
                item = item,
                unit = crate::i18n::unit(unit),
                open = open,
                pack = pack
            ),
            E::UnpickNotOpen { order } => t!("refused.stock.unpick_not_open", order = order),
            E::NotPicked { lot, item, order } => t!(
                "refused.stock.not_picked",
                lot = lot,
                item = item,
                order = order
            ),
            E::DispatchNotOpen { order, status } => t!(
                "refused.stock.dispatch_not_open",
                order = order,
                status = status_word(status)
            ),
            E::NothingPicked { order } => t!("refused.stock.nothing_picked", order = order),
            E::PickedLotUnusable {
                order,
                item_code,
                lot,
                cause,
            } => t!(
                "refused.stock.picked_lot_unusable",
                why = cause,
                order = order,
                item = item_code,
                lot = lot
            ),
            E::NotDispatched { order, status } => t!(
                "refused.stock.not_dispatched",
                order = order,
                status = status_word(status)
            ),
            E::Levels(e) => e.to_string(),
            E::CoverDays => t!(
                "refused.stock.cover_days",
                most = crate::ops::items::MAX_DAYS
            ),
            E::StocktakeOpen { id, place } => {
                t!("refused.stock.stocktake_open", id = id, place = place)
            }
            E::NothingToCount { place, filter } => t!(
                "refused.stock.nothing_to_count",
                place = place,
                filter = quote(filter)
            ),
            E::UnknownStocktake(id) => t!("refused.stock.unknown_stocktake", id = id),
            E::NegativeCount => t!("refused.stock.negative_count").into(),
            E::StocktakeClosed { id, status } => t!(
                "refused.stock.stocktake_closed",
                id = id,
                status = status_word(status)
            ),
            E::CountNotRecorded => t!("refused.stock.count_not_recorded").into(),
            E::NotCounted(lines) => t!(
                "refused.stock.not_counted",
                n = lines.len(),
                lines = lines_text(lines)
            ),
            E::MovedSinceCount(lines) => {
                t!("refused.stock.moved_since_count", lines = lines_text(lines))
            }
            E::UnknownLotNumber(lot) => {
                t!("refused.stock.unknown_lot_number", lot = quote(lot))
            }
            E::Purchase(e) => e.to_string(),
            E::Cd(e) => e.to_string(),
            E::TakenMeanwhile => t!("refused.stock.taken_meanwhile").into(),
            E::ColdHeld {
                item,
                lot,
                location,
            } => t!(
                "cold.refused.held",
                item = item,
                lot = lot,
                location = location
            ),
            E::ColdHeldMeanwhile => t!("cold.refused.held_meanwhile").into(),
            E::Reserved {
                item,
                place,
                unit,
                free,
                wanted,
                cases,
            } => super::reservations::held_refusal(item, place, unit, *free, *wanted, cases),
            E::Busy => t!("refused.db.busy").into(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for PurchaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PurchaseError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::Quantity(e) => e.to_string(),
            E::UnknownSupplier(code) => t!("refused.purchase.unknown_supplier", code = quote(code)),
            E::EmptyOrder => t!("refused.purchase.empty_order").into(),
            E::CancelReasonRequired => t!("refused.purchase.cancel_reason").into(),
            E::UnknownOrder(id) => t!("refused.purchase.unknown_order", order = id),
            E::NotCancellable { order, status } => t!(
                "refused.purchase.not_cancellable",
                order = order,
                status = status_word(status)
            ),
            E::ReferenceWithoutNumber(r) => {
                t!(
                    "refused.purchase.reference_without_number",
                    reference = quote(r)
                )
            }
            E::NotReceivable { order, status } => t!(
                "refused.purchase.not_receivable",
                order = order,
                status = status_word(status)
            ),
            E::NoLine { order, item } => {
                t!("refused.purchase.no_line", order = order, item = item)
            }
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PlanError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::Quantity(e) => e.to_string(),
            E::NoPharmacy => t!("refused.plan.no_pharmacy").into(),
            E::Unplannable(e) => t!("refused.plan.unplannable", why = e),
            E::Stale { item, place } => t!("refused.plan.stale", item = item, place = place),
            E::NoSupplier { item } => t!("refused.plan.no_supplier", item = item),
            E::TransitNotPlanned => t!("refused.plan.transit").into(),
            E::RejectReasonRequired => t!("refused.plan.reject_reason").into(),
            E::FixedQuantityRange { most } => {
                t!("refused.plan.fixed_quantity", most = super::num(*most))
            }
            E::PeriodRange => t!("refused.plan.period").into(),
            E::MaximumRange { most } => t!("refused.plan.maximum", most = super::num(*most)),
            E::EoqCostRange => t!("refused.plan.eoq_range").into(),
            E::EoqCosts => t!("refused.plan.eoq_costs").into(),
            E::MinMaxRange => t!("refused.plan.min_max").into(),
            E::SmallestOrderRange { most } => {
                t!("refused.plan.smallest_order", most = super::num(*most))
            }
            E::NotAWard(place) => t!("refused.plan.not_a_ward", place = place),
            E::NoUse { ward, days } => t!("refused.plan.no_use", ward = ward, days = days),
            E::PaperScenario(e) => t!("refused.plan.paper_scenario", why = e),
            E::BadScenario { ward, cause } => {
                t!("refused.plan.bad_scenario", ward = ward, why = cause)
            }
            E::Stock(e) => e.to_string(),
            E::Purchase(e) => e.to_string(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl crate::ops::ward::ReasonKind {
    /// The kind of dose record a reason is for, in the reader's language.
    pub fn label(self) -> &'static str {
        use crate::ops::ward::ReasonKind as K;
        match self {
            K::Held => t!("refused.reason_kind.held"),
            K::Refused => t!("refused.reason_kind.refused"),
            K::Missed => t!("refused.reason_kind.missed"),
            K::Partial => t!("refused.reason_kind.partial"),
            K::Timing => t!("refused.reason_kind.timing"),
            K::UnableToScan => t!("refused.unscan.kind"),
        }
    }
}

impl fmt::Display for TimesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            TimesError::NoSetTimes(freq) => t!("refused.times.no_set_times", freq = freq),
            TimesError::Count { freq, count, given } => t!(
                "refused.times.count",
                freq = freq,
                count = count,
                given = given
            ),
            TimesError::Spacing { freq, hours } => {
                t!("refused.times.spacing", freq = freq, hours = hours)
            }
        };
        f.write_str(&s)
    }
}

impl fmt::Display for WardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WardError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::UnknownWard(code) => t!("refused.ward.unknown_ward", code = quote(code)),
            E::OtherTooShort(kind) => t!("refused.ward.other_too_short", kind = kind.label()),
            E::ReasonRequired { kind, codes } => t!(
                "refused.ward.reason_required",
                kind = kind.label(),
                codes = codes.join(", ")
            ),
            E::NotOnList { input, kind, codes } => t!(
                "refused.ward.not_on_list",
                input = quote(input),
                kind = kind.label(),
                codes = codes.join(", ")
            ),
            E::BadCode(code) => t!("refused.ward.bad_code", code = quote(code)),
            E::OtherReserved => t!("refused.ward.other_reserved").into(),
            E::LabelTooShort => t!("refused.ward.label_too_short").into(),
            E::NotListed { code, kind } => {
                t!("refused.ward.not_listed", code = code, kind = kind.label())
            }
            E::LastReason { code, kind } => {
                t!("refused.ward.last_reason", code = code, kind = kind.label())
            }
            E::Times(e) => e.to_string(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for DoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DoseError as E;
        let m = crate::domain::milli_text;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::Wristband(e) => e.to_string(),
            E::Unknown(id) => t!("refused.dose.unknown", rx = id),
            E::NotActive(id, status) => {
                t!(
                    "refused.dose.not_active",
                    rx = id,
                    status = status_word(status)
                )
            }
            E::AlreadyRecorded(at) => t!("refused.dose.already_recorded", at = local_time(*at)),
            E::Rights(failures) => failures
                .iter()
                .map(|f| f.message())
                .collect::<Vec<_>>()
                .join(t!("refused.dose.separator")),
            E::PrnScheduled => t!("refused.dose.prn_scheduled").into(),
            E::NotScheduled { rx, at } => {
                t!("refused.dose.not_scheduled", at = local_time(*at), rx = rx)
            }
            E::TimeRequired { rx, freq } => t!("refused.dose.time_required", rx = rx, freq = freq),
            E::PrnOutsidePeriod { rx, start, end } => t!(
                "refused.dose.prn_outside",
                rx = rx,
                start = local_time(*start),
                end = match end {
                    Some(e) => local_time(*e),
                    None => t!("refused.dose.open_end").to_string(),
                }
            ),
            E::PrnMaxReached { max, next } => {
                t!("refused.dose.prn_max", max = max, next = local_time(*next))
            }
            E::PrnTooSoon {
                last,
                interval_min,
                next,
            } => t!(
                "refused.dose.prn_too_soon",
                last = last.map(local_time).unwrap_or_default(),
                hours = interval_min / 60,
                minutes = format!("{:02}", interval_min % 60),
                next = local_time(*next)
            ),
            E::Reason(e) => e.to_string(),
            E::ScannedAndUnableToScan => t!("refused.unscan.scanned_and_unable").into(),
            E::ReasonRequired(kind) => t!("refused.dose.reason_required", kind = kind.label()),
            E::Rx(e) => e.to_string(),
            E::NoUsableLot => t!("refused.dose.no_usable_lot").into(),
            E::Discharged { mrn } => t!("refdata.refused.dose_discharged", mrn = mrn),
            E::Units { full, given } => t!("refused.dose.units", full = full, given = given),
            E::NotEnoughOnWard { stock, lot } => {
                t!("refused.dose.not_enough_on_ward", stock = stock, lot = lot)
            }
            E::DoseAbovePack {
                dose_milli,
                pack_milli,
            } => t!(
                "refused.dose.dose_above_pack",
                dose = m(*dose_milli),
                pack = m(*pack_milli)
            ),
            E::NoUnopenedPack { lot } => t!("refused.dose.no_unopened_pack", lot = lot),
            E::Stock(e) => e.to_string(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for RxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RxError as E;
        let s: String = match self {
            E::Forbidden(e) => t!("refused.rx.forbidden", why = e),
            E::Unknown(id) => t!("refused.rx.unknown", rx = id),
            E::NotAwaiting { id, status } => {
                t!(
                    "refused.rx.not_awaiting",
                    rx = id,
                    status = status_word(status)
                )
            }
            E::CommentRequired(id, findings) => t!(
                "refused.rx.comment_required",
                rx = id,
                findings = findings
                    .iter()
                    .map(|f| f.message())
                    .collect::<Vec<_>>()
                    .join(t!("refused.dose.separator"))
            ),
            E::OwnPrescription { id } => t!("refused.rx_safety.own_prescription", rx = id),
            E::ReasonRequired => t!("refused.rx.reason_required").into(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for crate::ops::rx::ClassesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::domain::validation::ClassListError as L;
        use crate::ops::rx::ClassesError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::List(L::Empty) => t!("refused.rx_safety.classes_empty").into(),
            E::List(L::BadEntry { entry }) => {
                t!("refused.rx_safety.bad_class", entry = quote(entry))
            }
            E::List(L::Overlap { entry, other }) => t!(
                "refused.rx_safety.class_overlap",
                entry = quote(entry),
                other = quote(other)
            ),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for PrescribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PrescribeError as E;
        let s: String = match self {
            E::Forbidden(e) => e.to_string(),
            E::UnknownPatient(mrn) => t!("refused.rx.unknown_patient", mrn = quote(mrn)),
            E::UnknownItem(code) => t!("refused.rx.unknown_item", code = quote(code)),
            E::Retired { code, on } => t!(
                "refused.rx.retired",
                code = quote(code),
                on = on.get(..10).unwrap_or(on)
            ),
            E::Unknown(id) => t!("refused.rx.unknown", rx = id),
            E::WrongStatus { id, status, rule } => t!(
                "refused.rx.wrong_status",
                rx = id,
                status = status_word(status),
                rule = match rule {
                    StatusRule::OnlyActiveSuspended => t!("refused.rx.rule.only_active_suspended"),
                    StatusRule::OnlySuspendedResumed => {
                        t!("refused.rx.rule.only_suspended_resumed")
                    }
                    StatusRule::AlreadyEnded => t!("refused.rx.rule.already_ended"),
                    StatusRule::EndedNotChanged => t!("refused.rx.rule.ended_not_changed"),
                }
            ),
            E::DoseNotPositive => t!("refused.rx.dose_not_positive").into(),
            E::DoseTooLarge => t!("refused.rx.dose_too_large", most = super::num(MAX_UNITS)),
            E::PrnMaxTooLarge => t!(
                "refused.rx.prn_max_too_large",
                most = crate::ops::rx::MAX_PRN_PER_DAY
            ),
            E::TooLong => t!("refused.rx.too_long", most = crate::ops::items::MAX_DAYS),
            E::DetailsRequired => t!("refused.rx.details_required").into(),
            E::EndBeforeStart => t!("refused.rx.end_before_start").into(),
            E::PrnMaxRequired => t!("refused.rx.prn_max_required").into(),
            E::PrnIntervalRange => t!("refused.rx.prn_interval").into(),
            E::PrnLimitsNotPrn { frequency } => t!(
                "refused.rx_safety.prn_limits_not_prn",
                frequency = frequency.as_ref()
            ),
            E::Times(e) => e.to_string(),
            E::AlternativesNeedGeneric => t!("refused.rx.alternatives_need_generic").into(),
            E::FormNotForRoute { code, form, route } => t!(
                "refused.rx.form_not_for_route",
                code = code,
                form = super::results::form(form),
                route = super::results::route(route)
            ),
            E::WrongAtc {
                code,
                atc,
                prescribed,
            } => match atc {
                Some(atc) => t!(
                    "refused.rx.wrong_atc",
                    code = code,
                    atc = atc,
                    prescribed = prescribed
                ),
                None => t!("refused.rx.no_atc", code = code, prescribed = prescribed),
            },
            E::WrongUnit {
                code,
                unit,
                prescribed,
            } => t!(
                "refused.rx.wrong_unit",
                code = code,
                unit = unit,
                prescribed = prescribed
            ),
            E::ChangeReasonRequired => t!("refused.rx.change_reason").into(),
            E::OtherPatient => t!("refused.rx.other_patient").into(),
            E::EndsBeforeEffect => t!("refused.rx.ends_before_effect").into(),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignInError as E;
        let s: String = match self {
            E::UnknownUser(u) => t!("refused.signin.unknown_user", user = quote(u)),
            E::Inactive(u) => t!("refused.signin.inactive", user = u),
            // The lock names who can lift it before its time.
            E::Locked { user, until } => format!(
                "{}{}",
                t!(
                    "refused.signin.locked",
                    user = user,
                    until = super::local(*until).format("%H:%M:%S")
                ),
                t!("refdata.signin.unlock_by", user = user)
            ),
            E::WrongPin { user, left } => t!("refused.signin.wrong_pin", user = user, left = left),
            E::BadHash(u) => t!("refused.signin.bad_hash", user = u),
            E::MustChangePin(u) => t!("refdata.signin.must_change_pin", user = u),
            E::NewPin { user, source } => {
                t!("refdata.signin.new_pin", user = user, why = source)
            }
            E::SamePin(u) => t!("refdata.signin.same_pin", user = u),
            E::Store(e) => database(e),
        };
        f.write_str(&s)
    }
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinError::Format => f.write_str(t!("refused.pin.format")),
            PinError::Hash(why) => f.write_str(&t!("refused.pin.hash", why = why)),
        }
    }
}

mod refdata;

#[cfg(test)]
mod tests;
