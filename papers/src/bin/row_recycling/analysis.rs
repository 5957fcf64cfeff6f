//! From chunk timings to per-row costs, per-bucket speedups and the models' errors.
//!
//! **Per-row costs.** Inside every chunk the backend timed each row statement, so the cost
//! of one row operation is measured directly: `t_d` is the time spent in delete
//! statements over the rows deleted (by both strategies), `t_i` likewise for inserts,
//! `t_u` for updates. What a chunk spent outside its statements (`BEGIN`, `COMMIT` with
//! its log flush, the client) is its fixed cost, averaged per strategy. The same numbers
//! are also kept per strategy, since a delete or an insert need not cost the same in a
//! delete-modify-insert chunk (which re-inserts the keys it just deleted) as in a
//! recycling chunk.
//!
//! **Buckets.** Chunks are grouped by `(n, m)`. The measured speedup of a bucket is the
//! median delete-modify-insert time over the median recycling time of the same chunks
//! (both strategies ran every chunk), whole transactions included; the ratio of the means
//! is kept beside it (`measured_mean`). It is compared with three
//! predictions: the study's `S(n, m, t_u/t_d)`, the general model with `t_i` kept apart,
//! and the general model plus each strategy's measured fixed cost per chunk.

use std::collections::BTreeMap;

use crate::measure::Sample;
use crate::model::{self, ChunkCosts, RowCosts, RowOps};
use crate::strategy::Strategy;

/// Time and row counts of one strategy's row statements, summed over its chunks.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OpTotals {
    /// Chunks.
    pub chunks: usize,
    /// Rows deleted, inserted, updated.
    pub rows: RowOps,
    /// µs spent in delete statements.
    pub delete_us: f64,
    /// µs spent in insert statements.
    pub insert_us: f64,
    /// µs spent in update statements.
    pub update_us: f64,
    /// µs spent outside the row statements.
    pub fixed_us: f64,
}

impl OpTotals {
    fn add(&mut self, sample: &Sample) {
        let ops = sample.strategy.row_ops(sample.n, sample.m);
        self.chunks += 1;
        self.rows.deleted += ops.deleted;
        self.rows.inserted += ops.inserted;
        self.rows.updated += ops.updated;
        self.delete_us += sample.timing.delete_us;
        self.insert_us += sample.timing.insert_us;
        self.update_us += sample.timing.update_us;
        self.fixed_us += sample.timing.fixed_us();
    }

    fn merged(self, other: OpTotals) -> OpTotals {
        OpTotals {
            chunks: self.chunks + other.chunks,
            rows: RowOps {
                deleted: self.rows.deleted + other.rows.deleted,
                inserted: self.rows.inserted + other.rows.inserted,
                updated: self.rows.updated + other.rows.updated,
            },
            delete_us: self.delete_us + other.delete_us,
            insert_us: self.insert_us + other.insert_us,
            update_us: self.update_us + other.update_us,
            fixed_us: self.fixed_us + other.fixed_us,
        }
    }

    /// Mean µs per deleted row.
    pub fn t_d(&self) -> Option<f64> {
        per(self.delete_us, self.rows.deleted)
    }

    /// Mean µs per inserted row.
    pub fn t_i(&self) -> Option<f64> {
        per(self.insert_us, self.rows.inserted)
    }

    /// Mean µs per updated row.
    pub fn t_u(&self) -> Option<f64> {
        per(self.update_us, self.rows.updated)
    }

    /// Mean fixed µs per chunk.
    pub fn fixed(&self) -> Option<f64> {
        (self.chunks > 0).then(|| self.fixed_us / self.chunks as f64)
    }
}

/// The median of `values` (reordered in place); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn per(us: f64, rows: u32) -> Option<f64> {
    (rows > 0).then(|| us / f64::from(rows))
}

/// The measured costs, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Per-row costs over both strategies, and each strategy's mean fixed cost per chunk
    /// (what the whole job's totals contain).
    pub costs: ChunkCosts,
    /// The same per-row costs with each strategy's median fixed cost per chunk (the
    /// typical chunk, without the rare chunk whose commit also checkpoints or stalls).
    pub typical: ChunkCosts,
    /// The delete-modify-insert chunks' statements.
    pub delete_insert: OpTotals,
    /// The row-recycling chunks' statements.
    pub recycling: OpTotals,
}

impl Measured {
    /// `t_u / t_d`, the ratio the study's model depends on.
    pub fn update_delete_ratio(&self) -> f64 {
        self.costs.rows.t_u / self.costs.rows.t_d
    }

    /// Both strategies' statements together.
    pub fn pooled(&self) -> OpTotals {
        self.delete_insert.merged(self.recycling)
    }
}

