//! A tolerant footer: a Parquet file as the `parquet` crate reads it, with the footer fields
//! it would reject repaired.
//!
//! The `parquet` crate decodes the footer (`FileMetaData` of the format's `parquet.thrift`,
//! in the Thrift compact protocol, `thrift/doc/specs/thrift-compact-protocol.md`) strictly:
//! a known field whose Thrift type is not the one the format gives it fails the whole file.
//! Arrow C++ and parquet-java skip such a field instead (parquet-mr 1.12 builds wrote a
//! list into `ColumnMetaData` field 15, which the format later made the i32
//! `bloom_filter_length`). [`ParquetSource::open`] walks the footer with the types of the
//! structs the crate decodes (`FileMetaData`, `SchemaElement`, `RowGroup`, `ColumnChunk`,
//! `ColumnMetaData`, `Statistics`, ...; unions such as `LogicalType` are copied as they
//! are) and, when a field has an unexpected type, writes a copy of the footer without it,
//! with a warning naming the field. The other repairs, each a warning too:
//! - a list of narrower integers where the format has wider ones (`list<i16>` for the
//!   `list<i32>` of encodings) is read as the wider type: integers are zigzag varints of
//!   any width on the wire, and Thrift C++ reads list elements without checking their type;
//! - a `dictionary_page_offset` of 0 is dropped: offset 0 is the file's magic number, never
//!   a page, and Arrow C++ and parquet-java read it as "no dictionary page";
//! - parquet-mr before 1.2.9 left the dictionary page header out of a column chunk's
//!   `total_compressed_size` (PARQUET-816); where the chunk's page headers show exactly
//!   that, the size is read with the header (Arrow C++ pads such chunks instead);
//! - a `FileMetaData.num_rows` that differs from the sum of the row groups' is read as
//!   that sum (Arrow C++ reads the row groups; arrow-rs would read no rows for a 0).
//!
//! The walk also lists the column chunks encrypted with Parquet modular encryption
//! (`ColumnChunk.crypto_metadata` in a plaintext footer), notes an encrypted footer
//! (`PARE`), and reads how the file was encrypted ([`FileEncryption`], from
//! `FileMetaData.encryption_algorithm` or the `FileCryptoMetaData` in front of an
//! encrypted footer), so that callers can decrypt it or name what they cannot read.
//!
//! A repaired file is presented to the crate as the original bytes up to the footer, then
//! the repaired footer, its length and `PAR1` ([`ParquetSource`] is a [`ChunkReader`]), so
//! every reader on top of it (footer, page index, column readers, arrow-rs) sees the same
//! repaired metadata at the same column chunk offsets. A footer that cannot be walked
//! (encrypted, truncated, not Thrift) is left alone for the crate to report.
//!
//! ```
//! use parquet::file::reader::{FileReader, SerializedFileReader};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("doc.parquet");
//! let schema = shred::Schema::parse(shred::fixtures::DOCUMENT_SCHEMA).unwrap();
//! let stripes = shred::shredder::shred_records(&schema, &shred::fixtures::document_records()).unwrap();
//! let bytes = shred::column_io::write_file(Vec::new(), &schema, Default::default(), [stripes]).unwrap();
//! std::fs::write(&path, bytes).unwrap();
//!
//! let source = shred::footer::ParquetSource::open(std::fs::File::open(&path).unwrap()).unwrap();
//! assert!(source.warnings().is_empty());
//! let reader = SerializedFileReader::new(source).unwrap();
//! assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
//! ```

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};

use crate::decryption::FileEncryption;
use crate::thrift_compact::{
    CompactReader, DecodeError, FieldHeader, ListHeader, MAX_DEPTH, ttype, write_zigzag,
};

/// The magic number at both ends of a Parquet file with a plaintext footer.
const MAGIC: &[u8; 4] = b"PAR1";
/// The magic number at the end of a file with an encrypted footer.
const MAGIC_ENCRYPTED: &[u8; 4] = b"PARE";

/// A Parquet file for the `parquet` crate's readers: the file itself, or the file with a
/// repaired footer in place of its own.
#[derive(Debug)]
pub struct ParquetSource {
    file: File,
    len: u64,
    repaired: Option<RepairedTail>,
    warnings: Vec<String>,
    encrypted: Vec<EncryptedChunk>,
    footer_encrypted: bool,
    encryption: Option<FileEncryption>,
}

/// The end of a repaired file: from `start` (where the original footer starts), the
/// repaired footer, its length and the magic number.
#[derive(Debug)]
struct RepairedTail {
    start: u64,
    bytes: Bytes,
}

