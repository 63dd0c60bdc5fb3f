//! The ward's demand: one path per replication, drawn once and fed to both
//! policies (common random numbers), and the consumption history behind the
//! par levels and safety stocks.
//!
//! Daily demand of a drug with mean `m` and coefficient of variation `c` is
//! a negative binomial drawn as a gamma-distributed daily rate with Poisson
//! counts: rate ~ Gamma(shape k, scale m/k), count ~ Poisson(rate), with
//! `k = m² / (c²m² − m)` so that the count has mean `m` and variance
//! `(c·m)²`. When `c²m² ≤ m` the Poisson counts alone are already as variable
//! as asked, and the count is Poisson(m); when `c = 0` the demand is the same
//! every day (`m` spread over the days so that it averages exactly `m`).
//!
//! Each unit of a day's demand is unplanned (not known from prescriptions
//! ahead of time) with probability `unplanned_share`, independently. Planned
//! units are given at the administration rounds, spread evenly (a remainder
//! to the earlier rounds); unplanned units fall at uniformly random hours.

use rand::Rng;
use rand_distr::{Binomial, Distribution, Gamma, Poisson};

use super::scenario::Scenario;
use super::stats::mean_sd;

pub(super) const HOURS: usize = 24;

/// Draws one drug's daily demand.
#[derive(Debug, Clone)]
pub(super) enum Sampler {
    /// The same demand every day (on average exactly `mean`).
    Fixed(f64),
    Poisson(f64),
    GammaPoisson(Gamma<f64>),
}

impl Sampler {
    pub(super) fn new(mean: f64, cv: f64) -> Sampler {
        let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
        let cv = if cv.is_finite() { cv.max(0.0) } else { 0.0 };
        if mean == 0.0 || cv == 0.0 {
            return Sampler::Fixed(mean);
        }
        let excess = cv * cv * mean * mean - mean;
        if excess <= 0.0 {
            return Sampler::Poisson(mean);
        }
        let shape = mean * mean / excess;
        match Gamma::new(shape, mean / shape) {
            Ok(g) => Sampler::GammaPoisson(g),
            Err(_) => Sampler::Poisson(mean),
        }
    }

    /// Demand of day number `day` (the day number matters only for `Fixed`).
    pub(super) fn draw<R: Rng + ?Sized>(&self, day: u64, rng: &mut R) -> u64 {
        match self {
            Sampler::Fixed(m) => {
                let cum = |d: u64| (d as f64 * m).floor();
                (cum(day + 1) - cum(day)).max(0.0) as u64
            }
            Sampler::Poisson(m) => poisson(*m, rng),
            Sampler::GammaPoisson(g) => {
                let rate = g.sample(rng);
                poisson(rate, rng)
            }
        }
    }
}

fn poisson<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> u64 {
    if rate.is_nan() || rate <= 0.0 {
        return 0;
    }
    match Poisson::new(rate) {
        Ok(p) => p.sample(rng) as u64,
        // Beyond the sampler's range (about 1.8e19): the rate itself.
        Err(_) => rate.min(u32::MAX as f64) as u64,
    }
}

/// Splits `n` units into (planned, unplanned).
fn split<R: Rng + ?Sized>(n: u64, unplanned_share: f64, rng: &mut R) -> (u64, u64) {
    if n == 0 || unplanned_share.is_nan() || unplanned_share <= 0.0 {
        return (n, 0);
    }
    let u = Binomial::new(n, unplanned_share.min(1.0)).map_or(0, |b| b.sample(rng));
    (n - u, u)
}

/// Hourly demand of every drug over a run of days.
#[derive(Debug, Clone)]
pub(super) struct DemandPath {
    drugs: usize,
    days: usize,
    /// Known doses, by `(day · drugs + drug) · 24 + hour`.
    planned: Vec<u32>,
    /// Unplanned units, same layout.
    unplanned: Vec<u32>,
}

