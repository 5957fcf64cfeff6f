//! PARQUET-816: the dictionary page header that parquet-mr before 1.2.9 left out of a
//! column chunk's `total_compressed_size`.
//!
//! Where the writer is such a parquet-mr ([`parquet_816`]), the chunk's page headers are
//! read from its start ([`page_extent`]); when they end exactly one dictionary page header
//! past the stated size, that header's length is what the size left out
//! ([`missing_dictionary_header`]). Arrow C++ pads such chunks instead.

use std::fs::File;

use parquet::file::reader::ChunkReader;

use crate::thrift_compact::{CompactReader, FieldHeader, ttype};

/// True for parquet-mr before 1.2.9, which left the dictionary page header out of a
/// column chunk's `total_compressed_size` (PARQUET-816, IMPALA-694; Arrow C++ pads such
/// chunks). `created_by` is "parquet-mr version 1.2.8 (build ...)", or just "parquet-mr"
/// in the oldest files.
pub(super) fn parquet_816(created_by: &[u8]) -> bool {
    let Some(rest) = created_by.strip_prefix(b"parquet-mr") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let Some(version) = text.trim().strip_prefix("version ") else {
        return true;
    };
    let numbers: Vec<u64> = version
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    numbers < vec![1, 2, 9]
}

/// A page header's type, compressed body size and own length, read from `bytes`.
pub(crate) fn page_extent(bytes: &[u8]) -> Option<PageExtent> {
    let mut reader = CompactReader::new(bytes);
    let mut extent = PageExtent {
        page_type: -1,
        body_len: 0,
        header_len: 0,
    };
    let mut last = 0;
    loop {
        let FieldHeader { id, ttype } = reader.field(last).ok()?;
        if ttype == 0 {
            break;
        }
        last = id;
        match (id, ttype) {
            (1, ttype::I32) => extent.page_type = reader.zigzag().ok()?,
            (3, ttype::I32) => extent.body_len = u64::try_from(reader.zigzag().ok()?).ok()?,
            _ => reader.skip(ttype, 1).ok()?,
        }
    }
    extent.header_len = reader.position() as u64;
    Some(extent)
}

/// Where a page ends.
pub(crate) struct PageExtent {
    /// `PageHeader.type`.
    pub(crate) page_type: i64,
    /// `PageHeader.compressed_page_size`.
    pub(crate) body_len: u64,
    /// The header's own length.
    pub(crate) header_len: u64,
}

/// The `DICTIONARY_PAGE` page type of `parquet.thrift`.
pub(crate) const DICTIONARY_PAGE: i64 = 2;

/// The length of the dictionary page header that the column chunk at `start` leaves out
/// of its stated `size`: the chunk must start with a dictionary page, and its pages must
/// end exactly that many bytes after `start + size` (and not at it).
pub(super) fn missing_dictionary_header(
    file: &File,
    limit: u64,
    start: u64,
    size: u64,
) -> Option<u64> {
    let header_at = |offset: u64| {
        let want = 4096.min(limit.checked_sub(offset)?) as usize;
        page_extent(&file.get_bytes(offset, want).ok()?)
    };
    let first = header_at(start)?;
    if first.page_type != DICTIONARY_PAGE {
        return None;
    }
    let stated_end = start.checked_add(size)?;
    let end = stated_end.checked_add(first.header_len)?;
    let mut pos = start;
    while pos < end {
        if pos == stated_end {
            return None;
        }
        let page = header_at(pos)?;
        pos = pos
            .checked_add(page.header_len)?
            .checked_add(page.body_len)?;
    }
    (pos == end).then_some(first.header_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_mr_versions_before_1_2_9() {
        assert!(parquet_816(b"parquet-mr"));
        assert!(parquet_816(b"parquet-mr version 1.2.8 (build abc)"));
        assert!(!parquet_816(b"parquet-mr version 1.2.9 (build abc)"));
        assert!(!parquet_816(
            b"parquet-mr version 1.12.0-SNAPSHOT (build abc)"
        ));
        assert!(!parquet_816(b"parquet-cpp-arrow version 14.0.0"));
    }
}
