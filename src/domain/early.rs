//! Early warnings, before they become a stock-out: a ward's demand surging
//! above its usual use, a supplier that has started to deliver late or
//! short, and a critical item with one supplier only. Pure rules: the
//! store side reads the numbers (`ops::early`).

use serde::{Deserialize, Serialize};

/// The site's thresholds (`[early]` in the site's `config.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EarlySettings {
    /// A ward's requirement over the window above this percentage of its
    /// usual use over as many days is a surge (default 200: twice).
    pub surge_percent: i64,
    /// The days ahead the requirement is counted over (default 7).
    pub surge_days: i64,
    /// A requirement below this many units is never a surge (default 10).
    pub surge_min_units: i64,
    /// The supplier's last order lines judged (default 10).
    pub supplier_lines: i64,
    /// On time or in full below this percentage is a risk (default 80).
    pub supplier_min_percent: i64,
}

impl Default for EarlySettings {
    fn default() -> Self {
        EarlySettings {
            surge_percent: 200,
            surge_days: 7,
            surge_min_units: 10,
            supplier_lines: 10,
            supplier_min_percent: 80,
        }
    }
}

/// Fewer judged lines than this say nothing about a supplier yet.
pub const MIN_JUDGED_LINES: i64 = 3;

impl EarlySettings {
    /// Whether the values make sense; the words are the caller's.
    pub fn valid(&self) -> bool {
        self.surge_percent > 100
            && (1..=90).contains(&self.surge_days)
            && self.surge_min_units >= 0
            && (1..=1000).contains(&self.supplier_lines)
            && (1..=100).contains(&self.supplier_min_percent)
    }
}

/// A ward's demand over the window against its usual use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surge {
    /// Units required over the window.
    pub need: i64,
    /// Units used over as many days at the recent rate (rounded).
    pub usual: i64,
    /// The need as a percentage of the usual use (`None`: no use before).
    pub percent: Option<i64>,
}

/// `need` units required over `days` days against `rate_milli`
/// thousandths of a unit used a day recently: a surge when the need is at
/// least the minimum and above the site's percentage of the usual use (a
/// need where there was no use at all is a surge too).
pub fn surge(need: i64, rate_milli: i64, s: &EarlySettings) -> Option<Surge> {
    if need <= 0 || need < s.surge_min_units {
        return None;
    }
    let usual_milli = i128::from(rate_milli.max(0)) * i128::from(s.surge_days.max(1));
    // need / usual > percent / 100  ⇔  need · 100 000 > percent · usual_milli
    let above = i128::from(need) * 100_000 > i128::from(s.surge_percent) * usual_milli;
    if !above {
        return None;
    }
    let usual = ((usual_milli + 500) / 1000) as i64;
    let percent = (usual_milli > 0).then(|| (i128::from(need) * 100_000 / usual_milli) as i64);
    Some(Surge {
        need,
        usual,
        percent,
    })
}

/// How a supplier delivered its last order lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub lines: i64,
    pub on_time: i64,
    pub in_full: i64,
}

impl Delivery {
    pub fn on_time_percent(&self) -> i64 {
        percent(self.on_time, self.lines)
    }
    pub fn in_full_percent(&self) -> i64 {
        percent(self.in_full, self.lines)
    }
}

fn percent(n: i64, of: i64) -> i64 {
    if of <= 0 { 100 } else { n * 100 / of }
}

/// A supplier whose on-time or in-full rate over its last lines is below
/// the site's threshold (with enough lines judged to tell).
pub fn supplier_at_risk(d: &Delivery, s: &EarlySettings) -> bool {
    d.lines >= MIN_JUDGED_LINES.min(s.supplier_lines.max(1))
        && (d.on_time * 100 < s.supplier_min_percent * d.lines
            || d.in_full * 100 < s.supplier_min_percent * d.lines)
}

/// Why an item counts as critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Critical {
    /// The site's flag.
    Flagged,
    HighAlert,
    /// A prescription in force is time-critical.
    TimeCritical,
}

/// Critical for the first reason that holds.
pub fn critical(flagged: bool, high_alert: bool, time_critical: bool) -> Option<Critical> {
    if flagged {
        Some(Critical::Flagged)
    } else if high_alert {
        Some(Critical::HighAlert)
    } else if time_critical {
        Some(Critical::TimeCritical)
    } else {
        None
    }
}

/// A critical item with one supplier only is a risk (none at all is
/// another matter: it cannot be ordered).
pub fn single_supplier(critical: Option<Critical>, suppliers: i64) -> bool {
    critical.is_some() && suppliers == 1
}

/// At most `most` of the sources by name, and how many more there are.
pub fn name_some(sources: &[String], most: usize) -> (Vec<String>, usize) {
    let shown: Vec<String> = sources.iter().take(most).cloned().collect();
    (shown, sources.len().saturating_sub(most))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> EarlySettings {
        EarlySettings::default()
    }

    #[test]
    fn a_need_above_twice_the_usual_use_is_a_surge_and_at_it_is_not() {
        // 2 a day for 7 days: 14 usual.
        assert!(surge(28, 2000, &s()).is_none(), "exactly twice");
        let up = surge(29, 2000, &s()).expect("above twice");
        assert_eq!(up.usual, 14);
        assert_eq!(up.percent, Some(207));
        assert!(surge(14, 2000, &s()).is_none());
    }

    #[test]
    fn tiny_needs_are_never_a_surge_and_new_demand_is() {
        assert!(surge(9, 0, &s()).is_none());
        let new = surge(12, 0, &s()).expect("no use before");
        assert_eq!(new.percent, None);
        assert_eq!(new.usual, 0);
    }

    #[test]
    fn the_ratio_and_window_are_the_sites() {
        let loose = EarlySettings {
            surge_percent: 300,
            surge_days: 3,
            ..s()
        };
        // 5 a day for 3 days: 15 usual; 40 is 266 %.
        assert!(surge(40, 5000, &loose).is_none());
        assert!(surge(46, 5000, &loose).is_some());
    }

    #[test]
    fn a_supplier_below_the_threshold_on_time_or_in_full_is_at_risk() {
        let d = |lines, on_time, in_full| Delivery {
            lines,
            on_time,
            in_full,
        };
        assert!(!supplier_at_risk(&d(10, 8, 10), &s()), "80 % is not below");
        assert!(supplier_at_risk(&d(10, 7, 10), &s()));
        assert!(supplier_at_risk(&d(10, 10, 6), &s()));
        assert!(!supplier_at_risk(&d(2, 0, 0), &s()), "too few lines");
        assert_eq!(d(4, 1, 3).on_time_percent(), 25);
    }

    #[test]
    fn a_critical_item_with_one_supplier_is_a_risk() {
        assert!(single_supplier(critical(true, false, false), 1));
        assert!(single_supplier(critical(false, false, true), 1));
        assert!(!single_supplier(critical(false, true, false), 2));
        assert!(!single_supplier(critical(false, false, false), 1));
        assert!(!single_supplier(critical(true, false, false), 0));
    }

    #[test]
    fn sources_are_named_up_to_a_few() {
        let all: Vec<String> = (1..=5).map(|i| format!("RX-{i}")).collect();
        let (shown, more) = name_some(&all, 3);
        assert_eq!(shown, vec!["RX-1", "RX-2", "RX-3"]);
        assert_eq!(more, 2);
    }
}
