//! The statistics the simulation needs: the inverse normal (for par levels
//! and safety stocks at a service target), Student's t quantile (for the
//! confidence intervals over replications) and the estimate of a mean.

use serde::Serialize;

/// The standard normal quantile Φ⁻¹(p), by Peter Acklam's rational
/// approximation (relative error below 1.15 × 10⁻⁹ over (0, 1)): a central
/// rational function for 0.02425 ≤ p ≤ 0.97575 and a tail one in
/// `sqrt(−2 ln p)` outside. `p` of 0 or 1 gives −∞ or +∞, anything else
/// outside [0, 1] NaN.
pub fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;

    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        f64::NAN
    } else if p == 0.0 {
        f64::NEG_INFINITY
    } else if p == 1.0 {
        f64::INFINITY
    } else if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

/// Student's t quantile at 0.975 (two-sided 95 %) for `df` degrees of
/// freedom: a table to four decimals for 1–30, and beyond it the
/// Cornish–Fisher expansion around the normal quantile to 1/df⁴ (error below
/// 10⁻⁴ there). `df` of 0 gives +∞ (no interval from one observation).
pub fn t_quantile_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => {
            let z = inverse_normal(0.975);
            let v = df as f64;
            let z2 = z * z;
            let g1 = (z2 + 1.0) * z / 4.0;
            let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
            let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
            let g4 =
                ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92_160.0;
            z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
        }
    }
}

/// A mean over the replications with its 95 % confidence interval
/// (`mean ± t(0.975, n − 1) · s / √n`). With a single replication there is
/// no interval and `low`/`high` are `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Estimate {
    /// The estimate from one value per replication.
    pub fn from_samples(xs: &[f64]) -> Estimate {
        let n = xs.len();
        if n == 0 {
            return Estimate {
                mean: 0.0,
                low: None,
                high: None,
            };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate {
                mean,
                low: None,
                high: None,
            };
        }
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let half = t_quantile_975(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean,
            low: Some(mean - half),
            high: Some(mean + half),
        }
    }

    /// Half the width of the interval (0 without one).
    pub fn half_width(&self) -> f64 {
        match (self.low, self.high) {
            (Some(l), Some(h)) => (h - l) / 2.0,
            _ => 0.0,
        }
    }
}

/// Sample mean and standard deviation (n − 1) of `xs`; 0 for what cannot be
/// estimated.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_is_symmetric_and_monotone() {
        for &p in &[1e-9, 1e-4, 0.01, 0.02425, 0.1, 0.3, 0.49] {
            let lo = inverse_normal(p);
            let hi = inverse_normal(1.0 - p);
            assert!((lo + hi).abs() < 1e-6 * hi.abs().max(1.0), "{p}");
        }
        let mut last = f64::NEG_INFINITY;
        for i in 1..1000 {
            let z = inverse_normal(i as f64 / 1000.0);
            assert!(z > last);
            last = z;
        }
        assert!(inverse_normal(1.5).is_nan());
    }

    #[test]
    fn t_quantile_joins_the_table_smoothly() {
        // Known values: t(0.975, 31) = 2.0395, t(0.975, 40) = 2.0211,
        // t(0.975, 120) = 1.9799.
        assert!(t_quantile_975(31) < t_quantile_975(30));
        assert!((t_quantile_975(31) - 2.0395).abs() < 1e-4);
        assert!((t_quantile_975(40) - 2.0211).abs() < 2e-4);
        assert!((t_quantile_975(120) - 1.9799).abs() < 1e-4);
    }

    #[test]
    fn an_estimate_covers_its_mean() {
        let e = Estimate::from_samples(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        // s = 1, t(2) = 4.3027, half width 4.3027 / sqrt(3).
        assert!((e.half_width() - 4.3027 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(Estimate::from_samples(&[5.0]).low, None);
    }
}
