//! The policy simulation of the paper's case study (domain.md §4): one ward
//! and the central pharmacy, hour by hour, under two policies fed the same
//! random demand, costed with the paper's cost function (eq. 6).
//!
//! - **AS IS**: every `R` days (3 by default) the nurse manager orders up to
//!   the ward's par levels, and the pharmacy orders from its suppliers up to
//!   its own. Par level = `mean·(R + L) + z·sd·√(R + L)`, `z` the normal
//!   quantile of the service target (98 %), `L` the lead time in days
//!   (ward: the 1-hour transport; pharmacy: the 1-day supplier lead time),
//!   mean and sd of daily demand estimated from a consumption history drawn
//!   from the same distribution. Safety stock sits on the ward and in the
//!   pharmacy.
//! - **TO BE**: every day the product's MRP engine ([`crate::planning::mrp`])
//!   plans the ward and the pharmacy with hourly buckets from the doses known
//!   from prescriptions (today's and the next `known_ahead_days`), a forecast
//!   of the unplanned part (urgent and PRN doses, 20 % by default; its mean
//!   from the history, spread over the hours) and, beyond the known days, a
//!   forecast of the doses not yet prescribed (at the rounds); a small safety
//!   stock covers the unplanned part only (`z·sd_unplanned·√(1 + L)`). The
//!   ward orders and supplier orders due before the next day's run are
//!   released: one ward delivery a day.
//!
//! Both policies: orders in whole packs; a dose the ward lacks comes at once
//! by an urgent delivery (a stock-out, costed as shortage); a delivery the
//! pharmacy cannot make is bought urgently (also shortage). Service is
//! measured the same way for both: the fill rate (units met from ward stock)
//! and the cycle service level (share of days without a stock-out on the
//! ward). Expiry is not modelled.
//!
//! Each replication draws its own history and demand path from the seed
//! (ChaCha8, one stream per replication and purpose), so a run is
//! reproducible and the two policies differ only by policy. Results are
//! means over the replications with 95 % confidence intervals; the saving is
//! the paired difference.
//!
//! The scenario ([`Scenario`]) holds every parameter; the built-in one is
//! `assets/scenarios/paper.toml`, whose comments state each assumption. A
//! scenario built in code (e.g. from the database's formulary) is simulated
//! the same way: start from [`Scenario::paper`] and replace the drugs.

mod demand;
mod engine;
mod result;
mod scenario;
mod stats;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use engine::DrugLevels;
pub use result::{
    AverageStock, Costs, DrugMetrics, DrugSaving, DrugSeries, Metrics, PolicyResult,
    ReplicationTotals, Saving, Series, SimResult, StockSeries,
};
pub use scenario::{
    AsIs, CostRates, DemandModel, Drug, MAX_CV, PAPER_TOML, Scenario, ScenarioError, Timing, ToBe,
};
pub use stats::{Estimate, inverse_normal, t_quantile_975};

use demand::{DemandPath, HOURS, Sampler};
use engine::{PolicyKind, Run};

/// Default days of analysis (the paper's 90).
pub const DEFAULT_DAYS: usize = 90;
/// Default number of replications.
pub const DEFAULT_REPLICATIONS: usize = 30;
/// Default seed.
pub const DEFAULT_SEED: u64 = 42;

/// How long and how often to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Days of analysis after the scenario's warm-up (at least 1).
    pub days: usize,
    /// Independent replications (at least 1; 2 or more for intervals).
    pub replications: usize,
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            days: DEFAULT_DAYS,
            replications: DEFAULT_REPLICATIONS,
            seed: DEFAULT_SEED,
        }
    }
}

/// Simulates both policies over `options.replications` demand paths and
/// reports them. `progress(done, total)` is called with `done = 0` first and
/// after each replication. Pure and deterministic for a seed.
///
/// Expects a scenario that passed [`Scenario::validate`] (the readers
/// validate); an unvalidated one runs without panicking, with out-of-range
/// values taken at the nearest sensible value, but its results mean little.
pub fn simulate(
    scenario: &Scenario,
    options: &SimOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> SimResult {
    let days = options.days.max(1);
    let replications = options.replications.max(1);
    let z = inverse_normal(scenario.service_level.clamp(0.5, 0.999_999));
    let samplers: Vec<Sampler> = scenario
        .drugs
        .iter()
        .map(|d| Sampler::new(d.mean_daily, d.cv))
        .collect();
    let warmup_days = scenario.timing.warmup_days as usize;
    let history_days = (scenario.timing.history_days as usize).max(2);
    // The path runs past the last day so that the last plans see ahead.
    let path_days = warmup_days + days + engine::horizon_hours(scenario).div_ceil(HOURS) + 1;
    let share = scenario.demand.unplanned_share;

    let mut as_is = Vec::with_capacity(replications);
    let mut to_be = Vec::with_capacity(replications);
    let mut first_levels = Vec::new();
    progress(0, replications);
    for r in 0..replications {
        let stream = |purpose: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(2 * r as u64 + purpose);
            rng
        };
        let stats = demand::history(&samplers, share, history_days, &mut stream(0));
        let levels = engine::levels(scenario, &stats, z);
        let path = DemandPath::generate(scenario, &samplers, path_days, &mut stream(1));
        debug_assert_eq!(path.days(), path_days);
        let run = Run {
            scenario,
            levels: &levels,
            path: &path,
            warmup_days,
            days,
            record: r == 0,
        };
        as_is.push(engine::run(&run, PolicyKind::AsIs));
        to_be.push(engine::run(&run, PolicyKind::ToBe));
        if r == 0 {
            first_levels = levels;
        }
        progress(r + 1, replications);
    }
    result::build(
        scenario,
        result::Collected {
            as_is,
            to_be,
            levels: first_levels,
            z,
            days,
            seed: options.seed,
        },
    )
}
