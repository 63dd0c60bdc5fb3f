//! The MRP engine: two-level, expiry-aware netting with lot sizing, pegging
//! and exception messages (domain.md §3).
//!
//! # What the plan means
//!
//! Time is cut into buckets `0..B`; bucket `k` starts at
//! `start + k · bucket_hours`. Wards are planned first, one (ward, item) at a
//! time; the central pharmacy is planned next with gross requirements equal
//! to the wards' planned releases plus its own direct requirements (eq. 5).
//!
//! For one (place, item):
//! - **Usable stock.** A lot with expiry date `E` is usable in bucket `k`
//!   iff bucket `k` starts no later than the end of day `E`, i.e.
//!   `start_k < (E + 1 day) 00:00` on the clinic's wall clock. (With daily
//!   buckets from midnight, a lot is usable on its expiry day and not after.)
//!   Stock without expiry, scheduled receipts and planned receipts never
//!   expire.
//! - **FEFO.** Demand takes the dated lots first, earliest expiry first (the
//!   problem's order breaks ties), then the undated stock and the receipts.
//!   Whatever is left of a lot when it stops being usable is reported as
//!   `expiring_before_use` in the first bucket where it no longer counts
//!   (bucket 0 for a lot already expired). A lot usable through the last
//!   bucket is not reported.
//! - **Netting.** With `I_k` the usable stock at the start of bucket `k`
//!   (after removing what expires then), `SR_k` the scheduled receipts and
//!   `GR_k` the gross requirement, the net requirement is
//!   `NR_k = max(0, GR_k + SS − (I_k + SR_k))`. The lot-sizing rule turns a
//!   positive `NR_k` (or, for min/max, stock falling below min) into a planned
//!   receipt `PR_k ≥ NR_k`, raised to the minimum order and then to whole
//!   packs.
//! - **Projected on hand** `POH_k = I_k + SR_k + PR_k − GR_k`: the usable
//!   stock at the end of bucket `k`, including lots whose last usable bucket
//!   is `k`; so `I_{k+1} = POH_k − (what expires at the start of k+1)`. A plan
//!   followed in full (past-due orders expedited) keeps `POH_k ≥ SS` in every
//!   bucket.
//! - **Release** = receipt bucket − lead time (ward: the place's
//!   `transport_buckets`; pharmacy: the item's `supplier_lead_buckets`). A
//!   release before bucket 0 is put in bucket 0 and flagged past due, with an
//!   `expedite` exception.
//! - **Lot sizing.** Lot-for-lot: `NR`. Fixed quantity `Q`: the smallest
//!   multiple of `Q` ≥ `NR`. Period `P`: the smallest quantity keeping
//!   `POH ≥ SS` through bucket `k+P−1` with no other order. EOQ:
//!   `max(NR, ceil(sqrt(2·D·S/H)))` with `D` the mean gross requirement per
//!   bucket over the horizon. Min/max: when `POH_k` without an order would be
//!   below `min` (strictly), or `NR_k > 0`, order `max(NR, max − POH)`.
//! - **Scheduled receipts** are checked latest first against the planned
//!   `POH`: a receipt of `q` in bucket `k` is first needed in the first bucket
//!   `j ≥ k` where `POH_j − q < SS`. If `j > k` it is `defer` (bucket `j`);
//!   if there is none it is `cancel`; the advice taken for a later receipt is
//!   applied before earlier ones are checked, so that two receipts are never
//!   both cancelled when one of them is needed.
//! - **Pegging** follows the physical flow: undated stock, scheduled receipts
//!   and planned receipts are used first in, first out (dated lots before
//!   them), and each planned order lists the requirements that use it.
//!   Pharmacy orders peg to ward planned releases (source
//!   `"planned_release"`).
//!
//! Records are kept for every (ward, item) with a requirement, stock, a
//! scheduled receipt or a policy, and for every (pharmacy, item) with one of
//! those or with ward releases; any other pair would be all zeros and is
//! left out. Records, orders and exceptions come wards first, in the order of
//! `places` then `items`, then the pharmacy in the order of `items`.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::lot_sizing;
use super::problem::{LotSizing, Problem};

mod index;
mod netting;
mod output;
pub use netting::*;

/// Pegging source of a pharmacy requirement that is a ward's planned release.
pub const PLANNED_RELEASE: &str = "planned_release";
/// Source of a pharmacy order.
pub const SUPPLIER: &str = "supplier";

const NONE: u32 = u32::MAX;
const NO_ORDER: usize = usize::MAX;

// ---------------------------------------------------------------------------
// The plan

