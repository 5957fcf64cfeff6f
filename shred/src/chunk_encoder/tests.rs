//! Tests of the whole encoder: files written by it read back, and are byte for byte the
//! files of the `parquet` crate's column writer; helpers the per-concept tests share.

use std::sync::Arc;

use parquet::file::metadata::{ColumnChunkMetaData, PageIndexPolicy, ParquetMetaDataReader};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::properties::WriterPropertiesBuilder;
use parquet::file::reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;

use super::*;
use crate::Schema;
use crate::column_io::{StripeReader, stripe_for, write_file};

/// The Contact layout: a top-level optional string and two strings inside an optional
/// list of optional structs.
const SCHEMA: &str = "message m {
    optional binary name (STRING);
    optional group phones (LIST) { repeated group list { optional group item {
        optional binary number (STRING); optional binary kind (STRING); } } }
}";

pub(super) fn stripe(entries: &[(i16, i16, Option<&str>)]) -> Stripe {
    let mut stripe = Stripe::new(PhysicalType::BYTE_ARRAY);
    for &(r, d, value) in entries {
        stripe.rep.push(r);
        stripe.def.push(d);
        if let (Some(v), Values::ByteArray(values)) = (value, &mut stripe.values) {
            values.push(v.as_bytes());
        }
    }
    stripe
}

/// `records` records: names repeat every 7th record and every 5th is null; the phone
/// lists cycle through null, empty, a null item, and one to three phones with nulls.
pub(super) fn contact_stripes(records: usize) -> Vec<Stripe> {
    let mut name = Stripe::new(PhysicalType::BYTE_ARRAY);
    let mut number = Stripe::new(PhysicalType::BYTE_ARRAY);
    let mut kind = Stripe::new(PhysicalType::BYTE_ARRAY);
    let push = |s: &mut Stripe, r: i16, d: i16, max: i16, v: Option<String>| {
        s.rep.push(r);
        s.def.push(d);
        if let (Some(v), Values::ByteArray(values)) = (v.filter(|_| d == max), &mut s.values) {
            values.push(v.as_bytes());
        }
    };
    for i in 0..records {
        let n = (i % 5 != 0).then(|| format!("name {}", i % 7));
        push(&mut name, 0, n.is_some() as i16, 1, n);
        let (def, phones) = match i % 6 {
            0 => (0, 0), // null list
            1 => (1, 0), // empty list
            2 => (2, 1), // null item
            k => (4, k - 2),
        };
        if phones == 0 || def == 2 {
            for s in [&mut number, &mut kind] {
                push(s, 0, def, 4, None);
            }
            continue;
        }
        for p in 0..phones {
            let r = if p == 0 { 0 } else { 1 };
            let num = format!("+91-{:010}", i * 3 + p);
            push(
                &mut number,
                r,
                if (i + p) % 4 == 0 { 3 } else { 4 },
                4,
                Some(num),
            );
            let k = ["Mobile", "Work", "Home"][(i + p) % 3].to_string();
            push(
                &mut kind,
                r,
                if (i + p) % 9 == 0 { 3 } else { 4 },
                4,
                Some(k),
            );
        }
    }
    vec![name, number, kind]
}

pub(super) fn schema() -> Schema {
    Schema::parse(SCHEMA).unwrap()
}

/// A file written by this encoder, one row group per item.
pub(super) fn encode(props: WriterProperties, row_groups: &[Vec<Stripe>]) -> Bytes {
    encode_with(&schema(), props, row_groups)
}

/// A file of `schema` written by this encoder, one row group per item.
pub(super) fn encode_with(
    schema: &Schema,
    props: WriterProperties,
    row_groups: &[Vec<Stripe>],
) -> Bytes {
    encode_file(schema, props, row_groups, |encoder, stripe, _| {
        encoder.write(stripe).unwrap()
    })
}