impl ParquetSource {
    /// Opens `file`, walks its footer and repairs it where the `parquet` crate would reject
    /// it; [`Self::warnings`] says what was repaired. Fails only on I/O errors.
    pub fn open(mut file: File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        let mut source = ParquetSource {
            file: file.try_clone()?,
            len,
            repaired: None,
            warnings: Vec::new(),
            encrypted: Vec::new(),
            footer_encrypted: false,
            encryption: None,
        };
        let Some(footer) = read_footer(&mut file, len, MAGIC)? else {
            if let Some(footer) = read_footer(&mut file, len, MAGIC_ENCRYPTED)? {
                source.footer_encrypted = true;
                source.encryption = FileEncryption::from_crypto_metadata(&footer).ok();
            }
            return Ok(source);
        };
        source.encryption = FileEncryption::from_file_metadata(&footer).ok().flatten();
        let start = len - 8 - footer.len() as u64;
        let mut probe =
            |chunk: u64, size: u64| missing_dictionary_header(&file, start, chunk, size);
        let Ok(walked) = repair_footer(&footer, &mut probe) else {
            return Ok(source);
        };
        source.encrypted = walked.encrypted;
        if let Some(repair) = walked.repair {
            let mut bytes = repair.footer;
            // A footer past 4 GiB cannot be framed: leave it to the crate to report.
            let Ok(footer_len) = u32::try_from(bytes.len()) else {
                return Ok(source);
            };
            bytes.extend_from_slice(&footer_len.to_le_bytes());
            bytes.extend_from_slice(MAGIC);
            source.repaired = Some(RepairedTail {
                start,
                bytes: bytes.into(),
            });
            source.warnings = repair.warnings;
        }
        Ok(source)
    }

    /// What the repair changed, one line each; empty when the footer was read as it is.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// True for a file with an encrypted footer (`PARE` magic; the format's
    /// `Encryption.md`).
    pub fn footer_encrypted(&self) -> bool {
        self.footer_encrypted
    }

    /// The encrypted column chunks of a file with a plaintext footer.
    pub fn encrypted(&self) -> &[EncryptedChunk] {
        &self.encrypted
    }

    /// How the file was encrypted, when it was (and its footer says so readably).
    pub fn encryption(&self) -> Option<&FileEncryption> {
        self.encryption.as_ref()
    }
}

/// Reads the footer bytes of a file that ends in a footer, its length and `magic`.
fn read_footer(file: &mut File, len: u64, magic: &[u8; 4]) -> std::io::Result<Option<Vec<u8>>> {
    if len < 12 {
        return Ok(None);
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(len - 8))?;
    file.read_exact(&mut tail)?;
    if &tail[4..] != magic {
        return Ok(None);
    }
    let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_len > len - 12 {
        return Ok(None);
    }
    let mut footer = vec![0u8; footer_len as usize];
    file.seek(SeekFrom::Start(len - 8 - footer_len))?;
    file.read_exact(&mut footer)?;
    Ok(Some(footer))
}

impl Length for ParquetSource {
    fn len(&self) -> u64 {
        match &self.repaired {
            Some(tail) => tail.start + tail.bytes.len() as u64,
            None => self.len,
        }
    }
}

/// A reader from some offset of a [`ParquetSource`].
pub enum SourceRead {
    /// Inside the original file (up to the repaired footer, when there is one).
    File(std::io::Take<std::io::BufReader<File>>),
    /// The original file up to the repaired footer, then the repaired footer.
    Chain(std::io::Chain<std::io::Take<std::io::BufReader<File>>, std::io::Cursor<Bytes>>),
}

impl Read for SourceRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            SourceRead::File(r) => r.read(buf),
            SourceRead::Chain(r) => r.read(buf),
        }
    }
}

impl ChunkReader for ParquetSource {
    type T = SourceRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<SourceRead> {
        let Some(tail) = &self.repaired else {
            return Ok(SourceRead::File(self.file.get_read(start)?.take(u64::MAX)));
        };
        let file_part = self.file.get_read(start.min(tail.start))?;
        let file_part = file_part.take(tail.start.saturating_sub(start));
        let mut tail_part = std::io::Cursor::new(tail.bytes.clone());
        tail_part.set_position(start.saturating_sub(tail.start));
        Ok(SourceRead::Chain(file_part.chain(tail_part)))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let Some(tail) = &self.repaired else {
            return self.file.get_bytes(start, length);
        };
        let end = start.saturating_add(length as u64);
        if end <= tail.start {
            return self.file.get_bytes(start, length);
        }
        let mut out = Vec::with_capacity(length);
        if start < tail.start {
            out.extend_from_slice(&self.file.get_bytes(start, (tail.start - start) as usize)?);
        }
        let from = start.saturating_sub(tail.start) as usize;
        let to = (end - tail.start) as usize;
        if to > tail.bytes.len() {
            return Err(parquet::errors::ParquetError::EOF(format!(
                "Expected to read {length} bytes at offset {start}, the file has {}",
                self.len()
            )));
        }
        out.extend_from_slice(&tail.bytes[from..to]);
        Ok(out.into())
    }
}

