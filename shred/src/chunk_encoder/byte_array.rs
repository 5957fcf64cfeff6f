//! Byte-array values: their `PLAIN` encoding and size, their unencoded byte counts, and
//! their byte-wise order.
//!
//! `PLAIN` `BYTE_ARRAY` (Parquet `Encodings.md`) is each value's length as a 4-byte
//! little-endian integer, then its bytes. Values are read as `&[u8]` slices of a stripe's
//! [`ByteValues`] (one flat buffer and its offsets), never as per-value handles.

use std::cmp::Ordering;
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
