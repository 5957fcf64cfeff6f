//! A column-chunk encoder written by hand: levels, dictionary or plain values, statistics
//! and the page index, straight from a [`Stripe`]'s values.
//!
//! The `parquet` crate's column writer takes byte arrays as `ByteArray`s, one
//! reference-counted `Bytes` slice per value, and interns and compares them through those
//! handles; for short strings the handles cost more than the encoding. This encoder reads
//! each value as a `&[u8]` of its `PLAIN` bytes (a byte array's straight from
//! [`ByteValues`](crate::stripe::ByteValues)) and lays out what that writer lays out
//! (Parquet format, `parquet-format`'s `parquet.thrift`, `Encodings.md` and `PageIndex.md`:
//! data pages v1 with RLE/bit-packed levels, `RLE_DICTIONARY` values with a `PLAIN`
//! dictionary page and fallback to `PLAIN`, page statistics in the `ColumnIndex`, page
//! locations in the `OffsetIndex`, level histograms and unencoded byte counts
//! (`SizeStatistics`)), with the same policy as arrow-rs's `GenericColumnWriter`.
//!
//! The algorithm, one module per concept:
//!
//! 1. `policy`: a stripe goes in in mini-batches of whole records; after each, the page
//!    is cut when it reaches its row count or size limit, and the chunk falls back from
//!    the dictionary to `PLAIN` when the dictionary page reaches its limit. A chunk can
//!    also come in pieces ([`ChunkEncoder::append`]): the mini-batches run on from piece to
//!    piece, so the bytes are those of the whole stripe, whatever the pieces.
//! 2. `page`: a mini-batch's levels are checked, counted and RLE-encoded into the page
//!    being filled; a cut page is assembled (levels, then values), compressed and written
//!    through the crate's `SerializedPageWriter`, or held while the dictionary still grows.
//! 3. `values`: the mini-batch's values go into the page as dictionary ids
//!    (`dictionary`) or `PLAIN` bytes, widening the page's bounds; each physical type's
//!    values are read through one implementation of its `PlainValues` (`byte_array`,
//!    `fixed_width`).
//! 4. `statistics`: each cut page's bounds go into the column index and the chunk's
//!    bounds, compared in the sort order of the column's type; `chunk_metadata`: its
//!    sizes, offsets, encodings, row counts and level histograms into the chunk's metadata
//!    and offset index.
//! 5. [`ChunkEncoder::finish`] writes the dictionary page and the pages held for it,
//!    and returns the chunk's bytes and metadata. Page buffers come from and go back to a
//!    pool (`page_buffers`).
//!
//! The compression codecs are the crate's, and the finished chunk goes into a file with
//! `SerializedRowGroupWriter::append_column`, the splice arrow-rs uses for its parallel
//! writers. Only what the rest of a file needs is supported: writer version 1.0, page
//! statistics, and columns of every physical type: `BOOLEAN` (`PLAIN`, no dictionary),
//! `INT32` and `INT64` (signed, or unsigned under an unsigned integer type), `INT96`
//! (ordered as days, then nanoseconds), `FLOAT`, `DOUBLE`, `BYTE_ARRAY` and
//! `FIXED_LEN_BYTE_ARRAY` (byte-wise, or signed decimals); [`ChunkEncoder::new`] rejects
//! the rest (`FLOAT16` and `INTERVAL` values, types without a sort order, other writer
//! settings).
//!
//! ```
//! use std::sync::Arc;
//! use parquet::file::properties::WriterProperties;
//! use parquet::schema::{parser::parse_message_type, types::SchemaDescriptor};
//! use shred::chunk_encoder::ChunkEncoder;
//! use shred::stripe::{Stripe, Values};
//!
//! let schema = parse_message_type("message m { optional binary name (STRING); }").unwrap();
//! let descr = SchemaDescriptor::new(Arc::new(schema)).column(0);
//! let mut encoder = ChunkEncoder::new(descr, &WriterProperties::default()).unwrap();
//! let mut stripe = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
//! stripe.push_null(0, 0);
//! stripe.rep.push(0); stripe.def.push(1);
//! if let Values::ByteArray(v) = &mut stripe.values { v.push(b"Ada"); }
//! encoder.write(&stripe).unwrap();
//! let chunk = encoder.finish().unwrap();
//! assert_eq!(chunk.close.rows_written, 2);
//! assert_eq!(chunk.close.metadata.num_values(), 2);
//! ```

