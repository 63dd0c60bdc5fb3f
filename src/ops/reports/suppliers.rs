//! Supplier performance: on time and in full (OTIF) per supplier and per
//! supplier and item, from the purchase orders and the receipts booked
//! against them, with the late deliveries listed.
//!
//! The due day of a line is the site's day of its order's `expected_at`:
//! the order's date plus the supplier's lead time when it was created
//! (`purchasing::create_po`), or the day the planner set. A line counts in
//! the period its due day falls in, judged as of today:
//! - it is **delivered** on the day of the receipt that completed it (or,
//!   on an order since cancelled, the day of its last receipt);
//! - **on time** when delivered by the due day; a line still open after its
//!   due day is late (days late counted to today); one not yet due is
//!   pending and not judged;
//! - **in full** when the units received reach the units ordered;
//! - a cancelled line with nothing received is not judged.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::types::{instant_from_text, instant_to_text};
use crate::ops::purchasing::{self, PurchaseError};

/// What was due from a supplier (or of one item from it) over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SupplierPerf {
    pub supplier: String,
    pub supplier_name: String,
    /// The item, on a supplier × item row.
    pub item: Option<String>,
    pub item_name: Option<String>,
    /// Order lines judged (due in the period and delivered, or past due).
    pub lines: i64,
    pub on_time: i64,
    pub in_full: i64,
    /// On time and in full.
    pub otif: i64,
    pub late: i64,
    /// Lines due in the period not yet due (or received early but not yet
    /// in full and not yet due): not judged.
    pub pending: i64,
    pub units_ordered: i64,
    pub units_received: i64,
    /// Shares of the lines judged, 0.0–1.0 (`None`: nothing judged).
    pub on_time_share: Option<f64>,
    pub in_full_share: Option<f64>,
    pub otif_share: Option<f64>,
    /// Average days late over the late lines (`None`: none late).
    pub avg_days_late: Option<f64>,
    #[serde(skip)]
    days_late_sum: i64,
}

/// A line delivered after its due day, or still open after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateDelivery {
    /// "PO-12".
    pub order: String,
    pub supplier: String,
    pub item: String,
    pub item_name: String,
    pub due: NaiveDate,
    /// The day it was delivered (`None`: still open).
    pub received: Option<NaiveDate>,
    pub days_late: i64,
    pub units_ordered: i64,
    pub units_received: i64,
    /// Units still missing of the line.
    pub short: i64,
}

/// The supplier performance report.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The day lines are judged on (open lines are late up to it).
    pub as_of: NaiveDate,
    pub suppliers: Vec<SupplierPerf>,
    pub items: Vec<SupplierPerf>,
    pub late: Vec<LateDelivery>,
    pub total: SupplierPerf,
}

/// How one order line stands on `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineJudgement {
    /// Not yet due and not delivered in full: not judged.
    Pending,
    /// Cancelled with nothing received: not judged.
    Withdrawn,
    Judged {
        on_time: bool,
        in_full: bool,
        /// The day it was delivered; `None` while still open.
        delivered: Option<NaiveDate>,
        /// Days after the due day (0 when on time).
        days_late: i64,
    },
}

/// Judges one line: `completed` is the day of the receipt that brought the
/// received units up to the ordered ones, `last` the day of the last
/// receipt, `open` whether the order still awaits deliveries.
pub fn judge_line(
    due: NaiveDate,
    ordered: i64,
    received: i64,
    completed: Option<NaiveDate>,
    last: Option<NaiveDate>,
    open: bool,
    as_of: NaiveDate,
) -> LineJudgement {
    let in_full = received >= ordered;
    let delivered = match completed {
        Some(d) => Some(d),
        // Still awaited: not delivered yet, whatever came so far.
        None if open => None,
        None => last,
    };
    match delivered {
        Some(d) => LineJudgement::Judged {
            on_time: d <= due,
            in_full,
            delivered: Some(d),
            days_late: (d - due).num_days().max(0),
        },
        None if open && as_of > due => LineJudgement::Judged {
            on_time: false,
            in_full,
            delivered: None,
            days_late: (as_of - due).num_days(),
        },
        None if open => LineJudgement::Pending,
        None => LineJudgement::Withdrawn,
    }
}

