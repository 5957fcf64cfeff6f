//! Files written through shred's column writer (`write_batch(values, def, rep)`): every
//! physical type, bare repeated fields, LIST, MAP, nested lists and groups, empty row
//! groups, under every page version, dictionary setting, value encoding and codec the
//! `parquet` crate writes. Each file is checked with every command against the records
//! that went into it (`common::check_all_commands`).

mod common;

use parquet::basic::{Compression, Encoding, GzipLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value as Json, json};

use common::{check_all_commands, write_with_shred};

/// Every physical type, and nesting of every kind.
const ALL_TYPES: &str = "message all_types {
  required int64 id;
  optional boolean flag;
  optional int32 i32;
  optional int64 i64;
  optional int96 ts96;
  optional float f32;
  optional double f64;
  optional binary name (STRING);
  optional binary blob;
  optional fixed_len_byte_array(4) fixed;
  optional int32 day (DATE);
  optional int64 price (DECIMAL(18,2));
  optional int32 small (INTEGER(8,false));
  repeated int64 bare;
  optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
  optional group attrs (MAP) { repeated group key_value { required binary key (STRING); optional int64 value; } }
  optional group nested { required int32 a; optional group inner { repeated group items { optional double x; } } }
  optional group matrix (LIST) { repeated group list { optional group element (LIST) { repeated group list { optional int32 element; } } } }
}";

/// Deterministic records that reach every definition state of every column: nulls at each
/// level, empty and null lists, null elements, non-UTF-8 bytes, strings to escape.
fn all_types_records(n: usize, seed: u64) -> Vec<Json> {
    let mut rng = StdRng::seed_from_u64(seed);
    let strings = [
        "a",
        "",
        "quote\"",
        "tab\tnew\nline",
        "héllo ✓",
        "+91-0000000042",
        "null",
    ];
    (0..n)
        .map(|i| {
            let null = |rng: &mut StdRng| rng.random_bool(0.25);
            let mut r = serde_json::Map::new();
            r.insert("id".into(), json!(i));
            if !null(&mut rng) {
                r.insert("flag".into(), json!(rng.random_bool(0.5)));
            }
            if !null(&mut rng) {
                r.insert("i32".into(), json!(rng.random_range(i32::MIN..=i32::MAX)));
            }
            if !null(&mut rng) {
                r.insert("i64".into(), json!(rng.random_range(i64::MIN..=i64::MAX)));
            }
            if !null(&mut rng) {
                r.insert(
                    "ts96".into(),
                    json!(rng.random_range(-10_i64.pow(17)..10_i64.pow(18))),
                );
            }
            if !null(&mut rng) {
                r.insert(
                    "f32".into(),
                    json!(rng.random_range(-1000..1000) as f64 / 4.0),
                );
            }
            if !null(&mut rng) {
                let v = match rng.random_range(0..5) {
                    0 => json!("NaN"),
                    1 => json!("-Infinity"),
                    _ => json!(rng.random_range(-1e6..1e6)),
                };
                r.insert("f64".into(), v);
            }
            if !null(&mut rng) {
                r.insert(
                    "name".into(),
                    json!(strings[rng.random_range(0..strings.len())]),
                );
            }
            if !null(&mut rng) {
                let blob: Json = if rng.random_bool(0.5) {
                    json!([255, 0, rng.random_range(0..256)])
                } else {
                    json!("utf8 blob")
                };
                r.insert("blob".into(), blob);
            }
            if !null(&mut rng) {
                r.insert(
                    "fixed".into(),
                    json!(["abcd", "wxyz", "0000"][rng.random_range(0..3)]),
                );
            }
            if !null(&mut rng) {
                r.insert("day".into(), json!(rng.random_range(-1000..30000)));
            }
            if !null(&mut rng) {
                r.insert(
                    "price".into(),
                    json!(rng.random_range(-1_000_000..1_000_000)),
                );
            }
            if !null(&mut rng) {
                r.insert("small".into(), json!(rng.random_range(0..=255)));
            }
            let bare: Vec<i64> = (0..rng.random_range(0..4))
                .map(|k| k * 10 + i as i64)
                .collect();
            r.insert("bare".into(), json!(bare));
            let tags: Json = match rng.random_range(0..4) {
                0 => Json::Null,
                1 => json!([]),
                _ => Json::Array(
                    (0..rng.random_range(1..4))
                        .map(|_| {
                            if rng.random_bool(0.2) {
                                Json::Null
                            } else {
                                json!(strings[rng.random_range(0..strings.len())])
                            }
                        })
                        .collect(),
                ),
            };
            r.insert("tags".into(), tags);
            let attrs: Json = match rng.random_range(0..4) {
                0 => Json::Null,
                1 => json!([]),
                _ => Json::Array(
                    (0..rng.random_range(1..4))
                        .map(|k| {
                            let value = if rng.random_bool(0.2) {
                                Json::Null
                            } else {
                                json!(rng.random_range(-5..5))
                            };
                            json!({"key": format!("k{k}"), "value": value})
                        })
                        .collect(),
                ),
            };
            r.insert("attrs".into(), attrs);
            let nested: Json = match rng.random_range(0..4) {
                0 => Json::Null,
                1 => json!({"a": 1, "inner": null}),
                2 => json!({"a": 2, "inner": {"items": []}}),
                _ => json!({"a": 3, "inner": {"items": [{"x": 1.5}, {"x": null}, {}]}}),
            };
            r.insert("nested".into(), nested);
            let matrix: Json = match rng.random_range(0..5) {
                0 => Json::Null,
                1 => json!([]),
                2 => json!([null, []]),
                3 => json!([[1, null], [], [2]]),
                _ => json!([[rng.random_range(0..9)]]),
            };
            r.insert("matrix".into(), matrix);
            Json::Object(r)
        })
        .collect()
}

