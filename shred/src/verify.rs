//! Verifying a Parquet file: our column readers and FSM against arrow-rs's reader.
//!
//! Row groups are verified in parallel ([`VerifyOptions::threads`]), each on its own: the
//! selected leaf columns ([`VerifyOptions::columns`], all by default) are read in lockstep
//! by our stripe readers ([`ParquetReader::stripe_reader`]; byte-array chunks decoded by
//! [`crate::chunk_decoder`]), whole records, `batch_size` at a time, fewer when the footer
//! says a row group's records are large ([`batch_records`]), so memory is bounded by the
//! batch, not the file, while arrow-rs's `ParquetRecordBatchReader` reads the same row
//! group and projection, its next batch read ahead while ours is.
//!
//! A batch of ours is compared with arrow-rs's batch of the same records column by column
//! ([`crate::arrow_levels`]): each of arrow-rs's leaf columns is turned back into its
//! levels and values, which must equal our stripe's. That is the record-by-record check
//! without building the records: the Dremel FSM ([`Assembler`]) reads each record's
//! entries column after column, each column in order
//! ([`Assembler::next_record_entries`]), so a record's entries equal the entries of
//! arrow-rs's record walked in document order ([`crate::arrow_entries`]) exactly when
//! every column's entries are equal. When a column differs, or arrow-rs's batch does not
//! hold the same records, the batch is compared record by record: the FSM runs over each
//! record and each of arrow-rs's rows is walked into the same sequence; column,
//! repetition level, definition level and value must agree entry by entry. At the first
//! record that differs both records are built, and the difference names the record
//! (file-wide index), the field path and both values, or the column and entry when the
//! records differ only in their levels. The first difference in file order is reported.
//!
//! Both readers see the file through [`ParquetSource`], so a footer that other
//! implementations tolerate is repaired the same way for both ([`VerifySummary::warnings`]).
//! An encrypted file is read with the keys given ([`DecryptionKeys`]): arrow-rs decrypts it
//! itself, our column readers through [`ParquetReader`].
//!
//! When arrow-rs cannot read the file (its schema conversion or a batch fails) while our
//! readers can, there is nothing to compare with: every record is still read and
//! assembled, and the summary says so ([`Comparison::ArrowUnreadable`], with arrow-rs's
//! error). That is neither a pass nor a difference: `shred verify` shows it as its own
//! result and exits with 3 ([`Error::NotCompared`]). A file our readers cannot read is an
//! error ([`Error::Input`], exit 2) whatever arrow-rs makes of it.
//!
//! A VARIANT column is compared twice: as the raw groups both readers read, and as
//! values, our unshredding ([`crate::variant`]) of each assembled record against arrow-rs's
//! `unshred_variant` of its batch (all columns only: a projection compares the raw groups),
//! so a file with VARIANT columns is compared record by record.
//! A layout the spec forbids is an error of our side (exit 2) naming the record and path.

use std::fs::File;
use std::path::Path;

use arrow::array::RecordBatch;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::file::reader::Length;
use rayon::prelude::*;

use crate::arrow_entries::{ArrowEntry, ArrowRecords, same_value};
use crate::arrow_levels::ArrowLevels;
use crate::arrow_read::{batch_to_records, batch_to_unshredded_records};
use crate::assembler::{Assembler, EntryRead};
use crate::column_io::{batch_records, stripe_for};
use crate::decryption_keys::DecryptionKeys;
use crate::error::{Error, Result};
use crate::footer::{ParquetSource, chunks_outside};
use crate::parquet_reader::ParquetReader;
use crate::record::{first_difference, leaf_json};
use crate::schema::Schema;
use crate::stripe::Stripe;
use crate::variant::RecordVariants;

/// How [`verify_file`] reads a file.
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Records per batch read from every column (and per arrow-rs batch).
    pub batch_size: usize,
    /// Column paths (leaf or group) to verify; all columns when empty.
    pub columns: &'a [String],
    /// Row groups verified at once; 0 for one per core.
    pub threads: usize,
    /// Keys of an encrypted file.
    pub keys: &'a DecryptionKeys,
    /// Told, once, the number of records the file's footer declares, before the first
    /// batch is read (the length of a progress bar: the footer is read once).
    pub total: &'a (dyn Fn(u64) + Sync),
    /// Told the number of records of every batch verified, from any thread.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Checks every batch our readers read before it is compared with arrow-rs (a
    /// generator compares it with the records it generated): an error stops the
    /// verification and is its result.
    pub check_batch: &'a (dyn Fn(&OurBatch<'_>) -> Result<()> + Sync),
}

