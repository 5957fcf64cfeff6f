//! The chunk's dictionary: distinct values interned in a hash table, the `PLAIN` dictionary
//! page, and the fallback to `PLAIN` values when the dictionary grows too large.
//!
//! Parquet's dictionary encoding (`Encodings.md`, `RLE_DICTIONARY`): the chunk's distinct
//! values go, in first-seen order, into one `PLAIN` dictionary page at the start of the
//! chunk, and data pages hold their ids, RLE/bit-packed at the width of the largest id. As
//! in the `parquet` crate's writer, once the dictionary page would reach
//! `dictionary_page_size_limit` the dictionary page is written, followed by the data pages
//! held for it, and the rest of the chunk is written `PLAIN`.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};
use parquet::basic::Encoding;
use parquet::column::page::{CompressedPage, Page};

use super::{ChunkEncoder, bit_width};
use crate::Result;
use crate::stripe::ByteValues;

/// The distinct values of a chunk, in first-seen order; the index is the dictionary id.
pub(super) struct Dictionary {
    table: HashTable<Slot>,
    pub(super) hasher: DefaultHashBuilder,
    entries: ByteValues,
    /// Per entry, the number of the last page that used it.
    last_page: Vec<u32>,
    /// Size of the `PLAIN` dictionary page: the bytes of each entry, after a 4-byte length
    /// when `length_prefix`.
    pub(super) page_size: usize,
    /// Whether entries are written with their length (byte arrays).
    length_prefix: bool,
    /// The hashes of a mini-batch's values (reused buffer).
    pub(super) hashes: Vec<u64>,
}

/// The hash of a value: values of 4 and 8 bytes (INT32, FLOAT, INT64, DOUBLE) hash as one
/// integer, without the length and the slice loop of hashing bytes.
#[inline]
fn hash_value(hasher: &DefaultHashBuilder, value: &[u8]) -> u64 {
    match *value {
        [a, b, c, d] => hasher.hash_one(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => hasher.hash_one(u64::from_le_bytes([a, b, c, d, e, f, g, h])),
        _ => hasher.hash_one(value),
    }
}

/// A dictionary entry as its hash table holds it: where its bytes are, not only its id,
/// so that checking a candidate reads the bytes straight away (a lookup waits on each
/// load in turn: table, slot, bytes).
#[derive(Clone, Copy)]
struct Slot {
    id: u32,
    len: u32,
    start: usize,
}

impl Dictionary {
    /// An empty dictionary; its page writes each entry's length first when `length_prefix`.
    pub(super) fn new(length_prefix: bool) -> Self {
        Dictionary {
            length_prefix,
            table: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            entries: ByteValues::default(),
            last_page: Vec::new(),
            page_size: 0,
            hashes: Vec::new(),
        }
    }

    /// Empties the dictionary, keeping its table and buffers.
    pub(super) fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.last_page.clear();
        self.page_size = 0;
    }

    /// The hash of `value` in the table.
    #[inline]
    pub(super) fn hash(&self, value: &[u8]) -> u64 {
        hash_value(&self.hasher, value)
    }

    /// The dictionary id of `value` (whose hash is `hash`), adding it when new, and whether
    /// this is its first use in page number `page`.
    #[inline]
    pub(super) fn intern(&mut self, value: &[u8], hash: u64, page: u32) -> (u32, bool) {
        let data = &self.entries.data;
        if let Some(slot) = self.table.find(hash, |slot| {
            slot.len as usize == value.len()
                && crate::short_bytes::eq(&data[slot.start..slot.start + value.len()], value)
        }) {
            let last = std::mem::replace(&mut self.last_page[slot.id as usize], page);
            return (slot.id, last != page);
        }
        let slot = Slot {
            id: self.entries.len() as u32,
            len: value.len() as u32,
            start: self.entries.data.len(),
        };
        self.entries.push(value);
        self.last_page.push(page);
        self.page_size += 4 * usize::from(self.length_prefix) + value.len();
        let Dictionary {
            table,
            entries,
            hasher,
            ..
        } = self;
        table.insert_unique(hash, slot, |slot| {
            hash_value(
                hasher,
                &entries.data[slot.start..slot.start + slot.len as usize],
            )
        });
        (slot.id, true)
    }

    /// Bits per dictionary id in the data pages.
    pub(super) fn bit_width(&self) -> u8 {
        bit_width(self.entries.len().saturating_sub(1) as u64)
    }

    /// Appends the dictionary page's body: the entries, `PLAIN`.
    fn put_page(&self, buf: &mut Vec<u8>) {
        buf.reserve(self.page_size);
        if !self.length_prefix {
            buf.extend_from_slice(&self.entries.data);
            return;
        }
        for entry in self.entries.iter() {
            buf.extend_from_slice(&(entry.len() as u32).to_le_bytes());
            buf.extend_from_slice(entry);
        }
    }
}

impl ChunkEncoder {
    /// Writes the dictionary page, then the pages held for it; the chunk goes on in `PLAIN`.
    pub(super) fn fall_back_to_plain(&mut self) -> Result<()> {
        if self.page.entries > 0 {
            self.flush_page()?;
        }
        self.write_dictionary()?;
        self.values.fall_back();
        Ok(())
    }

    /// Writes the dictionary page (when the chunk has a dictionary), then the data pages
    /// held for it.
    pub(super) fn write_dictionary(&mut self) -> Result<()> {
        let Some(dictionary) = &self.values.dictionary else {
            return Ok(());
        };
        let mut buf = self.spare_pages.take();
        dictionary.put_page(&mut buf);
        let num_values = dictionary.entries.len() as u32;
        let uncompressed_size = buf.len();
        let page = Page::DictionaryPage {
            buf: self.compress(buf)?,
            num_values,
            encoding: Encoding::PLAIN,
            is_sorted: false,
        };
        self.write_page(CompressedPage::new(page, uncompressed_size))?;
        for page in std::mem::take(&mut self.held) {
            self.write_page(page)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use parquet::basic::PageType;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;
    use crate::chunk_encoder::tests::{contact_stripes, encode, props, read_back};

    #[test]
    fn dictionary_falls_back_to_plain() {
        let row_groups = vec![contact_stripes(5000)];
        let file = encode(
            props().set_dictionary_page_size_limit(500).build(),
            &row_groups,
        );
        let reader = SerializedFileReader::new(file.clone()).unwrap();
        let pages = reader
            .get_row_group(0)
            .unwrap()
            .get_column_page_reader(1)
            .unwrap();
        let mut kinds: Vec<_> = pages
            .map(|page| page.map(|p| (p.page_type(), p.encoding())).unwrap())
            .collect();
        kinds.dedup();
        assert_eq!(
            kinds,
            [
                (PageType::DICTIONARY_PAGE, Encoding::PLAIN),
                (PageType::DATA_PAGE, Encoding::RLE_DICTIONARY),
                (PageType::DATA_PAGE, Encoding::PLAIN),
            ]
        );
        assert_eq!(read_back(&file), row_groups);
    }
}
