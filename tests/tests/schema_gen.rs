//! `shred-gen --schema/--spec/--preset`: records of any schema, checked from outside.
//!
//! - **Their readers**: every schema-driven preset and a schema with every nesting shape
//!   (a MAP, a list of structs holding a list, a bare repeated field, decimals, dates,
//!   timestamps, UUIDs) are written by `shred-gen` and read by pyarrow and DuckDB
//!   (`tests/python/read_back.py`); each dump must equal the records regenerated from the
//!   seed and assembled by `shred`'s FSM, record by record.
//! - **The spec shows in the levels**: null, empty and length settings of a spec are
//!   measured in the written file's definition and repetition levels, within 0.02 (shares)
//!   or 3% (means) over 20,000 records.
//! - **Determinism**: byte-identical reruns; the same bytes whatever the producer count and
//!   batch size; `--parts` writing the files of one run with more writers.
//! - **Bad specs**: exit code 2 and a message naming the spec line and the schema path.

use std::path::{Path, PathBuf};

use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value as Json;
use shred::Schema;
use shred::column_io::{StripeReader, stripe_for};
use shred_gen::preset::Preset;
use shred_gen::schema_generator::SchemaGenerator;
use shred_gen::spec::Spec;
use shred_tests::tools::{Tool, output, run};
use shred_tests::{python, records};

/// Every nesting shape and the leaf types with a logical annotation.
const SHAPES_SCHEMA: &str = "message shapes {
  required int64 id;
  optional group attrs (MAP) {
    repeated group key_value {
      required binary key (STRING);
      optional int32 value;
    }
  }
  optional group orders (LIST) {
    repeated group list {
      optional group element {
        required binary sku (STRING);
        optional int64 price (DECIMAL(12,2));
        optional group tags (LIST) {
          repeated group list {
            optional binary element (STRING);
          }
        }
      }
    }
  }
  repeated double scores;
  optional int32 day (DATE);
  optional int64 at (TIMESTAMP(MICROS,false));
  optional fixed_len_byte_array(16) uid (UUID);
  optional int32 amount (DECIMAL(7,3));
  optional boolean flag;
  optional binary blob;
}";

const SHAPES_SPEC: &str = r#"
[defaults]
null = 0.15
empty = 0.1
length = { uniform = [1, 3] }

[fields.id]
values = { sequence = { start = 1000 } }

[fields.attrs]
length = { poisson = 2.0 }

[fields."attrs.key_value.key"]
values = { enum = { color = 4, size = 3, shape = 2, weight = 1 } }

[fields."attrs.key_value.value"]
values = { zipf = { n = 50, s = 1.2 } }

[fields."orders.list.element.sku"]
values = { pattern = "SKU-{id:08}" }

[fields."orders.list.element.price"]
values = { uniform = [0.5, 999.99] }

[fields."orders.list.element.tags"]
length = { histogram = [0.2, 0.5, 0.3] }

[fields."orders.list.element.tags.list.element"]
values = { words = ["new", "sale", "gift"] }

[fields.scores]
length = { geometric = 1.5 }
values = { normal = { mean = 50, std = 10 } }

[fields.day]
values = { uniform = ["2020-02-28", "2020-03-01"] }

