//! `--verify`: read every written file back and compare it with records regenerated from
//! the seed, streaming, one batch at a time, on the engine of `shred verify`.
//!
//! Each file goes through [`shred::verify::verify_file`]: its row groups in parallel, each
//! read batch by batch by our column readers, the batch checked twice:
//!
//! - **against the generator** ([`VerifyOptions::check_batch`]): every column's stripe
//!   (repetition levels, definition levels, non-null values) equals, entry by entry
//!   ([`diff_stripe`]), the stripe of the same records regenerated from the seed, by the
//!   typed Contact shredder's sink or the [`SchemaGenerator`]: the file holds exactly the
//!   records the generator draws;
//! - **against arrow-rs**: the Dremel FSM runs over each record and its entries must be
//!   those of the record arrow-rs's `ParquetRecordBatchReader` reads, so arrow-rs reads the
//!   generated records too.
//!
//! Before that, the footer must hold the planned record count and row-group sizes. Memory
//! stays at a batch per column per thread, so a file of any size verifies. The reported
//! difference is the first one in dataset order: file, row group, records, column and
//! entry (or record and field path), and both values.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use parquet::file::reader::{FileReader, SerializedFileReader};
use rayon::prelude::*;
use serde::Serialize;
use shred::Stripe;
use shred::contact::ContactStripes;
use shred::decryption_keys::DecryptionKeys;
use shred::stripe_diff::diff_stripe;
use shred::verify::{OurBatch, VerifyOptions};

use crate::dataset::Dataset;
use crate::error::{GenError, Result};
use crate::generator::Generator;
use crate::plan::FilePlan;
use crate::schema_generator::SchemaGenerator;

/// What a successful verification covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Records compared (with the generator's and with arrow-rs's).
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
    verify_dataset(
        files,
        Dataset::Contact(generator),
        batch_size,
        threads,
        &|_| {},
    )
}

/// Verifies every file of `files` against the records of `dataset`, `batch_size` records
/// at a time, on up to `threads` threads; `progress` is told the records of every batch
/// verified.
pub fn verify_dataset(
    files: &[FilePlan],
    dataset: Dataset<'_>,
    batch_size: usize,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Verified> {
    for file in files {
        check_metadata(file)?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| GenError::Failed(format!("cannot start verification threads: {e}")))?;
    let results: Vec<Result<Verified>> = pool.install(|| {
        files
            .par_iter()
            .map(|file| verify_file(file, dataset, batch_size, threads, progress))
            .collect()
    });
    results
        .into_iter()
        .try_fold(Verified::default(), |total, r| Ok(total + r?))
}

/// One file on the engine of `shred verify`, each batch also checked against the
/// regenerated records.
fn verify_file(
    file: &FilePlan,
    dataset: Dataset<'_>,
    batch_size: usize,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Verified> {
    let path = &file.path;
    let schema = match dataset {
        Dataset::Contact(_) => shred::Schema::parse(shred::contact::CONTACT_SCHEMA)
            .map_err(|e| GenError::Failed(format!("the Contact schema does not parse: {e}")))?,
        Dataset::Schema(g) => g.schema().clone(),
    };
    // Regeneration buffers, one per thread at work, reused batch after batch.
    let spare: Mutex<Vec<Expected<'_>>> = Mutex::new(Vec::new());
    let interrupted = AtomicBool::new(false);
    let check = |batch: &OurBatch<'_>| -> shred::Result<()> {
        if crate::interrupt::requested() {
            interrupted.store(true, Ordering::Relaxed);
            return Err(shred::Error::Mismatch {
                message: "interrupted".into(),
            });
        }
        let mut expected = spare
            .lock()
            .expect("no panic holds the lock")
            .pop()
            .unwrap_or_else(|| Expected::new(dataset));
        let start = file.records.start + batch.first_record as u64;
        let difference = expected
            .fill(start, batch.records)
            .into_iter()
            .zip(batch.stripes)
            .enumerate()
            .find_map(|(leaf, (want, found))| diff_stripe(&schema.leaves()[leaf], want, found));
        spare
            .lock()
            .expect("no panic holds the lock")
            .push(expected);
        match difference {
            None => Ok(()),
            Some(difference) => Err(shred::Error::Mismatch {
                message: format!(
                    "row group {}, records {start}..{}, {difference}",
                    batch.row_group,
                    start + batch.records as u64,
                ),
            }),
        }
    };
    let keys = DecryptionKeys::default();
    let options = VerifyOptions {
        threads,
        progress,
        check_batch: &check,
        ..VerifyOptions::new(batch_size.max(1), &keys)
    };
    let summary = shred::verify::verify_file(path, &options);
    if interrupted.load(Ordering::Relaxed) {
        return Err(GenError::Interrupted);
    }
    let summary = summary.map_err(|e| match e {
        shred::Error::Mismatch { message } => {
            // The engine's own messages start with the file, which the error names.
            let name = format!("{}: ", path.display());
            let message = message.strip_prefix(&name).unwrap_or(&message).to_string();
            mismatch(path, message)
        }
        other => GenError::shred(path, other),
    })?;
    if let Some(why) = summary.not_compared(&path.display().to_string()) {
        return Err(mismatch(path, why));
    }
    if summary.records as u64 != file.len() {
        return Err(mismatch(
            path,
            format!("{} records read, expected {}", summary.records, file.len()),
        ));
    }
    Ok(Verified {
        records: summary.records as u64,
        level_entries: summary.entries as u64,
        row_groups: summary.row_groups as u64,
    })
}

/// The stripes a batch should hold, regenerated.
enum Expected<'a> {
    Contact {
        generator: &'a Generator,
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
            Expected::Contact { generator, stripes } => {
                generator.fill_stripes(start, count, stripes);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Distribution;
    use crate::encoder::EncoderKind;
    use crate::pipeline::{PipelineConfig, run};
    use crate::plan::{Layout, Plan};
    use parquet::basic::Compression;
    use shred::writer_settings::WriterSettings;

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
            writer: WriterSettings::with_compression(Compression::SNAPPY),
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
}
