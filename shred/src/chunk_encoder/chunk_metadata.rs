//! The chunk's metadata, page by page: the `ColumnChunkMetaData` (encodings, page encoding
//! stats, sizes, offsets), the offset index and the level histograms.
//!
//! What a file's footer says of a column chunk (`parquet.thrift`'s `ColumnMetaData`), its
//! page locations in the `OffsetIndex` (`PageIndex.md`), and the repetition and definition
//! level histograms and unencoded byte counts of `SizeStatistics`, per page in the page
//! index and summed for the chunk, recorded as the `parquet` crate's column writer records
//! them.

use std::collections::BTreeSet;

use parquet::basic::{Encoding, EncodingMask, PageType, Type as PhysicalType};
use parquet::column::page::PageWriteSpec;
use parquet::column::writer::ColumnCloseResult;
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnIndexBuilder, LevelHistogram, OffsetIndexBuilder, PageEncodingStats,
};

use super::ChunkEncoder;
use super::statistics::{ChunkBounds, ValueOrder};
use crate::Result;

/// What the chunk has written so far, for its metadata.
pub(super) struct ChunkState {
    encodings: BTreeSet<Encoding>,
    encoding_stats: Vec<PageEncodingStats>,
    column_index: ColumnIndexBuilder,
    offset_index: OffsetIndexBuilder,
    bounds: ChunkBounds,
    nulls: u64,
    rows: u64,
    num_values: i64,
    unencoded_bytes: i64,
    rep_histogram: Vec<i64>,
    def_histogram: Vec<i64>,
    compressed_size: i64,
    uncompressed_size: i64,
    bytes_written: u64,
    dictionary_page_offset: Option<i64>,
    data_page_offset: Option<i64>,
}

impl ChunkState {
    /// The state of a chunk without pages, of a column with these maximum levels whose
    /// values sort in `order`.
    pub(super) fn new(max_def: i16, max_rep: i16, order: ValueOrder) -> Self {
        ChunkState {
            // Levels are RLE-encoded in every chunk, as the parquet crate's writer records.
            encodings: BTreeSet::from([Encoding::RLE]),
            encoding_stats: Vec::new(),
            column_index: ColumnIndexBuilder::new(order.physical),
            offset_index: OffsetIndexBuilder::new(),
            bounds: ChunkBounds::new(order),
            nulls: 0,
            rows: 0,
            num_values: 0,
            unencoded_bytes: 0,
            rep_histogram: vec![0; max_rep as usize + 1],
            def_histogram: vec![0; max_def as usize + 1],
            compressed_size: 0,
            uncompressed_size: 0,
            bytes_written: 0,
            dictionary_page_offset: None,
            data_page_offset: None,
        }
    }

    /// Records a page the sink has written: its encoding, sizes and location.
    pub(super) fn page_written(
        &mut self,
        page_type: PageType,
        encoding: Encoding,
        spec: &PageWriteSpec,
    ) {
        self.encodings.insert(encoding);
        match self.encoding_stats.last_mut() {
            Some(stats) if stats.page_type == page_type && stats.encoding == encoding => {
                stats.count += 1
            }
            _ => self.encoding_stats.push(PageEncodingStats {
                page_type,
                encoding,
                count: 1,
            }),
        }
        self.uncompressed_size += spec.uncompressed_size as i64;
        self.compressed_size += spec.compressed_size as i64;
        self.bytes_written += spec.bytes_written;
        match page_type {
            PageType::DICTIONARY_PAGE => self.dictionary_page_offset = Some(spec.offset as i64),
            _ => {
                self.num_values += spec.num_values as i64;
                self.data_page_offset.get_or_insert(spec.offset as i64);
                self.offset_index
                    .append_offset_and_size(spec.offset as i64, spec.compressed_size as i32);
            }
        }
    }
}

impl ChunkEncoder {
    /// Adds the current page's statistics to the column index, offset index and chunk.
    pub(super) fn record_page_stats(&mut self) {
        let page = &self.page;
        let chunk = &mut self.chunk;
        chunk.bounds.add_page(
            page,
            &mut chunk.column_index,
            self.limits.column_index_truncate,
        );
        let rep = histogram(self.max_rep, &mut self.levels.rep_histogram);
        let def = histogram(self.max_def, &mut self.levels.def_histogram);
        chunk.column_index.append_histograms(&rep, &def);
        for (sum, page) in [
            (&mut chunk.rep_histogram, &rep),
            (&mut chunk.def_histogram, &def),
        ] {
            if let Some(page) = page {
                sum.iter_mut().zip(page.values()).for_each(|(s, p)| *s += p);
            }
        }
        chunk.offset_index.append_row_count(page.rows as i64);
        let byte_arrays = self.order.physical == PhysicalType::BYTE_ARRAY;
        chunk
            .offset_index
            .append_unencoded_byte_array_data_bytes(byte_arrays.then_some(page.unencoded_bytes));
        chunk.nulls += page.nulls as u64;
        chunk.rows += page.rows as u64;
        chunk.unencoded_bytes += page.unencoded_bytes;
    }

    /// The finished chunk's metadata, statistics and page index.
    pub(super) fn close_result(&self, chunk: ChunkState) -> Result<ColumnCloseResult> {
        let statistics = chunk
            .bounds
            .statistics(chunk.nulls, self.limits.statistics_truncate);
        let byte_arrays = self.order.physical == PhysicalType::BYTE_ARRAY;
        let histogram = |max_level: i16, counts: Vec<i64>| {
            LevelHistogram::try_new(max_level).map(|_| LevelHistogram::from(counts))
        };
        let metadata = ColumnChunkMetaData::builder(self.descr.clone())
            .set_compression(self.compression)
            .set_encodings_mask(EncodingMask::new_from_encodings(chunk.encodings.iter()))
            .set_page_encoding_stats(chunk.encoding_stats)
            .set_total_compressed_size(chunk.compressed_size)
            .set_total_uncompressed_size(chunk.uncompressed_size)
            .set_num_values(chunk.num_values)
            .set_data_page_offset(chunk.data_page_offset.unwrap_or(0))
            .set_dictionary_page_offset(chunk.dictionary_page_offset)
            .set_statistics(statistics)
            .set_unencoded_byte_array_data_bytes(byte_arrays.then_some(chunk.unencoded_bytes))
            .set_repetition_level_histogram(histogram(self.max_rep, chunk.rep_histogram))
            .set_definition_level_histogram(histogram(self.max_def, chunk.def_histogram))
            .build()
            .map_err(|e| self.parquet_error(e))?;
        let mut column_index = chunk.column_index;
        column_index.set_boundary_order(chunk.bounds.boundary_order());
        Ok(ColumnCloseResult {
            bytes_written: chunk.bytes_written,
            rows_written: chunk.rows,
            metadata,
            bloom_filter: None,
            column_index: match column_index.valid() {
                true => Some(column_index.build().map_err(|e| self.parquet_error(e))?),
                false => None,
            },
            offset_index: self.limits.offset_index.then(|| chunk.offset_index.build()),
        })
    }
}

/// The page's level counts as a histogram (none for a level that is always 0), resetting
/// the counts for the next page.
fn histogram(max_level: i16, counts: &mut [i64]) -> Option<LevelHistogram> {
    let histogram = (max_level > 0).then(|| LevelHistogram::from(counts.to_vec()));
    counts.fill(0);
    histogram
}