/// A file of `schema`, one row group per item, each column chunk given to its encoder by
/// `feed` (encoder, the row group's stripe, its column) before it is finished.
fn encode_file(
    schema: &Schema,
    props: WriterProperties,
    row_groups: &[Vec<Stripe>],
    mut feed: impl FnMut(&mut ChunkEncoder, &Stripe, &ColumnDescPtr),
) -> Bytes {
    let props = Arc::new(props);
    let mut writer =
        SerializedFileWriter::new(Vec::new(), schema.message_type(), Arc::clone(&props)).unwrap();
    let columns = writer.schema_descr().columns().to_vec();
    let mut encoders: Vec<_> = columns
        .iter()
        .map(|c| ChunkEncoder::new(Arc::clone(c), &props).unwrap())
        .collect();
    for stripes in row_groups {
        let mut row_group = writer.next_row_group().unwrap();
        for ((encoder, stripe), column) in encoders.iter_mut().zip(stripes).zip(&columns) {
            feed(encoder, stripe, column);
            let chunk = encoder.finish().unwrap();
            row_group.append_column(&chunk.data, chunk.close).unwrap();
        }
        row_group.close().unwrap();
    }
    Bytes::from(writer.into_inner().unwrap())
}

/// The same stripes through the `parquet` crate's column writers.
fn parquet_writer(props: WriterProperties, row_groups: &[Vec<Stripe>]) -> Bytes {
    parquet_writer_with(&schema(), props, row_groups)
}

/// Stripes of `schema` through the `parquet` crate's column writers.
pub(super) fn parquet_writer_with(
    schema: &Schema,
    props: WriterProperties,
    row_groups: &[Vec<Stripe>],
) -> Bytes {
    Bytes::from(write_file(Vec::new(), schema, props, row_groups.to_vec()).unwrap())
}

pub(super) fn read_back(file: &Bytes) -> Vec<Vec<Stripe>> {
    read_back_with(&schema(), file)
}

/// The stripes of `file`, of `schema`, row group by row group.
pub(super) fn read_back_with(schema: &Schema, file: &Bytes) -> Vec<Vec<Stripe>> {
    let reader = SerializedFileReader::new(file.clone()).unwrap();
    use parquet::file::reader::FileReader;
    (0..reader.num_row_groups())
        .map(|rg| {
            (0..schema.leaves().len())
                .map(|leaf| {
                    let mut stripe = stripe_for(&schema.leaves()[leaf]);
                    let mut column = StripeReader::open(&reader, schema, rg, leaf).unwrap();
                    while column.read_records(1000, &mut stripe).unwrap() > 0 {}
                    stripe
                })
                .collect()
        })
        .collect()
}

pub(super) fn props() -> WriterPropertiesBuilder {
    WriterProperties::builder()
}

#[test]
fn contact_columns_read_back() {
    let row_groups = vec![contact_stripes(3000), contact_stripes(10)];
    let file = encode(props().build(), &row_groups);
    assert_eq!(read_back(&file), row_groups);
}

#[test]
fn compressed_pages_read_back() {
    let row_groups = vec![contact_stripes(2000)];
    for compression in ["snappy", "zstd(3)", "gzip(6)", "lz4_raw", "brotli(1)"] {
        let props = props().set_compression(compression.parse().unwrap());
        let file = encode(props.build(), &row_groups);
        assert_eq!(read_back(&file), row_groups, "{compression}");
    }
}

#[test]
fn same_file_as_the_parquet_column_writer() {
    // Same page cuts, dictionary fallback, statistics, histograms and page index: the
    // files are byte for byte those of the `parquet` crate's writer.
    let row_groups = vec![contact_stripes(50_000), contact_stripes(77)];
    for props in [
        props().build(),
        props().set_compression(Compression::SNAPPY).build(),
        props().set_dictionary_page_size_limit(200).build(),
        props().set_data_page_row_count_limit(100).build(),
        props().set_data_page_size_limit(1000).build(),
        props().set_dictionary_enabled(false).build(),
        props().set_offset_index_disabled(true).build(),
    ] {
        let ours = encode(props.clone(), &row_groups);
        let theirs = parquet_writer(props.clone(), &row_groups);
        assert!(ours == theirs, "{props:?}");
    }
}

