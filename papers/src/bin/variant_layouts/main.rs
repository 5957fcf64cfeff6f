//! `variant-layouts`: one event stream in three Parquet layouts, compared.
//!
//! Parquet's VARIANT type (`VariantEncoding.md`, `VariantShredding.md`) offers two ways to
//! store semi-structured events next to the classic one, a nested struct the data must fit.
//! This binary writes the same synthetic Bluesky events ([`events`]) as:
//!
//! - **unshredded**: a VARIANT group of `metadata` and `value` binaries;
//! - **shredded**: a VARIANT group whose `typed_value` layout `shred write
//!   --shred-variants auto` infers from the first row group;
//! - **struct**: a plain nested struct, with the commit's record (whose shape varies by
//!   collection) kept as JSON text and `time_us` coerced to an integer.
//!
//! and reports, from the files themselves: their size; the cost of scanning one path
//! (`commit.collection`, `time_us`): the leaf columns that must be read, their compressed
//! bytes, and the time arrow-rs takes to read them and extract the path (`variant_get` for
//! the variants), with the values found; and the levels of one record in each layout.
//! Everything is written with the `shred` tool itself, in process. The write-up is
//! `papers/variant-layouts/README.md`.

mod events;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field};
use clap::Parser;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::variant::{GetOptions, VariantPath, variant_get};
use serde_json::{Value as Json, json};
use shred::Schema;
use shred::json_shredder::{JsonShredder, RecordAt};
use shred::schema_plan::SchemaPlan;

