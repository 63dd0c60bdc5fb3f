//! Reading a plan: its records, planned orders, pegs and exceptions as the
//! screens and reports see them, and as JSON.

use super::*;

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

impl Exception {
    /// The start of bucket `k`, when the plan has a start.
    pub fn bucket_start(&self, k: usize) -> Option<NaiveDateTime> {
        let hours = i64::try_from(k).ok()?.checked_mul(self.bucket_hours)?;
        self.start?
            .checked_add_signed(chrono::TimeDelta::try_hours(hours)?)
    }
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
