//! Files written by arrow-rs's `ArrowWriter`: nested lists, structs and maps, dictionary
//! arrays, decimals, timestamps, dates, unsigned and small integers, binary and fixed-size
//! binary, across page versions, dictionary settings, codecs and row group sizes. The
//! expected records are arrow-rs's own batch converted to canonical JSON
//! (`shred::arrow_read::batch_to_records`); every command is checked against them.

mod common;

use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, MapBuilder, StringBuilder,
};
use arrow_array::types::UInt8Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray,
    FixedSizeBinaryArray, Float32Array, Int8Array, Int32Array, Int64Array, RecordBatch,
    StringArray, StructArray, TimestampMicrosecondArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Fields};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shred::Schema;

use common::{TestFile, check_all_commands, footer_row_groups};

fn opt<T>(keep: bool, v: T) -> Option<T> {
    keep.then_some(v)
}

/// A batch of `n` rows with nulls, empties and nesting in every column.
fn batch(n: usize, seed: u64) -> RecordBatch {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut null = |p: f64| rng.random_bool(p);

    let id = Int64Array::from((0..n as i64).collect::<Vec<_>>());
    let names = ["Ada", "", "Grace \"Hopper\"", "Émilie", "x\ny"];
    let name: StringArray = (0..n)
        .map(|i| opt(!null(0.2), names[i % names.len()]))
        .collect();
    let kind: DictionaryArray<UInt8Type> = (0..n)
        .map(|i| opt(!null(0.1), ["Mobile", "Work", "Home"][i % 3]))
        .collect();
    let flag: BooleanArray = (0..n).map(|i| opt(!null(0.3), i % 2 == 0)).collect();
    let tiny: Int8Array = (0..n)
        .map(|i| opt(!null(0.3), (i as i8).wrapping_mul(37)))
        .collect();
    let unsigned: UInt32Array = (0..n)
        .map(|i| opt(!null(0.3), u32::MAX - i as u32))
        .collect();
    let ratio: Float32Array = (0..n).map(|i| opt(!null(0.3), i as f32 / 8.0)).collect();
    let price = Decimal128Array::from(
        (0..n)
            .map(|i| opt(!null(0.3), i as i128 * 1001 - 5000))
            .collect::<Vec<_>>(),
    )
    .with_precision_and_scale(10, 2)
    .unwrap();
    let big = Decimal128Array::from(
        (0..n)
            .map(|i| opt(!null(0.3), -(i as i128) * 10_i128.pow(25)))
            .collect::<Vec<_>>(),
    )
    .with_precision_and_scale(38, 4)
    .unwrap();
    let at = TimestampMicrosecondArray::from(
        (0..n)
            .map(|i| opt(!null(0.3), 1_700_000_000_000_000 + i as i64 * 1_000_001))
            .collect::<Vec<_>>(),
    )
    .with_timezone("UTC");
    let day: Date32Array = (0..n).map(|i| opt(!null(0.3), 19_000 + i as i32)).collect();
    let blob: BinaryArray = (0..n)
        .map(|i| {
            opt(
                !null(0.3),
                if i % 2 == 0 {
                    &[0xffu8, 0, 1][..]
                } else {
                    &b"bytes"[..]
                },
            )
        })
        .collect();
    let code = FixedSizeBinaryArray::try_from_sparse_iter_with_size(
        (0..n).map(|i| opt(!null(0.3), [b'a' + (i % 26) as u8, b'z', b'0'])),
        3,
    )
    .unwrap();

    // List<Utf8>: null lists, empty lists, null elements.
    let mut tags = ListBuilder::new(StringBuilder::new());
    for i in 0..n {
        match i % 4 {
            0 => tags.append(false),
            1 => tags.append(true),
            _ => {
                for k in 0..(i % 3 + 1) {
                    if k == 1 && i % 5 == 0 {
                        tags.values().append_null();
                    } else {
                        tags.values().append_value(format!("t{k}"));
                    }
                }
                tags.append(true);
            }
        }
    }
    let tags = tags.finish();

    // List<List<Int32>>: null and empty at both levels.
    let mut matrix = ListBuilder::new(ListBuilder::new(Int32Builder::new()));
    for i in 0..n {
        match i % 5 {
            0 => matrix.append(false),
            1 => matrix.append(true),
            _ => {
                for k in 0..i % 3 + 1 {
                    let inner = matrix.values();
                    match (i + k) % 3 {
                        0 => inner.append(false),
                        1 => inner.append(true),
                        _ => {
                            inner.values().append_value(i as i32);
                            inner.values().append_null();
                            inner.append(true);
                        }
                    }
                }
                matrix.append(true);
            }
        }
    }
    let nested_lists = matrix.finish();

    // Struct { a: Int32 (required), b: List<Float64> }, nullable.
    let mut b = ListBuilder::new(Float64Builder::new());
    for i in 0..n {
        if i % 4 == 3 {
            b.append(false);
        } else {
            for k in 0..i % 3 {
                b.values().append_value(k as f64 + 0.5);
            }
            b.append(true);
        }
    }
    let b = b.finish();
    let point_fields = Fields::from(vec![
        Field::new("a", DataType::Int32, false),
        Field::new("b", b.data_type().clone(), true),
    ]);
    let point_nulls =
        arrow::buffer::NullBuffer::from((0..n).map(|i| i % 6 != 5).collect::<Vec<_>>());
    let point = StructArray::new(
        point_fields,
        vec![
            Arc::new(Int32Array::from((0..n as i32).collect::<Vec<_>>())) as ArrayRef,
            Arc::new(b),
        ],
        Some(point_nulls),
    );

    // Map<Utf8, Int64>.
    let mut attrs = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
    for i in 0..n {
        if i % 5 == 4 {
            attrs.append(false).unwrap();
            continue;
        }
        for k in 0..i % 3 {
            attrs.keys().append_value(format!("k{k}"));
            if k == 1 {
                attrs.values().append_null();
            } else {
                attrs.values().append_value(i as i64 * 10 + k as i64);
            }
        }
        attrs.append(true).unwrap();
    }
    let attrs = attrs.finish();

    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(id)),
        ("name", Arc::new(name)),
        ("kind", Arc::new(kind)),
        ("flag", Arc::new(flag)),
        ("tiny", Arc::new(tiny)),
        ("unsigned", Arc::new(unsigned)),
        ("ratio", Arc::new(ratio)),
        ("price", Arc::new(price)),
        ("big", Arc::new(big)),
        ("at", Arc::new(at)),
        ("day", Arc::new(day)),
        ("blob", Arc::new(blob)),
        ("code", Arc::new(code)),
        ("tags", Arc::new(tags)),
        ("matrix", Arc::new(nested_lists)),
        ("point", Arc::new(point)),
        ("attrs", Arc::new(attrs)),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Writes the batches with `ArrowWriter`; the expected records are arrow-rs's batches as
