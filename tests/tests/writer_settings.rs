//! The writer controls of `shred write` and `shred-gen` ([`shred::writer_settings`]): each
//! flag changes what the file holds, read back from its footer with the `parquet` crate
//! (chunk encodings, dictionary pages, page counts, bloom filters), and pyarrow and DuckDB
//! (`tests/python/read_back.py`) read every such file as exactly the input records. The
//! default settings write the file of the crate's default properties; bad values are usage
//! errors (exit 2) naming the flag, the column and what was expected.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::Encoding;
use parquet::file::metadata::{
    ColumnChunkMetaData, PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader,
};
use parquet::file::properties::{ReaderProperties, WriterProperties};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::serialized_reader::ReadOptionsBuilder;
use serde_json::Value as Json;
use shred::Schema;
use shred_gen::{Distribution, Generator};
use shred_tests::tools::{Tool, output, run};
use shred_tests::{fixture, python, records, shred_fixture};

/// `shred write` of `records` (with `schema`) to `file` with `flags`.
fn write(schema: &Path, records: &Path, file: &Path, flags: &[&str]) {
    let mut args: Vec<PathBuf> = vec!["write".into(), "--schema".into(), schema.into()];
    args.extend([records.into(), "-o".into(), file.into()]);
    args.extend(flags.iter().map(PathBuf::from));
    run(Tool::Shred, &args);
}

fn metadata(file: &Path) -> ParquetMetaData {
    let reader = SerializedFileReader::new(File::open(file).unwrap()).unwrap();
    reader.metadata().clone()
}

/// The chunk of `column` (dotted path) in row group `rg`.
fn chunk<'a>(meta: &'a ParquetMetaData, rg: usize, column: &str) -> &'a ColumnChunkMetaData {
    (meta.row_group(rg).columns().iter())
        .find(|c| c.column_path().string() == column)
        .unwrap_or_else(|| panic!("no column {column}"))
}

fn encodings(chunk: &ColumnChunkMetaData) -> Vec<Encoding> {
    chunk.encodings().collect()
}

/// Generated contacts with every definition state, as NDJSON in `dir`.
fn contacts(dir: &Path, n: u64) -> PathBuf {
    let generator = Generator::new(7, Distribution::all_def_states());
    let contacts: Vec<Json> = (0..n).map(|i| generator.contact(i).to_json()).collect();
    let path = dir.join("contacts.ndjson");
    records::write_ndjson(&path, &contacts);
    path
}

/// Asserts that pyarrow and DuckDB read every file as `records` (checked against `schema`).
fn assert_read_back(dir: &Path, schema: &Path, records: &Path, files: &[PathBuf]) {
    assert_read_by(&["pyarrow", "duckdb"], dir, schema, records, files);
}

/// Asserts that each of `readers` (`read_back.py`'s) reads every file as `records`.
fn assert_read_by(readers: &[&str], dir: &Path, schema: &Path, records: &Path, files: &[PathBuf]) {
    let schema = Schema::from_file(schema).unwrap();
    let expected = records::canonical(&schema, &records::read_input(records));
    let mut args = vec![PathBuf::from("--out-dir"), dir.join("dumps")];
    args.extend(["--readers".into(), readers.join(",").into()]);
    args.extend(files.iter().cloned());
    let report = python::run_script_json("read_back.py", &args);
    let reports = report["files"].as_array().expect("files");
    assert_eq!(reports.len(), files.len());
    for (file, report) in files.iter().zip(reports) {
        for reader in readers {
            let dump = PathBuf::from(report[reader]["dump"].as_str().expect("dump"));
            records::assert_same(
                &format!("{} read by {reader}", file.display()),
                &expected,
                &records::read_input(&dump),
            );
        }
    }
}

#[test]
fn default_write_is_the_file_of_the_crates_default_properties() {
    let dir = tempfile::tempdir().unwrap();
    let (schema_path, records_path) = (fixture("types.schema"), fixture("types.ndjson"));
    let file = dir.path().join("default.parquet");
    write(&schema_path, &records_path, &file, &[]);
    let schema = Schema::from_file(&schema_path).unwrap();
    let input = records::read_input(&records_path);
    let stripes = shred::shredder::shred_records(&schema, &input).unwrap();
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_created_by(format!("shredkit shred {}", env!("CARGO_PKG_VERSION")))
        .build();
    let expected = shred::column_io::write_file(Vec::new(), &schema, props, vec![stripes]).unwrap();
    assert!(
        std::fs::read(&file).unwrap() == expected,
        "the files differ"
    );
}

