//! A BYTE_ARRAY column chunk decoded page by page straight into stripes, for the encodings
//! most writers use.
//!
//! The `parquet` crate's column reader hands byte-array values out as `ByteArray`s, each a
//! reference-counted slice of its page (or a clone of a dictionary entry), which a stripe
//! then copies; counting those references up and down cost more than the copy.
//! [`ChunkDecoder`] reads the same pages (the crate's page reader: page headers,
//! decompression) and decodes them itself, as the Parquet format specifies (Encodings.md,
//! "Data Pages"):
//!
//! - levels: a v1 page's repetition then definition levels, each RLE/bit-packed hybrid
//!   (decoded by the `parquet` crate's `RleDecoder`) behind a 4-byte length; a v2 page's, without the length, their byte lengths
//!   in the page header; none for a column whose maximum level is 0 (then every level is
//!   0);
//! - values, one per entry at the maximum definition level: PLAIN (a 4-byte length, then
//!   the bytes) or dictionary ids (`PLAIN_DICTIONARY`/`RLE_DICTIONARY`: a bit width byte,
//!   then hybrid runs) into the chunk's dictionary page (PLAIN values).
//!
//! Pages come as stored, with the codec that decompresses them ([`StoredPages`]), or
//! decompressed by the crate's page reader. Writers fall back from dictionary to PLAIN
//! once per chunk, when the dictionary grows too large, so the dictionary is dropped at the
//! first PLAIN data page, before that page is decompressed: a dictionary of 1 GiB is not
//! kept beside a PLAIN page of 1 GiB; dictionary ids after that are declined.
//!
//! A page is decoded whole when it is reached (its levels and dictionary ids; PLAIN values
//! and the dictionary stay in their pages, found by offset); [`ChunkDecoder::read_records`]
//! then appends whole records (a record starts at `r = 0`, Dremel §4.1) to a stripe, the
//! values copied once, from the page or the dictionary, into the stripe's flat storage.
//! Anything else (another encoding, BIT_PACKED levels, a page that does not add up, a
//! level above the column's maximum, a chunk that does not start with `r = 0`) is declined
//! ([`Declined`]): the caller reads the chunk with the crate's column reader instead
//! ([`crate::column_io::StripeReader`] does, from the record where this decoder stopped),
//! so every file reads as the crate reads it, and every error is the crate's.

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::encodings::rle::RleDecoder;
use parquet::util::bit_util::BitPacking;

use crate::page_decompressor::PageDecompressor;
use crate::stripe::{Stripe, Values};

/// Why [`ChunkDecoder`] stopped: something it does not decode, or an error the crate's
/// reader will report in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declined {
    /// What was declined, for tests and debugging.
    pub reason: String,
}

fn declined(reason: impl Into<String>) -> Declined {
    Declined {
        reason: reason.into(),
    }
}

/// A column chunk's pages.
pub struct StoredPages {
    /// The pages in order.
    pub pages: Box<dyn PageReader>,
    /// What decompresses their data (a v2 page's past its levels, when the page says it
    /// is compressed); `None` when the pages come decompressed.
    pub decompressor: Option<PageDecompressor>,
}

impl From<Box<dyn PageReader>> for StoredPages {
    /// Pages the reader hands out decompressed.
    fn from(pages: Box<dyn PageReader>) -> Self {
        StoredPages {
            pages,
            decompressor: None,
        }
    }
}

/// A BYTE_ARRAY column chunk being decoded into stripes.
pub struct ChunkDecoder {
    pages: StoredPages,
    max_rep: i16,
    max_def: i16,
    /// The chunk's dictionary, once its page is read, until the chunk falls back to PLAIN.
    dictionary: Option<PlainValues>,
    /// Whether a PLAIN data page followed the dictionary, which was then dropped.
    fell_back: bool,
    /// The current page, decoded.
    page: DecodedPage,
    /// Whether an entry of the chunk has been handed out (the first must have `r = 0`).
    started: bool,
    /// Whether the last record handed out may go on in the next page (its end is only
    /// known at the next `r = 0` or at the end of the chunk).
    open: bool,
}

