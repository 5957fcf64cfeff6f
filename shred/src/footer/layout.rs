//! The footer's structs as `parquet.thrift` gives them: per field, its id, name and type.
//!
//! Only what the `parquet` crate decodes strictly is described (`FileMetaData` down to
//! `Statistics` and `SizeStatistics`); unions such as `LogicalType` are [`Ty::Opaque`] and
//! copied as they are. [`super::repair`] walks a footer against these layouts.

use crate::thrift_compact::ttype;

/// The type `parquet.thrift` gives a field.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ty {
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
    pub(super) fn widens(self, ttype: u8) -> bool {
        match self {
            Ty::I32 => ttype == ttype::I16,
            Ty::I64 => matches!(ttype, ttype::I16 | ttype::I32),
            _ => false,
        }
    }

    /// The compact type id of an integer type.
    pub(super) fn integer_ttype(self) -> Option<u8> {
        match self {
            Ty::I16 => Some(ttype::I16),
            Ty::I32 => Some(ttype::I32),
            Ty::I64 => Some(ttype::I64),
            _ => None,
        }
    }

    pub(super) fn matches(self, ttype: u8) -> bool {
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
pub(super) struct StructTy {
    fields: &'static [(i16, &'static str, Ty)],
}

impl StructTy {
    pub(super) fn field(&self, id: i16) -> Option<(&'static str, Ty)> {
        self.fields
            .iter()
            .find(|f| f.0 == id)
            .map(|&(_, name, ty)| (name, ty))
    }
}

pub(super) static KEY_VALUE: StructTy = StructTy {
    fields: &[(1, "key", Ty::Binary), (2, "value", Ty::Binary)],
};
pub(super) static SCHEMA_ELEMENT: StructTy = StructTy {
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
pub(super) static STATISTICS: StructTy = StructTy {
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
pub(super) static PAGE_ENCODING_STATS: StructTy = StructTy {
    fields: &[
        (1, "page_type", Ty::I32),
        (2, "encoding", Ty::I32),
        (3, "count", Ty::I32),
    ],
};
pub(super) static SIZE_STATISTICS: StructTy = StructTy {
    fields: &[
        (1, "unencoded_byte_array_data_bytes", Ty::I64),
        (2, "repetition_level_histogram", Ty::List(&Ty::I64)),
        (3, "definition_level_histogram", Ty::List(&Ty::I64)),
    ],
};
pub(super) static COLUMN_META_DATA: StructTy = StructTy {
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
pub(super) static COLUMN_CHUNK: StructTy = StructTy {
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
pub(super) static SORTING_COLUMN: StructTy = StructTy {
    fields: &[
        (1, "column_idx", Ty::I32),
        (2, "descending", Ty::Bool),
        (3, "nulls_first", Ty::Bool),
    ],
};
pub(super) static ROW_GROUP: StructTy = StructTy {
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
pub(super) static FILE_META_DATA: StructTy = StructTy {
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
