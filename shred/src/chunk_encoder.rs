//! A column-chunk encoder for byte-array stripes, written by hand: levels, dictionary or
//! plain values, statistics and the page index, straight from a [`Stripe`]'s flat buffer.
//!
//! The `parquet` crate's column writer takes byte arrays as `ByteArray`s, one
//! reference-counted `Bytes` slice per value, and interns and compares them through those
//! handles; for short strings the handles cost more than the encoding. This encoder reads
//! each value as a `&[u8]` of [`ByteValues`] and lays out what that writer lays out
//! (Parquet format: data pages v1 with RLE/bit-packed levels, `RLE_DICTIONARY` values with a
//! `PLAIN` dictionary page and fallback to `PLAIN`, page statistics in the `ColumnIndex`,
//! page locations in the `OffsetIndex` (PageIndex.md), level histograms and unencoded byte
//! counts (`SizeStatistics`)), with the same policy as arrow-rs's `GenericColumnWriter`:
//!
//! - entries go in in mini-batches of `write_batch_size` levels, extended to the next record
//!   boundary so that a record never spans two pages, and cut smaller when their values'
//!   `PLAIN` size would overrun the dictionary page's remaining budget (or, without a
//!   dictionary, the data page limit), as the crate's byte-budget chunker cuts them;
//! - after each mini-batch a data page is cut when it holds `data_page_row_count_limit`
//!   rows or its values' estimated size reaches `data_page_size_limit`, and the chunk falls
//!   back from the dictionary to `PLAIN` once the dictionary page would reach
//!   `dictionary_page_size_limit`;
//! - dictionary-encoded pages are held back until the dictionary is final, because the
//!   dictionary page comes first in the chunk.
//!
//! The page headers are serialized by the crate's `SerializedPageWriter`, the compression
//! codecs are the crate's, and the finished chunk goes into a file with
//! `SerializedRowGroupWriter::append_column`, the splice arrow-rs uses for its parallel
//! writers. Only what the rest of a file needs is supported: writer version 1.0, page
//! statistics, unsigned (byte-wise) sort order; [`ByteChunkEncoder::new`] rejects the rest.
//!
//! ```
//! use std::sync::Arc;
//! use parquet::file::properties::WriterProperties;
//! use parquet::schema::{parser::parse_message_type, types::SchemaDescriptor};
//! use shred::chunk_encoder::ByteChunkEncoder;
//! use shred::stripe::{Stripe, Values};
//!
//! let schema = parse_message_type("message m { optional binary name (STRING); }").unwrap();
//! let descr = SchemaDescriptor::new(Arc::new(schema)).column(0);
//! let mut encoder = ByteChunkEncoder::new(descr, &WriterProperties::default()).unwrap();
//! let mut stripe = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
//! stripe.push_null(0, 0);
//! stripe.rep.push(0); stripe.def.push(1);
//! if let Values::ByteArray(v) = &mut stripe.values { v.push(b"Ada"); }
//! encoder.write(&stripe).unwrap();
//! let chunk = encoder.finish().unwrap();
//! assert_eq!(chunk.close.rows_written, 2);
//! assert_eq!(chunk.close.metadata.num_values(), 2);
//! ```

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::hash::BuildHasher;