mod byte_array;
mod chunk_metadata;
mod dictionary;
mod fixed_width;
mod page;
mod page_buffers;
mod policy;
mod statistics;
#[cfg(test)]
mod tests;
mod values;

use bytes::Bytes;
use parquet::basic::{Compression, Encoding, Type as PhysicalType};
use parquet::column::page::CompressedPage;
use parquet::column::writer::ColumnCloseResult;
use parquet::compression::{Codec, CodecOptionsBuilder, create_codec};
use parquet::data_type::Int96;
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::writer::TrackedWrite;
use parquet::schema::types::ColumnDescPtr;

use crate::stripe::{Stripe, Values};
use crate::{Error, Result};
use chunk_metadata::ChunkState;
use fixed_width::{FixedValues, put_le};
use page::Levels;
use page_buffers::PageBuffers;
use policy::Limits;
use statistics::{PageStats, ValueOrder};
use values::PageValues;

/// An encoded column chunk and what `SerializedRowGroupWriter::append_column` needs of it.
#[derive(Debug)]
pub struct EncodedChunk {
    /// The chunk's pages (dictionary page first), offsets relative to the start.
    pub data: Bytes,
    /// Metadata, statistics and page index of the chunk.
    pub close: ColumnCloseResult,
}

/// Encodes the stripes of one leaf column into column chunks; reuse it from
/// row group to row group (call [`ChunkEncoder::finish`] after each).
pub struct ChunkEncoder {
    descr: ColumnDescPtr,
    limits: Limits,
    compression: Compression,
    codec: Option<Box<dyn Codec>>,
    order: ValueOrder,
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
    /// A stripe's numbers as their `PLAIN` bytes (reused buffer).
    numbers: Vec<u8>,
    /// The entries of a mini-batch that [`ChunkEncoder::append`] has begun and the next
    /// stripe (or the end of the chunk) ends.
    carry: Stripe,
}

/// Where encoding a stripe starts or stopped: an entry, and the index of the first value at
/// or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Position {
    pub(super) entry: usize,
    pub(super) value: usize,
}

impl Position {
    const START: Position = Position { entry: 0, value: 0 };
}

impl std::fmt::Debug for ChunkEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkEncoder")
            .field("column", &self.descr.path().string())
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

/// Bits needed for values up to `max`.
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

