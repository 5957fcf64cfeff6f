//! The nightly cleaning job: which chunks it touches and what each chunk becomes.
//!
//! The study's batch job cleans data in chunks of up to ten rows; each night a chunk's
//! row count may grow, stay or shrink, and its content changes slightly. Here a chunk is
//! one contact's phones (the repeated field of the nested record). The job works on a
//! fixed working set of contacts, drawn once from the loaded dataset, and visits every
//! one of them each night in a new shuffled order, so that over the nights the chunk sizes
//! wander over the whole `n, m ∈ [0, 10]` grid the study's model covers.
//!
//! For each visited chunk with `n` rows the job draws a new size `m`: the same with
//! probability 1/3, else `n ± k` with `k` uniform in `1..=max_step`, clamped to `[0, 10]`.
//! Rows kept in place get a new number with probability `number_change` and a new type
//! with probability `type_change`; rows added get a fresh number and a random type. A chunk
//! empty before and after is skipped (neither strategy has anything to do).
//!
//! Everything is a pure function of the seed and the working set: the same arguments give
//! the same chunks, so both strategies (and both databases) replay the same job.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use shred::contact::PhoneType;

use crate::model::MAX_ROWS;
use crate::phones::PhoneRow;

/// Where fresh phone ids start, far above the generator's ids (`index · max phones + k`).
const FRESH_NUMBER_BASE: u64 = 9_000_000_000;

/// The job's knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct JobConfig {
    /// Seed of every random choice the job makes.
    pub seed: u64,
    /// How many nights the job runs (each night visits the whole working set).
    pub nights: u32,
    /// Largest growth or shrink of a chunk in one night.
    pub max_step: u32,
    /// Probability that a kept row gets a new number.
    pub number_change: f64,
    /// Probability that a kept row gets a new phone type.
    pub type_change: f64,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            seed: 42,
            nights: 4,
            max_step: 3,
            number_change: 0.3,
            type_change: 0.1,
        }
    }
}

/// One chunk of one night: the rows it holds before the job and the rows it must hold after.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The contact whose phones form the chunk.
    pub contact_id: i64,
    /// The rows before (`n` of them), in slot order.
    pub old: Vec<PhoneRow>,
    /// The rows after (`m` of them), in slot order.
    pub new: Vec<PhoneRow>,
}

impl Chunk {
    /// Rows before the job.
    pub fn n(&self) -> u32 {
        self.old.len() as u32
    }

    /// Rows after the job.
    pub fn m(&self) -> u32 {
        self.new.len() as u32
    }
}

/// Draws the working set: `size` distinct contact indices out of `records`, in a
/// seed-determined order.
pub fn working_set(seed: u64, records: u64, size: usize) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0005_eed0_f301_15e7);
    let size = size.min(usize::try_from(records).unwrap_or(usize::MAX));
    if records <= u64::from(u32::MAX) {
        rand::seq::index::sample(&mut rng, records as usize, size)
            .into_iter()
            .map(|i| i as u64)
            .collect()
    } else {
        let mut seen = std::collections::HashSet::new();
        while seen.len() < size {
            seen.insert(rng.random_range(0..records));
        }
        let mut ids: Vec<u64> = seen.into_iter().collect();
        ids.sort_unstable();
        ids.shuffle(&mut rng);
        ids
    }
}

/// The job: its configuration and the current rows of every chunk of the working set.
#[derive(Debug, Clone)]
pub struct Job {
    config: JobConfig,
    chunks: Vec<(i64, Vec<PhoneRow>)>,
    next_fresh: u64,
}

