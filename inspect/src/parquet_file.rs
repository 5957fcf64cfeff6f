//! An opened Parquet file: its name, footer metadata, schema model and column readers.
//!
//! [`ParquetFile::open`] checks the file's frame before the `parquet` crate sees it (the
//! format's layout: `PAR1`, column chunks, footer, 4-byte footer length, `PAR1`; see the
//! Parquet format's `README.md`, "File format"), so the common bad inputs get a plain
//! message: a missing file, a directory, a file too short to be Parquet, a missing magic
//! number (truncated or not Parquet), an encrypted footer. Then it parses the footer, and
//! only the footer unless asked for more: [`Need::Footer`] for `schema` and `meta`,
//! [`Need::PageIndex`] adds the offset and column indexes for `pages`, [`Need::Reader`]
//! opens a [`SerializedFileReader`] for the commands that read column data, page by page.
//! The schema model is [`shred::Schema::from_descriptor`] of the footer's schema. The
//! `parquet` crate reads the file through [`ParquetSource`], which repairs footer fields
//! other implementations tolerate; each repair is a warning on stderr and in `meta`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use shred::Schema;
use shred::footer::{EncryptedChunk, ParquetSource};

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
    /// The footer and a reader for column data.
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
    /// The encrypted column chunks (a plaintext footer with encrypted columns).
    pub encrypted: Vec<EncryptedChunk>,
    starts: Vec<u64>,
    footer: Option<ParquetMetaData>,
    reader: Option<SerializedFileReader<ParquetSource>>,
}

impl ParquetFile {
    /// Opens `path` and reads what `need` says.
    pub fn open(path: &Path, need: Need) -> Result<Self> {
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
        let source = file
            .try_clone()
            .and_then(ParquetSource::open)
            .map_err(|e| Error::input(&name, format!("cannot read: {e}")))?;
        let warnings = source.warnings().to_vec();
        let encrypted = source.encrypted().to_vec();
        for warning in &warnings {
            eprintln!("shred-inspect: {name}: warning: {warning}");
        }
        let (footer, reader) = match need {
            Need::Footer | Need::PageIndex => {
                // The page indexes of encrypted columns are encrypted too.
                let policy = if need == Need::PageIndex && encrypted.is_empty() {
                    PageIndexPolicy::Optional
                } else {
                    PageIndexPolicy::Skip
                };
                let metadata = ParquetMetaDataReader::new()
                    .with_page_index_policy(policy)
                    .parse_and_finish(&source)
                    .map_err(|e| Error::parquet(&name, "corrupt footer", e))?;
                (Some(metadata), None)
            }
            Need::Reader => {
                let reader = SerializedFileReader::new(source)
                    .map_err(|e| Error::parquet(&name, "corrupt footer", e))?;
                (None, Some(reader))
            }
        };
        let metadata = footer
            .as_ref()
            .or_else(|| reader.as_ref().map(|r| r.metadata()))
            .expect("one of footer and reader is set");
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
            footer,
            reader,
            warnings,
            encrypted,
        })
    }

    /// The footer metadata.
    pub fn metadata(&self) -> &ParquetMetaData {
        match (&self.footer, &self.reader) {
            (Some(footer), _) => footer,
            (None, Some(reader)) => reader.metadata(),
            (None, None) => unreachable!("open sets the footer or the reader"),
        }
    }

    /// The column data reader (opened with [`Need::Reader`]).
    pub fn reader(&self) -> &SerializedFileReader<ParquetSource> {
        self.reader
            .as_ref()
            .expect("commands that read column data open the file with Need::Reader")
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
        let leaves = self.schema.leaves();
        if paths.is_empty() {
            return Ok((0..leaves.len()).collect());
        }
        let mut selected = vec![false; leaves.len()];
        for path in paths {
            let prefix = format!("{path}.");
            let mut found = false;
            for (i, leaf) in leaves.iter().enumerate() {
                if leaf.path == *path || leaf.path.starts_with(&prefix) {
                    selected[i] = true;
                    found = true;
                }
            }
            if !found {
                let names: Vec<&str> = leaves.iter().map(|l| l.path.as_str()).collect();
                return Err(Error::input(
                    &self.name,
                    format!("no column '{path}' (columns: {})", names.join(", ")),
                ));
            }
        }
        Ok((0..leaves.len()).filter(|&i| selected[i]).collect())
    }

    /// Fails when the chunk of column `leaf` in row group `row_group` is encrypted.
    pub fn check_not_encrypted(&self, row_group: usize, leaf: usize) -> Result<()> {
        match self
            .encrypted
            .iter()
            .find(|c| c.row_group == row_group && c.column == leaf)
        {
            Some(chunk) => Err(Error::input(
                &self.name,
                format!(
                    "{}: shred-inspect cannot decrypt it",
                    chunk.describe(&self.schema.leaves()[leaf].path)
                ),
            )),
            None => Ok(()),
        }
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
    if tail_magic == MAGIC_ENCRYPTED {
        return Err(Error::input(
            name,
            "the footer is encrypted (PARE magic): encrypted files are not supported",
        ));
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
