//! The `shred` command: trace, round-trip, write and verify Dremel-shredded records.
//!
//! Each subcommand is a thin layer over the library: `levels` (records → stripes, printed
//! like `shred-inspect levels`: [`crate::entry_json`] lines or [`super::level_table`]
//! sections, all in row group 0), `roundtrip` (records → stripes → FSM → records,
//! compared), `fsm` (the assembly automaton), `write` (stripes → Parquet through the
//! low-level column writers, `--compression` in the vocabulary of [`crate::codec`]) and
//! `verify` (a Parquet file's records through our readers and FSM, compared with
//! arrow-rs's). Exit codes ([`Error::exit_code`]): 0 success, 1 a check found a difference
//! or the work failed, 2 bad usage or bad input, 3 `verify` could not compare (arrow-rs
//! cannot read a file our readers read).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use parquet::file::properties::{WriterProperties, WriterVersion};
use serde_json::Value as Json;

use super::level_table::LevelTable;
use super::table::render;
use super::{ArgsErrors, Format, run_with};
use crate::assembler::{Assembler, Fsm};
use crate::codec::parse_codec;
use crate::column_io::write_row_group;
use crate::entry_json::EntryLine;
use crate::error::{Error, Result};
use crate::input::{InputRecord, read_records};
use crate::line_buffer::LineBuffer;
use crate::output::OutputFile;
use crate::record::{first_difference, normalize};
use crate::shredder::Shredder;
use crate::{Schema, Stripe};

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
    /// Print every leaf column's entries (record, r, d, value) with its max levels.
    Levels {
        /// Parquet message-type schema file.
        #[arg(long)]
        schema: PathBuf,
        /// Records: NDJSON or one JSON array (`-` for stdin).
        records: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Shred, reassemble with the FSM and compare with the input (exit 1 on a difference).
    Roundtrip {
        /// Parquet message-type schema file.
        #[arg(long)]
        schema: PathBuf,
        /// Records: NDJSON or one JSON array (`-` for stdin).
        records: PathBuf,
    },
    /// Print the record-assembly FSM: states and the transition for each repetition level.
    Fsm {
        /// Parquet message-type schema file.
        #[arg(long)]
        schema: PathBuf,
        /// Assemble only these leaf columns (dotted paths, comma separated): a projection.
        #[arg(long, value_delimiter = ',')]
        columns: Vec<String>,
    },
    /// Write records to Parquet through our levels and the low-level column writers.
    Write {
        /// Parquet message-type schema file.
        #[arg(long)]
        schema: PathBuf,
        /// Records: NDJSON or one JSON array (`-` for stdin).
        records: PathBuf,
        /// Output Parquet file (written under a temporary name, renamed when complete).
        #[arg(short, long)]
        output: PathBuf,
        /// none, snappy, gzip[:level], lz4, lz4_raw, zstd[:level] or brotli[:level]
        /// (bare: zstd 3, gzip 6, brotli 1; uncompressed = none; lz4 is LZ4_RAW).
        #[arg(long, default_value = "snappy", value_parser = parse_codec, value_name = "CODEC")]
        compression: parquet::basic::Compression,
        /// Records per row group.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        row_group_size: u64,
        /// Write data pages v2 (Parquet 2.0 writer).
        #[arg(long)]
        data_page_v2: bool,
    },
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
        Command::Levels {
            schema,
            records,
            format,
        } => levels(schema, records, *format, out),
        Command::Roundtrip { schema, records } => roundtrip(schema, records, out),
        Command::Fsm { schema, columns } => fsm(schema, columns, out),
        Command::Write {
            schema,
            records,
            output,
            compression,
            row_group_size,
            data_page_v2,
        } => {
            let props = WriterProperties::builder()
                .set_compression(*compression)
                .set_writer_version(if *data_page_v2 {
                    WriterVersion::PARQUET_2_0
                } else {
                    WriterVersion::PARQUET_1_0
                })
                .set_created_by(format!("shredkit shred {}", env!("CARGO_PKG_VERSION")))
                .build();
            write(
                schema,
                records,
                output,
                props,
                *row_group_size as usize,
                out,
            )
        }
        Command::Verify {
            files,
            batch_size,
            keys,
        } => verify(files, *batch_size as usize, keys, out),
    }?;
    out.flush().map_err(io_err)
}

