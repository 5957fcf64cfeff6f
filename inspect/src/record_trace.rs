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
//!
//! The JSON form is printed from the stripes ([`shred::leaf_json_writer`],
//! [`Assembler::write_record`]): a value of a gigabyte goes to the output from its
//! stripe, twice (its entry and the record), and is never copied in memory.

use std::io::Write;

use serde_json::Value as Json;
use shred::Stripe;
use shred::assembler::Assembler;
use shred::buffered_out::BufferedOut;
use shred::cli::table;
use shred::column_io::stripe_for;
use shred::leaf_json_writer::LeafJsonWriter;
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
    /// Index of its value in its column's stripe; `None` for an entry without a value.
    pub value: Option<usize>,
    /// The value as tables show it.
    pub shown: String,
}

/// A traced record: its entries per column, read into stripes that assemble into it.
#[derive(Debug, Clone)]
pub struct Trace {
    /// File-wide record index.
    pub record: u64,
    /// Row group holding it.
    pub row_group: usize,
    /// Per leaf column (schema order): its entries.
    pub columns: Vec<Vec<TracedEntry>>,
    /// Per leaf column: the record's entries and values.
    pub stripes: Vec<Stripe>,
}

/// Traces record `record` of `file`: reads its entries and checks that they assemble
/// into one record.
pub fn trace(file: &ParquetFile, record: u64) -> Result<Trace> {
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
                let shown = match e.value {
                    Some(i) => display.format(&stripe.values, i),
                    None => "null".to_string(),
                };
                TracedEntry {
                    entry,
                    page,
                    r: e.r,
                    d: e.d,
                    value: e.value,
                    shown,
                }
            })
            .collect();
        columns.push(entries);
    }
    let trace = Trace {
        record,
        row_group: rg,
        columns,
        stripes,
    };
    // The FSM's pass over the entries: exactly one record (where the values land is
    // checked as the record is built or printed).
    let mut assembler = Assembler::all(&file.schema, &trace.stripes);
    let mut reads = Vec::new();
    if !assembler
        .next_record_entries(&mut reads)
        .map_err(|e| trace.assemble_error(file, e))?
    {
        return Err(Error::input(
            &file.name,
            format!("record {record}: no entries to assemble"),
        ));
    }
    if assembler
        .next_record_entries(&mut reads)
        .map_err(|e| trace.assemble_error(file, e))?
    {
        return Err(Error::input(
            &file.name,
            format!("record {record}: the entries assemble into more than one record"),
        ));
    }
    Ok(trace)
}

impl Trace {
    fn assemble_error(&self, file: &ParquetFile, e: shred::Error) -> Error {
        Error::input(
            &file.name,
            format!(
                "record {}: the levels do not assemble into a record: {e}",
                self.record
            ),
        )
    }

    /// The record assembled from the traced entries.
    pub fn assembled(&self, file: &ParquetFile) -> Result<Json> {
        Assembler::all(&file.schema, &self.stripes)
            .next_record()
            .map_err(|e| self.assemble_error(file, e))
            .map(|record| record.expect("trace checked that the entries hold one record"))
    }

    /// `assembled` (this trace's record) with its VARIANT values unshredded, as JSON,
    /// when the file has any.
    pub fn unshredded(&self, file: &ParquetFile, assembled: &Json) -> Result<Option<Json>> {
        let variants = RecordVariants::all(&file.schema);
        if variants.is_empty() {
            return Ok(None);
        }
        let mut unshredded = assembled.clone();
        variants
            .replace_with_json(&mut unshredded, self.record as usize)
            .map_err(|e| Error::input(&file.name, e))?;
        Ok(Some(unshredded))
    }

    /// Prints the record to nowhere: the errors [`Trace::write_json`] would meet in the
    /// middle of its line, found before anything is printed.
    fn check_printable(&self, file: &ParquetFile) -> Result<()> {
        let mut sink = std::io::sink();
        Assembler::all(&file.schema, &self.stripes)
            .write_record(&mut BufferedOut::new(&mut sink))
            .map_err(|e| self.assemble_error(file, e))?;
        Ok(())
    }

    /// Prints the trace as one JSON line, `{"record", "row_group", "columns":
    /// [{"column", "entries": [{"entry", "page", "r", "d", "value"}]}], "assembled"}`
    /// (and `"unshredded"` when given), after a `"file"` key when `file_key`.
    fn write_json(
        &self,
        file: &ParquetFile,
        file_key: bool,
        unshredded: Option<&Json>,
        text: &mut BufferedOut<'_>,
    ) -> Result<()> {
        let json_str = |text: &mut BufferedOut<'_>, s: &str| {
            serde_json::to_writer(&mut *text, s).map_err(std::io::Error::from)
        };
        text.buffer().put(b"{");
        if file_key {
            text.buffer().put(b"\"file\":");
            json_str(text, &file.name)?;
            text.buffer().put(b",");
        }
        write!(
            text,
            "\"record\":{},\"row_group\":{},\"columns\":[",
            self.record, self.row_group
        )?;
        let leaves = file.schema.leaves();
        for (c, (leaf, entries)) in leaves.iter().zip(&self.columns).enumerate() {
            text.buffer().put(if c == 0 { b"{" } else { b",{" });
            text.buffer().put(b"\"column\":");
            json_str(text, &leaf.path)?;
            text.buffer().put(b",\"entries\":[");
            let value = LeafJsonWriter::new(leaf);
            for (i, e) in entries.iter().enumerate() {
                text.buffer().put(if i == 0 { b"{" } else { b",{" });
                write!(text, "\"entry\":{},\"page\":", e.entry)?;
                match e.page {
                    Some(page) => write!(text, "{page}")?,
                    None => text.buffer().put(b"null"),
                }
                write!(text, ",\"r\":{},\"d\":{},\"value\":", e.r, e.d)?;
                match e.value {
                    Some(v) => value.write_out(text, &self.stripes[c].values, v),
                    None => text.buffer().put(b"null"),
                }
                text.buffer().put(b"}");
                text.flush_full()?;
            }
            text.buffer().put(b"]}");
        }
        text.buffer().put(b"],\"assembled\":");
        Assembler::all(&file.schema, &self.stripes)
            .write_record(text)
            .map_err(|e| self.assemble_error(file, e))?;
        if let Some(unshredded) = unshredded {
            text.buffer().put(b",\"unshredded\":");
            serde_json::to_writer(&mut *text, &unshredded).map_err(std::io::Error::from)?;
        }
        text.buffer().put(b"}\n");
        text.flush_full()?;
        Ok(())
    }
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
    let t = trace(file, record)?;
    let leaves = file.schema.leaves();
    // What can fail is done before anything is printed: the record is built (the table,
    // files with VARIANT columns) or printed to nowhere.
    let has_variants = !RecordVariants::all(&file.schema).is_empty();
    let assembled = if output.format == Format::Table || has_variants {
        Some(t.assembled(file)?)
    } else {
        t.check_printable(file)?;
        None
    };
    let unshredded = match &assembled {
        Some(assembled) => t.unshredded(file, assembled)?,
        None => None,
    };
    match output.format {
        Format::Table => {
            let assembled = assembled.expect("built for the table");
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
            writeln!(out, "{assembled}")?;
            if let Some(unshredded) = unshredded {
                writeln!(out)?;
                writeln!(out, "with VARIANT values unshredded:")?;
                writeln!(out, "{unshredded}")?;
            }
        }
        Format::Json => {
            let mut text = BufferedOut::new(out);
            let written = t.write_json(file, output.multi, unshredded.as_ref(), &mut text);
            text.finish_after(written)?;
        }
    }
    Ok(())
}