/// The column chunks of `metadata` that do not lie inside a file of `file_len` bytes, one
/// message each: "row group R, column C: the column chunk (offset O, N bytes) lies past
/// the end of the file (L bytes)". The `parquet` crate's readers assume they all do.
pub fn chunks_outside(metadata: &ParquetMetaData, file_len: u64) -> Vec<String> {
    let mut outside = Vec::new();
    for (i, rg) in metadata.row_groups().iter().enumerate() {
        for chunk in rg.columns() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let len = chunk.compressed_size();
            let inside = start >= 0
                && chunk.data_page_offset() >= 0
                && len >= 0
                && (start as u64)
                    .checked_add(len as u64)
                    .is_some_and(|end| end <= file_len);
            if !inside {
                outside.push(format!(
                    "row group {i}, column {}: the column chunk (offset {start}, {len} bytes) lies past the end of the file ({file_len} bytes)",
                    chunk.column_path().string()
                ));
            }
        }
    }
    outside
}

/// A footer with fields dropped, and why each was dropped.
struct Repair {
    footer: Vec<u8>,
    warnings: Vec<String>,
}

/// Walks `footer` (a `FileMetaData`, possibly followed by a plaintext footer's signature)
/// and returns a repaired copy when something had to be dropped.
fn repair_footer(
    footer: &[u8],
    missing_dictionary_header: &mut dyn FnMut(u64, u64) -> Option<u64>,
) -> Result<Walked, Invalid> {
    let mut walk = Walk::new(footer, None);
    walk.copy_struct(&FILE_META_DATA, "", 0)?;
    let encrypted = std::mem::take(&mut walk.encrypted);
    let old_parquet_mr = walk.created_by.as_deref().is_some_and(parquet_816);
    let num_rows = (walk.num_rows != Some(walk.row_group_rows)).then_some(walk.row_group_rows);
    if old_parquet_mr || num_rows.is_some() {
        // Walk again with what the first walk found: the row groups' total (it comes
        // after `num_rows`), and the writer (it comes after the column chunks).
        walk = Walk::new(footer, old_parquet_mr.then_some(missing_dictionary_header));
        walk.num_rows_fix = num_rows;
        walk.copy_struct(&FILE_META_DATA, "", 0)?;
    }
    if walk.warnings.is_empty() {
        return Ok(Walked {
            repair: None,
            encrypted,
        });
    }
    walk.out.extend_from_slice(&footer[walk.input.position()..]);
    Ok(Walked {
        repair: Some(Repair {
            footer: walk.out,
            warnings: walk.warnings,
        }),
        encrypted,
    })
}

/// What walking a footer found: a repair when one was needed, and the encrypted column
/// chunks.
struct Walked {
    repair: Option<Repair>,
    encrypted: Vec<EncryptedChunk>,
}

/// A column chunk encrypted with Parquet modular encryption (`ColumnChunk.crypto_metadata`
/// in a plaintext footer; the format's `Encryption.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedChunk {
    /// Row group index.
    pub row_group: usize,
    /// Column index (leaf order).
    pub column: usize,
    /// The column key's metadata (often a key id) when the chunk has its own key; `None`
    /// when it is encrypted with the footer key.
    pub key_metadata: Option<Vec<u8>>,
}

impl EncryptedChunk {
    /// "row group R, column PATH is encrypted with column key "kc1"" (the key metadata as
    /// text when it is printable, else its length), or "... with the footer key".
    pub fn describe(&self, path: &str) -> String {
        let key = match &self.key_metadata {
            None => "the footer key".to_string(),
            Some(m) => match std::str::from_utf8(m) {
                Ok(text) if !text.chars().any(char::is_control) => {
                    format!("column key \"{text}\"")
                }
                _ => format!("a column key ({} bytes of key metadata)", m.len()),
            },
        };
        format!(
            "row group {}, column {path} is encrypted (Parquet modular encryption) with {key}",
            self.row_group
        )
    }
}