/// A batch of whole records our column readers read.
#[derive(Debug, Clone, Copy)]
pub struct OurBatch<'a> {
    /// Row group index.
    pub row_group: usize,
    /// File-wide index of the batch's first record.
    pub first_record: usize,
    /// Records in the batch.
    pub records: usize,
    /// The batch's stripes, indexed by leaf column (the columns not selected are empty).
    pub stripes: &'a [Stripe],
}

impl<'a> VerifyOptions<'a> {
    /// All columns, `batch_size` records per batch, one thread per core, no progress.
    pub fn new(batch_size: usize, keys: &'a DecryptionKeys) -> Self {
        VerifyOptions {
            batch_size,
            columns: &[],
            threads: 0,
            keys,
            total: &|_| {},
            progress: &|_| {},
            check_batch: &|_| Ok(()),
        }
    }
}

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

/// What one row group's verification found.
#[derive(Debug, Default)]
struct RowGroupCheck {
    records: usize,
    entries: usize,
    values: usize,
    /// arrow-rs's error, when it could not read this row group.
    arrow_error: Option<String>,
}

/// What every row group's verification shares.
struct FileCheck<'a> {
    name: String,
    path: &'a Path,
    schema: &'a Schema,
    /// The selected leaf columns, in column order.
    leaves: Vec<usize>,
    /// Per leaf column: whether it is selected.
    selected: Vec<bool>,
    /// The VARIANT columns compared as values (none under a projection).
    variants: RecordVariants<'a>,
    /// arrow-rs's view of the file, or why it has none.
    arrow: std::result::Result<ArrowReaderMetadata, String>,
    /// The file-wide index of each row group's first record.
    first_record: Vec<usize>,
    options: VerifyOptions<'a>,
}

/// Verifies every record of the file at `path` (the columns `options` selects),
/// decrypting it with `options.keys` when it is encrypted.
pub fn verify_file(path: &Path, options: &VerifyOptions) -> Result<VerifySummary> {
    let name = path.display().to_string();
    let reader = open(path, options.keys)?;
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())?;
    let leaves = schema
        .select_leaves(options.columns)
        .map_err(|message| Error::Input {
            message: format!("{name}: {message}"),
        })?;
    let variants = if leaves.len() == schema.leaves().len() {
        RecordVariants::all(&schema)
    } else {
        RecordVariants::new(&schema, &[])
    };
    let mut selected = vec![false; schema.leaves().len()];
    leaves.iter().for_each(|&l| selected[l] = true);
    let mut arrow_options = ArrowReaderOptions::new();
    if let Some(properties) = options.keys.properties()? {
        arrow_options = arrow_options.with_file_decryption_properties(properties);
    }
    let arrow = ArrowReaderMetadata::load(&source(path)?, arrow_options).map_err(|e| e.to_string());
    let row_groups = reader.metadata().row_groups();
    (options.total)(reader.metadata().file_metadata().num_rows().max(0) as u64);
    let first_record = row_groups
        .iter()
        .scan(0usize, |next, rg| {
            let first = *next;
            *next += rg.num_rows().max(0) as usize;
            Some(first)
        })
        .collect();
    let check = FileCheck {
        name,
        path,
        schema: &schema,
        leaves,
        selected,
        variants,
        arrow,
        first_record,
        options: *options,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| Error::Input {
            message: format!("cannot start verification threads: {e}"),
        })?;
    let checks: Vec<Result<RowGroupCheck>> = pool.install(|| {
        (0..row_groups.len())
            .into_par_iter()
            .map(|rg| check.row_group(rg))
            .collect()
    });
    let mut summary = VerifySummary {
        columns: check.leaves.len(),
        warnings: reader.warnings().to_vec(),
        ..Default::default()
    };
    let mut arrow_error = check.arrow.as_ref().err().cloned();
    for rg in checks {
        let rg = rg?;
        summary.row_groups += 1;
        summary.records += rg.records;
        summary.entries += rg.entries;
        summary.values += rg.values;
        arrow_error = arrow_error.or(rg.arrow_error);
    }
    if let Some(error) = arrow_error {
        summary.comparison = Comparison::ArrowUnreadable { error };
    }
    Ok(summary)
}