[fields.at]
values = { uniform = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"] }

[fields.amount]
values = { uniform = [-99.999, 99.999] }

[fields.flag]
values = { bernoulli = 0.25 }

[fields.blob]
values = { random = [0, 6] }
"#;

/// The schema and spec files of the shapes dataset, written into `dir`.
fn shapes_files(dir: &Path) -> (PathBuf, PathBuf) {
    let schema = dir.join("shapes.schema");
    let spec = dir.join("shapes.toml");
    std::fs::write(&schema, SHAPES_SCHEMA).expect("writing the schema");
    std::fs::write(&spec, SHAPES_SPEC).expect("writing the spec");
    (schema, spec)
}

/// Records `0..count` of a generator, assembled by shred's FSM (the canonical form).
fn expected_records(generator: &SchemaGenerator, count: u64) -> Vec<Json> {
    let mut stripes = generator.new_stripes();
    generator.fill_stripes(0, count as usize, &mut stripes);
    shred::assembler::assemble_all(generator.schema(), &stripes).expect("stripes assemble")
}

fn generator_of(schema: &str, spec: &str, seed: u64) -> SchemaGenerator {
    SchemaGenerator::new(
        seed,
        Schema::parse(schema).expect("schema parses"),
        &Spec::parse("spec", spec).expect("spec parses"),
    )
    .expect("spec fits the schema")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `shred-gen --schema SCHEMA --spec SPEC --target-records RECORDS --output-dir DIR`.
fn schema_args(schema: &Path, spec: &Path, records: &str, dir: &Path) -> Vec<String> {
    let path = |p: &Path| p.display().to_string();
    let argv = ["--schema", &path(schema), "--spec", &path(spec)];
    let mut argv = args(&argv);
    argv.extend(args(&[
        "--target-records",
        records,
        "--output-dir",
        &path(dir),
    ]));
    argv
}

#[test]
fn presets_and_every_shape_read_back_in_pyarrow_and_duckdb_as_generated() {
    const RECORDS: u64 = 1500;
    const SEED: u64 = 5;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (schema_file, spec_file) = shapes_files(dir.path());
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for name in ["document", "tpch", "events", "shapes"] {
        let mut argv = args(&[
            "--target-records",
            &RECORDS.to_string(),
            "--row-group-size",
            "600",
            "--num-writers",
            "1",
            "--seed",
            &SEED.to_string(),
            "--compression",
            "zstd",
            "--verify",
            "--quiet",
            "--output-dir",
            &dir.path().display().to_string(),
        ]);
        let generator = if name == "shapes" {
            argv.extend([
                "--schema".into(),
                schema_file.display().to_string(),
                "--spec".into(),
                spec_file.display().to_string(),
            ]);
            generator_of(SHAPES_SCHEMA, SHAPES_SPEC, SEED)
        } else {
            argv.extend(["--preset".into(), name.into()]);
            let preset = Preset::find(name).expect("a preset");
            generator_of(preset.schema.unwrap(), preset.spec.unwrap(), SEED)
        };
        let summary = run(Tool::ShredGen, &argv);
        assert!(summary.contains("verified"), "{name}: {summary}");
        files.push(dir.path().join(format!("{name}.parquet")));
        expected.push(expected_records(&generator, RECORDS));
    }
    let mut read_back_args = vec![PathBuf::from("--out-dir"), dir.path().join("dumps")];
    read_back_args.extend(files.iter().cloned());
    let report = python::run_script_json("read_back.py", &read_back_args);
    let reports = report["files"].as_array().expect("files");
    let mut failures = Vec::new();
    for ((file, expected), report) in files.iter().zip(&expected).zip(reports) {
        for reader in ["pyarrow", "duckdb"] {
            let r = &report[reader];
            assert_eq!(r["rows"], RECORDS, "{} read by {reader}", file.display());
            let dump = PathBuf::from(r["dump"].as_str().expect("dump path"));
            let actual = records::read_input(&dump);
            if let Err(e) = records::compare(
                &format!("{} read by {reader}", file.display()),
                expected,
                &actual,
            ) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every leaf column of every row group of a file, read as one stripe per column.
fn read_columns(path: &Path) -> (Schema, Vec<shred::Stripe>) {
    let file = std::fs::File::open(path).expect("the file opens");
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let schema = Schema::from_descriptor(reader.metadata().file_metadata().schema_descr_ptr())
        .expect("its schema");
    let mut stripes: Vec<_> = schema.leaves().iter().map(stripe_for).collect();
    for rg in 0..reader.num_row_groups() {
        for (leaf, stripe) in stripes.iter_mut().enumerate() {
            let mut column = StripeReader::open(&reader, &schema, rg, leaf).expect("a column");
            while column.read_records(4096, stripe).expect("records") > 0 {}
        }
    }
    (schema, stripes)
}

fn share(count: usize, of: usize) -> f64 {
    count as f64 / of as f64
}

fn assert_near(what: &str, got: f64, expected: f64, tolerance: f64) {
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: {got:.4}, expected {expected:.4} ± {tolerance}"
    );
}

#[test]
fn spec_probabilities_and_lengths_show_in_the_file_levels() {
    const RECORDS: usize = 20_000;
    let dir = tempfile::tempdir().expect("temporary directory");
    let schema = dir.path().join("levels.schema");
    let spec = dir.path().join("levels.toml");
    std::fs::write(
        &schema,
        "message m {
           optional binary name (STRING);
           optional group l (LIST) { repeated group list { optional int64 element; } }
           repeated int32 bare;
         }",
    )
    .unwrap();
    std::fs::write(
        &spec,
        r#"
[fields.name]
null = 0.3

[fields.l]
null = 0.2
empty = 0.1
length = { histogram = [0, 0.5, 0.3, 0.2] }

[fields."l.list.element"]
null = 0.25

[fields.bare]
empty = 0
length = { poisson = 3.0 }
"#,
    )
    .unwrap();
    let mut argv = schema_args(&schema, &spec, "20000", dir.path());
    argv.extend(args(&["--row-group-size", "7000", "--quiet"]));
    run(Tool::ShredGen, &argv);
    let (_, stripes) = read_columns(&dir.path().join("levels.parquet"));
    let [name, element, bare] = &stripes[..] else {
        panic!("three columns")
    };

    // name: one entry per record, null (d 0) 30% of the time.
    assert_eq!(name.len(), RECORDS);
    let nulls = name.def.iter().filter(|&&d| d == 0).count();
    assert_near("name null share", share(nulls, RECORDS), 0.3, 0.02);

    // l: per record, null list (d 0) 20%, empty list (d 1) 80% · 10% = 8%.
    let firsts: Vec<usize> = (0..element.len())
        .filter(|&i| element.rep[i] == 0)
        .collect();
    assert_eq!(firsts.len(), RECORDS);
    let at = |d: i16| firsts.iter().filter(|&&i| element.def[i] == d).count();
    assert_near("null list share", share(at(0), RECORDS), 0.2, 0.02);
    assert_near("empty list share", share(at(1), RECORDS), 0.08, 0.02);
    // Lengths of the non-empty lists follow the histogram 1: 50%, 2: 30%, 3: 20%.
    let mut lengths = [0usize; 4];
    for (n, &start) in firsts.iter().enumerate() {
        if element.def[start] >= 2 {
            let end = firsts.get(n + 1).copied().unwrap_or(element.len());
            lengths[(end - start).min(3)] += 1;
        }
    }
    let lists: usize = lengths.iter().sum();
    assert_near("present list share", share(lists, RECORDS), 0.72, 0.02);
    for (len, p) in [(1, 0.5), (2, 0.3), (3, 0.2)] {
        assert_near(
            &format!("length {len}"),
            share(lengths[len], lists),
            p,
            0.02,
        );
    }
    // Elements: null (d 2) 25%, present (d 3) 75%.
    let elements = element.def.iter().filter(|&&d| d >= 2).count();
    let null_elements = element.def.iter().filter(|&&d| d == 2).count();
    assert_near(
        "null element share",
        share(null_elements, elements),
        0.25,
        0.02,
    );
    assert_eq!(element.values.len(), elements - null_elements);

    // bare: Poisson(3) occurrences per record; a record without any has one entry at d 0.
    let absent = bare.def.iter().filter(|&&d| d == 0).count();
    let values = bare.def.iter().filter(|&&d| d == 1).count();
    assert_near(
        "records without bare values",
        share(absent, RECORDS),
        (-3.0f64).exp(),
        0.02,
    );
    let mean = values as f64 / RECORDS as f64;
    assert!((mean - 3.0).abs() <= 0.03 * 3.0, "mean bare length {mean}");
}

/// Runs `shred-gen` with `extra` into a new directory; returns the directory.
fn generate(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = if extra.contains(&"--seed") {
        &[][..]
    } else {
        &["--seed", "99"][..]
    };
    let mut argv = args(seed);
    argv.extend(args(&[
        "--preset",
        "document",
        "--target-records",
        "5000",
        "--row-group-size",
        "900",
        "--quiet",
        "--output-dir",
        &dir.path().display().to_string(),
    ]));
    argv.extend(args(extra));
    run(Tool::ShredGen, &argv);
    dir
}

/// The files of a directory, by name, with their bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the output directory")
        .map(|e| {
            let e = e.expect("a directory entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("a file"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn reruns_producers_and_batch_sizes_give_the_same_bytes() {
    let reference =
        files(generate(&["--num-producers", "1", "--record-batch-size", "4096"]).path());
    assert_eq!(reference.len(), 1);
    for extra in [
        &["--num-producers", "1", "--record-batch-size", "4096"][..],
        &["--num-producers", "3", "--record-batch-size", "7"][..],
        &["--num-producers", "2", "--record-batch-size", "900"][..],
    ] {
        assert!(
            files(generate(extra).path()) == reference,
            "{extra:?}: not the reference bytes"
        );
    }
    let other_seed = files(generate(&["--seed", "100"]).path());
    assert!(other_seed != reference, "another seed, other records");
}

#[test]
fn parts_write_the_files_of_one_run_with_more_writers() {
    let whole = files(generate(&["--num-writers", "4"]).path());
    assert_eq!(whole.len(), 4);
    let mut parts = Vec::new();
    for part in ["0", "1"] {
        parts.extend(files(
            generate(&["--num-writers", "2", "--parts", "2", "--part", part]).path(),
        ));
    }
    parts.sort();
    assert!(parts == whole, "parts differ from the single run's files");
}

#[test]
fn a_bad_spec_is_exit_2_naming_the_line_and_the_path() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (schema, _) = shapes_files(dir.path());
    let cases = [
        (
            "[fields.\"orders.list.element.sku\"]\n\nvalues = { uniform = [1, 2] }\n",
            "bad.toml line 3, field orders.list.element.sku: uniform does not fit a string",
        ),
        (
            "[fields.attrs]\nnull = 0.1\n\n[fields.\"attrs.key_value.key\"]\nnull = 0.5\n",
            "bad.toml line 5, field attrs.key_value.key: null applies to optional fields",
        ),
        (
            "[fields.orders]\nlength = { poisson = -2 }\n",
            "bad.toml line 2, field orders: mean -2",
        ),
        (
            "[fields.nope]\nnull = 0.1\n",
            "bad.toml line 1, field nope: no such field in the schema",
        ),
        ("[fields.id\nnull = 1\n", "bad.toml line 1: "),
    ];
    for (spec, message) in cases {
        let spec_file = dir.path().join("bad.toml");
        std::fs::write(&spec_file, spec).unwrap();
        let outcome = output(
            Tool::ShredGen,
            schema_args(&schema, &spec_file, "10", dir.path()),
        );
        assert_eq!(outcome.code, 2, "{spec}: {outcome:?}");
        let error = outcome.error.unwrap_or_default();
        assert!(
            error.contains(message) && error.starts_with("invalid spec: "),
            "{spec}: {error}"
        );
    }
    assert!(
        !dir.path().join("shapes.parquet").exists(),
        "no file for a bad spec"
    );
    let unknown = output(Tool::ShredGen, args(&["--preset", "nope", "--dry-run"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .error
            .unwrap_or_default()
            .contains("presets: contact, document, tpch, events")
    );
    let contact_flag = output(
        Tool::ShredGen,
        args(&["--preset", "tpch", "--rate", "mobile=0.5", "--dry-run"]),
    );
    assert_eq!(contact_flag.code, 2);
    assert!(contact_flag.error.unwrap_or_default().contains("--rate"));
}