/// True for parquet-mr before 1.2.9, which left the dictionary page header out of a
/// column chunk's `total_compressed_size` (PARQUET-816, IMPALA-694; Arrow C++ pads such
/// chunks). `created_by` is "parquet-mr version 1.2.8 (build ...)", or just "parquet-mr"
/// in the oldest files.
fn parquet_816(created_by: &[u8]) -> bool {
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
fn missing_dictionary_header(file: &File, limit: u64, start: u64, size: u64) -> Option<u64> {
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

/// The footer could not be walked: the `parquet` crate reports it.
#[derive(Debug)]
struct Invalid;

impl From<DecodeError> for Invalid {
    fn from(_: DecodeError) -> Self {
        Invalid
    }
}

/// The type `parquet.thrift` gives a field.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Bool,
    I16,
    I32,
    I64,
    Binary,
    List(&'static Ty),
    /// A struct whose fields are checked.
    Struct(&'static StructTy),
    /// A struct or union copied as it is.
    Opaque,
    /// `ColumnMetaData.dictionary_page_offset`: an i64 where 0 means "no dictionary page".
    DictionaryPageOffset,
    /// `ColumnMetaData.total_compressed_size`: an i64 that old parquet-mr wrote too small.
    TotalCompressedSize,
}

impl Ty {
    /// True when a list element of compact type `ttype` is a narrower integer than this
    /// type: integers are zigzag varints of any width on the wire, so the list reads as
    /// this type once its header says so (Thrift C++, which Arrow C++ uses, reads list
    /// elements this way without checking the element type).
    fn widens(self, ttype: u8) -> bool {
        match self {
            Ty::I32 => ttype == ttype::I16,
            Ty::I64 => matches!(ttype, ttype::I16 | ttype::I32),
            _ => false,
        }
    }

    /// The compact type id of an integer type.
    fn integer_ttype(self) -> Option<u8> {
        match self {
            Ty::I16 => Some(ttype::I16),
            Ty::I32 => Some(ttype::I32),
            Ty::I64 => Some(ttype::I64),
            _ => None,
        }
    }

    fn matches(self, ttype: u8) -> bool {
        match self {
            Ty::Bool => matches!(ttype, ttype::BOOL_TRUE | ttype::BOOL_FALSE),
            Ty::I16 => ttype == ttype::I16,
            Ty::I32 => ttype == ttype::I32,
            Ty::I64 | Ty::DictionaryPageOffset | Ty::TotalCompressedSize => ttype == ttype::I64,
            Ty::Binary => ttype == ttype::BINARY,
            Ty::List(_) => ttype == ttype::LIST,
            Ty::Struct(_) | Ty::Opaque => ttype == ttype::STRUCT,
        }
    }
}

/// A struct of `parquet.thrift`: its name and its fields (id, name, type).
#[derive(Debug)]
struct StructTy {
    fields: &'static [(i16, &'static str, Ty)],
}

impl StructTy {
    fn field(&self, id: i16) -> Option<(&'static str, Ty)> {
        self.fields
            .iter()
            .find(|f| f.0 == id)
            .map(|&(_, name, ty)| (name, ty))
    }
}

static KEY_VALUE: StructTy = StructTy {
    fields: &[(1, "key", Ty::Binary), (2, "value", Ty::Binary)],
};
static SCHEMA_ELEMENT: StructTy = StructTy {
    fields: &[
        (1, "type", Ty::I32),
        (2, "type_length", Ty::I32),
        (3, "repetition_type", Ty::I32),
        (4, "name", Ty::Binary),
        (5, "num_children", Ty::I32),
        (6, "converted_type", Ty::I32),
        (7, "scale", Ty::I32),
        (8, "precision", Ty::I32),
        (9, "field_id", Ty::I32),
        (10, "logicalType", Ty::Opaque),
    ],
};
static STATISTICS: StructTy = StructTy {
    fields: &[
        (1, "max", Ty::Binary),
        (2, "min", Ty::Binary),
        (3, "null_count", Ty::I64),
        (4, "distinct_count", Ty::I64),
        (5, "max_value", Ty::Binary),
        (6, "min_value", Ty::Binary),
        (7, "is_max_value_exact", Ty::Bool),
        (8, "is_min_value_exact", Ty::Bool),
    ],
};
static PAGE_ENCODING_STATS: StructTy = StructTy {
    fields: &[
        (1, "page_type", Ty::I32),
        (2, "encoding", Ty::I32),
        (3, "count", Ty::I32),
    ],
};
static SIZE_STATISTICS: StructTy = StructTy {
    fields: &[
        (1, "unencoded_byte_array_data_bytes", Ty::I64),
        (2, "repetition_level_histogram", Ty::List(&Ty::I64)),
        (3, "definition_level_histogram", Ty::List(&Ty::I64)),
    ],
};
static COLUMN_META_DATA: StructTy = StructTy {
    fields: &[
        (1, "type", Ty::I32),
        (2, "encodings", Ty::List(&Ty::I32)),
        (3, "path_in_schema", Ty::List(&Ty::Binary)),
        (4, "codec", Ty::I32),
        (5, "num_values", Ty::I64),
        (6, "total_uncompressed_size", Ty::I64),
        (7, "total_compressed_size", Ty::TotalCompressedSize),
        (8, "key_value_metadata", Ty::List(&Ty::Struct(&KEY_VALUE))),
        (9, "data_page_offset", Ty::I64),
        (10, "index_page_offset", Ty::I64),
        (11, "dictionary_page_offset", Ty::DictionaryPageOffset),
        (12, "statistics", Ty::Struct(&STATISTICS)),
        (
            13,
            "encoding_stats",
            Ty::List(&Ty::Struct(&PAGE_ENCODING_STATS)),
        ),
        (14, "bloom_filter_offset", Ty::I64),
        (15, "bloom_filter_length", Ty::I32),
        (16, "size_statistics", Ty::Struct(&SIZE_STATISTICS)),
        (17, "geospatial_statistics", Ty::Opaque),
    ],
};
static COLUMN_CHUNK: StructTy = StructTy {
    fields: &[
        (1, "file_path", Ty::Binary),
        (2, "file_offset", Ty::I64),
        (3, "meta_data", Ty::Struct(&COLUMN_META_DATA)),
        (4, "offset_index_offset", Ty::I64),
        (5, "offset_index_length", Ty::I32),
        (6, "column_index_offset", Ty::I64),
        (7, "column_index_length", Ty::I32),
        (8, "crypto_metadata", Ty::Opaque),
        (9, "encrypted_column_metadata", Ty::Binary),
    ],
};
static SORTING_COLUMN: StructTy = StructTy {
    fields: &[
        (1, "column_idx", Ty::I32),
        (2, "descending", Ty::Bool),
        (3, "nulls_first", Ty::Bool),
    ],
};
static ROW_GROUP: StructTy = StructTy {
    fields: &[
        (1, "columns", Ty::List(&Ty::Struct(&COLUMN_CHUNK))),
        (2, "total_byte_size", Ty::I64),
        (3, "num_rows", Ty::I64),
        (4, "sorting_columns", Ty::List(&Ty::Struct(&SORTING_COLUMN))),
        (5, "file_offset", Ty::I64),
        (6, "total_compressed_size", Ty::I64),
        (7, "ordinal", Ty::I16),
    ],
};
static FILE_META_DATA: StructTy = StructTy {
    fields: &[
        (1, "version", Ty::I32),
        (2, "schema", Ty::List(&Ty::Struct(&SCHEMA_ELEMENT))),
        (3, "num_rows", Ty::I64),
        (4, "row_groups", Ty::List(&Ty::Struct(&ROW_GROUP))),
        (5, "key_value_metadata", Ty::List(&Ty::Struct(&KEY_VALUE))),
        (6, "created_by", Ty::Binary),
        (7, "column_orders", Ty::List(&Ty::Opaque)),
        (8, "encryption_algorithm", Ty::Opaque),
        (9, "footer_signing_key_metadata", Ty::Binary),
    ],
};

/// The compact type of a value in the footer; for a non-empty list, its element type too.
struct Found {
    ttype: u8,
    elem: Option<u8>,
}

impl Found {
    /// True for a list whose elements are not of the type the format gives them, and
    /// cannot be widened to it.
    fn mismatched_elements(&self, ty: Ty) -> bool {
        match (ty, self.elem) {
            (Ty::List(elem), Some(found)) => !elem.matches(found) && !elem.widens(found),
            _ => false,
        }
    }

    /// "list<struct>", "i32", ...
    fn name(&self) -> String {
        match self.elem {
            Some(elem) => format!("{}<{}>", type_name(self.ttype), type_name(elem)),
            None => type_name(self.ttype).to_string(),
        }
    }
}

/// The name of a compact-protocol type, for warnings.
fn type_name(ttype: u8) -> &'static str {
    match ttype {
        ttype::BOOL_TRUE | ttype::BOOL_FALSE => "bool",
        ttype::BYTE => "byte",
        ttype::I16 => "i16",
        ttype::I32 => "i32",
        ttype::I64 => "i64",
        ttype::DOUBLE => "double",
        ttype::BINARY => "binary",
        ttype::LIST => "list",
        ttype::SET => "set",
        ttype::MAP => "map",
        ttype::STRUCT => "struct",
        _ => "unknown",
    }
}

