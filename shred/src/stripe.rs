//! One leaf column's shredded form: repetition levels, definition levels, non-null values.
//!
//! A [`Stripe`] has the shape the `parquet` crate's column writer takes
//! (`ColumnWriterImpl::write_batch(values, def, rep)`) and its column reader returns
//! (`ColumnReaderImpl::read_records`): one `rep`/`def` pair per entry and a value only for
//! the entries whose definition level is the column's maximum (Dremel §4.1, Fig. 3).
//! Byte-array values are kept flat (one buffer plus offsets) so shredding a string costs a
//! copy, not an allocation. Buffers are cleared and reused between batches, never dropped.
//!
//! ```
//! use shred::stripe::{Stripe, Values};
//! let mut s = Stripe::new(parquet::basic::Type::INT64);
//! s.push_null(0, 0);
//! s.rep.push(0); s.def.push(1); s.values.push_i64(7);
//! let entries: Vec<_> = s.entries(1).collect();
//! assert_eq!(entries[1].value, Some(0));
//! assert_eq!(entries[1].record, 1);
//! ```

use parquet::basic::Type as PhysicalType;
use parquet::data_type::{ByteArray, Int96};

/// Byte-array values stored end to end: value `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteValues {
    /// All values' bytes, concatenated.
    pub data: Vec<u8>,
    /// Start offsets, with one extra offset at the end (`len() + 1` entries).
    pub offsets: Vec<usize>,
}

impl Default for ByteValues {
    fn default() -> Self {
        ByteValues {
            data: Vec::new(),
            offsets: vec![0],
        }
    }
}

impl<'v> FromIterator<&'v [u8]> for ByteValues {
    fn from_iter<I: IntoIterator<Item = &'v [u8]>>(values: I) -> Self {
        let mut bytes = ByteValues::default();
        values.into_iter().for_each(|v| bytes.push(v));
        bytes
    }
}

impl ByteValues {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Value `i`.
    pub fn get(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }
    /// Appends one value.
    #[inline]
    pub fn push(&mut self, value: &[u8]) {
        self.data.extend_from_slice(value);
        self.offsets.push(self.data.len());
    }
    /// Removes all values, keeping the allocations, except a value buffer grown past
    /// [`ByteValues::KEEP_AT_MOST`] (a batch of huge values, such as parquet-testing's
    /// strings of 1 GiB), which is given back so that it does not stay resident beside the
    /// next page.
    pub fn clear(&mut self) {
        if self.data.capacity() > Self::KEEP_AT_MOST {
            self.data = Vec::new();
        } else {
            self.data.clear();
        }
        self.offsets.truncate(1);
    }
    /// The largest value buffer [`ByteValues::clear`] keeps for reuse.
    pub const KEEP_AT_MOST: usize = 256 << 20;
    /// Iterates the values.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
    /// The values as `parquet` byte arrays: one copy of the buffer, then slices of it.
    pub fn to_byte_arrays(&self) -> Vec<ByteArray> {
        let shared = bytes::Bytes::copy_from_slice(&self.data);
        self.offsets
            .windows(2)
            .map(|w| ByteArray::from(shared.slice(w[0]..w[1])))
            .collect()
    }
}

/// The non-null values of one column, typed by its physical type.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// BOOLEAN
    Boolean(Vec<bool>),
    /// INT32
    Int32(Vec<i32>),
    /// INT64
    Int64(Vec<i64>),
    /// INT96 (legacy timestamps)
    Int96(Vec<Int96>),
    /// FLOAT
    Float(Vec<f32>),
    /// DOUBLE
    Double(Vec<f64>),
    /// BYTE_ARRAY
    ByteArray(ByteValues),
    /// FIXED_LEN_BYTE_ARRAY
    FixedLenByteArray(ByteValues),
}

