//! The data page being filled: its levels, RLE-encoded as entries come, and how the page
//! is cut, compressed and written into the chunk.
//!
//! A v1 data page (Parquet `DataPageHeader`) holds the repetition levels, then the
//! definition levels, each a 4-byte little-endian length followed by RLE/bit-packed runs
//! (`Encodings.md`, omitted when the column's maximum level is 0), then the values.
//! Dictionary-encoded pages are held back until the dictionary is final, because the
//! dictionary page comes first in the chunk. Page headers are serialized by the `parquet`
//! crate's `SerializedPageWriter`.

use std::ops::Range;

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::page::{CompressedPage, Page, PageWriteSpec, PageWriter};
use parquet::file::writer::SerializedPageWriter;

use super::values::PlainValues;
use super::{ChunkEncoder, bit_width};
use crate::rle_hybrid::RleHybridEncoder;
use crate::stripe::Stripe;
use crate::{Error, Result};

/// The repetition and definition levels of the page being filled, RLE-encoded as they come,
/// and how often each level occurs (the page's level histograms).
pub(super) struct Levels {
    rep: RleHybridEncoder,
    def: RleHybridEncoder,
    pub(super) rep_histogram: Vec<i64>,
    pub(super) def_histogram: Vec<i64>,
}

impl Levels {
    /// Empty levels of a column with these maximum levels.
    pub(super) fn new(max_def: i16, max_rep: i16) -> Self {
        Levels {
            rep: RleHybridEncoder::new(bit_width(max_rep as u64)),
            def: RleHybridEncoder::new(bit_width(max_def as u64)),
            rep_histogram: vec![0; max_rep as usize + 1],
            def_histogram: vec![0; max_def as usize + 1],
        }
    }
}

impl ChunkEncoder {
    /// Encodes entries `range` of `stripe` into the current page; `value` is the index of the
    /// first value they hold; returns the index after the last.
    ///
    /// Two passes: the levels (checked, counted, RLE-encoded), then the values they define,
    /// which are contiguous in the stripe, so the value loop neither branches on levels nor
    /// on the page's encoding.
    pub(super) fn write_entries<V: PlainValues>(
        &mut self,
        stripe: &Stripe,
        values: &V,
        range: Range<usize>,
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

    /// Cuts the current page: encodes it, records its statistics and index entries, and
    /// writes it (or holds it while the dictionary is still growing).
    pub(super) fn flush_page(&mut self) -> Result<()> {
        let mut buf = self.spare_pages.take();
        if self.max_rep > 0 {
            push_levels(&mut buf, &mut self.levels.rep);
        }
        if self.max_def > 0 {
            push_levels(&mut buf, &mut self.levels.def);
        }
        let (buf, encoding) = self.values.put_page(buf);
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
        self.page.clear();
        Ok(())
    }

    /// The page body `buf` compressed with the column's codec (as is without one); `buf`
    /// goes back to the pool.
    pub(super) fn compress(&mut self, buf: Vec<u8>) -> Result<Bytes> {
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

    /// Writes a page (header and body) into the chunk's sink and records it in the chunk's
    /// metadata; its buffer goes back to the pool.
    pub(super) fn write_page(&mut self, page: CompressedPage) -> Result<()> {
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
        self.chunk.page_written(page_type, encoding, &spec);
        Ok(())
    }
}

/// Appends a v1 level block: a 4-byte little-endian length, then the RLE/bit-packed runs.
fn push_levels(buf: &mut Vec<u8>, levels: &mut RleHybridEncoder) {
    let encoded = levels.finish();
    buf.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
    buf.extend_from_slice(encoded);
    levels.clear();
}