/// Measures the per-row and fixed costs from the samples; `None` when some operation
/// never ran (e.g. no chunk ever updated a row) or a strategy ran no chunk.
pub fn measure_costs(samples: &[Sample]) -> Option<Measured> {
    let mut delete_insert = OpTotals::default();
    let mut recycling = OpTotals::default();
    let mut fixed_delete_insert = Vec::new();
    let mut fixed_recycling = Vec::new();
    for s in samples {
        match s.strategy {
            Strategy::DeleteModifyInsert => {
                delete_insert.add(s);
                fixed_delete_insert.push(s.timing.fixed_us());
            }
            Strategy::RowRecycling => {
                recycling.add(s);
                fixed_recycling.push(s.timing.fixed_us());
            }
        }
    }
    let pooled = delete_insert.merged(recycling);
    let costs = ChunkCosts {
        rows: RowCosts {
            t_d: pooled.t_d()?,
            t_i: pooled.t_i()?,
            t_u: pooled.t_u()?,
        },
        fixed_delete_insert: delete_insert.fixed()?,
        fixed_recycling: recycling.fixed()?,
    };
    Some(Measured {
        costs,
        typical: ChunkCosts {
            fixed_delete_insert: median(&mut fixed_delete_insert)?,
            fixed_recycling: median(&mut fixed_recycling)?,
            ..costs
        },
        delete_insert,
        recycling,
    })
}

/// Measured and predicted speedup of one `(n, m)` bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Rows before.
    pub n: u32,
    /// Rows after.
    pub m: u32,
    /// Chunks in the bucket (each ran with both strategies).
    pub chunks: usize,
    /// Median delete-modify-insert chunk time, µs.
    pub delete_insert_us: f64,
    /// Median row-recycling chunk time, µs.
    pub recycling_us: f64,
    /// The measured speedup of the typical chunk: `delete_insert_us / recycling_us`.
    pub measured: f64,
    /// The measured speedup of the means (what the bucket adds to the job's total).
    pub measured_mean: f64,
    /// The study's model at the measured `t_u/t_d` (`t_i = t_d`, no fixed cost).
    pub study: Option<f64>,
    /// The general model at the measured `t_d`, `t_i`, `t_u` (no fixed cost).
    pub general: Option<f64>,
    /// The general model plus each strategy's median fixed cost per chunk.
    pub with_fixed: Option<f64>,
}

/// Relative error of a prediction against the measurement, in percent.
pub fn error_percent(predicted: f64, measured: f64) -> f64 {
    (predicted - measured) / measured * 100.0
}

/// Groups the samples by `(n, m)` and predicts each bucket's speedup from `measured`.
pub fn buckets(samples: &[Sample], measured: &Measured) -> Vec<Bucket> {
    #[derive(Default)]
    struct Times {
        dmi: Vec<f64>,
        rec: Vec<f64>,
    }
    let mut times: BTreeMap<(u32, u32), Times> = BTreeMap::new();
    for s in samples {
        let e = times.entry((s.n, s.m)).or_default();
        match s.strategy {
            Strategy::DeleteModifyInsert => e.dmi.push(s.timing.total_us),
            Strategy::RowRecycling => e.rec.push(s.timing.total_us),
        }
    }
    let ratio = measured.update_delete_ratio();
    let typical = measured.typical;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    times
        .into_iter()
        .filter_map(|((n, m), mut e)| {
            let measured_mean = mean(&e.dmi) / mean(&e.rec);
            let chunks = e.dmi.len().min(e.rec.len());
            let delete_insert_us = median(&mut e.dmi)?;
            let recycling_us = median(&mut e.rec)?;
            Some(Bucket {
                n,
                m,
                chunks,
                delete_insert_us,
                recycling_us,
                measured: delete_insert_us / recycling_us,
                measured_mean,
                study: model::speedup(n, m, ratio),
                general: model::speedup_general(n, m, &typical.rows),
                with_fixed: model::speedup_with_fixed(n, m, &typical),
            })
        })
        .collect()
}

/// The spread of the control buckets: those with `n = 0` or `m = 0`, where both strategies
/// run exactly the same statements, so any measured `S ≠ 1` is measurement noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseFloor {
    /// Control buckets.
    pub buckets: usize,
    /// Smallest measured S among them.
    pub min: f64,
    /// Largest measured S among them.
    pub max: f64,
    /// Chunk-weighted mean of `|S − 1|`, in percent.
    pub mean_abs_percent: f64,
}

