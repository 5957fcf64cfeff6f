//! `record`: one record traced through the file, then reassembled.
//!
//! Record `N` (file-wide) lives in the row group whose record range holds it. In every
//! leaf column of that row group the records before it are read and dropped batch by
//! batch ([`crate::column_chunk`]), then its own entries are read: one `(r, d, value)` per
//! entry, the first with `r == 0` (Dremel §4.1). Each entry's page follows from the
//! chunk's data page headers ([`crate::pages::chunk_pages`]): data page `k` holds the
//! `num_values` entries after those of the pages before it. The entries of all columns
//! are then handed to [`shred::assembler::Assembler`] (the record-assembly FSM of Dremel
//! §4.3), which must give back exactly one record, printed as JSON. When the file has
//! VARIANT columns, the record is printed a second time with each variant unshredded and
//! shown as JSON ([`shred::variant`]; `"unshredded"` in the JSON form).

use std::io::Write;

use serde_json::Value as Json;
use shred::Stripe;
use shred::assembler::Assembler;
use shred::cli::table;
use shred::column_io::stripe_for;
use shred::record::leaf_json;
use shred::value_display::Display;
use shred::variant::RecordVariants;

use crate::column_chunk::ChunkStripes;
use crate::error::{Error, Result};
use crate::pages::ChunkPageList;
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// One entry of the traced record.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedEntry {
    /// Entry index within the column chunk.
    pub entry: u64,
    /// Index of the page holding it within the column chunk (as `pages` numbers them).
    pub page: Option<usize>,
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
    /// The value's canonical JSON (null for an entry without a value); `None` unless
    /// asked for (a table shows values shortened, so a value of a gigabyte is not
    /// copied to be traced).
    pub value: Option<Json>,
    /// The value as tables show it.
    pub shown: String,
}

/// A traced record: its entries per column and the record reassembled.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// File-wide record index.
    pub record: u64,
    /// Row group holding it.
    pub row_group: usize,
    /// Per leaf column (schema order): its entries.
    pub columns: Vec<Vec<TracedEntry>>,
    /// The record assembled from those entries.
    pub assembled: Json,
    /// The record with its VARIANT values unshredded, as JSON, when the file has any.
    pub unshredded: Option<Json>,
}

/// Traces record `record` of `file`; with `canonical`, each entry's canonical value too.
pub fn trace(file: &ParquetFile, record: u64, canonical: bool) -> Result<Trace> {
    let starts = file.row_group_starts();
    let total = *starts
        .last()
        .expect("starts has num_row_groups + 1 entries");
    if record >= total {
        return Err(Error::input(
            &file.name,
            format!("no record {record}: the file has {total} records (0..{total})"),
        ));
    }
    // The last row group starting at or before `record` that is not empty.
    let rg = starts.partition_point(|&s| s <= record) - 1;
    let leaves = file.schema.leaves();
    let mut stripes: Vec<Stripe> = leaves.iter().map(stripe_for).collect();
    let mut columns = Vec::with_capacity(leaves.len());
    for (leaf, stripe) in stripes.iter_mut().enumerate() {
        let mut chunk = ChunkStripes::open(file, rg, leaf)?;
        chunk.skip_to(record)?;
        let place = chunk.place();
        let batch = chunk.next_batch(1)?.ok_or_else(|| {
            Error::input(
                &file.name,
                format!("{place}: corrupt column chunk: it ends before record {record}"),
            )
        })?;
        std::mem::swap(stripe, &mut chunk.stripe);
        let page_ends = data_page_ends(&chunk.pages);
        let l = &leaves[leaf];
        let display = Display::new(l);
        let entries = stripe
            .entries(l.max_def)
            .map(|e| {
                let entry = batch.first_entry + e.index as u64;
                let page = page_ends
                    .iter()
                    .find(|(_, end)| entry < *end)
                    .map(|(page, _)| *page);
                let (value, shown) = match e.value {
                    Some(i) => (
                        canonical.then(|| leaf_json(l, &stripe.values, i)),
                        display.format(&stripe.values, i),
                    ),
                    None => (canonical.then_some(Json::Null), "null".to_string()),
                };
                TracedEntry {
                    entry,
                    page,
                    r: e.r,
                    d: e.d,
                    value,
                    shown,
                }
            })
            .collect();
        columns.push(entries);
    }
    let mut assembler = Assembler::all(&file.schema, &stripes);
    let assemble_error = |e: shred::Error| {
        Error::input(
            &file.name,
            format!("record {record}: the levels do not assemble into a record: {e}"),
        )
    };
    let assembled = assembler
        .next_record()
        .map_err(assemble_error)?
        .ok_or_else(|| {
            Error::input(
                &file.name,
                format!("record {record}: no entries to assemble"),
            )
        })?;
    if assembler.next_record().map_err(assemble_error)?.is_some() {
        return Err(Error::input(
            &file.name,
            format!("record {record}: the entries assemble into more than one record"),
        ));
    }
    let variants = RecordVariants::all(&file.schema);
    let unshredded = if variants.is_empty() {
        None
    } else {
        let mut unshredded = assembled.clone();
        variants
            .replace_with_json(&mut unshredded, record as usize)
            .map_err(|e| Error::input(&file.name, e))?;
        Some(unshredded)
    };
    Ok(Trace {
        record,
        row_group: rg,
        columns,
        assembled,
        unshredded,
    })
}

