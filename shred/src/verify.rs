//! Verifying a Parquet file: our column readers and FSM against arrow-rs's reader.
//!
//! For every row group, [`verify_file`] reads all leaf columns in lockstep with
//! [`StripeReader::read_records`] (whole records, `batch_size` at a time, so memory is
//! bounded by the batch, not the file), assembles the records with the Dremel FSM
//! ([`Assembler`]), and compares each one with the record arrow-rs's
//! `ParquetRecordBatchReader` gives for the same row ([`crate::arrow_read`]). The first
//! difference names the record, the field path and both values. Both readers see the file
//! through [`ParquetSource`], so a footer that other implementations tolerate is repaired
//! the same way for both ([`VerifySummary::warnings`]). An encrypted file is read with the
//! keys given ([`DecryptionKeys`]): arrow-rs decrypts it itself, our column readers through
//! [`ParquetReader`].
//!
//! When arrow-rs cannot read the file (its schema conversion or a batch fails) while our
//! readers can, there is nothing to compare with: every record is still read and
//! assembled, and the summary says so ([`Comparison::ArrowUnreadable`], with arrow-rs's
//! error). That is neither a pass nor a difference: `shred verify` shows it as its own
//! result and exits with 3 ([`Error::NotCompared`]). A file our readers cannot read is an
//! error ([`Error::Input`], exit 2) whatever arrow-rs makes of it.
//!
//! A VARIANT column is compared twice: as the raw groups both readers assemble, and as
//! values, our unshredding ([`crate::variant`]) against arrow-rs's `unshred_variant`. A
//! layout the spec forbids is an error of our side (exit 2) naming the record and path.

use std::collections::VecDeque;
use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::file::reader::Length;
use serde_json::Value as Json;

use crate::arrow_read::{batch_to_records, batch_to_unshredded_records};
use crate::assembler::Assembler;
use crate::column_io::{StripeReader, stripe_for};
use crate::decryption_keys::DecryptionKeys;
use crate::error::{Error, Result};
use crate::footer::{ParquetSource, chunks_outside};
use crate::parquet_reader::ParquetReader;
use crate::record::first_difference;
use crate::schema::Schema;
use crate::stripe::Stripe;
use crate::variant::RecordVariants;

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
    /// Footer fields repaired to read the file ([`crate::footer`]), one line each.
    pub warnings: Vec<String>,
    /// What our records were compared with.
    pub comparison: Comparison,
}

/// What our assembled records were compared with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Comparison {
    /// arrow-rs read the file, and every record equals arrow-rs's.
    #[default]
    Agrees,
    /// arrow-rs cannot read the file: nothing was compared, but our readers read and
    /// assembled every record.
    ArrowUnreadable {
        /// arrow-rs's error.
        error: String,
    },
}

impl VerifySummary {
    /// The result in one phrase: "OK" or "arrow-rs cannot read".
    pub fn result(&self) -> &'static str {
        match self.comparison {
            Comparison::Agrees => "OK",
            Comparison::ArrowUnreadable { .. } => "arrow-rs cannot read",
        }
    }

    /// Why nothing was compared, naming the file, when arrow-rs cannot read it.
    pub fn not_compared(&self, name: &str) -> Option<String> {
        let Comparison::ArrowUnreadable { error } = &self.comparison else {
            return None;
        };
        Some(format!(
            "{name}: arrow-rs cannot read this file ({error}), so nothing was compared; our readers read and assembled all {} records ({} row groups, {} columns, {} entries)",
            self.records, self.row_groups, self.columns, self.entries
        ))
    }
}

/// Opens a Parquet file with `keys`, naming the file in every error. A file whose column
/// chunks do not all lie inside it is refused here, naming every such chunk (the column
/// readers would fail on it with a bare end of file).
pub fn open(path: &Path, keys: &DecryptionKeys) -> Result<ParquetReader> {
    let reader = ParquetReader::open(path, keys, false).map_err(|e| match e {
        Error::Parquet { context, source } => Error::Input {
            message: format!("{context}: not a readable Parquet file: {source}"),
        },
        other => other,
    })?;
    let outside = chunks_outside(reader.metadata(), Length::len(reader.source()));
    if !outside.is_empty() {
        return Err(Error::Input {
            message: format!(
                "{}: corrupt file (truncated, or a corrupt footer): {}",
                path.display(),
                outside.join("; ")
            ),
        });
    }
    Ok(reader)
}

/// The file at `path` as the `parquet` crate reads it, its footer repaired where needed.
fn source(path: &Path) -> Result<ParquetSource> {
    File::open(path)
        .and_then(ParquetSource::open)
        .map_err(|e| Error::Input {
            message: format!("{}: cannot open: {e}", path.display()),
        })
}