impl Job {
    /// A job over `chunks`: each contact id with its current rows (slot order).
    pub fn new(config: JobConfig, chunks: Vec<(i64, Vec<PhoneRow>)>) -> Self {
        Job {
            config,
            chunks,
            next_fresh: FRESH_NUMBER_BASE,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &JobConfig {
        &self.config
    }

    /// Plans night `night`: returns its chunks in execution order and moves the job's
    /// state to the rows after that night.
    pub fn night(&mut self, night: u32) -> Vec<Chunk> {
        let mut rng = StdRng::seed_from_u64(
            self.config.seed ^ (u64::from(night) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        let mut order: Vec<usize> = (0..self.chunks.len()).collect();
        order.shuffle(&mut rng);
        let mut planned = Vec::with_capacity(order.len());
        for index in order {
            let contact_id = self.chunks[index].0;
            let n = self.chunks[index].1.len() as u32;
            let m = self.draw_size(&mut rng, n);
            if n == 0 && m == 0 {
                continue;
            }
            let old = std::mem::take(&mut self.chunks[index].1);
            let new = self.draw_rows(&mut rng, contact_id, &old, m);
            self.chunks[index].1 = new.clone();
            planned.push(Chunk {
                contact_id,
                old,
                new,
            });
        }
        planned
    }

    /// Every row of the working set as it stands now, sorted by `(contact_id, slot)`.
    pub fn rows(&self) -> Vec<PhoneRow> {
        let mut rows: Vec<PhoneRow> = self.chunks.iter().flat_map(|(_, r)| r.clone()).collect();
        rows.sort_by_key(|r| (r.contact_id, r.slot));
        rows
    }

    fn draw_size(&self, rng: &mut StdRng, n: u32) -> u32 {
        let step = rng.random_range(1..=self.config.max_step.max(1));
        match rng.random_range(0..3) {
            0 => n,
            1 => (n + step).min(MAX_ROWS),
            _ => n.saturating_sub(step),
        }
    }

    fn fresh_number(&mut self) -> String {
        let id = self.next_fresh;
        self.next_fresh += 1;
        // The generator's number format, so fresh numbers look like the loaded ones.
        let mut number = String::new();
        shred_gen::phone_number::write_number(&mut number, id);
        number
    }

    fn draw_rows(
        &mut self,
        rng: &mut StdRng,
        contact_id: i64,
        old: &[PhoneRow],
        m: u32,
    ) -> Vec<PhoneRow> {
        let mut new = Vec::with_capacity(m as usize);
        for slot in 0..m as usize {
            let row = match old.get(slot) {
                Some(kept) => {
                    let mut row = kept.clone();
                    if rng.random_bool(self.config.number_change) {
                        row.number = Some(self.fresh_number());
                    }
                    if rng.random_bool(self.config.type_change) {
                        row.phone_type = Some(random_type(rng));
                    }
                    row
                }
                None => PhoneRow {
                    contact_id,
                    slot: slot as i32,
                    number: Some(self.fresh_number()),
                    phone_type: Some(random_type(rng)),
                },
            };
            new.push(row);
        }
        new
    }
}

fn random_type(rng: &mut StdRng) -> PhoneType {
    PhoneType::ALL[rng.random_range(0..PhoneType::ALL.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(contact_id: i64, n: usize) -> Vec<PhoneRow> {
        (0..n)
            .map(|slot| PhoneRow {
                contact_id,
                slot: slot as i32,
                number: Some(format!("+91-{contact_id:05}{slot:05}")),
                phone_type: Some(PhoneType::Mobile),
            })
            .collect()
    }

    fn sample_job(seed: u64) -> Job {
        let chunks = (0..200).map(|c| (c, rows(c, (c % 4) as usize))).collect();
        Job::new(
            JobConfig {
                seed,
                ..JobConfig::default()
            },
            chunks,
        )
    }

    #[test]
    fn same_seed_same_nights() {
        let (mut a, mut b) = (sample_job(7), sample_job(7));
        for night in 0..3 {
            assert_eq!(a.night(night), b.night(night));
        }
        assert_eq!(a.rows(), b.rows());
    }

    #[test]
    fn different_seed_different_nights() {
        let (mut a, mut b) = (sample_job(7), sample_job(8));
        assert_ne!(a.night(0), b.night(0));
    }

    #[test]
    fn chunks_grow_stay_and_shrink_within_bounds() {
        let mut job = sample_job(1);
        let (mut grew, mut stayed, mut shrank) = (0, 0, 0);
        for night in 0..6 {
            for chunk in job.night(night) {
                assert!(chunk.n() <= MAX_ROWS && chunk.m() <= MAX_ROWS);
                assert!(chunk.n() + chunk.m() > 0, "empty chunks are skipped");
                assert!(chunk.n().abs_diff(chunk.m()) <= 3);
                match chunk.m().cmp(&chunk.n()) {
                    std::cmp::Ordering::Greater => grew += 1,
                    std::cmp::Ordering::Equal => stayed += 1,
                    std::cmp::Ordering::Less => shrank += 1,
                }
                for (slot, row) in chunk.new.iter().enumerate() {
                    assert_eq!((row.contact_id, row.slot), (chunk.contact_id, slot as i32));
                }
            }
        }
        assert!(
            grew > 100 && stayed > 100 && shrank > 100,
            "{grew} {stayed} {shrank}"
        );
    }

    #[test]
    fn a_night_starts_where_the_last_one_ended() {
        let mut job = sample_job(3);
        let first = job.night(0);
        let second = job.night(1);
        for chunk in &second {
            if let Some(prev) = first.iter().find(|c| c.contact_id == chunk.contact_id) {
                assert_eq!(prev.new, chunk.old);
            }
        }
    }

    #[test]
    fn kept_rows_change_only_slightly() {
        let mut job = sample_job(5);
        let (mut kept, mut changed) = (0, 0);
        for chunk in job.night(0) {
            for (old, new) in chunk.old.iter().zip(&chunk.new) {
                kept += 1;
                changed += usize::from(old != new);
            }
        }
        assert!(changed > 0 && changed < kept, "{changed} of {kept}");
    }

    #[test]
    fn working_set_is_distinct_and_deterministic() {
        let a = working_set(9, 1000, 100);
        assert_eq!(a, working_set(9, 1000, 100));
        let mut sorted = a.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
        assert!(a.iter().all(|&i| i < 1000));
        assert_eq!(working_set(9, 10, 100).len(), 10);
    }
}