/// The format's type of a field, for warnings.
fn ty_name(ty: Ty) -> String {
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I16 => "i16".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 | Ty::DictionaryPageOffset | Ty::TotalCompressedSize => "i64".into(),
        Ty::Binary => "binary".into(),
        Ty::List(elem) => format!("list<{}>", ty_name(*elem)),
        Ty::Struct(_) | Ty::Opaque => "struct".into(),
    }
}

/// A copy of compact-protocol bytes in progress: what `input` has read is consumed, `out`
/// holds what is kept of it.
struct Walk<'a> {
    input: CompactReader<'a>,
    out: Vec<u8>,
    warnings: Vec<String>,
    /// `FileMetaData.created_by`, once walked past.
    created_by: Option<Vec<u8>>,
    /// For writers that left the dictionary page header out of a column chunk's size:
    /// given a chunk's start and stated size, the length of the dictionary page header
    /// it leaves out, when its pages show exactly that.
    missing_dictionary_header: Option<&'a mut dyn FnMut(u64, u64) -> Option<u64>>,
    /// The bytes to add to the current `ColumnMetaData.total_compressed_size`.
    size_fix: Option<u64>,
    /// `FileMetaData.num_rows`, once walked past.
    num_rows: Option<i64>,
    /// The sum of the row groups' `num_rows`.
    row_group_rows: i64,
    /// The `FileMetaData.num_rows` to write instead of the file's.
    num_rows_fix: Option<i64>,
    /// Row groups walked into so far, and column chunks in the current one.
    row_groups: usize,
    columns: usize,
    /// Column chunks with `crypto_metadata`.
    encrypted: Vec<EncryptedChunk>,
}

