//! A uniform sample of a stream of unknown length in bounded memory: reservoir sampling.
//!
//! The first `capacity` items fill the reservoir; item `n` (0-based) then replaces a
//! random slot with probability `capacity / (n + 1)`, so at any time every item seen is
//! in the sample with the same probability (Vitter, "Random sampling with a reservoir",
//! ACM TOMS 11, 1985: Algorithm R). The random draws are a function of the item's position
//! only, so a stream gives the same sample in every run.
//!
//! ```
//! use shred_gen::reservoir::Reservoir;
//! let mut sample = Reservoir::new(100);
//! for i in 0..10_000 {
//!     sample.add(i);
//! }
//! assert_eq!(sample.items().len(), 100);
//! assert_eq!(sample.seen(), 10_000);
//! ```

use crate::rng::mix64;

/// A reservoir of at most `capacity` items.
#[derive(Debug, Clone)]
pub struct Reservoir<T> {
    capacity: usize,
    items: Vec<T>,
    seen: u64,
}

impl<T> Reservoir<T> {
    /// An empty reservoir holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        Reservoir {
            capacity: capacity.max(1),
            items: Vec::new(),
            seen: 0,
        }
    }

    /// Offers one item.
    pub fn add(&mut self, item: T) {
        if self.items.len() < self.capacity {
            self.items.push(item);
        } else {
            let slot = mix64(self.seen ^ 0x7265_7365_7276_6f69) % (self.seen + 1);
            if let Some(kept) = self.items.get_mut(slot as usize) {
                *kept = item;
            }
        }
        self.seen += 1;
    }

    /// The sample (in no particular order).
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Items offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_uniform_over_the_stream() {
        let mut sample = Reservoir::new(2000);
        for i in 0..100_000u32 {
            sample.add(i);
        }
        let low = sample.items().iter().filter(|&&i| i < 50_000).count();
        assert_eq!(sample.items().len(), 2000);
        // Half the stream is below 50 000: the sample's share is 0.5 ± 0.05.
        assert!(
            (900..=1100).contains(&low),
            "{low} of 2000 below the median"
        );
    }

    #[test]
    fn short_stream_is_kept_whole() {
        let mut sample = Reservoir::new(10);
        for i in 0..4 {
            sample.add(i);
        }
        assert_eq!(sample.items(), [0, 1, 2, 3]);
    }
}