pub(super) fn chunk_meta(
    file: &Bytes,
    column: usize,
) -> (ColumnChunkMetaData, ColumnIndexMetaData) {
    let meta = ParquetMetaDataReader::new()
        .with_page_index_policy(PageIndexPolicy::Required)
        .parse_and_finish(file)
        .unwrap();
    let index = meta
        .page_index_for_row_group(0)
        .column_index(column)
        .unwrap()
        .clone();
    (meta.row_group(0).column(column).clone(), index)
}

fn encoder(column: usize) -> ChunkEncoder {
    let descr = schema().descriptor().column(column);
    ChunkEncoder::new(descr, &WriterProperties::default()).unwrap()
}

#[test]
fn rejects_levels_above_max() {
    let err = encoder(0).write(&stripe(&[(0, 2, None)])).unwrap_err();
    assert!(err.to_string().contains("entry 0"), "{err}");
    assert!(err.to_string().contains("d = 2"), "{err}");
}

#[test]
fn rejects_a_missing_value() {
    let mut s = stripe(&[(0, 1, Some("x")), (0, 0, None)]);
    s.def.push(1);
    s.rep.push(0);
    let err = encoder(0).write(&s).unwrap_err();
    assert!(
        err.to_string()
            .contains("entry 2: expected a value for every non-null entry"),
        "{err}"
    );
}

#[test]
fn recycled_buffer_holds_the_next_chunk() {
    let stripes = contact_stripes(500);
    let mut encoder = encoder(1);
    encoder.write(&stripes[1]).unwrap();
    let first = encoder.finish().unwrap();
    let buffer = Vec::from(first.data);
    let (at, capacity) = (buffer.as_ptr(), buffer.capacity());
    encoder.recycle(buffer);
    encoder.write(&stripes[1]).unwrap();
    let second = encoder.finish().unwrap();
    assert_eq!(
        second.data.as_ptr(),
        at,
        "written where the first chunk was"
    );
    let again = Vec::from(second.data);
    assert_eq!(again.capacity(), capacity, "no reallocation");
}

#[test]
fn rejects_a_stripe_starting_inside_a_record() {
    let err = encoder(1).write(&stripe(&[(1, 4, Some("x"))])).unwrap_err();
    assert!(err.to_string().contains("starts a record"), "{err}");
}

#[test]
fn rejects_float16_and_interval() {
    let schema = "message m {
        required fixed_len_byte_array(2) x (FLOAT16);
        required fixed_len_byte_array(12) y (INTERVAL); }";
    let schema = parquet::schema::parser::parse_message_type(schema);
    let descr = parquet::schema::types::SchemaDescriptor::new(Arc::new(schema.unwrap()));
    for (column, name) in [(0, "FIXED_LEN_BYTE_ARRAY"), (1, "FIXED_LEN_BYTE_ARRAY")] {
        let err = ChunkEncoder::new(descr.column(column), &WriterProperties::default());
        let err = err.unwrap_err().to_string();
        assert!(
            err.contains(&format!("column {}", ["x", "y"][column])),
            "{err}"
        );
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn rejects_a_stripe_of_another_type() {
    let err = encoder(0)
        .write(&Stripe::new(PhysicalType::INT32))
        .unwrap_err();
    assert!(
        err.to_string().contains("other values than BYTE_ARRAY"),
        "{err}"
    );
}

/// A column of every supported kind: signed and unsigned integers, floats (NaN, ±0,
/// infinities), a list of doubles, fixed-length byte arrays (plain and decimal), a
/// decimal byte array and booleans; one column mostly null, so that small pages are null
/// pages.
const TYPED_SCHEMA: &str = "message m {
    required int32 id;
    optional int64 big;
    optional int32 small (UINT_32);
    optional int64 count (INTEGER(64,false));
    optional float ratio;
    optional double score;
    optional group samples (LIST) { repeated group list { optional double element; } }
    optional fixed_len_byte_array(16) uuid (UUID);
    optional fixed_len_byte_array(5) amount (DECIMAL(10,2));
    optional binary price (DECIMAL(20,2));
    optional fixed_len_byte_array(3) code;
    optional boolean flag;
    required boolean on;
    optional int96 legacy_time;
}";

