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

impl ExceptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::Expedite => "expedite",
            ExceptionKind::BelowSafetyStock => "below_safety_stock",
            ExceptionKind::ExpiringBeforeUse => "expiring_before_use",
            ExceptionKind::Cancel => "cancel",
            ExceptionKind::Defer => "defer",
        }
    }
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

impl Exception {
    /// The start of bucket `k`, when the plan has a start.
    pub fn bucket_start(&self, k: usize) -> Option<NaiveDateTime> {
        let hours = i64::try_from(k).ok()?.checked_mul(self.bucket_hours)?;
        self.start?
            .checked_add_signed(chrono::TimeDelta::try_hours(hours)?)
    }
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

impl<'a> Pegging<'a> {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Peg<'a>> + use<'a> {
        let plan = self.plan;
        self.rows.iter().map(move |p| plan.peg_view(p))
    }

    /// Total quantity pegged (at most the order quantity: the rest is
    /// safety stock or lot-size surplus left at the horizon's end).
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|p| p.qty).sum()
    }
}

impl fmt::Debug for Pegging<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Pegging<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl Plan {
    /// Number of buckets in the horizon.
    pub fn buckets(&self) -> usize {
        self.buckets
    }

    /// Start of bucket `k`, when the problem had a start.
    pub fn bucket_start(&self, k: usize) -> Option<NaiveDateTime> {
        let hours = i64::try_from(k).ok()?.checked_mul(self.bucket_hours)?;
        self.start?
            .checked_add_signed(chrono::TimeDelta::try_hours(hours)?)
    }

    /// Bucket length in hours.
    pub fn bucket_hours(&self) -> i64 {
        self.bucket_hours
    }

    /// Code of the central pharmacy.
    pub fn pharmacy(&self) -> &str {
        self.code_place(self.pharmacy)
    }

    /// Planned orders: wards first (by place, then item, then receipt
    /// bucket), then the pharmacy.
    pub fn planned_orders(&self) -> impl ExactSizeIterator<Item = PlannedOrder<'_>> + '_ {
        self.orders.iter().map(move |o| self.order_view(o))
    }

    /// The planned orders of one (place, item), by receipt bucket.
    pub fn orders_for<'a>(
        &'a self,
        place: &'a str,
        item: &'a str,
    ) -> impl Iterator<Item = PlannedOrder<'a>> + 'a {
        self.planned_orders()
            .filter(move |o| o.place == place && o.item == item)
    }

    /// Every record kept (see the module notes on omitted pairs).
    pub fn records(&self) -> impl ExactSizeIterator<Item = Record<'_>> + '_ {
        (0..self.records.len()).map(move |r| self.record_view(r))
    }

    /// The record of one (place, item), if it was kept.
    pub fn record(&self, place: &str, item: &str) -> Option<Record<'_>> {
        (0..self.records.len())
            .find(|&r| {
                let row = self.records[r];
                self.code_place(row.place) == place && self.code_item(row.item) == item
            })
            .map(|r| self.record_view(r))
    }

    /// Exceptions, wards first then the pharmacy (not yet sorted by
    /// severity; [`ExceptionKind`] orders them worst first).
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    fn code_place(&self, i: u32) -> &str {
        self.places.get(i as usize).map_or("", String::as_str)
    }

    fn code_item(&self, i: u32) -> &str {
        self.items.get(i as usize).map_or("", String::as_str)
    }

    fn order_view(&self, o: &OrderRow) -> PlannedOrder<'_> {
        let rows = self
            .pegs
            .get(o.peg_start..o.peg_start + o.peg_len as usize)
            .unwrap_or(&[]);
        PlannedOrder {
            place: self.code_place(o.place),
            item: self.code_item(o.item),
            source: if o.place == self.pharmacy {
                SUPPLIER
            } else {
                self.code_place(self.pharmacy)
            },
            release_bucket: o.release as usize,
            receipt_bucket: o.receipt as usize,
            qty: o.qty,
            past_due: o.past_due,
            pegging: Pegging { plan: self, rows },
        }
    }

    fn peg_view(&self, p: &PegRow) -> Peg<'_> {
        let source = match p.src {
            Src::NONE => None,
            Src::RELEASE => Some(PLANNED_RELEASE),
            Src { start, len } => self
                .source_text
                .get(start as usize..start as usize + len as usize),
        };
        Peg {
            place: self.code_place(p.place),
            bucket: p.bucket as usize,
            qty: p.qty,
            source,
        }
    }

    fn record_view(&self, r: usize) -> Record<'_> {
        let row = self.records[r];
        let span = r * self.buckets..(r + 1) * self.buckets;
        Record {
            place: self.code_place(row.place),
            item: self.code_item(row.item),
            gross: &self.gross[span.clone()],
            scheduled_receipts: &self.scheduled[span.clone()],
            projected_on_hand: &self.on_hand[span.clone()],
            net: &self.net[span.clone()],
            planned_receipts: &self.receipts[span.clone()],
            planned_releases: &self.releases[span],
        }
    }
}

