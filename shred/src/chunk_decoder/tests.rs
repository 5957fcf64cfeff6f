use super::*;
use crate::column_io::{StripeReader, stripe_for, write_file};
use crate::schema::Schema;
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use rand::{Rng, SeedableRng};
use serde_json::{Value as Json, json};

/// Random records of the Dremel paper's Document schema: names, languages and urls
/// present, null or repeated, strings of every length, some repeated often (so a
/// dictionary has something to do).
fn documents(n: usize, seed: u64) -> Vec<Json> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let text = |rng: &mut rand::rngs::StdRng| -> Json {
        match rng.random_range(0..4) {
            0 => Json::Null,
            1 => json!(format!("v{}", rng.random_range(0..5))),
            2 => json!(""),
            _ => json!("x".repeat(rng.random_range(0..40))),
        }
    };
    (0..n)
        .map(|i| {
            let names: Vec<Json> = (0..rng.random_range(0..3))
                .map(|_| {
                    let languages: Vec<Json> = (0..rng.random_range(0..3))
                        .map(|_| json!({"Code": format!("c{}", rng.random_range(0..3)), "Country": text(&mut rng)}))
                        .collect();
                    json!({"Language": languages, "Url": text(&mut rng)})
                })
                .collect();
            json!({"DocId": i, "Name": names})
        })
        .collect()
}

/// A file the `parquet` crate wrote: its bytes, and the crate's reader of them.
struct Written {
    bytes: std::sync::Arc<Bytes>,
    file: SerializedFileReader<Bytes>,
}

/// The file the `parquet` crate writes from `records` with `props`, two row groups.
fn file(records: &[Json], props: WriterProperties) -> (Schema, Written) {
    let schema = Schema::parse(crate::fixtures::DOCUMENT_SCHEMA).unwrap();
    let half = records.len() / 2;
    let groups = [&records[..half], &records[half..]]
        .map(|r| crate::shredder::shred_records(&schema, r).unwrap());
    let bytes = Bytes::from(write_file(Vec::new(), &schema, props, groups).unwrap());
    let file = SerializedFileReader::new(bytes.clone()).unwrap();
    let bytes = std::sync::Arc::new(bytes);
    (schema, Written { bytes, file })
}

/// Every BYTE_ARRAY chunk of `written` read `batch` records at a time by [`ChunkDecoder`]
/// (its pages as [`ParquetReader`](crate::parquet_reader::ParquetReader) hands them out,
/// stored or decompressed by codec) and by the crate's reader: the same records, batch by
/// batch; what the decoder declined, if anything.
fn same_as_the_crate(schema: &Schema, written: &Written, batch: usize) -> Vec<String> {
    let file = &written.file;
    let mut declines = Vec::new();
    for rg in 0..file.num_row_groups() {
        for (l, leaf) in schema.leaves().iter().enumerate() {
            if leaf.physical() != parquet::basic::Type::BYTE_ARRAY {
                continue;
            }
            let pages = crate::parquet_reader::stored_pages(&written.bytes, file.metadata(), rg, l)
                .unwrap();
            let mut decoder = ChunkDecoder::new(pages, leaf.max_rep, leaf.max_def);
            let mut reference = StripeReader::open(file, schema, rg, l).unwrap();
            let (mut ours, mut theirs) = (stripe_for(leaf), stripe_for(leaf));
            loop {
                ours.clear();
                theirs.clear();
                let expected = reference.read_records(batch, &mut theirs).unwrap();
                match decoder.read_records(batch, &mut ours, true) {
                    Ok(records) => {
                        assert_eq!(records, expected, "{} rg {rg}", leaf.path);
                        assert_eq!(ours, theirs, "{} rg {rg}", leaf.path);
                    }
                    Err(d) => {
                        declines.push(d.reason);
                        break;
                    }
                }
                if expected == 0 {
                    break;
                }
            }
        }
    }
    declines
}

/// Writer properties with PLAIN as the fallback from a dictionary (the v2 writer's
/// default is DELTA_BYTE_ARRAY).
fn props() -> parquet::file::properties::WriterPropertiesBuilder {
    WriterProperties::builder().set_encoding(Encoding::PLAIN)
}

