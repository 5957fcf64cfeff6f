//! Writer settings: the Parquet writer controls every command that writes files shares
//! (`shred write`, `shred-gen`), resolved for a schema into the `parquet` crate's
//! [`WriterProperties`].
//!
//! [`WriterSettings`] is a plain struct of the core library; with the `cli` feature it is
//! also the [`clap::Args`] both commands flatten, so the flags are defined once:
//! `--compression`, `--data-page-v2`, `--dictionary on|off`, `--dictionary-page-size`,
//! `--data-page-size`, `--data-page-row-limit`, `--write-batch-size`,
//! `--encoding COLUMN=ENCODING` and `--bloom-filter COLUMN[:FPP]` (both repeatable; COLUMN
//! is a leaf's dotted path as `shred-inspect schema` prints it). Sizes take a `KiB`, `MiB`
//! or `GiB` suffix. [`WriterSettings::properties`] checks the columns against the schema
//! and sets the crate's properties; the defaults are the crate's, so a file written with
//! the default settings is the file the crate's default properties make.
//!
//! The encodings a column takes are those of the format specification
//! (parquet-format `Encodings.md`) as the `parquet` crate writes them: `PLAIN` for every
//! type, `RLE` for BOOLEAN, `DELTA_BINARY_PACKED` for INT32 and INT64,
//! `DELTA_LENGTH_BYTE_ARRAY` for BYTE_ARRAY, `DELTA_BYTE_ARRAY` for BYTE_ARRAY and
//! FIXED_LEN_BYTE_ARRAY, `BYTE_STREAM_SPLIT` for FLOAT, DOUBLE, INT32, INT64 and
//! FIXED_LEN_BYTE_ARRAY. A column given an encoding is written without a dictionary (as
//! pyarrow's `column_encoding` requires), so its pages hold that encoding; with a
//! dictionary the crate would only fall back to it once the dictionary page is full. A
//! bloom filter (parquet-format `BloomFilter.md`) is sized for as many distinct values as a
//! row group has records, at the given false positive probability (default 0.05).
//!
//! Who writes what: the hand-written [`crate::chunk_encoder`] reproduces the crate's
//! column writers for byte-array columns under data pages v1, with or without a
//! dictionary, any page and batch limits; it declines data pages v2, an encoding other
//! than `PLAIN` and bloom filters ([`crate::chunk_encoder::ChunkEncoder::new`]), and
//! [`crate::row_group_writer`] then writes that column through the crate's column writer
//! from the same stripe.
//!
//! ```
//! use parquet::basic::Encoding;
//! use shred::Schema;
//! use shred::writer_settings::{WriterSettings, parse_column_encoding};
//! let schema = Schema::parse("message m { required int64 id; optional binary name (STRING); }").unwrap();
//! let settings = WriterSettings {
//!     encodings: vec![parse_column_encoding("id=DELTA_BINARY_PACKED").unwrap()],
//!     ..WriterSettings::default()
//! };
//! let props = settings.properties(&schema, 1000).unwrap().build();
//! let id = schema.leaves()[0].descr.path();
//! assert_eq!(props.encoding(id), Some(Encoding::DELTA_BINARY_PACKED));
//! assert!(!props.dictionary_enabled(id));
//! let bad = WriterSettings {
//!     encodings: vec![parse_column_encoding("name=DELTA_BINARY_PACKED").unwrap()],
//!     ..WriterSettings::default()
//! };
//! let err = bad.properties(&schema, 1000).unwrap_err().to_string();
//! assert!(err.contains("DELTA_BINARY_PACKED takes INT32 or INT64"), "{err}");
//! ```

use parquet::basic::{Compression, Encoding, Type as PhysicalType};
use parquet::file::properties::{WriterProperties, WriterPropertiesBuilder, WriterVersion};

use crate::codec::parse_codec;
use crate::error::{Error, Result};
use crate::quantity::{parse_count_usize, parse_size};
use crate::schema::{Leaf, Schema};

