//! The scenario of a policy simulation: the ward's drugs, the hours of the
//! day, both policies' settings and every cost rate — read from a TOML (or
//! JSON) file or built in code. The built-in `paper` scenario is
//! `assets/scenarios/paper.toml`, whose comments state every assumption.
//!
//! Every field is required except `description` and a drug's `name`: a
//! hospital's file says what it assumes. A malformed file is reported with
//! the field's name (TOML and JSON errors also give the line), and values out
//! of range are refused by [`Scenario::validate`] with the field's path
//! (`drugs[3].cv must not be negative (got -1)`).

use serde::{Deserialize, Serialize};

use crate::planning::problem::{self, LotSizing, Problem, Rule};

/// The built-in scenario of the paper's case study.
pub const PAPER_TOML: &str = include_str!("../../../assets/scenarios/paper.toml");

/// Largest mean daily demand accepted for one drug (units of dose).
pub const MAX_MEAN_DAILY: f64 = 1_000_000.0;
/// Largest coefficient of variation accepted.
pub const MAX_CV: f64 = 20.0;
/// Largest number of drugs in one scenario.
pub const MAX_DRUGS: usize = 2_000;

/// A ward, its central pharmacy and the two policies to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, shown in reports (`paper`).
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Target cycle service level of both policies (0.98 for 98 %).
    pub service_level: f64,
    pub timing: Timing,
    pub demand: DemandModel,
    pub as_is: AsIs,
    pub to_be: ToBe,
    pub costs: CostRates,
    pub drugs: Vec<Drug>,
}

/// When things happen on the ward's clock (whole hours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// Hour of the daily review (AS IS, on review days) or MRP run (TO BE),
    /// with the pharmacy's picking and supplier ordering (0–23).
    pub review_hour: u32,
    /// Hours of the administration rounds at which known doses are given.
    pub administration_hours: Vec<u32>,
    /// Pharmacy-to-ward transport time.
    pub transport_hours: u32,
    /// Supplier lead time to the pharmacy.
    pub supplier_lead_hours: u32,
    /// Days simulated before the analysis and not counted.
    pub warmup_days: u32,
    /// Days of past consumption from which mean and deviation are estimated.
    pub history_days: u32,
}

/// How demand arises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandModel {
    /// Share of demand not known ahead from prescriptions (0–1).
    pub unplanned_share: f64,
    /// Days ahead the planned part is known at each planning time.
    pub known_ahead_days: u32,
}

/// The AS IS policy: periodic review to par levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsIs {
    /// Days between reviews (R).
    pub review_days: u32,
}

/// The TO BE policy: daily MRP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToBe {
    /// Lot sizing of ward orders (hourly buckets).
    pub ward_lot_sizing: LotSizing,
    /// Lot sizing of the pharmacy's supplier orders (hourly buckets).
    pub pharmacy_lot_sizing: LotSizing,
}

/// The rates of the cost function (paper, eq. 6), in euro.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRates {
    /// Ordering: per supplier order line.
    pub supplier_order_line: f64,
    /// Ordering: per ward-to-pharmacy order line.
    pub ward_order_line: f64,
    /// Distribution: per regular pharmacy-to-ward delivery.
    pub ward_delivery: f64,
    /// Shortage: per urgent delivery to the ward.
    pub urgent_delivery: f64,
    /// Shortage: per unit of ward demand not met from ward stock.
    pub unit_short: f64,
    /// Shortage: per urgent purchase line when the pharmacy lacks stock.
    pub urgent_purchase: f64,
    /// Holding: per day, per euro of average ward stock.
    pub ward_holding_daily_rate: f64,
    /// Holding: per day, per euro of average pharmacy stock.
    pub pharmacy_holding_daily_rate: f64,
}

/// One drug kept on the ward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// Mean daily demand, units of dose.
    pub mean_daily: f64,
    /// Coefficient of variation of the daily demand (0 = the same every day).
    pub cv: f64,
    /// Units of dose per pack; every order is whole packs.
    pub pack: u32,
    /// Price per unit of dose, euro.
    pub price: f64,
}

