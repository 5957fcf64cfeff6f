//! Fixed-width values (`BOOLEAN`, `INT32`, `INT64`, `INT96`, `FLOAT`, `DOUBLE`,
//! `FIXED_LEN_BYTE_ARRAY`): their `PLAIN` encoding and size.
//!
//! `PLAIN` writes each value in `width` bytes, numbers little-endian (an `INT96` as three
//! little-endian words) and fixed-length byte arrays as they are, without lengths (Parquet
//! `Encodings.md`); the dictionary page holds its entries the same way. A stripe's numbers are laid out in that form once per write
//! (`FixedValues::numbers`), so a value is a `width`-byte slice as a byte array's is.
//! Booleans are laid out a byte (0 or 1) each, and bit-packed when their page is cut
//! (`values::PageValues`), as their `PLAIN` encoding is a bit per value.

use std::ops::Range;

use super::values::PlainValues;

/// Values of `width` bytes each, end to end.
pub(super) struct FixedValues<'a> {
    data: &'a [u8],
    width: usize,
    /// How a mini-batch's byte budget is counted: per value for fixed-length byte arrays
    /// (the crate walks them as it walks byte arrays), by a division for numbers.
    walk_budget: bool,
}

impl<'a> FixedValues<'a> {
    /// Numbers laid out `PLAIN` in `data`, `width` bytes each.
    pub(super) fn numbers(data: &'a [u8], width: usize) -> Self {
        FixedValues {
            data,
            width,
            walk_budget: false,
        }
    }

    /// Fixed-length byte arrays of `width` bytes, end to end in `data`.
    pub(super) fn byte_arrays(data: &'a [u8], width: usize) -> Self {
        FixedValues {
            data,
            width,
            walk_budget: true,
        }
    }
}

/// Appends `values` to `out` as their little-endian bytes (their `PLAIN` form).
pub(super) fn put_le<const N: usize, T: Copy>(
    values: &[T],
    to_le: impl Fn(T) -> [u8; N],
    out: &mut Vec<u8>,
) {
    out.reserve(values.len() * N);
    for &v in values {
        out.extend_from_slice(&to_le(v));
    }
}

impl PlainValues for FixedValues<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.data.len().checked_div(self.width).unwrap_or(0)
    }

    #[inline]
    fn value(&self, i: usize) -> &[u8] {
        &self.data[i * self.width..(i + 1) * self.width]
    }

    #[inline]
    fn plain_size(&self, range: Range<usize>) -> usize {
        range.len() * self.width
    }

    fn put_plain(&self, range: Range<usize>, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.data[range.start * self.width..range.end * self.width]);
    }

    #[inline]
    fn unencoded_bytes(&self, _: Range<usize>) -> Option<i64> {
        None
    }

    fn count_within_budget(&self, range: Range<usize>, budget: usize) -> usize {
        let n = range.len();
        if self.walk_budget {
            // The first value past the budget is counted in.
            match self.width {
                0 => n,
                width if n * width <= budget => n,
                width => (budget / width + 1).min(n),
            }
        } else {
            (budget / self.width.max(1)).max(1).min(n)
        }
    }

    fn fixed_width(&self) -> Option<usize> {
        Some(self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_count_whole_values_within_the_budget() {
        let data = [0u8; 40];
        let values = FixedValues::numbers(&data, 4);
        assert_eq!(values.len(), 10);
        assert_eq!(values.count_within_budget(0..10, 10), 2);
        assert_eq!(values.count_within_budget(0..10, 2), 1, "at least one");
        assert_eq!(values.count_within_budget(0..3, 100), 3);
    }

    #[test]
    fn byte_arrays_count_the_value_past_the_budget() {
        let data = [0u8; 40];
        let values = FixedValues::byte_arrays(&data, 4);
        assert_eq!(values.count_within_budget(0..10, 10), 3);
        assert_eq!(values.count_within_budget(0..10, 8), 3);
        assert_eq!(values.count_within_budget(0..10, 40), 10);
    }

    #[test]
    fn plain_is_the_bytes_end_to_end() {
        let mut data = Vec::new();
        put_le(&[1i32, -2], i32::to_le_bytes, &mut data);
        let values = FixedValues::numbers(&data, 4);
        assert_eq!(values.value(1), (-2i32).to_le_bytes());
        let mut out = Vec::new();
        values.put_plain(1..2, &mut out);
        assert_eq!(out, (-2i32).to_le_bytes());
        assert_eq!(values.plain_size(0..2), 8);
        assert_eq!(values.unencoded_bytes(0..2), None);
    }
}
