//! The footer walk: a copy of the footer's Thrift bytes with what the `parquet` crate would
//! reject repaired, each repair a warning.
//!
//! [`repair_footer`] walks `FileMetaData` field by field against [`super::layout`],
//! copying what is sound and dropping or rewriting the rest (the list in [`super`]'s
//! docs), and notes the encrypted column chunks on the way. The Thrift compact protocol
//! is read with [`crate::thrift_compact`].

use super::EncryptedChunk;
use super::layout::*;
use super::parquet_816::parquet_816;
use crate::thrift_compact::{
    CompactReader, DecodeError, FieldHeader, ListHeader, MAX_DEPTH, ttype, write_zigzag,
};

/// A footer with fields dropped, and why each was dropped.
pub(super) struct Repair {
    pub(super) footer: Vec<u8>,
    pub(super) warnings: Vec<String>,
}

/// Walks `footer` (a `FileMetaData`, possibly followed by a plaintext footer's signature)
/// and returns a repaired copy when something had to be dropped.
pub(super) fn repair_footer(
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
pub(super) struct Walked {
    pub(super) repair: Option<Repair>,
    pub(super) encrypted: Vec<EncryptedChunk>,
}

/// The footer could not be walked: the `parquet` crate reports it.
#[derive(Debug)]
pub(super) struct Invalid;

impl From<DecodeError> for Invalid {
    fn from(_: DecodeError) -> Self {
        Invalid
    }
}

/// The compact type of a value in the footer; for a non-empty list, its element type too.
pub(super) struct Found {
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
pub(super) fn type_name(ttype: u8) -> &'static str {
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
pub(super) fn ty_name(ty: Ty) -> String {
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
pub(super) struct Walk<'a> {
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
pub(super) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}