/// The writer controls of one run.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct WriterSettings {
    /// none, snappy, gzip[:level], lz4, lz4_raw, zstd[:level] or brotli[:level]
    /// (bare: zstd 3, gzip 6, brotli 1; uncompressed = none; lz4 is LZ4_RAW).
    #[cfg_attr(
        feature = "cli",
        arg(long, default_value = "snappy", value_parser = parse_codec, value_name = "CODEC")
    )]
    pub compression: Compression,
    /// Write data pages v2 (Parquet 2.0 writer).
    #[cfg_attr(feature = "cli", arg(long))]
    pub data_page_v2: bool,
    /// Dictionary encoding of every column (falling back to PLAIN once a chunk's dictionary
    /// page is full).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, default_value = "on", value_name = "on|off")
    )]
    pub dictionary: Dictionary,
    /// Dictionary page size at which a chunk falls back from the dictionary [default: 1MiB].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_parser = parse_size, value_name = "BYTES")
    )]
    pub dictionary_page_size: Option<usize>,
    /// Data page size at which a page is cut [default: 1MiB].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_parser = parse_size, value_name = "BYTES")
    )]
    pub data_page_size: Option<usize>,
    /// Rows at which a data page is cut [default: 20000].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_parser = parse_count_usize, value_name = "N")
    )]
    pub data_page_row_limit: Option<usize>,
    /// Levels the column writers take at a time, between page-limit checks [default: 1024].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_parser = parse_count_usize, value_name = "N")
    )]
    pub write_batch_size: Option<usize>,
    /// Encoding of one column, written without a dictionary: PLAIN, RLE (BOOLEAN),
    /// DELTA_BINARY_PACKED (INT32, INT64), DELTA_LENGTH_BYTE_ARRAY (BYTE_ARRAY),
    /// DELTA_BYTE_ARRAY (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY) or BYTE_STREAM_SPLIT (FLOAT,
    /// DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY); repeat for more columns.
    #[cfg_attr(
        feature = "cli",
        arg(long = "encoding", value_parser = parse_column_encoding, value_name = "COLUMN=ENCODING")
    )]
    pub encodings: Vec<ColumnEncoding>,
    /// A bloom filter for one column, with its false positive probability [default: 0.05];
    /// repeat for more columns.
    #[cfg_attr(
        feature = "cli",
        arg(long = "bloom-filter", value_parser = parse_bloom_filter, value_name = "COLUMN[:FPP]")
    )]
    pub bloom_filters: Vec<BloomFilter>,
}

impl Default for WriterSettings {
    /// The command line's defaults: snappy, data pages v1, dictionary on, the crate's
    /// limits.
    fn default() -> Self {
        WriterSettings {
            compression: Compression::SNAPPY,
            data_page_v2: false,
            dictionary: Dictionary::On,
            dictionary_page_size: None,
            data_page_size: None,
            data_page_row_limit: None,
            write_batch_size: None,
            encodings: Vec::new(),
            bloom_filters: Vec::new(),
        }
    }
}

/// Whether columns are dictionary-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Dictionary {
    /// Dictionary-encoded, PLAIN once the dictionary page is full.
    On,
    /// PLAIN (or the column's `--encoding`).
    Off,
}

/// `--encoding COLUMN=ENCODING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnEncoding {
    /// The leaf's dotted path.
    pub column: String,
    /// Its values' encoding.
    pub encoding: Encoding,
}

/// `--bloom-filter COLUMN[:FPP]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BloomFilter {
    /// The leaf's dotted path.
    pub column: String,
    /// False positive probability, in (0, 1); the crate's default when not given.
    pub fpp: Option<f64>,
}