impl ChunkEncoder {
    /// An encoder for the column `descr`, following `props` (compression,
    /// dictionary, page limits, truncation lengths, offset index).
    pub fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let path = descr.path();
        let order = ValueOrder::of(&descr).map_err(|what| unsupported(&descr, what))?;
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
        let mut limits = Limits::new(props, path);
        // Booleans have no dictionary encoding (the crate's `has_dictionary_support`).
        limits.dictionary_enabled &= order.physical != PhysicalType::BOOLEAN;
        let (max_def, max_rep) = (descr.max_def_level(), descr.max_rep_level());
        let length_prefix = order.physical == PhysicalType::BYTE_ARRAY;
        Ok(ChunkEncoder {
            levels: Levels::new(max_def, max_rep),
            values: PageValues::new(
                limits.dictionary_enabled,
                length_prefix,
                order.physical == PhysicalType::BOOLEAN,
            ),
            page: PageStats::default(),
            page_number: 0,
            chunk: ChunkState::new(max_def, max_rep, order),
            sink: TrackedWrite::new(Vec::new()),
            expected_size: 0,
            held: Vec::new(),
            spare_pages: PageBuffers::default(),
            numbers: Vec::new(),
            carry: Stripe::new(order.physical),
            descr,
            limits,
            compression,
            codec,
            order,
            max_def,
            max_rep,
        })
    }

    /// Appends a stripe of whole records (its first entry starts a record). Its
    /// mini-batches start at its first entry: the chunk is the one the `parquet` crate's
    /// column writer writes when given the stripes one `write_batch` call each.
    pub fn write(&mut self, stripe: &Stripe) -> Result<()> {
        self.check_shape(stripe)?;
        self.write_carry()?;
        self.encode(stripe, Position::START, false).map(|_| ())
    }

    /// Appends a stripe of whole records as the continuation of the stripes appended
    /// before it in this chunk: the mini-batches are cut as if the stripes since the chunk
    /// began were one, so the chunk is the one [`ChunkEncoder::write`] writes from their
    /// concatenation (one `write_batch` call), without the concatenation. A stripe's last
    /// mini-batch may go on into the next stripe: its entries are kept (copied) until the
    /// next stripe or [`ChunkEncoder::finish`] ends it.
    pub fn append(&mut self, stripe: &Stripe) -> Result<()> {
        self.check_shape(stripe)?;
        let mut from = Position::START;
        if !self.carry.is_empty() {
            // The carried mini-batch ends at the first record that starts at least
            // `write_batch_size` entries after its own start.
            let entries = stripe.len();
            let at = self
                .limits
                .write_batch_size
                .saturating_sub(self.carry.len());
            if at > entries {
                self.carry.append(stripe);
                return Ok(());
            }
            let end = crate::stripe::record_end(&stripe.rep, at, entries);
            let values = stripe.values_in(0..end, self.max_def);
            if values > stripe.values.len() {
                return Err(self.levels_error(end, "a value for every non-null entry"));
            }
            self.carry.append_range(stripe, 0..end, 0..values);
            self.write_carry()?;
            from = Position {
                entry: end,
                value: values,
            };
        }
        let stop = self.encode(stripe, from, true)?;
        let rest = stop.value.min(stripe.values.len())..stripe.values.len();
        self.carry
            .append_range(stripe, stop.entry..stripe.len(), rest);
        Ok(())
    }

    /// Writes the entries kept by [`ChunkEncoder::append`] as the mini-batch they end.
    fn write_carry(&mut self) -> Result<()> {
        if self.carry.is_empty() {
            return Ok(());
        }
        // Held out of `self` while it is encoded; the BOOLEAN stripe in its place allocates
        // nothing.
        let mut carry = std::mem::replace(&mut self.carry, Stripe::new(PhysicalType::BOOLEAN));
        let written = self.encode(&carry, Position::START, false);
        carry.clear();
        self.carry = carry;
        written.map(|_| ())
    }

    /// Checks that `stripe` has a definition level per repetition level and starts a
    /// record.
    fn check_shape(&self, stripe: &Stripe) -> Result<()> {
        if stripe.rep.len() != stripe.def.len() {
            return Err(self.levels_error(0, "as many repetition as definition levels"));
        }
        if self.max_rep > 0 && stripe.rep.first().is_some_and(|&r| r != 0) {
            return Err(self.levels_error(0, "a stripe that starts a record (r = 0)"));
        }
        Ok(())
    }

    /// Encodes `stripe` from `from` mini-batch by mini-batch. `open`: more stripes follow
    /// in the same mini-batch sequence, so it stops before a last mini-batch whose end
    /// lies beyond the stripe and returns where; otherwise it writes every entry, checks
    /// that the levels define as many values as there are, and returns the end.
    /// The stripe's shape has been checked ([`ChunkEncoder::check_shape`]).
    fn encode(&mut self, stripe: &Stripe, from: Position, open: bool) -> Result<Position> {
        let entries = stripe.def.len();
        let (stop, values) = match (&stripe.values, self.order.physical) {
            (Values::ByteArray(values), PhysicalType::BYTE_ARRAY) => (
                self.write_batches(stripe, values, from, open)?,
                values.len(),
            ),
            (Values::FixedLenByteArray(values), PhysicalType::FIXED_LEN_BYTE_ARRAY) => {
                let width = self.descr.type_length().max(0) as usize;
                if let Some(i) = (0..values.len()).find(|&i| values.get(i).len() != width) {
                    return Err(Error::Input {
                        message: format!(
                            "column {}: value {i} is {} bytes long, not the {width} bytes of its type",
                            self.descr.path().string(),
                            values.get(i).len()
                        ),
                    });
                }
                let data = &values.data[values.offsets[0]..values.offsets[values.len()]];
                let fixed = FixedValues::byte_arrays(data, width);
                (
                    self.write_batches(stripe, &fixed, from, open)?,
                    values.len(),
                )
            }
            (Values::Boolean(v), PhysicalType::BOOLEAN) => {
                self.write_numbers(stripe, v, |b| [u8::from(b)], from, open)?
            }
            (Values::Int32(v), PhysicalType::INT32) => {
                self.write_numbers(stripe, v, i32::to_le_bytes, from, open)?
            }
            (Values::Int64(v), PhysicalType::INT64) => {
                self.write_numbers(stripe, v, i64::to_le_bytes, from, open)?
            }
            (Values::Float(v), PhysicalType::FLOAT) => {
                self.write_numbers(stripe, v, f32::to_le_bytes, from, open)?
            }
            (Values::Int96(v), PhysicalType::INT96) => self.write_numbers(
                stripe,
                v,
                |v: Int96| {
                    let mut bytes = [0; 12];
                    for (word, out) in v.data().iter().zip(bytes.chunks_mut(4)) {
                        out.copy_from_slice(&word.to_le_bytes());
                    }
                    bytes
                },
                from,
                open,
            )?,
            (Values::Double(v), PhysicalType::DOUBLE) => {
                self.write_numbers(stripe, v, f64::to_le_bytes, from, open)?
            }
            (_, physical) => {
                return Err(unsupported(
                    &self.descr,
                    format!("a stripe of other values than {physical}"),
                ));
            }
        };
        if !open && stop.value != values {
            return Err(self.levels_error(
                entries,
                format!(
                    "{values} values for {} entries at the maximum definition level",
                    stop.value
                ),
            ));
        }
        Ok(stop)
    }

    /// Writes `stripe` from `from` as [`ChunkEncoder::encode`] does, its values being the
    /// numbers `values`, laid out `PLAIN` first; returns where it stopped and the number of
    /// values the stripe has.
    fn write_numbers<const N: usize, T: Copy>(
        &mut self,
        stripe: &Stripe,
        values: &[T],
        to_le: impl Fn(T) -> [u8; N],
        from: Position,
        open: bool,
    ) -> Result<(Position, usize)> {
        let mut numbers = std::mem::take(&mut self.numbers);
        numbers.clear();
        put_le(values, to_le, &mut numbers);
        let written = self.write_batches(stripe, &FixedValues::numbers(&numbers, N), from, open);
        self.numbers = numbers;
        Ok((written?, values.len()))
    }

    /// Ends the column chunk: writes what is pending and returns the chunk's bytes and
    /// metadata. The encoder is ready for the next chunk.
    pub fn finish(&mut self) -> Result<EncodedChunk> {
        self.write_carry()?;
        if self.page.entries > 0 {
            self.flush_page()?;
        }
        self.write_dictionary()?;
        // The next chunk starts empty; its buffer is sized after this one's on first use,
        // unless a buffer is recycled before.
        let written = self.sink.bytes_written();
        self.expected_size = written + written / 8;
        let sink = std::mem::replace(&mut self.sink, TrackedWrite::new(Vec::new()));
        let next = ChunkState::new(self.max_def, self.max_rep, self.order);
        let chunk = std::mem::replace(&mut self.chunk, next);
        self.values.next_chunk(self.limits.dictionary_enabled);
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
