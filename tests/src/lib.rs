//! shred-tests: helpers shared by the cross-crate end-to-end and interop tests.
//!
//! The tests in `tests/tests/` drive the workspace's tools (`shred`, `shred-gen`,
//! `shred-inspect`) as a user would, through the command lines their binaries run, and
//! check what they write against two independent Parquet implementations, pyarrow (Arrow
//! C++) and DuckDB, in both directions: our files read by their readers, their files read
//! by our tools. The modules follow that flow: [`tools`] runs the tools' command lines in
//! process, [`gen_run`] runs `shred-gen` and regenerates the records it must have written, [`python`] finds the interpreter with pyarrow and
//! DuckDB (`SHREDKIT_PYTHON`) and runs the scripts in `tests/python/`, [`records`] reads,
//! writes and compares JSON records in shred's canonical convention (`shred::record`),
//! [`level_lines`] compares the level entries `shred levels` and `shred-inspect levels`
//! print, [`file_schema`] turns a file's schema back into message-type text, and
//! [`study_counts`] computes from our own records what the study's DuckDB queries must answer.
//!
//! ```
//! use shred_tests::level_lines::{LevelLine, compare};
//! let a = LevelLine::parse_all("{\"column\":\"x\",\"row_group\":0,\"record\":0,\"r\":0,\"d\":1,\"value\":5}\n").unwrap();
//! assert_eq!(compare(&a, &a).unwrap(), 1);
//! ```

pub mod file_schema;
pub mod gen_run;
pub mod level_lines;
pub mod python;
pub mod records;
pub mod study_counts;
pub mod tools;

/// The directory of the `shred-tests` crate (`tests/`).
pub fn crate_dir() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root (the parent of `tests/`).
pub fn workspace_dir() -> &'static std::path::Path {
    crate_dir().parent().expect("tests/ has a parent")
}

/// A fixture file of the `shred` crate (`shred/tests/data/NAME`), shared rather than copied.
pub fn shred_fixture(name: &str) -> std::path::PathBuf {
    workspace_dir().join("shred/tests/data").join(name)
}

/// A fixture file of this crate (`tests/data/NAME`).
pub fn fixture(name: &str) -> std::path::PathBuf {
    crate_dir().join("data").join(name)
}
