//! `--verify`: read every written file back and compare it with records regenerated from
//! the seed, streaming, one batch at a time.
//!
//! Each row group is checked twice, independently:
//!
//! - **levels**: every leaf column is read with [`shred::column_io::StripeReader`] (the
//!   `parquet` crate's `read_records`: repetition levels, definition levels, non-null
//!   values) and compared entry by entry ([`diff_stripe`]) with [`ContactStripes`] of the
//!   regenerated records: what the file holds is exactly what the typed Dremel shredder says it should;
//!   for a schema-driven dataset, with the stripes [`SchemaGenerator`] draws;
//! - **records**: the row group is read with arrow-rs's `ParquetRecordBatchReader`, turned
//!   into contacts ([`contacts_from_batch`]) and compared with the regenerated contacts,
//!   field by field. A schema-driven file has no typed records: it goes through
//!   [`shred::verify::verify_file`] (our column readers and record-assembly FSM against
//!   arrow-rs, record by record), so arrow-rs's records are tied to the regenerated
//!   stripes through our readers.
//!
//! Memory stays at one batch per column per thread, so a file of any size verifies. Row
//! groups are checked in parallel; the reported difference is the first one in dataset
//! order: file, row group, record index, column or field path, and both values.

use std::fs::File;
use std::ops::Range;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use rayon::prelude::*;
use serde::Serialize;
use shred::Stripe;
use shred::column_io::{StripeReader, stripe_for};
use shred::contact::{Contact, ContactStripes};
use shred::contact_arrow::contacts_from_batch;
use shred::decryption_keys::DecryptionKeys;
use shred::stripe_diff::diff_stripe;

use crate::dataset::Dataset;
use crate::error::{GenError, Result};
use crate::generator::Generator;
use crate::plan::{FilePlan, split};
use crate::schema_generator::SchemaGenerator;

/// What a successful verification covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Records compared (through both the level reader and the arrow-rs reader).
    pub records: u64,
    /// Level entries (r, d and value) compared over all columns.
    pub level_entries: u64,
    /// Row groups checked.
    pub row_groups: u64,
}

impl std::ops::Add for Verified {
    type Output = Verified;
    fn add(self, other: Verified) -> Verified {
        Verified {
            records: self.records + other.records,
            level_entries: self.level_entries + other.level_entries,
            row_groups: self.row_groups + other.row_groups,
        }
    }
}

/// Verifies every file of `files` against `generator`, `batch_size` records at a time, on
/// up to `threads` threads.
pub fn verify_files(
    files: &[FilePlan],
    generator: &Generator,
    batch_size: usize,
    threads: usize,
) -> Result<Verified> {
    verify_dataset(files, Dataset::Contact(generator), batch_size, threads)
}

/// Verifies every file of `files` against the records of `dataset`, `batch_size` records
/// at a time, on up to `threads` threads.
///
/// Levels are checked against the regenerated stripes in both cases. Records are checked
/// against the regenerated contacts through arrow-rs for the Contact dataset; for a
/// schema-driven dataset, each file goes through `shred`'s verification
/// ([`shred::verify::verify_file`]: our column readers and the record-assembly FSM against
/// arrow-rs's reader, record by record), which with the level check ties arrow-rs's
/// records to the regenerated ones.
pub fn verify_dataset(
    files: &[FilePlan],
    dataset: Dataset<'_>,
    batch_size: usize,
    threads: usize,
) -> Result<Verified> {
    let schema = match dataset {
        Dataset::Contact(_) => shred::Schema::parse(shred::contact::CONTACT_SCHEMA)
            .map_err(|e| GenError::Failed(format!("the Contact schema does not parse: {e}")))?,
        Dataset::Schema(g) => g.schema().clone(),
    };
    let mut tasks = Vec::new();
    for file in files {
        check_metadata(file)?;
        tasks.extend(
            file.row_groups()
                .enumerate()
                .map(|(rg, rows)| (file, rg, rows)),
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| GenError::Failed(format!("cannot start verification threads: {e}")))?;
    let results: Vec<Result<Verified>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|(file, rg, rows)| {
                if crate::interrupt::requested() {
                    return Err(GenError::Interrupted);
                }
                let levels = verify_levels(&file.path, &schema, *rg, rows, dataset, batch_size)?;
                match dataset {
                    Dataset::Contact(generator) => {
                        verify_records(&file.path, *rg, rows, generator, batch_size)?
                    }
                    // Whole files, below.
                    Dataset::Schema(_) => {}
                }
                Ok(Verified {
                    records: rows.end - rows.start,
                    level_entries: levels,
                    row_groups: 1,
                })
            })
            .collect()
    });
    let verified = results
        .into_iter()
        .try_fold(Verified::default(), |total, r| {
            Ok::<_, GenError>(total + r?)
        })?;
    if let Dataset::Schema(_) = dataset {
        let checked: Vec<Result<()>> = pool.install(|| {
            files
                .par_iter()
                .map(|file| verify_assembly(file, batch_size))
                .collect()
        });
        checked.into_iter().collect::<Result<Vec<()>>>()?;
    }
    Ok(verified)
}