/// The columns that take a non-dictionary encoding other than PLAIN, and the encoding.
fn delta_encodings(
    props: parquet::file::properties::WriterPropertiesBuilder,
) -> parquet::file::properties::WriterPropertiesBuilder {
    let col = |p: &str| ColumnPath::from(p.split('.').map(str::to_string).collect::<Vec<_>>());
    props
        .set_dictionary_enabled(false)
        .set_column_encoding(col("i32"), Encoding::DELTA_BINARY_PACKED)
        .set_column_encoding(col("i64"), Encoding::DELTA_BINARY_PACKED)
        .set_column_encoding(col("bare"), Encoding::DELTA_BINARY_PACKED)
        .set_column_encoding(col("name"), Encoding::DELTA_BYTE_ARRAY)
        .set_column_encoding(col("blob"), Encoding::DELTA_LENGTH_BYTE_ARRAY)
        .set_column_encoding(col("tags.list.element"), Encoding::DELTA_BYTE_ARRAY)
        .set_column_encoding(col("f64"), Encoding::BYTE_STREAM_SPLIT)
        .set_column_encoding(col("f32"), Encoding::BYTE_STREAM_SPLIT)
}

fn codecs() -> Vec<Compression> {
    vec![
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4,
        Compression::LZ4_RAW,
        Compression::ZSTD(Default::default()),
        Compression::BROTLI(Default::default()),
    ]
}

#[test]
fn every_codec_with_data_pages_v1_and_v2() {
    let records = all_types_records(60, 1);
    for codec in codecs() {
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            let props = WriterProperties::builder()
                .set_compression(codec)
                .set_writer_version(version)
                .build();
            let f = write_with_shred(ALL_TYPES, &records, &[25, 35], props);
            let pages = common::run_ok(&["pages", f.path_str(), "--format", "json"]);
            let want = if version == WriterVersion::PARQUET_1_0 {
                "data v1"
            } else {
                "data v2"
            };
            assert!(pages.contains(want), "{codec:?} {version:?}");
            let meta = common::run_ok(&["meta", f.path_str(), "--format", "json"]);
            let codec_name = format!("{:?}", parquet::basic::CompressionCodec::from(codec));
            assert!(meta.contains(&codec_name), "{codec_name}");
            check_all_commands(&f);
        }
    }
}

