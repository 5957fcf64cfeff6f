//! The two ways to write a cleaned chunk back: delete-modify-insert and row recycling.
//!
//! A strategy turns a [`Chunk`] (rows before, rows after) into row operations that a
//! database runs in one transaction. Each operation is one statement on one row, addressed
//! by the primary key `(contact_id, slot)`, so that the measured costs are the per-row
//! `t_d`, `t_i`, `t_u` of the study's model:
//!
//! - delete-modify-insert deletes the chunk's `n` rows and inserts its `m` new ones;
//! - row recycling updates the first `min(n, m)` rows in place, then deletes the surplus
//!   rows (`n > m`) or inserts the missing ones (`m > n`).
//!
//! Both leave the chunk holding exactly `chunk.new`.

use crate::job::Chunk;
use crate::model::RowOps;
use crate::phones::PhoneRow;

/// One row operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Delete the row at `(contact_id, slot)`.
    Delete {
        /// The contact.
        contact_id: i64,
        /// The slot.
        slot: i32,
    },
    /// Insert a row.
    Insert(PhoneRow),
    /// Overwrite `number` and `phone_type` of the row at the row's `(contact_id, slot)`.
    Update(PhoneRow),
}

/// How a chunk is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Delete all old rows, insert all new rows (the usual code).
    DeleteModifyInsert,
    /// Update `min(n, m)` rows in place, delete or insert only the difference.
    RowRecycling,
}

impl Strategy {
    /// Both strategies.
    pub const ALL: [Strategy; 2] = [Strategy::DeleteModifyInsert, Strategy::RowRecycling];

    /// A short label for tables and plots.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::DeleteModifyInsert => "delete-modify-insert",
            Strategy::RowRecycling => "row recycling",
        }
    }

    /// How many rows of each kind of operation this strategy does for a chunk going from
    /// `n` to `m` rows.
    pub fn row_ops(self, n: u32, m: u32) -> RowOps {
        match self {
            Strategy::DeleteModifyInsert => RowOps::delete_insert(n, m),
            Strategy::RowRecycling => RowOps::recycling(n, m),
        }
    }

    /// Appends the operations that write `chunk` back to `ops` (cleared first).
    pub fn ops(self, chunk: &Chunk, ops: &mut Vec<Op>) {
        ops.clear();
        let delete = |row: &PhoneRow| Op::Delete {
            contact_id: row.contact_id,
            slot: row.slot,
        };
        match self {
            Strategy::DeleteModifyInsert => {
                ops.extend(chunk.old.iter().map(delete));
                ops.extend(chunk.new.iter().cloned().map(Op::Insert));
            }
            Strategy::RowRecycling => {
                let kept = chunk.old.len().min(chunk.new.len());
                ops.extend(chunk.new[..kept].iter().cloned().map(Op::Update));
                ops.extend(chunk.old[kept..].iter().map(delete));
                ops.extend(chunk.new[kept..].iter().cloned().map(Op::Insert));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::contact::PhoneType;

    fn row(slot: i32, number: &str) -> PhoneRow {
        PhoneRow {
            contact_id: 3,
            slot,
            number: Some(number.into()),
            phone_type: Some(PhoneType::Work),
        }
    }

    fn chunk(n: i32, m: i32) -> Chunk {
        Chunk {
            contact_id: 3,
            old: (0..n).map(|s| row(s, "old")).collect(),
            new: (0..m).map(|s| row(s, "new")).collect(),
        }
    }

    fn count(ops: &[Op]) -> RowOps {
        let mut c = RowOps::default();
        for op in ops {
            match op {
                Op::Delete { .. } => c.deleted += 1,
                Op::Insert(_) => c.inserted += 1,
                Op::Update(_) => c.updated += 1,
            }
        }
        c
    }

    #[test]
    fn ops_match_the_model_counts() {
        let mut ops = Vec::new();
        for (n, m) in [(0, 3), (3, 0), (2, 5), (5, 2), (4, 4)] {
            let c = chunk(n, m);
            for s in Strategy::ALL {
                s.ops(&c, &mut ops);
                assert_eq!(count(&ops), s.row_ops(c.n(), c.m()), "{s:?} n={n} m={m}");
            }
        }
    }

    #[test]
    fn recycling_updates_then_trims_the_tail() {
        let mut ops = Vec::new();
        Strategy::RowRecycling.ops(&chunk(4, 2), &mut ops);
        assert_eq!(
            ops,
            vec![
                Op::Update(row(0, "new")),
                Op::Update(row(1, "new")),
                Op::Delete {
                    contact_id: 3,
                    slot: 2
                },
                Op::Delete {
                    contact_id: 3,
                    slot: 3
                },
            ]
        );
    }

    #[test]
    fn delete_modify_insert_deletes_before_inserting() {
        let mut ops = Vec::new();
        Strategy::DeleteModifyInsert.ops(&chunk(1, 2), &mut ops);
        assert!(matches!(ops[0], Op::Delete { slot: 0, .. }));
        assert_eq!(
            ops[1..],
            [Op::Insert(row(0, "new")), Op::Insert(row(1, "new"))]
        );
    }
}
