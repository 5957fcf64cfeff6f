//! The per-record random streams: SplitMix64's mix as a counter-based generator, and
//! probabilities as 32-bit fixed-point thresholds.
//!
//! Each record draws from its own stream: the record's key is `mix64(seed_key ^ index)` and
//! its `k`-th draw is `mix64(key + k·φ)`, with `seed_key = mix64(seed)` and φ the
//! golden-ratio increment (SplitMix64; Steele, Lea & Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014). No stream depends on another, so records can be drawn
//! in any order, on any thread, and come out the same.
//!
//! ```
//! use shred_gen::rng::{RecordRng, mix64};
//! let key = mix64(42);
//! let (mut a, mut b) = (RecordRng::new(key, 7), RecordRng::new(key, 7));
//! assert_eq!(a.draw(), b.draw());
//! assert_ne!(RecordRng::new(key, 8).draw(), RecordRng::new(key, 7).draw());
//! ```

/// SplitMix64's increment: 2^64 / φ, odd.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective 64-bit mix.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of one record.
#[derive(Debug, Clone)]
pub struct RecordRng {
    state: u64,
}

impl RecordRng {
    /// The stream of record `index` under `seed_key` (`mix64` of the seed).
    #[inline]
    pub fn new(seed_key: u64, index: u64) -> Self {
        RecordRng {
            state: mix64(seed_key ^ index),
        }
    }

    /// The stream's next 64 uniform bits.
    #[inline]
    pub fn draw(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// Moves past the next draw without computing it (what a draw whose bits are not
    /// needed costs).
    #[inline]
    pub fn skip(&mut self) {
        self.state = self.state.wrapping_add(GOLDEN);
    }

    /// True with the probability of `threshold` ([`threshold`]), from one draw.
    #[inline]
    pub fn chance(&mut self, threshold: u64) -> bool {
        (self.draw() & 0xFFFF_FFFF) < threshold
    }

    /// A uniform float in `[0, 1)` with 53 random bits, from one draw.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.draw() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..span` (`span` ≥ 1; `0` means all 2^64 values), from one
    /// draw: the high half of the 128-bit product (Lemire's multiply-shift, without the
    /// rejection step; the bias is below 2^-64 · span).
    #[inline]
    pub fn below(&mut self, span: u64) -> u64 {
        let bits = self.draw();
        if span == 0 {
            return bits;
        }
        ((u128::from(bits) * u128::from(span)) >> 64) as u64
    }
}

/// A probability as a threshold on 32 uniform bits: `bits < threshold` has that probability.
#[inline]
pub fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_splitmix64() {
        // SplitMix64 seeded with 0 (the reference `next()` adds φ, then mixes).
        let mut rng = RecordRng { state: 0 };
        assert_eq!(rng.draw(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.draw(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn below_stays_in_range_and_unit_below_one() {
        let mut rng = RecordRng::new(mix64(1), 2);
        for span in [1, 2, 7, 1 << 40] {
            assert!((0..1000).all(|_| rng.below(span) < span));
        }
        assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
        assert!(!(0..100).any(|_| rng.chance(threshold(0.0))));
        assert!((0..100).all(|_| rng.chance(threshold(1.0))));
    }

    #[test]
    fn thresholds_are_32_bit_fixed_point() {
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(0.5), 1 << 31);
        assert_eq!(threshold(1.0), 1 << 32);
        assert_eq!(threshold(2.0), 1 << 32);
    }
}
