//! Byte-array values: their `PLAIN` encoding and size, and their unencoded byte counts
//! (their byte-wise order is [`crate::short_bytes::cmp`]).
//!
//! `PLAIN` `BYTE_ARRAY` (Parquet `Encodings.md`) is each value's length as a 4-byte
//! little-endian integer, then its bytes. Values are read as `&[u8]` slices of a stripe's
//! [`ByteValues`] (one flat buffer and its offsets), never as per-value handles.

use std::ops::Range;

use super::values::PlainValues;
use crate::stripe::ByteValues;

/// The `PLAIN` size of values `range` of `values`: 4 bytes of length and the bytes of each.
#[inline]
pub(super) fn plain_size(values: &ByteValues, range: Range<usize>) -> usize {
    values.offsets[range.end] - values.offsets[range.start] + 4 * range.len()
}

impl PlainValues for ByteValues {
    #[inline]
    fn len(&self) -> usize {
        ByteValues::len(self)
    }

    #[inline]
    fn value(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }

    #[inline]
    fn plain_size(&self, range: Range<usize>) -> usize {
        plain_size(self, range)
    }

    fn put_plain(&self, range: Range<usize>, out: &mut Vec<u8>) {
        out.reserve(plain_size(self, range.clone()));
        for i in range {
            let bytes = self.value(i);
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        }
    }

    #[inline]
    fn unencoded_bytes(&self, range: Range<usize>) -> Option<i64> {
        Some((self.offsets[range.end] - self.offsets[range.start]) as i64)
    }

    fn count_within_budget(&self, range: Range<usize>, budget: usize) -> usize {
        let mut bytes = 0usize;
        let len = range.len();
        range
            .clone()
            .position(|i| {
                bytes += plain_size(self, i..i + 1);
                bytes > budget
            })
            .map_or(len, |i| i + 1)
    }

    fn fixed_width(&self) -> Option<usize> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
