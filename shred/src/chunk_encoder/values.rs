//! The values of the page being filled, whatever their physical type: dictionary ids until
//! the chunk falls back to `PLAIN`, then `PLAIN` bytes, and the page's bounds.
//!
//! A type's values are read through [`PlainValues`], one implementation per kind of value
//! (`byte_array`, `fixed_width`): each value as the bytes of its `PLAIN` encoding (a byte
//! array's without its length prefix, `Encodings.md`), which are also its dictionary key,
//! as the `parquet` crate's interner hashes and compares a value's `as_bytes()` (so two
//! NaNs with the same bits are one entry, and `-0.0` and `+0.0` two).

use std::ops::Range;

use parquet::basic::Encoding;
use parquet::encodings::rle::RleEncoder;

use super::ChunkEncoder;
use super::dictionary::Dictionary;
use crate::rle_hybrid::RleHybridEncoder;

/// A stripe's values of one physical type, read by index.
pub(super) trait PlainValues {
    /// Number of values.
    fn len(&self) -> usize;
    /// Value `i` as its `PLAIN` bytes (without a byte array's length prefix).
    fn value(&self, i: usize) -> &[u8];
    /// The `PLAIN` size of values `range`.
    fn plain_size(&self, range: Range<usize>) -> usize;
    /// Appends values `range`, `PLAIN`-encoded, to `out`.
    fn put_plain(&self, range: Range<usize>, out: &mut Vec<u8>);
    /// The bytes of values `range` less their lengths, for `SizeStatistics`: byte arrays
    /// only (`None` for other types).
    fn unencoded_bytes(&self, range: Range<usize>) -> Option<i64>;
    /// How many of values `range` go in a mini-batch of at most `budget` `PLAIN` bytes, as
    /// the crate's `count_values_within_byte_budget` counts them (`range.len()` when all
    /// fit).
    fn count_within_budget(&self, range: Range<usize>, budget: usize) -> usize;
    /// The `PLAIN` size of every value, for types whose values all have one.
    fn fixed_width(&self) -> Option<usize>;
}

/// The values of the page being filled: dictionary indices until the chunk falls back to
/// plain, then `PLAIN` bytes.
pub(super) struct PageValues {
    pub(super) dictionary: Option<Dictionary>,
    /// A dictionary the chunk fell back from, kept for the next chunk's.
    spare_dictionary: Option<Dictionary>,
    indices: Vec<u64>,
    pub(super) plain: Vec<u8>,
    /// Whether dictionary entries are written with a length (byte arrays).
    length_prefix: bool,
    /// Whether `plain` holds one byte (0 or 1) per value, bit-packed when the page is cut
    /// (booleans, whose `PLAIN` encoding is a bit per value, least significant first).
    bit_packed: bool,
}

impl PageValues {
    /// Empty values, dictionary-encoded when `dictionary`; dictionary entries have a length
    /// prefix when `length_prefix`; values are bits when `bit_packed`.
    pub(super) fn new(dictionary: bool, length_prefix: bool, bit_packed: bool) -> Self {
        PageValues {
            dictionary: dictionary.then(|| Dictionary::new(length_prefix)),
            spare_dictionary: None,
            indices: Vec::new(),
            plain: Vec::new(),
            length_prefix,
            bit_packed,
        }
    }

    /// Starts the next chunk: an empty dictionary when `dictionary`, the last chunk's
    /// emptied (its table and buffers already sized for a chunk of the column).
    pub(super) fn next_chunk(&mut self, dictionary: bool) {
        let last = self
            .dictionary
            .take()
            .or_else(|| self.spare_dictionary.take());
        self.dictionary = dictionary.then(|| match last {
            Some(mut last) => {
                last.clear();
                last
            }
            None => Dictionary::new(self.length_prefix),
        });
    }

    /// Ends the chunk's dictionary encoding: the rest of the chunk is `PLAIN`.
    pub(super) fn fall_back(&mut self) {
        self.spare_dictionary = self.dictionary.take();
    }

    /// The encoded size of the values so far, as the page size limit counts it (for
    /// dictionary ids, the bound of their RLE/bit-packed size).
    pub(super) fn encoded_size(&self) -> usize {
        match &self.dictionary {
            Some(dictionary) => {
                RleEncoder::max_buffer_size(dictionary.bit_width(), self.indices.len())
            }
            None if self.bit_packed => self.plain.len().div_ceil(8),
            None => self.plain.len(),
        }
    }

    /// Appends the page's values section to `buf` (whose buffer it may take over) and
    /// clears the values for the next page; returns the section and its encoding.
    pub(super) fn put_page(&mut self, mut buf: Vec<u8>) -> (Vec<u8>, Encoding) {
        match &self.dictionary {
            Some(dictionary) => {
                let width = dictionary.bit_width();
                buf.push(width);
                let mut ids = RleHybridEncoder::with_buffer(width, buf);
                ids.put_values(&self.indices);
                self.indices.clear();
                (ids.into_bytes(), Encoding::RLE_DICTIONARY)
            }
            None => {
                if self.bit_packed {
                    buf.extend(self.plain.chunks(8).map(|bits| {
                        (bits.iter().enumerate()).fold(0u8, |byte, (i, &bit)| byte | (bit << i))
                    }));
                } else {
                    buf.extend_from_slice(&self.plain);
                }
                self.plain.clear();
                (buf, Encoding::PLAIN)
            }
        }
    }
}

impl ChunkEncoder {
    /// Encodes values `range` of `values` into the current page: dictionary ids or `PLAIN`
    /// bytes, and the page's bounds and counts.
    #[inline]
    pub(super) fn put_values<V: PlainValues>(&mut self, values: &V, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let order = self.order;
        let page = &mut self.page;
        if let Some(bytes) = values.unencoded_bytes(range.clone()) {
            page.unencoded_bytes += bytes;
        }
        if order.has_nans() {
            let nans = range.clone().filter(|&i| order.is_nan(values.value(i)));
            page.nans += nans.count() as u64;
        }
        if page.values == 0 {
            page.first_value(values.value(range.start));
        }
        page.values += range.len();
        match &mut self.values.dictionary {
            Some(dictionary) => {
                // Hashes first, in a loop of their own: the lookups that follow wait on
                // memory (table, entry), and short iterations let more of them overlap.
                let mut hashes = std::mem::take(&mut dictionary.hashes);
                hashes.clear();
                hashes.extend(range.clone().map(|i| dictionary.hash(values.value(i))));
                for (i, &hash) in range.zip(hashes.iter()) {
                    let bytes = values.value(i);
                    let (id, new_in_page) = dictionary.intern(bytes, hash, self.page_number);
                    self.values.indices.push(u64::from(id));
                    // A dictionary value seen before in this page cannot move its bounds.
                    if new_in_page {
                        page.widen(bytes, order);
                    }
                }
                dictionary.hashes = hashes;
            }
            None => {
                values.put_plain(range.clone(), &mut self.values.plain);
                for i in range {
                    page.widen(values.value(i), order);
                }
            }
        }
    }
}
