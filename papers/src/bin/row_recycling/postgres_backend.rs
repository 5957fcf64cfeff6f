//! PostgreSQL backend: a server reached by a connection URL, through the sync `postgres` crate.
//!
//! Each table's four statements (delete, insert, update by primary key, select) are
//! prepared once on the server and reused, so a chunk costs one round trip per row
//! operation plus `BEGIN` and `COMMIT`. Loading uses `COPY … FROM STDIN` (text format),
//! then the secondary index is built and the table `VACUUM ANALYZE`d. [`Commit::Durable`]
//! keeps `synchronous_commit=on` (a commit waits for its WAL flush), [`Commit::NoFlush`]
//! sets it `off` for the session (see the PostgreSQL manual, "WAL Configuration" and
//! "Asynchronous Commit").

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use postgres::{Client, NoTls, Statement};
use shred::contact::PhoneType;

use crate::database::{ChunkTiming, Commit, Database};
use crate::phones::{PhoneRow, check_table_name, create_index_sql, create_table_sql};
use crate::strategy::Op;

/// The prepared statements of one table.
struct Statements {
    delete: Statement,
    insert: Statement,
    update: Statement,
}

/// A connection to a PostgreSQL database.
pub struct Postgres {
    client: Client,
    commit: Commit,
    statements: HashMap<String, Statements>,
}

impl Postgres {
    /// Connects to `url` (e.g. `postgres://postgres@127.0.0.1:55432/shredkit`).
    pub fn connect(url: &str, commit: Commit) -> Result<Self> {
        let mut client = Client::connect(url, NoTls)
            .with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
        let setting = match commit {
            Commit::Durable => "on",
            Commit::NoFlush => "off",
        };
        client.batch_execute(&format!(
            "SET synchronous_commit = {setting}; SET client_min_messages = warning;"
        ))?;
        Ok(Postgres {
            client,
            commit,
            statements: HashMap::new(),
        })
    }

    fn statements(&mut self, table: &str) -> Result<&Statements> {
        if !self.statements.contains_key(table) {
            check_table_name(table)?;
            let prepared = Statements {
                delete: self
                    .client
                    .prepare(&format!("DELETE FROM {table} WHERE contact_id = $1 AND slot = $2"))?,
                insert: self.client.prepare(&format!(
                    "INSERT INTO {table} (contact_id, slot, number, phone_type) VALUES ($1, $2, $3, $4)"
                ))?,
                update: self.client.prepare(&format!(
                    "UPDATE {table} SET number = $3, phone_type = $4 WHERE contact_id = $1 AND slot = $2"
                ))?,
            };
            self.statements.insert(table.to_string(), prepared);
        }
        Ok(&self.statements[table])
    }
}

fn read_row(r: &postgres::Row) -> PhoneRow {
    let phone_type: Option<&str> = r.get(3);
    PhoneRow {
        contact_id: r.get(0),
        slot: r.get(1),
        number: r.get(2),
        phone_type: phone_type.and_then(PhoneType::parse),
    }
}

impl Database for Postgres {
    fn describe(&mut self) -> Result<String> {
        let version: String = self.client.query_one("SHOW server_version", &[])?.get(0);
        let buffers: String = self.client.query_one("SHOW shared_buffers", &[])?.get(0);
        let sync = match self.commit {
            Commit::Durable => "synchronous_commit=on",
            Commit::NoFlush => "synchronous_commit=off",
        };
        Ok(format!(
            "PostgreSQL {version} (local server over TCP loopback, {sync}, shared_buffers={buffers})"
        ))
    }

    fn create_table(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        self.drop_table(table)?;
        self.client.batch_execute(&create_table_sql(table))?;
        Ok(())
    }

    fn load(&mut self, table: &str, rows: &[PhoneRow]) -> Result<()> {
        check_table_name(table)?;
        let mut tx = self.client.transaction()?;
        {
            let mut copy = tx.copy_in(&format!(
                "COPY {table} (contact_id, slot, number, phone_type) FROM STDIN"
            ))?;
            let mut line = String::new();
            for row in rows {
                use std::fmt::Write as _;
                line.clear();
                let number = row.number.as_deref().unwrap_or("\\N");
                ensure!(
                    !number.contains(['\t', '\n', '\\']) || row.number.is_none(),
                    "contact {} slot {}: number {number:?} needs COPY escaping",
                    row.contact_id,
                    row.slot
                );
                let phone_type = row.phone_type_str().unwrap_or("\\N");
                writeln!(
                    line,
                    "{}\t{}\t{number}\t{phone_type}",
                    row.contact_id, row.slot
                )?;
                copy.write_all(line.as_bytes())?;
            }
            copy.finish()?;
        }
        tx.commit()?;
        Ok(())
    }