/// The encodings `--encoding` takes, with the physical types each applies to.
const ENCODINGS: [(Encoding, &[PhysicalType]); 6] = [
    (
        Encoding::PLAIN,
        &[
            PhysicalType::BOOLEAN,
            PhysicalType::INT32,
            PhysicalType::INT64,
            PhysicalType::INT96,
            PhysicalType::FLOAT,
            PhysicalType::DOUBLE,
            PhysicalType::BYTE_ARRAY,
            PhysicalType::FIXED_LEN_BYTE_ARRAY,
        ],
    ),
    (Encoding::RLE, &[PhysicalType::BOOLEAN]),
    (
        Encoding::DELTA_BINARY_PACKED,
        &[PhysicalType::INT32, PhysicalType::INT64],
    ),
    (
        Encoding::DELTA_LENGTH_BYTE_ARRAY,
        &[PhysicalType::BYTE_ARRAY],
    ),
    (
        Encoding::DELTA_BYTE_ARRAY,
        &[PhysicalType::BYTE_ARRAY, PhysicalType::FIXED_LEN_BYTE_ARRAY],
    ),
    (
        Encoding::BYTE_STREAM_SPLIT,
        &[
            PhysicalType::FLOAT,
            PhysicalType::DOUBLE,
            PhysicalType::INT32,
            PhysicalType::INT64,
            PhysicalType::FIXED_LEN_BYTE_ARRAY,
        ],
    ),
];

/// Joins names as a sentence does: `a`, `a or b`, `a, b or c`.
fn either(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The physical types an encoding applies to.
fn types_of(encoding: Encoding) -> &'static [PhysicalType] {
    ENCODINGS
        .iter()
        .find(|(e, _)| *e == encoding)
        .map_or(&[], |(_, types)| types)
}

/// The encodings a physical type takes.
fn encodings_of(physical: PhysicalType) -> Vec<String> {
    (ENCODINGS.iter())
        .filter(|(_, types)| types.contains(&physical))
        .map(|(e, _)| e.to_string())
        .collect()
}

/// Parses `COLUMN=ENCODING` (`--encoding`); the encoding's name is case-insensitive. The
/// column is checked against the schema later ([`WriterSettings::properties`]).
pub fn parse_column_encoding(text: &str) -> std::result::Result<ColumnEncoding, String> {
    let names: Vec<String> = ENCODINGS.iter().map(|(e, _)| e.to_string()).collect();
    let Some((column, name)) = text.rsplit_once('=') else {
        return Err(format!(
            "{text:?} is not COLUMN=ENCODING (e.g. id=DELTA_BINARY_PACKED)"
        ));
    };
    let (column, name) = (column.trim(), name.trim());
    if column.is_empty() {
        return Err(format!(
            "{text:?} names no column (expected COLUMN=ENCODING)"
        ));
    }
    let upper = name.to_ascii_uppercase();
    let encoding = (ENCODINGS.iter())
        .map(|(e, _)| *e)
        .find(|e| e.to_string() == upper)
        .ok_or_else(|| format!("unknown encoding {name:?}; expected {}", either(&names)))?;
    Ok(ColumnEncoding {
        column: column.to_string(),
        encoding,
    })
}

/// Parses `COLUMN[:FPP]` (`--bloom-filter`); the false positive probability must be in
/// (0, 1). The column is checked against the schema later ([`WriterSettings::properties`]).
pub fn parse_bloom_filter(text: &str) -> std::result::Result<BloomFilter, String> {
    let (column, fpp) = match text.rsplit_once(':') {
        Some((column, fpp)) => {
            let fpp: f64 = fpp.trim().parse().map_err(|_| {
                format!("{fpp:?} is not a false positive probability (e.g. name:0.01)")
            })?;
            if !(fpp > 0.0 && fpp < 1.0) {
                return Err(format!(
                    "false positive probability {fpp} is not in (0, 1) (e.g. name:0.01)"
                ));
            }
            (column, Some(fpp))
        }
        None => (text, None),
    };
    let column = column.trim();
    if column.is_empty() {
        return Err(format!("{text:?} names no column (expected COLUMN[:FPP])"));
    }
    Ok(BloomFilter {
        column: column.to_string(),
        fpp,
    })
}

