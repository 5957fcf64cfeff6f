//! Page and chunk statistics: each page's counts and min/max bounds, the column index built
//! from them, and the chunk's min/max statistics, in the sort order of the column's type.
//!
//! Bounds compare as the `parquet` crate's `compare_greater` compares them (the sort orders
//! of `parquet.thrift`'s `ColumnOrder`): integers signed, or unsigned under an unsigned
//! logical type; floats by IEEE 754 total order (`-0.0` below `+0.0`), NaN ignored unless
//! every value is NaN, and counted (`nan_count`); `INT96` timestamps by day, then
//! nanosecond; decimals as signed big-endian integers; other byte arrays byte-wise. Bounds are kept as the values' `PLAIN` bytes, which is
//! what the `ColumnIndex` holds (Parquet `PageIndex.md`). Byte arrays other than decimals
//! have their bounds truncated, in the column index to `column_index_truncate_length` and
//! in the chunk's `Statistics` to `statistics_truncate_length`, as the crate truncates
//! them: a minimum is cut to a prefix (whole UTF-8 characters for strings), a maximum to a
//! prefix with its last character or byte incremented, so both stay bounds. A page with
//! as many nulls as records is a null page. The boundary order is ascending (or
//! descending) when every page's bounds are not below (above) the previous page's.

use std::cmp::Ordering;

use parquet::basic::{BoundaryOrder, ConvertedType, LogicalType, SortOrder, Type as PhysicalType};
use parquet::data_type::{ByteArray, FixedLenByteArray, Int96};
use parquet::file::metadata::ColumnIndexBuilder;
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::schema::types::ColumnDescriptor;

/// How a column's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    /// `false` below `true`.
    Boolean,
    /// Byte-wise (byte arrays, fixed-length byte arrays).
    Bytes,
    /// Signed big-endian integers of any length (decimal byte arrays).
    Decimal,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float,
    Double,
    /// Legacy timestamps: days, then nanoseconds of the day (the crate's `Ord` of `Int96`).
    Int96,
}

/// A column's sort order and how its bounds are written.
#[derive(Debug, Clone, Copy)]
pub(super) struct ValueOrder {
    pub(super) physical: PhysicalType,
    pub(super) comparison: Comparison,
    /// Whether bounds are truncated (byte arrays other than decimals).
    truncate: bool,
    /// Whether truncation keeps whole UTF-8 characters (strings).
    utf8: bool,
    /// Whether the sort order is signed: the chunk's statistics then also fill the
    /// deprecated `min`/`max` fields, as the crate writes them.
    signed: bool,
}

impl ValueOrder {
    /// The order of column `descr`'s values, or what about them is not supported.
    pub(super) fn of(descr: &ColumnDescriptor) -> Result<Self, String> {
        let physical = descr.physical_type();
        let sort_order = descr.sort_order();
        let decimal = descr.converted_type() == ConvertedType::DECIMAL
            || matches!(descr.logical_type_ref(), Some(LogicalType::Decimal { .. }));
        if descr.converted_type() == ConvertedType::INTERVAL
            || descr.logical_type_ref() == Some(&LogicalType::Float16)
        {
            return Err(format!("{physical} values of this logical type"));
        }
        let unsigned = sort_order == SortOrder::UNSIGNED;
        let comparison = match physical {
            PhysicalType::BOOLEAN => Comparison::Boolean,
            PhysicalType::INT32 if unsigned => Comparison::UInt32,
            PhysicalType::INT32 => Comparison::Int32,
            PhysicalType::INT64 if unsigned => Comparison::UInt64,
            PhysicalType::INT64 => Comparison::Int64,
            PhysicalType::FLOAT => Comparison::Float,
            PhysicalType::DOUBLE => Comparison::Double,
            PhysicalType::INT96 => Comparison::Int96,
            PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY if decimal => {
                Comparison::Decimal
            }
            PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY if unsigned => {
                Comparison::Bytes
            }
            _ => {
                return Err(format!(
                    "{physical} values with the {sort_order:?} sort order"
                ));
            }
        };
        if matches!(physical, PhysicalType::INT32 | PhysicalType::INT64)
            && sort_order == SortOrder::UNDEFINED
        {
            return Err(format!("{physical} values with an undefined sort order"));
        }
        Ok(ValueOrder {
            physical,
            comparison,
            truncate: comparison == Comparison::Bytes,
            utf8: descr.logical_type_ref() == Some(&LogicalType::String)
                || descr.converted_type() == ConvertedType::UTF8,
            signed: sort_order.is_signed(),
        })
    }

