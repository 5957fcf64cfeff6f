//! `shred levels`: every leaf column's entries (record, r, d, value) of records read from
//! JSON, row group by row group and, within one, column by column in schema order: what
//! `shred-inspect levels` prints for a file written from the same records with the same
//! `--row-group-size`.
//!
//! The entries come from the streamed row groups ([`super::input`]), so memory holds a
//! few row groups, never the input. Records are numbered across the whole input, as
//! `shred-inspect` numbers them across a file. Printed by [`crate::entry_json`] (JSON lines,
//! buffered) or [`super::level_table`] (one table per column chunk).

use std::io::Write;

use super::Format;
use super::input::InputArgs;
use super::level_table::LevelTable;
use crate::entry_json::EntryLine;
use crate::error::{Error, Result};
use crate::line_buffer::LineBuffer;

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

/// Bytes of JSON buffered before they are written out.
const FLUSH_BYTES: usize = 1 << 20;

/// Prints the levels of every record of the input.
pub fn levels(args: &LevelsArgs, out: &mut dyn Write) -> Result<()> {
    let mut input = args.input.open(false)?;
    let plan = input.plan();
    let leaves = plan.schema().leaves();
    let mut json = LineBuffer::with_capacity(FLUSH_BYTES + 4096);
    let mut first_record = 0u64;
    let mut row_group = 0;
    while let Some(rg) = input.next_row_group()? {
        for (leaf, stripe) in leaves.iter().zip(&rg.stripes) {
            let entries = stripe.entries(leaf.max_def);
            match args.format {
                Format::Json => {
                    let mut line = EntryLine::new(leaf, row_group, None);
                    for e in entries {
                        let value = e.value.map(|i| (&stripe.values, i));
                        line.write(&mut json, first_record + e.record as u64, e.r, e.d, value);
                        if json.len() >= FLUSH_BYTES {
                            out.write_all(json.as_bytes()).map_err(io_err)?;
                            json.clear();
                        }
                    }
                }
                Format::Table => {
                    let mut table = LevelTable::start(out, row_group, leaf).map_err(io_err)?;
                    for e in entries {
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
    out.write_all(json.as_bytes()).map_err(io_err)?;
    input.finish()?;
    Ok(())
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}