/// arrow-rs's rows of one row group: whole batches, or one row at a time.
struct ArrowRows<'a> {
    reader: ParquetRecordBatchReader,
    /// The batch being read, with the rows handed out so far.
    current: Option<ArrowBatch<'a>>,
    /// Why there are no more batches, once the reader ended or failed.
    finished: Option<Next>,
    /// The reader's next batch, read ahead while our readers read theirs.
    ahead: Option<Option<std::result::Result<RecordBatch, arrow::error::ArrowError>>>,
}

/// One batch of arrow-rs's rows.
struct ArrowBatch<'a> {
    batch: RecordBatch,
    /// The rows walked as entries, made when a row is compared on its own.
    walk: Option<ArrowRecords<'a>>,
    /// The rows with their VARIANT groups unshredded, when the file has any.
    unshredded: Vec<serde_json::Value>,
    /// Rows handed out (the next row to hand out).
    taken: usize,
}

impl ArrowBatch<'_> {
    /// The row handed out last, by [`ArrowRows::advance`].
    fn row(&self) -> usize {
        self.taken - 1
    }
}

/// The next row of arrow-rs, or why there is none.
#[derive(Clone)]
enum Next {
    /// The current batch's row `row`.
    Row,
    /// arrow-rs has no more rows in this row group.
    End,
    /// arrow-rs failed.
    Failed(String),
}

impl<'a> ArrowRows<'a> {
    /// Reads the next batch ahead, unless it has been.
    fn read_ahead(&mut self) {
        if self.ahead.is_none() && self.finished.is_none() {
            self.ahead = Some(self.reader.next());
        }
    }

    /// Makes the next batch with rows current: [`Next::Row`], or why there is none.
    fn load(&mut self, check: &'a FileCheck<'_>) -> Next {
        if let Some(finished) = &self.finished {
            return finished.clone();
        }
        let next = match self.ahead.take() {
            Some(next) => next,
            None => self.reader.next(),
        };
        let next = match next {
            Some(Ok(batch)) if batch.num_rows() > 0 => {
                let unshredded = if check.variants.is_empty() {
                    Ok(Vec::new())
                } else {
                    batch_to_unshredded_records(check.schema, &batch)
                };
                match unshredded {
                    Ok(unshredded) => {
                        self.current = Some(ArrowBatch {
                            batch,
                            walk: None,
                            unshredded,
                            taken: 0,
                        });
                        return Next::Row;
                    }
                    Err(e) => Next::Failed(format!("VARIANT {e}")),
                }
            }
            Some(Ok(_)) | None => Next::End,
            Some(Err(e)) => Next::Failed(e.to_string()),
        };
        self.current = None;
        self.finished = Some(next.clone());
        next
    }

    /// Whether the current batch has rows not handed out.
    fn has_rows(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|b| b.taken < b.batch.num_rows())
    }

    /// The next `n` rows as one whole batch, when arrow-rs's next batch holds exactly
    /// them (then they count as handed out); `None` otherwise, the rows left in place.
    fn whole_batch(&mut self, check: &'a FileCheck<'_>, n: usize) -> Option<&RecordBatch> {
        if !self.has_rows() && !matches!(self.load(check), Next::Row) {
            return None;
        }
        let current = self.current.as_mut()?;
        (current.taken == 0 && current.batch.num_rows() == n).then_some(&current.batch)
    }

    /// Marks the current batch, given by [`ArrowRows::whole_batch`], as handed out.
    fn take_batch(&mut self) {
        if let Some(current) = self.current.as_mut() {
            current.taken = current.batch.num_rows();
        }
    }

    /// Hands out the next row.
    fn advance(&mut self, check: &'a FileCheck<'_>) -> Result<Next> {
        if !self.has_rows() {
            let next = self.load(check);
            if !matches!(next, Next::Row) {
                return Ok(next);
            }
        }
        let current = self.current.as_mut().expect("a batch with rows");
        if current.walk.is_none() {
            current.walk = Some(ArrowRecords::new(
                check.schema,
                &current.batch,
                &check.selected,
            )?);
        }
        current.taken += 1;
        Ok(Next::Row)
    }
}

