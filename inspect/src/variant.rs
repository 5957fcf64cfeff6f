//! `variant`: how each VARIANT column of a file is shredded, path by path.
//!
//! A VARIANT column (parquet-format `VariantShredding.md`) stores each value as `metadata`
//! and `value` binaries and, where shredded, a `typed_value` tree of typed columns. For
//! every `value`/`typed_value` pair of that tree (`$`, `$.a`, `$.tags[*]`) this shows the
//! `typed_value`'s variant type and how often each state occurs: missing, value only,
//! typed only, partially shredded object; and the layouts the spec forbids, each with the
//! first record that has it ([`shred::variant::census`]). Only the VARIANT columns' leaves
//! are read, batch by batch ([`crate::column_chunk`]) and assembled by the Dremel FSM, so
//! memory is bounded by a batch. A forbidden layout fails the check (exit 1) after the
//! counts are shown; a `typed_value` tree the spec does not allow is bad input (exit 2)
//! naming its schema path.

use std::io::Write;

use serde_json::Value as Json;
use shred::Stripe;
use shred::assembler::Assembler;
use shred::cli::table;
use shred::variant::census::Census;
use shred::variant::{RecordVariants, Shredded, VariantColumn};

use crate::cat::read_batch;
use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::error::{Error, Result};
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// Shows the shredding of the VARIANT columns of `file` (those under `columns`, or all).
pub fn variant(
    file: &ParquetFile,
    columns: &[String],
    output: &Output,
    out: &mut dyn Write,
) -> Result<()> {
    let schema = &file.schema;
    let selected: Vec<VariantColumn> = VariantColumn::find_all(schema)
        .into_iter()
        .filter(|c| {
            columns.is_empty()
                || columns.iter().any(|p| {
                    *p == c.path
                        || c.path.starts_with(&format!("{p}."))
                        || p.starts_with(&format!("{}.", c.path))
                })
        })
        .collect();
    if selected.is_empty() {
        return Err(Error::input(
            &file.name,
            if columns.is_empty() {
                "no VARIANT column".to_string()
            } else {
                format!("no VARIANT column at {}", columns.join(", "))
            },
        ));
    }
    let layouts: Vec<&Shredded> = selected
        .iter()
        .map(|c| {
            c.shredding.as_ref().map_err(|e| {
                Error::input(
                    &file.name,
                    format!("VARIANT {}: a layout the spec forbids: {e}", c.path),
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut censuses: Vec<Census> = selected
        .iter()
        .zip(&layouts)
        .map(|(c, s)| Census::new(c, s))
        .collect();
    let leaves: Vec<usize> = selected.iter().flat_map(|c| c.leaves.clone()).collect();
    let variants = RecordVariants::new(schema, &leaves);
    let mut stripes: Vec<Stripe> = schema
        .leaves()
        .iter()
        .map(shred::column_io::stripe_for)
        .collect();
    let starts = file.row_group_starts();
    for (rg, &start) in starts
        .iter()
        .enumerate()
        .take(file.metadata().num_row_groups())
    {
        let mut chunks = leaves
            .iter()
            .map(|&leaf| ChunkStripes::open(file, rg, leaf))
            .collect::<Result<Vec<_>>>()?;
        let mut record = start;
        loop {
            let n = read_batch(file, &mut chunks, &leaves, &mut stripes, BATCH_RECORDS)?;
            if n == 0 {
                break;
            }
            for assembled in Assembler::new(schema, &stripes, &leaves) {
                let mut assembled = assembled.map_err(|e| {
                    Error::input(&file.name, format!("row group {rg}: assembling: {e}"))
                })?;
                censuses.iter_mut().for_each(Census::count_record);
                variants
                    .each_slot(&mut assembled, &mut |column, _, slot| {
                        let k = selected
                            .iter()
                            .position(|c| c.path == column.path)
                            .expect("the selection's columns");
                        censuses[k].add(layouts[k], slot, record);
                        Ok(())
                    })
                    .map_err(|e| Error::input(&file.name, e))?;
                record += 1;
            }
        }
        for chunk in &chunks {
            chunk.check_complete()?;
        }
    }
    for (census, column) in censuses.iter().zip(&selected) {
        show(census, column, output, &file.name, out)?;
    }
    let forbidden: Vec<String> = censuses
        .iter()
        .flat_map(|c| {
            c.paths.iter().flat_map(move |p| {
                p.forbidden.iter().map(move |f| {
                    format!(
                        "{} {}: {} ({}, first in record {})",
                        c.column,
                        p.path,
                        f.kind,
                        occurrences(f.count),
                        f.first_record
                    )
                })
            })
        })
        .collect();
    if !forbidden.is_empty() {
        return Err(Error::mismatch(
            &file.name,
            format!("layouts the spec forbids: {}", forbidden.join("; ")),
        ));
    }
    Ok(())
}

fn show(
    census: &Census,
    column: &VariantColumn,
    output: &Output,
    name: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let version = column.version.map_or(String::new(), |v| v.to_string());
    match output.format {
        Format::Json => {
            let mut fields = serde_json::to_value(census).expect("a census serializes");
            if let Json::Object(map) = &mut fields {
                map.insert("version".into(), Json::from(column.version));
            }
            output.json_line(out, name, fields)?;
        }
        Format::Table => {
            writeln!(
                out,
                "VARIANT({version}) column {}: {} records, {} null",
                census.column, census.records, census.null
            )?;
            let rows: Vec<Vec<String>> = census
                .paths
                .iter()
                .map(|p| {
                    vec![
                        p.path.clone(),
                        p.typed_value.clone().unwrap_or_else(|| "-".into()),
                        p.missing.to_string(),
                        p.value_only.to_string(),
                        p.typed_only.to_string(),
                        p.partially_shredded.to_string(),
                        p.forbidden_count().to_string(),
                        p.schema_path.clone(),
                    ]
                })
                .collect();
            let header = [
                "path",
                "typed_value",
                "missing",
                "value only",
                "typed only",
                "partially shredded",
                "forbidden",
                "schema path",
            ];
            writeln!(out, "{}", table::render(&header, &rows))?;
            for p in &census.paths {
                for f in &p.forbidden {
                    writeln!(
                        out,
                        "forbidden at {}: {} ({}, first in record {})",
                        p.path,
                        f.kind,
                        occurrences(f.count),
                        f.first_record
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn occurrences(count: u64) -> String {
    if count == 1 {
        "1 occurrence".into()
    } else {
        format!("{count} occurrences")
    }
}
