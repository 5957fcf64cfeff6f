//! `cat`: the records of a file, assembled by our column readers and the Dremel FSM.
//!
//! For every row group, the selected leaf columns are read in lockstep, a batch of whole
//! records at a time ([`crate::column_chunk`]: pages decoded one by one into reused
//! stripes, so memory is bounded by the batch and the largest page, never the file), and
//! each batch is assembled by [`shred::assembler::Assembler`] (Dremel §4.3: any subset of
//! columns assembles into records holding just those fields). `--records A..B` skips whole
//! row groups outside the range and reads past the records before it.
//!
//! JSON is one record per line in the canonical form of [`shred::record`], the physical
//! values `shred levels --format json` prints, so `shred-inspect cat f.parquet | shred
//! write --schema s - -o g.parquet` writes the same records again. It is printed as the
//! FSM reads the entries ([`Assembler::write_record`]): no record is built, and a value
//! goes from its stripe to the output once. The table shows one row
//! per record and one column per top-level field, values by their logical type
//! ([`shred::value_display`]), nested values in a compact brace-and-bracket form; it is
//! printed in blocks ([`BlockTable`]) so it streams too.
//!
//! A VARIANT column is printed as its value, unshredded ([`shred::variant`]), as JSON in
//! both forms. JSON has fewer types than a variant: an int8 and an int64, a date and a
//! string, a binary and its base64 text print alike, so `cat` of a VARIANT file does not
//! give back the variant types. Records with VARIANT columns, and the table's, are built
//! as `serde_json` values first.

use std::io::Write;
use std::ops::Range;

use serde_json::Value as Json;
use shred::Stripe;
use shred::assembler::Assembler;
use shred::buffered_out::BufferedOut;
use shred::cli::progress::ProgressBar;
use shred::cli::table::BlockTable;
use shred::schema::{Leaf, Node};
use shred::stripe::Values;
use shred::value_display::display;
use shred::variant::RecordVariants;

use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::error::{Error, Result};
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// What `cat` selects.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Column paths (leaf or group); all columns when empty.
    pub columns: Vec<String>,
    /// Only these file-wide record indexes.
    pub records: Option<Range<u64>>,
}

/// Prints the selected records of `file`; `progress` advances by one per record. On an
/// error, the records before it are printed, then the error returned.
pub fn cat(
    file: &ParquetFile,
    selection: &Selection,
    output: &Output,
    progress: &ProgressBar,
    out: &mut dyn Write,
) -> Result<()> {
    let leaves = file.select_columns(&selection.columns)?;
    let mut text = BufferedOut::new(out);
    let mut table =
        (output.format == Format::Table).then(|| TableRows::new(file.schema.root(), &leaves));
    let printed = print_records(file, selection, &leaves, progress, &mut text, &mut table);
    let flushed = match &mut table {
        Some(rows) => rows.table.flush(&mut text),
        None => Ok(()),
    };
    text.finish_after(printed.and(flushed.map_err(Into::into)))
}

/// The body of [`cat`]: reads the selected records batch by batch and prints them.
fn print_records(
    file: &ParquetFile,
    selection: &Selection,
    leaves: &[usize],
    progress: &ProgressBar,
    text: &mut BufferedOut<'_>,
    table: &mut Option<TableRows>,
) -> Result<()> {
    let schema = &file.schema;
    let starts = file.row_group_starts();
    let records = selection.records.clone().unwrap_or(0..u64::MAX);
    let mut stripes: Vec<Stripe> = schema
        .leaves()
        .iter()
        .map(shred::column_io::stripe_for)
        .collect();
    let variants = RecordVariants::new(schema, leaves);
    let variant_leaves: Vec<usize> = variants
        .columns()
        .iter()
        .flat_map(|c| c.leaves.clone())
        .collect();
    for rg in 0..file.metadata().num_row_groups() {
        let (rg_start, rg_end) = (starts[rg], starts[rg + 1]);
        if rg_end <= records.start || rg_start >= records.end {
            continue;
        }
        let mut chunks = leaves
            .iter()
            .map(|&leaf| {
                let mut chunk = ChunkStripes::open(file, rg, leaf)?;
                chunk.skip_to(records.start)?;
                Ok(chunk)
            })
            .collect::<Result<Vec<_>>>()?;
        loop {
            let want = records
                .end
                .saturating_sub(chunks[0].next_record())
                .min(BATCH_RECORDS as u64) as usize;
            let first_record = chunks[0].next_record();
            let n = read_batch(file, &mut chunks, leaves, &mut stripes, want)?;
            if n == 0 {
                break;
            }
            let batch = Batch {
                file,
                row_group: rg,
                first_record,
                stripes: &stripes,
                leaves,
            };
            match table.as_mut() {
                None if variants.is_empty() => batch.print_json(text)?,
                rows => batch.print_values(&variants, &variant_leaves, text, rows)?,
            }
            progress.inc(n as u64);
        }
        if records.end >= rg_end {
            for chunk in &chunks {
                chunk.check_complete()?;
            }
        }
    }
    Ok(())
}

/// The records of one batch of a row group, assembled from their stripes.
struct Batch<'a> {
    file: &'a ParquetFile,
    row_group: usize,
    /// File-wide index of the batch's first record.
    first_record: u64,
    stripes: &'a [Stripe],
    leaves: &'a [usize],
}