/// Why a scenario cannot be simulated.
/// The words are in `i18n::errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// Not TOML, or TOML of the wrong shape (the message names the field and
    /// shows the line).
    Toml(String),
    /// Not JSON, or JSON of the wrong shape.
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    /// A value out of range; `path` names the field (`drugs[2].pack`).
    Invalid { path: String, rule: Rule },
}

impl ScenarioError {
    fn invalid(path: impl Into<String>, rule: Rule) -> Self {
        ScenarioError::Invalid {
            path: path.into(),
            rule,
        }
    }

    /// The field a validation error is about, if it is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ScenarioError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl Scenario {
    /// The paper's case study (`assets/scenarios/paper.toml`).
    pub fn paper() -> Result<Scenario, ScenarioError> {
        Scenario::from_toml(PAPER_TOML)
    }

    /// Reads and validates a scenario in TOML.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::Toml(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Reads and validates a scenario in JSON (same fields as the TOML).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let full = e.to_string();
            let suffix = format!(" at line {line} column {column}");
            ScenarioError::Json {
                message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
                line,
                column,
            }
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Reads a scenario file's text: JSON when it starts with `{`, TOML
    /// otherwise.
    pub fn from_text(text: &str) -> Result<Scenario, ScenarioError> {
        if text.trim_start().starts_with('{') {
            Scenario::from_json(text)
        } else {
            Scenario::from_toml(text)
        }
    }

    /// Checks every value the simulation relies on; the error names the
    /// field. [`super::simulate`] runs a scenario that fails this without
    /// panicking, but its results then mean little.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::invalid("name", Rule::Empty));
        }
        if !(self.service_level >= 0.5 && self.service_level < 1.0) {
            return Err(ScenarioError::invalid(
                "service_level",
                Rule::FromBelow {
                    lo: "0.5".into(),
                    hi: "1".into(),
                    got: self.service_level.to_string(),
                },
            ));
        }
        let t = &self.timing;
        uint("timing.review_hour", t.review_hour, 0, 23)?;
        if t.administration_hours.is_empty() {
            return Err(ScenarioError::invalid(
                "timing.administration_hours",
                Rule::NoneListed,
            ));
        }
        for (i, &h) in t.administration_hours.iter().enumerate() {
            uint(&format!("timing.administration_hours[{i}]"), h, 0, 23)?;
        }
        uint("timing.transport_hours", t.transport_hours, 0, 24 * 7)?;
        uint(
            "timing.supplier_lead_hours",
            t.supplier_lead_hours,
            0,
            24 * 60,
        )?;
        uint("timing.warmup_days", t.warmup_days, 0, 3_650)?;
        uint("timing.history_days", t.history_days, 2, 36_500)?;
        let d = &self.demand;
        fraction("demand.unplanned_share", d.unplanned_share)?;
        uint("demand.known_ahead_days", d.known_ahead_days, 0, 60)?;
        uint("as_is.review_days", self.as_is.review_days, 1, 365)?;
        lot_sizing("to_be.ward_lot_sizing", &self.to_be.ward_lot_sizing)?;
        lot_sizing("to_be.pharmacy_lot_sizing", &self.to_be.pharmacy_lot_sizing)?;
        let c = &self.costs;
        for (field, v) in [
            ("supplier_order_line", c.supplier_order_line),
            ("ward_order_line", c.ward_order_line),
            ("ward_delivery", c.ward_delivery),
            ("urgent_delivery", c.urgent_delivery),
            ("unit_short", c.unit_short),
            ("urgent_purchase", c.urgent_purchase),
        ] {
            money(&format!("costs.{field}"), v)?;
        }
        fraction("costs.ward_holding_daily_rate", c.ward_holding_daily_rate)?;
        fraction(
            "costs.pharmacy_holding_daily_rate",
            c.pharmacy_holding_daily_rate,
        )?;
        if self.drugs.is_empty() {
            return Err(ScenarioError::invalid("drugs", Rule::NoneListed));
        }
        if self.drugs.len() > MAX_DRUGS {
            return Err(ScenarioError::invalid(
                "drugs",
                Rule::TooMany {
                    max: MAX_DRUGS,
                    got: self.drugs.len(),
                },
            ));
        }
        let mut seen = std::collections::HashMap::with_capacity(self.drugs.len());
        for (i, drug) in self.drugs.iter().enumerate() {
            let at = |f: &str| format!("drugs[{i}].{f}");
            if drug.code.trim().is_empty() {
                return Err(ScenarioError::invalid(at("code"), Rule::Empty));
            }
            if let Some(first) = seen.insert(drug.code.as_str(), i) {
                return Err(ScenarioError::invalid(
                    at("code"),
                    Rule::Repeats {
                        what: drug.code.clone(),
                        first: format!("drugs[{first}]"),
                    },
                ));
            }
            real(&at("mean_daily"), drug.mean_daily, MAX_MEAN_DAILY)?;
            real(&at("cv"), drug.cv, MAX_CV)?;
            uint(&at("pack"), drug.pack, 1, 1_000_000)?;
            money(&at("price"), drug.price)?;
        }
        Ok(())
    }
}