impl<'a> Walk<'a> {
    fn new(
        input: &'a [u8],
        missing_dictionary_header: Option<&'a mut dyn FnMut(u64, u64) -> Option<u64>>,
    ) -> Self {
        Walk {
            input: CompactReader::new(input),
            out: Vec::with_capacity(input.len()),
            warnings: Vec::new(),
            created_by: None,
            missing_dictionary_header,
            size_fix: None,
            num_rows: None,
            row_group_rows: 0,
            num_rows_fix: None,
            row_groups: 0,
            columns: 0,
            encrypted: Vec::new(),
        }
    }

    /// Reads the offsets and size of the `ColumnMetaData` at the cursor (the cursor does
    /// not move): where the chunk starts and its stated size.
    fn chunk_extent(&mut self) -> Result<Option<(u64, u64)>, Invalid> {
        let start = self.input.position();
        let mut last = 0;
        let (mut data, mut dictionary, mut size) = (None, None, None);
        loop {
            let FieldHeader { id, ttype } = self.input.field(last)?;
            if ttype == 0 {
                break;
            }
            last = id;
            match (id, ttype) {
                (7, ttype::I64) => size = Some(self.input.zigzag()?),
                (9, ttype::I64) => data = Some(self.input.zigzag()?),
                (11, ttype::I64) => dictionary = Some(self.input.zigzag()?),
                _ => self.input.skip(ttype, 1)?,
            }
        }
        self.input.seek(start);
        let chunk_start = match (dictionary, data) {
            (Some(d), _) if d > 0 => d,
            (_, Some(d)) => d,
            _ => return Ok(None),
        };
        Ok(u64::try_from(chunk_start)
            .ok()
            .zip(size.and_then(|s| u64::try_from(s).ok())))
    }

