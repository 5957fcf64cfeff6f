//! An opened Parquet file: its name, footer metadata, schema model and column readers.
//!
//! [`ParquetFile::open`] checks the file's frame before the `parquet` crate sees it (the
//! format's layout: `PAR1`, column chunks, footer, 4-byte footer length, `PAR1`; see the
//! Parquet format's `README.md`, "File format"), so the common bad inputs get a plain
//! message: a missing file, a directory, a file too short to be Parquet, a missing magic
//! number (truncated or not Parquet). Then it parses the footer through
//! [`ParquetReader`] (shared with `shred verify`), and only the footer unless asked for
//! more: [`Need::Footer`] for `schema` and `meta`, [`Need::PageIndex`] adds the offset and
//! column indexes for `pages`, [`Need::Reader`] checks the column chunks for the commands
//! that read column data, page by page ([`ParquetReader::column_reader`]). The schema
//! model is [`shred::Schema::from_descriptor`] of the footer's schema. The `parquet` crate
//! reads the file through [`shred::footer::ParquetSource`], which repairs footer fields
//! other implementations tolerate; each repair is a warning on stderr and in `meta`. An
//! encrypted file is read with the keys given ([`DecryptionKeys`]); without them, an
//! encrypted footer is an error that names the option to pass, and so is each encrypted
//! column a command reads.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;
use shred::Schema;
use shred::decryption::ChunkDecryptor;
use shred::decryption_keys::DecryptionKeys;
use shred::parquet_reader::ParquetReader;

use crate::error::{Error, Result};
use crate::page_header::PageHeader;
use shred::thrift_compact::DecodeError;

/// What a command needs from the file beyond its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The footer only (schema, row groups, column chunk metadata).
    Footer,
    /// The footer and, when the file has them, the page indexes.
    PageIndex,
    /// The footer, and column chunks that lie inside the file, for reading column data.
    Reader,
}

/// The `PAR1` magic number at both ends of a Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";
/// The magic number of a file with an encrypted footer.
const MAGIC_ENCRYPTED: &[u8; 4] = b"PARE";
/// Smallest possible file: magic, footer length, magic.
const MIN_LEN: u64 = 12;

/// One Parquet file, opened for inspection.
pub struct ParquetFile {
    /// The file's name as the user gave it; every error message starts with it.
    pub name: String,
    /// The open file (the `parquet` crate reads it through `ChunkReader`).
    pub file: File,
    /// File size in bytes.
    pub len: u64,
    /// The schema model.
    pub schema: Schema,
    /// What was repaired in the footer to read it ([`shred::footer`]), one line each.
    pub warnings: Vec<String>,
    starts: Vec<u64>,
    reader: ParquetReader,
}

impl ParquetFile {
    /// Opens `path` and reads what `need` says, decrypting with `keys`.
    pub fn open(path: &Path, need: Need, keys: &DecryptionKeys) -> Result<Self> {
        let name = path.display().to_string();
        let mut file =
            File::open(path).map_err(|e| Error::input(&name, format!("cannot open: {e}")))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::input(&name, format!("cannot read: {e}")))?;
        if meta.is_dir() {
            return Err(Error::input(&name, "is a directory, not a Parquet file"));
        }
        let len = meta.len();
        check_frame(&name, &mut file, len)?;
        let reader =
            ParquetReader::open(path, keys, need == Need::PageIndex).map_err(|e| match e {
                shred::Error::Parquet { source, .. } => {
                    Error::parquet(&name, "corrupt footer", source)
                }
                other => Error::input(&name, strip_name(&other.to_string(), &name)),
            })?;
        let warnings = reader.warnings().to_vec();
        for warning in &warnings {
            eprintln!("shred-inspect: {name}: warning: {warning}");
        }
        let metadata = reader.metadata();
        let schema = Schema::from_descriptor(metadata.file_metadata().schema_descr_ptr())
            .map_err(|e| Error::input(&name, format!("unsupported schema: {e}")))?;
        check_row_groups(&name, &file, metadata, &schema, len, need != Need::Footer)?;
        let mut starts = Vec::with_capacity(metadata.num_row_groups() + 1);
        let mut total = 0u64;
        starts.push(0);
        for rg in metadata.row_groups() {
            total += rg.num_rows() as u64;
            starts.push(total);
        }
        Ok(ParquetFile {
            name,
            file,
            len,
            schema,
            starts,
            reader,
            warnings,
        })
    }

    /// The footer metadata (decrypted).
    pub fn metadata(&self) -> &ParquetMetaData {
        self.reader.metadata()
    }

    /// The file as our column readers read it.
    pub fn reader(&self) -> &ParquetReader {
        &self.reader
    }

    /// The index of the first record of each row group, and the total at the end
    /// (`num_row_groups + 1` entries).
    pub fn row_group_starts(&self) -> &[u64] {
        &self.starts
    }

    /// The leaf columns selected by `paths` (all when empty), in schema order. A path
    /// names a leaf (`phones.list.item.number`) or a group and selects every leaf under
    /// it (`phones`).
    pub fn select_columns(&self, paths: &[String]) -> Result<Vec<usize>> {
        self.schema
            .select_leaves(paths)
            .map_err(|message| Error::input(&self.name, message))
    }

    /// The decryptor of the chunk of column `leaf` in row group `row_group`; `None` when
    /// it is not encrypted. Fails, naming the column and the option to pass, when its key
    /// was not given.
    pub fn chunk_decryptor(&self, row_group: usize, leaf: usize) -> Result<Option<ChunkDecryptor>> {
        self.reader
            .chunk_decryptor(row_group, leaf)
            .map_err(|e| Error::input(&self.name, e))
    }

    /// Checks that row group `row_group` exists.
    pub fn check_row_group(&self, row_group: usize) -> Result<()> {
        let count = self.metadata().num_row_groups();
        if row_group >= count {
            return Err(Error::input(
                &self.name,
                format!("no row group {row_group} (the file has {count})"),
            ));
        }
        Ok(())
    }
}

