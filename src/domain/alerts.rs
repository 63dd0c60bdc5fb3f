//! Stock warnings: expiry tiers and stock levels, worst first.
//!
//! Inputs are plain rows (what the store reads); the output is the list the
//! Alerts screen shows and the mark the stock lists put next to an item.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::LotStatus;

/// How bad a warning is; the derived order sorts the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AlertKind {
    /// Stock past its expiry date: blocked, to be disposed of.
    Expired,
    /// Expires within `days_left` days (in the tier `tier_days`).
    Expiring {
        days_left: i64,
        tier_days: i64,
    },
    Quarantined,
    Recalled,
    /// No usable stock at all.
    OutOfStock,
    /// Usable stock at or below the safety stock.
    BelowSafetyStock,
    /// Usable stock inside the attention band above the safety stock.
    Attention,
    /// More than the maximum stock.
    AboveMaximum,
    /// Units of a lot that will not be used before it expires at the
    /// current rate of use (lots taken first-expired-first-out).
    ExpiryWaste {
        units: i64,
        days_left: i64,
    },
    /// Units of a lot held at a cold location after a temperature
    /// excursion (`minutes` out of range, the worst `peak_tenths` of a
    /// degree), awaiting a pharmacist's decision.
    ColdHeld {
        minutes: i64,
        peak_tenths: Option<i32>,
    },
    /// A ward's requirement over the next `days` days (`qty`) well above
    /// its usual use over as many days (`usual` units); `percent` of it
    /// (`None`: no use before). See `domain::early`.
    DemandSurge {
        usual: i64,
        days: i64,
        percent: Option<i64>,
    },
    /// The item's preferred supplier delivered its last `lines` order
    /// lines on time and in full below the site's threshold.
    SupplierRisk {
        lines: i64,
        on_time_percent: i64,
        in_full_percent: i64,
    },
    /// A critical item with one supplier only.
    SingleSupplier,
}

/// A lot held at a cold location after an excursion, as the warnings read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdHold {
    pub place_id: i64,
    pub item_id: i64,
    pub lot_id: i64,
    pub qty: i64,
    pub minutes: i64,
    pub peak_tenths: Option<i32>,
    pub unit_price_cents: i64,
}

/// Held units are not usable: they come off the usable stock of their
/// (place, item).
pub fn subtract_held(usable: &mut HashMap<(i64, i64), i64>, holds: &[ColdHold]) {
    for h in holds {
        if let Some(u) = usable.get_mut(&(h.place_id, h.item_id)) {
            *u = (*u - h.qty).max(0);
        }
    }
}

/// As [`build`], with the lots held after a cold-chain excursion: their
/// units are not usable, and each raises its warning.
pub fn build_with_holds(
    balances: &[LotBalance],
    policies: &[LevelPolicy],
    holds: &[ColdHold],
    today: NaiveDate,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut usable: HashMap<(i64, i64), i64> = HashMap::new();
    for b in balances {
        if b.status == LotStatus::Ok && b.expiry.is_none_or(|e| e >= today) {
            *usable.entry((b.place_id, b.item_id)).or_default() += b.qty;
        }
    }
    subtract_held(&mut usable, holds);
    let mut out = build_with_usable(balances, policies, &usable, today, cfg);
    out.extend(cold_alerts(holds));
    sort_worst_first(&mut out);
    out
}

/// A warning for each lot held after a cold-chain excursion, with stock.
pub fn cold_alerts(holds: &[ColdHold]) -> Vec<Alert> {
    holds
        .iter()
        .filter(|h| h.qty > 0)
        .map(|h| Alert {
            severity: Severity::High,
            kind: AlertKind::ColdHeld {
                minutes: h.minutes,
                peak_tenths: h.peak_tenths,
            },
            place_id: h.place_id,
            item_id: h.item_id,
            lot_id: Some(h.lot_id),
            qty: h.qty,
            value_cents: h.qty.saturating_mul(h.unit_price_cents),
            safety_stock: 0,
            max_stock: 0,
        })
        .collect()
}

