//! The row-recycling cost model: predicted speedup of recycling rows over delete-modify-insert.
//!
//! A chunk holds `n` rows before the nightly job and must hold `m` rows after it. The row
//! recycling study prices the two ways of getting there per row operation:
//!
//! ```text
//! delete-modify-insert  T_o = n·t_d + m·t_i
//! row recycling         T_n = (n−m)⁺·t_d + (m−n)⁺·t_i + min(n, m)·t_u
//! speedup               S   = T_o / T_n
//! ```
//!
//! With the study's simplification `t_i = t_d` this is
//! `S = (n + m) / (|n − m| + min(n, m)·t_u/t_d)`, a function of the ratio `t_u/t_d` alone
//! ([`speedup`]); the study plots it for the ratios in [`STUDY_RATIOS`]. [`speedup_general`]
//! keeps `t_i` separate, and [`ChunkCosts`] adds what neither formula has: a fixed cost per
//! chunk (its transaction: `BEGIN`, `COMMIT`, the log flush, client round trips), which a
//! real database pays once per chunk whatever the strategy.
//!
//! For example `speedup(4, 4, 1.0) == Some(2.0)` (equal counts at ratio 1: recycling does
//! half the row work) and `speedup(7, 3, 2.0) == Some(1.0)` (at ratio 2 an update costs a
//! delete plus an insert: no gain anywhere). Binaries run no doctests: the unit tests below
//! check these points.

/// The ratios `t_u/t_d` the study plots its speedup surfaces for.
pub const STUDY_RATIOS: [f64; 5] = [0.01, 0.1, 1.0, 2.0, 10.0];

/// The largest chunk size (rows) the study's surfaces cover: `n, m ∈ [0, MAX_ROWS]`.
pub const MAX_ROWS: u32 = 10;

/// Cost of one row operation, in any time unit (the report uses microseconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowCosts {
    /// Deleting one row.
    pub t_d: f64,
    /// Inserting one row.
    pub t_i: f64,
    /// Updating one row in place.
    pub t_u: f64,
}

/// Row costs plus a fixed cost per chunk (per transaction) for each strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkCosts {
    /// The per-row costs.
    pub rows: RowCosts,
    /// Fixed cost of one delete-modify-insert chunk (its transaction), whatever `n`, `m`.
    pub fixed_delete_insert: f64,
    /// Fixed cost of one row-recycling chunk.
    pub fixed_recycling: f64,
}

/// How many rows each kind of operation touches when a chunk goes from `n` to `m` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowOps {
    /// Rows deleted.
    pub deleted: u32,
    /// Rows inserted.
    pub inserted: u32,
    /// Rows updated in place.
    pub updated: u32,
}

impl RowOps {
    /// Delete-modify-insert: delete all `n` rows, insert all `m`.
    pub fn delete_insert(n: u32, m: u32) -> Self {
        RowOps {
            deleted: n,
            inserted: m,
            updated: 0,
        }
    }

    /// Row recycling: update `min(n, m)` rows, delete or insert only the difference.
    pub fn recycling(n: u32, m: u32) -> Self {
        RowOps {
            deleted: n.saturating_sub(m),
            inserted: m.saturating_sub(n),
            updated: n.min(m),
        }
    }

    /// The cost of these operations at `costs` per row.
    pub fn cost(self, costs: &RowCosts) -> f64 {
        f64::from(self.deleted) * costs.t_d
            + f64::from(self.inserted) * costs.t_i
            + f64::from(self.updated) * costs.t_u
    }
}

/// The study's speedup `S = (n + m) / (|n − m| + min(n, m)·ratio)` with `t_i = t_d` and
/// `ratio = t_u/t_d`. `None` for `n = m = 0` (no work either way, 0/0).
pub fn speedup(n: u32, m: u32, ratio: f64) -> Option<f64> {
    speedup_general(
        n,
        m,
        &RowCosts {
            t_d: 1.0,
            t_i: 1.0,
            t_u: ratio,
        },
    )
}

/// The speedup without the `t_i = t_d` simplification: `T_o / T_n` with separate
/// delete, insert and update costs. `None` when `T_n` is zero (`n = m = 0`, or free
/// operations).
pub fn speedup_general(n: u32, m: u32, costs: &RowCosts) -> Option<f64> {
    let old = RowOps::delete_insert(n, m).cost(costs);
    let new = RowOps::recycling(n, m).cost(costs);
    (new > 0.0).then(|| old / new)
}

