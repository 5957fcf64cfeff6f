//! How many occurrences a repeated node has: a spec's `length` and `empty` compiled into a
//! sampler over one record's random stream.
//!
//! `empty` is drawn first (one draw): with that probability the node has no occurrence.
//! Otherwise the length comes from the distribution (one draw, two for a normal
//! approximation of a large Poisson mean): fixed; uniform on an inclusive range; geometric
//! with mean `m` (success probability `p = 1 / (1 + m)`, `⌊ln U / ln(1 − p)⌋`, support 0, 1,
//! …); Poisson with mean λ (Knuth's product of uniforms up to λ = 30, above it a rounded
//! normal approximation, Devroye 1986, §X.3); Zipf on `1..=max` and explicit histograms by
//! inverse transform ([`Weighted`]). Every length is capped at [`MAX_LENGTH`] and at the
//! node's own cap (a map's key cardinality), so no record grows without bound.
//!
//! ```
//! use shred_gen::length_distribution::LengthDistribution;
//! use shred_gen::rng::{RecordRng, mix64};
//! use shred_gen::spec::LengthSpec;
//! let fixed = LengthDistribution::new(&LengthSpec::Fixed(3), 0.0).unwrap();
//! assert_eq!(fixed.sample(&mut RecordRng::new(mix64(1), 0)), 3);
//! assert_eq!(fixed.mean(), 3.0);
//! ```

use crate::rng::{RecordRng, threshold};
use crate::spec::LengthSpec;
use crate::weighted::Weighted;

/// The longest list any distribution produces.
pub const MAX_LENGTH: u32 = 1 << 20;

/// The compiled length distribution.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Fixed(u32),
    Uniform { min: u32, span: u64 },
    Geometric { log_q: f64 },
    PoissonSmall { exp_minus_mean: f64 },
    PoissonLarge { mean: f64 },
    Table { weights: Weighted, offset: u32 },
}

/// A length distribution with its empty probability and cap.
#[derive(Debug, Clone, PartialEq)]
pub struct LengthDistribution {
    empty: u64,
    empty_p: f64,
    shape: Shape,
    cap: u32,
    mean: f64,
}

impl LengthDistribution {
    /// Compiles `spec` with empty probability `empty`, or says what is wrong with it.
    pub fn new(spec: &LengthSpec, empty: f64) -> Result<Self, String> {
        if !(0.0..=1.0).contains(&empty) {
            return Err(format!("empty = {empty} is not a probability in [0, 1]"));
        }
        let too_long = |n: u32| {
            (n > MAX_LENGTH)
                .then(|| format!("length {n} is longer than the longest list ({MAX_LENGTH})"))
        };
        let positive_mean = |m: f64| {
            (!m.is_finite() || m < 0.0 || m > f64::from(MAX_LENGTH))
                .then(|| format!("mean {m} is not a number in [0, {MAX_LENGTH}]"))
        };
        let (shape, mean) = match *spec {
            LengthSpec::Fixed(n) => {
                if let Some(e) = too_long(n) {
                    return Err(e);
                }
                (Shape::Fixed(n), f64::from(n))
            }
            LengthSpec::Uniform([min, max]) => {
                if min > max {
                    return Err(format!(
                        "uniform [{min}, {max}]: the minimum exceeds the maximum"
                    ));
                }
                if let Some(e) = too_long(max) {
                    return Err(e);
                }
                let span = u64::from(max - min) + 1;
                (
                    Shape::Uniform { min, span },
                    (f64::from(min) + f64::from(max)) / 2.0,
                )
            }
            LengthSpec::Geometric(m) => {
                if let Some(e) = positive_mean(m) {
                    return Err(e);
                }
                let p = 1.0 / (1.0 + m);
                (
                    Shape::Geometric {
                        log_q: (1.0 - p).ln(),
                    },
                    m,
                )
            }
            LengthSpec::Poisson(m) => {
                if let Some(e) = positive_mean(m) {
                    return Err(e);
                }
                let shape = if m <= 30.0 {
                    Shape::PoissonSmall {
                        exp_minus_mean: (-m).exp(),
                    }
                } else {
                    Shape::PoissonLarge { mean: m }
                };
                (shape, m)
            }
            LengthSpec::Zipf { max, s } => {
                if max == 0 {
                    return Err("zipf: max must be at least 1".into());
                }
                if let Some(e) = too_long(max) {
                    return Err(e);
                }
                let weights = Weighted::zipf(max as usize, s).map_err(|e| format!("zipf: {e}"))?;
                let mean = (0..weights.len())
                    .map(|i| (i + 1) as f64 * weights.probability(i))
                    .sum();
                (Shape::Table { weights, offset: 1 }, mean)
            }
            LengthSpec::Histogram(ref shares) => {
                if shares.len() > MAX_LENGTH as usize + 1 {
                    return Err(format!(
                        "histogram: {} lengths, more than the longest list ({MAX_LENGTH})",
                        shares.len() - 1
                    ));
                }
                let weights = Weighted::new(shares).map_err(|e| format!("histogram: {e}"))?;
                let mean = (0..weights.len())
                    .map(|i| i as f64 * weights.probability(i))
                    .sum();
                (Shape::Table { weights, offset: 0 }, mean)
            }
        };
        Ok(LengthDistribution {
            empty: threshold(empty),
            empty_p: empty,
            shape,
            cap: MAX_LENGTH,
            mean,
        })
    }