/// Our readers and record assembly against arrow-rs's reader, over a whole file.
fn verify_assembly(file: &FilePlan, batch_size: usize) -> Result<()> {
    let path = &file.path;
    if crate::interrupt::requested() {
        return Err(GenError::Interrupted);
    }
    let keys = DecryptionKeys::default();
    let options = shred::verify::VerifyOptions::new(batch_size.max(1), &keys);
    let summary =
        shred::verify::verify_file(path, &options).map_err(|e| GenError::shred(path, e))?;
    if let Some(why) = summary.not_compared(&path.display().to_string()) {
        return Err(mismatch(path, why));
    }
    if summary.records as u64 != file.len() {
        return Err(mismatch(
            path,
            format!(
                "{} records assembled, expected {}",
                summary.records,
                file.len()
            ),
        ));
    }
    Ok(())
}

/// The stripes a row group should hold, regenerated batch by batch.
enum Expected<'a> {
    Contact {
        generator: &'a Generator,
        contacts: Vec<Contact>,
        stripes: Box<ContactStripes>,
    },
    Schema {
        generator: &'a SchemaGenerator,
        stripes: Vec<Stripe>,
    },
}

impl<'a> Expected<'a> {
    fn new(dataset: Dataset<'a>) -> Self {
        match dataset {
            Dataset::Contact(generator) => Expected::Contact {
                generator,
                contacts: Vec::new(),
                stripes: Box::default(),
            },
            Dataset::Schema(generator) => Expected::Schema {
                generator,
                stripes: generator.new_stripes(),
            },
        }
    }

