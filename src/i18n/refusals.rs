//! The words for the operations' refusals: each error variant of `ops` turned
//! into a sentence in the reader's language, from its facts. `e.to_string()`
//! speaks the language of the thread that calls it.

use std::fmt;

use chrono::{DateTime, Local, Utc};

use crate::domain::{LotStatus, PlaceKind};
use crate::ops::items::{BadQuantity, Forbidden, MAX_UNITS, is_busy};
use crate::ops::plan::PlanError;
use crate::ops::purchasing::PurchaseError;
use crate::ops::stock::{LotUse, StockError};
use crate::t;

/// A database failure in plain words: another workstation writing (try
/// again), or the file could not be read or written. Never SQLite's own text.
pub fn database(e: &rusqlite::Error) -> &'static str {
    if is_busy(e) {
        t!("refused.db.busy")
    } else {
        t!("refused.db.failed")
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
    super::datetime_short(t.with_timezone(&Local).naive_local())
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
            E::UnknownItem(code) => t!("refused.stock.unknown_item", code = format!("{code:?}")),
            E::UnknownItemId(id) => t!("refused.stock.unknown_item", code = format!("#{id}")),
            E::UnknownGtin(g) => t!("refused.stock.unknown_gtin", gtin = g),
            E::UnknownLot { item, lot } => t!(
                "refused.stock.unknown_lot",
                item = item,
                lot = format!("{lot:?}")
            ),
            E::UnknownLotId(id) => t!(
                "refused.stock.unknown_lot",
                item = "?",
                lot = format!("#{id}")
            ),
            E::UnknownPlace(code) => t!("refused.stock.unknown_place", code = format!("{code:?}")),
            E::UnknownPlaceId(id) => t!("refused.stock.unknown_place", code = format!("#{id}")),
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
                unit = unit,
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
                unit = unit,
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
            E::ReturnNotFromWard(place) => t!("refused.stock.return_not_ward", place = place),
            E::TransferNotToWard(place) => t!("refused.stock.transfer_not_ward", place = place),
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
                unit = unit,
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
            E::CoverDays => t!("refused.stock.cover_days").into(),
            E::StocktakeOpen { id, place } => {
                t!("refused.stock.stocktake_open", id = id, place = place)
            }
            E::NothingToCount { place, filter } => t!(
                "refused.stock.nothing_to_count",
                place = place,
                filter = format!("{filter:?}")
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
                t!("refused.stock.unknown_lot_number", lot = format!("{lot:?}"))
            }
            E::Purchase(e) => e.to_string(),
            E::TakenMeanwhile => t!("refused.stock.taken_meanwhile").into(),
            E::Busy => t!("refused.db.busy").into(),
            E::Store(e) => database(e).into(),
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
            E::UnknownSupplier(code) => t!(
                "refused.purchase.unknown_supplier",
                code = format!("{code:?}")
            ),
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
                    reference = format!("{r:?}")
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
            E::Store(e) => database(e).into(),
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
            E::Store(e) => database(e).into(),
        };
        f.write_str(&s)
    }
}