/// The noise floor of a run, from its control buckets; `None` when it has none.
pub fn noise_floor(buckets: &[Bucket]) -> Option<NoiseFloor> {
    let controls: Vec<&Bucket> = buckets.iter().filter(|b| b.n == 0 || b.m == 0).collect();
    let weight: f64 = controls.iter().map(|b| b.chunks as f64).sum();
    (!controls.is_empty()).then(|| NoiseFloor {
        buckets: controls.len(),
        min: controls
            .iter()
            .map(|b| b.measured)
            .fold(f64::INFINITY, f64::min),
        max: controls
            .iter()
            .map(|b| b.measured)
            .fold(f64::NEG_INFINITY, f64::max),
        mean_abs_percent: controls
            .iter()
            .map(|b| (b.measured - 1.0).abs() * 100.0 * b.chunks as f64)
            .sum::<f64>()
            / weight,
    })
}

/// Chunk-weighted mean absolute percentage error of one prediction over the buckets.
pub fn mean_abs_error(buckets: &[Bucket], prediction: impl Fn(&Bucket) -> Option<f64>) -> f64 {
    let (mut sum, mut weight) = (0.0, 0.0);
    for b in buckets {
        if let Some(p) = prediction(b) {
            sum += error_percent(p, b.measured).abs() * b.chunks as f64;
            weight += b.chunks as f64;
        }
    }
    if weight > 0.0 { sum / weight } else { f64::NAN }
}

/// The whole job's speedup a model predicts: the chunk-weighted sum of its
/// delete-modify-insert times over the sum of its recycling times.
pub fn job_speedup(buckets: &[Bucket], costs: &ChunkCosts) -> f64 {
    let (mut old, mut new) = (0.0, 0.0);
    for b in buckets {
        let weight = b.chunks as f64;
        old += weight
            * (costs.fixed_delete_insert + RowOps::delete_insert(b.n, b.m).cost(&costs.rows));
        new += weight * (costs.fixed_recycling + RowOps::recycling(b.n, b.m).cost(&costs.rows));
    }
    old / new
}

/// Whole-job totals per strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Chunks run (per strategy).
    pub chunks: usize,
    /// Sum of delete-modify-insert chunk times, seconds.
    pub delete_insert_s: f64,
    /// Sum of row-recycling chunk times, seconds.
    pub recycling_s: f64,
}

impl Totals {
    /// Sums the samples.
    pub fn of(samples: &[Sample]) -> Self {
        let mut t = Totals {
            chunks: 0,
            delete_insert_s: 0.0,
            recycling_s: 0.0,
        };
        for s in samples {
            match s.strategy {
                Strategy::DeleteModifyInsert => {
                    t.delete_insert_s += s.timing.total_us / 1e6;
                    t.chunks += 1;
                }
                Strategy::RowRecycling => t.recycling_s += s.timing.total_us / 1e6,
            }
        }
        t
    }

