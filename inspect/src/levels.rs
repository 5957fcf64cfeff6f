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
//! JSON lines have the shape of `shred levels --format json` plus the row group:
//! `{"column":"phones.list.item.number","row_group":0,"record":3,"r":1,"d":4,"value":"+91-…"}`,
//! written by [`crate::entry_json`]. Tables show one section per column chunk, values by
//! their logical type ([`crate::value_display`]).

use std::io::Write;
use std::ops::Range;

use crate::column_chunk::{BATCH_RECORDS, ChunkStripes};
use crate::entry_json::EntryLine;
use crate::error::Result;
use crate::line_buffer::LineBuffer;
use crate::parquet_file::ParquetFile;
use crate::table::BlockTable;
use crate::value_display::Display;
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

/// Bytes of JSON buffered before they are written out.
const FLUSH_BYTES: usize = 1 << 20;

/// Prints the selected entries of `file`.
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
    let starts = file.row_group_starts();
    let records = selection.records.clone().unwrap_or(0..u64::MAX);
    let mut left: Vec<u64> = vec![selection.limit.unwrap_or(u64::MAX); columns.len()];
    let mut json = LineBuffer::with_capacity(FLUSH_BYTES + 4096);
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
                Format::Table => {
                    let l = chunk.leaf;
                    writeln!(
                        out,
                        "row group {rg}, column {} (max r {}, max d {})",
                        l.path, l.max_rep, l.max_def
                    )?;
                    Some(BlockTable::new(&["record", "r", "d", "value"]))
                }
                Format::Json => None,
            };
            let mut line = EntryLine::new(chunk.leaf, rg, file_key);
            let display = Display::new(chunk.leaf);
            let max_def = chunk.leaf.max_def;
            let mut stopped = false;
            let mut shown = 0u64;
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
                    shown += 1;
                    let record = batch.first_record + e.record as u64;
                    match &mut table {
                        None => {
                            line.write(
                                &mut json,
                                record,
                                e.r,
                                e.d,
                                e.value.map(|i| (&stripe.values, i)),
                            );
                            if json.len() >= FLUSH_BYTES {
                                out.write_all(json.as_bytes())?;
                                json.clear();
                            }
                        }
                        Some(table) => {
                            let value = match e.value {
                                Some(i) => display.format(&stripe.values, i),
                                None => "null".to_string(),
                            };
                            let row =
                                vec![record.to_string(), e.r.to_string(), e.d.to_string(), value];
                            table.push(row, out)?;
                        }
                    }
                }
                if stopped {
                    break;
                }
            }
            if !stopped && records.end >= rg_end {
                chunk.check_complete()?;
            }
            if let Some(table) = &mut table {
                table.flush(out)?;
                if shown == 0 {
                    writeln!(out, "(no entries)")?;
                }
                writeln!(out)?;
            }
        }
    }
    out.write_all(json.as_bytes())?;
    Ok(())
}
