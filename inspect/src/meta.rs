//! `meta`: the file's footer: file metadata, then every row group and column chunk.
//!
//! Everything here comes from the footer (`FileMetaData` of the format's `parquet.thrift`),
//! which is all this command reads: format version, `created_by`, key/value metadata
//! keys, row counts; per column chunk its value count, encodings, codec, sizes, dictionary
//! and first data page offsets, statistics (min, max, null count, distinct count) and,
//! when the writer stored them (`SizeStatistics`, format 2.10), the repetition and
//! definition level histograms. Statistics' min and max are shown like values: by logical
//! type in tables ([`shred::value_display`]), canonical JSON in JSON
//! ([`shred::record::leaf_json`]). Footer fields repaired to read the file
//! ([`shred::footer`]) are listed as "footer repairs".

use std::io::Write;

use parquet::file::metadata::{ColumnChunkMetaData, LevelHistogram};
use parquet::file::statistics::Statistics;
use serde_json::{Value as Json, json};
use shred::cli::table;
use shred::record::leaf_json;
use shred::schema::Leaf;
use shred::stripe::Values;
use shred::value_display::Display;

use crate::error::Result;
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// Prints the metadata of `file`.
pub fn meta(file: &ParquetFile, output: &Output, out: &mut dyn Write) -> Result<()> {
    let md = file.metadata();
    let fm = md.file_metadata();
    let kv: Vec<(String, usize)> = fm
        .key_value_metadata()
        .map(|kvs| {
            kvs.iter()
                .map(|kv| (kv.key.clone(), kv.value.as_ref().map_or(0, String::len)))
                .collect()
        })
        .unwrap_or_default();
    match output.format {
        Format::Table => {
            let kv_text: Vec<String> = kv.iter().map(|(k, n)| format!("{k} ({n} bytes)")).collect();
            let rows = vec![
                vec!["file size".into(), format!("{} bytes", file.len)],
                vec!["format version".into(), fm.version().to_string()],
                vec![
                    "created by".into(),
                    fm.created_by().unwrap_or("-").to_string(),
                ],
                vec!["rows".into(), fm.num_rows().to_string()],
                vec!["row groups".into(), md.num_row_groups().to_string()],
                vec!["columns".into(), file.schema.leaves().len().to_string()],
                vec![
                    "key/value metadata".into(),
                    if kv_text.is_empty() {
                        "-".into()
                    } else {
                        kv_text.join(", ")
                    },
                ],
                vec![
                    "footer repairs".into(),
                    if file.warnings.is_empty() {
                        "-".into()
                    } else {
                        file.warnings.join("; ")
                    },
                ],
            ];
            writeln!(out, "{}", table::render(&["file", &file.name], &rows))?;
            writeln!(out)?;
            for (i, rg) in md.row_groups().iter().enumerate() {
                writeln!(
                    out,
                    "row group {i}: {} rows, {} bytes ({} compressed)",
                    rg.num_rows(),
                    rg.total_byte_size(),
                    rg.compressed_size()
                )?;
                let rows: Vec<Vec<String>> = rg
                    .columns()
                    .iter()
                    .zip(file.schema.leaves())
                    .map(|(c, leaf)| chunk_row(c, leaf))
                    .collect();
                // Two tables, layout then statistics, so each fits a terminal.
                let (layout, stats): (Vec<Vec<String>>, Vec<Vec<String>>) = rows
                    .into_iter()
                    .map(|row| {
                        let mut stats = vec![row[0].clone()];
                        stats.extend_from_slice(&row[8..]);
                        (row[..8].to_vec(), stats)
                    })
                    .unzip();
                let layout_header = [
                    "column",
                    "values",
                    "encodings",
                    "codec",
                    "compressed",
                    "uncompressed",
                    "dict page",
                    "data page",
                ];
                writeln!(out, "{}", table::render(&layout_header, &layout))?;
                writeln!(out)?;
                let stats_header = [
                    "column", "min", "max", "nulls", "distinct", "rep hist", "def hist",
                ];
                writeln!(out, "{}", table::render(&stats_header, &stats))?;
                writeln!(out)?;
            }
        }
        Format::Json => {
            let row_groups: Vec<Json> = md
                .row_groups()
                .iter()
                .enumerate()
                .map(|(i, rg)| {
                    let columns: Vec<Json> = rg
                        .columns()
                        .iter()
                        .zip(file.schema.leaves())
                        .map(|(c, leaf)| chunk_json(c, leaf))
                        .collect();
                    json!({"row_group": i, "rows": rg.num_rows(), "total_byte_size": rg.total_byte_size(),
                           "compressed_size": rg.compressed_size(), "columns": columns})
                })
                .collect();
            let kv: Vec<Json> = kv
                .iter()
                .map(|(k, n)| json!({"key": k, "value_bytes": n}))
                .collect();
            let fields = json!({
                "file_size": file.len, "version": fm.version(), "created_by": fm.created_by(),
                "rows": fm.num_rows(), "key_value_metadata": kv,
                "footer_repairs": file.warnings, "row_groups": row_groups,
            });
            output.json_line(out, &file.name, fields)?;
        }
    }
    Ok(())
}

