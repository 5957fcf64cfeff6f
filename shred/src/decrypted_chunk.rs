//! An encrypted column chunk as the `parquet` crate's page reader reads it: every page
//! header and page decrypted into one plaintext column chunk in memory.
//!
//! The `parquet` crate decrypts pages only inside its Arrow reader; the
//! `SerializedPageReader` our column readers ([`crate::column_io::StripeReader`]) sit on
//! reads plaintext. An encrypted chunk (parquet-format `Encryption.md`) is a sequence of
//! modules: a page header module, then the page module, whose length is the decrypted
//! header's `compressed_page_size`; the first page is the dictionary page when the chunk
//! has one (`dictionary_page_offset`), the others are data pages counted from 0.
//! [`column_reader`] decrypts them in that order ([`ChunkDecryptor`], which checks each
//! module's AAD, so a page out of place fails), writes each header with its
//! `compressed_page_size` set to the decrypted page's length (and without anything after
//! the `PageHeader` struct in its module), then the page, and hands the plaintext chunk to
//! the crate's page reader with the chunk's metadata moved to offset 0. Decompression,
//! decoding and levels are then the crate's, exactly as for a plaintext file. Memory: one
//! column chunk, decrypted.

use std::sync::Arc;

use bytes::Bytes;
use parquet::column::reader::{ColumnReader, get_column_reader};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::reader::ChunkReader;
use parquet::file::serialized_reader::SerializedPageReader;

use crate::decryption::{ChunkDecryptor, PageModule, module_len};
use crate::error::{Error, Result};
use crate::footer::{DICTIONARY_PAGE, page_extent};
use crate::thrift_compact::{CompactReader, FieldHeader, ttype, write_zigzag};

/// A column reader over the encrypted column chunk `chunk` of `source`, decrypted with
/// `decryptor`; `total_rows` is its row group's row count. Errors start with `place`
/// ("row group R, column C").
pub fn column_reader<R: ChunkReader>(
    source: &R,
    chunk: &ColumnChunkMetaData,
    decryptor: &ChunkDecryptor,
    total_rows: usize,
    place: &str,
) -> Result<ColumnReader> {
    let input = |message: String| Error::Input {
        message: format!("{place}: {message}"),
    };
    let (start, len) = chunk.byte_range();
    let len = usize::try_from(len).map_err(|_| input(format!("a column chunk of {len} bytes")))?;
    let bytes = source
        .get_bytes(start, len)
        .map_err(|e| Error::parquet(place.to_string(), e))?;
    let plain = decrypt_chunk(&bytes, chunk.dictionary_page_offset().is_some(), decryptor)
        .map_err(input)?;
    let size = plain.bytes.len() as i64;
    let metadata = chunk
        .clone()
        .into_builder()
        .set_dictionary_page_offset(plain.has_dictionary.then_some(0))
        .set_data_page_offset(plain.first_data_page as i64)
        .set_total_compressed_size(size)
        .set_column_crypto_metadata(None)
        .build()
        .map_err(|e| Error::parquet(place.to_string(), e))?;
    let pages = SerializedPageReader::new(Arc::new(plain.bytes), &metadata, total_rows, None)
        .map_err(|e| Error::parquet(place.to_string(), e))?;
    Ok(get_column_reader(chunk.column_descr_ptr(), Box::new(pages)))
}

/// A column chunk decrypted.
struct PlainChunk {
    bytes: Bytes,
    has_dictionary: bool,
    /// Offset of the first data page.
    first_data_page: usize,
}

/// Decrypts the modules of an encrypted column chunk (`bytes`, all of it) into a
/// plaintext chunk.
fn decrypt_chunk(
    bytes: &[u8],
    dictionary_first: bool,
    decryptor: &ChunkDecryptor,
) -> std::result::Result<PlainChunk, String> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut pos = 0usize;
    let mut data_pages = 0;
    let mut has_dictionary = false;
    let mut first_data_page = None;
    while pos < bytes.len() {
        let page = if pos == 0 && dictionary_first {
            PageModule::Dictionary
        } else {
            PageModule::Data {
                ordinal: data_pages,
            }
        };
        let header_module = module_at(bytes, pos)?;
        let header = decryptor.header(header_module, page)?;
        let extent = page_extent(&header)
            .ok_or_else(|| format!("the decrypted page header at offset {pos} is corrupt"))?;
        pos += header_module.len();
        let body_len = usize::try_from(extent.body_len).unwrap_or(usize::MAX);
        let body_module = pos
            .checked_add(body_len)
            .and_then(|end| bytes.get(pos..end))
            .ok_or_else(|| {
                format!("the page at offset {pos} ({body_len} bytes) runs past the end of the column chunk")
            })?;
        let body = decryptor.page(body_module, page)?;
        pos += body_len;
        match page {
            PageModule::Dictionary if extent.page_type == DICTIONARY_PAGE => has_dictionary = true,
            PageModule::Dictionary => {
                return Err("the column chunk's first page is not the dictionary page its metadata announces".into());
            }
            PageModule::Data { .. } => {
                first_data_page.get_or_insert(out.len());
                data_pages += 1;
            }
        }
        // The header is the `PageHeader` struct at the start of the decrypted module;
        // writers may pad the module after it (parquet-mr's Bloom filter files do).
        let header = header.get(..extent.header_len as usize).unwrap_or(&header);
        let header = with_compressed_size(header, body.len())
            .ok_or_else(|| "a decrypted page header has no compressed_page_size".to_string())?;
        out.extend_from_slice(&header);
        out.extend_from_slice(&body);
    }
    Ok(PlainChunk {
        first_data_page: first_data_page.unwrap_or(out.len()),
        bytes: out.into(),
        has_dictionary,
    })
}

/// The module (4-byte length, then that many bytes) at `pos` of `bytes`.
fn module_at(bytes: &[u8], pos: usize) -> std::result::Result<&[u8], String> {
    let rest = &bytes[pos..];
    module_len(rest)
        .and_then(|len| rest.get(..usize::try_from(len).ok()?))
        .ok_or_else(|| {
            format!(
                "the encrypted page header at offset {pos} runs past the end of the column chunk"
            )
        })
}

/// `header` (a `PageHeader`) with its `compressed_page_size` (field 3) set to `size`.
fn with_compressed_size(header: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut reader = CompactReader::new(header);
    let mut last = 0;
    loop {
        let FieldHeader { id, ttype } = reader.field(last).ok()?;
        if ttype == 0 {
            return None;
        }
        last = id;
        if id == 3 && ttype == ttype::I32 {
            let start = reader.position();
            reader.zigzag().ok()?;
            let mut out = header[..start].to_vec();
            write_zigzag(&mut out, i64::try_from(size).ok()?);
            out.extend_from_slice(&header[reader.position()..]);
            return Some(out);
        }
        reader.skip(ttype, 1).ok()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_size_is_rewritten_in_place() {
        // type=DATA_PAGE, uncompressed=10, compressed=100 (two varint bytes), then a
        // data_page_header struct with num_values=3.
        let header = [
            0x15, 0x00, 0x15, 0x14, 0x15, 0xc8, 0x01, 0x2c, 0x15, 0x06, 0x00, 0x00,
        ];
        let rewritten = with_compressed_size(&header, 10).unwrap();
        assert_eq!(
            rewritten,
            [
                0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x06, 0x00, 0x00
            ]
        );
        let extent = page_extent(&rewritten).unwrap();
        assert_eq!((extent.body_len, extent.header_len), (10, 11));
        assert!(with_compressed_size(&[0x15, 0x00, 0x00], 1).is_none());
    }
}