/// arrow-rs's side of the comparison: its records, one at a time, or why it has none.
struct ArrowSide {
    reader: Option<ParquetRecordBatchReader>,
    queue: VecDeque<Json>,
    /// Set when arrow-rs failed; nothing is compared after that.
    error: Option<String>,
    /// The records of `queue` with their VARIANT groups unshredded by arrow-rs, when the
    /// file has any.
    unshredded: Option<VecDeque<Json>>,
}

/// The next record of arrow-rs.
enum Next {
    Record(Json),
    /// arrow-rs has no more records.
    End,
    /// arrow-rs cannot read the file ([`ArrowSide::error`] says why).
    Unreadable,
}

impl ArrowSide {
    fn open(path: &Path, batch_size: usize, keys: &DecryptionKeys) -> Result<Self> {
        let mut options = ArrowReaderOptions::new();
        if let Some(properties) = keys.properties()? {
            options = options.with_file_decryption_properties(properties);
        }
        let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(source(path)?, options)
            .and_then(|b| b.with_batch_size(batch_size).build());
        Ok(match reader {
            Ok(reader) => ArrowSide {
                reader: Some(reader),
                queue: VecDeque::new(),
                error: None,
                unshredded: None,
            },
            Err(e) => ArrowSide {
                reader: None,
                queue: VecDeque::new(),
                error: Some(e.to_string()),
                unshredded: None,
            },
        })
    }

    fn next(&mut self, schema: &Schema) -> Result<Next> {
        if self.error.is_some() {
            return Ok(Next::Unreadable);
        }
        if self.queue.is_empty() {
            match self.reader.as_mut().and_then(Iterator::next) {
                Some(Ok(batch)) => {
                    self.queue.extend(batch_to_records(schema, &batch)?);
                    if let Some(unshredded) = &mut self.unshredded {
                        match batch_to_unshredded_records(schema, &batch) {
                            Ok(records) => unshredded.extend(records),
                            Err(e) => {
                                self.error = Some(format!("VARIANT {e}"));
                                self.reader = None;
                                return Ok(Next::Unreadable);
                            }
                        }
                    }
                }
                Some(Err(e)) => {
                    self.error = Some(e.to_string());
                    self.reader = None;
                    return Ok(Next::Unreadable);
                }
                None => return Ok(Next::End),
            }
        }
        Ok(self.queue.pop_front().map_or(Next::End, Next::Record))
    }
}

/// Verifies every record of the file at `path`, decrypting it with `keys` when it is
/// encrypted.
pub fn verify_file(path: &Path, batch_size: usize, keys: &DecryptionKeys) -> Result<VerifySummary> {
    let name = path.display().to_string();
    let reader = open(path, keys)?;
    let warnings = reader.warnings().to_vec();
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())?;
    let mut arrow = ArrowSide::open(path, batch_size, keys)?;
    let variants = RecordVariants::all(&schema);
    if !variants.is_empty() {
        arrow.unshredded = Some(VecDeque::new());
    }
    let leaves = schema.leaves().len();
    let mut summary = VerifySummary {
        columns: leaves,
        warnings,
        ..Default::default()
    };
    for row_group in 0..reader.metadata().num_row_groups() {
        summary.row_groups += 1;
        let mut readers = (0..leaves)
            .map(|leaf| {
                let column = reader.column_reader(row_group, leaf)?;
                Ok(StripeReader::new(column, &schema.leaves()[leaf]))
            })
            .collect::<Result<Vec<_>>>()
            .map_err(|e| read_error(&name, row_group, e))?;
        let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
        loop {
            let mut counts = Vec::with_capacity(leaves);
            for (r, s) in readers.iter_mut().zip(stripes.iter_mut()) {
                s.clear();
                counts.push(
                    r.read_records(batch_size, s)
                        .map_err(|e| read_error(&name, row_group, e))?,
                );
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
                let our_variants = variants.unshred(&ours, record).map_err(|e| Error::Input {
                    message: format!("{name}: {e}"),
                })?;
                match arrow.next(&schema)? {
                    Next::Record(expected) => {
                        if let Some(d) = first_difference(&ours, &expected) {
                            return Err(Error::Mismatch {
                                message: format!(
                                    "{name}: record {record}: {}",
                                    d.describe("ours", "arrow-rs")
                                ),
                            });
                        }
                        let theirs = arrow.unshredded.as_mut().and_then(VecDeque::pop_front);
                        if let Some(d) = theirs.and_then(|theirs| {
                            crate::variant::arrow::first_difference(
                                &variants,
                                &our_variants,
                                &theirs,
                            )
                        }) {
                            return Err(Error::Mismatch {
                                message: format!("{name}: record {record}: {d}"),
                            });
                        }
                    }
                    Next::End => {
                        return Err(Error::Mismatch {
                            message: format!(
                                "{name}: record {record}: arrow-rs has no more records"
                            ),
                        });
                    }
                    Next::Unreadable => {}
                }
                summary.records += 1;
            }
        }
    }
    if arrow.error.is_none() && matches!(arrow.next(&schema)?, Next::Record(_)) {
        return Err(Error::Mismatch {
            message: format!(
                "{name}: arrow-rs has more records than the {} we assembled",
                summary.records
            ),
        });
    }
    if let Some(error) = arrow.error {
        summary.comparison = Comparison::ArrowUnreadable { error };
    }
    Ok(summary)
}