/// A value of one of the typed columns.
enum Typed {
    Bool(bool),
    I32(i32),
    I96(parquet::data_type::Int96),
    I64(i64),
    F32(f32),
    F64(f64),
    Bytes(Vec<u8>),
}

fn push_typed(stripe: &mut Stripe, r: i16, d: i16, value: Option<Typed>) {
    stripe.rep.push(r);
    stripe.def.push(d);
    match (&mut stripe.values, value) {
        (_, None) => {}
        (Values::Boolean(v), Some(Typed::Bool(x))) => v.push(x),
        (Values::Int32(v), Some(Typed::I32(x))) => v.push(x),
        (Values::Int96(v), Some(Typed::I96(x))) => v.push(x),
        (Values::Int64(v), Some(Typed::I64(x))) => v.push(x),
        (Values::Float(v), Some(Typed::F32(x))) => v.push(x),
        (Values::Double(v), Some(Typed::F64(x))) => v.push(x),
        (Values::ByteArray(v) | Values::FixedLenByteArray(v), Some(Typed::Bytes(x))) => v.push(&x),
        (values, _) => panic!("a value of another type than {values:?}"),
    }
}

/// The shortest big-endian two's complement bytes of `v`.
fn decimal_bytes(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let sign = if v < 0 { 0xFF } else { 0 };
    let skip = (0..7)
        .take_while(|&i| bytes[i] == sign && (bytes[i + 1] & 0x80) == (sign & 0x80))
        .count();
    bytes[skip..].to_vec()
}