impl DemandPath {
    pub(super) fn generate<R: Rng + ?Sized>(
        scenario: &Scenario,
        samplers: &[Sampler],
        days: usize,
        rng: &mut R,
    ) -> DemandPath {
        let drugs = samplers.len();
        let mut rounds: Vec<usize> = scenario
            .timing
            .administration_hours
            .iter()
            .map(|&h| (h as usize).min(HOURS - 1))
            .collect();
        rounds.sort_unstable();
        if rounds.is_empty() {
            rounds.push(0);
        }
        let share = scenario.demand.unplanned_share;
        let mut planned = vec![0u32; days * drugs * HOURS];
        let mut unplanned = vec![0u32; days * drugs * HOURS];
        for day in 0..days {
            for (f, sampler) in samplers.iter().enumerate() {
                let base = (day * drugs + f) * HOURS;
                let total = sampler.draw(day as u64, rng);
                let (p, u) = split(total, share, rng);
                let n = rounds.len() as u64;
                let (each, extra) = (p / n, p % n);
                for (i, &h) in rounds.iter().enumerate() {
                    let q = each + u64::from((i as u64) < extra);
                    let cell = &mut planned[base + h];
                    *cell = cell.saturating_add(sat32(q));
                }
                // Uniform hours: a multinomial drawn as successive binomials.
                let mut left = u;
                for h in 0..HOURS {
                    if left == 0 {
                        break;
                    }
                    let x = if h == HOURS - 1 {
                        left
                    } else {
                        Binomial::new(left, 1.0 / (HOURS - h) as f64).map_or(0, |b| b.sample(rng))
                    };
                    unplanned[base + h] = sat32(x);
                    left -= x;
                }
            }
        }
        DemandPath {
            drugs,
            days,
            planned,
            unplanned,
        }
    }

    /// Number of days in the path.
    pub(super) fn days(&self) -> usize {
        self.days
    }

    fn at(&self, day: usize, drug: usize, hour: usize) -> usize {
        (day * self.drugs + drug) * HOURS + hour
    }

    /// Known doses of `drug` in `hour` of `day` (0 beyond the path).
    pub(super) fn planned(&self, day: usize, drug: usize, hour: usize) -> u64 {
        if day >= self.days {
            return 0;
        }
        u64::from(self.planned[self.at(day, drug, hour)])
    }

    /// All demand of `drug` in `hour` of `day` (0 beyond the path).
    pub(super) fn total(&self, day: usize, drug: usize, hour: usize) -> u64 {
        if day >= self.days {
            return 0;
        }
        let i = self.at(day, drug, hour);
        u64::from(self.planned[i]) + u64::from(self.unplanned[i])
    }
}

fn sat32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// What the history says about one drug's daily demand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HistoryStats {
    pub mean: f64,
    pub sd: f64,
    pub mean_unplanned: f64,
    pub sd_unplanned: f64,
}

/// Past consumption of `days` days drawn from the same distribution, and its
/// daily mean and standard deviation, in total and for the unplanned part.
pub(super) fn history<R: Rng + ?Sized>(
    samplers: &[Sampler],
    unplanned_share: f64,
    days: usize,
    rng: &mut R,
) -> Vec<HistoryStats> {
    let mut totals = vec![0.0; days];
    let mut unplanned = vec![0.0; days];
    samplers
        .iter()
        .map(|sampler| {
            for d in 0..days {
                let n = sampler.draw(d as u64, rng);
                let (_, u) = split(n, unplanned_share, rng);
                totals[d] = n as f64;
                unplanned[d] = u as f64;
            }
            let (mean, sd) = mean_sd(&totals);
            let (mean_unplanned, sd_unplanned) = mean_sd(&unplanned);
            HistoryStats {
                mean,
                sd,
                mean_unplanned,
                sd_unplanned,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(mean: f64, cv: f64, n: usize) -> (f64, f64) {
        let s = Sampler::new(mean, cv);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|d| s.draw(d as u64, &mut rng) as f64).collect();
        mean_sd(&xs)
    }

    #[test]
    fn daily_demand_has_the_asked_mean_and_cv() {
        for (mean, cv) in [
            (366.0, 0.7),
            (28.2, 0.8),
            (4.2, 3.0),
            (351.6, 1.8),
            (27.6, 0.5),
        ] {
            let (m, sd) = moments(mean, cv, 200_000);
            assert!((m / mean - 1.0).abs() < 0.03, "mean {mean}: {m}");
            assert!((sd / m / cv - 1.0).abs() < 0.06, "cv {cv}: {}", sd / m);
        }
    }

    #[test]
    fn no_variability_means_the_same_demand_every_day() {
        let s = Sampler::new(366.0, 0.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!((0..50).all(|d| s.draw(d, &mut rng) == 366));
        let s = Sampler::new(4.2, 0.0);
        let sum: u64 = (0..10).map(|d| s.draw(d, &mut rng)).sum();
        assert_eq!(sum, 42);
    }

    #[test]
    fn a_low_cv_falls_back_to_poisson() {
        // cv² m² = 0.01 < m = 1: Poisson(1), whose CV is 1.
        assert!(matches!(Sampler::new(1.0, 0.1), Sampler::Poisson(_)));
    }
}
