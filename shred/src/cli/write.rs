//! `shred write`: records streamed into a Parquet file row group by row group, and the
//! summary of the run.
//!
//! Each row group the reader yields ([`super::input`]: parsed and shredded on every core)
//! is written by [`RowGroupWriter`] (its columns encoded in parallel through the `parquet`
//! crate's column writers, appended in order) while the reader's threads parse the next
//! one; its stripes then go back to the reader. So memory holds a few row groups, and the
//! file is byte for byte the same whatever `--threads` is. The file is written under a
//! temporary name and renamed when complete ([`crate::output`]): a failed run leaves
//! nothing behind. The summary (records, row groups, bytes, seconds, records/s, peak RSS
//! from [`crate::usage`]) is a table or, with `--format json`, one JSON object.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use serde_json::json;

use super::Format;
use super::input::InputArgs;
use super::table::render;
use crate::codec::parse_codec;
use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::row_group_writer::RowGroupWriter;
use crate::usage;

/// The flags of `shred write`.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output Parquet file (written under a temporary name, renamed when complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// none, snappy, gzip[:level], lz4, lz4_raw, zstd[:level] or brotli[:level]
    /// (bare: zstd 3, gzip 6, brotli 1; uncompressed = none; lz4 is LZ4_RAW).
    #[arg(long, default_value = "snappy", value_parser = parse_codec, value_name = "CODEC")]
    pub compression: parquet::basic::Compression,
    /// Write data pages v2 (Parquet 2.0 writer).
    #[arg(long)]
    pub data_page_v2: bool,
    /// Format of the summary.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// What a write did.
#[derive(Debug)]
struct Summary {
    file: PathBuf,
    records: usize,
    skipped: usize,
    errors: Vec<String>,
    row_groups: usize,
    columns: usize,
    input_bytes: Option<u64>,
    bytes: u64,
    seconds: f64,
    peak_rss: Option<u64>,
}

/// Writes the input's records to `--output`; prints the summary.
pub fn write(args: &WriteArgs, out: &mut dyn Write) -> Result<()> {
    usage::reset_peak_rss();
    let start = Instant::now();
    let mut input = args.input.open(false)?;
    let plan = input.plan();
    let schema = plan.schema();
    let props = WriterProperties::builder()
        .set_compression(args.compression)
        .set_writer_version(if args.data_page_v2 {
            WriterVersion::PARQUET_2_0
        } else {
            WriterVersion::PARQUET_1_0
        })
        .set_created_by(format!("shredkit shred {}", env!("CARGO_PKG_VERSION")))
        .build();
    let output = &args.output;
    let parquet_err = |e| Error::parquet(output.display().to_string(), e);
    let file = OutputFile::create(output)?;
    let mut writer = SerializedFileWriter::new(file, schema.message_type(), Arc::new(props))
        .map_err(parquet_err)?;
    let mut row_groups = RowGroupWriter::new(input.threads());
    while let Some(rg) = input.next_row_group()? {
        row_groups.write(&mut writer, schema, &rg.stripes)?;
        input.recycle(rg.stripes);
    }
    let input_bytes = (args.input.records.as_os_str() != "-")
        .then(|| std::fs::metadata(&args.input.records).ok())
        .flatten()
        .map(|m| m.len());
    let read = input.finish()?;
    let file = writer.into_inner().map_err(parquet_err)?;
    let path = file.commit()?;
    let summary = Summary {
        bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        file: path,
        records: read.records,
        skipped: read.bad_records,
        errors: read.errors.iter().map(ToString::to_string).collect(),
        row_groups: read.row_groups,
        columns: schema.leaves().len(),
        input_bytes,
        seconds: start.elapsed().as_secs_f64(),
        peak_rss: usage::peak_rss(),
    };
    let text = match args.format {
        Format::Table => summary.table(),
        Format::Json => summary.json(),
    };
    writeln!(out, "{text}").map_err(|e| Error::io("writing output", e))
}

impl Summary {
    fn records_per_s(&self) -> f64 {
        self.records as f64 / self.seconds.max(1e-9)
    }

    fn table(&self) -> String {
        let header = [
            "file",
            "records",
            "skipped",
            "row groups",
            "columns",
            "bytes",
            "seconds",
            "records/s",
            "peak RSS",
        ];
        let row = vec![
            self.file.display().to_string(),
            self.records.to_string(),
            self.skipped.to_string(),
            self.row_groups.to_string(),
            self.columns.to_string(),
            self.bytes.to_string(),
            format!("{:.3}", self.seconds),
            format!("{:.0}", self.records_per_s()),
            self.peak_rss.map_or("?".into(), |b| {
                format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
            }),
        ];
        render(&header, &[row])
    }

    fn json(&self) -> String {
        json!({
            "file": self.file,
            "records": self.records,
            "skipped_records": self.skipped,
            "errors": self.errors,
            "row_groups": self.row_groups,
            "columns": self.columns,
            "input_bytes": self.input_bytes,
            "bytes": self.bytes,
            "seconds": self.seconds,
            "records_per_s": self.records_per_s(),
            "peak_rss_bytes": self.peak_rss,
        })
        .to_string()
    }
}
