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
    let schema = schema();
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
        for (encoder, stripe) in encoders.iter_mut().zip(stripes) {
            encoder.write(stripe).unwrap();
            let chunk = encoder.finish().unwrap();
            row_group.append_column(&chunk.data, chunk.close).unwrap();
        }
        row_group.close().unwrap();
    }
    Bytes::from(writer.into_inner().unwrap())
}

/// The same stripes through the `parquet` crate's column writers.
fn parquet_writer(props: WriterProperties, row_groups: &[Vec<Stripe>]) -> Bytes {
    Bytes::from(write_file(Vec::new(), &schema(), props, row_groups.to_vec()).unwrap())
}

pub(super) fn read_back(file: &Bytes) -> Vec<Vec<Stripe>> {
    let schema = schema();
    let reader = SerializedFileReader::new(file.clone()).unwrap();
    use parquet::file::reader::FileReader;
    (0..reader.num_row_groups())
        .map(|rg| {
            (0..schema.leaves().len())
                .map(|leaf| {
                    let mut stripe = stripe_for(&schema.leaves()[leaf]);
                    let mut column = StripeReader::open(&reader, &schema, rg, leaf).unwrap();
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
fn rejects_other_physical_types() {
    let schema = parquet::schema::parser::parse_message_type("message m { required int64 x; }");
    let descr = parquet::schema::types::SchemaDescriptor::new(Arc::new(schema.unwrap()));
    let err = ChunkEncoder::new(descr.column(0), &WriterProperties::default()).unwrap_err();
    assert!(err.to_string().contains("column x"), "{err}");
    assert!(err.to_string().contains("INT64"), "{err}");
}