    /// Whether `a` sorts after `b` (the crate's `compare_greater`).
    #[inline]
    pub(super) fn greater(self, a: &[u8], b: &[u8]) -> bool {
        fn le<const N: usize>(v: &[u8]) -> [u8; N] {
            v.try_into().expect("a value of the column's width")
        }
        match self.comparison {
            Comparison::Boolean => a[0] > b[0],
            Comparison::Bytes => crate::short_bytes::cmp(a, b) == Ordering::Greater,
            Comparison::Decimal => decimal_greater(a, b),
            Comparison::Int32 => i32::from_le_bytes(le(a)) > i32::from_le_bytes(le(b)),
            Comparison::UInt32 => u32::from_le_bytes(le(a)) > u32::from_le_bytes(le(b)),
            Comparison::Int64 => i64::from_le_bytes(le(a)) > i64::from_le_bytes(le(b)),
            Comparison::UInt64 => u64::from_le_bytes(le(a)) > u64::from_le_bytes(le(b)),
            Comparison::Float => {
                let (a, b) = (f32::from_le_bytes(le(a)), f32::from_le_bytes(le(b)));
                a.total_cmp(&b) == Ordering::Greater
            }
            Comparison::Double => {
                let (a, b) = (f64::from_le_bytes(le(a)), f64::from_le_bytes(le(b)));
                a.total_cmp(&b) == Ordering::Greater
            }
            Comparison::Int96 => int96_days_nanos(a) > int96_days_nanos(b),
        }
    }

    /// Whether the column's values can be NaN (floats), which bounds skip and the
    /// statistics count.
    #[inline]
    pub(super) fn has_nans(self) -> bool {
        matches!(self.comparison, Comparison::Float | Comparison::Double)
    }

    /// Whether `value` is a NaN.
    #[inline]
    pub(super) fn is_nan(self, value: &[u8]) -> bool {
        match self.comparison {
            Comparison::Float => f32::from_le_bytes(value.try_into().expect("4 bytes")).is_nan(),
            Comparison::Double => f64::from_le_bytes(value.try_into().expect("8 bytes")).is_nan(),
            _ => false,
        }
    }

    /// Lowers `min` to `value` if `value` sorts first; a NaN neither lowers a bound that
    /// is not NaN nor stays one once a value is not (the crate's `update_min`).
    #[inline]
    fn lower(self, min: &mut Vec<u8>, value: &[u8]) {
        if self.replaces(min, value, |m, v| self.greater(m, v)) {
            min.clear();
            min.extend_from_slice(value);
        }
    }

    /// Raises `max` to `value` if `value` sorts last, NaN aside as in [`Self::lower`].
    #[inline]
    fn raise(self, max: &mut Vec<u8>, value: &[u8]) {
        if self.replaces(max, value, |m, v| self.greater(v, m)) {
            max.clear();
            max.extend_from_slice(value);
        }
    }

    #[inline]
    fn replaces(self, bound: &[u8], value: &[u8], beyond: impl Fn(&[u8], &[u8]) -> bool) -> bool {
        if self.has_nans() {
            match (self.is_nan(bound), self.is_nan(value)) {
                (false, true) => return false,
                (true, false) => return true,
                _ => {}
            }
        }
        beyond(bound, value)
    }
}

/// An `INT96`'s `PLAIN` bytes (three little-endian words) as the days and nanoseconds the
/// crate orders it by: the third word signed, then the first two as a signed 64-bit count.
fn int96_days_nanos(v: &[u8]) -> (i32, i64) {
    let word = |i: usize| u32::from_le_bytes(v[4 * i..4 * i + 4].try_into().expect("4 bytes"));
    (word(2) as i32, ((word(1) as i64) << 32) + word(0) as i64)
}

/// Whether the big-endian two's complement integer `a` is greater than `b`, of any
/// lengths (the crate's `compare_greater_byte_array_decimals`).
fn decimal_greater(a: &[u8], b: &[u8]) -> bool {
    let (Some(&first_a), Some(&first_b)) = (a.first(), b.first()) else {
        return !a.is_empty();
    };
    if (0x80 & first_a) != (0x80 & first_b) || (a.len() == b.len() && first_a != first_b) {
        return (first_a as i8) > (first_b as i8);
    }
    // Same sign: the longer value is larger in magnitude when one of its extra leading
    // bytes is not the sign extension; otherwise the aligned tails decide.
    let extension: u8 = if (first_a as i8) < 0 { 0xFF } else { 0 };
    if a.len() != b.len() {
        let (longer, shorter) = if a.len() > b.len() { (a, b) } else { (b, a) };
        let lead = longer.len() - shorter.len();
        if longer[..lead].iter().any(|&x| x != extension) {
            let negative = (first_a as i8) < 0;
            let a_longer = a.len() > b.len();
            return if negative { !a_longer } else { a_longer };
        }
    }
    let tail = a.len().min(b.len());
    a[a.len() - tail..] > b[b.len() - tail..]
}

