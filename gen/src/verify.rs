//! `--verify`: read every written file back and compare it with records regenerated from
//! the seed, streaming, one batch at a time.
//!
//! Each row group is checked twice, independently:
//!
//! - **levels**: every leaf column is read with [`shred::column_io::StripeReader`] (the
//!   `parquet` crate's `read_records`: repetition levels, definition levels, non-null
//!   values) and compared entry by entry ([`diff_stripe`]) with [`ContactStripes`] of the
//!   regenerated records: what the file holds is exactly what the typed Dremel shredder says it should;
//! - **records**: the row group is read with arrow-rs's `ParquetRecordBatchReader`, turned
//!   into contacts ([`contacts_from_batch`]) and compared with the regenerated contacts,
//!   field by field.
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
use shred::stripe_diff::diff_stripe;

use crate::error::{GenError, Result};
use crate::generator::Generator;
use crate::plan::{FilePlan, split};

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
    let schema = shred::Schema::parse(shred::contact::CONTACT_SCHEMA)
        .map_err(|e| GenError::Failed(format!("the Contact schema does not parse: {e}")))?;
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
                let levels = verify_levels(&file.path, &schema, *rg, rows, generator, batch_size)?;
                verify_records(&file.path, *rg, rows, generator, batch_size)?;
                Ok(Verified {
                    records: rows.end - rows.start,
                    level_entries: levels,
                    row_groups: 1,
                })
            })
            .collect()
    });
    results
        .into_iter()
        .try_fold(Verified::default(), |total, r| Ok(total + r?))
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

/// Levels and values of row group `rg` against the typed shredder; returns entries compared.
fn verify_levels(
    path: &Path,
    schema: &shred::Schema,
    rg: usize,
    rows: &Range<u64>,
    generator: &Generator,
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
    let mut contacts = Vec::new();
    let mut expected = ContactStripes::default();
    let mut entries = 0u64;
    for batch in split(rows.clone(), batch_size as u64) {
        let (start, count) = (batch.start, (batch.end - batch.start) as usize);
        generator.fill(start, count, &mut contacts);
        expected.shred(&contacts);
        for (((reader, stripe), leaf), want) in readers
            .iter_mut()
            .zip(&mut found)
            .zip(leaves)
            .zip(expected.columns())
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