#[test]
fn encoding_flags_set_each_columns_encoding_without_a_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let (schema, records) = (fixture("types.schema"), fixture("types.ndjson"));
    let cases: [&[(&str, Encoding)]; 2] = [
        &[
            ("flag", Encoding::RLE),
            ("i32", Encoding::DELTA_BINARY_PACKED),
            ("i64", Encoding::DELTA_BINARY_PACKED),
            ("f32", Encoding::BYTE_STREAM_SPLIT),
            ("f64", Encoding::BYTE_STREAM_SPLIT),
            ("raw", Encoding::DELTA_LENGTH_BYTE_ARRAY),
            ("text", Encoding::DELTA_BYTE_ARRAY),
            ("fixed", Encoding::DELTA_BYTE_ARRAY),
            ("bare", Encoding::DELTA_BINARY_PACKED),
            ("pairs.k", Encoding::DELTA_LENGTH_BYTE_ARRAY),
            ("pairs.v.n", Encoding::DELTA_BINARY_PACKED),
        ],
        &[
            ("flag", Encoding::PLAIN),
            ("i32", Encoding::BYTE_STREAM_SPLIT),
            ("fixed", Encoding::BYTE_STREAM_SPLIT),
            ("pairs.v.n", Encoding::BYTE_STREAM_SPLIT),
            ("text", Encoding::DELTA_LENGTH_BYTE_ARRAY),
        ],
    ];
    let mut files = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let file = dir.path().join(format!("encodings{i}.parquet"));
        let flags: Vec<String> = (case.iter())
            .flat_map(|(column, e)| ["--encoding".into(), format!("{column}={e}")])
            .collect();
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        write(&schema, &records, &file, &flags);
        let meta = metadata(&file);
        for (column, encoding) in case.iter() {
            let chunk = chunk(&meta, 0, column);
            assert!(
                encodings(chunk).contains(encoding),
                "{column}: {:?}",
                encodings(chunk)
            );
            assert!(
                !encodings(chunk).contains(&Encoding::RLE_DICTIONARY),
                "{column}: {:?}",
                encodings(chunk)
            );
            assert_eq!(chunk.dictionary_page_offset(), None, "{column}");
        }
        let other = chunk(&meta, 0, "u32");
        assert!(
            other.dictionary_page_offset().is_some(),
            "u32 keeps its dictionary"
        );
        files.push(file);
    }
    // DuckDB 1.5 reads BYTE_STREAM_SPLIT for FLOAT and DOUBLE only; the second file has it
    // on INT32 and FIXED_LEN_BYTE_ARRAY columns.
    assert_read_back(dir.path(), &schema, &records, &files[..1]);
    assert_read_by(&["pyarrow"], dir.path(), &schema, &records, &files[1..]);
}

#[test]
fn dictionary_flags_turn_dictionaries_off_or_make_them_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let schema = shred_fixture("contact.schema");
    let records = contacts(dir.path(), 3000);
    let off = dir.path().join("off.parquet");
    write(&schema, &records, &off, &["--dictionary", "off"]);
    let meta = metadata(&off);
    for chunk in meta.row_group(0).columns() {
        assert_eq!(
            chunk.dictionary_page_offset(),
            None,
            "{}",
            chunk.column_path()
        );
        assert!(!encodings(chunk).contains(&Encoding::RLE_DICTIONARY));
    }
    let small = dir.path().join("small.parquet");
    write(
        &schema,
        &records,
        &small,
        &["--dictionary-page-size", "1KiB"],
    );
    let meta = metadata(&small);
    let name = chunk(&meta, 0, "name");
    assert!(name.dictionary_page_offset().is_some());
    assert!(
        encodings(name).contains(&Encoding::RLE_DICTIONARY)
            && encodings(name).contains(&Encoding::PLAIN),
        "a dictionary that falls back to PLAIN: {:?}",
        encodings(name)
    );
    assert_read_back(dir.path(), &schema, &records, &[off, small]);
}

#[test]
fn page_limits_cut_more_pages() {
    let dir = tempfile::tempdir().unwrap();
    let schema = shred_fixture("contact.schema");
    let records = contacts(dir.path(), 3000);
    let pages = |file: &Path, column: usize| {
        let meta = ParquetMetaDataReader::new()
            .with_page_index_policy(PageIndexPolicy::Required)
            .parse_and_finish(&File::open(file).unwrap())
            .unwrap();
        let index = meta.page_index_for_row_group(0);
        index.offset_index(column).unwrap().page_locations().len()
    };
    let default = dir.path().join("default.parquet");
    write(&schema, &records, &default, &[]);
    assert_eq!(pages(&default, 0), 1);
    let rows = dir.path().join("rows.parquet");
    write(
        &schema,
        &records,
        &rows,
        &["--data-page-row-limit", "100", "--write-batch-size", "10"],
    );
    // Pages are cut after a mini-batch: 100 rows, or 10 more at most.
    let name_pages = pages(&rows, 0);
    assert!((28..=30).contains(&name_pages), "{name_pages} pages");
    let bytes = dir.path().join("bytes.parquet");
    write(
        &schema,
        &records,
        &bytes,
        &["--data-page-size", "1KiB", "--dictionary", "off"],
    );
    assert!(pages(&bytes, 0) > 10, "{} pages", pages(&bytes, 0));
    assert_read_back(dir.path(), &schema, &records, &[rows, bytes]);
}