/// Counts and bounds of the page being filled.
#[derive(Default)]
pub(super) struct PageStats {
    /// Entries (levels), nulls included.
    pub(super) entries: usize,
    /// Records (entries with r = 0).
    pub(super) rows: usize,
    /// Entries below the maximum definition level.
    pub(super) nulls: usize,
    /// Values (entries at the maximum definition level).
    pub(super) values: usize,
    /// NaN values (floats).
    pub(super) nans: u64,
    /// Smallest value, when `values > 0`.
    pub(super) min: Vec<u8>,
    /// Largest value, when `values > 0`.
    pub(super) max: Vec<u8>,
    /// Bytes of the values, lengths not counted (`SizeStatistics`, byte arrays).
    pub(super) unencoded_bytes: i64,
}

impl PageStats {
    /// Sets both bounds to `value`, the page's first value.
    #[inline]
    pub(super) fn first_value(&mut self, value: &[u8]) {
        self.min.clear();
        self.min.extend_from_slice(value);
        self.max.clear();
        self.max.extend_from_slice(value);
    }

    /// Widens the page's bounds to `value` (the page has a value already). Without NaNs, a
    /// value above the maximum cannot be below the minimum: one comparison per value in a
    /// column that ascends, like ids or timestamps.
    #[inline]
    pub(super) fn widen(&mut self, value: &[u8], order: ValueOrder) {
        if order.has_nans() {
            order.lower(&mut self.min, value);
            order.raise(&mut self.max, value);
        } else if order.greater(value, &self.max) {
            self.max.clear();
            self.max.extend_from_slice(value);
        } else if order.greater(&self.min, value) {
            self.min.clear();
            self.min.extend_from_slice(value);
        }
    }

    /// Zeroes the counts for the next page, keeping the bounds' buffers.
    pub(super) fn clear(&mut self) {
        *self = PageStats {
            min: std::mem::take(&mut self.min),
            max: std::mem::take(&mut self.max),
            ..PageStats::default()
        };
    }
}

/// The smallest and largest value of a page.
struct Bounds {
    min: Vec<u8>,
    max: Vec<u8>,
}

/// The chunk's bounds and the order of its pages' bounds, page by page.
pub(super) struct ChunkBounds {
    order: ValueOrder,
    ascending: bool,
    descending: bool,
    last_page: Option<Bounds>,
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
    /// NaN values of the chunk, once it has a value.
    nans: Option<u64>,
}

impl ChunkBounds {
    /// Bounds of a chunk without pages, whose values sort in `order`.
    pub(super) fn new(order: ValueOrder) -> Self {
        ChunkBounds {
            order,
            ascending: true,
            descending: true,
            last_page: None,
            min: None,
            max: None,
            nans: None,
        }
    }

    /// Appends `page`'s entry to the column index (its bounds truncated to `truncate`
    /// bytes, or a null page) and widens the chunk's bounds to it.
    ///
    /// As the crate's writer decides: a page is a null page when it has as many nulls as
    /// records (so a page of a repeated column can be one and still hold values, which
    /// then bound the chunk), and a page that is not one but has no value to bound it
    /// leaves the chunk without a column index.
    pub(super) fn add_page(
        &mut self,
        page: &PageStats,
        column_index: &mut ColumnIndexBuilder,
        truncate: Option<usize>,
    ) {
        let order = self.order;
        if page.values > 0 {
            if order.has_nans() {
                *self.nans.get_or_insert(0) += page.nans;
            }
            match &mut self.min {
                Some(min) => order.lower(min, &page.min),
                None => self.min = Some(page.min.clone()),
            }
            match &mut self.max {
                Some(max) => order.raise(max, &page.max),
                None => self.max = Some(page.max.clone()),
            }
        }
        if !column_index.valid() {
            return;
        }
        let nans = order.has_nans().then_some(page.nans as i64);
        if page.rows == page.nulls {
            column_index.append(true, vec![], vec![], page.nulls as i64, nans);
            return;
        }
        if page.values == 0 {
            column_index.to_invalid();
            return;
        }
        if let Some(last) = &self.last_page {
            let (min, max) = (page.min.as_slice(), page.max.as_slice());
            self.ascending &= !(order.greater(&last.min, min) || order.greater(&last.max, max));
            self.descending &= !(order.greater(min, &last.min) || order.greater(max, &last.max));
        }
        self.last_page = Some(Bounds {
            min: page.min.clone(),
            max: page.max.clone(),
        });
        let truncate = truncate.filter(|_| order.truncate);
        column_index.append(
            false,
            truncate_min(&page.min, truncate, order.utf8).0,
            truncate_max(&page.max, truncate, order.utf8).0,
            page.nulls as i64,
            nans,
        );
    }

