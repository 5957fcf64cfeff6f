//! Running the nightly job on a database with both strategies and timing every chunk.
//!
//! The two strategies work on two tables loaded with the same rows and replay the same
//! chunks. They run interleaved, chunk by chunk, so that both see the same machine, cache
//! and log state over the run; the order inside each pair alternates (delete-modify-insert
//! first on even chunks, row recycling first on odd ones) so neither always profits from
//! the other warming the cache. Each chunk's time is the wall time of its whole
//! transaction, `BEGIN` to the return of `COMMIT`, as the study times one chunk; the
//! backend also times each row statement inside it, which gives `t_d`, `t_i`, `t_u`
//! directly (see [`crate::analysis`]).

use anyhow::{Context, Result};

use crate::database::{ChunkTiming, Database};
use crate::job::Job;
use crate::strategy::{Op, Strategy};

/// The two tables the strategies write to.
#[derive(Debug, Clone)]
pub struct Tables {
    /// The table delete-modify-insert writes.
    pub delete_insert: String,
    /// The table row recycling writes.
    pub recycling: String,
}

impl Tables {
    /// The table a strategy writes.
    pub fn of(&self, strategy: Strategy) -> &str {
        match strategy {
            Strategy::DeleteModifyInsert => &self.delete_insert,
            Strategy::RowRecycling => &self.recycling,
        }
    }
}

/// One timed chunk of one strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Rows before.
    pub n: u32,
    /// Rows after.
    pub m: u32,
    /// The strategy that wrote it.
    pub strategy: Strategy,
    /// Where the chunk's time went; `timing.total_us` is the whole transaction.
    pub timing: ChunkTiming,
}

/// Runs `nights` nights of `job` with both strategies and returns every chunk's time.
/// `progress` is called after each night with the night's index and its chunk count.
pub fn run_job(
    db: &mut dyn Database,
    tables: &Tables,
    job: &mut Job,
    mut progress: impl FnMut(u32, usize),
) -> Result<Vec<Sample>> {
    let mut samples = Vec::new();
    let mut ops: Vec<Op> = Vec::new();
    let mut index = 0usize;
    for night in 0..job.config().nights {
        let chunks = job.night(night);
        for chunk in &chunks {
            let order = if index.is_multiple_of(2) {
                Strategy::ALL
            } else {
                [Strategy::RowRecycling, Strategy::DeleteModifyInsert]
            };
            for strategy in order {
                strategy.ops(chunk, &mut ops);
                let timing = db.run_chunk(tables.of(strategy), &ops).with_context(|| {
                    format!(
                        "night {night}, contact {}: {} chunk ({} -> {} rows) failed",
                        chunk.contact_id,
                        strategy.label(),
                        chunk.n(),
                        chunk.m()
                    )
                })?;
                samples.push(Sample {
                    n: chunk.n(),
                    m: chunk.m(),
                    strategy,
                    timing,
                });
            }
            index += 1;
        }
        progress(night, chunks.len());
    }
    Ok(samples)
}
