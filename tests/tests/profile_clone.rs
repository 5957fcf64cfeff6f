//! `shred-gen --profile`: look-alikes of nested files written by pyarrow and by DuckDB,
//! checked by pyarrow (`tests/python/profile_files.py`).
//!
//! The originals hold a list with null, empty and null-element states, a list of structs
//! holding a list, a map, three nested lists, strings with many distinct values, decimals,
//! dates, timestamps and floats, 20 000 records. Each is profiled and cloned at its own
//! size and at 2.5 times it; pyarrow reads every file and computes each leaf column's
//! levels from the Arrow values (not from the file's level streams) and its distinct
//! values. Per column the clone must match: the share of entries at each definition and
//! each repetition level within 0.02, entries per record within 5%, distinct values within
//! 25% (at the original's size); `pq.read_schema` must give the same Arrow schema, and the
//! footer the same key-value keys and top-level field ids. The learned
//! spec and the clone's bytes must hold no value of the file unless `--keep-values`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value as Json;
use shred_tests::python;
use shred_tests::tools::{Tool, output, run};

/// Records of the originals (`profile_files.py`'s `ROWS`).
const ROWS: u64 = 20_000;

/// Strings of the originals that a clone must not hold by default.
const FILE_VALUES: [&str; 4] = ["alpha", "gamma", "user-0", "user-1499"];

fn write_originals(dir: &Path) -> Vec<PathBuf> {
    let written = python::run_script_json("profile_files.py", [Path::new("write"), dir]);
    (written.as_array().expect("a list of files").iter())
        .map(|f| PathBuf::from(f.as_str().expect("a path")))
        .collect()
}

/// What pyarrow sees in one file.
struct FileStats {
    rows: f64,
    arrow_schema: String,
    columns: Vec<ColumnStats>,
}

/// What pyarrow sees in one leaf column.
struct ColumnStats {
    path: String,
    def: BTreeMap<String, f64>,
    rep: BTreeMap<String, f64>,
    entries: f64,
    distinct: f64,
}

fn stats(file: &Path) -> FileStats {
    let json = python::run_script_json("profile_files.py", [Path::new("stats"), file]);
    let file = &json["files"][0];
    let levels = |v: &Json| -> BTreeMap<String, f64> {
        (v.as_object().expect("levels").iter())
            .map(|(level, n)| (level.clone(), n.as_f64().expect("a count")))
            .collect()
    };
    FileStats {
        rows: file["rows"].as_f64().expect("rows"),
        arrow_schema: file["arrow_schema"].as_str().expect("schema").to_owned(),
        columns: (file["columns"].as_array().expect("columns").iter())
            .map(|c| ColumnStats {
                path: c["path"].as_str().expect("path").to_owned(),
                def: levels(&c["def"]),
                rep: levels(&c["rep"]),
                entries: c["entries"].as_f64().expect("entries"),
                distinct: c["distinct"].as_f64().expect("distinct"),
            })
            .collect(),
    }
}

/// Runs `shred-gen --profile original` for `records` records into `dir` and returns the
/// clone's path.
fn clone(original: &Path, dir: &Path, records: u64, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "--profile".to_owned(),
        original.display().to_string(),
        "--target-records".into(),
        records.to_string(),
        "--seed".into(),
        "3".into(),
        "--quiet".into(),
        "--output-dir".into(),
        dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let summary = run(Tool::ShredGen, &args);
    assert!(summary.contains("profile of"), "{summary}");
    let stem = original.file_stem().expect("a file name").to_string_lossy();
    dir.join(format!("{stem}-lookalike.parquet"))
}

fn key_value_keys(path: &Path) -> Vec<String> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).expect("opens"))
        .expect("a Parquet file");
    (reader.metadata().file_metadata().key_value_metadata())
        .map(|kv| kv.iter().map(|kv| kv.key.clone()).collect())
        .unwrap_or_default()
}

/// The field ids of the Parquet schema's top-level fields.
fn field_ids(path: &Path) -> Vec<Option<i32>> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).expect("opens"))
        .expect("a Parquet file");
    let root = reader.metadata().file_metadata().schema();
    (root.get_fields().iter())
        .map(|f| {
            let info = f.get_basic_info();
            info.has_id().then(|| info.id())
        })
        .collect()
}

/// Asserts that `clone` looks like `original`, column by column.
fn assert_looks_alike(original: &FileStats, clone: &FileStats, what: &str, distinct: bool) {
    assert_eq!(
        original.arrow_schema, clone.arrow_schema,
        "{what}: the Arrow schema pyarrow reads"
    );
    assert_eq!(original.columns.len(), clone.columns.len(), "{what}");
    for (a, b) in original.columns.iter().zip(&clone.columns) {
        assert_eq!(a.path, b.path, "{what}");
        for (kind, x, y) in [("d", &a.def, &b.def), ("r", &a.rep, &b.rep)] {
            for level in x.keys().chain(y.keys()) {
                let share = |m: &BTreeMap<String, f64>, n: f64| m.get(level).unwrap_or(&0.0) / n;
                let (x, y) = (share(x, a.entries), share(y, b.entries));
                assert!(
                    (x - y).abs() <= 0.02,
                    "{what}, {}: share of entries at {kind} = {level}: {x:.4} vs {y:.4}",
                    a.path
                );
            }
        }
        let (x, y) = (a.entries / original.rows, b.entries / clone.rows);
        assert!(
            (x - y).abs() <= 0.05 * x,
            "{what}, {}: {x:.3} entries per record vs {y:.3}",
            a.path
        );
        if distinct {
            assert!(
                (a.distinct - b.distinct).abs() <= 0.25 * a.distinct,
                "{what}, {}: {} distinct values vs {}",
                a.path,
                a.distinct,
                b.distinct
            );
        }
    }
}

