//! The page policy: how a stripe is cut into mini-batches and when a page is cut, as the
//! `parquet` crate's `GenericColumnWriter` decides both.
//!
//! - Entries go in in mini-batches of `write_batch_size` levels, extended to the next record
//!   boundary so that a record never spans two pages (`write_batch` and its record-aware
//!   chunking), and cut smaller when their values' `PLAIN` size would overrun the
//!   dictionary page's remaining budget (or, without a dictionary, the data page limit), as
//!   the crate's byte-budget chunker cuts them. A mini-batch's end is the first record
//!   start at or after `write_batch_size` levels from its start, so a stripe appended in
//!   pieces is cut where the whole stripe is: only a last mini-batch reaching past a piece
//!   waits for the next one.
//! - After each mini-batch a data page is cut when it holds `data_page_row_count_limit`
//!   rows or its values' estimated size reaches `data_page_size_limit`, and the chunk falls
//!   back from the dictionary to `PLAIN` once the dictionary page would reach
//!   `dictionary_page_size_limit`.

use std::ops::Range;

use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::values::PlainValues;
use super::{ChunkEncoder, Position};
use crate::Result;
use crate::stripe::{Stripe, record_end};

/// The writer properties this encoder follows, resolved for one column.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(super) write_batch_size: usize,
    pub(super) data_page_size: usize,
    pub(super) data_page_row_count: usize,
    pub(super) dictionary_page_size: usize,
    pub(super) dictionary_enabled: bool,
    pub(super) column_index_truncate: Option<usize>,
    pub(super) statistics_truncate: Option<usize>,
    pub(super) offset_index: bool,
}

impl Limits {
    /// The limits `props` set for column `path`.
    pub(super) fn new(props: &WriterProperties, path: &ColumnPath) -> Self {
        Limits {
            write_batch_size: props.write_batch_size().max(1),
            data_page_size: props.column_data_page_size_limit(path),
            data_page_row_count: props.column_data_page_row_count_limit(path),
            dictionary_page_size: props.column_dictionary_page_size_limit(path),
            dictionary_enabled: props.dictionary_enabled(path),
            column_index_truncate: props.column_index_truncate_length(),
            statistics_truncate: props.statistics_truncate_length(),
            offset_index: !props.offset_index_disabled(),
        }
    }
}

impl ChunkEncoder {
    /// Encodes `stripe` (whose values are `values`) mini-batch by mini-batch from `from`,
    /// a mini-batch start. `open`: the stripe is followed by more of the same sequence, so
    /// a mini-batch that would end past the stripe's last entry is not written. Returns
    /// where it stopped: the end, or the start of that last mini-batch.
    pub(super) fn write_batches<V: PlainValues>(
        &mut self,
        stripe: &Stripe,
        values: &V,
        from: Position,
        open: bool,
    ) -> Result<Position> {
        let entries = stripe.def.len();
        let Position {
            entry: mut start,
            mut value,
        } = from;
        while start < entries {
            let at = start + self.limits.write_batch_size;
            // Past the stripe, the mini-batch's end is a record start of a later stripe.
            // Within it, the end is found here: the next stripe starts a record.
            if open && at > entries {
                break;
            }
            let end = record_end(&stripe.rep, at, entries);
            match self.sub_batch_levels(stripe, values, start..end, value) {
                None => value = self.write_mini_batch(stripe, values, start..end, value)?,
                Some(levels) => {
                    let mut sub_start = start;
                    while sub_start < end {
                        let sub_end = record_end(&stripe.rep, sub_start + levels, end);
                        value = self.write_mini_batch(stripe, values, sub_start..sub_end, value)?;
                        sub_start = sub_end;
                    }
                }
            }
            start = end;
        }
        Ok(Position {
            entry: start,
            value,
        })
    }

