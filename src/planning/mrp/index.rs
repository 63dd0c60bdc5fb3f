//! Indexing the problem once: codes to integers, inputs grouped per (place,
//! item), lots with the last bucket they are usable in.

use super::*;

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

pub(super) fn nonneg(v: i64) -> u64 {
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
    pub(super) fn build(problem: &Problem) -> Index {
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
