//! The records a `shred` command streams in: the flags every record-reading subcommand
//! shares, the reader they open, its progress bar, and the report of skipped records.
//!
//! `levels`, `roundtrip` and `write` read alike: the schema is compiled once into a
//! [`SchemaPlan`] and the records (a file or `-` for stdin, NDJSON or one JSON array) are
//! streamed as row groups of `--row-group-size` records by [`crate::json_reader`] on
//! `--threads` threads, so memory is bounded by a few row groups whatever the input size,
//! and the row groups never depend on the thread count. The first bad record stops the
//! command with the reader's message (file, record, line, field path, what was expected and
//! what was found; exit 2). With `--skip-bad`, bad records are skipped and counted, the
//! first few errors are printed on stderr at the end, and the command fails (exit 2) only
//! when every record was bad.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::json_reader::{JsonReader, ReadOptions, ReadSummary, RowGroup};
use crate::schema_plan::SchemaPlan;
use crate::{Schema, Stripe};

use super::progress::ReadBar;

/// The input flags of `levels`, `roundtrip` and `write`.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Parquet message-type schema file.
    #[arg(long)]
    pub schema: PathBuf,
    /// Records: NDJSON or one JSON array (`-` for stdin).
    pub records: PathBuf,
    /// Records per row group.
    #[arg(
        long,
        default_value_t = crate::DEFAULT_ROW_GROUP_SIZE as u64,
        value_parser = clap::value_parser!(u64).range(1..),
        value_name = "N"
    )]
    pub row_group_size: u64,
    /// Skip records that are malformed or do not fit the schema: count them and print the
    /// first errors at the end (exit 2 only when every record was bad).
    #[arg(long)]
    pub skip_bad: bool,
    /// Parsing and encoding threads [default: the cores available]; the output does not
    /// depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
    pub threads: Option<u64>,
    /// Never show the progress bar (shown on stderr, when it is a terminal, for reads
    /// longer than a second).
    #[arg(long, short)]
    pub quiet: bool,
}

/// An input being read, row group by row group.
pub struct Input {
    plan: Arc<SchemaPlan>,
    reader: JsonReader,
    name: String,
    threads: usize,
    /// Erased when the input is dropped, whether the read succeeded or not.
    _bar: ReadBar,
}

/// How many skipped records' errors are printed.
const REPORTED_ERRORS: usize = 5;

impl InputArgs {
    /// Reads the schema and starts reading the records; `keep_records` also gives every
    /// row group its records in canonical form ([`RowGroup::canonical`]).
    pub fn open(&self, keep_records: bool) -> Result<Input> {
        self.open_schema(self.schema()?, keep_records)
    }

    /// The `--schema` file's schema.
    pub fn schema(&self) -> Result<Schema> {
        Schema::from_file(&self.schema)
    }

    /// How the records are read: `--row-group-size`, `--threads`, `--skip-bad`.
    pub fn read_options(&self, keep_records: bool) -> ReadOptions {
        ReadOptions {
            row_group_size: usize::try_from(self.row_group_size).unwrap_or(usize::MAX),
            threads: self.threads(),
            skip_bad: self.skip_bad,
            max_reported_errors: REPORTED_ERRORS,
            keep_records,
            ..ReadOptions::default()
        }
    }

    fn threads(&self) -> usize {
        self.threads
            .map_or_else(crate::usage::cores, |n| usize::try_from(n).unwrap_or(1))
    }

    /// Starts reading the records as [`InputArgs::open`] does, with `schema` in place of
    /// the `--schema` file's (e.g. one whose VARIANT layouts were inferred).
    pub fn open_schema(&self, schema: Schema, keep_records: bool) -> Result<Input> {
        let plan = Arc::new(SchemaPlan::new(&schema));
        // A VARIANT layout the spec forbids is reported by readers; no writer makes one.
        if let Some(Err(e)) = plan
            .variants()
            .iter()
            .map(|v| v.shredding.as_ref())
            .find(Result::is_err)
        {
            return Err(Error::Schema {
                message: format!("{}: {e}", self.schema.display()),
            });
        }
        let threads = self.threads();
        let options = self.read_options(keep_records);
        let reader = JsonReader::open(plan.clone(), &self.records, options)?;
        let name = self.records.display().to_string();
        let size = (name != "-")
            .then(|| std::fs::metadata(&self.records).ok())
            .flatten()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let bar = ReadBar::start(reader.progress(), size, self.quiet);
        Ok(Input {
            plan,
            reader,
            name,
            threads,
            _bar: bar,
        })
    }
}

impl Input {
    /// The compiled schema.
    pub fn plan(&self) -> Arc<SchemaPlan> {
        self.plan.clone()
    }

    /// The threads the read uses, for work that follows it (encoding).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The next row group, `None` after the last one; the first bad record (without
    /// `--skip-bad`) is an error.
    pub fn next_row_group(&mut self) -> Result<Option<RowGroup>> {
        self.reader.next_row_group()
    }

    /// The reader, for a caller that reads the row groups piece by piece
    /// ([`JsonReader::next_piece`]).
    pub fn reader(&mut self) -> &mut JsonReader {
        &mut self.reader
    }

    /// Gives a row group's stripes back, to be filled again.
    pub fn recycle(&mut self, stripes: Vec<Stripe>) {
        self.reader.recycle(stripes);
    }

    /// Ends the read (after the last row group): prints the skipped records' first errors
    /// on stderr and returns the totals; an error when every record was bad.
    pub fn finish(self) -> Result<ReadSummary> {
        let Input {
            reader,
            name,
            _bar: bar,
            ..
        } = self;
        // Erased before the report is printed.
        drop(bar);
        let summary = reader.into_summary();
        if summary.bad_records > 0 {
            let (bad, shown) = (summary.bad_records, summary.errors.len());
            let plural = if bad == 1 { "" } else { "s" };
            if shown < bad {
                eprintln!("shred: {name}: skipped {bad} bad record{plural}; the first {shown}:");
            } else {
                eprintln!("shred: {name}: skipped {bad} bad record{plural}:");
            }
            for error in &summary.errors {
                eprintln!("  {error}");
            }
        }
        if summary.records == 0 && summary.bad_records > 0 {
            return Err(Error::Input {
                message: format!(
                    "{name}: no record left: all {} records were bad",
                    summary.bad_records
                ),
            });
        }
        Ok(summary)
    }
}
