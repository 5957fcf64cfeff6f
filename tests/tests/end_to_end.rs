//! End to end: `shred-gen` → `shred-inspect` → `shred verify` → pyarrow and DuckDB, on
//! 200,000 records, every step checked against the records regenerated from the seed.
//!
//! `shred-gen` writes 200,000 contacts with all five definition states into two files
//! (zstd, row groups of 40,000). For each file, with its record range from the summary:
//! - `shred-inspect schema`: the three Contact leaves with max r/d (0/1, 1/4, 1/4);
//! - `shred-inspect meta`: the row count, the row groups, the codec;
//! - `shred-inspect levels`: every entry equals the typed shredder's stripes
//!   (`shred::contact::ContactStripes`) of the regenerated records;
//! - `shred-inspect histogram`: the counts of every level equal the counts in those stripes,
//!   and the file's own stored histograms agree;
//! - `shred-inspect record`: records at the edges of row groups and files reassemble to the
//!   generated records;
//! - `shred verify` passes on both files;
//! - pyarrow and DuckDB dump exactly the generated records.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use shred::Schema;
use shred::contact::{CONTACT_SCHEMA, ContactStripes};
use shred_gen::Generator;
use shred_tests::gen_run::{GenRun, Rates};
use shred_tests::level_lines::{self, LevelLine};
use shred_tests::python;
use shred_tests::records;
use shred_tests::tools::{Tool, run};

const RECORDS: u64 = 200_000;
const ROW_GROUP: u64 = 40_000;

fn inspect_json(args: &[&str]) -> Json {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    serde_json::from_str(&run(Tool::ShredInspect, &full)).expect("shred-inspect prints JSON")
}