/// True when the error is the output closing early (`shred levels ... | head`): not a
/// failure of the command.
pub fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Reads the schema and the records, and checks every record against the schema.
fn load(schema: &Path, records: &Path) -> Result<(Schema, Vec<Json>)> {
    let schema = Schema::from_file(schema)?;
    let input = read_records(records)?;
    let name = records.display();
    let canonical = input
        .iter()
        .enumerate()
        .map(|(i, InputRecord { value, line })| {
            normalize(&schema, value, i, *line).map_err(|e| Error::Input {
                message: format!("{name}: {e}"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((schema, canonical))
}

fn shred_all(schema: &Schema, records: &[Json]) -> Result<Vec<Stripe>> {
    let mut shredder = Shredder::new(schema);
    for record in records {
        shredder.shred(record)?;
    }
    Ok(shredder.take())
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

/// Bytes of JSON buffered before they are written out.
const FLUSH_BYTES: usize = 1 << 20;

fn levels(schema: &Path, records: &Path, format: Format, out: &mut dyn Write) -> Result<()> {
    let (schema, records) = load(schema, records)?;
    let stripes = shred_all(&schema, &records)?;
    let mut json = LineBuffer::with_capacity(FLUSH_BYTES + 4096);
    for (leaf, stripe) in schema.leaves().iter().zip(&stripes) {
        let entries = stripe.entries(leaf.max_def);
        match format {
            Format::Json => {
                let mut line = EntryLine::new(leaf, 0, None);
                for e in entries {
                    let value = e.value.map(|i| (&stripe.values, i));
                    line.write(&mut json, e.record as u64, e.r, e.d, value);
                    if json.len() >= FLUSH_BYTES {
                        out.write_all(json.as_bytes()).map_err(io_err)?;
                        json.clear();
                    }
                }
            }
            Format::Table => {
                let mut table = LevelTable::start(out, 0, leaf).map_err(io_err)?;
                for e in entries {
                    let value = e.value.map(|i| (&stripe.values, i));
                    table
                        .push(out, e.record as u64, e.r, e.d, value)
                        .map_err(io_err)?;
                }
                table.finish(out).map_err(io_err)?;
            }
        }
    }
    out.write_all(json.as_bytes()).map_err(io_err)
}

fn roundtrip(schema_path: &Path, records_path: &Path, out: &mut dyn Write) -> Result<()> {
    let (schema, records) = load(schema_path, records_path)?;
    let stripes = shred_all(&schema, &records)?;
    let mut assembled = 0;
    for (i, (record, input)) in Assembler::all(&schema, &stripes).zip(&records).enumerate() {
        let record = record?;
        if let Some(d) = first_difference(input, &record) {
            return Err(Error::Mismatch {
                message: format!("record {i}: {}", d.describe("input", "assembled")),
            });
        }
        assembled += 1;
    }
    if assembled != records.len() {
        return Err(Error::Mismatch {
            message: format!("{} records in, {assembled} assembled", records.len()),
        });
    }
    let row = vec![
        records.len().to_string(),
        stripes.len().to_string(),
        stripes.iter().map(Stripe::len).sum::<usize>().to_string(),
        stripes
            .iter()
            .map(|s| s.values.len())
            .sum::<usize>()
            .to_string(),
        "identical".to_string(),
    ];
    let header = ["records", "columns", "entries", "values", "result"];
    writeln!(out, "{}", render(&header, &[row])).map_err(io_err)
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

fn write(
    schema_path: &Path,
    records_path: &Path,
    output: &Path,
    props: WriterProperties,
    row_group_size: usize,
    out: &mut dyn Write,
) -> Result<()> {
    let (schema, records) = load(schema_path, records_path)?;
    let file = OutputFile::create(output)?;
    let mut writer = parquet::file::writer::SerializedFileWriter::new(
        file,
        schema.message_type(),
        std::sync::Arc::new(props),
    )
    .map_err(|e| Error::parquet(output.display().to_string(), e))?;
    let mut shredder = Shredder::new(&schema);
    let mut row_groups = 0;
    for chunk in records.chunks(row_group_size) {
        shredder.clear();
        for record in chunk {
            shredder.shred(record)?;
        }
        write_row_group(&mut writer, &schema, shredder.stripes())?;
        row_groups += 1;
    }
    let file = writer
        .into_inner()
        .map_err(|e| Error::parquet(output.display().to_string(), e))?;
    let path = file.commit()?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let row = vec![
        path.display().to_string(),
        records.len().to_string(),
        row_groups.to_string(),
        schema.leaves().len().to_string(),
        bytes.to_string(),
    ];
    let header = ["file", "records", "row groups", "columns", "bytes"];
    writeln!(out, "{}", render(&header, &[row])).map_err(io_err)
}

fn verify(
    files: &[PathBuf],
    batch_size: usize,
    keys: &crate::decryption_keys::DecryptionKeys,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rows = Vec::new();
    let mut failure = None;
    let mut not_compared = None;
    for file in files {
        match crate::verify::verify_file(file, batch_size, keys) {
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