impl Values {
    /// Empty values for a physical type.
    pub fn new(physical: PhysicalType) -> Self {
        match physical {
            PhysicalType::BOOLEAN => Values::Boolean(Vec::new()),
            PhysicalType::INT32 => Values::Int32(Vec::new()),
            PhysicalType::INT64 => Values::Int64(Vec::new()),
            PhysicalType::INT96 => Values::Int96(Vec::new()),
            PhysicalType::FLOAT => Values::Float(Vec::new()),
            PhysicalType::DOUBLE => Values::Double(Vec::new()),
            PhysicalType::BYTE_ARRAY => Values::ByteArray(ByteValues::default()),
            PhysicalType::FIXED_LEN_BYTE_ARRAY => Values::FixedLenByteArray(ByteValues::default()),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Boolean(v) => v.len(),
            Values::Int32(v) => v.len(),
            Values::Int64(v) => v.len(),
            Values::Int96(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Double(v) => v.len(),
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => v.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes all values, keeping the allocations.
    pub fn clear(&mut self) {
        match self {
            Values::Boolean(v) => v.clear(),
            Values::Int32(v) => v.clear(),
            Values::Int64(v) => v.clear(),
            Values::Int96(v) => v.clear(),
            Values::Float(v) => v.clear(),
            Values::Double(v) => v.clear(),
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => v.clear(),
        }
    }

    /// Appends an INT64 value (panics on another type: a programming error).
    pub fn push_i64(&mut self, value: i64) {
        match self {
            Values::Int64(v) => v.push(value),
            other => panic!("push_i64 on {other:?}"),
        }
    }

    /// True when `self` and `other` hold the same values as [`Values::value_eq`] compares
    /// them (floats bitwise), compared buffer by buffer.
    pub fn bits_eq(&self, other: &Values) -> bool {
        match (self, other) {
            (Values::Float(a), Values::Float(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits())
            }
            (Values::Double(a), Values::Double(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits())
            }
            (a, b) => a == b,
        }
    }

    /// True when value `i` of `self` equals value `j` of `other` (floats bitwise, so NaN
    /// equals NaN and `0.0` differs from `-0.0`, as a byte-level round trip demands).
    pub fn value_eq(&self, i: usize, other: &Values, j: usize) -> bool {
        match (self, other) {
            (Values::Boolean(a), Values::Boolean(b)) => a[i] == b[j],
            (Values::Int32(a), Values::Int32(b)) => a[i] == b[j],
            (Values::Int64(a), Values::Int64(b)) => a[i] == b[j],
            (Values::Int96(a), Values::Int96(b)) => a[i] == b[j],
            (Values::Float(a), Values::Float(b)) => a[i].to_bits() == b[j].to_bits(),
            (Values::Double(a), Values::Double(b)) => a[i].to_bits() == b[j].to_bits(),
            (Values::ByteArray(a), Values::ByteArray(b))
            | (Values::FixedLenByteArray(a), Values::FixedLenByteArray(b)) => a.get(i) == b.get(j),
            _ => false,
        }
    }
}

/// One leaf column's levels and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Stripe {
    /// Repetition level of every entry.
    pub rep: Vec<i16>,
    /// Definition level of every entry.
    pub def: Vec<i16>,
    /// The values of the entries at the maximum definition level, in order.
    pub values: Values,
}

/// One entry of a stripe, as [`Stripe::entries`] yields it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Entry index in the stripe.
    pub index: usize,
    /// Record index (counts the entries with `r == 0`, from the stripe's first record).
    pub record: usize,
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
    /// Index into [`Stripe::values`] when the entry holds a value.
    pub value: Option<usize>,
}

impl Stripe {
    /// An empty stripe for a physical type.
    pub fn new(physical: PhysicalType) -> Self {
        Stripe {
            rep: Vec::new(),
            def: Vec::new(),
            values: Values::new(physical),
        }
    }

    /// Number of entries (levels).
    pub fn len(&self) -> usize {
        self.def.len()
    }

    /// True when the stripe has no entries.
    pub fn is_empty(&self) -> bool {
        self.def.is_empty()
    }

    /// Removes all entries, keeping the allocations.
    pub fn clear(&mut self) {
        self.rep.clear();
        self.def.clear();
        self.values.clear();
    }

    /// Appends an entry without a value.
    #[inline]
    pub fn push_null(&mut self, r: i16, d: i16) {
        self.rep.push(r);
        self.def.push(d);
    }

    /// Number of records (entries with `r == 0`).
    pub fn num_records(&self) -> usize {
        self.rep.iter().filter(|&&r| r == 0).count()
    }

    /// Iterates the entries; `max_def` tells which entries hold a value.
    pub fn entries(&self, max_def: i16) -> impl Iterator<Item = Entry> + '_ {
        self.entries_from(0..self.len(), 0, 0, max_def)
    }

    /// Iterates entries `range`, numbered as [`Stripe::entries`] numbers them, given the
    /// records that start before the range (`records`) and the values before it
    /// (`values`).
    pub fn entries_from(
        &self,
        range: std::ops::Range<usize>,
        records: usize,
        values: usize,
        max_def: i16,
    ) -> impl Iterator<Item = Entry> + '_ {
        let mut record = records.wrapping_sub(1);
        let mut next_value = values;
        range.map(move |index| {
            let (r, d) = (self.rep[index], self.def[index]);
            // A stripe's first entry always starts a record.
            if r == 0 || index == 0 {
                record = record.wrapping_add(1);
            }
            let value = (d == max_def).then(|| {
                next_value += 1;
                next_value - 1
            });
            Entry {
                index,
                record,
                r,
                d,
                value,
            }
        })
    }
}

