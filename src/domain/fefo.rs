//! First-expired-first-out picking.
//!
//! Given the lots of an item at a place and a quantity wanted on a day, the
//! picks take the usable lot with the earliest expiry first, the earliest
//! received among equal expiries. Expired (by the day of use), quarantined
//! and recalled lots are never picked. What cannot be covered is the
//! shortfall.

use chrono::NaiveDate;
use serde::Serialize;

use super::LotStatus;

/// One lot's stock at a place, as FEFO sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotStock {
    pub lot_id: i64,
    /// Last day the lot may be used; `None` never expires (most consumables).
    pub expiry: Option<NaiveDate>,
    /// Orders lots of the same expiry: smaller was received first.
    pub received_seq: i64,
    pub status: LotStatus,
    pub qty: i64,
}

impl LotStock {
    /// Usable on `day`: stock on hand and nothing keeps it from use
    /// ([`lot_problem`], the one rule).
    pub fn usable_on(&self, day: NaiveDate) -> bool {
        self.qty > 0 && lot_problem(self.status, self.expiry, day).is_none()
    }
}

/// Why a lot may not be supplied or given on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum LotProblem {
    /// Past its expiry date (`on` is the expiry date).
    Expired { on: NaiveDate },
    /// Held until a pharmacist decides.
    Quarantined,
    /// Recalled: it must leave stock.
    Recalled,
}

