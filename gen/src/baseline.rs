//! The study's pipeline, reproduced as the baseline the bench command measures against in
//! the same run.
//!
//! The shredding-pipeline study generates Contact batches on producer threads, sends them
//! over a bounded channel as Arrow `RecordBatch`es, and has one writer thread push them into
//! arrow-rs's `ArrowWriter` (which shreds and encodes on that thread, one row group at a
//! time). The same records and writer properties as [`crate::pipeline`], so only the
//! architecture differs: here encoding is serial in the writer, there row groups are
//! encoded in parallel by every producer.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::RecordBatch;
use crossbeam_channel::bounded;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use shred::output::OutputFile;

use crate::error::{GenError, Result};
use crate::generator::Generator;
use crate::pipeline::WrittenFile;
use shred::contact_arrow::{ContactArrays, contact_schema};

/// Writes records `0..records` to `path` the study's way; returns the file written.
pub fn run_study_pipeline(
    path: &Path,
    generator: &Generator,
    records: u64,
    batch_size: usize,
    producers: usize,
    compression: Compression,
) -> Result<WrittenFile> {
    let batch_size = batch_size.max(1) as u64;
    let batches = records.div_ceil(batch_size);
    let next_batch = AtomicU64::new(0);
    let (tx, rx) = bounded::<(u64, RecordBatch)>(2 * producers.max(1));
    let props = WriterProperties::builder()
        .set_compression(compression)
        .build();
    let output = OutputFile::create(path).map_err(|e| GenError::shred(path, e))?;
    let mut writer = ArrowWriter::try_new(output, contact_schema(), Some(props))
        .map_err(|e| GenError::parquet(path, "opening", e))?;
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..producers.max(1) {
            let (tx, next_batch) = (tx.clone(), &next_batch);
            scope.spawn(move || {
                let mut contacts = Vec::new();
                let mut arrays = ContactArrays::default();
                loop {
                    let index = next_batch.fetch_add(1, Ordering::Relaxed);
                    if index >= batches || crate::interrupt::requested() {
                        return;
                    }
                    let start = index * batch_size;
                    let count = (records - start).min(batch_size) as usize;
                    generator.fill(start, count, &mut contacts);
                    if tx.send((index, arrays.build(&contacts))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // The single writer: batches back in order, into ArrowWriter.
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (index, batch) in rx {
            pending.insert(index, batch);
            while let Some(batch) = pending.remove(&next) {
                writer
                    .write(&batch)
                    .map_err(|e| GenError::parquet(path, "writing", e))?;
                next += 1;
            }
        }
        Ok(())
    })?;
    if crate::interrupt::requested() {
        // Dropping the writer deletes the unfinished file.
        return Err(GenError::Interrupted);
    }
    let row_groups = writer.flushed_row_groups().len() as u64;
    let output = writer
        .into_inner()
        .map_err(|e| GenError::parquet(path, "writing the footer", e))?;
    WrittenFile::commit(output, path, records, row_groups.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Distribution;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use shred::contact_arrow::contacts_from_batch;

    #[test]
    fn baseline_writes_the_same_records_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.parquet");
        let generator = Generator::new(2, Distribution::default());
        let written =
            run_study_pipeline(&path, &generator, 5_000, 300, 3, Compression::UNCOMPRESSED)
                .unwrap();
        assert_eq!(written.records, 5_000);
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let read: Vec<_> = reader
            .flat_map(|b| contacts_from_batch(&b.unwrap()).unwrap())
            .collect();
        assert_eq!(read, generator.contacts(0..5_000).collect::<Vec<_>>());
    }
}