/// `records` records of [`TYPED_SCHEMA`], from a fixed seed: values repeat (dictionary
/// ids), ids ascend, records 300 to 399 have only NaN floats, and `count` is null but
/// for every 50th record.
fn typed_stripes(schema: &Schema, records: usize) -> Vec<Stripe> {
    let mut stripes: Vec<Stripe> = schema.leaves().iter().map(stripe_for).collect();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let floats = [
        f64::NAN,
        -0.0,
        0.0,
        1.5,
        -2.25,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for i in 0..records {
        let h = next();
        let nan_run = (300..400).contains(&i);
        let float = |k: u64| match k % 9 {
            _ if nan_run => f64::NAN,
            7 => (h % 1000) as f64 / 7.0,
            8 => -(((h >> 20) % 1000) as f64),
            k => floats[k as usize],
        };
        let optional = |every: usize| i % every != 0;
        let s = &mut stripes;
        push_typed(&mut s[0], 0, 0, Some(Typed::I32(i as i32)));
        let big = (h % 2000) as i64 - 1000;
        push_typed(
            &mut s[1],
            0,
            optional(5) as i16,
            optional(5).then_some(Typed::I64(big)),
        );
        let small = [0, 1, -1, i32::MIN, 100, 255, -100][(h >> 8) as usize % 7];
        let d = optional(7);
        push_typed(&mut s[2], 0, d as i16, d.then_some(Typed::I32(small)));
        let d = i % 50 == 0;
        let count = [0, -1, i64::MIN, 5][(h >> 12) as usize % 4];
        push_typed(&mut s[3], 0, d as i16, d.then_some(Typed::I64(count)));
        let d = optional(4);
        let ratio = float(h >> 16) as f32;
        push_typed(&mut s[4], 0, d as i16, d.then_some(Typed::F32(ratio)));
        let score = if i % 3 == 0 {
            (h >> 3) as f64 / 3.0
        } else {
            float(h >> 24)
        };
        push_typed(&mut s[5], 0, 1, Some(Typed::F64(score)));
        match i % 6 {
            0 => push_typed(&mut s[6], 0, 0, None),
            1 => push_typed(&mut s[6], 0, 1, None),
            2 => push_typed(&mut s[6], 0, 2, None),
            k => {
                for e in 0..k - 2 {
                    let r = i16::from(e > 0);
                    let value = float((h >> (4 * e)) + e as u64);
                    push_typed(&mut s[6], r, 3, Some(Typed::F64(value)));
                }
            }
        }
        let d = optional(6);
        let uuid: Vec<u8> = (0..16).map(|b| ((h % 300) >> (b % 8)) as u8 ^ b).collect();
        push_typed(&mut s[7], 0, d as i16, d.then_some(Typed::Bytes(uuid)));
        let amount = ((h >> 5) % 2_000_000) as i64 - 1_000_000;
        let fixed = amount.to_be_bytes()[3..].to_vec();
        push_typed(&mut s[8], 0, 1, Some(Typed::Bytes(fixed)));
        let d = optional(3);
        let price = decimal_bytes(((h >> 9) % 100_000) as i64 - 50_000);
        push_typed(&mut s[9], 0, d as i16, d.then_some(Typed::Bytes(price)));
        let code = [
            b"abc",
            b"\xff\xff\xff",
            b"ab\xff",
            b"zz\x00",
            b"\x00\x00\x01",
        ];
        let code = code[(h >> 30) as usize % code.len()].to_vec();
        push_typed(&mut s[10], 0, 1, Some(Typed::Bytes(code)));
        let d = optional(8);
        let flag = (h >> 40) % 3 == 0;
        push_typed(&mut s[11], 0, d as i16, d.then_some(Typed::Bool(flag)));
        push_typed(&mut s[12], 0, 0, Some(Typed::Bool(i % 1000 < 500)));
        let d = optional(9);
        let mut time = parquet::data_type::Int96::new();
        let (nanos, days) = (
            h >> 7,
            [2_440_588, 0, u32::MAX, 1 << 31][(h >> 3) as usize % 4],
        );
        time.set_data(
            nanos as u32,
            (nanos >> 32) as u32 % 4,
            days.wrapping_add((h % 3) as u32),
        );
        push_typed(&mut s[13], 0, d as i16, d.then_some(Typed::I96(time)));
    }
    stripes
}

#[test]
fn every_supported_type_is_the_parquet_column_writers_file() {
    // Same dictionary ids and fallback, page cuts, bounds in each type's sort order
    // (unsigned integers, floats without NaN unless all are, signed decimals), NaN
    // counts, null pages, truncated byte bounds, as the crate's writers write them.
    let schema = Schema::parse(TYPED_SCHEMA).unwrap();
    let row_groups = vec![typed_stripes(&schema, 5000), typed_stripes(&schema, 33)];
    for props in [
        props().build(),
        props().set_compression(Compression::SNAPPY).build(),
        props().set_dictionary_page_size_limit(64).build(),
        props()
            .set_dictionary_page_size_limit(1000)
            .set_write_batch_size(7)
            .build(),
        props().set_data_page_row_count_limit(20).build(),
        props().set_data_page_size_limit(300).build(),
        props().set_dictionary_enabled(false).build(),
        props()
            .set_dictionary_enabled(false)
            .set_data_page_size_limit(100)
            .set_write_batch_size(50)
            .build(),
        props().set_offset_index_disabled(true).build(),
        props()
            .set_column_index_truncate_length(Some(2))
            .set_statistics_truncate_length(Some(2))
            .build(),
    ] {
        let ours = encode_with(&schema, props.clone(), &row_groups);
        let theirs = parquet_writer_with(&schema, props.clone(), &row_groups);
        assert!(ours == theirs, "{props:?}");
    }
    let file = encode_with(&schema, props().build(), &row_groups);
    // NaN is not equal to itself: compare what the values print.
    let read = read_back_with(&schema, &file);
    assert_eq!(format!("{read:?}"), format!("{row_groups:?}"));
}

#[test]
fn float_bounds_skip_nan_and_count_it() {
    let schema = Schema::parse("message m { optional float x; }").unwrap();
    let mut x = Stripe::new(PhysicalType::FLOAT);
    for (d, v) in [(1, f32::NAN), (1, 0.0), (0, 0.0), (1, -0.0), (1, f32::NAN)] {
        push_typed(&mut x, 0, d, (d == 1).then_some(Typed::F32(v)));
    }
    let row_groups = vec![vec![x]];
    let file = encode_with(&schema, props().build(), &row_groups);
    assert!(file == parquet_writer_with(&schema, props().build(), &row_groups));
    let (meta, _) = chunk_meta(&file, 0);
    let Some(parquet::file::statistics::Statistics::Float(stats)) = meta.statistics() else {
        panic!("{:?}", meta.statistics())
    };
    // Total order: -0.0 below +0.0; the NaNs are counted, not bounds.
    assert_eq!(
        stats.min_opt().map(|m| m.to_bits()),
        Some((-0.0f32).to_bits())
    );
    assert_eq!(stats.max_opt().map(|m| m.to_bits()), Some(0.0f32.to_bits()));
    assert_eq!(stats.nan_count_opt(), Some(2));
}

#[test]
fn accepts_every_supported_type() {
    let schema = Schema::parse(TYPED_SCHEMA).unwrap();
    for column in schema.descriptor().columns() {
        let encoder = ChunkEncoder::new(Arc::clone(column), &WriterProperties::default());
        assert!(encoder.is_ok(), "{}: {encoder:?}", column.path());
    }
}

#[test]
fn page_of_null_list_items_is_the_parquet_column_writers_file() {
    let schema = Schema::parse(
        "message m { optional group tags (LIST) { repeated group list { optional double element; } } }",
    )
    .unwrap();
    // Pages of one record each: two null items (no value, fewer records than nulls),
    // then a value and a null item (a null page with a value: as many records as
    // nulls), then a value, then a null list; with and without the first record.
    let entries = [
        (0, 2, None),
        (1, 2, None),
        (0, 3, Some(1.0)),
        (1, 2, None),
        (0, 3, Some(2.0)),
        (0, 0, None),
    ];
    for (first, limit) in [(0, 1), (0, 2), (2, 1), (2, 2)] {
        let mut tags = Stripe::new(PhysicalType::DOUBLE);
        for &(r, d, value) in &entries[first..] {
            push_typed(&mut tags, r, d, value.map(Typed::F64));
        }
        let row_groups = vec![vec![tags]];
        let props = props()
            .set_data_page_row_count_limit(limit)
            .set_write_batch_size(1)
            .build();
        let ours = encode_with(&schema, props.clone(), &row_groups);
        let theirs = parquet_writer_with(&schema, props.clone(), &row_groups);
        assert!(ours == theirs, "{props:?}");
    }
}

#[test]
fn chunks_of_nulls_only_are_the_parquet_column_writers_file() {
    // No bounds, an empty dictionary page (but for booleans), null pages.
    let schema = Schema::parse(
        "message m { optional binary s (STRING); optional float f; optional int32 i;
            optional fixed_len_byte_array(4) b; optional boolean t; }",
    )
    .unwrap();
    let nulls: Vec<Stripe> = (schema.leaves().iter())
        .map(|leaf| {
            let mut stripe = stripe_for(leaf);
            for _ in 0..3 {
                push_typed(&mut stripe, 0, 0, None);
            }
            stripe
        })
        .collect();
    let row_groups = vec![nulls];
    for props in [
        props().build(),
        props().set_dictionary_enabled(false).build(),
    ] {
        let ours = encode_with(&schema, props.clone(), &row_groups);
        let theirs = parquet_writer_with(&schema, props.clone(), &row_groups);
        assert!(ours == theirs, "{props:?}");
    }
}