/// One data page's entries, decoded.
#[derive(Default)]
struct DecodedPage {
    rep: Vec<i16>,
    def: Vec<i16>,
    /// The next entry to hand out.
    next: usize,
    values: PageValues,
    /// The next value to hand out.
    next_value: usize,
}

/// Where a page's values are.
#[derive(Default)]
enum PageValues {
    #[default]
    None,
    /// PLAIN values.
    Plain(PlainValues),
    /// Dictionary ids.
    Ids(Vec<u32>),
}

/// PLAIN byte-array values (a 4-byte length, then the bytes) left in their page: value
/// `i` is `buf[starts[i]..starts[i] + lens[i]]`.
struct PlainValues {
    buf: Bytes,
    starts: Vec<u32>,
    lens: Vec<u32>,
}

impl PlainValues {
    /// The `n` values at the start of `buf`.
    fn parse(buf: Bytes, n: usize) -> Result<Self, Declined> {
        let mut starts = Vec::with_capacity(n);
        let mut lens = Vec::with_capacity(n);
        let mut pos = 0;
        for _ in 0..n {
            let len = buf
                .get(pos..pos + 4)
                .ok_or_else(|| declined("PLAIN values end early"))?;
            let len = u32::from_le_bytes(len.try_into().expect("4"));
            let start = pos + 4;
            if len as usize > buf.len() - start {
                return Err(declined("a PLAIN value past the page"));
            }
            starts.push(u32::try_from(start).map_err(|_| declined("a page past 4 GiB"))?);
            lens.push(len);
            pos = start + len as usize;
        }
        Ok(PlainValues { buf, starts, lens })
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    #[inline]
    fn get(&self, i: usize) -> &[u8] {
        let start = self.starts[i] as usize;
        &self.buf[start..start + self.lens[i] as usize]
    }
}

impl ChunkDecoder {
    /// A decoder of the pages of a BYTE_ARRAY column chunk whose maximum levels are
    /// `max_rep` and `max_def`.
    pub fn new(pages: StoredPages, max_rep: i16, max_def: i16) -> Self {
        ChunkDecoder {
            pages,
            max_rep,
            max_def,
            dictionary: None,
            fell_back: false,
            page: DecodedPage::default(),
            started: false,
            open: false,
        }
    }

    /// Appends up to `max_records` whole records to `stripe` (its values when
    /// `with_values`); returns how many (0 at the end of the chunk). When declined, the
    /// stripe may hold part of this call's entries: the caller drops them.
    pub fn read_records(
        &mut self,
        max_records: usize,
        stripe: &mut Stripe,
        with_values: bool,
    ) -> Result<usize, Declined> {
        let mut records = 0;
        while records < max_records {
            if self.page.next == self.page.rep.len() {
                if !self.next_page()? {
                    // The end of the chunk ends the open record.
                    if self.open {
                        records += 1;
                        self.open = false;
                    }
                    break;
                }
                continue;
            }
            let start = self.page.next;
            let rep = &self.page.rep;
            let mut end = start;
            if self.max_rep == 0 {
                // Every entry is a record.
                end = rep.len().min(start + (max_records - records));
                records += end - start;
            } else {
                while end < rep.len() {
                    if rep[end] == 0 {
                        if self.open {
                            records += 1;
                            self.open = false;
                            if records == max_records {
                                break;
                            }
                        }
                        self.open = true;
                    }
                    end += 1;
                }
            }
            if !self.started && start < end {
                if rep[start] != 0 {
                    return Err(declined("the chunk does not start with r = 0"));
                }
                self.started = true;
            }
            self.hand_out(start, end, stripe, with_values);
        }
        Ok(records)
    }