/// An error of our column readers, with the file and row group it happened in (the
/// `parquet` crate's "Parquet error: " prefix dropped; the context says it).
fn read_error(name: &str, row_group: usize, error: Error) -> Error {
    match error {
        Error::Input { message } => Error::Input {
            message: format!("{name}: {message}"),
        },
        Error::Parquet { context, source } => {
            let message = source.to_string();
            let message = message.strip_prefix("Parquet error: ").unwrap_or(&message);
            Error::Input {
                message: format!("{name}: row group {row_group}: {context}: {message}"),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decryption_keys::{parse_column_key, parse_key};
    use crate::footer::tests::corpus;

    const NO_KEYS: DecryptionKeys = DecryptionKeys {
        footer_key: None,
        column_keys: Vec::new(),
        aad_prefix: None,
    };

    /// The corpus's keys: the footer key "0123456789012345", double_field's
    /// "1234567890123450" and float_field's "1234567890123451" (ASCII), in hex.
    fn corpus_keys() -> DecryptionKeys {
        DecryptionKeys {
            footer_key: Some(parse_key("30313233343536373839303132333435").unwrap()),
            column_keys: vec![
                parse_column_key("double_field:31323334353637383930313233343530").unwrap(),
                parse_column_key("float_field:31323334353637383930313233343531").unwrap(),
            ],
            aad_prefix: None,
        }
    }

    #[test]
    fn map_without_value_field_agrees_with_arrow_rs() {
        let summary = verify_file(&corpus("data/map_no_value.parquet"), 2, &NO_KEYS).unwrap();
        assert_eq!((summary.records, summary.columns), (3, 4));
        assert!(summary.warnings.is_empty());
    }

    #[test]
    fn file_row_count_of_zero_is_repaired_for_both_readers() {
        let summary =
            verify_file(&corpus("data/repeated_no_annotation.parquet"), 4, &NO_KEYS).unwrap();
        assert_eq!(summary.records, 6);
        assert_eq!(summary.warnings.len(), 1);
    }

    #[test]
    fn chunks_past_the_end_of_the_file_are_named() {
        let path = corpus("bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet");
        let error = verify_file(&path, 16, &NO_KEYS).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(
            error.to_string().ends_with(
                "corrupt file (truncated, or a corrupt footer): row group 0, column region_key: the column chunk (offset 466, 125 bytes) lies past the end of the file (533 bytes); row group 0, column comment_col: the column chunk (offset 591, 2002 bytes) lies past the end of the file (533 bytes)"
            ),
            "{error}"
        );
    }

    #[test]
    fn encrypted_column_is_named() {
        let path = corpus("data/encrypt_columns_plaintext_footer.parquet.encrypted");
        let error = verify_file(&path, 16, &NO_KEYS).unwrap_err().to_string();
        assert!(
            error.ends_with("row group 0, column float_field is encrypted (Parquet modular encryption) with column key \"kc2\": pass its key with --column-key float_field:HEX"),
            "{error}"
        );
    }

    #[test]
    fn encrypted_footer_and_columns_are_decrypted_with_their_keys() {
        for file in [
            "data/encrypt_columns_and_footer.parquet.encrypted",
            "data/encrypt_columns_plaintext_footer.parquet.encrypted",
            "data/uniform_encryption.parquet.encrypted",
        ] {
            let summary = verify_file(&corpus(file), 16, &corpus_keys()).unwrap();
            assert_eq!(summary.comparison, Comparison::Agrees, "{file}");
            assert_eq!((summary.records, summary.columns), (50, 8), "{file}");
        }
    }

    #[test]
    fn wrong_column_key_is_named() {
        let mut keys = corpus_keys();
        keys.column_keys[1] =
            parse_column_key("float_field:31323334353637383930313233343530").unwrap();
        let path = corpus("data/encrypt_columns_plaintext_footer.parquet.encrypted");
        let error = verify_file(&path, 16, &keys).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        let error = error.to_string();
        assert!(
            error.ends_with("cannot decrypt the file's metadata with the keys given (a wrong --footer-key or --column-key, or a missing or wrong --aad-prefix): Unable to decrypt column 'float_field', perhaps the column key is wrong?"),
            "{error}"
        );
    }

    #[test]
    fn reader_errors_name_the_row_group_and_column() {
        let path = corpus("bad_data/ARROW-RS-GH-6229-LEVELS.parquet");
        let error = verify_file(&path, 16, &NO_KEYS).unwrap_err().to_string();
        assert!(
            error.ends_with("row group 0: reading column outer.list.item.c: Insufficient repetition levels read from column"),
            "{error}"
        );
    }
}
