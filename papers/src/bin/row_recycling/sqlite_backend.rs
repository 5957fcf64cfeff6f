//! SQLite backend: an embedded database in a file on disk, through rusqlite's bundled SQLite.
//!
//! The file runs in WAL mode (`journal_mode=WAL`), the usual setting for a server-side
//! SQLite; [`Commit::Durable`] sets `synchronous=FULL` (every commit flushes the WAL) and
//! [`Commit::NoFlush`] `synchronous=OFF`. Statements are prepared once per table and SQL
//! text (`prepare_cached`), and every chunk is one `BEGIN … COMMIT` transaction
//! (see <https://www.sqlite.org/wal.html> and <https://www.sqlite.org/pragma.html#pragma_synchronous>).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use rusqlite::{Connection, OptionalExtension, params};
use shred::contact::PhoneType;

use crate::database::{ChunkTiming, Commit, Database};
use crate::phones::{PhoneRow, check_table_name, create_index_sql, create_table_sql};
use crate::strategy::Op;

/// Deletes one row by primary key (`{table}` is replaced by the table's name).
const DELETE_SQL: &str = "DELETE FROM {table} WHERE contact_id = ?1 AND slot = ?2";
/// Inserts one row.
const INSERT_SQL: &str =
    "INSERT INTO {table} (contact_id, slot, number, phone_type) VALUES (?1, ?2, ?3, ?4)";
/// Overwrites one row's content by primary key (same parameter order as the insert).
const UPDATE_SQL: &str =
    "UPDATE {table} SET number = ?3, phone_type = ?4 WHERE contact_id = ?1 AND slot = ?2";

/// A SQLite database file.
pub struct Sqlite {
    conn: Connection,
    commit: Commit,
}

impl Sqlite {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &Path, commit: Commit) -> Result<Self> {
        let conn = Connection::open(path)
            .with_context(|| format!("{}: cannot open SQLite database", path.display()))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        ensure!(
            mode == "wal",
            "{}: cannot switch to WAL mode (got {mode})",
            path.display()
        );
        let sync = match commit {
            Commit::Durable => "FULL",
            Commit::NoFlush => "OFF",
        };
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA cache_size=-65536;"
        ))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Sqlite { conn, commit })
    }
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PhoneRow> {
    let phone_type: Option<String> = r.get(3)?;
    Ok(PhoneRow {
        contact_id: r.get(0)?,
        slot: r.get(1)?,
        number: r.get(2)?,
        phone_type: phone_type.as_deref().and_then(PhoneType::parse),
    })
}

impl Database for Sqlite {
    fn describe(&mut self) -> Result<String> {
        let version: String = self
            .conn
            .query_row("SELECT sqlite_version()", [], |r| r.get(0))?;
        let sync = match self.commit {
            Commit::Durable => "synchronous=FULL",
            Commit::NoFlush => "synchronous=OFF",
        };
        Ok(format!(
            "SQLite {version} (file on disk, journal_mode=WAL, {sync}, 64 MiB page cache)"
        ))
    }

    fn create_table(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        self.drop_table(table)?;
        self.conn.execute_batch(&create_table_sql(table))?;
        Ok(())
    }

    fn load(&mut self, table: &str, rows: &[PhoneRow]) -> Result<()> {
        check_table_name(table)?;
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(&INSERT_SQL.replace("{table}", table))?;
            for row in rows {
                insert.execute(params![
                    row.contact_id,
                    row.slot,
                    row.number,
                    row.phone_type_str()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn finish_load(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        self.conn.execute_batch(&create_index_sql(table))?;
        self.conn.execute_batch(&format!(
            "ANALYZE {table}; PRAGMA wal_checkpoint(TRUNCATE);"
        ))?;
        Ok(())
    }

    fn run_chunk(&mut self, table: &str, ops: &[Op]) -> Result<ChunkTiming> {
        check_table_name(table)?;
        let mut timing = ChunkTiming::default();
        // The statements' text is made before the clock starts: only SQLite's work is timed.
        let [delete, insert, update] =
            [DELETE_SQL, INSERT_SQL, UPDATE_SQL].map(|sql| sql.replace("{table}", table));
        let started = Instant::now();
        let tx = self.conn.transaction()?;
        for op in ops {
            let sql = match op {
                Op::Delete { .. } => &delete,
                Op::Insert(_) => &insert,
                Op::Update(_) => &update,
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let op_started = Instant::now();
            let changed = match op {
                Op::Delete { contact_id, slot } => stmt.execute(params![contact_id, slot])?,
                Op::Insert(row) | Op::Update(row) => stmt.execute(params![
                    row.contact_id,
                    row.slot,
                    row.number,
                    row.phone_type_str()
                ])?,
            };
            timing.add(op, op_started.elapsed());
            ensure!(
                changed == 1,
                "{op:?} on {table} changed {changed} rows, expected 1"
            );
        }
        tx.commit()?;
        timing.total_us = started.elapsed().as_secs_f64() * 1e6;
        Ok(timing)
    }

    fn rows(&mut self, table: &str) -> Result<Vec<PhoneRow>> {
        check_table_name(table)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT contact_id, slot, number, phone_type FROM {table} ORDER BY contact_id, slot"
        ))?;
        let rows = stmt
            .query_map([], read_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn rows_of(&mut self, table: &str, contact_ids: &[i64]) -> Result<Vec<PhoneRow>> {
        check_table_name(table)?;
        let mut ids = contact_ids.to_vec();
        ids.sort_unstable();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT contact_id, slot, number, phone_type FROM {table} WHERE contact_id = ?1 ORDER BY slot"
        ))?;
        let mut rows = Vec::new();
        for id in ids {
            for row in stmt.query_map([id], read_row)? {
                rows.push(row?);
            }
        }
        Ok(rows)
    }

    fn count(&mut self, table: &str) -> Result<u64> {
        check_table_name(table)?;
        let n: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn drop_table(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        let exists: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            self.conn.execute_batch(&format!("DROP TABLE {table}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::checks;

    fn open(dir: &tempfile::TempDir) -> Sqlite {
        Sqlite::open(&dir.path().join("phones.sqlite"), Commit::NoFlush).unwrap()
    }

    #[test]
    fn sqlite_both_strategies_end_in_the_same_state() {
        let dir = tempfile::tempdir().unwrap();
        checks::both_strategies_end_in_the_same_state(&mut open(&dir), "same_state");
    }

    #[test]
    fn sqlite_failed_chunk_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        checks::failed_chunk_rolls_back_alone(&mut open(&dir), "rollback");
    }

    #[test]
    fn sqlite_update_of_a_missing_row_fails() {
        let dir = tempfile::tempdir().unwrap();
        checks::update_of_a_missing_row_fails(&mut open(&dir), "missing");
    }

    #[test]
    fn sqlite_durable_mode_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Sqlite::open(&dir.path().join("d.sqlite"), Commit::Durable).unwrap();
        let text = db.describe().unwrap();
        assert!(
            text.contains("synchronous=FULL") && text.contains("WAL"),
            "{text}"
        );
    }

    #[test]
    fn sqlite_rejects_a_bad_table_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(&dir).create_table("x; DROP").unwrap_err();
        assert!(err.to_string().contains("lower-case SQL identifier"));
    }
}