    /// The chunk's statistics: its bounds (truncated to `truncate` bytes, inexact when
    /// cut, for byte arrays), its null count and, for floats, its NaN count.
    pub(super) fn statistics(&self, nulls: u64, truncate: Option<usize>) -> Statistics {
        let order = self.order;
        let (min, max) = (self.min.as_deref(), self.max.as_deref());
        let signed = order.signed;
        fn typed<T>(
            min: Option<&[u8]>,
            max: Option<&[u8]>,
            nulls: u64,
            nans: Option<u64>,
            signed: bool,
            decode: impl Fn(&[u8]) -> T,
        ) -> ValueStatistics<T> {
            ValueStatistics::new(min.map(&decode), max.map(&decode), None, Some(nulls), false)
                .with_nan_count(nans)
                .with_backwards_compatible_min_max(signed)
        }
        fn le<const N: usize>(v: &[u8]) -> [u8; N] {
            v.try_into().expect("a value of the column's width")
        }
        match order.physical {
            PhysicalType::BOOLEAN => {
                Statistics::Boolean(typed(min, max, nulls, None, signed, |v| v[0] != 0))
            }
            PhysicalType::INT32 => Statistics::Int32(typed(min, max, nulls, None, signed, |v| {
                i32::from_le_bytes(le(v))
            })),
            PhysicalType::INT64 => Statistics::Int64(typed(min, max, nulls, None, signed, |v| {
                i64::from_le_bytes(le(v))
            })),
            PhysicalType::FLOAT => {
                Statistics::Float(typed(min, max, nulls, self.nans, signed, |v| {
                    f32::from_le_bytes(le(v))
                }))
            }
            PhysicalType::DOUBLE => {
                Statistics::Double(typed(min, max, nulls, self.nans, signed, |v| {
                    f64::from_le_bytes(le(v))
                }))
            }
            PhysicalType::INT96 => Statistics::Int96(typed(min, max, nulls, None, signed, |v| {
                let word = |i: usize| u32::from_le_bytes(le(&v[4 * i..4 * i + 4]));
                let mut value = Int96::new();
                value.set_data(word(0), word(1), word(2));
                value
            })),
            PhysicalType::FIXED_LEN_BYTE_ARRAY => Statistics::FixedLenByteArray(
                self.byte_statistics(nulls, truncate, |v| FixedLenByteArray::from(v.to_vec())),
            ),
            _ => Statistics::ByteArray(
                self.byte_statistics(nulls, truncate, |v| ByteArray::from(v.to_vec())),
            ),
        }
    }

    /// Statistics of byte-array bounds, truncated as the crate's `truncate_statistics`
    /// truncates them when the type allows it.
    fn byte_statistics<T>(
        &self,
        nulls: u64,
        truncate: Option<usize>,
        value: impl Fn(&[u8]) -> T,
    ) -> ValueStatistics<T> {
        let order = self.order;
        match (&self.min, &self.max) {
            (Some(min), Some(max)) if order.truncate => {
                let (min, min_cut) = truncate_min(min, truncate, order.utf8);
                let (max, max_cut) = truncate_max(max, truncate, order.utf8);
                ValueStatistics::new(
                    Some(value(&min)),
                    Some(value(&max)),
                    None,
                    Some(nulls),
                    order.signed,
                )
                .with_max_is_exact(!max_cut)
                .with_min_is_exact(!min_cut)
            }
            (min, max) => ValueStatistics::new(
                min.as_deref().map(&value),
                max.as_deref().map(&value),
                None,
                Some(nulls),
                false,
            )
            .with_backwards_compatible_min_max(order.signed),
        }
    }

    /// The column index's boundary order (ascending when the pages are both).
    pub(super) fn boundary_order(&self) -> BoundaryOrder {
        match (self.ascending, self.descending) {
            (true, _) => BoundaryOrder::ASCENDING,
            (false, true) => BoundaryOrder::DESCENDING,
            (false, false) => BoundaryOrder::UNORDERED,
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
    use parquet::file::page_index::column_index::ColumnIndexMetaData;

    use super::*;
    use crate::chunk_encoder::tests::{chunk_meta, encode, props, read_back, stripe};

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
}