/// canonical JSON for the file's schema.
fn write_with_arrow(batches: &[RecordBatch], props: WriterProperties) -> TestFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arrow.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), Some(props)).unwrap();
    for b in batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();
    let reader =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&path).unwrap())
            .unwrap();
    let schema = Schema::from_descriptor(
        parquet::file::reader::FileReader::metadata(&reader)
            .file_metadata()
            .schema_descr_ptr(),
    )
    .unwrap();
    let records = batches
        .iter()
        .flat_map(|b| shred::arrow_read::batch_to_records(&schema, b).unwrap())
        .collect();
    let row_groups = footer_row_groups(&path);
    TestFile {
        dir,
        path,
        schema,
        records,
        row_groups,
    }
}

#[test]
fn nested_arrow_file_every_codec_and_page_version() {
    let batches = [batch(40, 1), batch(25, 2)];
    for codec in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4_RAW,
        Compression::ZSTD(Default::default()),
        Compression::BROTLI(Default::default()),
    ] {
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            let props = WriterProperties::builder()
                .set_compression(codec)
                .set_writer_version(version)
                .set_max_row_group_row_count(Some(30))
                .build();
            let f = write_with_arrow(&batches, props);
            assert!(f.row_groups.len() >= 3, "{:?}", f.row_groups);
            check_all_commands(&f);
        }
    }
}

#[test]
fn arrow_dictionary_off_and_small_pages() {
    let batches = [batch(90, 3)];
    let props = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_data_page_row_count_limit(7)
        .set_write_batch_size(7)
        .build();
    let f = write_with_arrow(&batches, props);
    let pages = common::run_ok(&["pages", f.path_str(), "--column", "tags"]);
    assert!(!pages.contains("dictionary"));
    check_all_commands(&f);
}

#[test]
fn arrow_schema_shows_list_map_and_levels() {
    let f = write_with_arrow(&[batch(10, 4)], WriterProperties::builder().build());
    let table = common::run_ok(&["schema", f.path_str()]);
    for expected in [
        "attrs *",
        "MAP",
        "LIST",
        "DECIMAL(10,2)",
        "TIMESTAMP(MICROS,true)",
        "INTEGER(32,false)",
    ] {
        assert!(table.contains(expected), "{expected} in\n{table}");
    }
    // matrix.list.element.list.element: two repeated levels, five optional/repeated.
    let leaf = f
        .schema
        .leaves()
        .iter()
        .find(|l| l.path.starts_with("matrix"))
        .unwrap();
    assert_eq!((leaf.max_rep, leaf.max_def), (2, 5));
}
