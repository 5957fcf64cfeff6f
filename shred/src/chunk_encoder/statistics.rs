//! Page and chunk statistics: each page's counts and min/max bounds, the column index built
//! from them, and the chunk's truncated min/max statistics.
//!
//! A page's bounds go into the `ColumnIndex` (Parquet `PageIndex.md`) truncated to
//! `column_index_truncate_length` and the chunk's into its `Statistics` truncated to
//! `statistics_truncate_length`, as the `parquet` crate truncates them: a minimum is cut to
//! a prefix (whole UTF-8 characters for strings), a maximum to a prefix with its last
//! character or byte incremented, so both stay bounds. A page without values is a null
//! page. The boundary order is ascending (or descending) when every page's bounds are not
//! below (above) the previous page's. Byte arrays compare byte-wise (the unsigned sort
//! order of `parquet.thrift`'s `ColumnOrder`).

use std::cmp::Ordering;

use parquet::basic::BoundaryOrder;
use parquet::data_type::ByteArray;
use parquet::file::metadata::ColumnIndexBuilder;
use parquet::file::statistics::{Statistics, ValueStatistics};

use super::byte_array::compare_bytes;

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
    /// Smallest value, when `values > 0`.
    pub(super) min: Vec<u8>,
    /// Largest value, when `values > 0`.
    pub(super) max: Vec<u8>,
    /// Bytes of the values, lengths not counted (`SizeStatistics`).
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

    /// Widens the page's bounds to `value` (the page has a value already). A value above
    /// the maximum cannot be below the minimum: one comparison per value in a column that
    /// ascends, like ids or timestamps.
    #[inline]
    pub(super) fn widen(&mut self, value: &[u8]) {
        if compare_bytes(value, &self.max) == Ordering::Greater {
            self.max.clear();
            self.max.extend_from_slice(value);
        } else if compare_bytes(value, &self.min) == Ordering::Less {
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
    ascending: bool,
    descending: bool,
    last_page: Option<Bounds>,
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
}

impl ChunkBounds {
    /// Bounds of a chunk without pages.
    pub(super) fn new() -> Self {
        ChunkBounds {
            ascending: true,
            descending: true,
            last_page: None,
            min: None,
            max: None,
        }
    }

    /// Appends `page`'s entry to the column index (its bounds truncated to `truncate`
    /// bytes, or a null page) and widens the chunk's bounds to it.
    pub(super) fn add_page(
        &mut self,
        page: &PageStats,
        column_index: &mut ColumnIndexBuilder,
        truncate: Option<usize>,
        utf8: bool,
    ) {
        if page.values == 0 {
            column_index.append(true, vec![], vec![], page.nulls as i64, None);
            return;
        }
        if let Some(last) = &self.last_page {
            let (min, max) = (page.min.as_slice(), page.max.as_slice());
            self.ascending &= !(last.min.as_slice() > min || last.max.as_slice() > max);
            self.descending &= !(min > last.min.as_slice() || max > last.max.as_slice());
        }
        self.last_page = Some(Bounds {
            min: page.min.clone(),
            max: page.max.clone(),
        });
        column_index.append(
            false,
            truncate_min(&page.min, truncate, utf8).0,
            truncate_max(&page.max, truncate, utf8).0,
            page.nulls as i64,
            None,
        );
        if self.min.as_ref().is_none_or(|m| page.min < *m) {
            self.min = Some(page.min.clone());
        }
        if self.max.as_ref().is_none_or(|m| page.max > *m) {
            self.max = Some(page.max.clone());
        }
    }

    /// The chunk's statistics: its bounds truncated to `truncate` bytes (inexact when
    /// cut) and its null count.
    pub(super) fn statistics(&self, nulls: u64, truncate: Option<usize>, utf8: bool) -> Statistics {
        let (min, min_exact) = match &self.min {
            Some(min) => {
                let (bytes, truncated) = truncate_min(min, truncate, utf8);
                (Some(ByteArray::from(bytes)), !truncated)
            }
            None => (None, true),
        };
        let (max, max_exact) = match &self.max {
            Some(max) => {
                let (bytes, truncated) = truncate_max(max, truncate, utf8);
                (Some(ByteArray::from(bytes)), !truncated)
            }
            None => (None, true),
        };
        Statistics::ByteArray(
            ValueStatistics::new(min, max, None, Some(nulls), false)
                .with_backwards_compatible_min_max(false)
                .with_min_is_exact(min_exact)
                .with_max_is_exact(max_exact),
        )
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