impl FileCheck<'_> {
    /// arrow-rs's reader of row group `rg`, over the selected columns, `batch` records
    /// at a time.
    fn arrow_rows(&self, rg: usize, batch: usize) -> std::result::Result<ArrowRows<'_>, String> {
        let metadata = self.arrow.as_ref().map_err(Clone::clone)?;
        let source = source(self.path).map_err(|e| e.to_string())?;
        let mask = ProjectionMask::leaves(
            metadata.metadata().file_metadata().schema_descr(),
            self.leaves.iter().copied(),
        );
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(source, metadata.clone())
            .with_row_groups(vec![rg])
            .with_projection(mask)
            .with_batch_size(batch)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(ArrowRows {
            reader,
            current: None,
            finished: None,
            ahead: None,
        })
    }

    fn row_group(&self, rg: usize) -> Result<RowGroupCheck> {
        let (name, schema) = (&self.name, self.schema);
        // A reader of its own: the `parquet` crate reads a `File` through clones of its
        // handle, which share one file offset, so threads must not share a handle.
        let reader = open(self.path, self.options.keys)?;
        let meta = reader.metadata().row_group(rg);
        let batch = batch_records(
            self.options.batch_size,
            meta.total_byte_size(),
            meta.num_rows(),
        );
        let mut readers = self
            .leaves
            .iter()
            .map(|&leaf| reader.stripe_reader(rg, leaf, &schema.leaves()[leaf]))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| read_error(name, rg, e))?;
        let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
        let mut check = RowGroupCheck::default();
        let mut arrow = match self.arrow_rows(rg, batch) {
            Ok(rows) => Some(rows),
            Err(error) => {
                check.arrow_error = Some(error);
                None
            }
        };
        let mut reads: Vec<EntryRead> = Vec::new();
        loop {
            // Our batch and arrow-rs's next one are read at the same time, so that even a
            // file of one row group keeps two cores busy.
            let (counts, ()) = rayon::join(
                || -> Result<Vec<usize>> {
                    let mut counts = Vec::with_capacity(self.leaves.len());
                    for (r, &leaf) in readers.iter_mut().zip(&self.leaves) {
                        let stripe = &mut stripes[leaf];
                        stripe.clear();
                        counts.push(
                            r.read_records(batch, stripe)
                                .map_err(|e| read_error(name, rg, e))?,
                        );
                    }
                    Ok(counts)
                },
                || {
                    if let Some(rows) = arrow.as_mut() {
                        rows.read_ahead();
                    }
                },
            );
            let counts = counts?;
            let n = counts.first().copied().unwrap_or(0);
            if let Some(c) = counts.iter().position(|&c| c != n) {
                return Err(Error::Mismatch {
                    message: format!(
                        "{name}: row group {rg}: column {} has {} records where column {} has {n}",
                        schema.leaves()[self.leaves[c]].path,
                        counts[c],
                        schema.leaves()[self.leaves[0]].path
                    ),
                });
            }
            if n == 0 {
                break;
            }
            (self.options.check_batch)(&OurBatch {
                row_group: rg,
                first_record: self.first_record[rg] + check.records,
                records: n,
                stripes: &stripes,
            })?;
            for &leaf in &self.leaves {
                check.entries += stripes[leaf].len();
                check.values += stripes[leaf].values.len();
            }
            let first = self.first_record[rg] + check.records;
            // Column by column when arrow-rs's batch holds the same records; record by
            // record, to name the first that differs, when a column differs.
            let columns = match arrow.as_mut() {
                Some(rows) if self.variants.is_empty() => match rows.whole_batch(self, n) {
                    Some(batch) => compare_columns(
                        name,
                        schema,
                        &self.leaves,
                        &self.selected,
                        batch,
                        &stripes,
                        first,
                    ),
                    None => Columns::NotCompared,
                },
                _ => Columns::NotCompared,
            };
            if let Columns::Equal = columns {
                if let Some(rows) = arrow.as_mut() {
                    rows.take_batch();
                }
                check.records += n;
                (self.options.progress)(n as u64);
                continue;
            }
            let mut assembler = Assembler::new(schema, &stripes, &self.leaves);
            let fields = assembler.fsm().fields.clone();
            // The records themselves, for the VARIANT columns' unshredding.
            let mut records =
                (!self.variants.is_empty()).then(|| Assembler::new(schema, &stripes, &self.leaves));
            for in_batch in 0..n {
                let record = self.first_record[rg] + check.records;
                if !assembler
                    .next_record_entries(&mut reads)
                    .map_err(|e| Error::Mismatch {
                        message: format!("{name}: row group {rg}: {e}"),
                    })?
                {
                    return Err(Error::Mismatch {
                        message: format!(
                            "{name}: row group {rg}: the columns hold fewer records than they read"
                        ),
                    });
                }
                let our_variants = match records.as_mut() {
                    Some(records) => {
                        let ours = records.next_record()?.expect("the record was read");
                        self.variants
                            .unshred(&ours, record)
                            .map_err(|e| Error::Input {
                                message: format!("{name}: {e}"),
                            })?
                    }
                    None => Vec::new(),
                };
                if let Some(rows) = arrow.as_mut() {
                    match rows.advance(self)? {
                        Next::Row => {
                            let current = rows.current.as_ref().expect("a current batch");
                            let (batch, row) = (&current.batch, current.row());
                            let walk = current.walk.as_ref().expect("walked rows");
                            if let Some(at) =
                                first_unequal(schema, &stripes, &fields, &reads, walk, row)?
                            {
                                let ours = Assembler::new(schema, &stripes, &self.leaves)
                                    .nth(in_batch)
                                    .expect("the record was read")?;
                                return Err(Error::Mismatch {
                                    message: self.describe(record, &ours, batch, row, at),
                                });
                            }
                            if let Some(d) = current.unshredded.get(row).and_then(|theirs| {
                                crate::variant::arrow::first_difference(
                                    &self.variants,
                                    &our_variants,
                                    theirs,
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
                                    "{name}: record {record}: arrow-rs has no more records in row group {rg}"
                                ),
                            });
                        }
                        Next::Failed(error) => {
                            check.arrow_error = Some(error);
                            arrow = None;
                        }
                    }
                }
                check.records += 1;
            }
            if let (Columns::Differ { message }, Some(_)) = (columns, arrow.as_ref()) {
                return Err(Error::Mismatch { message });
            }
            (self.options.progress)(n as u64);
        }
        if let Some(rows) = arrow.as_mut()
            && let Next::Row = rows.advance(self)?
        {
            return Err(Error::Mismatch {
                message: format!(
                    "{name}: row group {rg}: arrow-rs has more records than the {} we assembled",
                    check.records
                ),
            });
        }
        Ok(check)
    }

    /// The message of a difference at record `record`: the field path and both values
    /// when the records differ as records, else the first entry that differs.
    fn describe(
        &self,
        record: usize,
        ours: &serde_json::Value,
        batch: &RecordBatch,
        row: usize,
        at: Unequal,
    ) -> String {
        let theirs = if self.leaves.len() == self.schema.leaves().len() {
            batch_to_records(self.schema, &batch.slice(row, 1))
                .ok()
                .and_then(|mut r| r.pop())
        } else {
            None
        };
        match theirs.and_then(|theirs| first_difference(ours, &theirs)) {
            Some(d) => format!(
                "{}: record {record}: {}",
                self.name,
                d.describe("ours", "arrow-rs")
            ),
            None => format!(
                "{}: record {record}: {}",
                self.name,
                at.describe(self.schema)
            ),
        }
    }
}

