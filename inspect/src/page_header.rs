//! Page headers: the Thrift `PageHeader` in front of every page of a column chunk, decoded.
//!
//! The `parquet` crate decodes page headers internally but keeps the struct private in
//! 60.x, and the `Page`s its page reader returns have lost the header's sizes and offset.
//! `pages` needs exactly those, so this module decodes the header itself: the
//! `PageHeader`, `DataPageHeader`, `DataPageHeaderV2` and `DictionaryPageHeader` structs of
//! the format's `parquet.thrift`, field by field through the [`shred::thrift_compact`]
//! reader, into one [`PageHeader`]. Fields this tool does not show (statistics, unknown
//! future fields) are skipped by type. A corrupt header is an error, never a panic;
//! [`DecodeError::Truncated`] tells the caller to retry with more bytes.
//!
//! [`ChunkPages`] walks a column chunk header by header: header at `offset`, then
//! `compressed_page_size` bytes of page, then the next header, until the chunk's
//! `total_compressed_size` is used up. It reads only headers, never page bodies. In an
//! encrypted chunk ([`ChunkPages::decrypting`]) each header is an AES-GCM module that
//! [`shred::decryption::ChunkDecryptor`] decrypts (parquet-format `Encryption.md`), and a
//! page's `compressed_page_size` is the size of its encrypted module.
//!
//! ```
//! use shred_inspect::page_header::{PageHeader, PageKind};
//! // type=DATA_PAGE, uncompressed=10, compressed=10,
//! // data_page_header { num_values=3, encoding=PLAIN, def=RLE, rep=RLE }
//! let bytes = [0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x06, 0x15, 0x00,
//!              0x15, 0x06, 0x15, 0x06, 0x00, 0x00];
//! let (header, len) = PageHeader::decode(&bytes).unwrap();
//! assert_eq!(header.kind, PageKind::DataV1);
//! assert_eq!(header.num_values, 3);
//! assert_eq!(len, bytes.len());
//! ```

use std::fs::File;

use parquet::file::reader::ChunkReader;

use crate::error::{Error, Result};
use shred::decryption::{ChunkDecryptor, PageModule, module_len};
use shred::thrift_compact::{CompactReader, DecodeError, invalid};

/// The page types of `parquet.thrift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `DATA_PAGE` (v1).
    DataV1,
    /// `INDEX_PAGE` (never written by current writers).
    Index,
    /// `DICTIONARY_PAGE`.
    Dictionary,
    /// `DATA_PAGE_V2`.
    DataV2,
    /// A value this tool does not know.
    Unknown(i32),
}

impl PageKind {
    fn from_thrift(value: i32) -> Self {
        match value {
            0 => PageKind::DataV1,
            1 => PageKind::Index,
            2 => PageKind::Dictionary,
            3 => PageKind::DataV2,
            other => PageKind::Unknown(other),
        }
    }

    /// The name shown to users.
    pub fn name(self) -> String {
        match self {
            PageKind::DataV1 => "data v1".into(),
            PageKind::Index => "index".into(),
            PageKind::Dictionary => "dictionary".into(),
            PageKind::DataV2 => "data v2".into(),
            PageKind::Unknown(v) => format!("unknown ({v})"),
        }
    }

    /// True for data pages (v1 and v2), the pages that hold levels.
    pub fn is_data(self) -> bool {
        matches!(self, PageKind::DataV1 | PageKind::DataV2)
    }
}

/// The name of a `parquet.thrift` encoding number.
pub fn encoding_name(value: i32) -> String {
    match value {
        0 => "PLAIN".into(),
        2 => "PLAIN_DICTIONARY".into(),
        3 => "RLE".into(),
        4 => "BIT_PACKED".into(),
        5 => "DELTA_BINARY_PACKED".into(),
        6 => "DELTA_LENGTH_BYTE_ARRAY".into(),
        7 => "DELTA_BYTE_ARRAY".into(),
        8 => "RLE_DICTIONARY".into(),
        9 => "BYTE_STREAM_SPLIT".into(),
        other => format!("UNKNOWN({other})"),
    }
}