    /// Writes a field header for field `id` after the last written field `last_id`.
    fn write_field_header(&mut self, id: i16, last_id: i16, ttype: u8) {
        let delta = i32::from(id) - i32::from(last_id);
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ttype);
        } else {
            self.out.push(ttype);
            write_zigzag(&mut self.out, i64::from(id));
        }
    }

    /// Copies one struct of type `ty` at `path`, dropping the fields the format types
    /// differently.
    fn copy_struct(&mut self, ty: &StructTy, path: &str, depth: u32) -> Result<(), Invalid> {
        if depth > MAX_DEPTH {
            return Err(Invalid);
        }
        let mut last_read = 0i16;
        let mut last_written = 0i16;
        if std::ptr::eq(ty, &ROW_GROUP) {
            self.row_groups += 1;
            self.columns = 0;
        }
        if std::ptr::eq(ty, &COLUMN_CHUNK) {
            self.columns += 1;
        }
        if std::ptr::eq(ty, &COLUMN_META_DATA) && self.missing_dictionary_header.is_some() {
            self.size_fix = match self.chunk_extent()? {
                Some((start, size)) => self
                    .missing_dictionary_header
                    .as_mut()
                    .and_then(|probe| probe(start, size)),
                None => None,
            };
        }
        loop {
            let FieldHeader { id, ttype } = self.input.field(last_read)?;
            if ttype == 0 {
                self.out.push(0);
                return Ok(());
            }
            last_read = id;
            let Some((name, field_ty)) = ty.field(id) else {
                // A field the crate does not know: it skips it, so it is kept as it is.
                self.write_field_header(id, last_written, ttype);
                last_written = id;
                self.copy_value(ttype, depth)?;
                continue;
            };
            let field_path = join(path, name);
            let found = self.found_type(ttype)?;
            if !field_ty.matches(ttype) || found.mismatched_elements(field_ty) {
                self.input.skip(ttype, depth)?;
                self.warnings.push(format!(
                    "footer field {field_path} ({id}) is a {} where the format has {}: skipped, as Arrow C++ and parquet-java do",
                    found.name(),
                    ty_name(field_ty)
                ));
                continue;
            }
            if let Ty::DictionaryPageOffset = field_ty {
                let start = self.input.position();
                if self.input.zigzag()? == 0 {
                    self.warnings.push(format!(
                        "footer field {field_path} is 0, the offset of the file's magic number: read as no dictionary page, as Arrow C++ and parquet-java do"
                    ));
                    continue;
                }
                self.input.seek(start);
            }
            if std::ptr::eq(ty, &FILE_META_DATA) && id == 6 {
                let start = self.input.position();
                self.created_by = Some(self.input.binary()?.to_vec());
                self.input.seek(start);
            }
            if std::ptr::eq(ty, &COLUMN_CHUNK) && id == 8 {
                let start = self.input.position();
                let key_metadata = self.column_key_metadata()?;
                self.input.seek(start);
                self.encrypted.push(EncryptedChunk {
                    row_group: self.row_groups.saturating_sub(1),
                    column: self.columns.saturating_sub(1),
                    key_metadata,
                });
            }
            let file_rows = std::ptr::eq(ty, &FILE_META_DATA) && id == 3;
            if file_rows || std::ptr::eq(ty, &ROW_GROUP) && id == 3 {
                let start = self.input.position();
                let rows = self.input.zigzag()?;
                self.input.seek(start);
                if file_rows {
                    self.num_rows = Some(rows);
                } else {
                    self.row_group_rows = self.row_group_rows.saturating_add(rows);
                }
            }
            self.write_field_header(id, last_written, ttype);
            last_written = id;
            if let (true, Some(fixed)) = (file_rows, self.num_rows_fix) {
                let rows = self.input.zigzag()?;
                self.warnings.push(format!(
                    "footer field {field_path} is {rows}, but the row groups hold {fixed} rows: read as {fixed}, as Arrow C++ does (it reads the row groups)"
                ));
                write_zigzag(&mut self.out, fixed);
                continue;
            }
            if let (Ty::TotalCompressedSize, Some(missing)) = (field_ty, self.size_fix) {
                let size = self.input.zigzag()?;
                let fixed = size.saturating_add(missing as i64);
                self.warnings.push(format!(
                    "footer field {field_path} is {size}, which leaves out the {missing}-byte dictionary page header (parquet-mr before 1.2.9, PARQUET-816): read as {fixed}, as Arrow C++ does"
                ));
                write_zigzag(&mut self.out, fixed);
                continue;
            }
            self.copy_typed(field_ty, ttype, &field_path, depth)?;
        }
    }

    /// Reads a `ColumnCryptoMetaData` union: `ENCRYPTION_WITH_FOOTER_KEY` (1) gives
    /// `None`, `ENCRYPTION_WITH_COLUMN_KEY` (2) its `key_metadata` (field 2), if any.
    fn column_key_metadata(&mut self) -> Result<Option<Vec<u8>>, Invalid> {
        let mut key = None;
        let mut last = 0;
        loop {
            let FieldHeader { id, ttype } = self.input.field(last)?;
            if ttype == 0 {
                return Ok(key);
            }
            last = id;
            if id != 2 || ttype != ttype::STRUCT {
                self.input.skip(ttype, 1)?;
                continue;
            }
            let mut inner_last = 0;
            loop {
                let FieldHeader {
                    id: inner,
                    ttype: inner_type,
                } = self.input.field(inner_last)?;
                if inner_type == 0 {
                    break;
                }
                inner_last = inner;
                if inner == 2 && inner_type == ttype::BINARY {
                    key = Some(self.input.binary()?.to_vec());
                } else {
                    self.input.skip(inner_type, 2)?;
                }
            }
        }
    }

    /// Copies a value whose type matches `ty`, checking inside structs and lists.
    fn copy_typed(&mut self, ty: Ty, ttype: u8, path: &str, depth: u32) -> Result<(), Invalid> {
        match ty {
            Ty::Struct(inner) => self.copy_struct(inner, path, depth + 1),
            Ty::List(elem) => {
                let header_start = self.input.position();
                let ListHeader {
                    elem: elem_ttype,
                    size,
                } = self.input.list_header()?;
                let header = self.input.since(header_start);
                match elem.integer_ttype() {
                    Some(wide) if size > 0 && elem.widens(elem_ttype) => {
                        self.warnings.push(format!(
                            "footer field {path} is a list<{}> where the format has {}: read as {}, its values are the same varints",
                            type_name(elem_ttype),
                            ty_name(ty),
                            ty_name(ty)
                        ));
                        self.out.push((header[0] & 0xf0) | wide);
                        self.out.extend_from_slice(&header[1..]);
                    }
                    _ => self.out.extend_from_slice(header),
                }
                for i in 0..size {
                    match elem {
                        Ty::Struct(inner) => {
                            self.copy_struct(inner, &format!("{path}[{i}]"), depth + 1)?
                        }
                        _ => self.copy_value(elem_ttype, depth + 1)?,
                    }
                }
                Ok(())
            }
            _ => self.copy_value(ttype, depth),
        }
    }

    /// The type of the value at the cursor, with a list's element type (the cursor does
    /// not move).
    fn found_type(&mut self, ttype: u8) -> Result<Found, Invalid> {
        let elem = if matches!(ttype, ttype::LIST | ttype::SET) {
            let start = self.input.position();
            let ListHeader { elem, size } = self.input.list_header()?;
            self.input.seek(start);
            (size > 0).then_some(elem)
        } else {
            None
        };
        Ok(Found { ttype, elem })
    }

    /// Copies one value of compact type `ttype` as it is.
    fn copy_value(&mut self, ttype: u8, depth: u32) -> Result<(), Invalid> {
        let start = self.input.position();
        self.input.skip(ttype, depth)?;
        self.out.extend_from_slice(self.input.since(start));
        Ok(())
    }
}