    /// The same distribution with lengths capped at `cap` (a map cannot hold more entries
    /// than its keys have values).
    pub fn capped(mut self, cap: u32) -> Self {
        self.cap = self.cap.min(cap);
        self
    }

    /// The mean length when the node is not empty (before the cap).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The probability of no occurrence drawn before the distribution.
    pub fn empty(&self) -> f64 {
        self.empty_p
    }

    /// The length of one occurrence of the node.
    #[inline]
    pub fn sample(&self, rng: &mut RecordRng) -> u32 {
        if self.empty > 0 && rng.chance(self.empty) {
            return 0;
        }
        let n = match &self.shape {
            Shape::Fixed(n) => *n,
            Shape::Uniform { min, span } => min + rng.below(*span) as u32,
            Shape::Geometric { log_q } => {
                if *log_q == 0.0 {
                    0
                } else {
                    // 1 − U is in (0, 1]: its logarithm is finite.
                    let u = 1.0 - rng.unit();
                    (u.ln() / log_q).floor().min(f64::from(MAX_LENGTH)) as u32
                }
            }
            Shape::PoissonSmall { exp_minus_mean } => {
                let mut k = 0u32;
                let mut product = rng.unit();
                while product > *exp_minus_mean && k < MAX_LENGTH {
                    k += 1;
                    product *= rng.unit();
                }
                k
            }
            Shape::PoissonLarge { mean } => {
                let z = standard_normal(rng);
                (mean + mean.sqrt() * z)
                    .round()
                    .clamp(0.0, f64::from(MAX_LENGTH)) as u32
            }
            Shape::Table { weights, offset } => offset + weights.sample(rng) as u32,
        };
        n.min(self.cap)
    }
}

/// A standard normal variate from two draws (Box–Muller, cosine branch).
#[inline]
pub fn standard_normal(rng: &mut RecordRng) -> f64 {
    let u1 = 1.0 - rng.unit();
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::mix64;

    fn sample_mean(d: &LengthDistribution, n: u64) -> f64 {
        let key = mix64(7);
        (0..n)
            .map(|i| f64::from(d.sample(&mut RecordRng::new(key, i))))
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn sample_means_match_each_distribution() {
        for spec in [
            LengthSpec::Uniform([1, 5]),
            LengthSpec::Geometric(2.5),
            LengthSpec::Poisson(3.0),
            LengthSpec::Poisson(80.0),
            LengthSpec::Zipf { max: 10, s: 1.0 },
            LengthSpec::Histogram(vec![0.1, 0.6, 0.3]),
        ] {
            let d = LengthDistribution::new(&spec, 0.0).unwrap();
            let got = sample_mean(&d, 40_000);
            assert!(
                (got - d.mean()).abs() < 0.03 * d.mean().max(1.0),
                "{spec:?}: mean {got}, expected {}",
                d.mean()
            );
        }
    }

    #[test]
    fn empty_share_and_cap_hold() {
        let d = LengthDistribution::new(&LengthSpec::Fixed(9), 0.25)
            .unwrap()
            .capped(4);
        let key = mix64(3);
        let lengths: Vec<u32> = (0..20_000)
            .map(|i| d.sample(&mut RecordRng::new(key, i)))
            .collect();
        let empty = lengths.iter().filter(|&&n| n == 0).count() as f64 / 20_000.0;
        assert!((empty - 0.25).abs() < 0.01, "{empty}");
        assert!(lengths.iter().all(|&n| n == 0 || n == 4));
    }

    #[test]
    fn bad_distributions_say_why() {
        let err = |spec, empty| LengthDistribution::new(&spec, empty).unwrap_err();
        assert!(err(LengthSpec::Uniform([5, 1]), 0.0).contains("minimum exceeds"));
        assert!(err(LengthSpec::Poisson(-1.0), 0.0).contains("mean -1"));
        assert!(err(LengthSpec::Fixed(1), 1.5).contains("empty = 1.5"));
        assert!(err(LengthSpec::Histogram(vec![]), 0.0).contains("no weights"));
        assert!(err(LengthSpec::Fixed(MAX_LENGTH + 1), 0.0).contains("longer than"));
    }
}
