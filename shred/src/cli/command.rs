//! The `shred` command: trace, round-trip, write and verify Dremel-shredded records.
//!
//! Each subcommand is a thin layer over the library. Three stream records from JSON row
//! group by row group ([`super::input`]): [`super::levels`] (records → stripes, printed like
//! `shred-inspect levels`), [`super::roundtrip`] (records → stripes → FSM → records,
//! compared) and [`super::write`] (stripes → Parquet through the low-level column writers,
//! `--compression` in the vocabulary of [`crate::codec`]). Here: `fsm` (the assembly
//! automaton) and `verify` (a Parquet file's records through our readers and FSM, compared
//! with arrow-rs's). Exit codes ([`Error::exit_code`]): 0 success, 1 a check found a difference
//! or the work failed, 2 bad usage or bad input, 3 `verify` could not compare (arrow-rs
//! cannot read a file our readers read).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use super::levels::{LevelsArgs, levels};
use super::progress::progress_bar;
use super::roundtrip::{RoundtripArgs, roundtrip};
use super::table::render;
use super::write::{WriteArgs, write};
use super::{ArgsErrors, run_with};
use crate::Schema;
use crate::assembler::Fsm;
use crate::error::{Error, Result};
use crate::verify::VerifyOptions;

/// The `shred` command line.
#[derive(Debug, Parser)]
#[command(
    name = "shred",
    version,
    about = "Dremel record shredding: trace levels, round-trip records, write and verify Parquet"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every leaf column's entries (record, r, d, value) with its max levels: row
    /// group by row group, columns in schema order, as `shred-inspect levels` prints a file
    /// written from the same records with the same --row-group-size.
    Levels(LevelsArgs),
    /// Shred, reassemble with the FSM and compare with the input (exit 1 on a difference).
    Roundtrip(RoundtripArgs),
    /// Print the record-assembly FSM: states and the transition for each repetition level.
    Fsm {
        /// Parquet message-type schema file.
        #[arg(long)]
        schema: PathBuf,
        /// Assemble only these leaf columns (dotted paths, comma separated): a projection.
        #[arg(long, value_delimiter = ',')]
        columns: Vec<String>,
    },
    /// Write records to Parquet, row group by row group, through our levels and the
    /// low-level column writers; print a summary.
    Write(WriteArgs),
    /// Read a Parquet file's levels, assemble with our FSM and compare with arrow-rs's records.
    ///
    /// Result per file: OK; FAILED when our readers cannot read it (exit 2) or a record
    /// differs (exit 1); "arrow-rs cannot read" when ours read and assemble every record
    /// but arrow-rs fails, so nothing is compared (exit 3).
    Verify {
        /// Parquet files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Records per batch read from every column.
        #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
        batch_size: u64,
        /// Verify only these columns (leaf or group paths, comma separated): a projection,
        /// read and assembled by both readers.
        #[arg(long, alias = "column", value_delimiter = ',', value_name = "PATH,...")]
        columns: Vec<String>,
        /// Row groups verified at once [default: the cores available].
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
        threads: Option<u64>,
        /// Never show the progress bar (shown on stderr when it is a terminal).
        #[arg(long, short)]
        quiet: bool,
        /// Keys of encrypted files.
        #[command(flatten)]
        keys: crate::decryption_keys::DecryptionKeys,
    },
}

/// Parses a command line (program name first) and runs it, writing to `out`.
///
/// ```
/// let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
/// let (schema, records) = (format!("{data}/document.schema"), format!("{data}/document.ndjson"));
/// let mut out = Vec::new();
/// shred::cli::run(["shred", "levels", "--format", "json", "--schema", &schema, &records], &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert_eq!(
///     text.lines().next().unwrap(),
///     r#"{"column":"DocId","row_group":0,"record":0,"r":0,"d":0,"value":10}"#
/// );
/// ```
pub fn run<I, T>(args: I, out: &mut dyn Write) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let errors = ArgsErrors {
        usage: |message| Error::Input { message },
        output: io_err,
    };
    run_with(args, out, errors, run_cli)
}

/// Runs a parsed command line, writing to `out`.
pub fn run_cli(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    match &cli.command {
        Command::Levels(args) => levels(args, out),
        Command::Roundtrip(args) => roundtrip(args, out),
        Command::Fsm { schema, columns } => fsm(schema, columns, out),
        Command::Write(args) => write(args, out),
        Command::Verify {
            files,
            batch_size,
            columns,
            threads,
            quiet,
            keys,
        } => {
            let options = VerifyOptions {
                columns,
                threads: threads.unwrap_or(0) as usize,
                ..VerifyOptions::new(*batch_size as usize, keys)
            };
            verify(files, options, *quiet, out)
        }
    }?;
    out.flush().map_err(io_err)
}

/// True when the error is the output closing early (`shred levels ... | head`): not a
/// failure of the command.
pub fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

fn fsm(schema_path: &Path, columns: &[String], out: &mut dyn Write) -> Result<()> {
    let schema = Schema::from_file(schema_path)?;
    let leaves: Vec<usize> = if columns.is_empty() {
        (0..schema.leaves().len()).collect()
    } else {
        columns
            .iter()
            .map(|c| {
                schema.leaf_index(c).ok_or_else(|| Error::Input {
                    message: format!(
                        "{}: no leaf column `{c}` (columns: {})",
                        schema_path.display(),
                        schema
                            .leaves()
                            .iter()
                            .map(|l| l.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            })
            .collect::<Result<_>>()?
    };
    let fsm = Fsm::new(&schema, &leaves);
    let rows: Vec<Vec<String>> = fsm
        .rows()
        .into_iter()
        .map(|row| {
            let levels: Vec<String> = row.levels.iter().map(i16::to_string).collect();
            vec![row.from, levels.join(","), row.to]
        })
        .collect();
    let header = ["state (field read)", "next r", "next state"];
    writeln!(out, "{}", render(&header, &rows)).map_err(io_err)
}

fn verify(
    files: &[PathBuf],
    options: VerifyOptions,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rows = Vec::new();
    let mut failure = None;
    let mut not_compared = None;
    for file in files {
        let bar = progress_bar(0, "records", quiet);
        let total = |n: u64| bar.set_length(n);
        let progress = |n: u64| bar.inc(n);
        let result = crate::verify::verify_file(
            file,
            &VerifyOptions {
                total: &total,
                progress: &progress,
                ..options
            },
        );
        bar.finish_and_clear();
        match result {
            Ok(s) => {
                // What the tolerant footer repaired to read the file: the check passed
                // on the repaired metadata, and the user should know that.
                for warning in &s.warnings {
                    eprintln!("shred: {}: warning: {warning}", file.display());
                }
                if let Some(message) = s.not_compared(&file.display().to_string()) {
                    not_compared.get_or_insert(Error::NotCompared { message });
                }
                rows.push(vec![
                    file.display().to_string(),
                    s.row_groups.to_string(),
                    s.records.to_string(),
                    s.columns.to_string(),
                    s.entries.to_string(),
                    s.values.to_string(),
                    s.result().to_string(),
                ]);
            }
            Err(e) => {
                rows.push(vec![
                    file.display().to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    "FAILED".to_string(),
                ]);
                failure.get_or_insert(e);
            }
        }
    }
    let header = [
        "file",
        "row groups",
        "records",
        "columns",
        "entries",
        "values",
        "result",
    ];
    writeln!(out, "{}", render(&header, &rows)).map_err(io_err)?;
    match failure.or(not_compared) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