/// Writer properties with the Document schema's byte-array columns in `encoding`.
fn byte_arrays_in(
    builder: parquet::file::properties::WriterPropertiesBuilder,
    encoding: Encoding,
) -> parquet::file::properties::WriterPropertiesBuilder {
    ["Name.Language.Code", "Name.Language.Country", "Name.Url"]
        .into_iter()
        .fold(builder, |b, path| {
            let path = path.split('.').map(String::from).collect();
            b.set_column_encoding(parquet::schema::types::ColumnPath::new(path), encoding)
        })
}

#[test]
fn dictionary_and_plain_pages_decode_as_the_crate_decodes_them() {
    let records = documents(3000, 1);
    for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
        for dictionary in [true, false] {
            let props = props()
                .set_writer_version(version)
                .set_dictionary_enabled(dictionary)
                .set_compression(parquet::basic::Compression::SNAPPY)
                .build();
            let (schema, file) = file(&records, props);
            for batch in [1, 7, 1000, 5000] {
                assert_eq!(
                    same_as_the_crate(&schema, &file, batch),
                    Vec::<String>::new(),
                    "{version:?} dictionary {dictionary} batch {batch}"
                );
            }
        }
    }
}

#[test]
fn small_pages_and_a_dictionary_that_falls_back_to_plain() {
    use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
    let records = documents(3000, 2);
    for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
        for compression in [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::GZIP(GzipLevel::default()),
            Compression::BROTLI(BrotliLevel::default()),
            Compression::ZSTD(ZstdLevel::default()),
            Compression::LZ4_RAW,
        ] {
            let props = props()
                .set_writer_version(version)
                .set_compression(compression)
                .set_data_page_row_count_limit(5)
                .set_write_batch_size(3)
                .set_dictionary_page_size_limit(64)
                .build();
            let (schema, file) = file(&records, props);
            for batch in [1, 4, 100] {
                assert_eq!(
                    same_as_the_crate(&schema, &file, batch),
                    Vec::<String>::new(),
                    "{version:?} {compression} batch {batch}"
                );
            }
        }
    }
}

#[test]
fn other_encodings_are_declined() {
    let records = documents(100, 3);
    let props = byte_arrays_in(
        props().set_dictionary_enabled(false),
        Encoding::DELTA_BYTE_ARRAY,
    )
    .build();
    let (schema, file) = file(&records, props);
    let declines = same_as_the_crate(&schema, &file, 10);
    assert!(!declines.is_empty());
    assert!(
        declines.iter().all(|d| d == "DELTA_BYTE_ARRAY values"),
        "{declines:?}"
    );
}

#[test]
fn stripe_reader_goes_on_with_the_crate_where_the_decoder_declines() {
    // The first pages are dictionary-encoded, then the dictionary is full and the rest
    // is DELTA_BYTE_ARRAY: the crate's reader takes over mid-chunk.
    let records = documents(2000, 4);
    let props = props()
        .set_dictionary_page_size_limit(300)
        .set_data_page_row_count_limit(50)
        .set_write_batch_size(10);
    let props = byte_arrays_in(props, Encoding::DELTA_BYTE_ARRAY).build();
    let (schema, written) = file(&records, props);
    let file = std::sync::Arc::new(written.file);
    let url = schema.leaf_index("Name.Url").unwrap();
    let leaf = &schema.leaves()[url];
    let pages = file
        .get_row_group(0)
        .unwrap()
        .get_column_page_reader(url)
        .unwrap();
    let reopened = std::sync::Arc::clone(&file);
    let reopen = move || {
        Ok(reopened
            .get_row_group(0)
            .unwrap()
            .get_column_reader(url)
            .unwrap())
    };
    let mut ours = StripeReader::decoding(pages.into(), leaf, reopen).unwrap();
    let mut reference = StripeReader::open(&*file, &schema, 0, url).unwrap();
    let (mut a, mut b) = (stripe_for(leaf), stripe_for(leaf));
    let mut taken_over = None;
    for batch in 0.. {
        let n = reference.read_records(33, &mut b).unwrap();
        let decoding = ours.decodes_itself();
        assert_eq!(ours.read_records(33, &mut a).unwrap(), n);
        if decoding && !ours.decodes_itself() {
            taken_over = Some(batch);
        }
        if n == 0 {
            break;
        }
    }
    assert_eq!(a, b);
    assert!(taken_over > Some(0), "taken over at batch {taken_over:?}");
}

/// Hand-made pages of a column, in order, for cases no writer makes.
struct Pages(std::vec::IntoIter<Page>);

impl Iterator for Pages {
    type Item = parquet::errors::Result<Page>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(Ok)
    }
}