/// One decoded page header (the fields of the sub-header of its kind are set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageHeader {
    /// Page type.
    pub kind: PageKind,
    /// Size of the page body after decompression.
    pub uncompressed_size: i32,
    /// Size of the page body as stored.
    pub compressed_size: i32,
    /// CRC32 of the page body, when the writer stored one.
    pub crc: Option<i32>,
    /// Values in the page: levels (entries, nulls included) for data pages, dictionary
    /// entries for a dictionary page.
    pub num_values: i32,
    /// Encoding of the values.
    pub encoding: i32,
    /// v1: encoding of the definition levels.
    pub def_encoding: Option<i32>,
    /// v1: encoding of the repetition levels.
    pub rep_encoding: Option<i32>,
    /// v2: number of null entries.
    pub num_nulls: Option<i32>,
    /// v2: number of rows (records).
    pub num_rows: Option<i32>,
    /// v2: bytes of definition levels (stored uncompressed, RLE).
    pub def_levels_len: Option<i32>,
    /// v2: bytes of repetition levels (stored uncompressed, RLE).
    pub rep_levels_len: Option<i32>,
    /// v2: whether the values section is compressed (the spec's default is true).
    pub is_compressed: Option<bool>,
    /// Dictionary page: whether the entries are sorted.
    pub is_sorted: Option<bool>,
    /// Whether the header carries page statistics.
    pub has_statistics: bool,
}

impl Default for PageKind {
    fn default() -> Self {
        PageKind::Unknown(-1)
    }
}

