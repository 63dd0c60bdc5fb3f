//! Core vocabulary: roles, storage classes, lot statuses, movement kinds.
//!
//! Quantities are integers in the item's dose unit (a tablet, an ampoule, a
//! glove); money is integer cents. Nothing here uses floating point.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 Serialize, Deserialize, Display, EnumString, AsRefStr,
                 IntoStaticStr, EnumIter)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
    };
}

text_enum!(
    /// What a signed-in user may do is decided by their role.
    Role { Nurse, NurseManager, Pharmacist, Storekeeper, Admin }
);

text_enum!(
    /// Where an item must be kept.
    StorageClass { Room, Cold, Frozen }
);

text_enum!(
    /// A lot's status; only `Ok` stock may be picked or given.
    LotStatus { Ok, Quarantined, Recalled }
);

text_enum!(
    /// A place is the central pharmacy, a ward, or the virtual place of
    /// goods on their way from the pharmacy to a ward.
    PlaceKind { Pharmacy, Ward, Transit }
);

text_enum!(
    /// Formulary entries are drugs or consumables.
    ItemKind { Drug, Consumable }
);

text_enum!(
    /// Every line of the stock ledger has one kind.
    ///
    /// The place columns of a movement say which balances it changes: units
    /// leave `from` and arrive at `to`; a missing side is outside the
    /// hospital's stock (a supplier, a patient, the waste bin).
    MovementKind {
        /// From a supplier into the pharmacy.
        Receipt,
        /// From one place to another.
        Transfer,
        /// Given to a patient at the bedside.
        Administration,
        /// Used on a ward for non-patient purposes (consumables).
        Issue,
        /// Disposed of: expired, damaged, contaminated.
        Waste,
        /// Sent back from a ward to the pharmacy.
        Return,
        /// A stocktake correction (either direction).
        Adjustment,
    }
);

impl MovementKind {
    pub fn label(self) -> &'static str {
        self.into()
    }
}

/// Instants are stored as UTC text with second precision.
pub fn instant_to_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an instant written by [`instant_to_text`] (or any RFC 3339 text).
pub fn instant_from_text(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// Dates (expiry, birth) are stored as `YYYY-MM-DD`. The stored form is
/// read directly (the warnings read tens of thousands); any other text as
/// chrono reads it.
pub fn date_from_text(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (number(&b[0..4]), number(&b[5..7]), number(&b[8..10]))
        {
            return i32::try_from(y)
                .ok()
                .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d));
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Money in cents shown as `12.34`.
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// A strength in thousandths shown without needless zeros: 500000 → "500", 1500 → "1.5".
/// Stock units that make an amount, rounded up: a 750 mg dose of 500 mg
/// tablets is 2. An item without a strength gives one unit per dose.
pub fn units_for(amount_milli: i64, strength_milli: i64) -> i64 {
    if strength_milli > 0 {
        (amount_milli + strength_milli - 1) / strength_milli
    } else {
        1
    }
}

pub fn milli_text(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let m = milli.unsigned_abs();
    let (whole, frac) = (m / 1000, m % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Reads a decimal amount as thousandths without floating point:
/// "500" → 500000, "2.5" → 2500, "0.125" → 125. More than three decimals,
/// signs and other characters are refused.
pub fn parse_milli(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 3 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().ok()?
    };
    w.checked_mul(1000)?.checked_add(f)
}

/// A number with thousands separators: 7,302,400.
pub fn thousands(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let negative = x < 0.0 && (grouped.chars().any(|c| c.is_ascii_digit() && c != '0'));
    format!("{}{grouped}{frac}", if negative { "-" } else { "" })
}

/// Whether a pharmaceutical form can be given by a route, so that a
/// generic prescription "paracetamol 1 g PO" allows tablets, not the
/// infusion. Routes are written as on the prescription (PO, IV, IV
/// infusion, SC, IM, PR, INH, TOP, eye); an unknown route accepts any form.
pub fn form_fits_route(form: &str, route: &str) -> bool {
    let form = form.to_ascii_lowercase();
    let route = route.trim().to_ascii_lowercase();
    let forms: &[&str] = match route.as_str() {
        "po" | "oral" | "ng" | "peg" => &[
            "tablet",
            "capsule",
            "oral solution",
            "oral suspension",
            "granules",
            "syrup",
        ],
        "iv" | "iv infusion" | "iv bolus" => &["injection", "infusion"],
        "sc" | "im" | "id" => &["injection"],
        "pr" => &["suppository", "enema"],
        "inh" | "neb" => &["inhaler", "nebuliser solution"],
        "top" | "topical" => &["cream", "ointment", "gel", "patch"],
        "td" => &["patch"],
        "eye" | "ophth" => &["eye drops", "eye ointment"],
        _ => return true,
    };
    forms.iter().any(|f| form == *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_for_a_dose_round_up() {
        assert_eq!(units_for(750_000, 500_000), 2);
        assert_eq!(units_for(1_000_000, 500_000), 2);
        assert_eq!(units_for(500_000, 500_000), 1);
        assert_eq!(units_for(40_000, 0), 1);
    }

    #[test]
    fn forms_fit_their_routes() {
        assert!(form_fits_route("tablet", "PO"));
        assert!(!form_fits_route("infusion", "PO"));
        assert!(form_fits_route("infusion", "IV infusion"));
        assert!(!form_fits_route("tablet", "IV"));
        assert!(form_fits_route("suppository", "PR"));
        assert!(form_fits_route("tablet", "sublingual-unknown"));
    }

    #[test]
    fn amounts_in_thousandths() {
        assert_eq!(parse_milli("500"), Some(500_000));
        assert_eq!(parse_milli("2.5"), Some(2_500));
        assert_eq!(parse_milli("0.125"), Some(125));
        assert_eq!(parse_milli(".5"), Some(500));
        assert_eq!(parse_milli("1.2345"), None);
        assert_eq!(parse_milli("-1"), None);
        assert_eq!(parse_milli("1e3"), None);
        assert_eq!(parse_milli(""), None);
        assert_eq!(parse_milli("99999999999999999999"), None);
    }

    #[test]
    fn text_forms() {
        assert_eq!(cents_text(1234), "12.34");
        assert_eq!(cents_text(-5), "-0.05");
        assert_eq!(milli_text(500_000), "500");
        assert_eq!(milli_text(1_500), "1.5");
        assert_eq!(milli_text(125), "0.125");
        assert_eq!("nurse_manager".parse::<Role>().unwrap(), Role::NurseManager);
        assert_eq!(MovementKind::Receipt.as_ref(), "receipt");
        let t = instant_from_text("2026-11-22T08:00:00Z").unwrap();
        assert_eq!(instant_to_text(t), "2026-11-22T08:00:00Z");
    }

    proptest::proptest! {
        /// The direct reading of a stored date agrees with chrono's, on any
        /// text of the stored shape and on dates written by the program.
        #[test]
        fn a_date_reads_as_chrono_reads_it(
            text in "[0-9+ -]{4}-[0-9 ]{2}-[0-9]{1,2}[0-9]?",
            days in -800_000i32..800_000,
        ) {
            let chrono_reads = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            proptest::prop_assert_eq!(date_from_text(&text), chrono_reads(&text));
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default();
            let written = date.format("%Y-%m-%d").to_string();
            proptest::prop_assert_eq!(date_from_text(&written), chrono_reads(&written));
        }
    }
}