#[test]
fn dictionary_off_on_and_falling_back() {
    let records = all_types_records(80, 2);
    // Dictionary on: a dictionary page first in every chunk.
    let on = write_with_shred(
        ALL_TYPES,
        &records,
        &[80],
        WriterProperties::builder().build(),
    );
    assert!(common::run_ok(&["pages", on.path_str()]).contains("dictionary"));
    check_all_commands(&on);
    // Off: no dictionary page anywhere.
    let off = write_with_shred(
        ALL_TYPES,
        &records,
        &[80],
        WriterProperties::builder()
            .set_dictionary_enabled(false)
            .build(),
    );
    assert!(!common::run_ok(&["pages", off.path_str()]).contains("dictionary"));
    check_all_commands(&off);
    // Fallback: a tiny dictionary limit makes the writer switch to PLAIN mid-chunk, so a
    // chunk has dictionary-encoded pages and then plain ones.
    let fallback = write_with_shred(
        ALL_TYPES,
        &records,
        &[80],
        WriterProperties::builder()
            .set_dictionary_page_size_limit(16)
            .set_data_page_row_count_limit(8)
            .set_write_batch_size(8)
            .build(),
    );
    let pages = common::json_lines(&common::run_ok(&[
        "pages",
        fallback.path_str(),
        "--column",
        "i64",
        "--format",
        "json",
    ]));
    let encodings: Vec<&str> = pages
        .iter()
        .map(|p| p["encoding"].as_str().unwrap())
        .collect();
    assert!(
        encodings.contains(&"RLE_DICTIONARY") && encodings.contains(&"PLAIN"),
        "{encodings:?}"
    );
    check_all_commands(&fallback);
}

#[test]
fn delta_and_byte_stream_split_encodings() {
    let records = all_types_records(70, 3);
    for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
        let props =
            delta_encodings(WriterProperties::builder().set_writer_version(version)).build();
        let f = write_with_shred(ALL_TYPES, &records, &[70], props);
        let pages = common::json_lines(&common::run_ok(&[
            "pages",
            f.path_str(),
            "--format",
            "json",
        ]));
        let encoding_of = |column: &str| {
            pages
                .iter()
                .find(|p| p["column"] == json!(column))
                .map(|p| p["encoding"].as_str().unwrap().to_string())
                .unwrap()
        };
        assert_eq!(encoding_of("i64"), "DELTA_BINARY_PACKED");
        assert_eq!(encoding_of("name"), "DELTA_BYTE_ARRAY");
        assert_eq!(encoding_of("blob"), "DELTA_LENGTH_BYTE_ARRAY");
        assert_eq!(encoding_of("f64"), "BYTE_STREAM_SPLIT");
        check_all_commands(&f);
    }
}

#[test]
fn many_small_pages_and_many_row_groups_with_empty_ones() {
    let records = all_types_records(100, 4);
    let props = WriterProperties::builder()
        .set_data_page_row_count_limit(3)
        .set_write_batch_size(3)
        .set_compression(Compression::SNAPPY)
        .build();
    let groups = [0, 17, 1, 0, 40, 0, 42, 0];
    let f = write_with_shred(ALL_TYPES, &records, &groups, props);
    let pages = common::json_lines(&common::run_ok(&[
        "pages",
        f.path_str(),
        "--column",
        "id",
        "--format",
        "json",
    ]));
    assert!(pages.len() > 30, "{} pages", pages.len());
    // Record 17 is the only record of row group 2 (after an empty row group 0).
    let out = common::run_ok(&["record", f.path_str(), "17", "--format", "json"]);
    assert!(out.contains("\"row_group\":2"), "{out}");
    check_all_commands(&f);
}

#[test]
fn statistics_off_leaves_no_histograms_to_check() {
    let records = all_types_records(30, 5);
    let props = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    let f = write_with_shred(ALL_TYPES, &records, &[30], props);
    let hist = common::json_lines(&common::run_ok(&[
        "histogram",
        f.path_str(),
        "--format",
        "json",
    ]));
    assert!(hist.iter().all(|h| h["stored_d"].is_null()));
    check_all_commands(&f);
}

#[test]
fn logical_types_show_in_tables() {
    let records = vec![
        json!({"id": 1, "day": 19000, "price": -1234, "small": 255, "ts96": 86_400_000_000_000_i64,
                              "fixed": "abcd", "blob": [255, 1]}),
    ];
    let f = write_with_shred(
        ALL_TYPES,
        &records,
        &[1],
        WriterProperties::builder().build(),
    );
    let table = common::run_ok(&["levels", f.path_str()]);
    for shown in [
        "2022-01-08",
        "-12.34",
        "255",
        "1970-01-02T00:00:00",
        "\"abcd\"",
        "0xff01",
    ] {
        assert!(table.contains(shown), "{shown} in\n{table}");
    }
    let json = common::run_ok(&[
        "levels",
        f.path_str(),
        "--column",
        "price",
        "--format",
        "json",
    ]);
    assert!(
        json.contains("\"value\":-1234"),
        "JSON keeps the canonical value: {json}"
    );
}