/// Warning thresholds; the defaults are the domain brief's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertConfig {
    /// Expiry tiers in days, ascending (default 30, 60, 90).
    pub expiry_tiers: Vec<i64>,
    /// The attention band above safety stock, in percent of it (default 120).
    pub attention_percent: i64,
    /// A unit price from which an item is high-value (default 100.00).
    pub high_value_cents: i64,
    /// High-value items are warned this many days before expiry (default 180).
    pub high_value_horizon_days: i64,
    /// The days of past use that give the current rate of use (default 28).
    pub usage_window_days: i64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            expiry_tiers: vec![30, 60, 90],
            attention_percent: 120,
            high_value_cents: 10_000,
            high_value_horizon_days: 180,
            usage_window_days: 28,
        }
    }
}

/// One lot's balance at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotBalance {
    pub place_id: i64,
    pub item_id: i64,
    pub lot_id: i64,
    pub expiry: Option<NaiveDate>,
    pub status: LotStatus,
    pub qty: i64,
    pub unit_price_cents: i64,
}

/// Stock-level parameters of an item at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelPolicy {
    pub place_id: i64,
    pub item_id: i64,
    pub safety_stock: i64,
    /// 0 means no maximum.
    pub max_stock: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub severity: Severity,
    #[serde(flatten)]
    pub kind: AlertKind,
    pub place_id: i64,
    pub item_id: i64,
    pub lot_id: Option<i64>,
    /// Units concerned: the lot's quantity, or the usable stock for levels.
    pub qty: i64,
    /// Money concerned, in cents (lot alerts).
    pub value_cents: i64,
    /// The safety stock, for level alerts.
    pub safety_stock: i64,
    /// The maximum stock, for level alerts (0: none).
    pub max_stock: i64,
}

fn lot_alert(b: &LotBalance, today: NaiveDate, cfg: &AlertConfig) -> Option<(Severity, AlertKind)> {
    match b.status {
        LotStatus::Recalled => return Some((Severity::Critical, AlertKind::Recalled)),
        LotStatus::Quarantined => return Some((Severity::High, AlertKind::Quarantined)),
        LotStatus::Ok => {}
    }
    let expiry = b.expiry?;
    let days_left = (expiry - today).num_days();
    if days_left < 0 {
        return Some((Severity::Critical, AlertKind::Expired));
    }
    let Some(tier) = cfg.expiry_tiers.iter().copied().find(|t| days_left <= *t) else {
        // High-value stock is warned much earlier: there is time to move it.
        if b.unit_price_cents >= cfg.high_value_cents && days_left <= cfg.high_value_horizon_days {
            return Some((
                Severity::Low,
                AlertKind::Expiring {
                    days_left,
                    tier_days: cfg.high_value_horizon_days,
                },
            ));
        }
        return None;
    };
    let severity = match cfg.expiry_tiers.iter().position(|t| *t == tier) {
        Some(0) => Severity::High,
        Some(1) => Severity::Medium,
        _ => Severity::Low,
    };
    Some((
        severity,
        AlertKind::Expiring {
            days_left,
            tier_days: tier,
        },
    ))
}

/// Every warning for the given balances and policies, worst first.
///
/// Level warnings use *usable* stock: expired, quarantined and recalled
/// units do not count towards the safety stock.
pub fn build(
    balances: &[LotBalance],
    policies: &[LevelPolicy],
    today: NaiveDate,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut usable: HashMap<(i64, i64), i64> = HashMap::new();
    for b in balances {
        if b.status == LotStatus::Ok && b.expiry.is_none_or(|e| e >= today) {
            *usable.entry((b.place_id, b.item_id)).or_default() += b.qty;
        }
    }
    build_with_usable(balances, policies, &usable, today, cfg)
}

/// The last day whose expiry still raises a warning today: lots expiring
/// later need not be read at all.
pub fn expiry_horizon(today: NaiveDate, cfg: &AlertConfig) -> NaiveDate {
    let days = cfg
        .expiry_tiers
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(cfg.high_value_horizon_days)
        .max(0);
    today + chrono::Days::new(days as u64)
}