fn inspect_json_lines(args: &[&str]) -> Vec<Json> {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    run(Tool::ShredInspect, &full)
        .lines()
        .map(|l| serde_json::from_str(l).expect("shred-inspect prints JSON lines"))
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Level counts of a stripe: (definition histogram, repetition histogram).
fn histogram(stripe: &shred::Stripe, max_def: i16, max_rep: i16) -> (Vec<u64>, Vec<u64>) {
    let mut d = vec![0u64; max_def as usize + 1];
    let mut r = vec![0u64; max_rep as usize + 1];
    for (&dl, &rl) in stripe.def.iter().zip(&stripe.rep) {
        d[dl as usize] += 1;
        r[rl as usize] += 1;
    }
    (d, r)
}

/// Checks one file holding records `first..first + count` of the dataset.
fn check_file(file: &Path, first: u64, count: u64, row_groups: u64, generator: &Generator) {
    let f = s(file);
    let contacts: Vec<_> = generator.contacts(first..first + count).collect();
    let schema = Schema::parse(CONTACT_SCHEMA).unwrap();

    // schema: the Contact leaves and their levels.
    let columns: Vec<(String, i64, i64)> = inspect_json(&["schema", f])["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["max_r"].as_i64().unwrap(),
                c["max_d"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected_columns: Vec<(String, i64, i64)> = schema
        .leaves()
        .iter()
        .map(|l| (l.path.clone(), l.max_rep.into(), l.max_def.into()))
        .collect();
    assert_eq!(columns, expected_columns, "{f}: schema");

    // meta: rows, row groups, codec.
    let meta = inspect_json(&["meta", f]);
    assert_eq!(meta["rows"], count, "{f}: rows");
    let groups = meta["row_groups"].as_array().expect("row_groups");
    assert_eq!(groups.len() as u64, row_groups, "{f}: row groups");
    assert_eq!(
        groups.len() as u64,
        count.div_ceil(ROW_GROUP),
        "{f}: row groups"
    );
    for g in groups {
        for c in g["columns"].as_array().unwrap() {
            assert_eq!(c["codec"], "ZSTD", "{f}: {c}");
        }
    }

    // levels: every entry, against the typed shredder.
    let mut stripes = ContactStripes::default();
    stripes.shred(&contacts);
    let expected = level_lines::from_stripes(&schema, &stripes.columns(), 0);
    let levels = LevelLine::parse_all(&run(Tool::ShredInspect, ["levels", f, "--format", "json"]))
        .expect("levels JSON lines");
    let entries = level_lines::compare(&expected, &levels)
        .unwrap_or_else(|e| panic!("{f}: shred-inspect levels vs typed shredder: {e}"));
    assert!(entries as u64 > 3 * count, "{f}: {entries} entries");

    // histogram: counted and stored level histograms.
    let histograms = inspect_json_lines(&["histogram", f]);
    assert_eq!(histograms.len(), 3, "{f}: three columns");
    for ((leaf, stripe), h) in schema
        .leaves()
        .iter()
        .zip(stripes.columns())
        .zip(&histograms)
    {
        let (d, r) = histogram(stripe, leaf.max_def, leaf.max_rep);
        assert_eq!(h["column"], leaf.path.as_str());
        assert_eq!(h["d"], serde_json::json!(d), "{f}: {} d", leaf.path);
        assert_eq!(h["r"], serde_json::json!(r), "{f}: {} r", leaf.path);
        // The file stores histograms for every level that can be non-zero, and they equal
        // the counted ones: `histogram` exits 1 otherwise (and `run` asserts exit 0).
        assert_eq!(h["stored_d"].is_null(), leaf.max_def == 0, "{f}: {h}");
        assert_eq!(h["stored_r"].is_null(), leaf.max_rep == 0, "{f}: {h}");
        if leaf.max_def == 4 {
            assert!(d.iter().all(|&n| n > 0), "{f}: all five states: {d:?}");
        }
    }

    // record: reassembled records at the edges of row groups and of the file.
    for n in [0, ROW_GROUP - 1, ROW_GROUP, count - 1] {
        let traced = inspect_json(&["record", f, &n.to_string()]);
        assert_eq!(
            traced["assembled"],
            contacts[n as usize].to_json(),
            "{f}: record {n}"
        );
    }
}

#[test]
fn generate_inspect_verify_and_read_back_200k_records() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let gen_run = GenRun {
        name: "e2e".into(),
        records: RECORDS,
        seed: 2024,
        encoder: "dremel",
        compression: "zstd",
        row_group_size: ROW_GROUP,
        writers: 2,
        rates: Rates::AllDefStates,
    };
    let summary = gen_run.run(dir.path());
    assert_eq!(summary.files.len(), 2);
    let generator = gen_run.generator();

    let mut first = 0;
    let mut ranges = Vec::new();
    for file in &summary.files {
        assert!(file.path.is_file(), "{} exists", file.path.display());
        check_file(&file.path, first, file.records, file.row_groups, &generator);
        ranges.push(first..first + file.records);
        first += file.records;
    }
    assert_eq!(first, RECORDS);

    let paths: Vec<&str> = summary.files.iter().map(|f| s(&f.path)).collect();
    let mut verify = vec!["verify"];
    verify.extend(&paths);
    let verified = run(Tool::Shred, &verify);
    for (file, range) in summary.files.iter().zip(&ranges) {
        let row = verified
            .lines()
            .find(|l| l.contains(s(&file.path)))
            .unwrap_or_else(|| panic!("verify lists {}:\n{verified}", file.path.display()));
        assert!(row.contains("OK"), "{row}");
        assert!(
            row.contains(&(range.end - range.start).to_string()),
            "{row}"
        );
    }

    let mut args = vec![PathBuf::from("--out-dir"), dir.path().join("dumps")];
    args.extend(summary.files.iter().map(|f| f.path.clone()));
    let report = python::run_script_json("read_back.py", &args);
    for ((file, range), report) in summary
        .files
        .iter()
        .zip(&ranges)
        .zip(report["files"].as_array().expect("files"))
    {
        let expected: Vec<Json> = generator
            .contacts(range.clone())
            .map(|c| c.to_json())
            .collect();
        for reader in ["pyarrow", "duckdb"] {
            let dump = records::read_input(Path::new(report[reader]["dump"].as_str().unwrap()));
            records::assert_same(
                &format!("{} read by {reader}", file.path.display()),
                &expected,
                &dump,
            );
        }
    }
}