/// What needs the planner's attention, worst first in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// A planned order should have been released already: urgent delivery.
    Expedite,
    /// Usable stock at the start of bucket 0 is below safety stock.
    BelowSafetyStock,
    /// Stock that will expire before it is used.
    ExpiringBeforeUse,
    /// A scheduled receipt not needed within the horizon.
    Cancel,
    /// A scheduled receipt needed only later (bucket = when first needed).
    Defer,
}

/// One exception message. `bucket` is: for `expedite` the receipt bucket;
/// for `below_safety_stock` 0; for `expiring_before_use` the first bucket
/// where the lot no longer counts; for `cancel` the scheduled bucket; for
/// `defer` the bucket where the receipt is first needed. `qty` is the order,
/// the shortfall below safety stock, the quantity expiring unused, or the
/// scheduled receipt.
///
/// The words are not here: `message()` (in `i18n::domain`) says it from the
/// kind and the facts, naming days from the plan's start and bucket length.
/// Serializes with its facts and its message in the current language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub place: String,
    pub item: String,
    pub bucket: usize,
    pub kind: ExceptionKind,
    pub qty: u64,
    pub facts: ExceptionFacts,
    /// For `cancel` and `defer`: the bucket the receipt is scheduled in.
    pub scheduled_bucket: Option<usize>,
    /// Start of bucket 0 (when the problem had one) and the bucket length in
    /// hours: the days the buckets are.
    pub start: Option<NaiveDateTime>,
    pub bucket_hours: i64,
}

/// What an exception is about, beyond its kind, bucket and quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "fact")]
pub enum ExceptionFacts {
    /// A planned order too late for its lead time (`lead` buckets); `late`
    /// buckets late; `purchase`: from the supplier, else a ward delivery.
    Expedite {
        lead: usize,
        late: usize,
        purchase: bool,
    },
    /// Usable stock at the start of bucket 0 and the safety stock.
    BelowSafetyStock { stock: u64, safety: i64 },
    /// Stock already expired at the start of the plan.
    Expired { expiry: NaiveDate },
    /// Stock that expires before it is used.
    ExpiringBeforeUse { expiry: NaiveDate },
    /// A scheduled receipt not needed within the horizon.
    Cancel { scheduled: usize },
    /// A scheduled receipt first needed in bucket `needed`.
    Defer { scheduled: usize, needed: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OrderRow {
    place: u32,
    item: u32,
    release: u32,
    receipt: u32,
    qty: u64,
    peg_start: usize,
    peg_len: u32,
    past_due: bool,
}

/// Where a requirement comes from: a span of the plan's label text, or one
/// of two markers in `len` (no label; a ward's planned release).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Src {
    start: u32,
    len: u32,
}

impl Src {
    const NONE: Src = Src {
        start: 0,
        len: u32::MAX,
    };
    const RELEASE: Src = Src {
        start: 0,
        len: u32::MAX - 1,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PegRow {
    place: u32,
    bucket: u32,
    src: Src,
    qty: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordRow {
    place: u32,
    item: u32,
}

/// The MRP plan: planned orders with their pegging, one record per planned
/// (place, item) and the exceptions. Built by [`plan`]; stored compactly and
/// read through borrowed views ([`PlannedOrder`], [`Record`]). Serializes as
/// `{ "planned_orders": [...], "records": [...], "exceptions": [...] }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    buckets: usize,
    start: Option<NaiveDateTime>,
    bucket_hours: i64,
    pharmacy: u32,
    places: Vec<String>,
    items: Vec<String>,
    source_text: String,
    orders: Vec<OrderRow>,
    pegs: Vec<PegRow>,
    records: Vec<RecordRow>,
    gross: Vec<u64>,
    scheduled: Vec<u64>,
    on_hand: Vec<u64>,
    net: Vec<u64>,
    receipts: Vec<u64>,
    releases: Vec<u64>,
    exceptions: Vec<Exception>,
}

/// A planned order (a ward replenishment from the pharmacy, or a purchase
/// from a supplier).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PlannedOrder<'a> {
    pub place: &'a str,
    pub item: &'a str,
    /// The pharmacy code for a ward order, `"supplier"` for a pharmacy order.
    pub source: &'a str,
    pub release_bucket: usize,
    pub receipt_bucket: usize,
    pub qty: u64,
    /// The release should have happened before bucket 0: expedite.
    pub past_due: bool,
    pub pegging: Pegging<'a>,
}

/// The requirements one planned order covers.
#[derive(Clone, Copy)]
pub struct Pegging<'a> {
    plan: &'a Plan,
    rows: &'a [PegRow],
}

/// One requirement covered (in part) by a planned order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Peg<'a> {
    /// Where the requirement is: the ward, or the pharmacy itself.
    pub place: &'a str,
    /// The requirement's bucket (for a ward release, the release bucket).
    pub bucket: usize,
    /// How much of it this order covers.
    pub qty: u64,
    /// The requirement's `source` label, `"planned_release"` for a ward
    /// release, `None` when the requirement had none.
    pub source: Option<&'a str>,
}

