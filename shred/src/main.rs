//! `shred`: trace, round-trip, write and verify Dremel-shredded records from the command line.
//!
//! Each subcommand is a thin layer over the library: `levels` (records → stripes, printed),
//! `roundtrip` (records → stripes → FSM → records, compared), `fsm` (the assembly automaton),
//! `write` (stripes → Parquet through the low-level column writers) and `verify` (a Parquet
//! file's records through our readers and FSM, compared with arrow-rs's). Exit codes: 0
//! success, 1 a check found a difference or the work failed, 2 bad usage or bad input.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use parquet::file::properties::{WriterProperties, WriterVersion};
use serde_json::{Value as Json, json};
use tabled::builder::Builder;
use tabled::settings::Style;

use shred::assembler::{Assembler, Fsm};
use shred::column_io::{parse_compression, write_row_group};
use shred::error::{Error, Result};
use shred::input::{InputRecord, read_records};
use shred::output::OutputFile;
use shred::record::{first_difference, leaf_json, normalize};
use shred::shredder::Shredder;
use shred::{Schema, Stripe};

#[derive(Parser)]
#[command(
    name = "shred",
    version,
    about = "Dremel record shredding: trace levels, round-trip records, write and verify Parquet"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Human-readable tables.
    Table,
    /// JSON lines, one object per entry.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Print every leaf column's max levels and stripe (value, r, d per entry).
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
        /// none, snappy, lz4, zstd[:level], gzip[:level], brotli[:level].
        #[arg(long, default_value = "snappy", value_parser = parse_compression)]
        compression: parquet::basic::Compression,
        /// Records per row group.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        row_group_size: u64,
        /// Write data pages v2 (Parquet 2.0 writer).
        #[arg(long)]
        data_page_v2: bool,
    },
    /// Read a Parquet file's levels, assemble with our FSM and compare with arrow-rs's records.
    Verify {
        /// Parquet files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Records per batch read from every column.
        #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
        batch_size: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Levels {
            schema,
            records,
            format,
        } => levels(&schema, &records, format),
        Command::Roundtrip { schema, records } => roundtrip(&schema, &records),
        Command::Fsm { schema, columns } => fsm(&schema, &columns),
        Command::Write {
            schema,
            records,
            output,
            compression,
            row_group_size,
            data_page_v2,
        } => {
            let props = WriterProperties::builder()
                .set_compression(compression)
                .set_writer_version(if data_page_v2 {
                    WriterVersion::PARQUET_2_0
                } else {
                    WriterVersion::PARQUET_1_0
                })
                .set_created_by(format!("shredkit shred {}", env!("CARGO_PKG_VERSION")))
                .build();
            write(&schema, &records, &output, props, row_group_size as usize)
        }
        Command::Verify { files, batch_size } => verify(&files, batch_size as usize),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shred: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
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

fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing to stdout", e)
}

fn levels(schema: &Path, records: &Path, format: Format) -> Result<()> {
    let (schema, records) = load(schema, records)?;
    let stripes = shred_all(&schema, &records)?;
    let mut out = stdout();
    for (leaf, stripe) in schema.leaves().iter().zip(&stripes) {
        let rows = stripe.entries(leaf.max_def).map(|e| {
            let value = e
                .value
                .map_or(Json::Null, |v| leaf_json(leaf, &stripe.values, v));
            (e, value)
        });
        match format {
            Format::Json => {
                for (e, value) in rows {
                    let line = json!({"column": leaf.path, "record": e.record, "r": e.r, "d": e.d, "value": value});
                    writeln!(out, "{line}").map_err(io_err)?;
                }
            }
            Format::Table => {
                let mut table = Builder::default();
                table.push_record(["record", "value", "r", "d"]);
                for (e, value) in rows {
                    let value = if value.is_null() {
                        "NULL".to_string()
                    } else {
                        value.to_string()
                    };
                    table.push_record([
                        e.record.to_string(),
                        value,
                        e.r.to_string(),
                        e.d.to_string(),
                    ]);
                }
                writeln!(
                    out,
                    "{}  (max r = {}, max d = {})\n{}\n",
                    leaf.path,
                    leaf.max_rep,
                    leaf.max_def,
                    table.build().with(Style::sharp())
                )
                .map_err(io_err)?;
            }
        }
    }
    out.flush().map_err(io_err)
}

fn roundtrip(schema_path: &Path, records_path: &Path) -> Result<()> {
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
    let mut table = Builder::default();
    table.push_record(["records", "columns", "entries", "values", "result"]);
    table.push_record([
        records.len().to_string(),
        stripes.len().to_string(),
        stripes.iter().map(Stripe::len).sum::<usize>().to_string(),
        stripes
            .iter()
            .map(|s| s.values.len())
            .sum::<usize>()
            .to_string(),
        "identical".to_string(),
    ]);
    println!("{}", table.build().with(Style::sharp()));
    Ok(())
}

fn fsm(schema_path: &Path, columns: &[String]) -> Result<()> {
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
    let mut table = Builder::default();
    table.push_record(["state (field read)", "next r", "next state"]);
    for row in fsm.rows() {
        let levels: Vec<String> = row.levels.iter().map(i16::to_string).collect();
        table.push_record([row.from, levels.join(","), row.to]);
    }
    println!("{}", table.build().with(Style::sharp()));
    Ok(())
}

fn write(
    schema_path: &Path,
    records_path: &Path,
    output: &Path,
    props: WriterProperties,
    row_group_size: usize,
) -> Result<()> {
    let (schema, records) = load(schema_path, records_path)?;
    let out = OutputFile::create(output)?;
    let mut writer = parquet::file::writer::SerializedFileWriter::new(
        out,
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
    let out = writer
        .into_inner()
        .map_err(|e| Error::parquet(output.display().to_string(), e))?;
    let path = out.commit()?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut table = Builder::default();
    table.push_record(["file", "records", "row groups", "columns", "bytes"]);
    table.push_record([
        path.display().to_string(),
        records.len().to_string(),
        row_groups.to_string(),
        schema.leaves().len().to_string(),
        bytes.to_string(),
    ]);
    println!("{}", table.build().with(Style::sharp()));
    Ok(())
}

fn verify(files: &[PathBuf], batch_size: usize) -> Result<()> {
    let mut table = Builder::default();
    table.push_record([
        "file",
        "row groups",
        "records",
        "columns",
        "entries",
        "values",
        "result",
    ]);
    let mut failure = None;
    for file in files {
        match shred::verify::verify_file(file, batch_size) {
            Ok(s) => table.push_record([
                file.display().to_string(),
                s.row_groups.to_string(),
                s.records.to_string(),
                s.columns.to_string(),
                s.entries.to_string(),
                s.values.to_string(),
                "OK".to_string(),
            ]),
            Err(e) => {
                table.push_record([
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
    println!("{}", table.build().with(Style::sharp()));
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
