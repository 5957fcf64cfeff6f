//! The frequent values of a stream in bounded memory: the Misra–Gries summary.
//!
//! At most `capacity` counters, keyed by the value's 64-bit hash. A value with a counter
//! adds one to it; a new value takes a free counter; when none is free, every counter
//! loses one instead (and empty ones are freed), which pays for itself: each such step
//! discards `capacity + 1` occurrences. So after `n` values every value more frequent than
//! `n / (capacity + 1)` has a counter (Misra, Gries, "Finding repeated elements", Science
//! of Computer Programming 2, 1982). A counter also notes the round it was taken in: its
//! count plus the rounds since then is exactly its value's occurrences since, which is what
//! [`FrequentValues::top`] reports (the value's full count when it kept its counter from
//! its first occurrence, as a frequent value does). While no round happened the counts are
//! exact.
//!
//! A counter remembers its value's length and, when asked, the value itself (up to
//! [`MAX_KEPT_BYTES`] bytes), for `--profile --keep-values`.
//!
//! ```
//! use shred_gen::frequent_values::FrequentValues;
//! let mut summary = FrequentValues::new(4, false);
//! for value in ["a", "b", "a", "c", "a", "d", "e", "a"] {
//!     summary.insert(value.as_bytes());
//! }
//! assert_eq!(summary.top(1)[0].count, 4);
//! ```

use std::collections::HashMap;

use crate::hyperloglog::hash_bytes;

/// Values longer than this are not kept, only their length.
pub const MAX_KEPT_BYTES: usize = 256;

/// One counted value.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    /// Its occurrences since it got its counter (all of them while
    /// [`FrequentValues::exact`], else at most `n / (capacity + 1)` fewer).
    pub count: u64,
    /// Its length in bytes.
    pub len: usize,
    /// The value, when values are kept and it is short enough.
    pub value: Option<Box<[u8]>>,
}

/// A Misra–Gries summary of byte values.
#[derive(Debug, Clone)]
pub struct FrequentValues {
    capacity: usize,
    keep: bool,
    counters: HashMap<u64, Counter>,
    /// Rounds in which every counter lost one.
    rounds: u64,
}

#[derive(Debug, Clone)]
struct Counter {
    count: u64,
    /// The round it was taken in.
    since: u64,
    len: usize,
    value: Option<Box<[u8]>>,
}

impl FrequentValues {
    /// A summary with `capacity` counters; `keep` keeps the values themselves.
    pub fn new(capacity: usize, keep: bool) -> Self {
        FrequentValues {
            capacity: capacity.max(1),
            keep,
            counters: HashMap::new(),
            rounds: 0,
        }
    }

    /// Counts one value.
    pub fn insert(&mut self, bytes: &[u8]) {
        let hash = hash_bytes(bytes);
        if let Some(counter) = self.counters.get_mut(&hash) {
            counter.count += 1;
        } else if self.counters.len() < self.capacity {
            let value = (self.keep && bytes.len() <= MAX_KEPT_BYTES).then(|| bytes.into());
            self.counters.insert(
                hash,
                Counter {
                    count: 1,
                    since: self.rounds,
                    len: bytes.len(),
                    value,
                },
            );
        } else {
            self.rounds += 1;
            self.counters.retain(|_, c| {
                c.count -= 1;
                c.count > 0
            });
        }
    }

    /// True while the counts are exact: the stream never had more than `capacity`
    /// distinct values.
    pub fn exact(&self) -> bool {
        self.rounds == 0
    }

    /// Distinct values with a counter.
    pub fn len(&self) -> usize {
        self.counters.len()
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
    }

    /// The `n` largest counters, largest first (ties by length, then value, then hash, so
    /// the order is the same in every run).
    pub fn top(&self, n: usize) -> Vec<Counted> {
        let mut all: Vec<(u64, Counted)> = (self.counters.iter())
            .map(|(hash, c)| {
                let counted = Counted {
                    count: c.count + (self.rounds - c.since),
                    len: c.len,
                    value: c.value.clone(),
                };
                (*hash, counted)
            })
            .collect();
        all.sort_by(|(ha, a), (hb, b)| {
            (b.count.cmp(&a.count))
                .then(a.len.cmp(&b.len))
                .then(a.value.cmp(&b.value))
                .then(ha.cmp(hb))
        });
        all.into_iter().take(n).map(|(_, c)| c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_are_counted_exactly() {
        let mut summary = FrequentValues::new(8, true);
        for (value, times) in [("x", 5), ("yy", 3), ("zzz", 1)] {
            for _ in 0..times {
                summary.insert(value.as_bytes());
            }
        }
        assert!(summary.exact());
        let top = summary.top(8);
        let counts: Vec<(u64, usize)> = top.iter().map(|c| (c.count, c.len)).collect();
        assert_eq!(counts, [(5, 1), (3, 2), (1, 3)]);
        assert_eq!(top[0].value.as_deref(), Some(&b"x"[..]));
    }

    #[test]
    fn heavy_values_survive_a_long_tail_within_the_bound() {
        let capacity = 16;
        let mut summary = FrequentValues::new(capacity, false);
        let mut n = 0u64;
        for i in 0..30_000u64 {
            // "hot" is a third of the stream, the rest all distinct.
            let value = if i % 3 == 0 {
                b"hot".to_vec()
            } else {
                i.to_le_bytes().to_vec()
            };
            summary.insert(&value);
            n += 1;
        }
        assert!(!summary.exact());
        assert!(summary.len() <= capacity);
        let hot = &summary.top(1)[0];
        assert_eq!(hot.len, 3);
        assert!(hot.value.is_none(), "values are not kept unless asked");
        // Counted from its first occurrence: its count is exact.
        assert_eq!(hot.count, 10_000, "of {n}");
    }
}