/// `parent.name`, or `name` at the top.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::PathBuf;

    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    /// A file of the parquet-testing corpus vendored in `tests/data/parquet-testing`.
    pub(crate) fn corpus(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/parquet-testing")
            .join(name)
    }

    fn open(name: &str) -> ParquetSource {
        ParquetSource::open(File::open(corpus(name)).unwrap()).unwrap()
    }

    #[test]
    fn sound_footer_is_read_as_it_is() {
        let source = open("data/alltypes_plain.parquet");
        assert!(source.warnings().is_empty());
        assert!(source.repaired.is_none());
        let len = std::fs::metadata(corpus("data/alltypes_plain.parquet"))
            .unwrap()
            .len();
        assert_eq!(Length::len(&source), len);
    }

    #[test]
    fn wrong_typed_field_is_skipped_and_zero_dictionary_offset_is_none() {
        let source = open("data/dict-page-offset-zero.parquet");
        let warnings = source.warnings().to_vec();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("dictionary_page_offset is 0"));
        assert!(warnings[1].contains("bloom_filter_length (15) is a list<struct>"));
        let reader = SerializedFileReader::new(source).unwrap();
        let chunk = reader.metadata().row_group(0).column(0);
        assert_eq!(chunk.dictionary_page_offset(), None);
        assert_eq!(chunk.data_page_offset(), 4);
        assert_eq!(reader.metadata().file_metadata().num_rows(), 39);
    }

    #[test]
    fn narrower_integer_list_is_widened() {
        let source = open("bad_data/ARROW-GH-41317.parquet");
        assert_eq!(source.warnings().len(), 1);
        assert!(source.warnings()[0].contains("columns[2].meta_data.encodings is a list<i16>"));
        let reader = SerializedFileReader::new(source).unwrap();
        assert_eq!(
            reader.metadata().row_group(1).column(2).encodings().count(),
            3
        );
    }

    #[test]
    fn dictionary_header_left_out_by_old_parquet_mr_is_added() {
        let source = open("data/nation.dict-malformed.parquet");
        assert_eq!(source.warnings().len(), 2, "{:?}", source.warnings());
        assert!(source.warnings()[0].contains("is 322, which leaves out the 15-byte"));
        let reader = SerializedFileReader::new(source).unwrap();
        let sizes: Vec<i64> = reader
            .metadata()
            .row_group(0)
            .columns()
            .iter()
            .map(|c| c.compressed_size())
            .collect();
        assert_eq!(sizes, [125, 337, 125, 2017]);
    }

    #[test]
    fn file_row_count_follows_the_row_groups() {
        let source = open("data/repeated_no_annotation.parquet");
        assert_eq!(
            source.warnings(),
            [
                "footer field num_rows is 0, but the row groups hold 6 rows: read as 6, as Arrow C++ does (it reads the row groups)"
            ]
        );
        let reader = SerializedFileReader::new(source).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 6);
    }

    #[test]
    fn reads_span_the_file_and_the_repaired_footer() {
        let path = corpus("data/dict-page-offset-zero.parquet");
        let original = std::fs::read(&path).unwrap();
        let source = open("data/dict-page-offset-zero.parquet");
        let tail = source.repaired.as_ref().unwrap();
        let start = tail.start;
        let len = Length::len(&source);
        let all = source.get_bytes(0, len as usize).unwrap();
        assert_eq!(&all[..start as usize], &original[..start as usize]);
        assert_eq!(&all[start as usize..], &tail.bytes[..]);
        let mut read = Vec::new();
        source
            .get_read(start - 3)
            .unwrap()
            .read_to_end(&mut read)
            .unwrap();
        assert_eq!(read, &all[start as usize - 3..]);
        assert!(source.get_bytes(len - 2, 3).is_err());
    }

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

    #[test]
    fn encryption_is_read_from_either_footer() {
        use crate::decryption::Algorithm;
        let encryption = |name: &str| open(name).encryption().cloned().unwrap();
        let uniform = encryption("data/uniform_encryption.parquet.encrypted");
        assert_eq!(uniform.algorithm, Algorithm::AesGcmV1);
        assert_eq!(uniform.aad_file_unique.len(), 8);
        assert_eq!(uniform.footer_key_metadata.as_deref(), Some(&b"kf"[..]));
        let plaintext = encryption("data/encrypt_columns_plaintext_footer.parquet.encrypted");
        assert_eq!(plaintext.algorithm, Algorithm::AesGcmV1);
        assert!(!plaintext.aad_file_unique.is_empty());
        let ctr = encryption("data/encrypt_columns_and_footer_ctr.parquet.encrypted");
        assert_eq!(ctr.algorithm, Algorithm::AesGcmCtrV1);
        let supplied =
            encryption("data/encrypt_columns_and_footer_disable_aad_storage.parquet.encrypted");
        assert_eq!(
            (supplied.aad_prefix, supplied.supply_aad_prefix),
            (None, true)
        );
        let stored = encryption("data/encrypt_columns_and_footer_aad.parquet.encrypted");
        assert_eq!(stored.aad_prefix.as_deref(), Some(&b"tester"[..]));
        assert!(open("data/alltypes_plain.parquet").encryption().is_none());
    }

    #[test]
    fn unwalkable_footer_is_left_to_the_parquet_crate() {
        let source = open("data/uniform_encryption.parquet.encrypted");
        assert!(source.warnings().is_empty());
        assert!(source.repaired.is_none());
    }
}