/// Units of each lot that will expire before they are used, when the
/// place uses `daily_use_milli` thousandths of a unit per day and takes
/// lots first-expired-first-out. A lot is usable through its expiry day.
/// Returns (lot id, units wasted) for every usable lot with an expiry.
pub fn projected_waste(
    lots: &[super::fefo::LotStock],
    daily_use_milli: i64,
    today: NaiveDate,
) -> Vec<(i64, i64)> {
    let mut consumed: i128 = 0; // units used up to now by earlier lots
    let mut out = Vec::new();
    for lot in super::fefo::fefo_order(lots, today) {
        let Some(expiry) = lot.expiry else {
            continue; // never expires; later lots are the same
        };
        // Units the place can use from today to the end of the expiry day.
        let days = ((expiry - today).num_days() + 1).max(0) as i128;
        let usable_by_expiry = (daily_use_milli.max(0) as i128 * days) / 1000;
        let used = (usable_by_expiry - consumed).clamp(0, lot.qty as i128);
        consumed += used;
        out.push((lot.lot_id, lot.qty - used as i64));
    }
    out
}

/// Waste warnings of one item at one place (see [`projected_waste`]), for
/// lots expiring within `horizon` days.
pub fn waste_alerts(
    place_id: i64,
    item_id: i64,
    lots: &[super::fefo::LotStock],
    unit_price_cents: i64,
    daily_use_milli: i64,
    today: NaiveDate,
    horizon_days: i64,
) -> Vec<Alert> {
    projected_waste(lots, daily_use_milli, today)
        .into_iter()
        .filter(|(_, w)| *w > 0)
        .filter_map(|(lot_id, units)| {
            let lot = lots.iter().find(|l| l.lot_id == lot_id)?;
            let days_left = (lot.expiry? - today).num_days();
            (days_left <= horizon_days).then(|| Alert {
                severity: if days_left <= 30 {
                    Severity::High
                } else {
                    Severity::Medium
                },
                kind: AlertKind::ExpiryWaste { units, days_left },
                place_id,
                item_id,
                lot_id: Some(lot_id),
                qty: lot.qty,
                value_cents: units * unit_price_cents,
                safety_stock: 0,
                max_stock: 0,
            })
        })
        .collect()
}

/// Safety stock and maximum from a rate of use (thousandths of a unit a
/// day) and days of cover, rounded up to whole units; the maximum is at
/// least the safety stock.
pub fn levels_from_use(daily_use_milli: i64, safety_days: i64, max_days: i64) -> (i64, i64) {
    let cover =
        |days: i64| ((daily_use_milli.max(0) as i128 * days.max(0) as i128 + 999) / 1000) as i64;
    let safety = cover(safety_days);
    (safety, cover(max_days).max(safety))
}

/// Sorts warnings worst first: severity, then the soonest expiry, then the most money.
pub fn sort_worst_first(list: &mut [Alert]) {
    list.sort_by_key(|a| {
        let days = match a.kind {
            AlertKind::Expiring { days_left, .. } | AlertKind::ExpiryWaste { days_left, .. } => {
                days_left
            }
            _ => 0,
        };
        (
            a.severity,
            days,
            std::cmp::Reverse(a.value_cents),
            a.place_id,
            a.item_id,
            a.lot_id,
        )
    });
}

