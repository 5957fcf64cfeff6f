//! `levels`: every entry of the selected leaf columns, as the file stores it.
//!
//! An entry is one (repetition level, definition level) pair of a column and, when the
//! definition level is the column's maximum, its value (Dremel §4.1; the Parquet format's
//! "Nested Encoding"). For every row group, in schema order, each selected column chunk is
//! read batch by batch ([`crate::column_chunk`]) and its entries printed in file order
//! with their file-wide record index. `--row-group` skips the other row groups,
//! `--records A..B` skips whole row groups outside the range and reads past the records
//! before it, `--limit N` stops each column after N entries.
//!
//! Printed exactly as `shred levels` prints the levels it computes from records: JSON
//! lines `{"column":"phones.list.item.number","row_group":0,"record":3,"r":1,"d":4,"value":"+91-…"}`
//! written by [`shred::entry_json`], tables with one section per column chunk by
//! [`shred::cli::level_table`].

use std::io::Write;
use std::ops::Range;

use shred::buffered_out::BufferedOut;
use shred::cli::level_table::LevelTable;
use shred::entry_json::EntryLine;

use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::error::Result;
use crate::parquet_file::ParquetFile;
use crate::{Format, Output};

/// What `levels` selects.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Column paths (leaf or group); all columns when empty.
    pub columns: Vec<String>,
    /// Only this row group.
    pub row_group: Option<usize>,
    /// Only these file-wide record indexes.
    pub records: Option<Range<u64>>,
    /// At most this many entries per column.
    pub limit: Option<u64>,
}

/// Prints the selected entries of `file`. On an error, the entries before it are
/// printed, then the error returned.
pub fn levels(
    file: &ParquetFile,
    selection: &Selection,
    output: &Output,
    out: &mut dyn Write,
) -> Result<()> {
    let columns = file.select_columns(&selection.columns)?;
    if let Some(rg) = selection.row_group {
        file.check_row_group(rg)?;
    }
    let mut text = BufferedOut::new(out);
    let printed = print_entries(file, selection, output, &columns, &mut text);
    text.finish_after(printed)
}

/// The body of [`levels`]: reads the selected column chunks batch by batch and prints
/// their entries.
fn print_entries(
    file: &ParquetFile,
    selection: &Selection,
    output: &Output,
    columns: &[usize],
    text: &mut BufferedOut<'_>,
) -> Result<()> {
    let starts = file.row_group_starts();
    let records = selection.records.clone().unwrap_or(0..u64::MAX);
    let mut left: Vec<u64> = vec![selection.limit.unwrap_or(u64::MAX); columns.len()];
    let file_key = output.multi.then_some(file.name.as_str());
    for rg in 0..file.metadata().num_row_groups() {
        if selection.row_group.is_some_and(|g| g != rg) {
            continue;
        }
        let (rg_start, rg_end) = (starts[rg], starts[rg + 1]);
        if rg_end <= records.start || rg_start >= records.end {
            continue;
        }
        for (c, &leaf) in columns.iter().enumerate() {
            if left[c] == 0 {
                continue;
            }
            let mut chunk = ChunkStripes::open(file, rg, leaf)?;
            chunk.skip_to(records.start)?;
            let mut table = match output.format {
                Format::Table => Some(LevelTable::start(&mut *text, rg, chunk.leaf)?),
                Format::Json => None,
            };
            let mut line = EntryLine::new(chunk.leaf, rg, file_key);
            let max_def = chunk.leaf.max_def;
            let mut stopped = false;
            loop {
                let want = records
                    .end
                    .saturating_sub(chunk.next_record())
                    .min(BATCH_RECORDS as u64);
                let Some(batch) = chunk.next_batch(want as usize)? else {
                    break;
                };
                let stripe = &chunk.stripe;
                for e in stripe.entries(max_def) {
                    if left[c] == 0 {
                        stopped = true;
                        break;
                    }
                    left[c] -= 1;
                    let record = batch.first_record + e.record as u64;
                    let value = e.value.map(|i| (&stripe.values, i));
                    match &mut table {
                        None => {
                            line.write_out(text, record, e.r, e.d, value);
                            text.flush_full()?;
                        }
                        Some(table) => table.push(&mut *text, record, e.r, e.d, value)?,
                    }
                }
                if stopped {
                    break;
                }
            }
            if !stopped && records.end >= rg_end {
                chunk.check_complete()?;
            }
            if let Some(table) = table {
                table.finish(&mut *text)?;
            }
        }
    }
    Ok(())
}
