//! Our files, their readers: `shred-gen` files read by pyarrow and DuckDB.
//!
//! Eighteen files: the three encoders (`arrow`, `dremel`, `direct`) × `none`, `snappy`,
//! `zstd` × the default distribution and one with empty lists and null items
//! (`--all-def-states` for dremel and direct, `--empty-lists 0.1 --null-items 0.05` for
//! arrow). The dremel/zstd/all-states file holds
//! 100,000 records, the others 5,000, all in several row groups. Every file is dumped by
//! pyarrow and by DuckDB as canonical JSON (`tests/python/read_back.py`) and each dump must
//! equal, record for record, `Contact::to_json` of the records regenerated here from the
//! seed with `shred_gen::Generator`. Both readers must see the Contact schema, and the
//! study's queries in DuckDB must give the counts computed from our own records.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value as Json;
use shred::contact::CONTACT_SCHEMA;
use shred_tests::gen_run::{GenRun, GenSummary, Rates};
use shred_tests::study_counts::StudyCounts;
use shred_tests::{file_schema, python, records};

const BIG: u64 = 100_000;
const SMALL: u64 = 5_000;

struct Generated {
    run: GenRun,
    summary: GenSummary,
    report: Json,
}

struct Fixtures {
    _dir: tempfile::TempDir,
    files: Vec<Generated>,
}

fn runs() -> Vec<GenRun> {
    let mut runs = Vec::new();
    let mut seed = 1000;
    for encoder in ["arrow", "dremel", "direct"] {
        for compression in ["none", "snappy", "zstd"] {
            for states in [false, true] {
                seed += 1;
                let rates = match (states, encoder) {
                    (false, _) => Rates::Default,
                    (true, "dremel" | "direct") => Rates::AllDefStates,
                    (true, _) => Rates::Custom {
                        empty_lists: 0.1,
                        null_items: 0.05,
                    },
                };
                let big = encoder == "dremel" && compression == "zstd" && states;
                let records = if big { BIG } else { SMALL };
                runs.push(GenRun {
                    name: format!(
                        "{encoder}-{compression}-{}",
                        if states { "states" } else { "default" }
                    ),
                    records,
                    seed,
                    encoder,
                    compression,
                    row_group_size: records / 5 + 1,
                    writers: 1,
                    rates,
                });
            }
        }
    }
    runs
}

/// Generates the files and reads them back, once per test process.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let generated: Vec<(GenRun, GenSummary)> = runs()
            .into_iter()
            .map(|run| {
                let summary = run.run(dir.path());
                assert_eq!(summary.files.len(), 1, "{}: one file", run.name);
                (run, summary)
            })
            .collect();
        let mut args = vec![PathBuf::from("--out-dir"), dir.path().join("dumps")];
        args.extend(generated.iter().map(|(_, s)| s.files[0].path.clone()));
        let report = python::run_script_json("read_back.py", &args);
        let reports = report["files"].as_array().expect("files").clone();
        assert_eq!(reports.len(), generated.len());
        let files = generated
            .into_iter()
            .zip(reports)
            .map(|((run, summary), report)| Generated {
                run,
                summary,
                report,
            })
            .collect();
        Fixtures { _dir: dir, files }
    })
}

fn path(file: &Generated) -> &Path {
    &file.summary.files[0].path
}

#[test]
fn generated_files_read_back_as_the_generated_records() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for file in &fixtures().files {
        let generator = file.run.generator();
        let expected: Vec<Json> = generator
            .contacts(0..file.run.records)
            .map(|c| c.to_json())
            .collect();
        assert_eq!(
            file.report["pyarrow"]["metadata_rows"], file.run.records,
            "{}",
            file.run.name
        );
        assert_eq!(
            file.report["pyarrow"]["row_groups"], file.summary.files[0].row_groups,
            "{}",
            file.run.name
        );
        assert!(file.summary.files[0].row_groups > 1, "{}", file.run.name);
        for reader in ["pyarrow", "duckdb"] {
            let report = &file.report[reader];
            assert_eq!(
                report["rows"], file.run.records,
                "{} {reader}",
                file.run.name
            );
            let dump = records::read_input(Path::new(report["dump"].as_str().unwrap()));
            match records::compare(
                &format!("{} read by {reader}", file.run.name),
                &expected,
                &dump,
            ) {
                Ok(()) => compared += dump.len(),
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared as u64 >= 2 * BIG, "{compared} records compared");
}

#[test]
fn every_encoder_writes_the_contact_schema() {
    let expected = shred::Schema::parse(CONTACT_SCHEMA).unwrap();
    let describe = |s: &shred::Schema| {
        s.leaves()
            .iter()
            .map(|l| {
                format!(
                    "{} {:?} {:?} r{} d{}",
                    l.path,
                    l.physical(),
                    l.logical(),
                    l.max_rep,
                    l.max_def
                )
            })
            .collect::<Vec<_>>()
    };
    for file in &fixtures().files {
        let schema = file_schema::schema(path(file));
        assert_eq!(describe(&schema), describe(&expected), "{}", file.run.name);
        let columns = |reader: &str| -> Vec<(String, String)> {
            file.report[reader]["schema"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_str().unwrap().into(), c[1].as_str().unwrap().into()))
                .collect()
        };
        let pyarrow = columns("pyarrow");
        assert_eq!(
            pyarrow[0],
            ("name".into(), "string".into()),
            "{}",
            file.run.name
        );
        assert_eq!(pyarrow[1].0, "phones");
        // phone_type is Dictionary(UInt8, Utf8) in Arrow (DESIGN.md); every encoder stores
        // the Arrow schema, so pyarrow restores it.
        assert_eq!(
            pyarrow[1].1,
            "list<item: struct<number: string, phone_type: dictionary<values=string, indices=uint8, ordered=0>>>",
            "{}",
            file.run.name
        );
        assert_eq!(
            columns("duckdb"),
            vec![
                ("name".to_string(), "VARCHAR".to_string()),
                (
                    "phones".to_string(),
                    "STRUCT(number VARCHAR, phone_type VARCHAR)[]".to_string()
                ),
            ],
            "{}",
            file.run.name
        );
    }
}

#[test]
fn study_queries_in_duckdb_agree_with_our_records() {
    for file in fixtures().files.iter().filter(|f| f.run.records == BIG) {
        let answers: StudyCounts =
            serde_json::from_value(python::run_script_json("duckdb_queries.py", [path(file)]))
                .expect("duckdb_queries.py prints the study counts");
        let generator = file.run.generator();
        let expected =
            StudyCounts::of(&generator.contacts(0..file.run.records).collect::<Vec<_>>());
        // The file has every case the queries distinguish.
        assert!(
            expected.null_lists > 0 && expected.empty_lists > 0,
            "{expected:?}"
        );
        assert!(expected.by_phone_type.len() == 4, "{expected:?}");
        assert_eq!(answers, expected, "{}", file.run.name);
    }
}
