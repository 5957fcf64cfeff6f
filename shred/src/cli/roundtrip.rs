//! `shred roundtrip`: records → stripes → the assembly FSM → records, compared with the
//! input record by record (Dremel §4.2 and §4.3: assembly inverts shredding).
//!
//! Streamed row group by row group ([`super::input`]); the reader also gives each row group
//! its records in canonical form ([`crate::record::normalize`], made on the shredding
//! threads), which the assembled records must equal. The first difference is a failed check
//! (exit 1) naming the record and both values. The report totals records, columns, entries
//! and values.

use std::io::Write;

use super::input::InputArgs;
use super::table::render;
use crate::Stripe;
use crate::assembler::Assembler;
use crate::error::{Error, Result};
use crate::record::first_difference;

/// The flags of `shred roundtrip`.
#[derive(Debug, Clone, clap::Args)]
pub struct RoundtripArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Shreds, reassembles and compares every record; prints the totals.
pub fn roundtrip(args: &RoundtripArgs, out: &mut dyn Write) -> Result<()> {
    let mut input = args.input.open(true)?;
    let plan = input.plan();
    let schema = plan.schema();
    let (mut records, mut entries, mut values) = (0usize, 0usize, 0usize);
    while let Some(rg) = input.next_row_group()? {
        let mut assembled = 0;
        for (record, expected) in Assembler::all(schema, &rg.stripes).zip(&rg.canonical) {
            let record = record?;
            if let Some(d) = first_difference(expected, &record) {
                return Err(Error::Mismatch {
                    message: format!(
                        "record {}: {}",
                        records + assembled,
                        d.describe("input", "assembled")
                    ),
                });
            }
            assembled += 1;
        }
        if assembled != rg.records {
            return Err(Error::Mismatch {
                message: format!(
                    "records {}..{}: {} records in, {assembled} assembled",
                    records,
                    records + rg.records,
                    rg.records
                ),
            });
        }
        records += rg.records;
        entries += rg.stripes.iter().map(Stripe::len).sum::<usize>();
        values += rg.stripes.iter().map(|s| s.values.len()).sum::<usize>();
        input.recycle(rg.stripes);
    }
    input.finish()?;
    let row = vec![
        records.to_string(),
        schema.leaves().len().to_string(),
        entries.to_string(),
        values.to_string(),
        "identical".to_string(),
    ];
    let header = ["records", "columns", "entries", "values", "result"];
    writeln!(out, "{}", render(&header, &[row])).map_err(|e| Error::io("writing output", e))
}
