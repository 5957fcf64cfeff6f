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
//! The parts: `layout` (the footer structs' fields and types, as `parquet.thrift` gives
//! them), `repair` (the walk that copies the footer and repairs what it must) and
//! `parquet_816` (finding the dictionary page header an old writer left out of a
//! chunk's size).
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

mod layout;
mod parquet_816;
mod repair;

use parquet_816::missing_dictionary_header;
pub(crate) use parquet_816::{DICTIONARY_PAGE, page_extent};
use repair::repair_footer;

use crate::decryption::FileEncryption;

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
