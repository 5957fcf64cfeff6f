//! The database interface the job runs against, shared by the SQLite and PostgreSQL backends.
//!
//! A [`Database`] holds phones tables (schema in [`crate::phones`]), bulk-loads rows, runs
//! one chunk's row operations as one transaction, and reads a table back in key order.
//! `run_chunk` is all or nothing: if any operation fails the transaction is rolled back
//! and the table is as it was before the chunk, while earlier chunks stay committed.
//! The backend-independent checks ([`checks`]) are run by each backend's tests.

use anyhow::Result;

use crate::phones::PhoneRow;
use crate::strategy::Op;

/// When a commit returns: after the log is flushed to disk, or before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Commit {
    /// The commit waits for the log flush (SQLite `synchronous=FULL` in WAL mode,
    /// PostgreSQL `synchronous_commit=on`): the databases' durable defaults.
    Durable,
    /// The commit does not wait for a flush (SQLite `synchronous=OFF`, PostgreSQL
    /// `synchronous_commit=off`): isolates the row work from the log flush.
    NoFlush,
}

/// Where one chunk's time went, as measured inside [`Database::run_chunk`], in µs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChunkTiming {
    /// Time spent in delete statements.
    pub delete_us: f64,
    /// Time spent in insert statements.
    pub insert_us: f64,
    /// Time spent in update statements.
    pub update_us: f64,
    /// Time from the start of the transaction to the return of `COMMIT`.
    pub total_us: f64,
}

impl ChunkTiming {
    /// Adds `elapsed` to the bucket of `op`'s kind.
    pub fn add(&mut self, op: &Op, elapsed: std::time::Duration) {
        let us = elapsed.as_secs_f64() * 1e6;
        match op {
            Op::Delete { .. } => self.delete_us += us,
            Op::Insert(_) => self.insert_us += us,
            Op::Update(_) => self.update_us += us,
        }
    }

    /// The part of the chunk spent outside the row statements: `BEGIN`, `COMMIT` (with
    /// its log flush) and the client's own work.
    pub fn fixed_us(&self) -> f64 {
        self.total_us - self.delete_us - self.insert_us - self.update_us
    }
}

/// A database holding phones tables.
pub trait Database {
    /// The database's name and version and its durability settings, for the report.
    fn describe(&mut self) -> Result<String>;
    /// Drops `table` if it exists and creates it empty, primary key only.
    fn create_table(&mut self, table: &str) -> Result<()>;
    /// Appends `rows` to `table` in one transaction (the fastest bulk path of the backend).
    fn load(&mut self, table: &str, rows: &[PhoneRow]) -> Result<()>;
    /// Builds the secondary index and refreshes the planner's statistics after loading.
    fn finish_load(&mut self, table: &str) -> Result<()>;
    /// Runs `ops` on `table` in one transaction; on any error rolls it back and fails.
    /// Returns the time of every statement and of the whole transaction.
    fn run_chunk(&mut self, table: &str, ops: &[Op]) -> Result<ChunkTiming>;
    /// Every row of `table`, ordered by `(contact_id, slot)`.
    fn rows(&mut self, table: &str) -> Result<Vec<PhoneRow>>;
    /// The rows of the given contacts, ordered by `(contact_id, slot)`.
    fn rows_of(&mut self, table: &str, contact_ids: &[i64]) -> Result<Vec<PhoneRow>>;
    /// Number of rows in `table`.
    fn count(&mut self, table: &str) -> Result<u64>;
    /// Drops `table` if it exists.
    fn drop_table(&mut self, table: &str) -> Result<()>;
}

/// The first difference between two row lists, described, or `None` when they are equal.
pub fn first_difference(left: &[PhoneRow], right: &[PhoneRow]) -> Option<String> {
    for (i, (l, r)) in left.iter().zip(right).enumerate() {
        if l != r {
            return Some(format!("row {i}: {l:?} != {r:?}"));
        }
    }
    (left.len() != right.len())
        .then(|| format!("row counts differ: {} != {}", left.len(), right.len()))
}

/// Backend-independent checks, run by the SQLite and PostgreSQL tests.
#[cfg(test)]
pub mod checks {
    use super::*;
    use crate::job::{Job, JobConfig};
    use crate::strategy::Strategy;
    use shred::contact::PhoneType;

    fn row(contact_id: i64, slot: i32, number: &str) -> PhoneRow {
        PhoneRow {
            contact_id,
            slot,
            number: Some(number.into()),
            phone_type: Some(PhoneType::Home),
        }
    }

    /// A small working set: contact `c` has `c % 5` phones, some with null fields.
    fn initial() -> Vec<(i64, Vec<PhoneRow>)> {
        (0..60)
            .map(|c| {
                let rows = (0..(c % 5) as i32)
                    .map(|s| {
                        let mut r = row(c, s, &format!("+91-{c:05}{s:05}"));
                        if (c + i64::from(s)) % 7 == 0 {
                            r.number = None;
                        }
                        if (c + i64::from(s)) % 11 == 0 {
                            r.phone_type = None;
                        }
                        r
                    })
                    .collect();
                (c, rows)
            })
            .collect()
    }