/// As [`build`], with the usable stock per (place, item) already summed
/// (by the store), so `balances` need only hold the lots that may warn.
pub fn build_with_usable(
    balances: &[LotBalance],
    policies: &[LevelPolicy],
    usable: &HashMap<(i64, i64), i64>,
    today: NaiveDate,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for b in balances.iter().filter(|b| b.qty > 0) {
        if let Some((severity, kind)) = lot_alert(b, today, cfg) {
            out.push(Alert {
                severity,
                kind,
                place_id: b.place_id,
                item_id: b.item_id,
                lot_id: Some(b.lot_id),
                qty: b.qty,
                value_cents: b.qty * b.unit_price_cents,
                safety_stock: 0,
                max_stock: 0,
            });
        }
    }
    for p in policies {
        let on_hand = usable.get(&(p.place_id, p.item_id)).copied().unwrap_or(0);
        let level = if on_hand <= 0 && p.safety_stock > 0 {
            Some((Severity::Critical, AlertKind::OutOfStock))
        } else if on_hand <= p.safety_stock {
            Some((Severity::High, AlertKind::BelowSafetyStock))
        } else if on_hand * 100 < p.safety_stock * cfg.attention_percent {
            Some((Severity::Medium, AlertKind::Attention))
        } else if p.max_stock > 0 && on_hand > p.max_stock {
            Some((Severity::Low, AlertKind::AboveMaximum))
        } else {
            None
        };
        if let Some((severity, kind)) = level {
            out.push(Alert {
                severity,
                kind,
                place_id: p.place_id,
                item_id: p.item_id,
                lot_id: None,
                qty: on_hand,
                value_cents: 0,
                safety_stock: p.safety_stock,
                max_stock: p.max_stock,
            });
        }
    }
    sort_worst_first(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn bal(lot: i64, expiry: &str, status: LotStatus, qty: i64) -> LotBalance {
        LotBalance {
            place_id: 1,
            item_id: 7,
            lot_id: lot,
            expiry: Some(d(expiry)),
            status,
            qty,
            unit_price_cents: 100,
        }
    }

    #[test]
    fn expiry_tiers_and_statuses_worst_first() {
        let today = d("2026-11-22");
        let balances = vec![
            bal(1, "2027-02-10", LotStatus::Ok, 5), // 80 days: tier 90
            bal(2, "2026-11-21", LotStatus::Ok, 3), // expired yesterday
            bal(3, "2026-12-10", LotStatus::Ok, 2), // 18 days: tier 30
            bal(4, "2027-12-31", LotStatus::Recalled, 1),
            bal(5, "2026-11-22", LotStatus::Ok, 0), // empty: no alert
            bal(6, "2027-06-01", LotStatus::Ok, 9), // far: no alert
            bal(7, "2027-01-10", LotStatus::Quarantined, 4),
        ];
        let alerts = build(&balances, &[], today, &AlertConfig::default());
        let got: Vec<(Option<i64>, Severity, AlertKind)> = alerts
            .iter()
            .map(|a| (a.lot_id, a.severity, a.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(2), Severity::Critical, AlertKind::Expired),
                (Some(4), Severity::Critical, AlertKind::Recalled),
                // A quarantine needs a decision now; it comes before expiry.
                (Some(7), Severity::High, AlertKind::Quarantined),
                (
                    Some(3),
                    Severity::High,
                    AlertKind::Expiring {
                        days_left: 18,
                        tier_days: 30
                    }
                ),
                (
                    Some(1),
                    Severity::Low,
                    AlertKind::Expiring {
                        days_left: 80,
                        tier_days: 90
                    }
                ),
            ]
        );
        assert_eq!(alerts[0].value_cents, 300);
    }

    #[test]
    fn levels_count_only_usable_stock() {
        let today = d("2026-11-22");
        let policy = |ss, max| LevelPolicy {
            place_id: 1,
            item_id: 7,
            safety_stock: ss,
            max_stock: max,
        };
        let kinds = |balances: &[LotBalance], p: LevelPolicy| -> Vec<AlertKind> {
            build(balances, &[p], today, &AlertConfig::default())
                .into_iter()
                .filter(|a| a.lot_id.is_none())
                .map(|a| a.kind)
                .collect()
        };
        // Example of the domain brief: safety stock 100, attention at 120.
        let stock = |q| {
            vec![
                bal(1, "2027-06-01", LotStatus::Ok, q),
                bal(2, "2026-01-01", LotStatus::Ok, 500),
            ]
        };
        assert_eq!(
            kinds(&stock(0), policy(100, 0)),
            vec![AlertKind::OutOfStock]
        );
        assert_eq!(
            kinds(&stock(99), policy(100, 0)),
            vec![AlertKind::BelowSafetyStock]
        );
        assert_eq!(
            kinds(&stock(100), policy(100, 0)),
            vec![AlertKind::BelowSafetyStock],
            "at the safety stock is low"
        );
        assert_eq!(
            kinds(&stock(119), policy(100, 0)),
            vec![AlertKind::Attention]
        );
        assert_eq!(kinds(&stock(120), policy(100, 0)), Vec::<AlertKind>::new());
        assert_eq!(
            kinds(&stock(301), policy(100, 300)),
            vec![AlertKind::AboveMaximum]
        );
    }

    fn stock(id: i64, expiry: Option<NaiveDate>, qty: i64) -> crate::domain::fefo::LotStock {
        crate::domain::fefo::LotStock {
            lot_id: id,
            expiry,
            received_seq: id,
            status: LotStatus::Ok,
            qty,
        }
    }

    #[test]
    fn projected_waste_takes_lots_fefo_at_the_current_rate() {
        let today = d("2026-11-22");
        let lots = vec![
            stock(2, Some(d("2026-12-01")), 20), // usable 10 days, after lot 1
            stock(1, Some(d("2026-11-26")), 10), // usable 5 days
            stock(3, None, 50),                  // never expires
        ];
        // 2 units a day: lot 1 is used up in 5 days, lot 2 gets 5 more days: 10 of 20 wasted.
        assert_eq!(projected_waste(&lots, 2_000, today), vec![(1, 0), (2, 10)]);
        // Nothing used: everything that expires is wasted.
        assert_eq!(projected_waste(&lots, 0, today), vec![(1, 10), (2, 20)]);
        // Half a unit a day (thousandths): 2 of lot 1 used, 3 more of lot 2 (floor of 5 by day 10 minus 2).
        assert_eq!(projected_waste(&lots, 500, today), vec![(1, 8), (2, 17)]);
        let alerts = waste_alerts(7, 9, &lots, 150, 2_000, today, 90);
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            alerts[0].kind,
            AlertKind::ExpiryWaste {
                units: 10,
                days_left: 9
            }
        );
        assert_eq!(alerts[0].value_cents, 1500);
        assert_eq!(alerts[0].severity, Severity::High);
    }

    #[test]
    fn high_value_stock_is_warned_180_days_ahead() {
        let today = d("2026-11-22");
        let mut b = bal(1, "2027-04-01", LotStatus::Ok, 3); // 130 days
        assert!(
            build(
                std::slice::from_ref(&b),
                &[],
                today,
                &AlertConfig::default()
            )
            .is_empty()
        );
        b.unit_price_cents = 30_000;
        let a = build(&[b], &[], today, &AlertConfig::default());
        assert_eq!(
            a[0].kind,
            AlertKind::Expiring {
                days_left: 130,
                tier_days: 180
            }
        );
    }

    proptest::proptest! {
        #[test]
        fn projected_waste_properties(
            lots in proptest::collection::vec((proptest::option::of(0i64..200), 1i64..100), 0..8),
            rate in 0i64..50_000,
            more in 0i64..50_000,
        ) {
            let today = d("2026-11-22");
            let lots: Vec<_> = lots.iter().enumerate()
                .map(|(i, (e, q))| stock(i as i64, e.map(|e| today + chrono::Days::new(e as u64)), *q))
                .collect();
            let w = projected_waste(&lots, rate, today);
            let total = |w: &[(i64, i64)]| w.iter().map(|x| x.1).sum::<i64>();
            for (id, waste) in &w {
                let lot = lots.iter().find(|l| l.lot_id == *id).unwrap();
                proptest::prop_assert!(*waste >= 0 && *waste <= lot.qty);
                proptest::prop_assert!(lot.expiry.is_some());
            }
            // Using faster never wastes more.
            proptest::prop_assert!(total(&projected_waste(&lots, rate + more, today)) <= total(&w));
            // What is used fits in the days available at the rate.
            let used: i64 = w.iter().map(|(id, waste)| lots.iter().find(|l| l.lot_id == *id).unwrap().qty - waste).sum();
            let last = lots.iter().filter_map(|l| l.expiry).max().map_or(0, |e| (e - today).num_days() + 1);
            proptest::prop_assert!(used as i128 <= rate as i128 * last as i128 / 1000);
        }
    }

    #[test]
    fn levels_from_days_of_cover() {
        // 2.5 units a day: 3 days → 7.5 → 8; 10 days → 25.
        assert_eq!(levels_from_use(2_500, 3, 10), (8, 25));
        assert_eq!(levels_from_use(0, 3, 10), (0, 0));
        assert_eq!(
            levels_from_use(1_000, 5, 2),
            (5, 5),
            "the maximum is never under the safety stock"
        );
    }
}