impl Values {
    /// Appends values `range` of `other` (same physical type) to `self`.
    pub fn extend_from(&mut self, other: &Values, range: std::ops::Range<usize>) {
        match (self, other) {
            (Values::Boolean(a), Values::Boolean(b)) => a.extend_from_slice(&b[range]),
            (Values::Int32(a), Values::Int32(b)) => a.extend_from_slice(&b[range]),
            (Values::Int64(a), Values::Int64(b)) => a.extend_from_slice(&b[range]),
            (Values::Int96(a), Values::Int96(b)) => a.extend_from_slice(&b[range]),
            (Values::Float(a), Values::Float(b)) => a.extend_from_slice(&b[range]),
            (Values::Double(a), Values::Double(b)) => a.extend_from_slice(&b[range]),
            (Values::ByteArray(a), Values::ByteArray(b))
            | (Values::FixedLenByteArray(a), Values::FixedLenByteArray(b)) => {
                let (start, end) = (b.offsets[range.start], b.offsets[range.end]);
                let shift = a.data.len() as isize - start as isize;
                a.data.extend_from_slice(&b.data[start..end]);
                a.offsets.extend(
                    b.offsets[range.start + 1..=range.end]
                        .iter()
                        .map(|&o| (o as isize + shift) as usize),
                );
            }
            (a, b) => panic!("extend_from: {a:?} vs {b:?}"),
        }
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        match self {
            Values::Boolean(v) => v.truncate(len),
            Values::Int32(v) => v.truncate(len),
            Values::Int64(v) => v.truncate(len),
            Values::Int96(v) => v.truncate(len),
            Values::Float(v) => v.truncate(len),
            Values::Double(v) => v.truncate(len),
            Values::ByteArray(v) | Values::FixedLenByteArray(v) => {
                v.offsets.truncate(len + 1);
                v.data.truncate(v.offsets[len]);
            }
        }
    }
}

/// The first record start (`r = 0`) among `rep[at..end]`, or `end`.
pub fn record_end(rep: &[i16], at: usize, end: usize) -> usize {
    (at.min(end)..end).find(|&i| rep[i] == 0).unwrap_or(end)
}

impl Stripe {
    /// The entry and value index after the `n` records that start at entry `entry` (value
    /// `value`), or the stripe's end; `max_def` is the column's maximum definition level.
    pub fn records_end(
        &self,
        entry: usize,
        value: usize,
        n: usize,
        max_def: i16,
    ) -> (usize, usize) {
        let mut starts = 0;
        let mut end = self.len();
        for (i, &r) in self.rep.iter().enumerate().skip(entry) {
            if r == 0 {
                if starts == n {
                    end = i;
                    break;
                }
                starts += 1;
            }
        }
        (end, value + self.values_in(entry..end, max_def))
    }

    /// The number of values of entries `entries` (those at `max_def`).
    pub fn values_in(&self, entries: std::ops::Range<usize>, max_def: i16) -> usize {
        self.def[entries].iter().filter(|&&d| d == max_def).count()
    }

    /// Appends every entry of `other` (same physical type).
    pub fn append(&mut self, other: &Stripe) {
        self.append_range(other, 0..other.len(), 0..other.values.len());
    }

    /// Appends entries `entries` of `other`, whose values are `values`.
    pub fn append_range(
        &mut self,
        other: &Stripe,
        entries: std::ops::Range<usize>,
        values: std::ops::Range<usize>,
    ) {
        self.rep.extend_from_slice(&other.rep[entries.clone()]);
        self.def.extend_from_slice(&other.def[entries]);
        self.values.extend_from(&other.values, values);
    }

    /// Keeps the first `entries` entries and `values` values.
    pub fn truncate(&mut self, entries: usize, values: usize) {
        self.rep.truncate(entries);
        self.def.truncate(entries);
        self.values.truncate(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_values_round_trip() {
        let mut v = ByteValues::default();
        v.push(b"ab");
        v.push(b"");
        v.push(b"xyz");
        assert_eq!(v.len(), 3);
        assert_eq!(v.get(1), b"");
        let arrays = v.to_byte_arrays();
        assert_eq!(arrays[2].data(), b"xyz");
        v.clear();
        assert!(v.is_empty());
    }

    #[test]
    fn clear_keeps_a_small_buffer_and_gives_back_a_huge_one() {
        let mut v = ByteValues::default();
        v.push(b"abc");
        let small = v.data.capacity();
        v.clear();
        assert_eq!((v.len(), v.data.capacity()), (0, small));
        v.data.reserve(ByteValues::KEEP_AT_MOST + 1);
        v.push(b"abc");
        v.clear();
        assert_eq!((v.len(), v.data.capacity()), (0, 0));
        v.push(b"d");
        assert_eq!(v.get(0), b"d");
    }

    #[test]
    fn entries_number_records_and_values() {
        let mut s = Stripe::new(PhysicalType::INT32);
        for (r, d) in [(0, 2), (1, 1), (0, 0), (0, 2)] {
            s.push_null(r, d);
        }
        if let Values::Int32(v) = &mut s.values {
            v.extend([5, 6]);
        }
        let e: Vec<_> = s.entries(2).collect();
        assert_eq!(
            e.iter().map(|e| (e.record, e.value)).collect::<Vec<_>>(),
            vec![(0, Some(0)), (0, None), (1, None), (2, Some(1))]
        );
        assert_eq!(s.num_records(), 3);
    }

    #[test]
    fn float_values_compare_bitwise() {
        let a = Values::Double(vec![f64::NAN, 0.0]);
        let b = Values::Double(vec![f64::NAN, -0.0]);
        assert!(a.value_eq(0, &b, 0));
        assert!(!a.value_eq(1, &b, 1));
    }
}
