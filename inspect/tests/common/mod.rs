//! Shared helpers of the integration tests: writing test files, running commands in
//! process, and the reference output every command is checked against.
//!
//! The reference for `levels` is independent of `shred-inspect`'s reading: the records
//! that went into a file, shredded by `shred::shredder::shred_records` one row group at a
//! time, printed by `shred::entry_json::reference_line` (`serde_json`, the definition of
//! the JSON lines the fast writer is checked against).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
use parquet::file::page_index::offset_index::PageLocation;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::{Value as Json, json};
use shred::Schema;
use shred::entry_json::reference_line;
use shred::shredder::shred_records;

/// Runs a command line in process; returns its output or the error's text and exit code.
pub fn run(args: &[&str]) -> Result<String, (String, i32)> {
    let mut out = Vec::new();
    let mut argv = vec!["shred-inspect"];
    argv.extend_from_slice(args);
    match shred_inspect::run(argv, &mut out) {
        Ok(()) => Ok(String::from_utf8(out).expect("output is UTF-8")),
        Err(e) => Err((e.to_string(), e.exit_code())),
    }
}

/// Runs a command line that must succeed.
pub fn run_ok(args: &[&str]) -> String {
    run(args).unwrap_or_else(|(e, code)| panic!("{args:?} failed with exit {code}: {e}"))
}

/// Parses JSON lines.
pub fn json_lines(text: &str) -> Vec<Json> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A test file on disk with the canonical records that went into it.
pub struct TestFile {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub schema: Schema,
    /// Canonical records, in file order.
    pub records: Vec<Json>,
    /// Records per row group, in order (zeros for empty row groups).
    pub row_groups: Vec<usize>,
}

impl TestFile {
    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("temp paths are UTF-8")
    }
}

/// Canonical form of `records` for `schema`.
pub fn canonical(schema: &Schema, records: &[Json]) -> Vec<Json> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            shred::record::normalize(schema, r, i, None).expect("test records fit the schema")
        })
        .collect()
}

/// Writes `records` through shred's column writer, `row_groups[i]` records in row group
/// `i` (zero for an empty row group).
pub fn write_with_shred(
    schema_text: &str,
    records: &[Json],
    row_groups: &[usize],
    props: WriterProperties,
) -> TestFile {
    assert_eq!(
        row_groups.iter().sum::<usize>(),
        records.len(),
        "row groups cover the records"
    );
    let schema = Schema::parse(schema_text).expect("test schema parses");
    let records = canonical(&schema, records);
    let mut start = 0;
    let groups: Vec<Vec<shred::Stripe>> = row_groups
        .iter()
        .map(|&n| {
            let stripes = shred_records(&schema, &records[start..start + n]).expect("shreds");
            start += n;
            stripes
        })
        .collect();
    let bytes = shred::column_io::write_file(Vec::new(), &schema, props, groups).expect("writes");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.parquet");
    std::fs::write(&path, bytes).expect("write file");
    TestFile {
        dir,
        path,
        schema,
        records,
        row_groups: row_groups.to_vec(),
    }
}

/// The row group sizes recorded in a file's footer.
pub fn footer_row_groups(path: &Path) -> Vec<usize> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|rg| rg.num_rows() as usize)
        .collect()
}

/// The reference `levels --format json` output of a file: every column chunk's entries,
/// columns in schema order within each row group.
pub fn reference_levels(f: &TestFile) -> Vec<String> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (rg, &n) in f.row_groups.iter().enumerate() {
        let stripes = shred_records(&f.schema, &f.records[start..start + n]).expect("shreds");
        for (leaf, stripe) in f.schema.leaves().iter().zip(&stripes) {
            for e in stripe.entries(leaf.max_def) {
                let value = e.value.map(|i| (&stripe.values, i));
                let record = (start + e.record) as u64;
                let line = reference_line(leaf, rg, record, e.r, e.d, value);
                lines.push(line.trim_end().to_string());
            }
        }
        start += n;
    }
    lines
}

/// Counts per column: definition and repetition histograms of the reference levels.
pub fn reference_histograms(f: &TestFile) -> BTreeMap<String, (Vec<u64>, Vec<u64>)> {
    let mut out: BTreeMap<String, (Vec<u64>, Vec<u64>)> = f
        .schema
        .leaves()
        .iter()
        .map(|l| {
            (
                l.path.clone(),
                (
                    vec![0; l.max_def as usize + 1],
                    vec![0; l.max_rep as usize + 1],
                ),
            )
        })
        .collect();
    let stripes = shred_records(&f.schema, &f.records).expect("shreds");
    for (leaf, stripe) in f.schema.leaves().iter().zip(&stripes) {
        let (def, rep) = out.get_mut(&leaf.path).unwrap();
        stripe.def.iter().for_each(|&d| def[d as usize] += 1);
        stripe.rep.iter().for_each(|&r| rep[r as usize] += 1);
    }
    out
}

