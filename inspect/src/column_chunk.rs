//! One column chunk (a leaf column in one row group) read as stripes, batch by batch.
//!
//! [`ChunkStripes`] wraps [`shred::column_io::StripeReader`], which decodes a byte-array
//! chunk itself ([`shred::chunk_decoder`]) and any other through the `parquet` crate's
//! `ColumnReaderImpl::read_records` (on the chunk decrypted first when it is encrypted,
//! [`shred::parquet_reader`]), in both cases page by page: each
//! batch holds whole records (Dremel §4.1: a record starts at `r == 0`), at most
//! `max_records` of them, in one reused [`Stripe`] whose buffers are cleared, not freed,
//! between batches. Memory is bounded by the batch, never by the chunk or the file. The
//! batch carries the file-wide index of its first record and the chunk-wide index of its
//! first entry, so callers can number entries the way the file does. Before the first
//! batch, the chunk's page headers are read and checked
//! ([`crate::pages::checked_chunk_pages`]) so that corruption the column reader would
//! panic on is reported as an error naming the page. After the last
//! batch, [`ChunkStripes::check_complete`] compares the records found with the row
//! group's `num_rows`, which catches a chunk that is shorter or longer than the footer
//! says; a chunk whose first repetition level is not 0 (the start of a record) is
//! reported as such rather than as a record count.

use shred::Stripe;
use shred::column_io::{StripeReader, batch_records, stripe_for};
use shred::schema::Leaf;

use crate::error::{Error, Result};
use crate::pages::{ChunkPageList, checked_chunk_pages};
use crate::parquet_file::ParquetFile;

/// Records per batch when the caller has no reason to pick another size.
pub const BATCH_RECORDS: usize = 4096;

/// Where a batch sits in its file and chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// File-wide index of the batch's first record.
    pub first_record: u64,
    /// Index of the batch's first entry within the column chunk.
    pub first_entry: u64,
    /// Records in the batch.
    pub records: usize,
}

/// A column chunk being read batch by batch.
pub struct ChunkStripes<'a> {
    file: &'a ParquetFile,
    /// The leaf column.
    pub leaf: &'a Leaf,
    /// Row group index.
    pub row_group: usize,
    reader: StripeReader,
    /// The current batch's levels and values.
    pub stripe: Stripe,
    /// The chunk's pages, from their headers.
    pub pages: ChunkPageList,
    next_record: u64,
    end_record: u64,
    next_entry: u64,
    /// Records per batch at most: fewer than asked when the row group's records are huge
    /// ([`batch_records`]), the same for every chunk of the row group.
    batch_limit: usize,
}

impl<'a> ChunkStripes<'a> {
    /// Opens column `leaf` of row group `row_group` (the file was opened with
    /// [`crate::parquet_file::Need::Reader`]).
    pub fn open(file: &'a ParquetFile, row_group: usize, leaf: usize) -> Result<Self> {
        let starts = file.row_group_starts();
        let leaf_info = &file.schema.leaves()[leaf];
        let pages = checked_chunk_pages(file, row_group, leaf)?;
        let reader = file
            .reader()
            .stripe_reader(row_group, leaf, leaf_info)
            .map_err(|e| match e {
                // Already names the row group and column.
                shred::Error::Input { message } => Error::input(&file.name, message),
                other => Error::shred(&file.name, &place(row_group, leaf_info), other),
            })?;
        let rg = file.metadata().row_group(row_group);
        let batch_limit = batch_records(usize::MAX, rg.total_byte_size(), rg.num_rows());
        Ok(ChunkStripes {
            file,
            leaf: leaf_info,
            row_group,
            reader,
            stripe: stripe_for(leaf_info),
            pages,
            next_record: starts[row_group],
            end_record: starts[row_group + 1],
            next_entry: 0,
            batch_limit,
        })
    }

    /// Leaves byte array values out of the batches: for callers that read only levels
    /// ([`StripeReader::without_byte_values`]).
    pub fn levels_only(mut self) -> Self {
        self.reader = self.reader.without_byte_values();
        self
    }

    /// "row group N, column PATH", for messages.
    pub fn place(&self) -> String {
        place(self.row_group, self.leaf)
    }

    /// File-wide index of the next record to be read.
    pub fn next_record(&self) -> u64 {
        self.next_record
    }

    /// Reads the next batch of at most `max_records` records (fewer in a row group of huge
    /// records) into [`Self::stripe`]; `None` at the end of the chunk.
    pub fn next_batch(&mut self, max_records: usize) -> Result<Option<Batch>> {
        self.stripe.clear();
        if max_records == 0 {
            return Ok(None);
        }
        let records = self
            .reader
            .read_records(max_records.min(self.batch_limit), &mut self.stripe)
            .map_err(|e| Error::shred(&self.file.name, &self.place(), e))?;
        if records == 0 {
            return Ok(None);
        }
        if self.next_entry == 0 && self.stripe.rep.first().is_some_and(|&r| r != 0) {
            return Err(Error::input(
                &self.file.name,
                format!(
                    "{}: corrupt column chunk: its first repetition level is {}, but every record starts with r = 0",
                    self.place(),
                    self.stripe.rep[0]
                ),
            ));
        }
        let batch = Batch {
            first_record: self.next_record,
            first_entry: self.next_entry,
            records,
        };
        self.next_record += records as u64;
        self.next_entry += self.stripe.len() as u64;
        if self.next_record > self.end_record {
            return Err(self.count_error());
        }
        Ok(Some(batch))
    }

    /// Reads and drops records until the next one is `record` (file-wide index) or the
    /// chunk ends.
    pub fn skip_to(&mut self, record: u64) -> Result<()> {
        while self.next_record < record {
            let want = (record - self.next_record).min(BATCH_RECORDS as u64) as usize;
            if self.next_batch(want)?.is_none() {
                break;
            }
        }
        self.stripe.clear();
        Ok(())
    }

    /// After the last batch: checks that the chunk held as many records as the row group
    /// says.
    pub fn check_complete(&self) -> Result<()> {
        if self.next_record != self.end_record {
            return Err(self.count_error());
        }
        Ok(())
    }

    fn count_error(&self) -> Error {
        let starts = self.file.row_group_starts();
        let expected = self.end_record - starts[self.row_group];
        let found = self.next_record - starts[self.row_group];
        Error::input(
            &self.file.name,
            format!(
                "{}: corrupt column chunk: {} records, but the row group has {expected}",
                self.place(),
                if found > expected {
                    format!("more than {expected}")
                } else {
                    found.to_string()
                }
            ),
        )
    }
}

fn place(row_group: usize, leaf: &Leaf) -> String {
    format!("row group {row_group}, column {}", leaf.path)
}