    /// Encodes entries `range` into the current page, then cuts the page or falls back to
    /// plain if a limit is reached; `value` is the index of the first value they hold;
    /// returns the index after the last.
    fn write_mini_batch<V: PlainValues>(
        &mut self,
        stripe: &Stripe,
        values: &V,
        range: Range<usize>,
        value: usize,
    ) -> Result<usize> {
        let value = self.write_entries(stripe, values, range, value)?;
        if self.page_is_full() {
            self.flush_page()?;
        }
        if self
            .values
            .dictionary
            .as_ref()
            .is_some_and(|d| d.page_size >= self.limits.dictionary_page_size)
        {
            self.fall_back_to_plain()?;
        }
        Ok(value)
    }

    /// How many levels a mini-batch of `range` may hold so that its values do not overrun
    /// the page that grows with them (the dictionary page while there is a dictionary,
    /// else the data page); `None` when the whole range fits. The budget is counted in
    /// `PLAIN` bytes (4 + length per value), as the `parquet` crate's byte-budget chunker
    /// counts it, and the answer is scaled from values to levels the same way.
    fn sub_batch_levels<V: PlainValues>(
        &self,
        stripe: &Stripe,
        values: &V,
        range: Range<usize>,
        value: usize,
    ) -> Option<usize> {
        let limit = match &self.values.dictionary {
            Some(_) => self.limits.dictionary_page_size,
            None => self.limits.data_page_size,
        };
        // Values of one size fit whenever a whole batch of them fits the limit.
        if values
            .fixed_width()
            .is_some_and(|width| width.saturating_mul(self.limits.write_batch_size) <= limit)
        {
            return None;
        }
        let budget = match &self.values.dictionary {
            Some(dictionary) => limit.saturating_sub(dictionary.page_size),
            None => limit,
        };
        // Common case, no level walk: all of the stripe's values from here on fit.
        let rest = values.len() - value.min(values.len());
        if values.plain_size(values.len() - rest..values.len()) <= budget {
            return None;
        }
        let levels = range.len();
        let count = stripe.def[range]
            .iter()
            .filter(|&&d| d == self.max_def)
            .count();
        let last = (value + count).min(values.len());
        if count == 0 || values.plain_size(value..last) <= budget {
            return None;
        }
        let fit = values.count_within_budget(value..last, budget);
        if fit >= count {
            return None;
        }
        let per_batch = if count == levels {
            fit
        } else {
            (fit * levels).div_ceil(count).max(1)
        };
        Some(levels.min(per_batch))
    }

    /// Whether the current page has reached the row count or data page size limit.
    fn page_is_full(&self) -> bool {
        if self.page.entries == 0 {
            return false;
        }
        self.page.rows >= self.limits.data_page_row_count
            || self.values.encoded_size() >= self.limits.data_page_size
    }
}

#[cfg(test)]
mod tests {
    use parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};

    use super::*;
    use crate::chunk_encoder::tests::{contact_stripes, encode, props, read_back};

    #[test]
    fn pages_start_at_record_boundaries() {
        let row_groups = vec![contact_stripes(1000)];
        let props = props()
            .set_data_page_row_count_limit(7)
            .set_write_batch_size(5)
            .build();
        let file = encode(props, &row_groups);
        let meta = ParquetMetaDataReader::new()
            .with_page_index_policy(PageIndexPolicy::Required)
            .parse_and_finish(&file)
            .unwrap();
        let index = meta.page_index_for_row_group(0);
        let pages = index.offset_index(1).unwrap().page_locations();
        assert!(pages.len() > 100, "{} pages", pages.len());
        let first_rows: Vec<i64> = pages.iter().map(|p| p.first_row_index).collect();
        assert!(
            first_rows.windows(2).all(|w| w[1] - w[0] >= 7),
            "{first_rows:?}"
        );
        assert_eq!(read_back(&file), row_groups);
    }

    #[test]
    fn record_end_finds_the_next_record() {
        let rep = [0, 1, 1, 0, 1, 0];
        assert_eq!(record_end(&rep, 1, 6), 3);
        assert_eq!(record_end(&rep, 3, 6), 3);
        assert_eq!(record_end(&rep, 4, 6), 5);
        assert_eq!(record_end(&rep, 9, 6), 6);
    }
}