/// Our `stripes` of a batch of records (the first of them record `first` of the file
/// `name`) against arrow-rs's `batch` of the same records, column by column: the
/// `leaves` selected, in column order (`selected` says it per leaf column).
fn compare_columns(
    name: &str,
    schema: &Schema,
    leaves: &[usize],
    selected: &[bool],
    batch: &RecordBatch,
    stripes: &[Stripe],
    first: usize,
) -> Columns {
    let Ok(levels) = ArrowLevels::new(schema, batch, selected) else {
        return Columns::NotCompared;
    };
    for &l in leaves {
        let leaf = &schema.leaves()[l];
        let stripe = &stripes[l];
        let difference = match levels.leaf(l) {
            Some(theirs) => theirs.first_difference(leaf, stripe),
            None => return Columns::NotCompared,
        };
        match difference {
            Ok(None) => {}
            Ok(Some(at)) => {
                let starts = stripe.rep.iter().take(at.entry + 1).filter(|&&r| r == 0);
                let record = first + starts.count().saturating_sub(1);
                return Columns::Differ {
                    message: format!(
                        "{name}: record {record}: column {} differs from arrow-rs's at entry {} of its batch",
                        leaf.path, at.entry
                    ),
                };
            }
            Err(_) => return Columns::NotCompared,
        }
    }
    Columns::Equal
}