impl WriterSettings {
    /// The default settings with another codec.
    pub fn with_compression(compression: Compression) -> Self {
        WriterSettings {
            compression,
            ..WriterSettings::default()
        }
    }

    /// The first flag set beyond `--compression`, for a write path that takes only the
    /// codec; `None` when every other setting is the default.
    pub fn flag_beyond_compression(&self) -> Option<&'static str> {
        let default = WriterSettings::with_compression(self.compression);
        [
            (self.data_page_v2 != default.data_page_v2, "--data-page-v2"),
            (self.dictionary != default.dictionary, "--dictionary"),
            (
                self.dictionary_page_size.is_some(),
                "--dictionary-page-size",
            ),
            (self.data_page_size.is_some(), "--data-page-size"),
            (self.data_page_row_limit.is_some(), "--data-page-row-limit"),
            (self.write_batch_size.is_some(), "--write-batch-size"),
            (!self.encodings.is_empty(), "--encoding"),
            (!self.bloom_filters.is_empty(), "--bloom-filter"),
        ]
        .into_iter()
        .find_map(|(set, flag)| set.then_some(flag))
    }

    /// The properties these settings give files of `schema` whose row groups hold up to
    /// `row_group_size` records (a bloom filter's expected distinct values); the caller adds
    /// its own (`created_by`, key-value metadata, row group size). A column that is not a
    /// leaf of `schema`, an encoding its physical type does not take, or a column given
    /// twice is an input error (exit 2) naming the flag, the column and what was expected.
    pub fn properties(
        &self,
        schema: &Schema,
        row_group_size: u64,
    ) -> Result<WriterPropertiesBuilder> {
        let mut builder = WriterProperties::builder()
            .set_compression(self.compression)
            .set_writer_version(if self.data_page_v2 {
                WriterVersion::PARQUET_2_0
            } else {
                WriterVersion::PARQUET_1_0
            })
            .set_dictionary_enabled(self.dictionary == Dictionary::On);
        if let Some(bytes) = self.dictionary_page_size {
            builder = builder.set_dictionary_page_size_limit(bytes);
        }
        if let Some(bytes) = self.data_page_size {
            builder = builder.set_data_page_size_limit(bytes);
        }
        if let Some(rows) = self.data_page_row_limit {
            builder = builder.set_data_page_row_count_limit(rows);
        }
        if let Some(levels) = self.write_batch_size {
            builder = builder.set_write_batch_size(levels);
        }
        let mut seen = Vec::new();
        for ColumnEncoding { column, encoding } in &self.encodings {
            let flag = format!("--encoding {column}={encoding}");
            let leaf = find_leaf(schema, &flag, column)?;
            once(&mut seen, "--encoding", column)?;
            let physical = leaf.physical();
            let types = types_of(*encoding);
            if !types.contains(&physical) {
                let types: Vec<String> = types.iter().map(ToString::to_string).collect();
                return Err(Error::Input {
                    message: format!(
                        "{flag}: column {column} is {physical}; {encoding} takes {} ({physical} \
                         takes {})",
                        either(&types),
                        either(&encodings_of(physical))
                    ),
                });
            }
            let path = leaf.descr.path().clone();
            builder = builder
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_encoding(path, *encoding);
        }
        let mut seen = Vec::new();
        for BloomFilter { column, fpp } in &self.bloom_filters {
            let flag = match fpp {
                Some(fpp) => format!("--bloom-filter {column}:{fpp}"),
                None => format!("--bloom-filter {column}"),
            };
            let leaf = find_leaf(schema, &flag, column)?;
            once(&mut seen, "--bloom-filter", column)?;
            let path = leaf.descr.path().clone();
            builder = builder
                .set_column_bloom_filter_enabled(path.clone(), true)
                .set_column_bloom_filter_max_ndv(path.clone(), row_group_size.max(1));
            if let Some(fpp) = fpp {
                builder = builder.set_column_bloom_filter_fpp(path, *fpp);
            }
        }
        Ok(builder)
    }
}