/// Per data page of a chunk: its page index and the chunk entry index it ends at.
fn data_page_ends(list: &ChunkPageList) -> Vec<(usize, u64)> {
    let mut end = 0u64;
    list.pages
        .iter()
        .filter(|p| p.header.kind.is_data())
        .map(|p| {
            end += p.header.num_values as u64;
            (p.index, end)
        })
        .collect()
}

/// Prints the trace of record `record` of `file`.
pub fn record(file: &ParquetFile, record: u64, output: &Output, out: &mut dyn Write) -> Result<()> {
    let t = trace(file, record, output.format == Format::Json)?;
    let leaves = file.schema.leaves();
    match output.format {
        Format::Table => {
            writeln!(out, "record {} (row group {})", t.record, t.row_group)?;
            writeln!(out)?;
            for (leaf, entries) in leaves.iter().zip(&t.columns) {
                writeln!(
                    out,
                    "column {} (max r {}, max d {})",
                    leaf.path, leaf.max_rep, leaf.max_def
                )?;
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.entry.to_string(),
                            e.page.map_or("?".into(), |p| p.to_string()),
                            e.r.to_string(),
                            e.d.to_string(),
                            e.shown.clone(),
                        ]
                    })
                    .collect();
                writeln!(
                    out,
                    "{}",
                    table::render(&["entry", "page", "r", "d", "value"], &rows)
                )?;
                writeln!(out)?;
            }
            writeln!(out, "assembled by the Dremel FSM:")?;
            writeln!(out, "{}", t.assembled)?;
            if let Some(unshredded) = &t.unshredded {
                writeln!(out)?;
                writeln!(out, "with VARIANT values unshredded:")?;
                writeln!(out, "{unshredded}")?;
            }
        }
        Format::Json => {
            // Values are moved into the line, not copied (`json!` copies what it is
            // given): a traced value can be a gigabyte.
            let object = |fields: Vec<(&str, Json)>| {
                Json::Object(
                    fields
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            };
            let columns: Vec<Json> = leaves
                .iter()
                .zip(t.columns)
                .map(|(leaf, entries)| {
                    let entries: Vec<Json> = entries
                        .into_iter()
                        .map(|e| {
                            object(vec![
                                ("entry", e.entry.into()),
                                ("page", e.page.into()),
                                ("r", e.r.into()),
                                ("d", e.d.into()),
                                ("value", e.value.unwrap_or_default()),
                            ])
                        })
                        .collect();
                    object(vec![
                        ("column", leaf.path.as_str().into()),
                        ("entries", entries.into()),
                    ])
                })
                .collect();
            let mut fields = vec![
                ("record", t.record.into()),
                ("row_group", t.row_group.into()),
                ("columns", columns.into()),
                ("assembled", t.assembled),
            ];
            if let Some(unshredded) = t.unshredded {
                fields.push(("unshredded", unshredded));
            }
            output.json_line(out, &file.name, object(fields))?;
        }
    }
    Ok(())
}