/// Writes one Bluesky-like event stream as unshredded VARIANT, shredded VARIANT and a plain
/// nested struct; compares size, the cost of scanning one path, and one record's levels.
#[derive(Debug, Parser)]
#[command(name = "variant-layouts", version)]
struct Args {
    /// Events to write.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Seed of the event stream.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write the tables to DIR/results.md (e.g. papers/variant-layouts).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// One of the three files.
struct Layout {
    name: &'static str,
    file: PathBuf,
    schema: Schema,
    bytes: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let variant_input = dir.path().join("events.ndjson");
    let struct_input = dir.path().join("struct.ndjson");
    {
        use std::io::Write as _;
        let mut variant = std::io::BufWriter::new(std::fs::File::create(&variant_input)?);
        let mut plain = std::io::BufWriter::new(std::fs::File::create(&struct_input)?);
        for i in 0..args.records {
            let event = events::event(args.seed, i);
            writeln!(variant, "{}", json!({"id": i, "event": event}))?;
            writeln!(
                plain,
                "{}",
                json!({"id": i, "event": events::as_struct(&event)})
            )?;
        }
    }
    let layouts = [
        write(
            dir.path(),
            "unshredded",
            events::VARIANT_SCHEMA,
            &variant_input,
            false,
        )?,
        write(
            dir.path(),
            "shredded",
            events::VARIANT_SCHEMA,
            &variant_input,
            true,
        )?,
        write(
            dir.path(),
            "struct",
            events::STRUCT_SCHEMA,
            &struct_input,
            false,
        )?,
    ];
    let mut text = String::new();
    writeln!(
        text,
        "{} events (seed {}), snappy, row groups of {} records.\n",
        args.records,
        args.seed,
        shred::DEFAULT_ROW_GROUP_SIZE
    )?;
    text.push_str(&sizes(&layouts)?);
    for path in ["commit.collection", "time_us"] {
        text.push_str(&scan_table(&layouts, path)?);
    }
    text.push_str(&levels_of_one_record(&layouts, args.seed)?);
    print!("{text}");
    if let Some(out) = args.out {
        std::fs::create_dir_all(&out)?;
        std::fs::write(out.join("results.md"), &text)?;
        let shredded = &layouts[1].schema;
        std::fs::write(out.join("inferred.schema"), shredded.message_text())?;
    }
    Ok(())
}

/// Writes `input` under `schema` with `shred write` (in process); `auto` infers the VARIANT
/// layout.
fn write(dir: &Path, name: &'static str, schema: &str, input: &Path, auto: bool) -> Result<Layout> {
    let schema_path = dir.join(format!("{name}.schema"));
    std::fs::write(&schema_path, schema)?;
    let file = dir.join(format!("{name}.parquet"));
    let mut argv: Vec<std::ffi::OsString> = vec![
        "shred".into(),
        "write".into(),
        "--schema".into(),
        schema_path.into(),
        "--format".into(),
        "json".into(),
        "--quiet".into(),
        input.into(),
        "-o".into(),
        file.clone().into(),
    ];
    if auto {
        argv.extend(["--shred-variants".into(), "auto".into()]);
    }
    let mut out = Vec::new();
    shred::cli::run(argv, &mut out).with_context(|| format!("shred write {name}"))?;
    let summary: Json = serde_json::from_slice(&out)?;
    let schema = match summary["inferred_schema"].as_str() {
        Some(text) => Schema::parse(text)?,
        None => Schema::parse(schema)?,
    };
    Ok(Layout {
        name,
        file,
        schema,
        bytes: summary["bytes"].as_u64().unwrap_or_default(),
    })
}

fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for row in rows {
        text.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    text.push('\n');
    text
}

fn sizes(layouts: &[Layout]) -> Result<String> {
    let plain = layouts[2].bytes as f64;
    let rows = layouts
        .iter()
        .map(|l| {
            vec![
                l.name.to_string(),
                l.schema.leaves().len().to_string(),
                l.bytes.to_string(),
                format!("{:.2}", l.bytes as f64 / plain),
            ]
        })
        .collect::<Vec<_>>();
    Ok(format!(
        "### File size\n\n{}",
        markdown(&["layout", "leaf columns", "bytes", "vs struct"], &rows)
    ))
}

/// The leaf columns a scan of `path` reads in `layout`.
fn path_leaves(layout: &Layout, path: &str) -> Vec<usize> {
    let leaves = layout.schema.leaves();
    let under = |prefix: &str| -> Vec<usize> {
        (0..leaves.len())
            .filter(|&i| leaves[i].path.starts_with(prefix))
            .collect()
    };
    match layout.name {
        "struct" => under(&format!("event.{path}")),
        "unshredded" => under("event."),
        _ => {
            let shredded: String = path
                .split('.')
                .map(|p| format!(".typed_value.{p}"))
                .collect();
            let mut found = under("event.metadata");
            found.extend(under(&format!("event{shredded}.")));
            found
        }
    }
}

fn scan_table(layouts: &[Layout], path: &str) -> Result<String> {
    let mut rows = Vec::new();
    let mut struct_time = None;
    for layout in layouts.iter().rev() {
        let leaves = path_leaves(layout, path);
        let bytes = chunk_bytes(&layout.file, &leaves)?;
        let mut best = Duration::MAX;
        let mut found = 0;
        for _ in 0..3 {
            let start = Instant::now();
            found = scan(layout, &leaves, path)?;
            best = best.min(start.elapsed());
        }
        let ms = best.as_secs_f64() * 1e3;
        let base = *struct_time.get_or_insert(ms);
        let names: Vec<&str> = leaves
            .iter()
            .map(|&i| layout.schema.leaves()[i].path.as_str())
            .collect();
        rows.push(vec![
            layout.name.to_string(),
            format!("{} ({})", leaves.len(), names.join(", ")),
            bytes.to_string(),
            format!("{ms:.1}"),
            format!("{:.1}", ms / base),
            found.to_string(),
        ]);
    }
    rows.reverse();
    Ok(format!(
        "### Scanning `{path}`\n\n{}",
        markdown(
            &[
                "layout",
                "columns read",
                "compressed bytes",
                "ms (best of 3)",
                "vs struct",
                "values"
            ],
            &rows
        )
    ))
}

/// Compressed bytes of the column chunks `leaves` over all row groups.
fn chunk_bytes(file: &Path, leaves: &[usize]) -> Result<i64> {
    let reader = SerializedFileReader::new(std::fs::File::open(file)?)?;
    let metadata = reader.metadata();
    Ok(metadata
        .row_groups()
        .iter()
        .flat_map(|rg| leaves.iter().map(move |&i| rg.column(i).compressed_size()))
        .sum())
}

/// Reads `leaves` with arrow-rs and extracts `path` from the `event` column: the number of
/// non-null values found.
fn scan(layout: &Layout, leaves: &[usize], path: &str) -> Result<usize> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&layout.file)?)?;
    let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves.iter().copied());
    let reader = builder.with_projection(mask).build()?;
    let as_type = match path {
        "time_us" => DataType::Int64,
        _ => DataType::Utf8,
    };
    let mut found = 0;
    for batch in reader {
        let batch = batch?;
        let event = batch.column_by_name("event").context("no event column")?;
        let values: ArrayRef = if layout.name == "struct" {
            let mut array = event.clone();
            for name in path.split('.') {
                array = array
                    .as_struct()
                    .column_by_name(name)
                    .with_context(|| format!("no field {name}"))?
                    .clone();
            }
            array
        } else {
            let options = GetOptions::new_with_path(VariantPath::try_from(path)?)
                .with_as_type(Some(Arc::new(Field::new("v", as_type.clone(), true))));
            variant_get(event, options)?
        };
        found += values.len() - values.null_count();
    }
    Ok(found)
}