/// The speedup when each chunk also pays its strategy's fixed per-transaction cost.
pub fn speedup_with_fixed(n: u32, m: u32, costs: &ChunkCosts) -> Option<f64> {
    let old = costs.fixed_delete_insert + RowOps::delete_insert(n, m).cost(&costs.rows);
    let new = costs.fixed_recycling + RowOps::recycling(n, m).cost(&costs.rows);
    (new > 0.0).then(|| old / new)
}

/// The largest and smallest speedup over `n, m ∈ [0, MAX_ROWS]` (excluding 0/0) at `ratio`.
pub fn speedup_range(ratio: f64) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for n in 0..=MAX_ROWS {
        for m in 0..=MAX_ROWS {
            if let Some(s) = speedup(n, m, ratio) {
                lo = lo.min(s);
                hi = hi.max(s);
            }
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn equal_counts_give_two_over_ratio() {
        for n in 1..=MAX_ROWS {
            assert!(close(speedup(n, n, 1.0).unwrap(), 2.0));
            assert!(close(speedup(n, n, 0.1).unwrap(), 20.0));
            assert!(close(speedup(n, n, 0.01).unwrap(), 200.0));
            assert!(close(speedup(n, n, 10.0).unwrap(), 0.2));
        }
    }

    #[test]
    fn ratio_two_is_a_plane_at_one() {
        for n in 0..=MAX_ROWS {
            for m in 0..=MAX_ROWS {
                if n + m > 0 {
                    assert!(close(speedup(n, m, 2.0).unwrap(), 1.0), "n={n} m={m}");
                }
            }
        }
    }

    #[test]
    fn pure_insert_or_delete_gives_no_speedup() {
        for ratio in STUDY_RATIOS {
            assert!(close(speedup(0, 7, ratio).unwrap(), 1.0));
            assert!(close(speedup(5, 0, ratio).unwrap(), 1.0));
        }
    }

    #[test]
    fn known_points_off_the_diagonal() {
        // (3 + 5) / (2 + 3·0.1) = 8 / 2.3
        assert!(close(speedup(3, 5, 0.1).unwrap(), 8.0 / 2.3));
        // (10 + 1) / (9 + 1·10) = 11 / 19
        assert!(close(speedup(10, 1, 10.0).unwrap(), 11.0 / 19.0));
    }

    #[test]
    fn empty_chunk_has_no_speedup() {
        assert_eq!(speedup(0, 0, 1.0), None);
    }

    #[test]
    fn study_ranges_are_the_surfaces_extremes() {
        assert_eq!(speedup_range(1.0), (1.0, 2.0));
        assert_eq!(speedup_range(2.0), (1.0, 1.0));
        let (lo, hi) = speedup_range(10.0);
        assert!(close(lo, 0.2) && close(hi, 1.0));
        let (lo, hi) = speedup_range(0.1);
        assert!(close(lo, 1.0) && close(hi, 20.0));
    }

    #[test]
    fn general_model_reduces_to_the_study_when_insert_equals_delete() {
        let costs = RowCosts {
            t_d: 3.0,
            t_i: 3.0,
            t_u: 1.5,
        };
        for (n, m) in [(1, 1), (2, 7), (9, 4), (0, 3)] {
            assert!(close(
                speedup_general(n, m, &costs).unwrap(),
                speedup(n, m, 0.5).unwrap()
            ));
        }
    }

    #[test]
    fn general_model_charges_growth_at_insert_cost() {
        let costs = RowCosts {
            t_d: 1.0,
            t_i: 4.0,
            t_u: 2.0,
        };
        // T_o = 2·1 + 5·4 = 22, T_n = 3·4 + 2·2 = 16
        assert!(close(speedup_general(2, 5, &costs).unwrap(), 22.0 / 16.0));
    }

    #[test]
    fn fixed_cost_pulls_the_speedup_towards_one() {
        let rows = RowCosts {
            t_d: 1.0,
            t_i: 1.0,
            t_u: 0.1,
        };
        let fixed = ChunkCosts {
            rows,
            fixed_delete_insert: 100.0,
            fixed_recycling: 100.0,
        };
        let s = speedup_with_fixed(3, 3, &fixed).unwrap();
        assert!(close(s, 106.0 / 100.3));
        assert!(s < speedup_general(3, 3, &rows).unwrap());
    }
}