impl Batch<'_> {
    fn assembling(&self, e: shred::Error) -> Error {
        Error::input(
            &self.file.name,
            format!("row group {}: assembling: {e}", self.row_group),
        )
    }

    /// Prints the records as JSON lines as the FSM reads their entries, without
    /// building them ([`Assembler::write_record`]).
    fn print_json(&self, text: &mut BufferedOut<'_>) -> Result<()> {
        let mut assembler = Assembler::new(&self.file.schema, self.stripes, self.leaves);
        while assembler
            .write_record(text)
            .map_err(|e| self.assembling(e))?
        {
            text.buffer().put(b"\n");
            text.flush_full()?;
        }
        Ok(())
    }

    /// Prints the records built as values: the table form, and JSON with VARIANT
    /// columns (each variant unshredded into the record).
    fn print_values(
        &self,
        variants: &RecordVariants,
        variant_leaves: &[usize],
        text: &mut BufferedOut<'_>,
        mut rows: Option<&mut TableRows>,
    ) -> Result<()> {
        let schema = &self.file.schema;
        let assembler = Assembler::new(schema, self.stripes, self.leaves);
        let table = rows.is_some();
        let assembler = if table {
            assembler.with_leaf_value(shown)
        } else {
            assembler
        };
        // The table's records hold shown values; the variants come from a second
        // assembly of their columns with canonical values.
        let mut canonical = (table && !variants.is_empty())
            .then(|| Assembler::new(schema, self.stripes, variant_leaves));
        let unshredding = |e| Error::input(&self.file.name, e);
        for (i, record) in assembler.enumerate() {
            let mut record = record.map_err(|e| self.assembling(e))?;
            let index = self.first_record + i as u64;
            if let Some(canonical) = &mut canonical {
                let mut raw = canonical
                    .next()
                    .unwrap_or_else(|| Ok(Json::Null))
                    .map_err(|e| self.assembling(e))?;
                variants
                    .replace_with_json(&mut raw, index as usize)
                    .map_err(unshredding)?;
                let mut shown = Vec::new();
                variants
                    .each_slot(&mut raw, &mut |_, _, value| {
                        shown.push(value.to_string());
                        Ok(())
                    })
                    .map_err(unshredding)?;
                let mut shown = shown.into_iter();
                variants
                    .each_slot(&mut record, &mut |_, _, value| {
                        *value = Json::String(shown.next().unwrap_or_default());
                        Ok(())
                    })
                    .map_err(unshredding)?;
            } else {
                variants
                    .replace_with_json(&mut record, index as usize)
                    .map_err(unshredding)?;
            }
            match rows.as_deref_mut() {
                None => {
                    // A write error is kept by `text`, returned by `flush_full`.
                    let _ = serde_json::to_writer(&mut *text, &record);
                    text.buffer().put(b"\n");
                }
                Some(rows) => rows.push(index, &record, text)?,
            }
            text.flush_full()?;
        }
        Ok(())
    }
}

/// Reads the next batch of at most `want` records from every chunk into `stripes` (indexed
/// by leaf); returns how many records it holds, after checking that all columns agree.
/// Each chunk's batch is swapped into `stripes`, so a chunk and `stripes` trade their
/// buffers batch by batch and neither is allocated again.
pub(crate) fn read_batch(
    file: &ParquetFile,
    chunks: &mut [ChunkStripes<'_>],
    leaves: &[usize],
    stripes: &mut [Stripe],
    want: usize,
) -> Result<usize> {
    let mut counts = Vec::with_capacity(chunks.len());
    for (chunk, &leaf) in chunks.iter_mut().zip(leaves) {
        // The last batch is done with: a huge one is given back before the next is read.
        stripes[leaf].clear();
        let records = chunk.next_batch(want)?.map_or(0, |b| b.records);
        counts.push(records);
        std::mem::swap(&mut chunk.stripe, &mut stripes[leaf]);
    }
    let n = counts[0];
    if let Some(c) = counts.iter().position(|&c| c != n) {
        return Err(Error::input(
            &file.name,
            format!(
                "{}: corrupt column chunk: {} records where column {} has {n}",
                chunks[c].place(),
                counts[c],
                chunks[0].leaf.path
            ),
        ));
    }
    Ok(n)
}

/// A leaf value as the table shows it: its logical reading, as a JSON string that
/// [`render`] prints without quotes of its own.
fn shown(leaf: &Leaf, values: &Values, i: usize) -> Json {
    Json::String(display(leaf, values, i))
}

/// A value of an assembled table record in the compact form tables show: objects as
/// `{name: value, ...}`, lists as `[value, ...]`, leaves as [`shown`] rendered them.
fn render(value: &Json, text: &mut String) {
    match value {
        Json::Null => text.push_str("null"),
        Json::String(shown) => text.push_str(shown),
        Json::Object(fields) => {
            text.push('{');
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(name);
                text.push_str(": ");
                render(value, text);
            }
            text.push('}');
        }
        Json::Array(items) => {
            text.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                render(item, text);
            }
            text.push(']');
        }
        other => text.push_str(&other.to_string()),
    }
}

/// The table form: a row per record, a column per selected top-level field.
struct TableRows {
    fields: Vec<String>,
    table: BlockTable,
}

impl TableRows {
    fn new(root: &Node, leaves: &[usize]) -> Self {
        let fields: Vec<String> = root
            .children()
            .iter()
            .filter(|f| f.leaf_range().any(|l| leaves.contains(&l)))
            .map(|f| f.name.clone())
            .collect();
        let mut header = vec!["record"];
        header.extend(fields.iter().map(String::as_str));
        let table = BlockTable::new(&header);
        TableRows { fields, table }
    }

    fn push(&mut self, record: u64, value: &Json, out: &mut dyn Write) -> Result<()> {
        let mut row = Vec::with_capacity(self.fields.len() + 1);
        row.push(record.to_string());
        for field in &self.fields {
            let mut text = String::new();
            render(value.get(field).unwrap_or(&Json::Null), &mut text);
            row.push(text);
        }
        self.table.push(row, out)?;
        Ok(())
    }
}