/// Records `column` as given to `flag`; a second time is an error.
fn once<'a>(seen: &mut Vec<&'a str>, flag: &str, column: &'a str) -> Result<()> {
    if seen.contains(&column) {
        return Err(Error::Input {
            message: format!("{flag}: column {column} is given twice"),
        });
    }
    seen.push(column);
    Ok(())
}

/// The leaf `column` names; an error naming `flag` and the nearest leaves otherwise.
fn find_leaf<'a>(schema: &'a Schema, flag: &str, column: &str) -> Result<&'a Leaf> {
    if let Some(index) = schema.leaf_index(column) {
        return Ok(&schema.leaves()[index]);
    }
    let leaves: Vec<&str> = schema.leaves().iter().map(|l| l.path.as_str()).collect();
    let nearest = nearest(&leaves, column);
    let hint = match nearest.as_slice() {
        [] => String::new(),
        names => format!(
            "; did you mean {}?",
            either(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        ),
    };
    Err(Error::Input {
        message: format!(
            "{flag}: no leaf column `{column}`{hint} (columns: {})",
            leaves.join(", ")
        ),
    })
}

/// The leaves `column` most likely means: those whose last segments are `column` (a name
/// given without its parents), else those within a few edits of it.
fn nearest<'a>(leaves: &[&'a str], column: &str) -> Vec<&'a str> {
    let suffix = format!(".{column}");
    let by_suffix: Vec<&str> = (leaves.iter())
        .filter(|leaf| leaf.ends_with(&suffix))
        .copied()
        .collect();
    if !by_suffix.is_empty() {
        return by_suffix;
    }
    let distances: Vec<usize> = leaves.iter().map(|l| edit_distance(l, column)).collect();
    let best = distances.iter().copied().min().unwrap_or(usize::MAX);
    if best > 2.max(column.chars().count() / 4) {
        return Vec::new();
    }
    (leaves.iter().zip(&distances))
        .filter(|(_, d)| **d == best)
        .map(|(leaf, _)| *leaf)
        .collect()
}

/// Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::properties::{
        DEFAULT_DICTIONARY_PAGE_SIZE_LIMIT, DEFAULT_PAGE_SIZE, DEFAULT_WRITE_BATCH_SIZE,
    };

    const SCHEMA: &str = "message m {
        required boolean flag;
        optional int64 id;
        optional double score;
        optional binary name (STRING);
        optional fixed_len_byte_array(3) code;
        optional group phones (LIST) { repeated group list {
            optional group item { optional binary number (STRING); } } } }";

    fn schema() -> Schema {
        Schema::parse(SCHEMA).unwrap()
    }

    fn encoding(text: &str) -> WriterSettings {
        WriterSettings {
            encodings: vec![parse_column_encoding(text).unwrap()],
            ..WriterSettings::default()
        }
    }

    fn error(settings: &WriterSettings) -> String {
        let err = settings.properties(&schema(), 100).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        err.to_string()
    }

    #[test]
    fn default_settings_are_the_crates_defaults() {
        let schema = schema();
        let props = WriterSettings::default()
            .properties(&schema, 100)
            .unwrap()
            .build();
        let path = schema.leaves()[3].descr.path();
        assert_eq!(props.compression(path), Compression::SNAPPY);
        assert_eq!(props.writer_version(), WriterVersion::PARQUET_1_0);
        assert!(props.dictionary_enabled(path));
        assert_eq!(props.encoding(path), None);
        assert!(props.bloom_filter_properties(path).is_none());
        assert_eq!(props.data_page_size_limit(), DEFAULT_PAGE_SIZE);
        assert_eq!(
            props.dictionary_page_size_limit(),
            DEFAULT_DICTIONARY_PAGE_SIZE_LIMIT
        );
        assert_eq!(props.write_batch_size(), DEFAULT_WRITE_BATCH_SIZE);
        assert_eq!(WriterSettings::default().flag_beyond_compression(), None);
    }

    #[test]
    fn limits_are_set_for_every_column() {
        let settings = WriterSettings {
            data_page_v2: true,
            dictionary: Dictionary::Off,
            dictionary_page_size: Some(4096),
            data_page_size: Some(8192),
            data_page_row_limit: Some(50),
            write_batch_size: Some(7),
            ..WriterSettings::default()
        };
        let schema = schema();
        let props = settings.properties(&schema, 100).unwrap().build();
        let path = schema.leaves()[5].descr.path();
        assert_eq!(props.writer_version(), WriterVersion::PARQUET_2_0);
        assert!(!props.dictionary_enabled(path));
        assert_eq!(props.column_dictionary_page_size_limit(path), 4096);
        assert_eq!(props.column_data_page_size_limit(path), 8192);
        assert_eq!(props.column_data_page_row_count_limit(path), 50);
        assert_eq!(props.write_batch_size(), 7);
        assert_eq!(settings.flag_beyond_compression(), Some("--data-page-v2"));
    }

    #[test]
    fn an_encoded_column_has_no_dictionary() {
        let schema = schema();
        let props = encoding("score=BYTE_STREAM_SPLIT")
            .properties(&schema, 100)
            .unwrap()
            .build();
        let score = schema.leaves()[2].descr.path();
        assert_eq!(props.encoding(score), Some(Encoding::BYTE_STREAM_SPLIT));
        assert!(!props.dictionary_enabled(score));
        let id = schema.leaves()[1].descr.path();
        assert!(props.dictionary_enabled(id), "other columns keep theirs");
    }

    #[test]
    fn every_encoding_fits_the_types_it_names() {
        for (column, encodings) in [
            ("flag", &["PLAIN", "RLE"][..]),
            ("id", &["PLAIN", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"]),
            ("score", &["PLAIN", "BYTE_STREAM_SPLIT"]),
            (
                "name",
                &["PLAIN", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"],
            ),
            ("code", &["PLAIN", "DELTA_BYTE_ARRAY", "BYTE_STREAM_SPLIT"]),
        ] {
            for name in encodings {
                let settings = encoding(&format!("{column}={name}"));
                assert!(
                    settings.properties(&schema(), 100).is_ok(),
                    "{column}={name}"
                );
            }
        }
    }

    #[test]
    fn encoding_that_does_not_fit_the_type_names_what_fits() {
        assert_eq!(
            error(&encoding("name=DELTA_BINARY_PACKED")),
            "--encoding name=DELTA_BINARY_PACKED: column name is BYTE_ARRAY; \
             DELTA_BINARY_PACKED takes INT32 or INT64 (BYTE_ARRAY takes PLAIN, \
             DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY)"
        );
        assert_eq!(
            error(&encoding("id=rle")),
            "--encoding id=RLE: column id is INT64; RLE takes BOOLEAN (INT64 takes PLAIN, \
             DELTA_BINARY_PACKED or BYTE_STREAM_SPLIT)"
        );
    }

    #[test]
    fn unknown_column_names_the_nearest_and_the_leaves() {
        let leaves = "(columns: flag, id, score, name, code, phones.list.item.number)";
        assert_eq!(
            error(&encoding("number=PLAIN")),
            format!(
                "--encoding number=PLAIN: no leaf column `number`; did you mean \
                 phones.list.item.number? {leaves}"
            )
        );
        let bloom = WriterSettings {
            bloom_filters: vec![parse_bloom_filter("nmae:0.1").unwrap()],
            ..WriterSettings::default()
        };
        assert_eq!(
            error(&bloom),
            format!("--bloom-filter nmae:0.1: no leaf column `nmae`; did you mean name? {leaves}")
        );
        assert_eq!(
            error(&encoding("phones=PLAIN")),
            format!("--encoding phones=PLAIN: no leaf column `phones` {leaves}")
        );
    }

    #[test]
    fn column_given_twice_is_an_error() {
        let settings = WriterSettings {
            bloom_filters: vec![
                parse_bloom_filter("id").unwrap(),
                parse_bloom_filter("id:0.1").unwrap(),
            ],
            ..WriterSettings::default()
        };
        assert_eq!(error(&settings), "--bloom-filter: column id is given twice");
    }

    #[test]
    fn bloom_filter_is_sized_for_a_row_group() {
        let settings = WriterSettings {
            bloom_filters: vec![
                parse_bloom_filter("phones.list.item.number:0.01").unwrap(),
                parse_bloom_filter("id").unwrap(),
            ],
            ..WriterSettings::default()
        };
        let schema = schema();
        let props = settings.properties(&schema, 5000).unwrap().build();
        let number = props
            .bloom_filter_properties(schema.leaves()[5].descr.path())
            .unwrap();
        assert_eq!((number.fpp(), number.ndv()), (0.01, 5000));
        let id = props
            .bloom_filter_properties(schema.leaves()[1].descr.path())
            .unwrap();
        assert_eq!((id.fpp(), id.ndv()), (0.05, 5000));
        assert!((props.bloom_filter_properties(schema.leaves()[0].descr.path())).is_none());
    }

    #[test]
    fn bloom_filter_fpp_must_be_a_probability() {
        assert_eq!(
            parse_bloom_filter("id:1.5").unwrap_err(),
            "false positive probability 1.5 is not in (0, 1) (e.g. name:0.01)"
        );
        assert!(
            parse_bloom_filter("id:0")
                .unwrap_err()
                .contains("not in (0, 1)")
        );
        assert!(
            parse_bloom_filter("id:x")
                .unwrap_err()
                .contains("\"x\" is not")
        );
        assert!(
            parse_bloom_filter(":0.1")
                .unwrap_err()
                .contains("names no column")
        );
        assert_eq!(parse_bloom_filter("a.b").unwrap().fpp, None);
    }

    #[test]
    fn encoding_names_are_checked_when_parsed() {
        assert_eq!(
            parse_column_encoding("id=ZIP").unwrap_err(),
            "unknown encoding \"ZIP\"; expected PLAIN, RLE, DELTA_BINARY_PACKED, \
             DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY or BYTE_STREAM_SPLIT"
        );
        assert!(
            parse_column_encoding("id=RLE_DICTIONARY")
                .unwrap_err()
                .contains("unknown encoding")
        );
        assert!(
            parse_column_encoding("id")
                .unwrap_err()
                .contains("COLUMN=ENCODING")
        );
        let parsed = parse_column_encoding("a.b = delta_byte_array").unwrap();
        assert_eq!(
            (parsed.column.as_str(), parsed.encoding),
            ("a.b", Encoding::DELTA_BYTE_ARRAY)
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("name", "name"), 0);
        assert_eq!(edit_distance("nmae", "name"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[cfg(feature = "cli")]
    #[test]
    fn the_defaults_are_the_command_lines() {
        #[derive(clap::Parser)]
        struct Command {
            #[command(flatten)]
            settings: WriterSettings,
        }
        let parsed = <Command as clap::Parser>::try_parse_from(["x"]).unwrap();
        assert_eq!(parsed.settings, WriterSettings::default());
        let parsed = <Command as clap::Parser>::try_parse_from([
            "x",
            "--dictionary",
            "off",
            "--data-page-size",
            "64KiB",
            "--encoding",
            "a=PLAIN",
            "--encoding",
            "b=RLE",
            "--bloom-filter",
            "c:0.5",
        ])
        .unwrap();
        assert_eq!(parsed.settings.dictionary, Dictionary::Off);
        assert_eq!(parsed.settings.data_page_size, Some(65536));
        assert_eq!(parsed.settings.encodings.len(), 2);
        assert_eq!(parsed.settings.bloom_filters[0].fpp, Some(0.5));
    }
}