/// What keeps a lot of `status` expiring on `expiry` from use on `on`, if
/// anything. A recall outranks a quarantine, which outranks the expiry.
pub fn lot_problem(
    status: LotStatus,
    expiry: Option<NaiveDate>,
    on: NaiveDate,
) -> Option<LotProblem> {
    match status {
        LotStatus::Recalled => Some(LotProblem::Recalled),
        LotStatus::Quarantined => Some(LotProblem::Quarantined),
        LotStatus::Ok => expiry
            .filter(|e| *e < on)
            .map(|e| LotProblem::Expired { on: e }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pick {
    pub lot_id: i64,
    pub qty: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FefoPlan {
    pub picks: Vec<Pick>,
    /// Units wanted that no usable lot can cover.
    pub shortfall: i64,
}

impl FefoPlan {
    pub fn picked(&self) -> i64 {
        self.picks.iter().map(|p| p.qty).sum()
    }
}

/// The order in which FEFO takes usable lots.
pub fn fefo_order(lots: &[LotStock], day: NaiveDate) -> Vec<&LotStock> {
    let mut usable: Vec<&LotStock> = lots.iter().filter(|l| l.usable_on(day)).collect();
    usable.sort_by_key(|l| (l.expiry.is_none(), l.expiry, l.received_seq, l.lot_id));
    usable
}

/// Picks `wanted` units (in dose units) for use on `day`.
pub fn pick(lots: &[LotStock], wanted: i64, day: NaiveDate) -> FefoPlan {
    let mut remaining = wanted.max(0);
    let mut picks = Vec::new();
    for lot in fefo_order(lots, day) {
        if remaining == 0 {
            break;
        }
        let take = remaining.min(lot.qty);
        picks.push(Pick {
            lot_id: lot.lot_id,
            qty: take,
        });
        remaining -= take;
    }
    FefoPlan {
        picks,
        shortfall: remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn lot(id: i64, expiry: Option<&str>, seq: i64, status: LotStatus, qty: i64) -> LotStock {
        LotStock {
            lot_id: id,
            expiry: expiry.map(d),
            received_seq: seq,
            status,
            qty,
        }
    }

    #[test]
    fn earliest_expiry_first_then_earliest_received() {
        let lots = vec![
            lot(1, Some("2027-06-30"), 1, LotStatus::Ok, 10),
            lot(2, Some("2027-01-31"), 3, LotStatus::Ok, 4),
            lot(3, Some("2027-01-31"), 2, LotStatus::Ok, 5),
            lot(4, None, 0, LotStatus::Ok, 50),
        ];
        let plan = pick(&lots, 12, d("2026-11-22"));
        assert_eq!(
            plan.picks,
            vec![
                Pick { lot_id: 3, qty: 5 },
                Pick { lot_id: 2, qty: 4 },
                Pick { lot_id: 1, qty: 3 }
            ]
        );
        assert_eq!(plan.shortfall, 0);
    }

    #[test]
    fn expired_quarantined_and_recalled_are_never_picked() {
        let lots = vec![
            lot(1, Some("2026-11-21"), 1, LotStatus::Ok, 10),
            lot(2, Some("2027-01-31"), 2, LotStatus::Quarantined, 10),
            lot(3, Some("2027-01-31"), 3, LotStatus::Recalled, 10),
            lot(4, Some("2026-11-22"), 4, LotStatus::Ok, 3),
        ];
        let plan = pick(&lots, 10, d("2026-11-22"));
        assert_eq!(plan.picks, vec![Pick { lot_id: 4, qty: 3 }]);
        assert_eq!(plan.shortfall, 7);
        // Used the next day, lot 4 has expired too.
        assert_eq!(pick(&lots, 10, d("2026-11-23")).shortfall, 10);
    }

    fn arb_lot() -> impl Strategy<Value = LotStock> {
        (
            0i64..1000,
            proptest::option::of(0i64..400),
            0i64..50,
            prop_oneof![
                Just(LotStatus::Ok),
                Just(LotStatus::Ok),
                Just(LotStatus::Quarantined),
                Just(LotStatus::Recalled)
            ],
            -3i64..60,
        )
            .prop_map(|(id, exp, seq, status, qty)| LotStock {
                lot_id: id,
                expiry: exp.map(|days| d("2026-06-01") + chrono::Days::new(days as u64)),
                received_seq: seq,
                status,
                qty,
            })
    }

    proptest! {
        #[test]
        fn fefo_properties(lots in proptest::collection::vec(arb_lot(), 0..12).prop_map(|mut v| { for (i, l) in v.iter_mut().enumerate() { l.lot_id = i as i64; } v }), wanted in 0i64..300, day_off in 0u64..400) {
            let day = d("2026-06-01") + chrono::Days::new(day_off);
            let plan = pick(&lots, wanted, day);
            let usable_total: i64 = lots.iter().filter(|l| l.usable_on(day)).map(|l| l.qty).sum();
            // Exact totals: picked + shortfall = wanted; shortfall only when usable stock ran out.
            prop_assert_eq!(plan.picked() + plan.shortfall, wanted);
            prop_assert_eq!(plan.shortfall, (wanted - usable_total).max(0));
            let mut prev: Option<&LotStock> = None;
            for p in &plan.picks {
                prop_assert!(p.qty > 0);
                let l = lots.iter().find(|l| l.lot_id == p.lot_id && l.usable_on(day)).expect("picked lot is usable");
                prop_assert!(p.qty <= l.qty);
                prop_assert!(l.status == LotStatus::Ok);
                prop_assert!(l.expiry.is_none_or(|e| e >= day));
                if let Some(q) = prev {
                    // Never a later-expiring lot before an earlier one.
                    let key = |x: &LotStock| (x.expiry.is_none(), x.expiry, x.received_seq);
                    prop_assert!(key(q) <= key(l));
                }
                prev = Some(l);
            }
            // No usable lot that expires earlier than a picked one is left with stock.
            if let Some(last) = plan.picks.last() {
                let last_lot = lots.iter().find(|l| l.lot_id == last.lot_id && l.usable_on(day)).unwrap();
                for l in lots.iter().filter(|l| l.usable_on(day)) {
                    let earlier = (l.expiry.is_none(), l.expiry, l.received_seq, l.lot_id) < (last_lot.expiry.is_none(), last_lot.expiry, last_lot.received_seq, last_lot.lot_id);
                    if earlier {
                        let taken: i64 = plan.picks.iter().filter(|p| p.lot_id == l.lot_id).map(|p| p.qty).sum();
                        prop_assert_eq!(taken, l.qty, "lot {} left behind", l.lot_id);
                    }
                }
            }
        }
    }
}