use bytes::Bytes;
use hashbrown::{DefaultHashBuilder, HashTable};
use parquet::basic::{
    BoundaryOrder, Compression, ConvertedType, Encoding, EncodingMask, LogicalType, PageType,
    SortOrder, Type as PhysicalType,
};
use parquet::column::page::{CompressedPage, Page, PageWriteSpec, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::compression::{Codec, CodecOptionsBuilder, create_codec};
use parquet::data_type::ByteArray;
use parquet::encodings::rle::RleEncoder;
use parquet::errors::ParquetError;
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnIndexBuilder, LevelHistogram, OffsetIndexBuilder, PageEncodingStats,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use crate::rle_hybrid::RleHybridEncoder;
use crate::stripe::{ByteValues, Stripe, Values};
use crate::{Error, Result};

/// An encoded column chunk and what `SerializedRowGroupWriter::append_column` needs of it.
#[derive(Debug)]
pub struct EncodedChunk {
    /// The chunk's pages (dictionary page first), offsets relative to the start.
    pub data: Bytes,
    /// Metadata, statistics and page index of the chunk.
    pub close: ColumnCloseResult,
}

/// The writer properties this encoder follows, resolved for one column.
#[derive(Debug, Clone, Copy)]
struct Limits {
    write_batch_size: usize,
    data_page_size: usize,
    data_page_row_count: usize,
    dictionary_page_size: usize,
    dictionary_enabled: bool,
    column_index_truncate: Option<usize>,
    statistics_truncate: Option<usize>,
    offset_index: bool,
}

/// Encodes the byte-array stripes of one leaf column into column chunks; reuse it from
/// row group to row group (call [`ByteChunkEncoder::finish`] after each).
pub struct ByteChunkEncoder {
    descr: ColumnDescPtr,
    limits: Limits,
    compression: Compression,
    codec: Option<Box<dyn Codec>>,
    utf8: bool,
    max_def: i16,
    max_rep: i16,
    levels: Levels,
    values: PageValues,
    page: PageStats,
    /// Counts the pages this encoder has cut, to tell a dictionary value's first use in a
    /// page.
    page_number: u32,
    chunk: ChunkState,
    /// The chunk's pages as written.
    sink: TrackedWrite<Vec<u8>>,
    /// Bytes to reserve in the sink before its first page: the previous chunk's size and
    /// an eighth, so a chunk's buffer is allocated once instead of grown by doubling.
    expected_size: usize,
    /// Dictionary-encoded pages waiting for the dictionary page.
    held: Vec<CompressedPage>,
    /// Buffers of pages already in the sink, to assemble the next pages in.
    spare_pages: PageBuffers,
}

/// Emptied page buffers for the next pages: a page is up to a megabyte, and fresh memory
/// costs a page fault every 4 KiB.
#[derive(Default)]
struct PageBuffers {
    spare: Vec<Vec<u8>>,
}

impl PageBuffers {
    /// At most this many are kept (a chunk has only a few pages in flight at once).
    const MAX: usize = 8;

    /// An empty buffer, reused when one is spare.
    fn take(&mut self) -> Vec<u8> {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf
    }

    /// Keeps a page's buffer for a later page.
    fn put(&mut self, buf: Vec<u8>) {
        if self.spare.len() < Self::MAX {
            self.spare.push(buf);
        }
    }
}

impl std::fmt::Debug for ByteChunkEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteChunkEncoder")
            .field("column", &self.descr.path().string())
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

/// The repetition and definition levels of the page being filled, RLE-encoded as they come.
struct Levels {
    rep: RleHybridEncoder,
    def: RleHybridEncoder,
    rep_histogram: Vec<i64>,
    def_histogram: Vec<i64>,
}

/// The values of the page being filled: dictionary indices until the chunk falls back to
/// plain, then `PLAIN` bytes.
struct PageValues {
    dictionary: Option<Dictionary>,
    indices: Vec<u64>,
    plain: Vec<u8>,
}

/// The distinct values of a chunk, in first-seen order; the index is the dictionary id.
struct Dictionary {
    table: HashTable<Slot>,
    hasher: DefaultHashBuilder,
    entries: ByteValues,
    /// Per entry, the number of the last page that used it.
    last_page: Vec<u32>,
    /// Size of the `PLAIN` dictionary page: a 4-byte length and the bytes per entry.
    page_size: usize,
    /// The hashes of a mini-batch's values (reused buffer).
    hashes: Vec<u64>,
}

/// A dictionary entry as its hash table holds it: where its bytes are, not only its id,
/// so that checking a candidate reads the bytes straight away (a lookup waits on each
/// load in turn: table, slot, bytes).
#[derive(Clone, Copy)]
struct Slot {
    id: u32,
    len: u32,
    start: usize,
}

/// Counts and bounds of the page being filled.
#[derive(Default)]
struct PageStats {
    entries: usize,
    rows: usize,
    nulls: usize,
    values: usize,
    min: Vec<u8>,
    max: Vec<u8>,
    unencoded_bytes: i64,
}

impl PageStats {
    /// Widens the page's bounds to `value` (the page has a value already). A value above
    /// the maximum cannot be below the minimum: one comparison per value in a column that
    /// ascends, like ids or timestamps.
    #[inline]
    fn widen(&mut self, value: &[u8]) {
        if compare_bytes(value, &self.max) == Ordering::Greater {
            self.max.clear();
            self.max.extend_from_slice(value);
        } else if compare_bytes(value, &self.min) == Ordering::Less {
            self.min.clear();
            self.min.extend_from_slice(value);
        }
    }
}

/// Byte-wise order of two byte strings (`a.cmp(b)`), a word at a time for short ones.
///
/// Page bounds and dictionary lookups compare one or two short strings per value; called
/// through `memcmp` they were an eighth of the encoder's time. Big-endian words order as
/// their bytes do, and once a prefix is known equal, the last word of the common length
/// may overlap it.
#[inline]
fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    let word = |s: &[u8], at: usize| u64::from_be_bytes(s[at..at + 8].try_into().expect("8"));
    let half = |s: &[u8], at: usize| u32::from_be_bytes(s[at..at + 4].try_into().expect("4"));
    let prefix = if n > 32 {
        a[..n].cmp(&b[..n])
    } else if n >= 8 {
        let mut at = 0;
        while at + 8 < n && word(a, at) == word(b, at) {
            at += 8;
        }
        let at = at.min(n - 8);
        word(a, at).cmp(&word(b, at))
    } else if n >= 4 {
        match half(a, 0).cmp(&half(b, 0)) {
            Ordering::Equal => half(a, n - 4).cmp(&half(b, n - 4)),
            order => order,
        }
    } else {
        a[..n].cmp(&b[..n])
    };
    prefix.then(a.len().cmp(&b.len()))
}

/// What the chunk has written so far, for its metadata.
struct ChunkState {
    encodings: BTreeSet<Encoding>,
    encoding_stats: Vec<PageEncodingStats>,
    column_index: ColumnIndexBuilder,
    offset_index: OffsetIndexBuilder,
    ascending: bool,
    descending: bool,
    last_page_bounds: Option<(Vec<u8>, Vec<u8>)>,
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
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

fn bit_width(max: u64) -> u8 {
    (64 - max.leading_zeros()) as u8
}

fn unsupported(column: &ColumnDescPtr, what: impl std::fmt::Display) -> Error {
    Error::Input {
        message: format!(
            "column {}: the hand-written chunk encoder does not support {what}",
            column.path().string()
        ),
    }
}

impl ByteChunkEncoder {
    /// An encoder for the BYTE_ARRAY column `descr`, following `props` (compression,
    /// dictionary, page limits, truncation lengths, offset index).
    pub fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let path = descr.path();
        if descr.physical_type() != PhysicalType::BYTE_ARRAY {
            return Err(unsupported(&descr, descr.physical_type()));
        }
        if descr.sort_order() != SortOrder::UNSIGNED {
            return Err(unsupported(&descr, "a signed sort order (decimal)"));
        }
        if props.writer_version() != WriterVersion::PARQUET_1_0 {
            return Err(unsupported(&descr, "data pages v2"));
        }
        if props.statistics_enabled(path) != EnabledStatistics::Page {
            return Err(unsupported(&descr, "statistics other than page statistics"));
        }
        if props.write_page_header_statistics(path) {
            return Err(unsupported(&descr, "statistics in page headers"));
        }
        if props.bloom_filter_properties(path).is_some() {
            return Err(unsupported(&descr, "bloom filters"));
        }
        if props.content_defined_chunking().is_some() {
            return Err(unsupported(&descr, "content-defined chunking"));
        }
        if let Some(encoding) = props.encoding(path)
            && encoding != Encoding::PLAIN
        {
            return Err(unsupported(&descr, format!("the {encoding} encoding")));
        }
        let compression = props.compression(path);
        let codec = create_codec(compression, &CodecOptionsBuilder::default().build())
            .map_err(|e| Error::parquet(format!("column {}", path.string()), e))?;
        let limits = Limits {
            write_batch_size: props.write_batch_size().max(1),
            data_page_size: props.column_data_page_size_limit(path),
            data_page_row_count: props.column_data_page_row_count_limit(path),
            dictionary_page_size: props.column_dictionary_page_size_limit(path),
            dictionary_enabled: props.dictionary_enabled(path),
            column_index_truncate: props.column_index_truncate_length(),
            statistics_truncate: props.statistics_truncate_length(),
            offset_index: !props.offset_index_disabled(),
        };
        let utf8 = descr.logical_type_ref() == Some(&LogicalType::String)
            || descr.converted_type() == ConvertedType::UTF8;
        let (max_def, max_rep) = (descr.max_def_level(), descr.max_rep_level());
        Ok(ByteChunkEncoder {
            levels: Levels {
                rep: RleHybridEncoder::new(bit_width(max_rep as u64)),
                def: RleHybridEncoder::new(bit_width(max_def as u64)),
                rep_histogram: vec![0; max_rep as usize + 1],
                def_histogram: vec![0; max_def as usize + 1],
            },
            values: PageValues {
                dictionary: limits.dictionary_enabled.then(Dictionary::new),
                indices: Vec::new(),
                plain: Vec::new(),
            },
            page: PageStats::default(),
            page_number: 0,
            chunk: ChunkState::new(max_def, max_rep),
            sink: TrackedWrite::new(Vec::new()),
            expected_size: 0,
            held: Vec::new(),
            spare_pages: PageBuffers::default(),
            descr,
            limits,
            compression,
            codec,
            utf8,
            max_def,
            max_rep,
        })
    }

