//! Stock operations: receive, reject, transfer (request, pick, dispatch,
//! confirm), issue, waste, return, quarantine, release, recall, stocktake.
//!
//! Each checks the role, reads what it needs inside a `BEGIN IMMEDIATE`
//! transaction, applies the pure rule (FEFO, usability), and appends
//! movements through the one ledger writer — all or nothing.

// Operations take the store, who and when, then what the user gave.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, is_busy, qty_ok};
pub use super::items::{ItemRef, MAX_UNITS, allow};

mod locations;
use super::purchasing::PurchaseError;
use crate::domain::fefo::{self, LotProblem, LotStock};
use crate::domain::roles::Operation;
use crate::domain::{LotStatus, MovementKind, PlaceKind, date_from_text, instant_to_text};
use crate::store::Store;
use crate::store::ledger::{self, NewMovement};
pub use locations::*;

mod cd;
mod find;
mod holds;
mod issue;
mod levels;
mod receive;
mod refs;
mod stocktake;
mod trace;
pub(crate) mod transfers;
pub use cd::*;
pub use find::*;
pub use holds::*;
pub use issue::*;
pub use levels::*;
pub use receive::*;
pub use refs::*;
pub use stocktake::*;
pub use trace::*;
pub use transfers::*;

/// What an operation on stock is to do with a lot that may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotUse {
    Received,
    Issued,
    SentToWard,
    Used,
}