    /// Regenerates records `[start, start + count)`; returns their stripes, by column.
    fn fill(&mut self, start: u64, count: usize) -> Vec<&Stripe> {
        match self {
            Expected::Contact {
                generator,
                contacts,
                stripes,
            } => {
                generator.fill(start, count, contacts);
                stripes.shred(contacts);
                stripes.columns().to_vec()
            }
            Expected::Schema { generator, stripes } => {
                generator.fill_stripes(start, count, stripes);
                stripes.iter().collect()
            }
        }
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| GenError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn mismatch(path: &Path, message: String) -> GenError {
    GenError::Mismatch {
        path: path.to_path_buf(),
        message,
    }
}

/// The footer agrees with the plan: record count and row-group sizes.
fn check_metadata(file: &FilePlan) -> Result<()> {
    let path = &file.path;
    let reader = SerializedFileReader::new(open(path)?)
        .map_err(|e| GenError::parquet(path, "reading the footer", e))?;
    let meta = reader.metadata();
    let rows = meta.file_metadata().num_rows();
    if u64::try_from(rows).ok() != Some(file.len()) {
        return Err(mismatch(
            path,
            format!("the footer says {rows} records, expected {}", file.len()),
        ));
    }
    let planned: Vec<u64> = file.row_groups().map(|r| r.end - r.start).collect();
    let found: Vec<u64> = meta
        .row_groups()
        .iter()
        .map(|rg| rg.num_rows() as u64)
        .collect();
    if planned != found {
        return Err(mismatch(
            path,
            format!("row group sizes {found:?}, expected {planned:?}"),
        ));
    }
    Ok(())
}

/// Levels and values of row group `rg` against the regenerated stripes; returns entries
/// compared.
fn verify_levels(
    path: &Path,
    schema: &shred::Schema,
    rg: usize,
    rows: &Range<u64>,
    dataset: Dataset<'_>,
    batch_size: usize,
) -> Result<u64> {
    let reader = SerializedFileReader::new(open(path)?)
        .map_err(|e| GenError::parquet(path, "reading the footer", e))?;
    let leaves = schema.leaves();
    let mut readers = (0..leaves.len())
        .map(|leaf| StripeReader::open(&reader, schema, rg, leaf))
        .collect::<shred::Result<Vec<_>>>()
        .map_err(|e| GenError::shred(path, e))?;
    let mut found: Vec<Stripe> = leaves.iter().map(stripe_for).collect();
    let mut expected = Expected::new(dataset);
    let mut entries = 0u64;
    for batch in split(rows.clone(), batch_size as u64) {
        let (start, count) = (batch.start, (batch.end - batch.start) as usize);
        let columns = expected.fill(start, count);
        for (((reader, stripe), leaf), want) in
            readers.iter_mut().zip(&mut found).zip(leaves).zip(columns)
        {
            stripe.clear();
            let read = reader
                .read_records(count, stripe)
                .map_err(|e| GenError::shred(path, e))?;
            if let Some(difference) = diff_stripe(leaf, want, stripe) {
                return Err(mismatch(
                    path,
                    format!(
                        "row group {rg}, records {start}..{}, {difference}",
                        start + count as u64,
                    ),
                ));
            }
            if read != count {
                return Err(mismatch(
                    path,
                    format!(
                        "row group {rg}, column {}: {read} records read at record {start}, expected {count}",
                        leaf.path
                    ),
                ));
            }
            entries += stripe.len() as u64;
        }
    }
    // Nothing may follow the planned records.
    for ((reader, stripe), leaf) in readers.iter_mut().zip(&mut found).zip(leaves) {
        stripe.clear();
        let extra = reader
            .read_records(1, stripe)
            .map_err(|e| GenError::shred(path, e))?;
        if extra != 0 {
            return Err(mismatch(
                path,
                format!(
                    "row group {rg}, column {}: more records than the {} planned",
                    leaf.path,
                    rows.end - rows.start
                ),
            ));
        }
    }
    Ok(entries)
}

/// The first field where two contacts differ, as a path with both values.
pub fn first_field_difference(expected: &Contact, found: &Contact) -> Option<String> {
    if expected.name != found.name {
        return Some(format!(
            "name: expected {:?}, found {:?}",
            expected.name, found.name
        ));
    }
    match (&expected.phones, &found.phones) {
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => Some(format!(
            "phones: expected {}, found {}",
            if expected.phones.is_some() {
                "a list"
            } else {
                "null"
            },
            if found.phones.is_some() {
                "a list"
            } else {
                "null"
            }
        )),
        (Some(e), Some(f)) => {
            for (k, (ep, fp)) in e.iter().zip(f).enumerate() {
                match (ep, fp) {
                    (None, None) => {}
                    (Some(ep), Some(fp)) => {
                        if ep.number != fp.number {
                            return Some(format!(
                                "phones[{k}].number: expected {:?}, found {:?}",
                                ep.number, fp.number
                            ));
                        }
                        if ep.phone_type != fp.phone_type {
                            return Some(format!(
                                "phones[{k}].phone_type: expected {:?}, found {:?}",
                                ep.phone_type, fp.phone_type
                            ));
                        }
                    }
                    _ => {
                        return Some(format!(
                            "phones[{k}]: expected {}, found {}",
                            if ep.is_some() { "an item" } else { "null" },
                            if fp.is_some() { "an item" } else { "null" }
                        ));
                    }
                }
            }
            (e.len() != f.len())
                .then(|| format!("phones: expected {} items, found {}", e.len(), f.len()))
        }
    }
}

/// Records of row group `rg` through arrow-rs against the regenerated contacts.
fn verify_records(
    path: &Path,
    rg: usize,
    rows: &Range<u64>,
    generator: &Generator,
    batch_size: usize,
) -> Result<()> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(open(path)?)
        .map_err(|e| GenError::parquet(path, "opening with arrow-rs", e))?
        .with_row_groups(vec![rg])
        .with_batch_size(batch_size.max(1))
        .build()
        .map_err(|e| GenError::parquet(path, "opening with arrow-rs", e))?;
    let mut next = rows.start;
    let mut expected = Vec::new();
    for batch in reader {
        let batch = batch
            .map_err(|e| GenError::parquet(path, format!("reading row group {rg}"), e.into()))?;
        let found = contacts_from_batch(&batch)
            .map_err(|e| mismatch(path, format!("row group {rg}: {e}")))?;
        let count = found.len().min((rows.end - next) as usize);
        generator.fill(next, count, &mut expected);
        for (offset, (want, got)) in expected.iter().zip(&found).enumerate() {
            if let Some(difference) = first_field_difference(want, got) {
                return Err(mismatch(
                    path,
                    format!(
                        "row group {rg}, record {}: {difference}",
                        next + offset as u64
                    ),
                ));
            }
        }
        if found.len() > count {
            return Err(mismatch(
                path,
                format!(
                    "row group {rg}: more records than the {} planned",
                    rows.end - rows.start
                ),
            ));
        }
        next += count as u64;
    }
    if next != rows.end {
        return Err(mismatch(
            path,
            format!(
                "row group {rg}: ends at record {next}, expected {}",
                rows.end
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Distribution;
    use crate::encoder::EncoderKind;
    use crate::pipeline::{PipelineConfig, run};
    use crate::plan::{Layout, Plan};
    use parquet::basic::Compression;

    fn write(dir: &Path, generator: &Generator, encoder: EncoderKind) -> Plan {
        let layout = Layout {
            target_records: 3_000,
            parts: 1,
            part: 0,
            writers: 2,
            row_group_size: 700,
        };
        let plan = Plan::new(&layout, dir, "contacts").unwrap();
        let config = PipelineConfig {
            record_batch_size: 128,
            producers: 2,
            compression: Compression::SNAPPY,
            encoder,
            row_group_size: 700,
        };
        run(&config, &plan, generator, &|_| {}).unwrap();
        plan
    }

    #[test]
    fn written_files_verify() {
        let dir = tempfile::tempdir().unwrap();
        let generator = Generator::new(11, Distribution::all_def_states());
        for encoder in [EncoderKind::Arrow, EncoderKind::Dremel] {
            let plan = write(dir.path(), &generator, encoder);
            let verified = verify_files(&plan.files, &generator, 100, 2).unwrap();
            assert_eq!(verified.records, 3_000);
            assert_eq!(verified.row_groups, 6);
            assert!(verified.level_entries > 3 * 3_000, "{verified:?}");
        }
    }

    #[test]
    fn another_seed_fails_with_the_first_difference() {
        let dir = tempfile::tempdir().unwrap();
        let plan = write(
            dir.path(),
            &Generator::new(11, Distribution::default()),
            EncoderKind::Dremel,
        );
        let other = Generator::new(12, Distribution::default());
        let err = verify_files(&plan.files, &other, 100, 1).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        let message = err.to_string();
        assert!(message.starts_with("verification failed: "), "{message}");
        assert!(
            message.contains(
                "contacts-00000-of-00002.parquet: row group 0, records 0..100, column name: entry 0"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_file_from_another_plan_fails_on_its_footer() {
        let dir = tempfile::tempdir().unwrap();
        let generator = Generator::new(11, Distribution::default());
        let plan = write(dir.path(), &generator, EncoderKind::Arrow);
        let mut wrong = plan.files[0].clone();
        wrong.records = 0..1000;
        let err = verify_files(&[wrong], &generator, 100, 1).unwrap_err();
        assert!(
            err.to_string()
                .contains("the footer says 1500 records, expected 1000"),
            "{err}"
        );
    }

    #[test]
    fn field_differences_name_the_path() {
        let generator = Generator::new(1, Distribution::default());
        let a = (0..100)
            .map(|i| generator.contact(i))
            .find(|c| c.phones.as_ref().is_some_and(|p| p.len() >= 2))
            .unwrap();
        let mut b = a.clone();
        b.phones.as_mut().unwrap()[1] = None;
        assert_eq!(
            first_field_difference(&a, &b).unwrap(),
            "phones[1]: expected an item, found null"
        );
        assert_eq!(first_field_difference(&a, &a), None);
    }
}