    fn finish_load(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        self.client.batch_execute(&create_index_sql(table))?;
        self.client
            .batch_execute(&format!("VACUUM ANALYZE {table}"))?;
        Ok(())
    }

    fn run_chunk(&mut self, table: &str, ops: &[Op]) -> Result<ChunkTiming> {
        self.statements(table)?;
        let statements = &self.statements[table];
        let mut timing = ChunkTiming::default();
        let started = Instant::now();
        let mut tx = self.client.transaction()?;
        for op in ops {
            let op_started = Instant::now();
            let changed = match op {
                Op::Delete { contact_id, slot } => {
                    tx.execute(&statements.delete, &[contact_id, slot])?
                }
                Op::Insert(row) => tx.execute(
                    &statements.insert,
                    &[
                        &row.contact_id,
                        &row.slot,
                        &row.number,
                        &row.phone_type_str(),
                    ],
                )?,
                Op::Update(row) => tx.execute(
                    &statements.update,
                    &[
                        &row.contact_id,
                        &row.slot,
                        &row.number,
                        &row.phone_type_str(),
                    ],
                )?,
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
        let rows = self.client.query(
            &format!(
                "SELECT contact_id, slot, number, phone_type FROM {table} ORDER BY contact_id, slot"
            ),
            &[],
        )?;
        Ok(rows.iter().map(read_row).collect())
    }

    fn rows_of(&mut self, table: &str, contact_ids: &[i64]) -> Result<Vec<PhoneRow>> {
        check_table_name(table)?;
        let rows = self.client.query(
            &format!(
                "SELECT contact_id, slot, number, phone_type FROM {table} \
                 WHERE contact_id = ANY($1) ORDER BY contact_id, slot"
            ),
            &[&contact_ids],
        )?;
        Ok(rows.iter().map(read_row).collect())
    }

    fn count(&mut self, table: &str) -> Result<u64> {
        check_table_name(table)?;
        let n: i64 = self
            .client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .get(0);
        Ok(n as u64)
    }

    fn drop_table(&mut self, table: &str) -> Result<()> {
        check_table_name(table)?;
        self.statements.remove(table);
        self.client
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}"))?;
        Ok(())
    }
}

/// Tests against a real server: they read `SHREDKIT_PG_URL` (set by `.ci/start-postgres`)
/// and fail when it is unset. Run them with
/// `cargo test -p papers --bin row-recycling postgres_backend`.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::checks;

    /// The server URL; panics with instructions when the variable is unset.
    pub fn url() -> String {
        std::env::var("SHREDKIT_PG_URL").expect(
            "SHREDKIT_PG_URL is unset: start a server with `eval \"$(bash .ci/start-postgres)\"`",
        )
    }

    fn connect() -> Postgres {
        Postgres::connect(&url(), Commit::NoFlush).unwrap()
    }

    #[test]
    fn postgres_both_strategies_end_in_the_same_state() {
        checks::both_strategies_end_in_the_same_state(&mut connect(), "test_same_state");
    }

    #[test]
    fn postgres_failed_chunk_rolls_back_alone() {
        checks::failed_chunk_rolls_back_alone(&mut connect(), "test_rollback");
    }

    #[test]
    fn postgres_update_of_a_missing_row_fails() {
        checks::update_of_a_missing_row_fails(&mut connect(), "test_missing");
    }

    #[test]
    fn postgres_durable_mode_is_reported() {
        let mut db = Postgres::connect(&url(), Commit::Durable).unwrap();
        let text = db.describe().unwrap();
        assert!(text.contains("synchronous_commit=on"), "{text}");
    }

    #[test]
    fn postgres_tiny_run_writes_reports_and_plots() {
        let dir = tempfile::tempdir().unwrap();
        let url = url();
        let args = crate::tests::tiny_args(
            dir.path(),
            &["--postgres", &url, "--table-prefix", "test_tiny_run"],
        );
        let files = crate::run(&args).unwrap();
        let report = crate::tests::check_run(&files, "postgres-no-flush");
        assert!(report.contains("PostgreSQL"));
    }

    #[test]
    fn postgres_bad_url_is_a_clear_error() {
        let err = Postgres::connect("postgres://nobody@127.0.0.1:1/none", Commit::Durable)
            .err()
            .expect("port 1 has no server");
        assert!(
            err.to_string().contains("cannot connect to PostgreSQL at"),
            "{err}"
        );
    }
}
