//! `shred levels`: every leaf column's entries (record, r, d, value) of records read from
//! JSON, row group by row group and, within one, column by column in schema order: what
//! `shred-inspect levels` prints for a file written from the same records with the same
//! `--row-group-size`.
//!
//! The entries come from the streamed row groups ([`super::input`]), so memory holds a
//! few row groups, never the input. Records are numbered across the whole input, as
//! `shred-inspect` numbers them across a file. Printed by [`crate::entry_json`] (JSON lines)
//! or [`super::level_table`] (one table per column chunk). JSON lines are formatted on
//! `--threads` threads while the reader's threads parse the next row group: a row group's
//! columns are cut into slices of [`SLICE_ENTRIES`] entries, each slice formatted into a
//! buffer of its own by whichever thread is free, and the buffers written out in order, so
//! the output is the same whatever the thread count.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::Format;
use super::input::InputArgs;
use super::level_table::LevelTable;
use crate::entry_json::EntryLine;
use crate::error::{Error, Result};
use crate::line_buffer::LineBuffer;
use crate::schema::Leaf;
use crate::stripe::Stripe;

/// The flags of `shred levels`.
#[derive(Debug, Clone, clap::Args)]
pub struct LevelsArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Entries of a column formatted as JSON lines in one piece of work: large enough that
/// handing a slice to a thread costs little, small enough that the buffers of the slices
/// in flight stay a few megabytes.
const SLICE_ENTRIES: usize = 1 << 15;

/// Prints the levels of every record of the input.
pub fn levels(args: &LevelsArgs, out: &mut dyn Write) -> Result<()> {
    let mut input = args.input.open(false)?;
    let plan = input.plan();
    let leaves = plan.schema().leaves();
    let threads = input.threads();
    let mut buffers = Vec::new();
    let mut first_record = 0u64;
    let mut row_group = 0;
    while let Some(rg) = input.next_row_group()? {
        let at = RowGroupAt {
            row_group,
            first_record,
        };
        match args.format {
            Format::Json => write_json(out, leaves, &rg.stripes, at, threads, &mut buffers)?,
            Format::Table => {
                for (leaf, stripe) in leaves.iter().zip(&rg.stripes) {
                    let mut table = LevelTable::start(out, row_group, leaf).map_err(io_err)?;
                    for e in stripe.entries(leaf.max_def) {
                        let value = e.value.map(|i| (&stripe.values, i));
                        let record = first_record + e.record as u64;
                        table.push(out, record, e.r, e.d, value).map_err(io_err)?;
                    }
                    table.finish(out).map_err(io_err)?;
                }
            }
        }
        first_record += rg.records as u64;
        row_group += 1;
        input.recycle(rg.stripes);
    }
    input.finish()?;
    Ok(())
}

/// Where a row group is in the input.
#[derive(Debug, Clone, Copy)]
struct RowGroupAt {
    row_group: usize,
    /// Index of its first record in the input.
    first_record: u64,
}

/// A run of one column's entries, and where it starts: its first entry's record (counted
/// from the row group's first) and value index.
#[derive(Debug, Clone)]
struct Slice {
    column: usize,
    entries: Range<usize>,
    record: usize,
    value: usize,
}

/// The row group's columns cut into slices of at most [`SLICE_ENTRIES`] entries, in
/// output order.
fn slices(leaves: &[Leaf], stripes: &[Stripe]) -> Vec<Slice> {
    let mut slices = Vec::new();
    for (column, (leaf, stripe)) in leaves.iter().zip(stripes).enumerate() {
        let (mut record, mut value) = (0, 0);
        for start in (0..stripe.len()).step_by(SLICE_ENTRIES) {
            let end = (start + SLICE_ENTRIES).min(stripe.len());
            slices.push(Slice {
                column,
                entries: start..end,
                record,
                value,
            });
            // Records that start in this slice (a stripe's first entry always starts one).
            record += (stripe.rep[start..end].iter())
                .enumerate()
                .filter(|&(i, &r)| r == 0 || start + i == 0)
                .count();
            value += stripe.values_in(start..end, leaf.max_def);
        }
    }
    slices
}

/// Appends the JSON lines of `slice`'s entries to `out`.
fn format_slice(out: &mut LineBuffer, leaf: &Leaf, stripe: &Stripe, slice: &Slice, at: RowGroupAt) {
    let mut line = EntryLine::new(leaf, at.row_group, None);
    let entries = stripe.entries_from(
        slice.entries.clone(),
        slice.record,
        slice.value,
        leaf.max_def,
    );
    for entry in entries {
        let record = at.first_record + entry.record as u64;
        let value = entry.value.map(|v| (&stripe.values, v));
        line.write(out, record, entry.r, entry.d, value);
    }
}