#[test]
fn profile_clones_of_pyarrow_and_duckdb_files_match_column_by_column() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let originals = write_originals(dir.path());
    assert_eq!(originals.len(), 2, "one file by pyarrow, one by DuckDB");
    for original in &originals {
        let name = original.file_name().unwrap().to_string_lossy().into_owned();
        let spec = dir.path().join(format!("{name}.toml"));
        let same = clone(
            original,
            &dir.path().join("same"),
            ROWS,
            &[
                "--emit-spec",
                &spec.display().to_string(),
                "--verify",
                "--compression",
                "none",
            ],
        );
        let larger = clone(original, &dir.path().join("larger"), ROWS * 5 / 2, &[]);

        let expected = stats(original);
        assert_eq!(expected.rows, ROWS as f64);
        assert_eq!(
            expected
                .columns
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>(),
            [
                "id", "a", "b.x", "b.tags", "m.key", "m.value", "c", "s", "price", "day", "ts",
                "score"
            ],
            "{name}"
        );
        assert!(
            expected.arrow_schema.contains("ts: timestamp[us, tz=UTC]")
                && expected.arrow_schema.contains("price: decimal128(12, 2)"),
            "{}",
            expected.arrow_schema
        );
        assert_looks_alike(
            &expected,
            &stats(&same),
            &format!("{name}, same size"),
            true,
        );
        let larger_stats = stats(&larger);
        assert_eq!(larger_stats.rows, (ROWS * 5 / 2) as f64);
        assert_looks_alike(&expected, &larger_stats, &format!("{name}, 2.5x"), false);

        // The footer's key-value metadata (pyarrow's ARROW:schema) and the Parquet
        // schema's field ids are the original's.
        assert_eq!(key_value_keys(&same), key_value_keys(original), "{name}");
        assert_eq!(field_ids(&same), field_ids(original), "{name}");
        if name.contains("pyarrow") {
            assert!(key_value_keys(&same).contains(&"ARROW:schema".to_owned()));
            assert_eq!(field_ids(original), (1..=10).map(Some).collect::<Vec<_>>());
            assert!(
                expected.arrow_schema.contains("PARQUET:field_id: '10'"),
                "field ids, compared with the schema: {}",
                expected.arrow_schema
            );
        }

        // The learned spec: synthetic strings, learned number ranges, no value of the file.
        let learned = std::fs::read_to_string(&spec).expect("the learned spec");
        for shape in [
            "[fields.\"m.key_value.key\"]\nvalues = { enum = { \"v0\" = 7",
            "[fields.\"s\"]",
            "values = { tokens = { frequent = { \"v0xxx\" = ",
            "values = { spread = { range = [\"2019-01-01\", ",
            "values = { sequence = { start = 0, step = 1 } }",
        ] {
            assert!(learned.contains(shape), "{name}: {shape} in\n{learned}");
        }
        let bytes = std::fs::read(&same).expect("the clone");
        for value in FILE_VALUES.iter().chain(&["k1", "k5"]) {
            assert!(!learned.contains(value), "{name}: {value} in\n{learned}");
        }
        for value in FILE_VALUES {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "{name}: the uncompressed clone holds {value}"
            );
        }
    }
}

#[test]
fn keep_values_keeps_the_frequent_strings() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let originals = write_originals(dir.path());
    let spec = dir.path().join("kept.toml");
    let clone = clone(
        &originals[0],
        &dir.path().join("kept"),
        ROWS,
        &[
            "--keep-values",
            "--emit-spec",
            &spec.display().to_string(),
            "--compression",
            "none",
        ],
    );
    let learned = std::fs::read_to_string(&spec).expect("the learned spec");
    assert!(learned.contains("frequent values kept"), "{learned}");
    let alone = output(Tool::ShredGen, ["--keep-values", "--dry-run"]);
    assert_eq!(alone.code, 2, "--keep-values needs --profile: {alone:?}");
    for value in [
        "\"alpha\" = ",
        "\"beta\" = ",
        "\"gamma\" = ",
        "\"k1\" = ",
        "\"p\" = ",
    ] {
        assert!(learned.contains(value), "{value} in\n{learned}");
    }
    // The rare names stay synthetic.
    assert!(!learned.contains("user-"), "{learned}");
    let bytes = std::fs::read(&clone).expect("the clone");
    assert!(
        bytes.windows(5).any(|w| w == b"alpha"),
        "the clone holds alpha"
    );
    assert_looks_alike(&stats(&originals[0]), &stats(&clone), "--keep-values", true);
}