#[test]
fn bloom_filter_answers_for_a_written_value() {
    let dir = tempfile::tempdir().unwrap();
    let schema = shred_fixture("contact.schema");
    let records = contacts(dir.path(), 3000);
    let file = dir.path().join("bloom.parquet");
    write(
        &schema,
        &records,
        &file,
        &[
            "--bloom-filter",
            "name:0.01",
            "--bloom-filter",
            "phones.list.item.number",
            "--row-group-size",
            "1000",
        ],
    );
    let input = records::read_input(&records);
    let options = ReadOptionsBuilder::new()
        .with_reader_properties(
            ReaderProperties::builder()
                .set_read_bloom_filter(true)
                .build(),
        )
        .build();
    let reader =
        SerializedFileReader::new_with_options(File::open(&file).unwrap(), options).unwrap();
    assert_eq!(reader.num_row_groups(), 3);
    for rg in 0..3 {
        let row_group = reader.get_row_group(rg).unwrap();
        let names = input[rg * 1000..(rg + 1) * 1000]
            .iter()
            .filter_map(|r| r["name"].as_str());
        let filter = row_group.get_column_bloom_filter(0).expect("name's filter");
        for name in names {
            assert!(filter.check(name), "row group {rg}: {name}");
        }
        assert!(
            row_group.get_column_bloom_filter(1).is_some(),
            "number's filter"
        );
        assert!(
            row_group.get_column_bloom_filter(2).is_none(),
            "phone_type has none"
        );
    }
    assert_read_back(dir.path(), &schema, &records, &[file]);
}

#[test]
fn data_page_v2_with_settings_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (schema, records) = (fixture("types.schema"), fixture("types.ndjson"));
    let file = dir.path().join("v2.parquet");
    write(
        &schema,
        &records,
        &file,
        &[
            "--data-page-v2",
            "--compression",
            "zstd",
            "--encoding",
            "i64=DELTA_BINARY_PACKED",
            "--bloom-filter",
            "text",
        ],
    );
    let meta = metadata(&file);
    assert!(encodings(chunk(&meta, 0, "i64")).contains(&Encoding::DELTA_BINARY_PACKED));
    assert!(chunk(&meta, 0, "text").bloom_filter_offset().is_some());
    assert_read_back(dir.path(), &schema, &records, &[file]);
}

/// A failed run of `tool` with `args`: exit 2 and the error text.
fn usage_error(tool: Tool, args: &[&str]) -> String {
    let outcome = output(tool, args);
    assert_eq!(outcome.code, 2, "{args:?}: {:?}", outcome.error);
    outcome.error.expect("an error")
}

#[test]
fn bad_writer_flags_are_usage_errors_naming_flag_column_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let schema = shred_fixture("contact.schema");
    let schema = schema.to_str().unwrap();
    let records = shred_fixture("contact_states.ndjson");
    let records = records.to_str().unwrap();
    let out = dir.path().join("x.parquet");
    let out = out.to_str().unwrap();
    let shred = |flags: &[&str]| {
        let mut args = vec!["write", "--schema", schema, records, "-o", out];
        args.extend(flags);
        usage_error(Tool::Shred, &args)
    };
    let leaves = "(columns: name, phones.list.item.number, phones.list.item.phone_type)";
    assert_eq!(
        shred(&["--encoding", "number=DELTA_BYTE_ARRAY"]),
        format!(
            "--encoding number=DELTA_BYTE_ARRAY: no leaf column `number`; did you mean \
             phones.list.item.number? {leaves}"
        )
    );
    assert_eq!(
        shred(&["--encoding", "name=BYTE_STREAM_SPLIT"]),
        "--encoding name=BYTE_STREAM_SPLIT: column name is BYTE_ARRAY; BYTE_STREAM_SPLIT \
         takes FLOAT, DOUBLE, INT32, INT64 or FIXED_LEN_BYTE_ARRAY (BYTE_ARRAY takes PLAIN, \
         DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY)"
    );
    assert_eq!(
        shred(&["--bloom-filter", "nmae"]),
        format!("--bloom-filter nmae: no leaf column `nmae`; did you mean name? {leaves}")
    );
    let fpp = shred(&["--bloom-filter", "name:1.5"]);
    assert!(
        fpp.contains("--bloom-filter") && fpp.contains("1.5 is not in (0, 1)"),
        "{fpp}"
    );
    let unknown = shred(&["--encoding", "name=ZIP"]);
    assert!(
        unknown.contains("--encoding") && unknown.contains("unknown encoding \"ZIP\""),
        "{unknown}"
    );
    let size = shred(&["--data-page-size", "1MB"]);
    assert!(
        size.contains("--data-page-size") && size.contains("not a size"),
        "{size}"
    );
    assert!(!Path::new(out).exists(), "nothing written");
    let gen_error = usage_error(
        Tool::ShredGen,
        &["--dry-run", "--encoding", "phones.list.item.numbr=PLAIN"],
    );
    assert!(
        gen_error.starts_with("--encoding phones.list.item.numbr=PLAIN: no leaf column")
            && gen_error.contains("did you mean phones.list.item.number?"),
        "{gen_error}"
    );
    assert_eq!(
        usage_error(
            Tool::ShredGen,
            &["--dry-run", "--study-pipeline", "--dictionary", "off"]
        ),
        "--study-pipeline writes with the study's writer properties: --dictionary does not apply"
    );
}