/// A batch compared column by column.
enum Columns {
    /// Every column equals arrow-rs's.
    Equal,
    /// A column differs (the message names the first difference found, column by column).
    Differ { message: String },
    /// Not compared (no arrow-rs batch of the same records, or arrow-rs's arrays are not
    /// what the schema says): the records are compared one by one.
    NotCompared,
}

/// One side of the first entry where two records differ.
#[derive(Debug, Clone, PartialEq)]
struct EntrySide {
    leaf: usize,
    rep: i16,
    def: i16,
    value: Option<serde_json::Value>,
}

/// The first entry where our record and arrow-rs's differ (`None` when one ran out).
#[derive(Debug, Clone, PartialEq)]
struct Unequal {
    /// Index of the entry within the record.
    entry: usize,
    ours: Option<EntrySide>,
    theirs: Option<EntrySide>,
}

impl Unequal {
    fn describe(&self, schema: &Schema) -> String {
        let side = |s: &Option<EntrySide>| match s {
            None => "no entry".to_string(),
            Some(s) => format!(
                "{} r={} d={}{}",
                schema.leaves()[s.leaf].path,
                s.rep,
                s.def,
                s.value
                    .as_ref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            ),
        };
        format!(
            "entry {} of the record: ours {}, arrow-rs {}",
            self.entry,
            side(&self.ours),
            side(&self.theirs)
        )
    }
}

