//! From chunk timings to per-row costs, per-bucket speedups and the models' errors.
//!
//! **Per-row costs.** Every timed chunk is one equation: a delete-modify-insert chunk
//! took `c_o + n·t_d + m·t_i`, a recycling chunk `c_n + (n−m)⁺·t_d + (m−n)⁺·t_i +
//! min(n, m)·t_u`, where `c_o`, `c_n` are each strategy's fixed cost per transaction. An
//! ordinary least-squares fit over all chunks of both strategies (normal equations,
//! solved by Gaussian elimination with partial pivoting) gives the five costs; `t_d`,
//! `t_i`, `t_u` are the marginal cost of one more row, what the study's model calls the
//! cost per row.
//!
//! **Buckets.** Chunks are grouped by `(n, m)`. The measured speedup of a bucket is the
//! mean delete-modify-insert time over the mean recycling time of the same chunks (both
//! strategies ran every chunk). It is compared with three predictions: the study's
//! `S(n, m, t_u/t_d)`, the general model with `t_i` kept apart, and the general model
//! plus the fitted fixed costs.

use std::collections::BTreeMap;

use crate::measure::Sample;
use crate::model::{self, ChunkCosts, RowCosts, RowOps};
use crate::strategy::Strategy;

/// The fitted costs, in microseconds, and how well they explain the chunk times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Fixed and per-row costs.
    pub costs: ChunkCosts,
    /// Coefficient of determination of the fit over all chunk times.
    pub r_squared: f64,
    /// Chunks (of both strategies) fitted.
    pub samples: usize,
}

impl Fit {
    /// `t_u / t_d`, the ratio the study's model depends on.
    pub fn update_delete_ratio(&self) -> f64 {
        self.costs.rows.t_u / self.costs.rows.t_d
    }
}

/// The regressors of one sample: `[1 if DMI, 1 if recycling, deleted, inserted, updated]`.
fn regressors(sample: &Sample) -> [f64; 5] {
    let ops = sample.strategy.row_ops(sample.n, sample.m);
    let dmi = if sample.strategy == Strategy::DeleteModifyInsert {
        1.0
    } else {
        0.0
    };
    [
        dmi,
        1.0 - dmi,
        f64::from(ops.deleted),
        f64::from(ops.inserted),
        f64::from(ops.updated),
    ]
}