    /// Appends the current page's entries `start..end` and their values to `stripe`.
    fn hand_out(&mut self, start: usize, end: usize, stripe: &mut Stripe, with_values: bool) {
        let page = &mut self.page;
        stripe.rep.extend_from_slice(&page.rep[start..end]);
        stripe.def.extend_from_slice(&page.def[start..end]);
        let max_def = self.max_def;
        let values = page.def[start..end]
            .iter()
            .filter(|&&d| d == max_def)
            .count();
        let range = page.next_value..page.next_value + values;
        page.next = end;
        page.next_value = range.end;
        if !with_values {
            return;
        }
        let Values::ByteArray(out) = &mut stripe.values else {
            unreachable!("a BYTE_ARRAY column's stripe holds byte arrays");
        };
        match &page.values {
            PageValues::None => {}
            PageValues::Plain(values) => {
                for i in range {
                    out.push(values.get(i));
                }
            }
            PageValues::Ids(ids) => {
                let dictionary = self.dictionary.as_ref().expect("ids were checked");
                for &id in &ids[range] {
                    out.push(dictionary.get(id as usize));
                }
            }
        }
    }

    /// Reads pages up to the next data page with entries and decodes it; `false` at the
    /// end of the chunk.
    fn next_page(&mut self) -> Result<bool, Declined> {
        // The current page is handed out: its values go before the next page takes memory.
        self.page.values = PageValues::None;
        loop {
            let page = self
                .pages
                .pages
                .get_next_page()
                .map_err(|e| declined(e.to_string()))?;
            match page {
                None => return Ok(false),
                Some(Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding,
                    ..
                }) => {
                    if self.dictionary.is_some() || self.fell_back {
                        return Err(declined("a second dictionary page"));
                    }
                    if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                        return Err(declined(format!("a {encoding} dictionary page")));
                    }
                    let buf = self.decompress(buf)?;
                    self.dictionary = Some(PlainValues::parse(buf, num_values as usize)?);
                }
                Some(Page::DataPage {
                    buf,
                    num_values,
                    encoding,
                    def_level_encoding,
                    rep_level_encoding,
                    ..
                }) => {
                    self.fall_back_at(encoding);
                    let buf = self.decompress(buf)?;
                    let n = num_values as usize;
                    let mut offset = 0;
                    let mut v1_levels = |max: i16, encoding: Encoding, out: &mut Vec<i16>| {
                        if max == 0 {
                            out.resize(n, 0);
                            return Ok(());
                        }
                        if encoding != Encoding::RLE {
                            return Err(declined(format!("{encoding} levels")));
                        }
                        let len = buf
                            .get(offset..offset + 4)
                            .ok_or_else(|| declined("levels"))?;
                        let len = u32::from_le_bytes(len.try_into().expect("4")) as usize;
                        if len > buf.len() - (offset + 4) {
                            return Err(declined("levels past the page"));
                        }
                        let runs = buf.slice(offset + 4..offset + 4 + len);
                        offset += 4 + len;
                        read_levels(runs, max, n, out)
                    };
                    let (mut rep, mut def) = self.level_buffers();
                    v1_levels(self.max_rep, rep_level_encoding, &mut rep)?;
                    v1_levels(self.max_def, def_level_encoding, &mut def)?;
                    self.set_page(rep, def, encoding, buf.slice(offset..), None)?;
                }
                Some(Page::DataPageV2 {
                    buf,
                    num_values,
                    encoding,
                    num_nulls,
                    def_levels_byte_len,
                    rep_levels_byte_len,
                    is_compressed,
                    ..
                }) => {
                    let n = num_values as usize;
                    let rep_len = rep_levels_byte_len as usize;
                    let def_end = rep_len + def_levels_byte_len as usize;
                    if def_end > buf.len() || num_nulls > num_values {
                        return Err(declined("a v2 page whose header does not add up"));
                    }
                    let (mut rep, mut def) = self.level_buffers();
                    let v2_levels = |max: i16, runs: Bytes, out: &mut Vec<i16>| {
                        if max == 0 {
                            out.resize(n, 0);
                            Ok(())
                        } else {
                            read_levels(runs, max, n, out)
                        }
                    };
                    v2_levels(self.max_rep, buf.slice(..rep_len), &mut rep)?;
                    v2_levels(self.max_def, buf.slice(rep_len..def_end), &mut def)?;
                    let values = (num_values - num_nulls) as usize;
                    self.fall_back_at(encoding);
                    let mut data = buf.slice(def_end..);
                    if is_compressed {
                        data = self.decompress(data)?;
                    }
                    self.set_page(rep, def, encoding, data, Some(values))?;
                }
            }
            if !self.page.rep.is_empty() {
                return Ok(true);
            }
        }
    }

    /// Drops the dictionary at a PLAIN data page (of `encoding`), before the page's
    /// values are decompressed.
    fn fall_back_at(&mut self, encoding: Encoding) {
        if encoding == Encoding::PLAIN && self.dictionary.take().is_some() {
            self.fell_back = true;
        }
    }

    /// `stored` decompressed (as is when the pages come decompressed).
    fn decompress(&mut self, stored: Bytes) -> Result<Bytes, Declined> {
        let Some(decompressor) = self.pages.decompressor.as_mut() else {
            return Ok(stored);
        };
        decompressor
            .decompress(&stored)
            .map(Bytes::from)
            .map_err(|e| declined(format!("decompressing a page: {e}")))
    }

    /// The current page's level buffers, emptied, to decode the next page into.
    fn level_buffers(&mut self) -> (Vec<i16>, Vec<i16>) {
        let mut rep = std::mem::take(&mut self.page.rep);
        let mut def = std::mem::take(&mut self.page.def);
        rep.clear();
        def.clear();
        (rep, def)
    }

    /// Makes the page of levels `rep` and `def` and values `data` (in `encoding`) current;
    /// a v2 page's header says how many values it has (`values`).
    fn set_page(
        &mut self,
        rep: Vec<i16>,
        def: Vec<i16>,
        encoding: Encoding,
        data: Bytes,
        values: Option<usize>,
    ) -> Result<(), Declined> {
        let max_def = self.max_def;
        if rep.iter().any(|&r| r < 0 || r > self.max_rep)
            || def.iter().any(|&d| d < 0 || d > max_def)
        {
            return Err(declined("a level above the column's maximum"));
        }
        let defined = def.iter().filter(|&&d| d == max_def).count();
        if values.is_some_and(|v| v != defined) {
            return Err(declined(
                "the v2 header's null count disagrees with the levels",
            ));
        }
        let values = match encoding {
            _ if defined == 0 => PageValues::None,
            Encoding::PLAIN => PageValues::Plain(PlainValues::parse(data, defined)?),
            Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                if self.fell_back {
                    return Err(declined(
                        "dictionary ids after the chunk fell back to PLAIN",
                    ));
                }
                let dictionary = self
                    .dictionary
                    .as_ref()
                    .ok_or_else(|| declined("dictionary ids without a dictionary"))?;
                let &width = data.first().ok_or_else(|| declined("no ids"))?;
                let mut ids = Vec::new();
                read_runs(data.slice(1..), width, defined, &mut ids)?;
                if ids.iter().any(|&id| id as usize >= dictionary.len()) {
                    return Err(declined("an id past the dictionary"));
                }
                PageValues::Ids(ids)
            }
            other => return Err(declined(format!("{other} values"))),
        };
        self.page = DecodedPage {
            rep,
            def,
            next: 0,
            values,
            next_value: 0,
        };
        Ok(())
    }
}

/// Decodes `n` levels of a column whose maximum level is `max` from hybrid `runs`.
fn read_levels(runs: Bytes, max: i16, n: usize, out: &mut Vec<i16>) -> Result<(), Declined> {
    let width = (16 - (max as u16).leading_zeros()) as u8;
    read_runs(runs, width, n, out)
}

/// Decodes `n` values of `width` bits from hybrid `runs` into `out` (emptied first), with
/// the `parquet` crate's decoder.
fn read_runs<T: BitPacking + Clone + Default>(
    runs: Bytes,
    width: u8,
    n: usize,
    out: &mut Vec<T>,
) -> Result<(), Declined> {
    if width > 32 {
        return Err(declined(format!("runs of {width}-bit values")));
    }
    out.clear();
    out.resize(n, T::default());
    let mut decoder = RleDecoder::new(width);
    let read = decoder
        .set_data(runs)
        .and_then(|()| decoder.get_batch(out))
        .map_err(|e| declined(format!("runs: {e}")))?;
    if read < n {
        return Err(declined("runs end before the page's entries"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