/// Checks the magic numbers and the footer length before the `parquet` crate parses it.
fn check_frame(name: &str, file: &mut File, len: u64) -> Result<()> {
    let io = |e: std::io::Error| Error::input(name, format!("cannot read: {e}"));
    if len < MIN_LEN {
        return Err(Error::input(
            name,
            format!(
                "not a Parquet file: {len} bytes, shorter than the {MIN_LEN} of the smallest one (empty or truncated)"
            ),
        ));
    }
    let mut head = [0u8; 4];
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.read_exact(&mut head).map_err(io)?;
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(len - 8)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let tail_magic = &tail[4..];
    if tail_magic == MAGIC_ENCRYPTED && head == *MAGIC_ENCRYPTED {
        // An encrypted footer: `ParquetReader` decrypts it, or says which key to pass.
        return Ok(());
    }
    if tail_magic != MAGIC {
        return Err(Error::input(
            name,
            if head == *MAGIC {
                "truncated or corrupt Parquet file: no PAR1 magic number at the end"
            } else {
                "not a Parquet file: no PAR1 magic number at the start or the end"
            },
        ));
    }
    if head != *MAGIC {
        return Err(Error::input(
            name,
            "not a Parquet file: no PAR1 magic number at the start",
        ));
    }
    let footer_len = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as u64;
    if footer_len > len - MIN_LEN {
        return Err(Error::input(
            name,
            format!(
                "corrupt footer: its length field says {footer_len} bytes, but the file has {len} bytes"
            ),
        ));
    }
    Ok(())
}

/// `message` without the leading "NAME: " that [`ParquetReader::open`] gives it.
fn strip_name<'a>(message: &'a str, name: &str) -> &'a str {
    message
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
}

/// Checks what the rest of the crate (and the `parquet` crate's readers, which assert
/// some of it) relies on: one column chunk per leaf, no negative row counts and, for the
/// commands that read column data (`chunks`), column chunks with non-negative offsets and
/// sizes that lie inside the file. A file with chunks outside it is reported with all of
/// them, and with the first page headers of the chunks inside it that cannot be decoded
/// (e.g. a dictionary page of a negative number of entries), since a truncated or damaged
/// file often shows both.
fn check_row_groups(
    name: &str,
    file: &File,
    metadata: &ParquetMetaData,
    schema: &Schema,
    file_len: u64,
    chunks: bool,
) -> Result<()> {
    let leaves = schema.leaves();
    for (i, rg) in metadata.row_groups().iter().enumerate() {
        if rg.num_columns() != leaves.len() {
            return Err(Error::input(
                name,
                format!(
                    "corrupt footer: row group {i} has {} column chunks for a schema of {} columns",
                    rg.num_columns(),
                    leaves.len()
                ),
            ));
        }
        if rg.num_rows() < 0 {
            return Err(Error::input(
                name,
                format!("corrupt footer: row group {i} has {} rows", rg.num_rows()),
            ));
        }
    }
    if !chunks {
        return Ok(());
    }
    let mut outside = shred::footer::chunks_outside(metadata, file_len);
    if outside.is_empty() {
        return Ok(());
    }
    for (i, rg) in metadata.row_groups().iter().enumerate() {
        for (chunk, leaf) in rg.columns().iter().zip(leaves) {
            let (start, len) = chunk.byte_range();
            if start.checked_add(len).is_some_and(|end| end <= file_len)
                && let Some(problem) = first_page_problem(file, start, len)
            {
                outside.push(format!("row group {i}, column {}: {problem}", leaf.path));
            }
        }
    }
    Err(Error::input(
        name,
        format!(
            "corrupt file (truncated, or a corrupt footer): {}",
            outside.join("; ")
        ),
    ))
}

/// What is wrong with the header of the first page of a column chunk (usually its
/// dictionary page), if anything.
fn first_page_problem(file: &File, start: u64, len: u64) -> Option<String> {
    let bytes = file.get_bytes(start, len.min(4096) as usize).ok()?;
    let Err(DecodeError::Invalid(message)) = PageHeader::decode(&bytes) else {
        return None;
    };
    // The page type is the header's first field (id 1, i32: byte 0x15), a one-byte
    // zigzag varint for the known types.
    let kind = match bytes.get(..2) {
        Some([0x15, 4]) => "dictionary page",
        Some([0x15, 0]) => "data page",
        Some([0x15, 6]) => "data page v2",
        _ => "page",
    };
    Some(format!(
        "the header of its first page, a {kind}, is corrupt: {message}"
    ))
}