/// Solves `a·x = b` for a small dense system; `None` when it is singular.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let factor = a[row][col] / a[col][col];
            for k in col..N {
                a[row][k] -= factor * a[col][k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let tail: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

/// Fits the fixed and per-row costs to the samples; `None` when the samples cannot
/// determine them (e.g. no chunk ever updated a row).
pub fn fit(samples: &[Sample]) -> Option<Fit> {
    let mut xtx = [[0.0; 5]; 5];
    let mut xty = [0.0; 5];
    for s in samples {
        let x = regressors(s);
        for i in 0..5 {
            for j in 0..5 {
                xtx[i][j] += x[i] * x[j];
            }
            xty[i] += x[i] * s.micros;
        }
    }
    let beta = solve(xtx, xty)?;
    let costs = ChunkCosts {
        fixed_delete_insert: beta[0],
        fixed_recycling: beta[1],
        rows: RowCosts {
            t_d: beta[2],
            t_i: beta[3],
            t_u: beta[4],
        },
    };
    let mean = samples.iter().map(|s| s.micros).sum::<f64>() / samples.len() as f64;
    let (mut residual, mut total) = (0.0, 0.0);
    for s in samples {
        let predicted: f64 = regressors(s).iter().zip(&beta).map(|(x, b)| x * b).sum();
        residual += (s.micros - predicted).powi(2);
        total += (s.micros - mean).powi(2);
    }
    Some(Fit {
        costs,
        r_squared: if total > 0.0 {
            1.0 - residual / total
        } else {
            1.0
        },
        samples: samples.len(),
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
    /// Mean delete-modify-insert chunk time, µs.
    pub delete_insert_us: f64,
    /// Mean row-recycling chunk time, µs.
    pub recycling_us: f64,
    /// `delete_insert_us / recycling_us`.
    pub measured: f64,
    /// The study's model at the measured `t_u/t_d` (`t_i = t_d`, no fixed cost).
    pub study: Option<f64>,
    /// The general model at the measured `t_d`, `t_i`, `t_u` (no fixed cost).
    pub general: Option<f64>,
    /// The general model plus each strategy's fitted fixed cost per chunk.
    pub with_fixed: Option<f64>,
}

/// Relative error of a prediction against the measurement, in percent.
pub fn error_percent(predicted: f64, measured: f64) -> f64 {
    (predicted - measured) / measured * 100.0
}

/// Groups the samples by `(n, m)` and predicts each bucket's speedup with `fit`.
pub fn buckets(samples: &[Sample], fit: &Fit) -> Vec<Bucket> {
    #[derive(Default)]
    struct Sums {
        dmi: f64,
        dmi_count: usize,
        rec: f64,
        rec_count: usize,
    }
    let mut sums: BTreeMap<(u32, u32), Sums> = BTreeMap::new();
    for s in samples {
        let e = sums.entry((s.n, s.m)).or_default();
        match s.strategy {
            Strategy::DeleteModifyInsert => {
                e.dmi += s.micros;
                e.dmi_count += 1;
            }
            Strategy::RowRecycling => {
                e.rec += s.micros;
                e.rec_count += 1;
            }
        }
    }
    let ratio = fit.update_delete_ratio();
    sums.into_iter()
        .filter(|(_, e)| e.dmi_count > 0 && e.rec_count > 0)
        .map(|((n, m), e)| {
            let delete_insert_us = e.dmi / e.dmi_count as f64;
            let recycling_us = e.rec / e.rec_count as f64;
            Bucket {
                n,
                m,
                chunks: e.dmi_count.min(e.rec_count),
                delete_insert_us,
                recycling_us,
                measured: delete_insert_us / recycling_us,
                study: model::speedup(n, m, ratio),
                general: model::speedup_general(n, m, &fit.costs.rows),
                with_fixed: model::speedup_with_fixed(n, m, &fit.costs),
            }
        })
        .collect()
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
                    t.delete_insert_s += s.micros / 1e6;
                    t.chunks += 1;
                }
                Strategy::RowRecycling => t.recycling_s += s.micros / 1e6,
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

    /// Samples produced exactly by known costs, for every (n, m) on a small grid.
    fn synthetic(costs: &ChunkCosts) -> Vec<Sample> {
        let mut samples = Vec::new();
        for n in 0..=6 {
            for m in 0..=6 {
                if n + m == 0 {
                    continue;
                }
                for strategy in Strategy::ALL {
                    let (fixed, ops) = match strategy {
                        Strategy::DeleteModifyInsert => {
                            (costs.fixed_delete_insert, RowOps::delete_insert(n, m))
                        }
                        Strategy::RowRecycling => (costs.fixed_recycling, RowOps::recycling(n, m)),
                    };
                    samples.push(Sample {
                        n,
                        m,
                        strategy,
                        micros: fixed + ops.cost(&costs.rows),
                    });
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
    fn fit_recovers_known_costs() {
        let fit = fit(&synthetic(&COSTS)).unwrap();
        let got = fit.costs;
        for (a, b) in [
            (got.rows.t_d, 12.0),
            (got.rows.t_i, 20.0),
            (got.rows.t_u, 7.0),
            (got.fixed_delete_insert, 900.0),
            (got.fixed_recycling, 850.0),
        ] {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        assert!((fit.r_squared - 1.0).abs() < 1e-9);
        assert!((fit.update_delete_ratio() - 7.0 / 12.0).abs() < 1e-9);
    }

    #[test]
    fn fit_needs_updates_to_price_them() {
        let only_inserts: Vec<Sample> =
            synthetic(&COSTS).into_iter().filter(|s| s.n == 0).collect();
        assert_eq!(fit(&only_inserts), None);
    }

    #[test]
    fn buckets_compare_measured_with_the_fixed_cost_model() {
        let samples = synthetic(&COSTS);
        let fit = fit(&samples).unwrap();
        let buckets = buckets(&samples, &fit);
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
    }

    #[test]
    fn totals_sum_each_strategy() {
        let samples = [
            Sample {
                n: 1,
                m: 1,
                strategy: Strategy::DeleteModifyInsert,
                micros: 3e6,
            },
            Sample {
                n: 1,
                m: 1,
                strategy: Strategy::RowRecycling,
                micros: 1e6,
            },
        ];
        let t = Totals::of(&samples);
        assert_eq!((t.chunks, t.delete_insert_s, t.recycling_s), (1, 3.0, 1.0));
        assert_eq!(t.speedup(), 3.0);
    }

    #[test]
    fn solve_handles_pivoting() {
        let x = solve([[0.0, 2.0], [3.0, 1.0]], [4.0, 5.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
        assert_eq!(solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0]), None);
    }
}