impl SupplierPerf {
    fn add(&mut self, j: LineJudgement, ordered: i64, received: i64) {
        self.units_ordered += ordered;
        self.units_received += received;
        match j {
            LineJudgement::Pending => self.pending += 1,
            LineJudgement::Withdrawn => {}
            LineJudgement::Judged {
                on_time,
                in_full,
                days_late,
                ..
            } => {
                self.lines += 1;
                self.on_time += i64::from(on_time);
                self.in_full += i64::from(in_full);
                self.otif += i64::from(on_time && in_full);
                if !on_time {
                    self.late += 1;
                    self.days_late_sum += days_late;
                }
            }
        }
    }

    fn finish(&mut self) {
        let share = |n: i64| (self.lines > 0).then(|| n as f64 / self.lines as f64);
        self.on_time_share = share(self.on_time);
        self.in_full_share = share(self.in_full);
        self.otif_share = share(self.otif);
        self.avg_days_late = (self.late > 0).then(|| self.days_late_sum as f64 / self.late as f64);
    }
}

struct Line {
    id: i64,
    order: i64,
    status: String,
    expected_at: String,
    supplier: String,
    supplier_name: String,
    item: String,
    item_name: String,
    qty: i64,
    received: i64,
}

/// Supplier performance over the lines due from `from` (included) to `to`
/// (excluded), for one supplier (by code) or all, judged on `as_of`; days
/// on the site's calendar in `zone`.
pub fn supplier_report(
    conn: &Connection,
    supplier: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: NaiveDate,
    zone: Tz,
) -> Result<SupplierReport, PurchaseError> {
    let supplier_id = supplier
        .map(|s| purchasing::supplier_id(conn, s).map(|(id, _)| id))
        .transpose()?;
    let mut st = conn.prepare(
        "SELECT l.id, o.id, o.status, o.expected_at, s.code, s.name, i.code, i.name, l.qty, l.received
         FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.order_id
         JOIN suppliers s ON s.id = o.supplier_id JOIN items i ON i.id = l.item_id
         WHERE o.expected_at >= ?1 AND o.expected_at < ?2 AND (?3 IS NULL OR o.supplier_id = ?3)
         ORDER BY s.code, i.code, o.expected_at, o.id",
    )?;
    let lines = st
        .query_map(
            params![instant_to_text(from), instant_to_text(to), supplier_id],
            |r| {
                Ok(Line {
                    id: r.get(0)?,
                    order: r.get(1)?,
                    status: r.get(2)?,
                    expected_at: r.get(3)?,
                    supplier: r.get(4)?,
                    supplier_name: r.get(5)?,
                    item: r.get(6)?,
                    item_name: r.get(7)?,
                    qty: r.get(8)?,
                    received: r.get(9)?,
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<Line>>>()?;
    // The receipts of those lines, in time order.
    let mut receipts: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    let mut st = conn.prepare(
        "SELECT r.line_id, r.at, r.qty FROM purchase_receipts r
         JOIN purchase_order_lines l ON l.id = r.line_id JOIN purchase_orders o ON o.id = l.order_id
         WHERE o.expected_at >= ?1 AND o.expected_at < ?2 AND (?3 IS NULL OR o.supplier_id = ?3)
         ORDER BY r.line_id, r.at, r.id",
    )?;
    for r in st.query_map(
        params![instant_to_text(from), instant_to_text(to), supplier_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )? {
        let (line, at, qty) = r?;
        receipts.entry(line).or_default().push((at, qty));
    }
    let day = |t: &str| instant_from_text(t).map(|t| t.with_timezone(&zone).date_naive());

    let mut suppliers: Vec<SupplierPerf> = Vec::new();
    let mut items: Vec<SupplierPerf> = Vec::new();
    let mut late = Vec::new();
    let mut total = SupplierPerf::default();
    for l in &lines {
        let Some(due) = day(&l.expected_at) else {
            continue;
        };
        let mut sum = 0;
        let mut completed = None;
        let mut last = None;
        for (at, qty) in receipts.get(&l.id).map(Vec::as_slice).unwrap_or_default() {
            sum += qty;
            last = day(at);
            if completed.is_none() && sum >= l.qty {
                completed = last;
            }
        }
        let open = matches!(l.status.as_str(), "open" | "partial");
        let j = judge_line(due, l.qty, l.received, completed, last, open, as_of);
        if suppliers.last().is_none_or(|s| s.supplier != l.supplier) {
            suppliers.push(SupplierPerf {
                supplier: l.supplier.clone(),
                supplier_name: l.supplier_name.clone(),
                ..SupplierPerf::default()
            });
        }
        if items
            .last()
            .is_none_or(|s| s.supplier != l.supplier || s.item.as_deref() != Some(&l.item))
        {
            items.push(SupplierPerf {
                supplier: l.supplier.clone(),
                supplier_name: l.supplier_name.clone(),
                item: Some(l.item.clone()),
                item_name: Some(l.item_name.clone()),
                ..SupplierPerf::default()
            });
        }
        for p in [suppliers.last_mut(), items.last_mut(), Some(&mut total)]
            .into_iter()
            .flatten()
        {
            p.add(j, l.qty, l.received);
        }
        if let LineJudgement::Judged {
            on_time: false,
            delivered,
            days_late,
            ..
        } = j
        {
            late.push(LateDelivery {
                order: format!("PO-{}", l.order),
                supplier: l.supplier.clone(),
                item: l.item.clone(),
                item_name: l.item_name.clone(),
                due,
                received: delivered,
                days_late,
                units_ordered: l.qty,
                units_received: l.received,
                short: (l.qty - l.received).max(0),
            });
        }
    }
    for p in suppliers
        .iter_mut()
        .chain(items.iter_mut())
        .chain(std::iter::once(&mut total))
    {
        p.finish();
    }
    late.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.order.cmp(&b.order))
    });
    Ok(SupplierReport {
        from,
        to,
        as_of,
        suppliers,
        items,
        late,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn a_line_completed_by_its_due_day_is_on_time_and_in_full() {
        let j = judge_line(d(5), 10, 10, Some(d(5)), Some(d(5)), false, d(20));
        assert_eq!(
            j,
            LineJudgement::Judged {
                on_time: true,
                in_full: true,
                delivered: Some(d(5)),
                days_late: 0
            }
        );
    }

    #[test]
    fn a_line_completed_after_its_due_day_is_late_by_the_days_between() {
        let j = judge_line(d(5), 10, 12, Some(d(8)), Some(d(8)), false, d(20));
        assert!(matches!(
            j,
            LineJudgement::Judged {
                on_time: false,
                in_full: true,
                days_late: 3,
                ..
            }
        ));
    }

    #[test]
    fn an_open_line_past_due_is_late_to_today_and_one_not_yet_due_is_pending() {
        // Part came on time, the rest is still awaited.
        let j = judge_line(d(5), 10, 4, None, Some(d(4)), true, d(9));
        assert_eq!(
            j,
            LineJudgement::Judged {
                on_time: false,
                in_full: false,
                delivered: None,
                days_late: 4
            }
        );
        assert_eq!(
            judge_line(d(5), 10, 4, None, Some(d(4)), true, d(5)),
            LineJudgement::Pending
        );
    }

    #[test]
    fn a_cancelled_line_is_judged_on_what_came_and_not_at_all_when_nothing_did() {
        let j = judge_line(d(5), 10, 6, None, Some(d(5)), false, d(9));
        assert!(matches!(
            j,
            LineJudgement::Judged {
                on_time: true,
                in_full: false,
                ..
            }
        ));
        assert_eq!(
            judge_line(d(5), 10, 0, None, None, false, d(9)),
            LineJudgement::Withdrawn
        );
    }
}
