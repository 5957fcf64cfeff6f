//! A discrete distribution over `0..n` given by weights, sampled from one 64-bit draw.
//!
//! The weights are normalized once into cumulative 64-bit thresholds; a sample is the first
//! index whose threshold exceeds the draw (inverse transform sampling: Devroye,
//! "Non-Uniform Random Variate Generation", 1986, §III.2). A guide table (Chen and Asau's
//! indexed search, Devroye §III.2.4) keeps that search short: the draws are cut into
//! `2^k ≥ 4n` equal buckets by their top bits, and each bucket knows the outcomes its
//! smallest and largest draws pick, so a draw searches only between them (one or two
//! thresholds for most draws) and picks exactly what a search of the whole table would.
//! It serves every finite distribution of a spec: length histograms, Zipf lengths and
//! integers, weighted enums, the tokens of a profiled spec.
//!
//! ```
//! use shred_gen::weighted::Weighted;
//! let w = Weighted::new(&[1.0, 0.0, 3.0]).unwrap();
//! assert_eq!(w.len(), 3);
//! assert_eq!(w.pick(0), 0);
//! assert_eq!(w.pick(u64::MAX), 2);
//! assert!((w.probability(2) - 0.75).abs() < 1e-12);
//! ```

use crate::rng::RecordRng;

/// Cumulative thresholds over `0..len`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    /// `cumulative[i]`: draws below it pick `i` or less; then [`SCAN_STEPS`] entries of
    /// `u64::MAX`, so a window from any outcome stays in the table.
    cumulative: Box<[u64]>,
    /// The most thresholds one bucket of the guide table holds.
    widest_bucket: usize,
    /// `guide[b]`: the outcome the smallest draw of bucket `b` picks before clamping to
    /// `last` (`guide[buckets]` = `len`); bucket `b` holds the draws whose top bits are `b`.
    guide: Box<[u32]>,
    /// `64 − log2(buckets)`: a draw's bucket is `bits >> shift`.
    shift: u32,
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
        let (guide, shift) = guide_table(&cumulative);
        let widest_bucket = guide.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0) as usize;
        cumulative.extend([u64::MAX; SCAN_STEPS]);
        Ok(Weighted {
            cumulative: cumulative.into(),
            widest_bucket,
            guide,
            shift,
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
        self.cumulative.len() - SCAN_STEPS
    }

    /// True when there are no outcomes (never: [`Weighted::new`] refuses that).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The outcome for 64 uniform bits.
    #[inline(always)]
    pub fn pick(&self, bits: u64) -> usize {
        let bucket = (bits >> self.shift) as usize;
        let mut i = self.guide[bucket] as usize;
        if self.widest_bucket <= SCAN_STEPS {
            // The bucket's thresholds at or below the draw, counted in a window of fixed
            // size: no branch on the outcome, and no load waits for another. The
            // thresholds rise, so those at or below the draw come first, and those past
            // the bucket's are above every draw in it: the count is where the search
            // would stop.
            let window: &[u64; SCAN_STEPS] = self.cumulative[i..i + SCAN_STEPS]
                .try_into()
                .expect("the table is padded by a window");
            i += window
                .iter()
                .map(|&c| usize::from(c <= bits))
                .sum::<usize>();
        } else {
            let to = self.guide[bucket + 1] as usize;
            i += self.cumulative[i..to].partition_point(|&c| c <= bits);
        }
        i.min(self.last)
    }

    /// The outcome of the stream's next draw. A table of one outcome skips the draw's
    /// mixing, not the draw: the stream moves on as with any other table.
    #[inline(always)]
    pub fn sample(&self, rng: &mut RecordRng) -> usize {
        if self.len() == 1 {
            rng.skip();
            0
        } else {
            self.pick(rng.draw())
        }
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

/// Most buckets of a guide table (2^16: 256 KiB for the largest distributions).
const MAX_GUIDE_BITS: u32 = 16;

/// Buckets per outcome in a guide table (fewer thresholds per bucket).
const BUCKETS_PER_OUTCOME: usize = 4;

/// The window of a branch-free count: tables whose buckets hold at most this many
/// thresholds are counted, the others searched.
const SCAN_STEPS: usize = 4;

/// The guide table of `cumulative` and its shift: `2^k` buckets, `2^k` ≥
/// [`BUCKETS_PER_OUTCOME`] times its length (at least 2, at most 2^[`MAX_GUIDE_BITS`]);
/// entry `b` is the number of thresholds at or below the bucket's smallest draw, `b <<
/// shift`.
fn guide_table(cumulative: &[u64]) -> (Box<[u32]>, u32) {
    let bits = (cumulative.len() * BUCKETS_PER_OUTCOME)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(1, MAX_GUIDE_BITS);
    let shift = 64 - bits;
    let buckets = 1usize << bits;
    let guide = (0..buckets)
        .map(|b| cumulative.partition_point(|&c| c <= (b as u64) << shift))
        .chain(std::iter::once(cumulative.len()))
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    (guide, shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`Weighted::pick`] must equal: the search of the whole table.
    fn full_search(w: &Weighted, bits: u64) -> usize {
        w.cumulative[..w.len()]
            .partition_point(|&c| c <= bits)
            .min(w.last)
    }

    #[test]
    fn guide_table_picks_what_the_full_search_picks() {
        let tables = [
            Weighted::new(&[1.0]).unwrap(),
            Weighted::new(&[0.0, 1.0, 0.0, 1.0, 0.0]).unwrap(),
            Weighted::new(&[1e-12, 1.0, 1e-12, 5.0, 1e-9]).unwrap(),
            Weighted::zipf(1000, 1.1).unwrap(),
            Weighted::zipf(200_000, 0.8).unwrap(),
        ];
        let scanned = tables.iter().filter(|w| w.widest_bucket <= SCAN_STEPS);
        assert!(scanned.count() >= 3, "small tables take the scan");
        assert!(
            tables[4].widest_bucket > SCAN_STEPS,
            "a long tail takes the search"
        );
        for w in &tables {
            // Every threshold and its neighbours, bucket edges, and scattered draws.
            let mut draws: Vec<u64> = vec![0, 1, u64::MAX, u64::MAX - 1];
            for &c in &w.cumulative[..w.len()] {
                draws.extend([c.wrapping_sub(1), c, c.wrapping_add(1)]);
            }
            for b in 0..w.guide.len() as u64 - 1 {
                let edge = b << w.shift;
                draws.extend([edge, edge.wrapping_sub(1)]);
            }
            draws.extend((0..20_000u64).map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            for bits in draws {
                assert_eq!(w.pick(bits), full_search(w, bits), "draw {bits:#x}");
            }
        }
    }

    #[test]
    fn a_sample_is_the_pick_of_the_next_draw() {
        let one = Weighted::new(&[2.0]).unwrap();
        let three = Weighted::new(&[1.0, 2.0, 3.0]).unwrap();
        let (mut a, mut b) = (RecordRng::new(5, 9), RecordRng::new(5, 9));
        for _ in 0..1000 {
            assert_eq!(three.sample(&mut a), three.pick(b.draw()));
            assert_eq!(one.sample(&mut a), one.pick(b.draw()));
        }
        assert_eq!(a.draw(), b.draw(), "the streams stay in step");
    }

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