    /// Appends a stripe of whole records (its first entry starts a record).
    pub fn write(&mut self, stripe: &Stripe) -> Result<()> {
        let Values::ByteArray(values) = &stripe.values else {
            return Err(unsupported(&self.descr, "values other than byte arrays"));
        };
        let entries = stripe.def.len();
        if stripe.rep.len() != entries {
            return Err(self.levels_error(0, "as many repetition as definition levels"));
        }
        if self.max_rep > 0 && stripe.rep.first().is_some_and(|&r| r != 0) {
            return Err(self.levels_error(0, "a stripe that starts a record (r = 0)"));
        }
        let mut value = 0;
        let mut start = 0;
        while start < entries {
            let end = record_end(&stripe.rep, start + self.limits.write_batch_size, entries);
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
        if value != values.len() {
            return Err(self.levels_error(
                entries,
                format!(
                    "{} values for {} entries at the maximum definition level",
                    values.len(),
                    value
                ),
            ));
        }
        Ok(())
    }

    /// Encodes entries `range` into the current page, then cuts the page or falls back to
    /// plain if a limit is reached; `value` is the index of the first value they hold;
    /// returns the index after the last.
    fn write_mini_batch(
        &mut self,
        stripe: &Stripe,
        values: &ByteValues,
        range: std::ops::Range<usize>,
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
    fn sub_batch_levels(
        &self,
        stripe: &Stripe,
        values: &ByteValues,
        range: std::ops::Range<usize>,
        value: usize,
    ) -> Option<usize> {
        let budget = match &self.values.dictionary {
            Some(dictionary) => self
                .limits
                .dictionary_page_size
                .saturating_sub(dictionary.page_size),
            None => self.limits.data_page_size,
        };
        // Common case, no level walk: all of the stripe's values from here on fit.
        let rest = values.len() - value.min(values.len());
        if values.offsets[values.len()] - values.offsets[values.len() - rest] + 4 * rest <= budget {
            return None;
        }
        let levels = range.len();
        let count = stripe.def[range]
            .iter()
            .filter(|&&d| d == self.max_def)
            .count();
        let last = (value + count).min(values.len());
        if count == 0 || values.offsets[last] - values.offsets[value] + 4 * (last - value) <= budget
        {
            return None;
        }
        let mut bytes = 0usize;
        let fit = (value..last)
            .position(|i| {
                bytes += 4 + values.offsets[i + 1] - values.offsets[i];
                bytes > budget
            })
            .map_or(count, |i| i + 1);
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

    /// Encodes entries `range` of `stripe` into the current page; `value` is the index of the
    /// first value they hold; returns the index after the last.
    ///
    /// Two passes: the levels (checked, counted, RLE-encoded), then the values they define,
    /// which are contiguous in the stripe, so the value loop neither branches on levels nor
    /// on the page's encoding.
    fn write_entries(
        &mut self,
        stripe: &Stripe,
        values: &ByteValues,
        range: std::ops::Range<usize>,
        value: usize,
    ) -> Result<usize> {
        let (max_def, max_rep) = (self.max_def, self.max_rep);
        let (rep, def) = (&stripe.rep[range.clone()], &stripe.def[range.clone()]);
        let mut present = 0;
        let mut rows = 0;
        for (offset, (&r, &d)) in rep.iter().zip(def).enumerate() {
            if !(0..=max_rep).contains(&r) || !(0..=max_def).contains(&d) {
                return Err(self.levels_error(
                    range.start + offset,
                    format!("levels within r ≤ {max_rep}, d ≤ {max_def}, found r = {r}, d = {d}"),
                ));
            }
            self.levels.rep_histogram[r as usize] += 1;
            self.levels.def_histogram[d as usize] += 1;
            rows += usize::from(r == 0);
            present += usize::from(d == max_def);
        }
        if value + present > values.len() {
            let available = values.len().saturating_sub(value);
            let missing = (def.iter().enumerate())
                .filter(|&(_, &d)| d == max_def)
                .nth(available)
                .map_or(0, |(offset, _)| offset);
            return Err(
                self.levels_error(range.start + missing, "a value for every non-null entry")
            );
        }
        if max_rep > 0 {
            self.levels.rep.put_levels(rep);
        }
        if max_def > 0 {
            self.levels.def.put_levels(def);
        }
        self.page.rows += rows;
        self.page.nulls += range.len() - present;
        self.page.entries += range.len();
        self.put_values(values, value..value + present);
        Ok(value + present)
    }

    /// Encodes values `range` of `values` into the current page: dictionary ids or `PLAIN`
    /// bytes, and the page's bounds.
    fn put_values(&mut self, values: &ByteValues, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        let offsets = &values.offsets[range.start..=range.end];
        let value = |i: usize| &values.data[offsets[i]..offsets[i + 1]];
        let page = &mut self.page;
        page.unencoded_bytes += (offsets[range.len()] - offsets[0]) as i64;
        if page.values == 0 {
            // The page's first value is its minimum and maximum so far.
            page.min.clear();
            page.min.extend_from_slice(value(0));
            page.max.clear();
            page.max.extend_from_slice(value(0));
        }
        page.values += range.len();
        match &mut self.values.dictionary {
            Some(dictionary) => {
                // Hashes first, in a loop of their own: the lookups that follow wait on
                // memory (table, entry), and short iterations let more of them overlap.
                let mut hashes = std::mem::take(&mut dictionary.hashes);
                hashes.clear();
                hashes.extend((0..range.len()).map(|i| dictionary.hasher.hash_one(value(i))));
                for (i, &hash) in hashes.iter().enumerate() {
                    let bytes = value(i);
                    let (id, new_in_page) = dictionary.intern(bytes, hash, self.page_number);
                    self.values.indices.push(u64::from(id));
                    // A dictionary value seen before in this page cannot move its bounds.
                    if new_in_page {
                        page.widen(bytes);
                    }
                }
                dictionary.hashes = hashes;
            }
            None => {
                let plain = &mut self.values.plain;
                plain.reserve(offsets[range.len()] - offsets[0] + 4 * range.len());
                for i in 0..range.len() {
                    let bytes = value(i);
                    plain.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                    plain.extend_from_slice(bytes);
                    page.widen(bytes);
                }
            }
        }
    }

    fn page_is_full(&self) -> bool {
        if self.page.entries == 0 {
            return false;
        }
        let values_size = match &self.values.dictionary {
            Some(dictionary) => {
                RleEncoder::max_buffer_size(dictionary.bit_width(), self.values.indices.len())
            }
            None => self.values.plain.len(),
        };
        self.page.rows >= self.limits.data_page_row_count
            || values_size >= self.limits.data_page_size
    }

    /// Cuts the current page: encodes it, records its statistics and index entries, and
    /// writes it (or holds it while the dictionary is still growing).
    fn flush_page(&mut self) -> Result<()> {
        let mut buf = self.spare_pages.take();
        if self.max_rep > 0 {
            push_levels(&mut buf, &mut self.levels.rep);
        }
        if self.max_def > 0 {
            push_levels(&mut buf, &mut self.levels.def);
        }
        let encoding = match &self.values.dictionary {
            Some(dictionary) => {
                let width = dictionary.bit_width();
                buf.push(width);
                let mut ids = RleHybridEncoder::with_buffer(width, buf);
                ids.put_values(&self.values.indices);
                buf = ids.into_bytes();
                self.values.indices.clear();
                Encoding::RLE_DICTIONARY
            }
            None => {
                buf.extend_from_slice(&self.values.plain);
                self.values.plain.clear();
                Encoding::PLAIN
            }
        };
        let uncompressed_size = buf.len();
        let buf = self.compress(buf)?;
        let page = Page::DataPage {
            buf,
            num_values: self.page.entries as u32,
            encoding,
            def_level_encoding: Encoding::RLE,
            rep_level_encoding: Encoding::RLE,
            statistics: None,
        };
        self.record_page_stats();
        let page = CompressedPage::new(page, uncompressed_size);
        if self.values.dictionary.is_some() {
            self.held.push(page);
        } else {
            self.write_page(page)?;
        }
        self.page_number = self.page_number.wrapping_add(1);
        self.page = PageStats {
            min: std::mem::take(&mut self.page.min),
            max: std::mem::take(&mut self.page.max),
            ..PageStats::default()
        };
        Ok(())
    }

    /// Adds the current page's statistics to the column index, offset index and chunk.
    fn record_page_stats(&mut self) {
        let page = &self.page;
        let chunk = &mut self.chunk;
        if page.values == 0 {
            chunk
                .column_index
                .append(true, vec![], vec![], page.nulls as i64, None);
        } else {
            if let Some((last_min, last_max)) = &chunk.last_page_bounds {
                let (min, max) = (page.min.as_slice(), page.max.as_slice());
                chunk.ascending &= !(last_min.as_slice() > min || last_max.as_slice() > max);
                chunk.descending &= !(min > last_min.as_slice() || max > last_max.as_slice());
            }
            chunk.last_page_bounds = Some((page.min.clone(), page.max.clone()));
            let limit = self.limits.column_index_truncate;
            chunk.column_index.append(
                false,
                truncate_min(&page.min, limit, self.utf8).0,
                truncate_max(&page.max, limit, self.utf8).0,
                page.nulls as i64,
                None,
            );
            if chunk.min.as_ref().is_none_or(|m| page.min < *m) {
                chunk.min = Some(page.min.clone());
            }
            if chunk.max.as_ref().is_none_or(|m| page.max > *m) {
                chunk.max = Some(page.max.clone());
            }
        }
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
        chunk
            .offset_index
            .append_unencoded_byte_array_data_bytes(Some(page.unencoded_bytes));
        chunk.nulls += page.nulls as u64;
        chunk.rows += page.rows as u64;
        chunk.unencoded_bytes += page.unencoded_bytes;
    }

    /// Writes the dictionary page, then the pages held for it; the chunk goes on in `PLAIN`.
    fn fall_back_to_plain(&mut self) -> Result<()> {
        if self.page.entries > 0 {
            self.flush_page()?;
        }
        self.write_dictionary()?;
        self.values.dictionary = None;
        Ok(())
    }

    fn write_dictionary(&mut self) -> Result<()> {
        let Some(dictionary) = &self.values.dictionary else {
            return Ok(());
        };
        let mut buf = self.spare_pages.take();
        buf.reserve(dictionary.page_size);
        for entry in dictionary.entries.iter() {
            buf.extend_from_slice(&(entry.len() as u32).to_le_bytes());
            buf.extend_from_slice(entry);
        }
        let num_values = dictionary.entries.len() as u32;
        let uncompressed_size = buf.len();
        let page = Page::DictionaryPage {
            buf: self.compress(buf)?,
            num_values,
            encoding: Encoding::PLAIN,
            is_sorted: false,
        };
        self.write_page(CompressedPage::new(page, uncompressed_size))?;
        for page in std::mem::take(&mut self.held) {
            self.write_page(page)?;
        }
        Ok(())
    }

    fn compress(&mut self, buf: Vec<u8>) -> Result<Bytes> {
        let Some(codec) = &mut self.codec else {
            return Ok(Bytes::from(buf));
        };
        let mut out = self.spare_pages.take();
        out.reserve(buf.len() / 2 + 64);
        let compressed = codec.compress(&buf, &mut out);
        compressed.map_err(|e| self.parquet_error(e))?;
        self.spare_pages.put(buf);
        Ok(Bytes::from(out))
    }

    fn write_page(&mut self, page: CompressedPage) -> Result<()> {
        let (page_type, encoding) = (page.page_type(), page.encoding());
        if self.sink.bytes_written() == 0 {
            // The chunk's first page: size the buffer once (empty, so `reserve` counts from 0).
            self.sink.inner_mut().reserve(self.expected_size);
        }
        // A second handle on the page's bytes, to take the buffer back once it is written.
        let data = page.compressed_page().buffer().clone();
        let spec: PageWriteSpec = SerializedPageWriter::new(&mut self.sink)
            .write_page(page)
            .map_err(|e| Error::parquet(format!("column {}", self.descr.path().string()), e))?;
        // The only handle left: the buffer comes back without a copy.
        self.spare_pages.put(Vec::from(data));
        let chunk = &mut self.chunk;
        chunk.encodings.insert(encoding);
        match chunk.encoding_stats.last_mut() {
            Some(stats) if stats.page_type == page_type && stats.encoding == encoding => {
                stats.count += 1
            }
            _ => chunk.encoding_stats.push(PageEncodingStats {
                page_type,
                encoding,
                count: 1,
            }),
        }
        chunk.uncompressed_size += spec.uncompressed_size as i64;
        chunk.compressed_size += spec.compressed_size as i64;
        chunk.bytes_written += spec.bytes_written;
        match page_type {
            PageType::DICTIONARY_PAGE => chunk.dictionary_page_offset = Some(spec.offset as i64),
            _ => {
                chunk.num_values += spec.num_values as i64;
                chunk.data_page_offset.get_or_insert(spec.offset as i64);
                chunk
                    .offset_index
                    .append_offset_and_size(spec.offset as i64, spec.compressed_size as i32);
            }
        }
        Ok(())
    }

    /// Ends the column chunk: writes what is pending and returns the chunk's bytes and
    /// metadata. The encoder is ready for the next chunk.
    pub fn finish(&mut self) -> Result<EncodedChunk> {
        if self.page.entries > 0 {
            self.flush_page()?;
        }
        self.write_dictionary()?;
        // The next chunk starts empty; its buffer is sized after this one's on first use,
        // unless a buffer is recycled before.
        let written = self.sink.bytes_written();
        self.expected_size = written + written / 8;
        let sink = std::mem::replace(&mut self.sink, TrackedWrite::new(Vec::new()));
        let chunk = std::mem::replace(&mut self.chunk, ChunkState::new(self.max_def, self.max_rep));
        self.values.dictionary = self.limits.dictionary_enabled.then(Dictionary::new);
        let close = self.close_result(chunk)?;
        let data = Bytes::from(sink.into_inner().map_err(|e| self.parquet_error(e))?);
        Ok(EncodedChunk { data, close })
    }

    /// Gives the encoder an emptied buffer to write its next chunk into, typically the
    /// `data` of a chunk already in its file (`Vec::from(chunk.data)` takes it back without
    /// a copy): memory that is already mapped saves the page faults of a fresh allocation,
    /// which are a tenth of the CPU when every chunk's buffer is new. Ignored once the next
    /// chunk has begun, or when the encoder already has a larger buffer.
    pub fn recycle(&mut self, mut buffer: Vec<u8>) {
        if self.sink.bytes_written() == 0 && buffer.capacity() > self.sink.inner().capacity() {
            buffer.clear();
            self.sink = TrackedWrite::new(buffer);
        }
    }

    fn close_result(&self, chunk: ChunkState) -> Result<ColumnCloseResult> {
        let limit = self.limits.statistics_truncate;
        let (min, min_exact) = match &chunk.min {
            Some(min) => {
                let (bytes, truncated) = truncate_min(min, limit, self.utf8);
                (Some(ByteArray::from(bytes)), !truncated)
            }
            None => (None, true),
        };
        let (max, max_exact) = match &chunk.max {
            Some(max) => {
                let (bytes, truncated) = truncate_max(max, limit, self.utf8);
                (Some(ByteArray::from(bytes)), !truncated)
            }
            None => (None, true),
        };
        let statistics = Statistics::ByteArray(
            ValueStatistics::new(min, max, None, Some(chunk.nulls), false)
                .with_backwards_compatible_min_max(false)
                .with_min_is_exact(min_exact)
                .with_max_is_exact(max_exact),
        );
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
            .set_unencoded_byte_array_data_bytes(Some(chunk.unencoded_bytes))
            .set_repetition_level_histogram(histogram(self.max_rep, chunk.rep_histogram))
            .set_definition_level_histogram(histogram(self.max_def, chunk.def_histogram))
            .build()
            .map_err(|e| self.parquet_error(e))?;
        let mut column_index = chunk.column_index;
        column_index.set_boundary_order(match (chunk.ascending, chunk.descending) {
            (true, _) => BoundaryOrder::ASCENDING,
            (false, true) => BoundaryOrder::DESCENDING,
            (false, false) => BoundaryOrder::UNORDERED,
        });
        Ok(ColumnCloseResult {
            bytes_written: chunk.bytes_written,
            rows_written: chunk.rows,
            metadata,
            bloom_filter: None,
            column_index: Some(column_index.build().map_err(|e| self.parquet_error(e))?),
            offset_index: self.limits.offset_index.then(|| chunk.offset_index.build()),
        })
    }

    fn levels_error(&self, entry: usize, expected: impl std::fmt::Display) -> Error {
        Error::Levels {
            column: self.descr.path().string(),
            entry,
            message: format!("expected {expected}"),
        }
    }

    fn parquet_error(&self, e: ParquetError) -> Error {
        Error::parquet(format!("column {}", self.descr.path().string()), e)
    }
}

/// The first record boundary (`r = 0`) at or after `at`, or `end`.
fn record_end(rep: &[i16], at: usize, end: usize) -> usize {
    (at.min(end)..end).find(|&i| rep[i] == 0).unwrap_or(end)
}

/// Appends a v1 level block: a 4-byte little-endian length, then the RLE/bit-packed runs.
fn push_levels(buf: &mut Vec<u8>, levels: &mut RleHybridEncoder) {
    let encoded = levels.finish();
    buf.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
    buf.extend_from_slice(encoded);
    levels.clear();
}

/// The page's level counts as a histogram (none for a level that is always 0), resetting
/// the counts for the next page.
fn histogram(max_level: i16, counts: &mut [i64]) -> Option<LevelHistogram> {
    let histogram = (max_level > 0).then(|| LevelHistogram::from(counts.to_vec()));
    counts.fill(0);
    histogram
}

impl Dictionary {
    fn new() -> Self {
        Dictionary {
            table: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            entries: ByteValues::default(),
            last_page: Vec::new(),
            page_size: 0,
            hashes: Vec::new(),
        }
    }

    /// The dictionary id of `value` (whose hash is `hash`), adding it when new, and whether
    /// this is its first use in page number `page`.
    #[inline]
    fn intern(&mut self, value: &[u8], hash: u64, page: u32) -> (u32, bool) {
        let data = &self.entries.data;
        if let Some(slot) = self.table.find(hash, |slot| {
            slot.len as usize == value.len()
                && compare_bytes(&data[slot.start..slot.start + value.len()], value)
                    == Ordering::Equal
        }) {
            let last = std::mem::replace(&mut self.last_page[slot.id as usize], page);
            return (slot.id, last != page);
        }
        let slot = Slot {
            id: self.entries.len() as u32,
            len: value.len() as u32,
            start: self.entries.data.len(),
        };
        self.entries.push(value);
        self.last_page.push(page);
        self.page_size += 4 + value.len();
        let (data, hasher) = (&self.entries.data, &self.hasher);
        self.table.insert_unique(hash, slot, |slot| {
            hasher.hash_one(&data[slot.start..slot.start + slot.len as usize])
        });
        (slot.id, true)
    }

    /// Bits per dictionary id in the data pages.
    fn bit_width(&self) -> u8 {
        bit_width(self.entries.len().saturating_sub(1) as u64)
    }
}

impl ChunkState {
    fn new(max_def: i16, max_rep: i16) -> Self {
        ChunkState {
            // Levels are RLE-encoded in every chunk, as the parquet crate's writer records.
            encodings: BTreeSet::from([Encoding::RLE]),
            encoding_stats: Vec::new(),
            column_index: ColumnIndexBuilder::new(PhysicalType::BYTE_ARRAY),
            offset_index: OffsetIndexBuilder::new(),
            ascending: true,
            descending: true,
            last_page_bounds: None,
            min: None,
            max: None,
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
}

/// A lower bound of `value` at most `limit` bytes long (whole UTF-8 characters when
/// `utf8` and the value is UTF-8); `true` when it is shorter than `value`.
fn truncate_min(value: &[u8], limit: Option<usize>, utf8: bool) -> (Vec<u8>, bool) {
    match limit {
        Some(limit) if value.len() > limit => {
            let end = match std::str::from_utf8(value) {
                Ok(text) if utf8 => char_boundary_at_most(text, limit),
                _ => limit,
            };
            (value[..end].to_vec(), true)
        }
        _ => (value.to_vec(), false),
    }
}

/// An upper bound of `value` at most `limit` bytes long: a prefix with its last character
/// (UTF-8) or byte incremented; `value` itself when no such prefix exists.
fn truncate_max(value: &[u8], limit: Option<usize>, utf8: bool) -> (Vec<u8>, bool) {
    let Some(limit) = limit.filter(|&l| value.len() > l) else {
        return (value.to_vec(), false);
    };
    let bound = match std::str::from_utf8(value) {
        Ok(text) if utf8 => increment_utf8(&text[..char_boundary_at_most(text, limit)]),
        _ => increment_bytes(&value[..limit]),
    };
    match bound {
        Some(bound) => (bound, true),
        None => (value.to_vec(), false),
    }
}

fn char_boundary_at_most(text: &str, limit: usize) -> usize {
    (0..=limit.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// The shortest string greater than every string `prefix` starts: drop characters from
/// the end until one can be incremented.
fn increment_utf8(prefix: &str) -> Option<Vec<u8>> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next.filter(|n| n.len_utf8() == last.len_utf8()) {
            chars.push(next);
            return Some(chars.into_iter().collect::<String>().into_bytes());
        }
    }
    None
}

/// The shortest byte string greater than every string `prefix` starts.
fn increment_bytes(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = prefix.to_vec();
    while let Some(last) = bytes.pop() {
        if last < u8::MAX {
            bytes.push(last + 1);
            return Some(bytes);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
    use parquet::file::page_index::column_index::ColumnIndexMetaData;
    use parquet::file::properties::WriterPropertiesBuilder;
    use parquet::file::reader::SerializedFileReader;
    use parquet::file::writer::SerializedFileWriter;

    use super::*;
    use crate::Schema;
    use crate::column_io::{StripeReader, stripe_for, write_file};

    /// The Contact layout: a top-level optional string and two strings inside an optional
    /// list of optional structs.
    const SCHEMA: &str = "message m {
        optional binary name (STRING);
        optional group phones (LIST) { repeated group list { optional group item {
            optional binary number (STRING); optional binary kind (STRING); } } }
    }";

    fn stripe(entries: &[(i16, i16, Option<&str>)]) -> Stripe {
        let mut stripe = Stripe::new(PhysicalType::BYTE_ARRAY);
        for &(r, d, value) in entries {
            stripe.rep.push(r);
            stripe.def.push(d);
            if let (Some(v), Values::ByteArray(values)) = (value, &mut stripe.values) {
                values.push(v.as_bytes());
            }
        }
        stripe
    }

    /// `records` records: names repeat every 7th record and every 5th is null; the phone
    /// lists cycle through null, empty, a null item, and one to three phones with nulls.
    fn contact_stripes(records: usize) -> Vec<Stripe> {
        let mut name = Stripe::new(PhysicalType::BYTE_ARRAY);
        let mut number = Stripe::new(PhysicalType::BYTE_ARRAY);
        let mut kind = Stripe::new(PhysicalType::BYTE_ARRAY);
        let push = |s: &mut Stripe, r: i16, d: i16, max: i16, v: Option<String>| {
            s.rep.push(r);
            s.def.push(d);
            if let (Some(v), Values::ByteArray(values)) = (v.filter(|_| d == max), &mut s.values) {
                values.push(v.as_bytes());
            }
        };
        for i in 0..records {
            let n = (i % 5 != 0).then(|| format!("name {}", i % 7));
            push(&mut name, 0, n.is_some() as i16, 1, n);
            let (def, phones) = match i % 6 {
                0 => (0, 0), // null list
                1 => (1, 0), // empty list
                2 => (2, 1), // null item
                k => (4, k - 2),
            };
            if phones == 0 || def == 2 {
                for s in [&mut number, &mut kind] {
                    push(s, 0, def, 4, None);
                }
                continue;
            }
            for p in 0..phones {
                let r = if p == 0 { 0 } else { 1 };
                let num = format!("+91-{:010}", i * 3 + p);
                push(
                    &mut number,
                    r,
                    if (i + p) % 4 == 0 { 3 } else { 4 },
                    4,
                    Some(num),
                );
                let k = ["Mobile", "Work", "Home"][(i + p) % 3].to_string();
                push(
                    &mut kind,
                    r,
                    if (i + p) % 9 == 0 { 3 } else { 4 },
                    4,
                    Some(k),
                );
            }
        }
        vec![name, number, kind]
    }

    fn schema() -> Schema {
        Schema::parse(SCHEMA).unwrap()
    }

    /// A file written by this encoder, one row group per item.
    fn encode(props: WriterProperties, row_groups: &[Vec<Stripe>]) -> Bytes {
        let schema = schema();
        let props = Arc::new(props);
        let mut writer =
            SerializedFileWriter::new(Vec::new(), schema.message_type(), Arc::clone(&props))
                .unwrap();
        let columns = writer.schema_descr().columns().to_vec();
        let mut encoders: Vec<_> = columns
            .iter()
            .map(|c| ByteChunkEncoder::new(Arc::clone(c), &props).unwrap())
            .collect();
        for stripes in row_groups {
            let mut row_group = writer.next_row_group().unwrap();
            for (encoder, stripe) in encoders.iter_mut().zip(stripes) {
                encoder.write(stripe).unwrap();
                let chunk = encoder.finish().unwrap();
                row_group.append_column(&chunk.data, chunk.close).unwrap();
            }
            row_group.close().unwrap();
        }
        Bytes::from(writer.into_inner().unwrap())
    }

    /// The same stripes through the `parquet` crate's column writers.
    fn parquet_writer(props: WriterProperties, row_groups: &[Vec<Stripe>]) -> Bytes {
        Bytes::from(write_file(Vec::new(), &schema(), props, row_groups.to_vec()).unwrap())
    }

    fn read_back(file: &Bytes) -> Vec<Vec<Stripe>> {
        let schema = schema();
        let reader = SerializedFileReader::new(file.clone()).unwrap();
        use parquet::file::reader::FileReader;
        (0..reader.num_row_groups())
            .map(|rg| {
                (0..schema.leaves().len())
                    .map(|leaf| {
                        let mut stripe = stripe_for(&schema.leaves()[leaf]);
                        let mut column = StripeReader::open(&reader, &schema, rg, leaf).unwrap();
                        while column.read_records(1000, &mut stripe).unwrap() > 0 {}
                        stripe
                    })
                    .collect()
            })
            .collect()
    }

    fn props() -> WriterPropertiesBuilder {
        WriterProperties::builder()
    }

    #[test]
    fn contact_columns_read_back() {
        let row_groups = vec![contact_stripes(3000), contact_stripes(10)];
        let file = encode(props().build(), &row_groups);
        assert_eq!(read_back(&file), row_groups);
    }

    #[test]
    fn compressed_pages_read_back() {
        let row_groups = vec![contact_stripes(2000)];
        for compression in ["snappy", "zstd(3)", "gzip(6)", "lz4_raw", "brotli(1)"] {
            let props = props().set_compression(compression.parse().unwrap());
            let file = encode(props.build(), &row_groups);
            assert_eq!(read_back(&file), row_groups, "{compression}");
        }
    }

    #[test]
    fn same_file_as_the_parquet_column_writer() {
        // Same page cuts, dictionary fallback, statistics, histograms and page index: the
        // files are byte for byte those of the `parquet` crate's writer.
        let row_groups = vec![contact_stripes(50_000), contact_stripes(77)];
        for props in [
            props().build(),
            props().set_compression(Compression::SNAPPY).build(),
            props().set_dictionary_page_size_limit(200).build(),
            props().set_data_page_row_count_limit(100).build(),
            props().set_data_page_size_limit(1000).build(),
            props().set_dictionary_enabled(false).build(),
            props().set_offset_index_disabled(true).build(),
        ] {
            let ours = encode(props.clone(), &row_groups);
            let theirs = parquet_writer(props.clone(), &row_groups);
            assert!(ours == theirs, "{props:?}");
        }
    }

    fn chunk_meta(file: &Bytes, column: usize) -> (ColumnChunkMetaData, ColumnIndexMetaData) {
        let meta = ParquetMetaDataReader::new()
            .with_page_index_policy(PageIndexPolicy::Required)
            .parse_and_finish(file)
            .unwrap();
        let index = meta
            .page_index_for_row_group(0)
            .column_index(column)
            .unwrap()
            .clone();
        (meta.row_group(0).column(column).clone(), index)
    }

    #[test]
    fn dictionary_falls_back_to_plain() {
        let row_groups = vec![contact_stripes(5000)];
        let file = encode(
            props().set_dictionary_page_size_limit(500).build(),
            &row_groups,
        );
        let reader = SerializedFileReader::new(file.clone()).unwrap();
        use parquet::file::reader::FileReader;
        let pages = reader
            .get_row_group(0)
            .unwrap()
            .get_column_page_reader(1)
            .unwrap();
        let mut kinds: Vec<_> = pages
            .map(|page| page.map(|p| (p.page_type(), p.encoding())).unwrap())
            .collect();
        kinds.dedup();
        assert_eq!(
            kinds,
            [
                (PageType::DICTIONARY_PAGE, Encoding::PLAIN),
                (PageType::DATA_PAGE, Encoding::RLE_DICTIONARY),
                (PageType::DATA_PAGE, Encoding::PLAIN),
            ]
        );
        assert_eq!(read_back(&file), row_groups);
    }

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
    fn null_page_in_the_column_index() {
        let row_groups = vec![vec![
            stripe(&[(0, 0, None), (0, 0, None)]),
            stripe(&[(0, 4, Some("b")), (0, 4, Some("a"))]),
            stripe(&[(0, 0, None), (0, 2, None)]),
        ]];
        let props = props()
            .set_data_page_row_count_limit(1)
            .set_write_batch_size(1);
        let file = encode(props.build(), &row_groups);
        let (meta, index) = chunk_meta(&file, 1);
        let ColumnIndexMetaData::BYTE_ARRAY(index) = index else {
            panic!("{index:?}")
        };
        assert_eq!(
            [index.is_null_page(0), index.is_null_page(1)],
            [false, false]
        );
        assert_eq!(meta.statistics().unwrap().null_count_opt(), Some(0));
        let (_, index) = chunk_meta(&file, 0);
        let ColumnIndexMetaData::BYTE_ARRAY(index) = index else {
            panic!("{index:?}")
        };
        assert_eq!([index.is_null_page(0), index.is_null_page(1)], [true, true]);
        assert_eq!(read_back(&file), row_groups);
    }

    #[test]
    fn long_values_truncate_statistics() {
        let long_a = "a".repeat(70) + "é";
        let long_z = "z".repeat(100);
        let row_groups = vec![vec![
            stripe(&[(0, 1, Some(&long_a)), (0, 1, Some(&long_z))]),
            stripe(&[(0, 0, None), (0, 0, None)]),
            stripe(&[(0, 0, None), (0, 0, None)]),
        ]];
        let file = encode(props().build(), &row_groups);
        let (meta, _) = chunk_meta(&file, 0);
        let Statistics::ByteArray(stats) = meta.statistics().unwrap() else {
            panic!()
        };
        assert_eq!(stats.min_opt().unwrap().data(), "a".repeat(64).as_bytes());
        assert_eq!(
            stats.max_opt().unwrap().data(),
            ("z".repeat(63) + "{").as_bytes()
        );
        assert!(!stats.min_is_exact() && !stats.max_is_exact());
        assert_eq!(read_back(&file), row_groups);
    }

    #[test]
    fn truncated_bounds() {
        assert_eq!(
            truncate_max(b"ab\xff\xff", Some(3), false),
            (b"ac".to_vec(), true)
        );
        assert!(!truncate_max(b"\xff\xff\xff", Some(2), false).1);
        assert_eq!(
            truncate_min("aé".as_bytes(), Some(2), true),
            (b"a".to_vec(), true)
        );
        assert_eq!(
            truncate_max("aé".as_bytes(), Some(2), true),
            (b"b".to_vec(), true)
        );
        assert_eq!(
            truncate_max(b"abc", Some(3), true),
            (b"abc".to_vec(), false)
        );
    }

    fn encoder(column: usize) -> ByteChunkEncoder {
        let descr = schema().descriptor().column(column);
        ByteChunkEncoder::new(descr, &WriterProperties::default()).unwrap()
    }

    #[test]
    fn rejects_levels_above_max() {
        let err = encoder(0).write(&stripe(&[(0, 2, None)])).unwrap_err();
        assert!(err.to_string().contains("entry 0"), "{err}");
        assert!(err.to_string().contains("d = 2"), "{err}");
    }

    #[test]
    fn rejects_a_missing_value() {
        let mut s = stripe(&[(0, 1, Some("x")), (0, 0, None)]);
        s.def.push(1);
        s.rep.push(0);
        let err = encoder(0).write(&s).unwrap_err();
        assert!(
            err.to_string()
                .contains("entry 2: expected a value for every non-null entry"),
            "{err}"
        );
    }

    #[test]
    fn recycled_buffer_holds_the_next_chunk() {
        let stripes = contact_stripes(500);
        let mut encoder = encoder(1);
        encoder.write(&stripes[1]).unwrap();
        let first = encoder.finish().unwrap();
        let buffer = Vec::from(first.data);
        let (at, capacity) = (buffer.as_ptr(), buffer.capacity());
        encoder.recycle(buffer);
        encoder.write(&stripes[1]).unwrap();
        let second = encoder.finish().unwrap();
        assert_eq!(
            second.data.as_ptr(),
            at,
            "written where the first chunk was"
        );
        let again = Vec::from(second.data);
        assert_eq!(again.capacity(), capacity, "no reallocation");
    }

    #[test]
    fn compare_bytes_orders_as_slices() {
        use proptest::prelude::*;
        // Short strings over a small alphabet, so equal prefixes and lengths are common.
        let text =
            proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..40);
        proptest!(|(a in text.clone(), b in text)| {
            prop_assert_eq!(compare_bytes(&a, &b), a.cmp(&b));
            let mut longer = a.clone();
            longer.push(0);
            prop_assert_eq!(compare_bytes(&a, &longer), std::cmp::Ordering::Less);
            prop_assert_eq!(compare_bytes(&a, &a), std::cmp::Ordering::Equal);
        });
    }

    #[test]
    fn rejects_a_stripe_starting_inside_a_record() {
        let err = encoder(1).write(&stripe(&[(1, 4, Some("x"))])).unwrap_err();
        assert!(err.to_string().contains("starts a record"), "{err}");
    }

    #[test]
    fn rejects_other_physical_types() {
        let schema = parquet::schema::parser::parse_message_type("message m { required int64 x; }");
        let descr = parquet::schema::types::SchemaDescriptor::new(Arc::new(schema.unwrap()));
        let err = ByteChunkEncoder::new(descr.column(0), &WriterProperties::default()).unwrap_err();
        assert!(err.to_string().contains("column x"), "{err}");
        assert!(err.to_string().contains("INT64"), "{err}");
    }
}
