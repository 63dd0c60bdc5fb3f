//! Replenishment planning from the database: the MRP problem is built from
//! the prescriptions' scheduled doses (look-ahead), a forecast of goods used
//! without prescriptions, the usable stock with its expiry, the orders
//! already on their way and each place's levels; the pure engine in
//! [`crate::planning`] plans it. The pharmacist accepts a suggestion (it
//! becomes a transfer order with its FEFO pick list, or a purchase order) or
//! rejects it with a reason, both attributed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde::Serialize;

use super::Actor;
use super::items::{BadQuantity, Forbidden, allow};
use super::purchasing::PurchaseError;
use super::stock::{StockError, item_by_code};
use crate::domain::roles::Operation;
use crate::domain::schedule::{self, Frequency};
use crate::domain::{instant_from_text, instant_to_text};
use crate::planning::problem::{
    Item, LotSizing, Place, Policy, Problem, Requirement, ScheduledReceipt, StockLot,
};
use crate::store::Store;

mod decisions;
mod problem;
mod scenario;
mod sheet;
pub use decisions::*;
pub use problem::*;
pub use scenario::*;
pub use sheet::*;

/// Why planning, or a decision on a suggestion, is refused, with its facts.
#[derive(Debug)]
pub enum PlanError {
    Forbidden(Forbidden),
    Quantity(BadQuantity),
    NoPharmacy,
    /// The database gives a problem the engine cannot plan.
    Unplannable(crate::planning::problem::ProblemError),
    /// A decision on the place and item was taken after the plan was made.
    Stale {
        item: String,
        place: String,
    },
    NoSupplier {
        item: String,
    },
    TransitNotPlanned,
    RejectReasonRequired,
    FixedQuantityRange {
        most: i64,
    },
    PeriodRange,
    MaximumRange {
        most: i64,
    },
    EoqCostRange,
    EoqCosts,
    MinMaxRange,
    SmallestOrderRange {
        most: i64,
    },
    NotAWard(String),
    NoUse {
        ward: String,
        days: i64,
    },
    PaperScenario(crate::planning::sim::ScenarioError),
    BadScenario {
        ward: String,
        cause: Box<crate::planning::sim::ScenarioError>,
    },
    Stock(StockError),
    Purchase(PurchaseError),
    Store(rusqlite::Error),
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanError::Forbidden(e) => Some(e),
            PlanError::Quantity(e) => Some(e),
            PlanError::Unplannable(e) => Some(e),
            PlanError::PaperScenario(e) => Some(e),
            PlanError::BadScenario { cause, .. } => Some(cause.as_ref()),
            PlanError::Stock(e) => Some(e),
            PlanError::Purchase(e) => Some(e),
            PlanError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for PlanError {
    fn from(e: rusqlite::Error) -> Self {
        PlanError::Store(e)
    }
}

impl From<Forbidden> for PlanError {
    fn from(e: Forbidden) -> Self {
        PlanError::Forbidden(e)
    }
}

impl From<BadQuantity> for PlanError {
    fn from(e: BadQuantity) -> Self {
        PlanError::Quantity(e)
    }
}

impl From<StockError> for PlanError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Forbidden(e) => PlanError::Forbidden(e),
            StockError::Quantity(e) => PlanError::Quantity(e),
            StockError::Store(e) => PlanError::Store(e),
            e => PlanError::Stock(e),
        }
    }
}

impl From<PurchaseError> for PlanError {
    fn from(e: PurchaseError) -> Self {
        match e {
            PurchaseError::Forbidden(e) => PlanError::Forbidden(e),
            PurchaseError::Quantity(e) => PlanError::Quantity(e),
            PurchaseError::Store(e) => PlanError::Store(e),
            e => PlanError::Purchase(e),
        }
    }
}

pub type Result<T, E = PlanError> = std::result::Result<T, E>;

/// The horizon of a plan from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    pub buckets: i64,
    pub bucket_hours: i64,
    /// Days of past use behind the forecast of goods used without prescriptions.
    pub forecast_days: i64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            buckets: 28,
            bucket_hours: 24,
            forecast_days: 28,
        }
    }
}

/// Start of the plan: the start of today on the clinic's clock.
pub fn plan_start(zone: &Tz, now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(zone)
        .date_naive()
        .and_time(NaiveTime::MIN)
}

/// The instant a bucket starts.
pub fn bucket_instant(zone: &Tz, start: NaiveDateTime, bucket_hours: i64, k: i64) -> DateTime<Utc> {
    let naive = start + Duration::hours(bucket_hours * k);
    // A wall-clock time in a spring-forward gap moves to the first minute that exists.
    schedule::local_instant(zone, naive.date(), naive.time()).unwrap_or_else(|| naive.and_utc())
}

fn bucket_of(zone: &Tz, start: NaiveDateTime, bucket_hours: i64, at: DateTime<Utc>) -> i64 {
    let local = at.with_timezone(zone).naive_local();
    (local - start).num_minutes().div_euclid(bucket_hours * 60)
}

fn buckets_up(minutes: i64, bucket_hours: i64) -> i64 {
    let b = bucket_hours * 60;
    minutes.max(0).saturating_add(b - 1) / b
}