/// Why a stock operation is refused, with the facts the user needs to fix it.
#[derive(Debug)]
pub enum StockError {
    Forbidden(Forbidden),
    UnknownItem(String),
    UnknownItemId(i64),
    UnknownGtin(String),
    UnknownLot {
        item: String,
        lot: String,
    },
    UnknownLotId(i64),
    UnknownPlace(String),
    UnknownPlaceId(i64),
    /// The database has no place of this kind (no pharmacy).
    NoPlaceOfKind(PlaceKind),
    Quantity(BadQuantity),
    /// Goods in transit are handled only on their transfer order.
    InTransit,
    Expired {
        lot: String,
        item: String,
        expiry: NaiveDate,
        verb: LotUse,
    },
    NotUsable {
        lot: String,
        item: String,
        status: LotStatus,
        verb: LotUse,
    },
    NotEnoughInLot {
        item: String,
        lot: String,
        place: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    UnknownLocation {
        place: String,
        code: String,
    },
    LocationClosed {
        place: String,
        location: String,
    },
    /// A move whose two locations are the same.
    SameLocation {
        location: String,
    },
    /// The item may not be kept at that location: cold off the fridge, a
    /// controlled drug out of the safe.
    WrongStorage {
        item: String,
        place: String,
        location: String,
        needs: crate::domain::storage::Needs,
    },
    NotEnoughAtLocation {
        item: String,
        lot: String,
        /// "place/location".
        location: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    NotEnough {
        item: String,
        place: String,
        unit: String,
        available: i64,
        wanted: i64,
    },
    ExpiryMismatch {
        item: String,
        lot: String,
        recorded: Option<NaiveDate>,
        given: Option<NaiveDate>,
    },
    /// The item was retired from the formulary: it is no longer received.
    Retired {
        item: String,
        on: String,
    },
    ExpiryRequired {
        item: String,
    },
    LotNumberRequired,
    Gtin(crate::domain::gtin::GtinError),
    GtinTaken {
        gtin: String,
        item: String,
        code: String,
    },
    RejectReasonRequired,
    ReturnReasonRequired,
    /// Quarantine, release or recall without a reason.
    StatusReasonRequired(Operation),
    IssueNotOnWard(String),
    /// A nurse disposes of stock on a ward only.
    NurseWasteOffWard(String),
    ReturnNotFromWard(String),
    TransferNotToWard(String),
    /// An emergency transfer is lent by another ward.
    LendNotFromWard {
        from: String,
        to: String,
    },
    /// The lending ward holds no usable unit of the item.
    NothingToLend {
        from: String,
        item: String,
    },
    /// The ward was closed: nothing is sent to it.
    PlaceClosed(String),
    AlreadyStatus {
        lot: String,
        status: LotStatus,
    },
    NotQuarantined {
        lot: String,
    },
    RecalledNotReleased {
        lot: String,
    },
    EmptyTransfer,
    UnknownTransfer(i64),
    PickNotOpen {
        order: i64,
        status: String,
    },
    NotOnTransfer {
        item: String,
        order: i64,
    },
    FullyPicked {
        item: String,
        order: i64,
        picked: i64,
        requested: i64,
    },
    PackLargerThanOpen {
        item: String,
        unit: String,
        open: i64,
        pack: i64,
    },
    UnpickNotOpen {
        order: i64,
    },
    NotPicked {
        lot: String,
        item: String,
        order: i64,
    },
    DispatchNotOpen {
        order: i64,
        status: String,
    },
    NothingPicked {
        order: i64,
    },
    /// A picked lot became unusable before the order left.
    PickedLotUnusable {
        order: i64,
        item_code: String,
        lot: String,
        cause: Box<StockError>,
    },
    NotDispatched {
        order: i64,
        status: String,
    },
    Levels(super::refdata::RefDataError),
    CoverDays,
    StocktakeOpen {
        id: i64,
        place: String,
    },
    NothingToCount {
        place: String,
        filter: String,
    },
    UnknownStocktake(i64),
    NegativeCount,
    StocktakeClosed {
        id: i64,
        status: String,
    },
    CountNotRecorded,
    /// (item code, lot number) of each line not counted yet.
    NotCounted(Vec<(String, String)>),
    /// (item code, lot number) of each line whose stock moved since its count.
    MovedSinceCount(Vec<(String, String)>),
    UnknownLotNumber(String),
    Purchase(PurchaseError),
    /// A controlled drug's movement without its second signature, count or
    /// explanation.
    Cd(CdRefusal),
    /// Units of the lot at the place are held at a cold location after a
    /// temperature excursion until a pharmacist decides (`location` is
    /// the location's code).
    ColdHeld {
        item: String,
        lot: String,
        location: String,
    },
    /// The ledger refused units leaving a location where their lot is held
    /// after a cold-chain excursion (held meanwhile).
    ColdHeldMeanwhile,
    /// Taking these units would leave scheduled cases at the place short:
    /// `free` units may be taken, the rest is held for `cases`.
    Reserved {
        item: String,
        place: String,
        unit: String,
        free: i64,
        wanted: i64,
        cases: Vec<String>,
    },
    /// The ledger refused to go negative: someone took the stock meanwhile.
    TakenMeanwhile,
    Busy,
    Store(rusqlite::Error),
}

impl std::error::Error for StockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StockError::Forbidden(e) => Some(e),
            StockError::Quantity(e) => Some(e),
            StockError::Gtin(e) => Some(e),
            StockError::PickedLotUnusable { cause, .. } => Some(cause.as_ref()),
            StockError::Levels(e) => Some(e),
            StockError::Purchase(e) => Some(e),
            StockError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StockError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::ConstraintViolation;
        match &e {
            _ if is_busy(&e) => StockError::Busy,
            // The ledger's own last line of defence: stock moved by someone else meanwhile.
            rusqlite::Error::SqliteFailure(f, Some(msg))
                if f.code == ConstraintViolation && msg.starts_with("not enough stock") =>
            {
                StockError::TakenMeanwhile
            }
            rusqlite::Error::SqliteFailure(f, Some(msg))
                if f.code == ConstraintViolation
                    && msg.starts_with("held after a cold-chain excursion") =>
            {
                StockError::ColdHeldMeanwhile
            }
            _ => StockError::Store(e),
        }
    }
}

impl From<Forbidden> for StockError {
    fn from(e: Forbidden) -> Self {
        StockError::Forbidden(e)
    }
}

impl From<BadQuantity> for StockError {
    fn from(e: BadQuantity) -> Self {
        StockError::Quantity(e)
    }
}

impl From<PurchaseError> for StockError {
    fn from(e: PurchaseError) -> Self {
        match e {
            PurchaseError::Store(e) => e.into(),
            e => StockError::Purchase(e),
        }
    }
}

pub type Result<T, E = StockError> = std::result::Result<T, E>;