impl PageHeader {
    /// Decodes a header from the start of `bytes`; returns it and its length in bytes.
    pub fn decode(bytes: &[u8]) -> std::result::Result<(PageHeader, usize), DecodeError> {
        let mut c = CompactReader::new(bytes);
        let mut h = PageHeader::default();
        let mut seen = [false; 4];
        let mut last = 0;
        loop {
            let f = c.field(last)?;
            if f.is_stop() {
                break;
            }
            match f.id {
                1 => {
                    h.kind = PageKind::from_thrift(c.expect_i32(&f, "type")?);
                    seen[0] = true;
                }
                2 => {
                    h.uncompressed_size = c.expect_i32(&f, "uncompressed_page_size")?;
                    seen[1] = true;
                }
                3 => {
                    h.compressed_size = c.expect_i32(&f, "compressed_page_size")?;
                    seen[2] = true;
                }
                4 => h.crc = Some(c.expect_i32(&f, "crc")?),
                5 => {
                    seen[3] = true;
                    c.read_struct(&f, "data_page_header", |c, g| {
                        match g.id {
                            1 => h.num_values = c.expect_i32(g, "num_values")?,
                            2 => h.encoding = c.expect_i32(g, "encoding")?,
                            3 => {
                                h.def_encoding = Some(c.expect_i32(g, "definition_level_encoding")?)
                            }
                            4 => {
                                h.rep_encoding = Some(c.expect_i32(g, "repetition_level_encoding")?)
                            }
                            5 => {
                                h.has_statistics = true;
                                return Ok(false);
                            }
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                7 => {
                    seen[3] = true;
                    c.read_struct(&f, "dictionary_page_header", |c, g| {
                        match g.id {
                            1 => h.num_values = c.expect_i32(g, "num_values")?,
                            2 => h.encoding = c.expect_i32(g, "encoding")?,
                            3 => h.is_sorted = Some(c.expect_bool(g, "is_sorted")?),
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                8 => {
                    seen[3] = true;
                    c.read_struct(&f, "data_page_header_v2", |c, g| {
                        match g.id {
                            1 => h.num_values = c.expect_i32(g, "num_values")?,
                            2 => h.num_nulls = Some(c.expect_i32(g, "num_nulls")?),
                            3 => h.num_rows = Some(c.expect_i32(g, "num_rows")?),
                            4 => h.encoding = c.expect_i32(g, "encoding")?,
                            5 => {
                                h.def_levels_len =
                                    Some(c.expect_i32(g, "definition_levels_byte_length")?)
                            }
                            6 => {
                                h.rep_levels_len =
                                    Some(c.expect_i32(g, "repetition_levels_byte_length")?)
                            }
                            7 => h.is_compressed = Some(c.expect_bool(g, "is_compressed")?),
                            8 => {
                                h.has_statistics = true;
                                return Ok(false);
                            }
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                _ => c.skip(f.ttype, 1)?,
            }
            last = f.id;
        }
        if !(seen[0] && seen[1] && seen[2]) {
            return invalid("a required field (type, uncompressed or compressed size) is missing");
        }
        if h.compressed_size < 0 || h.uncompressed_size < 0 {
            return invalid(format!(
                "negative page size (compressed {}, uncompressed {})",
                h.compressed_size, h.uncompressed_size
            ));
        }
        if !seen[3]
            && matches!(
                h.kind,
                PageKind::DataV1 | PageKind::DataV2 | PageKind::Dictionary
            )
        {
            return invalid(format!("{} page without its sub-header", h.kind.name()));
        }
        if h.num_values < 0 {
            return invalid(format!("negative num_values {}", h.num_values));
        }
        Ok((h, c.position()))
    }
}

/// One page of a column chunk: where it is and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// Index of the page in its column chunk (dictionary page included).
    pub index: usize,
    /// File offset of the page header.
    pub offset: u64,
    /// Length of the page header in bytes.
    pub header_len: usize,
    /// The decoded header.
    pub header: PageHeader,
}

/// Walks the pages of one column chunk, reading only their headers.
pub struct ChunkPages<'a> {
    file: &'a File,
    name: &'a str,
    context: String,
    pos: u64,
    end: u64,
    index: usize,
    failed: bool,
    decrypting: Option<Decrypting>,
}

/// How the headers of an encrypted chunk are decrypted.
struct Decrypting {
    decryptor: ChunkDecryptor,
    /// The chunk starts with a dictionary page (its metadata has a dictionary offset).
    dictionary_first: bool,
    /// Data pages walked so far: the next one's ordinal.
    data_pages: usize,
}

/// First guess at a header's size; doubled while the header is longer.
const FIRST_READ: usize = 256;
/// A header longer than this is corrupt (statistics are truncated well below it).
const MAX_HEADER: usize = 16 << 20;

impl<'a> ChunkPages<'a> {
    /// Pages of the chunk at bytes `start..start + len` of `file` (`name` and `context`,
    /// e.g. "row group 0, column a", label errors).
    pub fn new(
        file: &'a File,
        name: &'a str,
        file_len: u64,
        start: u64,
        len: u64,
        context: String,
    ) -> Result<Self> {
        let end = start.checked_add(len).filter(|&end| end <= file_len).ok_or_else(|| {
            Error::input(
                name,
                format!("{context}: corrupt metadata: the column chunk (offset {start}, {len} bytes) extends past the end of the file ({file_len} bytes)"),
            )
        })?;
        Ok(ChunkPages {
            file,
            name,
            context,
            pos: start,
            end,
            index: 0,
            failed: false,
            decrypting: None,
        })
    }

    /// Decrypts every header with `decryptor`, the chunk being encrypted; with
    /// `dictionary_first`, its first page is its dictionary page.
    pub fn decrypting(mut self, decryptor: ChunkDecryptor, dictionary_first: bool) -> Self {
        self.decrypting = Some(Decrypting {
            decryptor,
            dictionary_first,
            data_pages: 0,
        });
        self
    }

    fn error(&mut self, message: String) -> Error {
        self.failed = true;
        Error::input(
            self.name,
            format!("{}, page {}: {message}", self.context, self.index),
        )
    }

    fn next_page(&mut self) -> Result<Option<PageInfo>> {
        if self.failed || self.pos >= self.end {
            return Ok(None);
        }
        let remaining = (self.end - self.pos) as usize;
        let (header, header_len) = if self.decrypting.is_some() {
            self.decrypted_header(remaining)?
        } else {
            self.plain_header(remaining)?
        };
        let body_end = self.pos + header_len as u64 + header.compressed_size as u64;
        if body_end > self.end {
            let message = format!(
                "corrupt page header at offset {}: a page of {} bytes runs past the end of the column chunk (offset {})",
                self.pos, header.compressed_size, self.end
            );
            return Err(self.error(message));
        }
        let info = PageInfo {
            index: self.index,
            offset: self.pos,
            header_len,
            header,
        };
        self.pos = body_end;
        self.index += 1;
        Ok(Some(info))
    }
}

impl ChunkPages<'_> {
    /// Reads the plaintext page header at the cursor, and its length.
    fn plain_header(&mut self, remaining: usize) -> Result<(PageHeader, usize)> {
        let mut want = FIRST_READ.min(remaining);
        loop {
            let bytes = self.file.get_bytes(self.pos, want).map_err(|e| {
                self.error(format!(
                    "cannot read page header at offset {}: {e}",
                    self.pos
                ))
            })?;
            match PageHeader::decode(&bytes) {
                Ok(decoded) => return Ok(decoded),
                Err(DecodeError::Truncated) if want < remaining && want < MAX_HEADER => {
                    want = (want * 2).min(remaining).min(MAX_HEADER);
                }
                Err(DecodeError::Truncated) => {
                    let message = format!(
                        "corrupt page header at offset {}: it runs past the end of the column chunk",
                        self.pos
                    );
                    return Err(self.error(message));
                }
                Err(DecodeError::Invalid(why)) => {
                    let message = format!("corrupt page header at offset {}: {why}", self.pos);
                    return Err(self.error(message));
                }
            }
        }
    }

    /// Reads and decrypts the page header module at the cursor (parquet-format
    /// `Encryption.md`: a 4-byte length, then nonce, ciphertext and tag); its length is the
    /// module's.
    fn decrypted_header(&mut self, remaining: usize) -> Result<(PageHeader, usize)> {
        let at = self.pos;
        let past_end = |this: &mut Self| {
            let message = format!(
                "corrupt page header at offset {at}: it runs past the end of the column chunk"
            );
            this.error(message)
        };
        let module = match self
            .file
            .get_bytes(at, 4.min(remaining))
            .ok()
            .as_deref()
            .and_then(module_len)
        {
            Some(len) if len <= remaining as u64 => len as usize,
            _ => return Err(past_end(self)),
        };
        let bytes = self
            .file
            .get_bytes(at, module)
            .map_err(|e| self.error(format!("cannot read page header at offset {at}: {e}")))?;
        let Some(decrypting) = self.decrypting.as_mut() else {
            return Err(past_end(self));
        };
        let page = if self.index == 0 && decrypting.dictionary_first {
            PageModule::Dictionary
        } else {
            decrypting.data_pages += 1;
            PageModule::Data {
                ordinal: decrypting.data_pages - 1,
            }
        };
        let plain = decrypting
            .decryptor
            .header(&bytes, page)
            .map_err(|e| self.error(e))?;
        match PageHeader::decode(&plain) {
            Ok((header, _)) => Ok((header, module)),
            Err(DecodeError::Truncated) => Err(self.error(format!(
                "corrupt page header at offset {at}: truncated after decryption"
            ))),
            Err(DecodeError::Invalid(why)) => {
                Err(self.error(format!("corrupt page header at offset {at}: {why}")))
            }
        }
    }
}

impl Iterator for ChunkPages<'_> {
    type Item = Result<PageInfo>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_page().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::thrift_compact::ttype;

    /// A minimal compact-protocol writer for building test headers.
    fn zigzag(v: i64) -> Vec<u8> {
        let mut u = ((v << 1) ^ (v >> 63)) as u64;
        let mut out = Vec::new();
        loop {
            let b = (u & 0x7f) as u8;
            u >>= 7;
            if u == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    fn field_i32(delta: u8, v: i32) -> Vec<u8> {
        let mut out = vec![(delta << 4) | ttype::I32];
        out.extend(zigzag(v.into()));
        out
    }

    fn dictionary_header() -> Vec<u8> {
        let mut h = Vec::new();
        h.extend(field_i32(1, 2)); // type = DICTIONARY_PAGE
        h.extend(field_i32(1, 100));
        h.extend(field_i32(1, 60));
        h.push((4 << 4) | ttype::STRUCT); // field 7
        h.extend(field_i32(1, 5));
        h.extend(field_i32(1, 0));
        h.push((1 << 4) | ttype::BOOL_TRUE);
        h.push(0);
        h.push(0);
        h
    }

    #[test]
    fn dictionary_page_header() {
        let bytes = dictionary_header();
        let (h, len) = PageHeader::decode(&bytes).unwrap();
        assert_eq!(len, bytes.len());
        assert_eq!(h.kind, PageKind::Dictionary);
        assert_eq!((h.uncompressed_size, h.compressed_size), (100, 60));
        assert_eq!((h.num_values, h.encoding, h.is_sorted), (5, 0, Some(true)));
    }

    #[test]
    fn every_prefix_is_truncated() {
        let bytes = dictionary_header();
        for n in 0..bytes.len() {
            assert_eq!(
                PageHeader::decode(&bytes[..n]).unwrap_err(),
                DecodeError::Truncated,
                "{n}"
            );
        }
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let mut bytes = field_i32(1, 0);
        bytes.extend(field_i32(1, 10));
        bytes.extend(field_i32(1, 10));
        // field 5: the data page header, holding num_values and a statistics struct
        bytes.push((2 << 4) | ttype::STRUCT);
        bytes.extend(field_i32(1, 7));
        bytes.push((4 << 4) | ttype::STRUCT); // field 5: statistics
        bytes.push((1 << 4) | ttype::BINARY);
        bytes.push(3); // binary length (a plain varint)
        bytes.extend(b"max");
        bytes.push(0);
        bytes.push(0);
        // an unknown field 20: a list of two i64 and a map, then stop
        bytes.push(ttype::LIST);
        bytes.extend(zigzag(20));
        bytes.push((2 << 4) | ttype::I64);
        bytes.extend(zigzag(1));
        bytes.extend(zigzag(-1));
        bytes.push(0);
        let (h, len) = PageHeader::decode(&bytes).unwrap();
        assert_eq!(len, bytes.len());
        assert_eq!(h.kind, PageKind::DataV1);
        assert_eq!(h.num_values, 7);
        assert!(h.has_statistics);
    }

    #[test]
    fn missing_required_field_is_invalid() {
        let mut bytes = field_i32(1, 0);
        bytes.push(0);
        assert!(matches!(
            PageHeader::decode(&bytes),
            Err(DecodeError::Invalid(_))
        ));
    }

    #[test]
    fn negative_size_is_invalid() {
        let mut bytes = field_i32(1, 2);
        bytes.extend(field_i32(1, -5));
        bytes.extend(field_i32(1, 3));
        bytes.push(0);
        let err = PageHeader::decode(&bytes).unwrap_err();
        assert!(matches!(err, DecodeError::Invalid(m) if m.contains("negative page size")));
    }

    #[test]
    fn encoding_names() {
        assert_eq!(encoding_name(8), "RLE_DICTIONARY");
        assert_eq!(encoding_name(42), "UNKNOWN(42)");
    }
}
