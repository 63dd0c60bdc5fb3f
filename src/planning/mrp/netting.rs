//! Netting: each (place, item) planned in turn, wards first then the
//! pharmacy, with lot sizing, pegging and exception messages.

use super::index::nonneg;
use super::*;

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