fn uint(path: &str, v: u32, lo: u32, hi: u32) -> Result<(), ScenarioError> {
    if v < lo {
        Err(ScenarioError::invalid(
            path,
            Rule::AtLeast {
                lo: lo.to_string(),
                got: v.to_string(),
            },
        ))
    } else if v > hi {
        Err(ScenarioError::invalid(
            path,
            Rule::AtMost {
                hi: hi.to_string(),
                got: v.to_string(),
            },
        ))
    } else {
        Ok(())
    }
}

/// A finite number from 0 to `hi`.
fn real(path: &str, v: f64, hi: f64) -> Result<(), ScenarioError> {
    if !v.is_finite() {
        Err(ScenarioError::invalid(
            path,
            Rule::NotANumber { got: v.to_string() },
        ))
    } else if v < 0.0 {
        Err(ScenarioError::invalid(
            path,
            Rule::NotNegative { got: v.to_string() },
        ))
    } else if v > hi {
        Err(ScenarioError::invalid(
            path,
            Rule::AtMost {
                hi: hi.to_string(),
                got: v.to_string(),
            },
        ))
    } else {
        Ok(())
    }
}

fn money(path: &str, v: f64) -> Result<(), ScenarioError> {
    real(path, v, 1e9)
}

fn fraction(path: &str, v: f64) -> Result<(), ScenarioError> {
    real(path, v, 1.0)
}

/// Checks a lot-sizing rule with the MRP engine's own rules, reporting the
/// scenario's field.
fn lot_sizing(path: &str, rule: &LotSizing) -> Result<(), ScenarioError> {
    let probe = Problem {
        start: None,
        bucket_hours: 1,
        buckets: 1,
        pharmacy: "P".into(),
        items: vec![problem::Item {
            code: "I".into(),
            pack_size: 1,
            supplier_lead_buckets: 0,
        }],
        places: vec![problem::Place {
            code: "P".into(),
            transport_buckets: 0,
        }],
        policies: vec![problem::Policy {
            place: "P".into(),
            item: "I".into(),
            safety_stock: 0,
            min_order: 0,
            lot_sizing: rule.clone(),
        }],
        stock: vec![],
        scheduled_receipts: vec![],
        requirements: vec![],
    };
    probe.validate().map_err(|e| match e {
        problem::ProblemError::Invalid { path: p, rule } => ScenarioError::Invalid {
            path: p.replacen("policies[0].lot_sizing", path, 1),
            rule,
        },
        other => ScenarioError::invalid(
            path,
            Rule::Shape {
                message: other.to_string(),
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_scenario_reads_and_validates() {
        let s = Scenario::paper().unwrap();
        assert_eq!(s.drugs.len(), 10);
        assert_eq!(s.drugs[3].cv, 3.0);
        assert_eq!(s.as_is.review_days, 3);
    }

    #[test]
    fn lot_sizing_errors_name_the_scenario_field() {
        let mut s = Scenario::paper().unwrap();
        s.to_be.pharmacy_lot_sizing = LotSizing::FixedQuantity { qty: 0 };
        let e = s.validate().unwrap_err();
        assert_eq!(e.path(), Some("to_be.pharmacy_lot_sizing.qty"));
    }
}