/// Compares the entries the FSM read for one record (`reads`, over `stripes`, `fields`
/// its leaf per state) with arrow-rs's row `row`; the first that differs, if any.
fn first_unequal(
    schema: &Schema,
    stripes: &[Stripe],
    fields: &[usize],
    reads: &[EntryRead],
    records: &ArrowRecords<'_>,
    row: usize,
) -> Result<Option<Unequal>> {
    let ours = |k: usize| -> EntrySide {
        let read = reads[k];
        let leaf = fields[read.field];
        let stripe = &stripes[leaf];
        EntrySide {
            leaf,
            rep: stripe.rep[read.entry],
            def: stripe.def[read.entry],
            value: read
                .value
                .map(|v| leaf_json(&schema.leaves()[leaf], &stripe.values, v)),
        }
    };
    let theirs = |e: &ArrowEntry<'_>| -> Result<EntrySide> {
        Ok(EntrySide {
            leaf: e.leaf,
            rep: e.rep,
            def: e.def,
            value: match e.value {
                Some((array, j)) => Some(crate::arrow_read::leaf_value(
                    &schema.leaves()[e.leaf],
                    array,
                    j,
                )?),
                None => None,
            },
        })
    };
    let mut k = 0;
    let mut found: Option<Result<Unequal>> = None;
    records.walk(row, &mut |e| {
        let equal = match reads.get(k) {
            None => false,
            Some(read) => {
                let leaf = fields[read.field];
                let stripe = &stripes[leaf];
                leaf == e.leaf
                    && stripe.rep[read.entry] == e.rep
                    && stripe.def[read.entry] == e.def
                    && match (read.value, e.value) {
                        (None, None) => true,
                        (Some(i), Some((array, j))) => {
                            match same_value(&schema.leaves()[leaf], &stripe.values, i, array, j) {
                                Ok(same) => same,
                                Err(error) => {
                                    found = Some(Err(error));
                                    return false;
                                }
                            }
                        }
                        _ => false,
                    }
            }
        };
        if !equal {
            found = Some(theirs(&e).map(|theirs| Unequal {
                entry: k,
                ours: (k < reads.len()).then(|| ours(k)),
                theirs: Some(theirs),
            }));
            return false;
        }
        k += 1;
        true
    })?;
    match found {
        Some(unequal) => unequal.map(Some),
        None if k < reads.len() => Ok(Some(Unequal {
            entry: k,
            ours: Some(ours(k)),
            theirs: None,
        })),
        None => Ok(None),
    }
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
    use serde_json::{Value as Json, json};

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

    /// Our FSM's entries of record `k` of `ours` against arrow-rs's row `k` of the file
    /// written from `theirs`: the first entry that differs.
    fn compare(ours: &[Json], theirs: &[Json], k: usize) -> Option<Unequal> {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let ours = crate::shredder::shred_records(&schema, ours).unwrap();
        let theirs = crate::shredder::shred_records(&schema, theirs).unwrap();
        let batch = crate::fixtures::arrow_batch(&schema, &theirs);
        let selected = vec![true; schema.leaves().len()];
        let records = ArrowRecords::new(&schema, &batch, &selected).unwrap();
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        let mut assembler = Assembler::new(&schema, &ours, &all);
        let fields = assembler.fsm().fields.clone();
        let mut reads = Vec::new();
        for _ in 0..=k {
            assert!(assembler.next_record_entries(&mut reads).unwrap());
        }
        first_unequal(&schema, &ours, &fields, &reads, &records, k).unwrap()
    }

    /// Our stripes of `ours` against arrow-rs's batch of the file written from `theirs`,
    /// column by column, the batch's first record being record 10 of the file.
    fn compare_batches(ours: &[Json], theirs: &[Json]) -> Columns {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let ours = crate::shredder::shred_records(&schema, ours).unwrap();
        let theirs = crate::shredder::shred_records(&schema, theirs).unwrap();
        let batch = crate::fixtures::arrow_batch(&schema, &theirs);
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        let selected = vec![true; all.len()];
        compare_columns("f", &schema, &all, &selected, &batch, &ours, 10)
    }

    #[test]
    fn equal_batches_are_equal_column_by_column() {
        let records = [
            json!({"name": "a", "phones": [{"number": "1", "phone_type": "Home"}, null]}),
            json!({"name": null, "phones": []}),
            json!({"name": "b"}),
        ];
        assert!(matches!(
            compare_batches(&records, &records),
            Columns::Equal
        ));
    }

    #[test]
    fn column_difference_names_the_record_and_column() {
        let theirs = [
            json!({"name": "a", "phones": [{"number": "1"}]}),
            json!({"name": "b", "phones": [{"number": "2"}, {"number": "3"}]}),
        ];
        let mut ours = theirs.clone();
        ours[1]["phones"][1]["number"] = json!("4");
        let Columns::Differ { message } = compare_batches(&ours, &theirs) else {
            panic!("the batches differ");
        };
        assert_eq!(
            message,
            "f: record 11: column phones.list.item.number differs from arrow-rs's at entry 2 of its batch"
        );
        ours[1]["phones"] = json!([]);
        let Columns::Differ { message } = compare_batches(&ours, &theirs) else {
            panic!("the batches differ");
        };
        assert_eq!(
            message,
            "f: record 11: column phones.list.item.number differs from arrow-rs's at entry 1 of its batch"
        );
    }

    #[test]
    fn equal_records_have_no_unequal_entry() {
        let records = [
            json!({"name": "a", "phones": [{"number": "1", "phone_type": "Home"}, null]}),
            json!({"name": null, "phones": []}),
        ];
        assert_eq!(compare(&records, &records, 0), None);
        assert_eq!(compare(&records, &records, 1), None);
    }

    #[test]
    fn different_value_is_the_unequal_entry() {
        let ours = [json!({"name": "a", "phones": [{"number": "1"}, {"number": "2"}]})];
        let theirs = [json!({"name": "a", "phones": [{"number": "1"}, {"number": "3"}]})];
        let unequal = compare(&ours, &theirs, 0).unwrap();
        assert_eq!(unequal.entry, 3);
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let number = schema.leaves()[unequal.ours.as_ref().unwrap().leaf]
            .path
            .clone();
        assert_eq!(
            unequal.describe(&schema),
            format!(
                "entry 3 of the record: ours {number} r=1 d=4 \"2\", arrow-rs {number} r=1 d=4 \"3\""
            )
        );
    }

    #[test]
    fn null_item_against_empty_list_differs_in_levels() {
        let ours = [json!({"name": "a", "phones": [null]})];
        let theirs = [json!({"name": "a", "phones": []})];
        let unequal = compare(&ours, &theirs, 0).unwrap();
        let (o, t) = (unequal.ours.unwrap(), unequal.theirs.unwrap());
        assert_eq!((o.leaf, o.rep, o.value), (t.leaf, t.rep, None));
        assert_eq!((o.def, t.def), (2, 1));
    }

    #[test]
    fn extra_occurrence_on_our_side_is_named() {
        let ours = [json!({"name": "a", "phones": [{"number": "1"}, {"number": "2"}]})];
        let theirs = [json!({"name": "a", "phones": [{"number": "1"}]})];
        let unequal = compare(&ours, &theirs, 0).unwrap();
        // Entries name, number, phone_type of the first phone agree; arrow-rs's record
        // ends where ours goes on with the second phone's number.
        assert_eq!(unequal.entry, 3);
        assert_eq!(unequal.ours.unwrap().rep, 1);
        assert_eq!(unequal.theirs, None);
    }

    #[test]
    fn check_batch_sees_every_batch_and_can_fail() {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        let records = |n: usize| -> Vec<Json> {
            (0..n)
                .map(|i| json!({"name": format!("n{i}"), "phones": [{"number": "1"}]}))
                .collect()
        };
        let groups = [records(5), records(2)]
            .iter()
            .map(|r| crate::shredder::shred_records(&schema, r).unwrap())
            .collect::<Vec<_>>();
        let props = parquet::file::properties::WriterProperties::builder().build();
        let file = crate::column_io::write_file(Vec::new(), &schema, props, groups).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.parquet");
        std::fs::write(&path, file).unwrap();
        let keys = DecryptionKeys::default();
        let seen = std::sync::Mutex::new(Vec::new());
        let check = |b: &OurBatch<'_>| -> Result<()> {
            seen.lock()
                .unwrap()
                .push((b.row_group, b.first_record, b.records, b.stripes[0].len()));
            Ok(())
        };
        let options = VerifyOptions {
            check_batch: &check,
            ..VerifyOptions::new(3, &keys)
        };
        assert_eq!(verify_file(&path, &options).unwrap().records, 7);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, vec![(0, 0, 3, 3), (0, 3, 2, 2), (1, 5, 2, 2)]);
        let fail = |b: &OurBatch<'_>| -> Result<()> {
            match b.first_record {
                3 => Err(Error::Mismatch {
                    message: "not what was generated".into(),
                }),
                _ => Ok(()),
            }
        };
        let options = VerifyOptions {
            check_batch: &fail,
            ..VerifyOptions::new(3, &keys)
        };
        let error = verify_file(&path, &options).unwrap_err();
        assert_eq!(error.to_string(), "not what was generated");
    }

    #[test]
    fn map_without_value_field_agrees_with_arrow_rs() {
        let summary = verify_file(
            &corpus("data/map_no_value.parquet"),
            &VerifyOptions::new(2, &NO_KEYS),
        )
        .unwrap();
        assert_eq!((summary.records, summary.columns), (3, 4));
        assert!(summary.warnings.is_empty());
    }

    #[test]
    fn total_is_told_once_before_the_batches() {
        let told = std::sync::Mutex::new(Vec::new());
        let total = |n: u64| told.lock().unwrap().push(("total", n));
        let progress = |n: u64| told.lock().unwrap().push(("batch", n));
        let keys = DecryptionKeys::default();
        let options = VerifyOptions {
            total: &total,
            progress: &progress,
            ..VerifyOptions::new(2, &keys)
        };
        verify_file(&corpus("data/map_no_value.parquet"), &options).unwrap();
        assert_eq!(
            told.into_inner().unwrap(),
            vec![("total", 3), ("batch", 2), ("batch", 1)]
        );
    }

    #[test]
    fn file_row_count_of_zero_is_repaired_for_both_readers() {
        let summary = verify_file(
            &corpus("data/repeated_no_annotation.parquet"),
            &VerifyOptions::new(4, &NO_KEYS),
        )
        .unwrap();
        assert_eq!(summary.records, 6);
        assert_eq!(summary.warnings.len(), 1);
    }

    #[test]
    fn chunks_past_the_end_of_the_file_are_named() {
        let path = corpus("bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet");
        let error = verify_file(&path, &VerifyOptions::new(16, &NO_KEYS)).unwrap_err();
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
        let error = verify_file(&path, &VerifyOptions::new(16, &NO_KEYS))
            .unwrap_err()
            .to_string();
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
            let summary =
                verify_file(&corpus(file), &VerifyOptions::new(16, &corpus_keys())).unwrap();
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
        let error = verify_file(&path, &VerifyOptions::new(16, &keys)).unwrap_err();
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
        let error = verify_file(&path, &VerifyOptions::new(16, &NO_KEYS))
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("row group 0: reading column outer.list.item.c: Insufficient repetition levels read from column"),
            "{error}"
        );
    }
}