/// Checks every command on a file against the records that went into it:
/// `levels` (all, and with each selection option), `record` for several indexes,
/// `histogram`, `pages` against the `parquet` crate's page reader and offset index,
/// `meta` and `schema` against the footer.
pub fn check_all_commands(f: &TestFile) {
    let path = f.path_str();
    assert_eq!(
        footer_row_groups(&f.path),
        f.row_groups,
        "row groups as written"
    );

    // levels: every entry, exactly.
    let reference = reference_levels(f);
    let got = run_ok(&["levels", path, "--format", "json"]);
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got.len(), reference.len(), "entry count");
    for (i, (g, r)) in got.iter().zip(&reference).enumerate() {
        assert_eq!(g, r, "entry {i}");
    }
    check_levels_selections(f, &reference);

    // record N reassembled == the input record.
    let n = f.records.len();
    let picks: Vec<usize> = if n <= 12 {
        (0..n).collect()
    } else {
        vec![0, 1, n / 3, n / 2, n - 2, n - 1]
    };
    for i in picks {
        let out = run_ok(&["record", path, &i.to_string(), "--format", "json"]);
        let doc: Json = serde_json::from_str(out.trim()).unwrap();
        // Compared as text: parsing JSON floats back is not exact, printing them is.
        let text = out.trim();
        let assembled =
            &text[text.find("\"assembled\":").expect("assembled is printed") + 12..text.len() - 1];
        assert_eq!(assembled, f.records[i].to_string(), "record {i}");
        assert_eq!(doc["record"], json!(i));
        // Its entries are exactly the reference entries of record i.
        let expected: Vec<Json> = reference
            .iter()
            .map(|l| serde_json::from_str::<Json>(l).unwrap())
            .filter(|l| l["record"] == json!(i))
            .collect();
        let traced: Vec<(Json, Json, Json, Json)> = doc["columns"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| {
                let column = c["column"].clone();
                c["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |e| {
                        (
                            column.clone(),
                            e["r"].clone(),
                            e["d"].clone(),
                            e["value"].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let expected: Vec<(Json, Json, Json, Json)> = expected
            .iter()
            .map(|l| {
                (
                    l["column"].clone(),
                    l["r"].clone(),
                    l["d"].clone(),
                    l["value"].clone(),
                )
            })
            .collect();
        assert_eq!(traced, expected, "entries of record {i}");
    }
    if n > 0 {
        let (e, code) = run(&["record", path, &n.to_string()]).unwrap_err();
        assert_eq!(code, 2);
        assert!(e.contains(&format!("no record {n}")), "{e}");
    }

    // histogram == counts of the reference levels, and agrees with the file's own.
    let hist = json_lines(&run_ok(&["histogram", path, "--format", "json"]));
    let reference_hist = reference_histograms(f);
    assert_eq!(hist.len(), reference_hist.len());
    for h in &hist {
        let (def, rep) = &reference_hist[h["column"].as_str().unwrap()];
        assert_eq!(h["d"], json!(def), "{}", h["column"]);
        assert_eq!(h["r"], json!(rep), "{}", h["column"]);
        if !h["stored_d"].is_null() {
            assert_eq!(h["stored_d"], json!(def));
        }
    }

    check_pages(f);

    // meta and schema: what the footer says.
    let meta: Json =
        serde_json::from_str(run_ok(&["meta", path, "--format", "json"]).trim()).unwrap();
    assert_eq!(meta["rows"], json!(n));
    let rgs = meta["row_groups"].as_array().unwrap();
    assert_eq!(rgs.len(), f.row_groups.len());
    for (rg, &rows) in rgs.iter().zip(&f.row_groups) {
        assert_eq!(rg["rows"], json!(rows));
    }
    let schema: Json =
        serde_json::from_str(run_ok(&["schema", path, "--format", "json"]).trim()).unwrap();
    let columns = schema["columns"].as_array().unwrap();
    assert_eq!(columns.len(), f.schema.leaves().len());
    for (c, leaf) in columns.iter().zip(f.schema.leaves()) {
        assert_eq!(c["path"], json!(leaf.path));
        assert_eq!(c["max_r"], json!(leaf.max_rep));
        assert_eq!(c["max_d"], json!(leaf.max_def));
    }
    // Tables render for every command.
    for cmd in ["schema", "meta", "pages", "levels", "histogram"] {
        assert!(!run_ok(&[cmd, path]).is_empty(), "{cmd} table");
    }
    if n > 0 {
        assert!(run_ok(&["record", path, "0"]).contains("assembled"));
    }
}

/// `--column`, `--row-group`, `--records` and `--limit` select exactly the matching
/// reference lines.
fn check_levels_selections(f: &TestFile, reference: &[String]) {
    let path = f.path_str();
    let parsed: Vec<Json> = reference
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let select = |keep: &dyn Fn(&Json) -> bool| -> Vec<String> {
        reference
            .iter()
            .zip(&parsed)
            .filter(|(_, p)| keep(p))
            .map(|(l, _)| l.clone())
            .collect()
    };
    let lines = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["levels", path, "--format", "json"];
        a.extend_from_slice(args);
        run_ok(&a).lines().map(str::to_string).collect()
    };
    let last = f.schema.leaves().last().unwrap().path.clone();
    assert_eq!(
        lines(&["--column", &last]),
        select(&|p| p["column"] == json!(last)),
        "--column"
    );
    let n = f.records.len() as u64;
    let (a, b) = (n / 3, (2 * n / 3).max(n / 3));
    let range = format!("{a}..{b}");
    assert_eq!(
        lines(&["--records", &range]),
        select(&|p| (a..b).contains(&p["record"].as_u64().unwrap())),
        "--records {range}"
    );
    for rg in 0..f.row_groups.len() {
        assert_eq!(
            lines(&["--row-group", &rg.to_string()]),
            select(&|p| p["row_group"] == json!(rg)),
            "--row-group {rg}"
        );
    }
    // --limit: the first N entries of each column, in file order.
    let limit = 3;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let expected: Vec<String> = reference
        .iter()
        .zip(&parsed)
        .filter(|(_, p)| {
            let c = seen
                .entry(p["column"].as_str().unwrap().to_string())
                .or_default();
            *c += 1;
            *c <= limit
        })
        .map(|(l, _)| l.clone())
        .collect();
    // Row group by row group, each column stops after its first N entries.
    assert_eq!(lines(&["--limit", &limit.to_string()]), expected, "--limit");
}

/// `pages` agrees with the `parquet` crate's page reader (type, values, encoding of every
/// page), its data pages hold every entry of the chunk, and its sizes and first rows
/// agree with the offset index.
fn check_pages(f: &TestFile) {
    let path = f.path_str();
    let pages = json_lines(&run_ok(&["pages", path, "--format", "json"]));
    let file = std::fs::File::open(&f.path).unwrap();
    let reader = SerializedFileReader::new(file.try_clone().unwrap()).unwrap();
    let with_index = ParquetMetaDataReader::new()
        .with_page_index_policy(PageIndexPolicy::Optional)
        .parse_and_finish(&file)
        .unwrap();
    let mut i = 0;
    for rg in 0..reader.num_row_groups() {
        let row_group = reader.get_row_group(rg).unwrap();
        for col in 0..f.schema.leaves().len() {
            let locations: Option<&Vec<PageLocation>> = with_index
                .page_index()
                .and_then(|p| p.page_locations(rg, col));
            let mut data_values = 0i64;
            let mut data_page = 0;
            for page in row_group.get_column_page_reader(col).unwrap() {
                let page = page.unwrap();
                let mine = &pages[i];
                i += 1;
                assert_eq!(mine["row_group"], json!(rg));
                assert_eq!(mine["column"], json!(f.schema.leaves()[col].path));
                let kind = match page.page_type() {
                    parquet::basic::PageType::DICTIONARY_PAGE => "dictionary",
                    parquet::basic::PageType::DATA_PAGE => "data v1",
                    parquet::basic::PageType::DATA_PAGE_V2 => "data v2",
                    other => panic!("unexpected page type {other:?}"),
                };
                assert_eq!(mine["type"], json!(kind));
                assert_eq!(mine["values"], json!(page.num_values()));
                assert_eq!(mine["encoding"], json!(format!("{:?}", page.encoding())));
                if kind != "dictionary" {
                    data_values += i64::from(page.num_values());
                    if let Some(locations) = locations {
                        let loc = &locations[data_page];
                        assert_eq!(mine["offset"], json!(loc.offset));
                        assert_eq!(
                            mine["header_bytes"].as_i64().unwrap()
                                + mine["compressed_bytes"].as_i64().unwrap(),
                            i64::from(loc.compressed_page_size)
                        );
                        assert_eq!(mine["first_row"], json!(loc.first_row_index));
                    }
                    data_page += 1;
                }
            }
            assert_eq!(
                data_values,
                reader.metadata().row_group(rg).column(col).num_values(),
                "rg {rg} col {col}"
            );
        }
    }
    assert_eq!(i, pages.len(), "page count");
}