#[test]
fn rejects_a_fixed_length_value_of_another_length() {
    let schema = Schema::parse("message m { required fixed_len_byte_array(4) b; }").unwrap();
    let descr = schema.descriptor().column(0);
    let mut encoder = ChunkEncoder::new(descr, &WriterProperties::default()).unwrap();
    let mut b = Stripe::new(PhysicalType::FIXED_LEN_BYTE_ARRAY);
    push_typed(&mut b, 0, 0, Some(Typed::Bytes(b"abcd".to_vec())));
    push_typed(&mut b, 0, 0, Some(Typed::Bytes(b"abc".to_vec())));
    let err = encoder.write(&b).unwrap_err().to_string();
    assert!(
        err.contains("column b: value 1 is 3 bytes long, not the 4 bytes of its type"),
        "{err}"
    );
}

/// `stripe`, of `column`, cut at record starts into pieces of `records[i % records.len()]`
/// records.
fn pieces(stripe: &Stripe, column: &ColumnDescPtr, records: &[usize]) -> Vec<Stripe> {
    let mut out = Vec::new();
    let (mut entry, mut value) = (0, 0);
    while entry < stripe.len() {
        let n = records[out.len() % records.len()];
        let (end, value_end) = stripe.records_end(entry, value, n, column.max_def_level());
        let mut piece = Stripe::new(column.physical_type());
        piece.append_range(stripe, entry..end, value..value_end);
        out.push(piece);
        (entry, value) = (end, value_end);
    }
    out
}