/// The levels of the first post event in each layout, column by column.
fn levels_of_one_record(layouts: &[Layout], seed: u64) -> Result<String> {
    let Some(index) =
        (0..1000).find(|&i| events::event(seed, i)["commit"]["collection"] == "app.bsky.feed.post")
    else {
        bail!("no post among the first 1000 events");
    };
    let event = events::event(seed, index);
    let mut text = format!(
        "### The levels of event {index} in each layout\n\n```json\n{}\n```\n\n",
        serde_json::to_string_pretty(&event)?
    );
    for layout in layouts {
        let record = if layout.name == "struct" {
            json!({"id": index, "event": events::as_struct(&event)})
        } else {
            json!({"id": index, "event": event})
        };
        let plan = SchemaPlan::new(&layout.schema);
        let mut shredder = JsonShredder::new(&plan);
        let at = RecordAt {
            source: layout.name,
            record: 0,
            line: Some(1),
        };
        shredder.shred(record.to_string().as_bytes(), &at)?;
        let stripes = shredder.take();
        let mut rows = Vec::new();
        for (i, leaf) in layout.schema.leaves().iter().enumerate() {
            let binary = leaf.path.ends_with(".metadata") || leaf.path.ends_with(".value");
            for (value, r, d) in shred::fixtures::stripe_table(&layout.schema, &stripes, i) {
                let shown = match &value {
                    Json::Null => "null".to_string(),
                    _ if binary => format!("<{} bytes>", binary_len(&value)),
                    Json::String(s) if s.chars().count() > 40 => {
                        format!("{}…", s.chars().take(40).collect::<String>())
                    }
                    other => other.to_string(),
                };
                rows.push(vec![
                    format!("`{}`", leaf.path),
                    format!("{}/{}", leaf.max_rep, leaf.max_def),
                    r.to_string(),
                    d.to_string(),
                    shown,
                ]);
            }
        }
        let present = rows.iter().filter(|r| r[4] != "null").count();
        writeln!(
            text,
            "**{}**: {} leaf columns, {} entries, {} of them values.\n",
            layout.name,
            layout.schema.leaves().len(),
            rows.len(),
            present
        )?;
        text.push_str(&markdown(&["column", "max r/d", "r", "d", "value"], &rows));
    }
    Ok(text)
}

fn binary_len(value: &Json) -> usize {
    match value {
        Json::String(s) => s.len(),
        Json::Array(items) => items.len(),
        _ => 0,
    }
}