/// `shred-gen` of 2000 contacts into `dir` with `flags`; the file's path.
fn generate(dir: &Path, flags: &[&str]) -> (PathBuf, Json) {
    let mut args = vec![
        "--target-records",
        "2000",
        "--row-group-size",
        "1000",
        "--num-writers",
        "1",
        "--quiet",
        "--json",
        "--output-dir",
        dir.to_str().unwrap(),
    ];
    args.extend(flags);
    let summary: Json = serde_json::from_str(&run(Tool::ShredGen, &args)).unwrap();
    (dir.join("contacts.parquet"), summary)
}

#[test]
fn gen_direct_writes_settings_it_does_not_cover_through_the_column_writers() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--encoding",
        "phones.list.item.number=DELTA_BYTE_ARRAY",
        "--bloom-filter",
        "name",
        "--data-page-row-limit",
        "100",
    ];
    let mut files = Vec::new();
    for encoder in ["direct", "dremel", "arrow"] {
        let mut all = vec!["--encoder", encoder];
        all.extend(flags);
        let (file, summary) = generate(&dir.path().join(encoder), &all);
        let meta = metadata(&file);
        let number = chunk(&meta, 0, "phones.list.item.number");
        assert!(
            encodings(number).contains(&Encoding::DELTA_BYTE_ARRAY),
            "{encoder}"
        );
        assert!(
            chunk(&meta, 1, "name").bloom_filter_offset().is_some(),
            "{encoder}"
        );
        if encoder == "direct" {
            assert_eq!(
                summary["settings"]["encoder"],
                "dremel (direct does not cover these writer settings)"
            );
        }
        files.push(std::fs::read(&file).unwrap());
    }
    assert!(
        files[0] == files[1],
        "direct and dremel write the same bytes"
    );
    assert!(
        files[2] == files[1],
        "arrow and dremel write the same bytes"
    );
    // Settings the hand-written encoder covers keep the direct path, same bytes.
    let (direct, summary) = generate(
        &dir.path().join("covered"),
        &["--dictionary", "off", "--data-page-size", "4KiB"],
    );
    assert_eq!(summary["settings"]["encoder"], "direct");
    let (dremel, _) = generate(
        &dir.path().join("covered-dremel"),
        &[
            "--encoder",
            "dremel",
            "--dictionary",
            "off",
            "--data-page-size",
            "4KiB",
        ],
    );
    assert!(std::fs::read(direct).unwrap() == std::fs::read(dremel).unwrap());
}

#[test]
fn gen_schema_dataset_takes_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("types.parquet");
    run(
        Tool::ShredGen,
        [
            "--schema",
            fixture("types.schema").to_str().unwrap(),
            "--target-records",
            "500",
            "--quiet",
            "--output-dir",
            dir.path().to_str().unwrap(),
            "--encoding",
            "f64=BYTE_STREAM_SPLIT",
            "--encoding",
            "pairs.v.n=DELTA_BINARY_PACKED",
            "--bloom-filter",
            "text:0.02",
            "--data-page-v2",
            "--verify",
        ],
    );
    let meta = metadata(&file);
    assert!(encodings(chunk(&meta, 0, "f64")).contains(&Encoding::BYTE_STREAM_SPLIT));
    assert!(encodings(chunk(&meta, 0, "pairs.v.n")).contains(&Encoding::DELTA_BINARY_PACKED));
    assert!(chunk(&meta, 0, "text").bloom_filter_offset().is_some());
}