/// A file written by [`ChunkEncoder::append`], each row group's stripes given in pieces of
/// `records` records.
fn append_in_pieces(
    schema: &Schema,
    props: WriterProperties,
    row_groups: &[Vec<Stripe>],
    records: &[usize],
) -> Bytes {
    encode_file(schema, props, row_groups, |encoder, stripe, column| {
        for piece in pieces(stripe, column, records) {
            encoder.append(&piece).unwrap();
        }
    })
}

#[test]
fn stripes_appended_in_pieces_are_the_whole_stripes_file() {
    // Mini-batches that span pieces, pieces shorter than a mini-batch, records longer than
    // one, sub-batches cut by the dictionary's budget: the file of one write per chunk.
    let contact = (schema(), vec![contact_stripes(20_000), contact_stripes(77)]);
    let typed_schema = Schema::parse(TYPED_SCHEMA).unwrap();
    let typed = (
        typed_schema.clone(),
        vec![
            typed_stripes(&typed_schema, 5000),
            typed_stripes(&typed_schema, 33),
        ],
    );
    for (schema, row_groups) in [contact, typed] {
        for props in [
            props().build(),
            props().set_write_batch_size(7).build(),
            props()
                .set_dictionary_page_size_limit(1000)
                .set_write_batch_size(100)
                .build(),
            props().set_data_page_row_count_limit(20).build(),
            props()
                .set_dictionary_enabled(false)
                .set_data_page_size_limit(300)
                .set_write_batch_size(50)
                .build(),
        ] {
            let whole = encode_with(&schema, props.clone(), &row_groups);
            for records in [&[1][..], &[3, 1, 250], &[1000], &[4999, 1]] {
                let ours = append_in_pieces(&schema, props.clone(), &row_groups, records);
                assert!(ours == whole, "pieces of {records:?} records, {props:?}");
            }
        }
    }
}

#[test]
fn write_after_append_starts_its_own_mini_batches() {
    // An appended stripe's unfinished mini-batch ends where the written stripe begins, as
    // two `write_batch` calls cut them.
    let schema = schema();
    let stripes = contact_stripes(3000);
    let columns = schema.descriptor().columns().to_vec();
    let halves: Vec<Vec<Stripe>> = (stripes.iter().zip(&columns))
        .map(|(s, column)| pieces(s, column, &[1500]))
        .collect();
    let props = Arc::new(props().set_write_batch_size(1000).build());
    let mut theirs =
        SerializedFileWriter::new(Vec::new(), schema.message_type(), props.clone()).unwrap();
    let mut ours =
        SerializedFileWriter::new(Vec::new(), schema.message_type(), props.clone()).unwrap();
    let mut theirs_rg = theirs.next_row_group().unwrap();
    let mut ours_rg = ours.next_row_group().unwrap();
    for (column, halves) in halves.iter().enumerate() {
        let descr = schema.descriptor().column(column);
        let mut encoder = ChunkEncoder::new(descr.clone(), &props).unwrap();
        encoder.write(&halves[0]).unwrap();
        encoder.write(&halves[1]).unwrap();
        let chunk = encoder.finish().unwrap();
        theirs_rg.append_column(&chunk.data, chunk.close).unwrap();
        let mut encoder = ChunkEncoder::new(descr, &props).unwrap();
        encoder.append(&halves[0]).unwrap();
        encoder.write(&halves[1]).unwrap();
        let chunk = encoder.finish().unwrap();
        ours_rg.append_column(&chunk.data, chunk.close).unwrap();
    }
    theirs_rg.close().unwrap();
    ours_rg.close().unwrap();
    assert!(ours.into_inner().unwrap() == theirs.into_inner().unwrap());
}
