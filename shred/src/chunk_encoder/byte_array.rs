//! Byte-array values: how the page being filled holds them (dictionary ids or `PLAIN`
//! bytes), their `PLAIN` size, and their byte-wise order.
//!
//! `PLAIN` `BYTE_ARRAY` (Parquet `Encodings.md`) is each value's length as a 4-byte
//! little-endian integer, then its bytes. Values are read as `&[u8]` slices of a stripe's
//! [`ByteValues`] (one flat buffer and its offsets), never as per-value handles.

use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::ops::Range;

use parquet::basic::Encoding;
use parquet::encodings::rle::RleEncoder;

use super::ByteChunkEncoder;
use super::dictionary::Dictionary;
use crate::rle_hybrid::RleHybridEncoder;
use crate::stripe::ByteValues;

/// The values of the page being filled: dictionary indices until the chunk falls back to
/// plain, then `PLAIN` bytes.
pub(super) struct PageValues {
    pub(super) dictionary: Option<Dictionary>,
    indices: Vec<u64>,
    plain: Vec<u8>,
}

impl PageValues {
    /// Empty values, dictionary-encoded when `dictionary`.
    pub(super) fn new(dictionary: bool) -> Self {
        PageValues {
            dictionary: dictionary.then(Dictionary::new),
            indices: Vec::new(),
            plain: Vec::new(),
        }
    }

    /// The encoded size of the values so far, as the page size limit counts it (for
    /// dictionary ids, the bound of their RLE/bit-packed size).
    pub(super) fn encoded_size(&self) -> usize {
        match &self.dictionary {
            Some(dictionary) => {
                RleEncoder::max_buffer_size(dictionary.bit_width(), self.indices.len())
            }
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
                buf.extend_from_slice(&self.plain);
                self.plain.clear();
                (buf, Encoding::PLAIN)
            }
        }
    }
}

/// The `PLAIN` size of values `range` of `values`: 4 bytes of length and the bytes of each.
#[inline]
pub(super) fn plain_size(values: &ByteValues, range: Range<usize>) -> usize {
    values.offsets[range.end] - values.offsets[range.start] + 4 * range.len()
}

impl ByteChunkEncoder {
    /// Encodes values `range` of `values` into the current page: dictionary ids or `PLAIN`
    /// bytes, and the page's bounds.
    pub(super) fn put_values(&mut self, values: &ByteValues, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let offsets = &values.offsets[range.start..=range.end];
        let value = |i: usize| &values.data[offsets[i]..offsets[i + 1]];
        let page = &mut self.page;
        page.unencoded_bytes += (offsets[range.len()] - offsets[0]) as i64;
        if page.values == 0 {
            page.first_value(value(0));
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
}

/// Byte-wise order of two byte strings (`a.cmp(b)`), a word at a time for short ones.
///
/// Page bounds and dictionary lookups compare one or two short strings per value, and
/// through `memcmp` those calls cost an eighth of the encoder's time. Big-endian words
/// order as their bytes do, and once a prefix is known equal, the last word of the common
/// length may overlap it.
#[inline]
pub(super) fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn plain_size_counts_lengths_and_bytes() {
        let mut values = ByteValues::default();
        for v in [&b"ab"[..], b"", b"xyz"] {
            values.push(v);
        }
        assert_eq!(plain_size(&values, 0..3), 4 * 3 + 5);
        assert_eq!(plain_size(&values, 1..2), 4);
        assert_eq!(plain_size(&values, 3..3), 0);
    }
}