impl PageReader for Pages {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<Page>> {
        Ok(self.0.next())
    }
    fn peek_next_page(
        &mut self,
    ) -> parquet::errors::Result<Option<parquet::column::page::PageMetadata>> {
        unimplemented!("the decoder does not peek")
    }
    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        unimplemented!("the decoder does not skip")
    }
}

/// PLAIN byte arrays: each value's 4-byte length, then its bytes.
fn plain(values: &[&str]) -> Bytes {
    let mut buf = Vec::new();
    for v in values {
        buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
        buf.extend_from_slice(v.as_bytes());
    }
    Bytes::from(buf)
}

/// A v1 data page of a REQUIRED column (no levels) holding `n` values `buf` in `encoding`.
fn data_page(buf: Bytes, n: u32, encoding: Encoding) -> Page {
    Page::DataPage {
        buf,
        num_values: n,
        encoding,
        def_level_encoding: Encoding::RLE,
        rep_level_encoding: Encoding::RLE,
        statistics: None,
    }
}

/// A PLAIN dictionary page of `values`.
fn dictionary_page(values: &[&str]) -> Page {
    Page::DictionaryPage {
        buf: plain(values),
        num_values: values.len() as u32,
        encoding: Encoding::PLAIN,
        is_sorted: false,
    }
}

/// A decoder of `pages`, a REQUIRED column's (no levels).
fn required_column(pages: Vec<Page>) -> ChunkDecoder {
    let pages: Box<dyn PageReader> = Box::new(Pages(pages.into_iter()));
    ChunkDecoder::new(pages.into(), 0, 0)
}

/// A data page of one dictionary id, 0: bit width 1, then an RLE run of one 0.
fn id_0_page() -> Page {
    data_page(Bytes::from_static(&[1, 2, 0]), 1, Encoding::RLE_DICTIONARY)
}

#[test]
fn dictionary_is_dropped_at_the_fallback_to_plain() {
    let pages = vec![
        dictionary_page(&["d"]),
        id_0_page(),
        data_page(plain(&["p"]), 1, Encoding::PLAIN),
    ];
    let mut decoder = required_column(pages);
    let mut stripe = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
    assert_eq!(decoder.read_records(1, &mut stripe, true), Ok(1));
    assert!(decoder.dictionary.is_some());
    assert_eq!(decoder.read_records(1, &mut stripe, true), Ok(1));
    assert!(decoder.dictionary.is_none(), "dropped at the PLAIN page");
    assert_eq!(decoder.read_records(1, &mut stripe, true), Ok(0));
    let Values::ByteArray(values) = &stripe.values else {
        unreachable!()
    };
    assert_eq!(values.iter().collect::<Vec<_>>(), [b"d", b"p"]);
}

#[test]
fn compressed_v2_page_of_nulls_has_no_values_to_decompress() {
    // An OPTIONAL column's v2 page of three nulls: definition levels 0 (an RLE run of 3),
    // marked compressed, with no value bytes at all (parquet-java writes such pages).
    let page = Page::DataPageV2 {
        buf: Bytes::from_static(&[6, 0]),
        num_values: 3,
        encoding: Encoding::PLAIN,
        num_nulls: 3,
        num_rows: 3,
        def_levels_byte_len: 2,
        rep_levels_byte_len: 0,
        is_compressed: true,
        statistics: None,
    };
    let pages = StoredPages {
        pages: Box::new(Pages(vec![page].into_iter())),
        decompressor: PageDecompressor::for_chunk(parquet::basic::Compression::SNAPPY).unwrap(),
    };
    let mut decoder = ChunkDecoder::new(pages, 0, 1);
    let mut stripe = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
    assert_eq!(decoder.read_records(10, &mut stripe, true), Ok(3));
    assert_eq!(stripe.def, [0, 0, 0]);
    assert!(stripe.values.is_empty());
}

#[test]
fn dictionary_ids_after_the_fallback_are_declined() {
    let pages = vec![
        dictionary_page(&["d"]),
        data_page(plain(&["p"]), 1, Encoding::PLAIN),
        id_0_page(),
    ];
    let mut decoder = required_column(pages);
    let mut stripe = Stripe::new(parquet::basic::Type::BYTE_ARRAY);
    assert_eq!(decoder.read_records(1, &mut stripe, true), Ok(1));
    assert_eq!(
        decoder.read_records(1, &mut stripe, true),
        Err(declined(
            "dictionary ids after the chunk fell back to PLAIN"
        ))
    );
}