/// The MRP record of one (place, item), one value per bucket.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Record<'a> {
    pub place: &'a str,
    pub item: &'a str,
    pub gross: &'a [u64],
    pub scheduled_receipts: &'a [u64],
    /// Usable stock at the end of each bucket, after planned receipts.
    pub projected_on_hand: &'a [u64],
    pub net: &'a [u64],
    pub planned_receipts: &'a [u64],
    pub planned_releases: &'a [u64],
}

// ---------------------------------------------------------------------------
// Indexing the problem once: codes to integers, inputs grouped per pair

/// A small, fast, deterministic hasher for code lookups (no untrusted
/// network input reaches it).
#[derive(Default)]
struct FxHasher(u64);

type Fx = BuildHasherDefault<FxHasher>;

#[derive(Debug, Clone, Copy)]
struct Demand {
    bucket: u32,
    place: u32,
    qty: u64,
    src: Src,
}

#[derive(Debug, Clone, Copy)]
struct DatedLot {
    expiry: NaiveDate,
    /// First bucket in which the lot no longer counts (`B` if never).
    until: u32,
    qty: u64,
}

#[derive(Debug, Clone, Copy)]
struct Receipt {
    bucket: u32,
    qty: u64,
}

#[derive(Debug, Clone, Default)]
struct PairIn {
    place: u32,
    item: u32,
    policy: Option<usize>,
    plain_stock: u64,
    reqs: (usize, usize),
    lots: (usize, usize),
    receipts: (usize, usize),
}

/// Maps codes to indices and (place, item) to pair numbers, remembering the
/// last pair looked up (inputs usually come grouped by pair).
struct Codes<'p> {
    places: HashMap<&'p str, u32, Fx>,
    items: HashMap<&'p str, u32, Fx>,
    pairs: HashMap<u64, u32, Fx>,
    keys: Vec<(u32, u32)>,
    last: Option<(&'p str, &'p str, u32)>,
}

struct Index {
    buckets: usize,
    pharmacy: u32,
    place_lead: Vec<u32>,
    item_lead: Vec<u32>,
    item_pack: Vec<u64>,
    /// Ward pairs (by place, item), then pharmacy pairs (by item).
    pairs: Vec<PairIn>,
    ward_pairs: usize,
    /// Pharmacy pair of each item, `NONE` if the pharmacy has no own input.
    pharmacy_pair: Vec<u32>,
    reqs: Vec<Demand>,
    lots: Vec<DatedLot>,
    receipts: Vec<Receipt>,
    source_text: String,
}

/// Entries of one kind with the pair each belongs to, in problem order.
struct ByPair<T> {
    ids: Vec<u32>,
    vals: Vec<T>,
}

// ---------------------------------------------------------------------------
// Netting

/// Buffers reused from one (place, item) to the next.
#[derive(Default)]
struct Scratch {
    lots: Vec<DatedLot>,
    dated_end: Vec<u64>,
    dated_use: Vec<u64>,
    resid: Vec<u64>,
    queue: Vec<(u64, usize)>,
    poh: Vec<i64>,
}

#[derive(Default)]
struct Out {
    orders: Vec<OrderRow>,
    pegs: Vec<PegRow>,
    records: Vec<RecordRow>,
    gross: Vec<u64>,
    scheduled: Vec<u64>,
    on_hand: Vec<u64>,
    net: Vec<u64>,
    receipts: Vec<u64>,
    releases: Vec<u64>,
    exceptions: Vec<Exception>,
}

/// The rule and parameters for one (place, item), in whole units.
#[derive(Debug, Clone, Copy)]
enum Rule {
    LotForLot,
    Fixed(u64),
    Period(usize),
    Eoq(u64),
    MinMax(i64, i64),
}

struct Job<'a> {
    place: u32,
    item: u32,
    lead: u32,
    pack: u64,
    safety: i64,
    min_order: u64,
    lot_sizing: Option<&'a LotSizing>,
    plain_stock: u64,
    lots: &'a [DatedLot],
    receipts: &'a [Receipt],
    /// Requirements sorted by bucket.
    demand: &'a [Demand],
}

struct Ctx<'p> {
    problem: &'p Problem,
    buckets: usize,
    pharmacy: u32,
}