/// Writes a row group's entries as JSON lines, slices formatted on `threads` threads into
/// `buffers` (kept for the next row group) and written in order.
fn write_json(
    out: &mut dyn Write,
    leaves: &[Leaf],
    stripes: &[Stripe],
    at: RowGroupAt,
    threads: usize,
    buffers: &mut Vec<LineBuffer>,
) -> Result<()> {
    let slices = slices(leaves, stripes);
    let format = |buffer: &mut LineBuffer, slice: &Slice| {
        buffer.clear();
        format_slice(
            buffer,
            &leaves[slice.column],
            &stripes[slice.column],
            slice,
            at,
        );
    };
    let threads = threads.min(slices.len());
    // Two buffers per thread: one being written out while the next is formatted.
    buffers.resize_with(2 * threads.max(1), || LineBuffer::with_capacity(0));
    if threads <= 1 {
        let buffer = &mut buffers[0];
        for slice in &slices {
            format(buffer, slice);
            out.write_all(buffer.as_bytes()).map_err(io_err)?;
        }
        return Ok(());
    }
    // A thread takes a free buffer, then the next slice, so the slice the writer waits
    // for is always being formatted into a buffer it holds: the buffers in flight bound
    // the slices done ahead of the one being written.
    let (free, free_buffers) = crossbeam_channel::unbounded::<LineBuffer>();
    let (done, formatted) = crossbeam_channel::unbounded::<(usize, LineBuffer)>();
    for buffer in buffers.drain(..) {
        free.send(buffer).expect("the receiver is here");
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut kept = Vec::new();
    let written = std::thread::scope(|scope| {
        for _ in 0..threads {
            let (free_buffers, done) = (free_buffers.clone(), done.clone());
            let (next, stop, slices, format) = (&next, &stop, &slices, &format);
            scope.spawn(move || {
                while let Ok(mut buffer) = free_buffers.recv() {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= slices.len() || stop.load(Ordering::Relaxed) {
                        let _ = done.send((usize::MAX, buffer));
                        return;
                    }
                    format(&mut buffer, &slices[i]);
                    if done.send((i, buffer)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = BTreeMap::new();
        let mut result = Ok(());
        for want in 0..slices.len() {
            let buffer = loop {
                if let Some(buffer) = waiting.remove(&want) {
                    break buffer;
                }
                let (i, buffer) = formatted.recv().expect("a thread formats every slice");
                if i == usize::MAX {
                    kept.push(buffer);
                } else {
                    waiting.insert(i, buffer);
                }
            };
            result = out.write_all(buffer.as_bytes()).map_err(io_err);
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
                kept.push(buffer);
                break;
            }
            let _ = free.send(buffer);
        }
        // The threads end once the slices are used up (or the write failed).
        drop(free);
        kept.extend(waiting.into_values());
        kept.extend(formatted.iter().map(|(_, buffer)| buffer));
        kept.extend(free_buffers.try_iter());
        result
    });
    *buffers = kept;
    written
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry_json::reference_line;
    use crate::shredder::shred_records;
    use serde_json::json;

    const SCHEMA: &str = "message m { required int64 id;
        optional group tags (LIST) { repeated group list { optional binary element (STRING); } } }";

    /// The reference: every entry's line through `serde_json`, column by column.
    fn reference(leaves: &[Leaf], stripes: &[Stripe], at: RowGroupAt) -> String {
        let mut text = String::new();
        for (leaf, stripe) in leaves.iter().zip(stripes) {
            for e in stripe.entries(leaf.max_def) {
                let value = e.value.map(|i| (&stripe.values, i));
                let record = at.first_record + e.record as u64;
                text.push_str(&reference_line(leaf, at.row_group, record, e.r, e.d, value));
            }
        }
        text
    }

    #[test]
    fn json_lines_are_the_reference_whatever_the_threads() {
        let schema = crate::Schema::parse(SCHEMA).unwrap();
        // Records of up to 40 tags, so slices start inside records too.
        let records: Vec<_> = (0..6000)
            .map(|i| {
                let tags: Vec<_> = (0..(i * 7) % 41)
                    .map(|k| (k % 5 != 0).then(|| format!("t{k}")))
                    .collect();
                json!({"id": i, "tags": (i % 9 != 0).then_some(tags)})
            })
            .collect();
        let stripes = shred_records(&schema, &records).unwrap();
        assert!(stripes[1].len() > 3 * SLICE_ENTRIES, "several slices");
        let at = RowGroupAt {
            row_group: 3,
            first_record: 12_345,
        };
        let expected = reference(schema.leaves(), &stripes, at);
        let mut buffers = Vec::new();
        for threads in [1, 2, 3, 8] {
            let mut out = Vec::new();
            write_json(
                &mut out,
                schema.leaves(),
                &stripes,
                at,
                threads,
                &mut buffers,
            )
            .unwrap();
            assert!(
                String::from_utf8(out).unwrap() == expected,
                "{threads} threads"
            );
        }
    }

    /// A sink that fails after `left` bytes.
    struct Failing {
        left: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.left {
                return Err(std::io::Error::other("disk full"));
            }
            self.left -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_stops_the_threads_and_is_an_error() {
        let schema = crate::Schema::parse(SCHEMA).unwrap();
        let records: Vec<_> = (0..200_000).map(|i| json!({"id": i, "tags": []})).collect();
        let stripes = shred_records(&schema, &records).unwrap();
        let at = RowGroupAt {
            row_group: 0,
            first_record: 0,
        };
        let mut buffers = Vec::new();
        let mut out = Failing { left: 1 << 20 };
        let err = write_json(&mut out, schema.leaves(), &stripes, at, 2, &mut buffers).unwrap_err();
        assert_eq!(err.to_string(), "writing output: disk full");
        assert_eq!(buffers.len(), 4, "every buffer kept");
    }
}
