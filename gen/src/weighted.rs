//! A discrete distribution over `0..n` given by weights, sampled from one 64-bit draw.
//!
//! The weights are normalized once into cumulative 64-bit thresholds; a sample is the first
//! index whose threshold exceeds the draw (binary search, inverse transform sampling:
//! Devroye, "Non-Uniform Random Variate Generation", 1986, §III.2). It serves every
//! finite distribution of a spec: length histograms, Zipf lengths and integers, weighted
//! enums.
//!
//! ```
//! use shred_gen::weighted::Weighted;
//! let w = Weighted::new(&[1.0, 0.0, 3.0]).unwrap();
//! assert_eq!(w.len(), 3);
//! assert_eq!(w.pick(0), 0);
//! assert_eq!(w.pick(u64::MAX), 2);
//! assert!((w.probability(2) - 0.75).abs() < 1e-12);
//! ```

/// Cumulative thresholds over `0..len`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    /// `cumulative[i]`: draws below it pick `i` or less.
    cumulative: Box<[u64]>,
    /// The last outcome of positive weight (what the largest draws pick).
    last: usize,
}

impl Weighted {
    /// The distribution with these weights, or why there is none: no weights, a negative
    /// or non-finite weight, or weights summing to zero.
    pub fn new(weights: &[f64]) -> Result<Self, String> {
        if weights.is_empty() {
            return Err("no weights".into());
        }
        if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
            return Err(format!("weight {w} is not a finite number ≥ 0"));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 || !total.is_finite() {
            return Err("the weights sum to 0".into());
        }
        let mut sum = 0.0;
        let mut cumulative: Vec<u64> = weights
            .iter()
            .map(|w| {
                sum += w;
                // 2^64 · share, saturating; float rounding is settled by the last entry.
                ((sum / total) * 18_446_744_073_709_551_616.0).min(u64::MAX as f64) as u64
            })
            .collect();
        // Zero weights at the end must never be picked: the last positive weight ends the
        // range.
        let last = weights.iter().rposition(|w| *w > 0.0).unwrap_or(0);
        for c in &mut cumulative[last..] {
            *c = u64::MAX;
        }
        Ok(Weighted {
            cumulative: cumulative.into(),
            last,
        })
    }

    /// Ranks `0..n` with Zipf weights `1 / (rank + 1)^s`.
    pub fn zipf(n: usize, s: f64) -> Result<Self, String> {
        if n == 0 {
            return Err("a Zipf distribution needs at least one value".into());
        }
        if !s.is_finite() || s < 0.0 {
            return Err(format!("Zipf exponent {s} is not a finite number ≥ 0"));
        }
        let weights: Vec<f64> = (0..n).map(|k| (k as f64 + 1.0).powf(-s)).collect();
        Self::new(&weights)
    }

    /// Number of outcomes (including those of weight 0).
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// True when there are no outcomes (never: [`Weighted::new`] refuses that).
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    /// The outcome for 64 uniform bits.
    #[inline]
    pub fn pick(&self, bits: u64) -> usize {
        let i = self.cumulative.partition_point(|&c| c <= bits);
        i.min(self.last)
    }

    /// The probability of outcome `i`.
    pub fn probability(&self, i: usize) -> f64 {
        let below = if i == 0 { 0 } else { self.cumulative[i - 1] };
        (self.cumulative[i] - below) as f64 / 18_446_744_073_709_551_616.0
    }

    /// The number of outcomes with a weight above 0.
    pub fn support(&self) -> usize {
        (0..self.len())
            .filter(|&i| self.probability(i) > 0.0)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_weights_are_never_picked() {
        let w = Weighted::new(&[0.0, 1.0, 0.0, 1.0, 0.0]).unwrap();
        let picked: std::collections::BTreeSet<usize> = (0..10_000u64)
            .map(|k| w.pick(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect();
        assert_eq!(picked.into_iter().collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(w.support(), 2);
        assert_eq!(w.pick(u64::MAX), 3);
    }

    #[test]
    fn probabilities_follow_the_weights() {
        let w = Weighted::new(&[55.0, 35.0, 10.0]).unwrap();
        for (i, p) in [0.55, 0.35, 0.10].into_iter().enumerate() {
            assert!((w.probability(i) - p).abs() < 1e-12, "{i}");
        }
        let z = Weighted::zipf(3, 1.0).unwrap();
        assert!((z.probability(0) - 6.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn bad_weights_are_refused() {
        assert!(Weighted::new(&[]).is_err());
        assert!(Weighted::new(&[0.0, 0.0]).is_err());
        assert!(Weighted::new(&[1.0, -1.0]).is_err());
        assert!(Weighted::new(&[f64::NAN]).is_err());
        assert!(Weighted::zipf(0, 1.0).is_err());
    }
}
