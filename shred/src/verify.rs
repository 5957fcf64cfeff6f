//! Verifying a Parquet file: our column readers and FSM against arrow-rs's reader.
//!
//! For every row group, [`verify_file`] reads all leaf columns in lockstep with
//! [`StripeReader::read_records`] (whole records, `batch_size` at a time, so memory is
//! bounded by the batch, not the file), assembles the records with the Dremel FSM
//! ([`Assembler`]), and compares each one with the record arrow-rs's
//! `ParquetRecordBatchReader` gives for the same row ([`crate::arrow_read`]). The first
//! difference names the record, the field path and both values.

use std::collections::VecDeque;
use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value as Json;

use crate::arrow_read::batch_to_records;
use crate::assembler::Assembler;
use crate::column_io::{StripeReader, stripe_for};
use crate::error::{Error, Result};
use crate::record::first_difference;
use crate::schema::Schema;
use crate::stripe::Stripe;

/// What a successful verification checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifySummary {
    /// Row groups read.
    pub row_groups: usize,
    /// Records assembled and compared.
    pub records: usize,
    /// Leaf columns.
    pub columns: usize,
    /// Level entries read (all columns).
    pub entries: usize,
    /// Non-null values read (all columns).
    pub values: usize,
}

/// Opens a Parquet file, naming the file in every error.
pub fn open(path: &Path) -> Result<SerializedFileReader<File>> {
    let file = File::open(path).map_err(|e| Error::Input {
        message: format!("{}: cannot open: {e}", path.display()),
    })?;
    SerializedFileReader::new(file).map_err(|e| Error::Input {
        message: format!("{}: not a readable Parquet file: {e}", path.display()),
    })
}

/// Verifies every record of the file at `path`.
pub fn verify_file(path: &Path, batch_size: usize) -> Result<VerifySummary> {
    let name = path.display().to_string();
    let reader = open(path)?;
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())?;
    let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    let mut arrow = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(batch_size).build())
        .map_err(|e| Error::Input {
            message: format!("{name}: arrow-rs cannot read it: {e}"),
        })?;
    let mut theirs: VecDeque<Json> = VecDeque::new();
    let leaves = schema.leaves().len();
    let mut summary = VerifySummary {
        columns: leaves,
        ..Default::default()
    };
    for row_group in 0..reader.num_row_groups() {
        summary.row_groups += 1;
        let mut readers = (0..leaves)
            .map(|leaf| StripeReader::open(&reader, &schema, row_group, leaf))
            .collect::<Result<Vec<_>>>()?;
        let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
        loop {
            let mut counts = Vec::with_capacity(leaves);
            for (r, s) in readers.iter_mut().zip(stripes.iter_mut()) {
                s.clear();
                counts.push(r.read_records(batch_size, s)?);
            }
            let n = counts.first().copied().unwrap_or(0);
            if let Some(leaf) = counts.iter().position(|&c| c != n) {
                return Err(Error::Mismatch {
                    message: format!(
                        "{name}: row group {row_group}: column {} has {} records where column {} has {n}",
                        schema.leaves()[leaf].path,
                        counts[leaf],
                        schema.leaves()[0].path
                    ),
                });
            }
            if n == 0 {
                break;
            }
            summary.entries += stripes.iter().map(Stripe::len).sum::<usize>();
            summary.values += stripes.iter().map(|s| s.values.len()).sum::<usize>();
            for ours in Assembler::all(&schema, &stripes) {
                let ours = ours.map_err(|e| Error::Mismatch {
                    message: format!("{name}: row group {row_group}: {e}"),
                })?;
                let record = summary.records;
                if theirs.is_empty() {
                    match arrow.next() {
                        Some(batch) => {
                            let batch = batch.map_err(|e| Error::Input {
                                message: format!("{name}: arrow-rs: {e}"),
                            })?;
                            theirs.extend(batch_to_records(&schema, &batch)?);
                        }
                        None => {
                            return Err(Error::Mismatch {
                                message: format!(
                                    "{name}: record {record}: arrow-rs has no more records"
                                ),
                            });
                        }
                    }
                }
                let expected = theirs.pop_front().expect("refilled above");
                if let Some(d) = first_difference(&ours, &expected) {
                    return Err(Error::Mismatch {
                        message: format!(
                            "{name}: record {record}: {}",
                            d.describe("ours", "arrow-rs")
                        ),
                    });
                }
                summary.records += 1;
            }
        }
    }
    if !theirs.is_empty() || arrow.next().is_some() {
        return Err(Error::Mismatch {
            message: format!(
                "{name}: arrow-rs has more records than the {} we assembled",
                summary.records
            ),
        });
    }
    Ok(summary)
}
