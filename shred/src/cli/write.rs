//! `shred write`: records streamed into a Parquet file row group by row group, and the
//! summary of the run.
//!
//! The reader ([`super::input`]) parses and shreds the records on every core and hands
//! them on in input order, a chunk's stripes at a time; [`RowGroupWriter`] encodes each
//! piece into its row group's column chunks while the reader's threads parse the next
//! ones, and appends the chunks to the file when the row group ends. So memory holds the
//! encoded chunks of one row group and the chunks in flight, not a row group's stripes
//! (except for the columns the chunk encoder declines: v2 pages, other encodings, bloom
//! filters, whose stripes are gathered for the row group and written by the `parquet`
//! crate), and the file is byte for byte the same whatever `--threads` is. The file is written under a
//! temporary name and renamed when complete ([`crate::output`]): a failed run leaves
//! nothing behind. The writer's properties come from the flags of
//! [`crate::writer_settings`] (codec, page versions and limits, dictionary, per-column
//! encodings, bloom filters), checked against the schema before anything is written. The
//! summary (records, row groups, bytes, seconds, records/s, peak RSS
//! from [`crate::usage`]) is a table or, with `--format json`, one JSON object.
//!
//! With `--shred-variants auto`, the VARIANT columns' layouts are first inferred from a
//! sample of the records ([`crate::variant::inference`]; a first, short read of the file),
//! printed on stderr as schema text, and the file is written with them.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use parquet::file::writer::SerializedFileWriter;
use serde_json::json;

use super::Format;
use super::input::InputArgs;
use super::table::render;
use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::row_group_writer::RowGroupWriter;
use crate::schema::Schema;
use crate::schema_plan::SchemaPlan;
use crate::usage;
use crate::variant::inference;
use crate::writer_settings::WriterSettings;

/// The flags of `shred write`.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output Parquet file (written under a temporary name, renamed when complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Compression, pages, dictionary, encodings and bloom filters.
    #[command(flatten)]
    pub writer: WriterSettings,
    /// Format of the summary.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// VARIANT columns' typed_value layouts: as the schema declares them, or inferred from
    /// a sample of the input (printed on stderr as schema text).
    #[arg(long, value_enum, default_value = "declared", value_name = "HOW")]
    pub shred_variants: ShredVariants,
    /// Records sampled by `--shred-variants auto` [default: the first row group's].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample: Option<u64>,
}

/// Where the VARIANT columns' layouts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShredVariants {
    /// The schema's typed_value trees (none: unshredded).
    Declared,
    /// Inferred from a sample of the records ([`crate::variant::inference`]).
    Auto,
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
    /// The schema with inferred VARIANT layouts (`--shred-variants auto`).
    inferred_schema: Option<String>,
}

/// Writes the input's records to `--output`; prints the summary.
pub fn write(args: &WriteArgs, out: &mut dyn Write) -> Result<()> {
    usage::reset_peak_rss();
    let start = Instant::now();
    let schema = args.input.schema()?;
    let inferred = match args.shred_variants {
        ShredVariants::Declared if args.sample.is_some() => {
            return Err(Error::Input {
                message: "--sample needs --shred-variants auto".into(),
            });
        }
        ShredVariants::Declared => None,
        ShredVariants::Auto => Some(infer_layouts(&args.input, &schema, args.sample)?),
    };
    let inferred_text = inferred.as_ref().map(Schema::message_text);
    if let Some(text) = &inferred_text {
        eprint!("shred: VARIANT layouts inferred from the sample:\n{text}");
    }
    let mut input = args.input.open_schema(inferred.unwrap_or(schema), false)?;
    let plan = input.plan();
    let schema = plan.schema();
    let props = (args.writer)
        .properties(schema, args.input.row_group_size)?
        .set_created_by(format!("shredkit shred {}", env!("CARGO_PKG_VERSION")))
        .build();
    let output = &args.output;
    let parquet_err = |e| Error::parquet(output.display().to_string(), e);
    let file = OutputFile::create(output)?;
    let mut writer = SerializedFileWriter::new(file, schema.message_type(), Arc::new(props))
        .map_err(parquet_err)?;
    let mut row_groups = RowGroupWriter::new(&writer, schema, input.threads())?;
    row_groups.write_all(input.reader(), &mut writer)?;
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
        inferred_schema: inferred_text,
    };
    let text = match args.format {
        Format::Table => summary.table(),
        Format::Json => summary.json(),
    };
    writeln!(out, "{text}").map_err(|e| Error::io("writing output", e))
}

/// The schema with its VARIANT columns' layouts inferred from the first `sample` records
/// (the first row group's by default).
fn infer_layouts(input: &InputArgs, schema: &Schema, sample: Option<u64>) -> Result<Schema> {
    if input.records.as_os_str() == "-" {
        return Err(Error::Input {
            message: "--shred-variants auto reads its sample before the records: it needs a \
                      file, not stdin"
                .into(),
        });
    }
    let records = sample.map_or(input.row_group_size, |n| n);
    let records = usize::try_from(records).unwrap_or(usize::MAX);
    let plan = Arc::new(SchemaPlan::new(schema));
    let samples = inference::sample(plan, &input.records, records, input.read_options(false))?;
    let samples: Vec<Vec<&serde_json::Value>> =
        samples.iter().map(|s| s.iter().collect()).collect();
    inference::infer_schema(schema, &samples, &inference::Policy::default())
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
        let mut summary = json!({
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
        });
        if let Some(schema) = &self.inferred_schema {
            summary["inferred_schema"] = json!(schema);
        }
        summary.to_string()
    }
}