impl Serialize for Plan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Orders<'a>(&'a Plan);
        impl Serialize for Orders<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.planned_orders())
            }
        }
        struct Records<'a>(&'a Plan);
        impl Serialize for Records<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.records())
            }
        }
        let mut st = s.serialize_struct("Plan", 3)?;
        st.serialize_field("planned_orders", &Orders(self))?;
        st.serialize_field("records", &Records(self))?;
        st.serialize_field("exceptions", &self.exceptions)?;
        st.end()
    }
}

// ---------------------------------------------------------------------------
// Indexing the problem once: codes to integers, inputs grouped per pair

/// A small, fast, deterministic hasher for code lookups (no untrusted
/// network input reaches it).
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, v: u8) {
        self.add(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

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

impl<'p> Codes<'p> {
    fn pair(&mut self, place: &'p str, item: &'p str) -> u32 {
        if let Some((lp, li, id)) = self.last
            && same(lp, place)
            && same(li, item)
        {
            return id;
        }
        let (Some(&p), Some(&i)) = (self.places.get(place), self.items.get(item)) else {
            return NONE;
        };
        let key = (u64::from(p) << 32) | u64::from(i);
        let next = self.keys.len() as u32;
        let id = *self.pairs.entry(key).or_insert(next);
        if id == next {
            self.keys.push((p, i));
        }
        self.last = Some((place, item, id));
        id
    }
}

/// String equality for short codes, inlined (the common case is a code
/// equal to the previous entry's).
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && (std::ptr::eq(a.as_ptr(), b.as_ptr()) || a.iter().zip(b).all(|(x, y)| x == y))
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

fn nonneg(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn bucket_of(v: i64, buckets: usize) -> Option<u32> {
    usize::try_from(v)
        .ok()
        .filter(|&b| b < buckets)
        .and_then(|b| u32::try_from(b).ok())
}

/// First bucket whose start is after the end of day `expiry`.
fn usable_until(
    expiry: NaiveDate,
    start: Option<NaiveDateTime>,
    bucket_hours: i64,
    buckets: usize,
) -> u32 {
    let never = u32::try_from(buckets).unwrap_or(u32::MAX);
    let (Some(start), Some(next_day)) = (start, expiry.succ_opt()) else {
        return never;
    };
    let cutoff = next_day.and_time(NaiveTime::MIN);
    let diff = cutoff - start;
    let nanos = i128::from(diff.num_seconds()) * 1_000_000_000 + i128::from(diff.subsec_nanos());
    if nanos <= 0 {
        return 0;
    }
    let len = i128::from(bucket_hours.max(1)) * 3_600 * 1_000_000_000;
    let until = (nanos + len - 1) / len;
    u32::try_from(until.min(buckets as i128)).unwrap_or(never)
}

/// Entries of one kind with the pair each belongs to, in problem order.
struct ByPair<T> {
    ids: Vec<u32>,
    vals: Vec<T>,
}

impl<T: Copy> ByPair<T> {
    fn with_capacity(n: usize) -> Self {
        ByPair {
            ids: Vec::with_capacity(n),
            vals: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, pair: u32, v: T) {
        self.ids.push(pair);
        self.vals.push(v);
    }

    /// Groups the entries by final pair number (stable), setting each
    /// pair's range. Input already grouped in pair order (as the store side
    /// writes it) is used as it is.
    fn group(
        mut self,
        remap: &[u32],
        pairs: &mut [PairIn],
        mut set: impl FnMut(&mut PairIn, (usize, usize)),
    ) -> Vec<T> {
        for id in &mut self.ids {
            *id = remap[*id as usize];
        }
        let mut offsets = vec![0usize; pairs.len() + 1];
        for &id in &self.ids {
            offsets[id as usize + 1] += 1;
        }
        for i in 0..pairs.len() {
            offsets[i + 1] += offsets[i];
        }
        for (p, pair) in pairs.iter_mut().enumerate() {
            set(pair, (offsets[p], offsets[p + 1]));
        }
        if self.ids.is_sorted() {
            return self.vals;
        }
        let mut out = self.vals.clone();
        for (&id, &v) in self.ids.iter().zip(&self.vals) {
            let at = &mut offsets[id as usize];
            out[*at] = v;
            *at += 1;
        }
        out
    }
}

impl Index {
    fn build(problem: &Problem) -> Index {
        let buckets = usize::try_from(problem.buckets).unwrap_or(0);
        let mut codes = Codes {
            places: HashMap::with_capacity_and_hasher(problem.places.len(), Fx::default()),
            items: HashMap::with_capacity_and_hasher(problem.items.len(), Fx::default()),
            pairs: HashMap::with_hasher(Fx::default()),
            keys: Vec::new(),
            last: None,
        };
        for (i, p) in problem.places.iter().enumerate() {
            codes.places.entry(p.code.as_str()).or_insert(i as u32);
        }
        for (i, it) in problem.items.iter().enumerate() {
            codes.items.entry(it.code.as_str()).or_insert(i as u32);
        }
        let pharmacy = codes
            .places
            .get(problem.pharmacy.as_str())
            .copied()
            .unwrap_or(NONE);
        let place_lead = problem
            .places
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i as u32 == pharmacy {
                    0
                } else {
                    u32::try_from(nonneg(p.transport_buckets)).unwrap_or(u32::MAX)
                }
            })
            .collect();
        let item_lead = problem
            .items
            .iter()
            .map(|it| u32::try_from(nonneg(it.supplier_lead_buckets)).unwrap_or(u32::MAX))
            .collect();
        let item_pack = problem
            .items
            .iter()
            .map(|it| nonneg(it.pack_size).max(1))
            .collect();

        // Requirements, with their source labels copied once into one text.
        let mut source_text = String::new();
        let mut last_src: Option<(&str, Src)> = None;
        let mut reqs = ByPair::with_capacity(problem.requirements.len());
        for r in &problem.requirements {
            let pair = codes.pair(&r.place, &r.item);
            let Some(bucket) = bucket_of(r.bucket, buckets) else {
                continue;
            };
            if pair == NONE {
                continue;
            }
            let src = match r.source.as_deref() {
                None => Src::NONE,
                Some(s) => match last_src {
                    Some((prev, src)) if same(prev, s) => src,
                    _ => {
                        // Offsets are u32: beyond 4 GB of labels, pegs lose theirs.
                        let src = match (
                            u32::try_from(source_text.len()),
                            u32::try_from(source_text.len() + s.len()),
                        ) {
                            (Ok(start), Ok(_)) if s.len() < Src::RELEASE.len as usize => {
                                source_text.push_str(s);
                                Src {
                                    start,
                                    len: s.len() as u32,
                                }
                            }
                            _ => Src::NONE,
                        };
                        last_src = Some((s, src));
                        src
                    }
                },
            };
            let place = codes.keys[pair as usize].0;
            reqs.push(
                pair,
                Demand {
                    bucket,
                    place,
                    qty: nonneg(r.qty),
                    src,
                },
            );
        }
        let mut lots = ByPair::with_capacity(problem.stock.len());
        let mut plain: Vec<(u32, u64)> = Vec::new();
        for s in &problem.stock {
            let pair = codes.pair(&s.place, &s.item);
            if pair == NONE {
                continue;
            }
            match s.expiry {
                Some(expiry) => lots.push(
                    pair,
                    DatedLot {
                        expiry,
                        until: usable_until(expiry, problem.start, problem.bucket_hours, buckets),
                        qty: nonneg(s.qty),
                    },
                ),
                None => plain.push((pair, nonneg(s.qty))),
            }
        }
        let mut receipts = ByPair::with_capacity(problem.scheduled_receipts.len());
        for r in &problem.scheduled_receipts {
            let pair = codes.pair(&r.place, &r.item);
            if let (true, Some(bucket)) = (pair != NONE, bucket_of(r.bucket, buckets)) {
                receipts.push(
                    pair,
                    Receipt {
                        bucket,
                        qty: nonneg(r.qty),
                    },
                );
            }
        }
        let mut policies = Vec::new();
        for (i, p) in problem.policies.iter().enumerate() {
            let pair = codes.pair(&p.place, &p.item);
            if pair != NONE {
                policies.push((pair, i));
            }
        }

        // Pair numbers: wards by (place, item), then the pharmacy by item.
        let keys = codes.keys;
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_unstable_by_key(|&raw| {
            let (p, i) = keys[raw as usize];
            (p == pharmacy, p, i)
        });
        let mut remap = vec![0u32; keys.len()];
        for (pos, &raw) in order.iter().enumerate() {
            remap[raw as usize] = pos as u32;
        }
        let mut pairs: Vec<PairIn> = order
            .iter()
            .map(|&raw| {
                let (place, item) = keys[raw as usize];
                PairIn {
                    place,
                    item,
                    ..PairIn::default()
                }
            })
            .collect();
        let ward_pairs = pairs.iter().filter(|p| p.place != pharmacy).count();
        let mut pharmacy_pair = vec![NONE; problem.items.len()];
        for (i, p) in pairs.iter().enumerate().skip(ward_pairs) {
            pharmacy_pair[p.item as usize] = i as u32;
        }
        for (raw, i) in policies {
            let p = &mut pairs[remap[raw as usize] as usize];
            p.policy.get_or_insert(i);
        }
        for (raw, q) in plain {
            let p = &mut pairs[remap[raw as usize] as usize];
            p.plain_stock = p.plain_stock.saturating_add(q);
        }
        let mut reqs = reqs.group(&remap, &mut pairs, |p, r| p.reqs = r);
        let lots = lots.group(&remap, &mut pairs, |p, r| p.lots = r);
        let mut receipts = receipts.group(&remap, &mut pairs, |p, r| p.receipts = r);
        for p in &pairs {
            // Stable: same-bucket entries keep the problem's order.
            let reqs = &mut reqs[p.reqs.0..p.reqs.1];
            if !reqs.is_sorted_by_key(|d| d.bucket) {
                reqs.sort_by_key(|d| d.bucket);
            }
            receipts[p.receipts.0..p.receipts.1].sort_by_key(|r| r.bucket);
        }
        Index {
            buckets,
            pharmacy,
            place_lead,
            item_lead,
            item_pack,
            pairs,
            ward_pairs,
            pharmacy_pair,
            reqs,
            lots,
            receipts,
            source_text,
        }
    }
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

impl Ctx<'_> {
    fn place(&self, i: u32) -> &str {
        self.problem
            .places
            .get(i as usize)
            .map_or("", |p| p.code.as_str())
    }

    fn item(&self, i: u32) -> &str {
        self.problem
            .items
            .get(i as usize)
            .map_or("", |p| p.code.as_str())
    }

    fn exception(
        &self,
        job: &Job<'_>,
        bucket: usize,
        kind: ExceptionKind,
        qty: u64,
        facts: ExceptionFacts,
    ) -> Exception {
        Exception {
            place: self.place(job.place).to_string(),
            item: self.item(job.item).to_string(),
            bucket,
            kind,
            qty,
            facts,
            scheduled_bucket: None,
            start: self.problem.start,
            bucket_hours: self.problem.bucket_hours,
        }
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Plans one (place, item) into a new record.
fn net_pair(ctx: &Ctx<'_>, job: &Job<'_>, sc: &mut Scratch, out: &mut Out) {
    let b = ctx.buckets;
    let r = out.records.len();
    out.records.push(RecordRow {
        place: job.place,
        item: job.item,
    });
    let base = r * b;
    for v in [
        &mut out.gross,
        &mut out.scheduled,
        &mut out.on_hand,
        &mut out.net,
        &mut out.receipts,
        &mut out.releases,
    ] {
        v.resize(base + b, 0);
    }
    let Out {
        orders,
        pegs,
        gross,
        scheduled,
        on_hand,
        net,
        receipts,
        releases,
        exceptions,
        ..
    } = out;
    let gross = &mut gross[base..base + b];
    let scheduled = &mut scheduled[base..base + b];
    let on_hand = &mut on_hand[base..base + b];
    let net = &mut net[base..base + b];
    let receipts = &mut receipts[base..base + b];
    let releases = &mut releases[base..base + b];

    let mut total_gross = 0u64;
    for d in job.demand {
        let g = &mut gross[d.bucket as usize];
        *g = g.saturating_add(d.qty);
        total_gross = total_gross.saturating_add(d.qty);
    }
    for s in job.receipts {
        let v = &mut scheduled[s.bucket as usize];
        *v = v.saturating_add(s.qty);
    }

    // Dated lots, FEFO: their use does not depend on any order, since
    // receipts never expire and are used after them.
    sc.lots.clear();
    sc.lots.extend_from_slice(job.lots);
    sc.lots.sort_by_key(|l| l.expiry);
    sc.dated_end.clear();
    sc.dated_use.clear();
    sc.resid.clear();
    let mut dated: u64 = sc.lots.iter().map(|l| l.qty).sum();
    let mut dated_start0 = 0u64;
    let mut ptr = 0usize;
    for (j, &g) in gross.iter().enumerate() {
        while ptr < sc.lots.len() && sc.lots[ptr].until as usize <= j {
            let lot = sc.lots[ptr];
            if lot.qty > 0 {
                dated -= lot.qty;
                let facts = if j == 0 && lot.until == 0 {
                    ExceptionFacts::Expired { expiry: lot.expiry }
                } else {
                    ExceptionFacts::ExpiringBeforeUse { expiry: lot.expiry }
                };
                exceptions.push(ctx.exception(
                    job,
                    j,
                    ExceptionKind::ExpiringBeforeUse,
                    lot.qty,
                    facts,
                ));
                sc.lots[ptr].qty = 0;
            }
            ptr += 1;
        }
        if j == 0 {
            dated_start0 = dated;
        }
        let mut need = g;
        while need > 0 && ptr < sc.lots.len() {
            let lot = &mut sc.lots[ptr];
            let take = lot.qty.min(need);
            lot.qty -= take;
            need -= take;
            if lot.qty == 0 {
                ptr += 1;
            }
        }
        dated -= g - need;
        sc.dated_use.push(g - need);
        sc.resid.push(need);
        sc.dated_end.push(dated);
    }

    let safety = job.safety;
    let start_stock = dated_start0.saturating_add(job.plain_stock);
    if to_i64(start_stock) < safety {
        let short = to_u64(safety - to_i64(start_stock));
        exceptions.push(ctx.exception(
            job,
            0,
            ExceptionKind::BelowSafetyStock,
            short,
            ExceptionFacts::BelowSafetyStock {
                stock: start_stock,
                safety,
            },
        ));
    }

    let rule = match job.lot_sizing {
        None | Some(LotSizing::LotForLot {}) => Rule::LotForLot,
        Some(LotSizing::FixedQuantity { qty }) => Rule::Fixed(nonneg(*qty).max(1)),
        Some(LotSizing::Period { periods }) => {
            Rule::Period(usize::try_from(*periods).unwrap_or(1).max(1))
        }
        Some(LotSizing::Eoq {
            order_cost,
            holding_cost,
        }) => Rule::Eoq(lot_sizing::eoq(total_gross, b, *order_cost, *holding_cost)),
        Some(LotSizing::MinMax { min, max }) => Rule::MinMax(*min, (*max).max(*min)),
    };

    // Netting, releases and FIFO pegging in one pass.
    let mut pool = to_i64(job.plain_stock);
    sc.queue.clear();
    let mut head = 0usize;
    if job.plain_stock > 0 {
        sc.queue.push((job.plain_stock, NO_ORDER));
    }
    let mut di = 0usize;
    let lead = job.lead as usize;
    for j in 0..b {
        let sr = scheduled[j];
        let resid = sc.resid[j];
        let after = pool + to_i64(sr) - to_i64(resid);
        let poh0 = to_i64(sc.dated_end[j]) + after;
        let nr = to_u64(safety - poh0);
        let rule_qty = match rule {
            _ if nr == 0 && !matches!(rule, Rule::MinMax(..)) => 0,
            Rule::LotForLot => nr,
            Rule::Fixed(q) => lot_sizing::fixed_quantity(nr, q),
            Rule::Eoq(q) => nr.max(q),
            Rule::Period(p) => {
                let mut cum = after;
                let mut want = nr;
                let window = j + 1..(j + p).min(b);
                for ((&sr_m, &resid_m), &dated_m) in scheduled[window.clone()]
                    .iter()
                    .zip(&sc.resid[window.clone()])
                    .zip(&sc.dated_end[window])
                {
                    cum += to_i64(sr_m) - to_i64(resid_m);
                    want = want.max(to_u64(safety - (to_i64(dated_m) + cum)));
                }
                want
            }
            Rule::MinMax(min, max) => {
                if nr > 0 || poh0 < min {
                    nr.max(to_u64(max - poh0))
                } else {
                    0
                }
            }
        };
        let q = lot_sizing::finish_order(rule_qty, job.min_order, job.pack);
        net[j] = nr;
        receipts[j] = q;
        if sr > 0 {
            sc.queue.push((sr, NO_ORDER));
        }
        if q > 0 {
            let past_due = j < lead;
            let release = j.saturating_sub(lead);
            releases[release] += q;
            let o = orders.len();
            orders.push(OrderRow {
                place: job.place,
                item: job.item,
                release: release as u32,
                receipt: j as u32,
                past_due,
                qty: q,
                peg_start: pegs.len(),
                peg_len: 0,
            });
            sc.queue.push((q, o));
            if past_due {
                exceptions.push(ctx.exception(
                    job,
                    j,
                    ExceptionKind::Expedite,
                    q,
                    ExceptionFacts::Expedite {
                        lead,
                        late: lead - j,
                        purchase: job.place == ctx.pharmacy,
                    },
                ));
            }
        }
        pool = after + to_i64(q);
        on_hand[j] = to_u64(to_i64(sc.dated_end[j]) + pool);

        // Pegging: this bucket's requirements use dated stock first, then
        // the oldest undated stock or receipt.
        let mut from_dated = sc.dated_use[j];
        while di < job.demand.len() && job.demand[di].bucket as usize == j {
            let d = job.demand[di];
            di += 1;
            let dated_part = d.qty.min(from_dated);
            from_dated -= dated_part;
            let mut need = d.qty - dated_part;
            while need > 0 && head < sc.queue.len() {
                let (left, order) = &mut sc.queue[head];
                let take = (*left).min(need);
                *left -= take;
                need -= take;
                if *order != NO_ORDER && take > 0 {
                    peg(orders, pegs, *order, d, take);
                }
                if *left == 0 {
                    head += 1;
                }
            }
        }
    }

    // Scheduled receipts not needed (cancel) or needed later (defer).
    if !job.receipts.is_empty() {
        sc.poh.clear();
        sc.poh.extend(on_hand.iter().map(|&v| to_i64(v)));
        for s in job.receipts.iter().rev() {
            if s.qty == 0 {
                continue;
            }
            let k = s.bucket as usize;
            let q = to_i64(s.qty);
            let needed = (k..b).find(|&j| sc.poh[j] - q < safety);
            let (kind, bucket, upto, facts) = match needed {
                Some(j) if j == k => continue,
                Some(j) => (
                    ExceptionKind::Defer,
                    j,
                    j,
                    ExceptionFacts::Defer {
                        scheduled: k,
                        needed: j,
                    },
                ),
                None => (
                    ExceptionKind::Cancel,
                    k,
                    b,
                    ExceptionFacts::Cancel { scheduled: k },
                ),
            };
            for v in &mut sc.poh[k..upto] {
                *v -= q;
            }
            let mut e = ctx.exception(job, bucket, kind, s.qty, facts);
            e.scheduled_bucket = Some(k);
            exceptions.push(e);
        }
    }
}

/// Records that `qty` of requirement `d` is covered by order `o`. Pegs of one
/// order are contiguous because receipts are used first in, first out.
fn peg(orders: &mut [OrderRow], pegs: &mut Vec<PegRow>, o: usize, d: Demand, qty: u64) {
    let order = &mut orders[o];
    if order.peg_len > 0
        && let Some(last) = pegs.last_mut()
        && last.place == d.place
        && last.bucket == d.bucket
        && last.src == d.src
    {
        last.qty += qty;
        return;
    }
    if order.peg_len == 0 {
        order.peg_start = pegs.len();
    }
    order.peg_len += 1;
    pegs.push(PegRow {
        place: d.place,
        bucket: d.bucket,
        src: d.src,
        qty,
    });
}

/// Plans a problem. Pure and deterministic; expects a problem that passed
/// [`Problem::validate`] (entries that refer to unknown codes or lie outside
/// the horizon are ignored rather than trusted).
pub fn plan(problem: &Problem) -> Plan {
    let ix = Index::build(problem);
    let b = ix.buckets;
    let ctx = Ctx {
        problem,
        buckets: b,
        pharmacy: ix.pharmacy,
    };
    let mut out = Out::default();
    // Untouched capacity costs nothing; growing a large buffer copies it.
    out.pegs
        .reserve(problem.requirements.len().saturating_mul(2));
    out.orders.reserve(problem.requirements.len());
    let mut sc = Scratch::default();
    let n_items = problem.items.len();
    let expected = ix.pairs.len() + n_items;
    out.records.reserve(expected);
    for v in [
        &mut out.gross,
        &mut out.scheduled,
        &mut out.on_hand,
        &mut out.net,
        &mut out.receipts,
        &mut out.releases,
    ] {
        v.reserve(expected.saturating_mul(b).min(1 << 26));
    }
    // Wards.
    for pair in &ix.pairs[..ix.ward_pairs] {
        let lead = ix.place_lead.get(pair.place as usize).copied().unwrap_or(0);
        let demand = &ix.reqs[pair.reqs.0..pair.reqs.1];
        let job = make_job(problem, &ix, pair, lead, demand);
        net_pair(&ctx, &job, &mut sc, &mut out);
    }

    // The pharmacy: ward releases of each item are its gross requirements.
    if ix.pharmacy != NONE {
        let ward_records = out.records.len();
        let mut by_item: Vec<Vec<usize>> = vec![Vec::new(); n_items];
        for (r, row) in out.records.iter().enumerate().take(ward_records) {
            if let Some(list) = by_item.get_mut(row.item as usize) {
                list.push(r);
            }
        }
        let mut demand: Vec<Demand> = Vec::new();
        for (item, wards) in by_item.iter().enumerate() {
            let own = ix.pharmacy_pair[item];
            let own_reqs: &[Demand] = if own == NONE {
                &[]
            } else {
                let p = &ix.pairs[own as usize];
                &ix.reqs[p.reqs.0..p.reqs.1]
            };
            demand.clear();
            let mut oi = 0usize;
            for j in 0..b {
                for &r in wards {
                    let q = out.releases[r * b + j];
                    if q > 0 {
                        demand.push(Demand {
                            bucket: j as u32,
                            place: out.records[r].place,
                            qty: q,
                            src: Src::RELEASE,
                        });
                    }
                }
                while oi < own_reqs.len() && own_reqs[oi].bucket as usize == j {
                    demand.push(own_reqs[oi]);
                    oi += 1;
                }
            }
            if own == NONE && demand.is_empty() {
                continue;
            }
            let default_pair = PairIn {
                place: ix.pharmacy,
                item: item as u32,
                ..PairIn::default()
            };
            let pair = if own == NONE {
                &default_pair
            } else {
                &ix.pairs[own as usize]
            };
            let lead = ix.item_lead.get(item).copied().unwrap_or(0);
            let job = make_job(problem, &ix, pair, lead, &demand);
            net_pair(&ctx, &job, &mut sc, &mut out);
        }
    }

    Plan {
        buckets: b,
        start: problem.start,
        bucket_hours: problem.bucket_hours,
        pharmacy: ix.pharmacy,
        places: problem.places.iter().map(|p| p.code.clone()).collect(),
        items: problem.items.iter().map(|i| i.code.clone()).collect(),
        source_text: ix.source_text,
        orders: out.orders,
        pegs: out.pegs,
        records: out.records,
        gross: out.gross,
        scheduled: out.scheduled,
        on_hand: out.on_hand,
        net: out.net,
        receipts: out.receipts,
        releases: out.releases,
        exceptions: out.exceptions,
    }
}

fn make_job<'a>(
    problem: &'a Problem,
    ix: &'a Index,
    pair: &PairIn,
    lead: u32,
    demand: &'a [Demand],
) -> Job<'a> {
    let policy = pair.policy.and_then(|i| problem.policies.get(i));
    Job {
        place: pair.place,
        item: pair.item,
        lead,
        pack: ix.item_pack.get(pair.item as usize).copied().unwrap_or(1),
        safety: policy.map_or(0, |p| p.safety_stock.max(0)),
        min_order: policy.map_or(0, |p| nonneg(p.min_order)),
        lot_sizing: policy.map(|p| &p.lot_sizing),
        plain_stock: pair.plain_stock,
        lots: &ix.lots[pair.lots.0..pair.lots.1],
        receipts: &ix.receipts[pair.receipts.0..pair.receipts.1],
        demand,
    }
}