    /// Both strategies, replaying the same job on two tables loaded alike, end with the
    /// same rows, compared row by row, and those rows are the job's expected state.
    pub fn both_strategies_end_in_the_same_state(db: &mut dyn Database, prefix: &str) {
        let start = initial();
        let loaded: Vec<PhoneRow> = start.iter().flat_map(|(_, r)| r.clone()).collect();
        let tables = [format!("{prefix}_dmi"), format!("{prefix}_rec")];
        for table in &tables {
            db.create_table(table).unwrap();
            db.load(table, &loaded).unwrap();
            db.finish_load(table).unwrap();
        }
        let mut job = Job::new(
            JobConfig {
                seed: 11,
                nights: 3,
                ..JobConfig::default()
            },
            start,
        );
        let mut ops = Vec::new();
        let mut chunks = 0;
        for night in 0..3 {
            for chunk in job.night(night) {
                for (strategy, table) in Strategy::ALL.into_iter().zip(&tables) {
                    strategy.ops(&chunk, &mut ops);
                    let t = db.run_chunk(table, &ops).unwrap();
                    let parts = [t.delete_us, t.insert_us, t.update_us];
                    assert!(
                        parts.iter().all(|&p| p >= 0.0) && t.fixed_us() > 0.0,
                        "{t:?}"
                    );
                    let ran = strategy.row_ops(chunk.n(), chunk.m());
                    assert_eq!(ran.updated > 0, t.update_us > 0.0, "{t:?}");
                }
                chunks += 1;
            }
        }
        assert!(chunks > 100, "the job ran {chunks} chunks");
        let dmi = db.rows(&tables[0]).unwrap();
        let rec = db.rows(&tables[1]).unwrap();
        assert_eq!(first_difference(&dmi, &rec), None);
        assert_eq!(first_difference(&dmi, &job.rows()), None);
        assert_ne!(
            first_difference(&dmi, &loaded),
            None,
            "the job changed nothing"
        );
        for table in &tables {
            db.drop_table(table).unwrap();
        }
    }

    /// A failure in the middle of a chunk rolls back that chunk only: the chunk before it
    /// stays committed, and the table can take the next chunk.
    pub fn failed_chunk_rolls_back_alone(db: &mut dyn Database, table: &str) {
        db.create_table(table).unwrap();
        db.load(table, &[row(1, 0, "a"), row(1, 1, "b"), row(2, 0, "c")])
            .unwrap();
        db.finish_load(table).unwrap();
        // chunk 1 commits: contact 1 recycled from 2 rows to 1
        db.run_chunk(
            table,
            &[
                Op::Update(row(1, 0, "a2")),
                Op::Delete {
                    contact_id: 1,
                    slot: 1,
                },
            ],
        )
        .unwrap();
        let committed = db.rows(table).unwrap();
        assert_eq!(committed, vec![row(1, 0, "a2"), row(2, 0, "c")]);
        // chunk 2 fails at its third operation (slot 0 of contact 2 already exists)
        let failing = [
            Op::Update(row(1, 0, "lost")),
            Op::Insert(row(1, 1, "lost")),
            Op::Insert(row(2, 0, "duplicate")),
            Op::Insert(row(2, 1, "never")),
        ];
        assert!(db.run_chunk(table, &failing).is_err());
        assert_eq!(db.rows(table).unwrap(), committed);
        // the next chunk still commits
        db.run_chunk(table, &[Op::Insert(row(3, 0, "d"))]).unwrap();
        assert_eq!(db.count(table).unwrap(), 3);
        assert_eq!(
            db.rows_of(table, &[3, 2]).unwrap(),
            vec![row(2, 0, "c"), row(3, 0, "d")]
        );
        db.drop_table(table).unwrap();
    }

    /// An update of a missing row fails the chunk instead of silently doing nothing.
    pub fn update_of_a_missing_row_fails(db: &mut dyn Database, table: &str) {
        db.create_table(table).unwrap();
        db.load(table, &[row(1, 0, "a")]).unwrap();
        assert!(
            db.run_chunk(
                table,
                &[Op::Update(row(1, 0, "b")), Op::Update(row(9, 0, "x"))]
            )
            .is_err()
        );
        assert!(
            db.run_chunk(
                table,
                &[Op::Delete {
                    contact_id: 9,
                    slot: 0
                }]
            )
            .is_err(),
            "deleting a missing row must fail too"
        );
        assert_eq!(db.rows(table).unwrap(), vec![row(1, 0, "a")]);
        db.drop_table(table).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_names_the_row() {
        let a = PhoneRow {
            contact_id: 1,
            slot: 0,
            number: None,
            phone_type: None,
        };
        let mut b = a.clone();
        assert_eq!(
            first_difference(std::slice::from_ref(&a), std::slice::from_ref(&b)),
            None
        );
        b.slot = 1;
        assert!(
            first_difference(std::slice::from_ref(&a), &[b])
                .unwrap()
                .starts_with("row 0:")
        );
        assert!(
            first_difference(std::slice::from_ref(&a), &[a.clone(), a.clone()])
                .unwrap()
                .contains("1 != 2")
        );
    }
}