fn encodings(c: &ColumnChunkMetaData) -> Vec<String> {
    c.encodings().map(|e| format!("{e:?}")).collect()
}

fn chunk_row(c: &ColumnChunkMetaData, leaf: &Leaf) -> Vec<String> {
    let stats = c.statistics();
    let (min, max) = match stats.map(|s| min_max(s, leaf)) {
        Some((min, max)) => {
            let display = Display::new(leaf);
            let show = |v: Option<Values>| v.map_or("-".to_string(), |v| display.format(&v, 0));
            (show(min), show(max))
        }
        None => ("-".into(), "-".into()),
    };
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    vec![
        leaf.path.clone(),
        c.num_values().to_string(),
        encodings(c).join(" "),
        format!("{:?}", c.compression_codec()),
        c.compressed_size().to_string(),
        c.uncompressed_size().to_string(),
        c.dictionary_page_offset()
            .map_or("-".into(), |o| o.to_string()),
        c.data_page_offset().to_string(),
        min,
        max,
        opt(stats.and_then(Statistics::null_count_opt)),
        opt(stats.and_then(Statistics::distinct_count_opt)),
        histogram_text(c.repetition_level_histogram()),
        histogram_text(c.definition_level_histogram()),
    ]
}

fn chunk_json(c: &ColumnChunkMetaData, leaf: &Leaf) -> Json {
    let stats = c.statistics().map(|s| {
        let (min, max) = min_max(s, leaf);
        let canonical = |v: Option<Values>| v.map_or(Json::Null, |v| leaf_json(leaf, &v, 0));
        json!({"min": canonical(min), "max": canonical(max), "null_count": s.null_count_opt(),
               "distinct_count": s.distinct_count_opt()})
    });
    json!({
        "column": leaf.path,
        "values": c.num_values(),
        "encodings": encodings(c),
        "codec": format!("{:?}", c.compression_codec()),
        "compressed_size": c.compressed_size(),
        "uncompressed_size": c.uncompressed_size(),
        "dictionary_page_offset": c.dictionary_page_offset(),
        "data_page_offset": c.data_page_offset(),
        "statistics": stats,
        "repetition_level_histogram": stored_histogram(c.repetition_level_histogram()).map(LevelHistogram::values),
        "definition_level_histogram": stored_histogram(c.definition_level_histogram()).map(LevelHistogram::values),
    })
}

/// A stored level histogram, or `None` when it is absent or empty (Arrow C++ writes an
/// empty list where the format lets it omit the histogram).
pub fn stored_histogram(h: Option<&LevelHistogram>) -> Option<&LevelHistogram> {
    h.filter(|h| !h.is_empty())
}

/// A level histogram as `level:count` pairs.
pub fn histogram_text(h: Option<&LevelHistogram>) -> String {
    match stored_histogram(h) {
        None => "-".into(),
        Some(h) => h
            .values()
            .iter()
            .enumerate()
            .map(|(level, n)| format!("{level}:{n}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Statistics' min and max as one-value [`Values`] of the leaf's physical type (`None`
/// for an absent bound, or one of the wrong type: a corrupt footer).
fn min_max(s: &Statistics, leaf: &Leaf) -> (Option<Values>, Option<Values>) {
    fn one<T: Clone>(v: Option<&T>, wrap: impl Fn(Vec<T>) -> Values) -> Option<Values> {
        v.map(|v| wrap(vec![v.clone()]))
    }
    fn bytes(v: Option<&[u8]>, fixed: bool) -> Option<Values> {
        v.map(|b| {
            let mut values = shred::stripe::ByteValues::default();
            values.push(b);
            if fixed {
                Values::FixedLenByteArray(values)
            } else {
                Values::ByteArray(values)
            }
        })
    }
    if s.physical_type() != leaf.physical() {
        return (None, None);
    }
    match s {
        Statistics::Boolean(v) => (
            one(v.min_opt(), Values::Boolean),
            one(v.max_opt(), Values::Boolean),
        ),
        Statistics::Int32(v) => (
            one(v.min_opt(), Values::Int32),
            one(v.max_opt(), Values::Int32),
        ),
        Statistics::Int64(v) => (
            one(v.min_opt(), Values::Int64),
            one(v.max_opt(), Values::Int64),
        ),
        Statistics::Int96(v) => (
            one(v.min_opt(), Values::Int96),
            one(v.max_opt(), Values::Int96),
        ),
        Statistics::Float(v) => (
            one(v.min_opt(), Values::Float),
            one(v.max_opt(), Values::Float),
        ),
        Statistics::Double(v) => (
            one(v.min_opt(), Values::Double),
            one(v.max_opt(), Values::Double),
        ),
        Statistics::ByteArray(v) => (
            bytes(v.min_opt().map(|b| b.data()), false),
            bytes(v.max_opt().map(|b| b.data()), false),
        ),
        Statistics::FixedLenByteArray(v) => (
            bytes(v.min_opt().map(|b| b.data()), true),
            bytes(v.max_opt().map(|b| b.data()), true),
        ),
    }
}