    /// The whole job's speedup.
    pub fn speedup(&self) -> f64 {
        self.delete_insert_s / self.recycling_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::ChunkTiming;

    fn sample(n: u32, m: u32, strategy: Strategy, costs: &ChunkCosts) -> Sample {
        let ops = strategy.row_ops(n, m);
        let fixed = match strategy {
            Strategy::DeleteModifyInsert => costs.fixed_delete_insert,
            Strategy::RowRecycling => costs.fixed_recycling,
        };
        let timing = ChunkTiming {
            delete_us: f64::from(ops.deleted) * costs.rows.t_d,
            insert_us: f64::from(ops.inserted) * costs.rows.t_i,
            update_us: f64::from(ops.updated) * costs.rows.t_u,
            total_us: fixed + ops.cost(&costs.rows),
        };
        Sample {
            n,
            m,
            strategy,
            timing,
        }
    }

    /// Samples timed exactly at known costs, for every (n, m) on a small grid.
    fn synthetic(costs: &ChunkCosts) -> Vec<Sample> {
        let mut samples = Vec::new();
        for n in 0..=6 {
            for m in 0..=6 {
                if n + m > 0 {
                    samples.extend(Strategy::ALL.map(|s| sample(n, m, s, costs)));
                }
            }
        }
        samples
    }

    const COSTS: ChunkCosts = ChunkCosts {
        rows: RowCosts {
            t_d: 12.0,
            t_i: 20.0,
            t_u: 7.0,
        },
        fixed_delete_insert: 900.0,
        fixed_recycling: 850.0,
    };

    #[test]
    fn measured_costs_are_the_known_costs() {
        let measured = measure_costs(&synthetic(&COSTS)).unwrap();
        let got = measured.costs;
        for (a, b) in [
            (got.rows.t_d, 12.0),
            (got.rows.t_i, 20.0),
            (got.rows.t_u, 7.0),
            (got.fixed_delete_insert, 900.0),
            (got.fixed_recycling, 850.0),
        ] {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!((measured.update_delete_ratio() - 7.0 / 12.0).abs() < 1e-12);
        assert_eq!(measured.delete_insert.chunks, 48);
        assert_eq!(measured.recycling.t_u(), Some(7.0));
        assert_eq!(
            measured.delete_insert.t_u(),
            None,
            "delete-modify-insert never updates"
        );
    }

    #[test]
    fn costs_are_pooled_over_both_strategies() {
        let cheap = ChunkCosts {
            rows: RowCosts {
                t_d: 10.0,
                t_i: 10.0,
                t_u: 5.0,
            },
            ..COSTS
        };
        // a DMI chunk deleting 2 rows at 12 µs, a recycling chunk deleting 2 at 10 µs
        let samples = [
            sample(2, 1, Strategy::DeleteModifyInsert, &COSTS),
            sample(3, 1, Strategy::RowRecycling, &cheap),
        ];
        let measured = measure_costs(&samples).unwrap();
        assert_eq!(measured.costs.rows.t_d, (2.0 * 12.0 + 2.0 * 10.0) / 4.0);
        assert_eq!(measured.delete_insert.t_d(), Some(12.0));
        assert_eq!(measured.recycling.t_d(), Some(10.0));
    }

    #[test]
    fn costs_need_every_operation() {
        let only_inserts: Vec<Sample> =
            synthetic(&COSTS).into_iter().filter(|s| s.n == 0).collect();
        assert_eq!(measure_costs(&only_inserts), None);
    }

    #[test]
    fn buckets_compare_measured_with_the_fixed_cost_model() {
        let samples = synthetic(&COSTS);
        let measured = measure_costs(&samples).unwrap();
        let buckets = buckets(&samples, &measured);
        assert_eq!(buckets.len(), 48);
        for b in &buckets {
            assert_eq!(b.chunks, 1);
            assert!(error_percent(b.with_fixed.unwrap(), b.measured).abs() < 1e-6);
        }
        // without the fixed cost the models overstate every gain: at (6, 6) rows cost
        // 6·12 + 6·20 = 192 vs 6·7 = 42 (S = 4.57) but the chunks take 1092 vs 892 µs
        let b = buckets.iter().find(|b| (b.n, b.m) == (6, 6)).unwrap();
        assert!((b.measured - 1092.0 / 892.0).abs() < 1e-9);
        assert!((b.general.unwrap() - 192.0 / 42.0).abs() < 1e-9);
        assert!(mean_abs_error(&buckets, |b| b.general) > 50.0);
        assert!(mean_abs_error(&buckets, |b| b.with_fixed) < 1e-6);
        assert!((job_speedup(&buckets, &COSTS) - Totals::of(&samples).speedup()).abs() < 1e-9);
    }

    #[test]
    fn median_ignores_the_rare_slow_chunk() {
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        let mut slow = synthetic(&COSTS);
        slow[0].timing.total_us += 1e6; // one DMI chunk whose commit stalled for a second
        let measured = measure_costs(&slow).unwrap();
        assert!(measured.costs.fixed_delete_insert > 900.0 + 1e6 / 48.0 - 1.0);
        assert_eq!(measured.typical.fixed_delete_insert, 900.0);
    }

    #[test]
    fn noise_floor_reads_only_the_control_buckets() {
        let samples = synthetic(&COSTS);
        let mut buckets = buckets(&samples, &measure_costs(&samples).unwrap());
        for b in buckets.iter_mut() {
            b.measured = match (b.n, b.m) {
                (0, 1) => 0.9,
                (2, 0) => 1.2,
                (0, _) | (_, 0) => 1.0,
                _ => 5.0,
            };
        }
        let floor = noise_floor(&buckets).unwrap();
        assert_eq!(floor.buckets, 12);
        assert_eq!((floor.min, floor.max), (0.9, 1.2));
        assert!((floor.mean_abs_percent - 30.0 / 12.0).abs() < 1e-9);
    }

    #[test]
    fn totals_sum_each_strategy() {
        let timed = |strategy, total_us| Sample {
            n: 1,
            m: 1,
            strategy,
            timing: ChunkTiming {
                total_us,
                ..ChunkTiming::default()
            },
        };
        let samples = [
            timed(Strategy::DeleteModifyInsert, 3e6),
            timed(Strategy::RowRecycling, 1e6),
        ];
        let t = Totals::of(&samples);
        assert_eq!((t.chunks, t.delete_insert_s, t.recycling_s), (1, 3.0, 1.0));
        assert_eq!(t.speedup(), 3.0);
    }
}
