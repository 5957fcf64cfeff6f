//! Running `shred-gen` from tests, and the records it must have written.
//!
//! [`GenRun`] names a run by its flags (records, seed, encoder, codec, row group size,
//! writers, which distribution); [`GenRun::run`] runs `shred-gen --json --quiet` into a
//! directory and returns the summary it prints. [`GenRun::distribution`] is the
//! distribution the flags stand for, built here from `shred_gen::Distribution` and checked
//! against the one the summary echoes, so a flag that silently changed meaning fails the
//! test. [`GenRun::generator`] regenerates the expected records: they are a pure function of
//! (seed, record index, distribution), which is what makes the comparison possible.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use shred_gen::{Distribution, Generator};

use crate::tools::{Tool, run};

/// Which distribution a run uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rates {
    /// The study's default: no empty lists, no null items.
    Default,
    /// `--all-def-states`: 5% empty lists and 2% null items.
    AllDefStates,
    /// `--empty-lists E --null-items N`.
    Custom {
        /// Share of all records whose list is empty (taken from the null lists).
        empty_lists: f64,
        /// Probability that a list item is null.
        null_items: f64,
    },
}

/// One `shred-gen` invocation.
#[derive(Debug, Clone)]
pub struct GenRun {
    /// Output file stem (`--output-filename`).
    pub name: String,
    /// `--target-records`.
    pub records: u64,
    /// `--seed`.
    pub seed: u64,
    /// `--encoder`: `arrow` or `dremel`.
    pub encoder: &'static str,
    /// `--compression`.
    pub compression: &'static str,
    /// `--row-group-size`.
    pub row_group_size: u64,
    /// `--num-writers`.
    pub writers: u64,
    /// The distribution flags.
    pub rates: Rates,
}

/// One file of a run, as the summary lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct GenFile {
    /// Final path.
    pub path: PathBuf,
    /// Records in the file.
    pub records: u64,
    /// Row groups in the file.
    pub row_groups: u64,
}

/// The parts of `shred-gen --json`'s summary the tests use.
#[derive(Debug, Clone, Deserialize)]
pub struct GenSummary {
    /// Records written.
    pub records: u64,
    /// Files written, in dataset order.
    pub files: Vec<GenFile>,
    /// The settings, including the distribution used.
    pub settings: serde_json::Value,
}

impl GenRun {
    /// The distribution the flags stand for.
    pub fn distribution(&self) -> Distribution {
        match self.rates {
            Rates::Default => Distribution::default(),
            Rates::AllDefStates => Distribution::all_def_states(),
            Rates::Custom {
                empty_lists,
                null_items,
            } => Distribution::default()
                .with_empty_lists(empty_lists)
                .with_null_items(null_items),
        }
    }

    /// The generator of the expected records.
    pub fn generator(&self) -> Generator {
        Generator::new(self.seed, self.distribution())
    }

    /// The command-line arguments.
    pub fn args(&self, dir: &Path) -> Vec<String> {
        let mut args: Vec<String> = [
            "--json",
            "--quiet",
            "--target-records",
            &self.records.to_string(),
            "--seed",
            &self.seed.to_string(),
            "--encoder",
            self.encoder,
            "--compression",
            self.compression,
            "--row-group-size",
            &self.row_group_size.to_string(),
            "--num-writers",
            &self.writers.to_string(),
            "--output-filename",
            &self.name,
            "--output-dir",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(dir.to_str().expect("UTF-8 directory").to_string());
        match self.rates {
            Rates::Default => {}
            Rates::AllDefStates => args.push("--all-def-states".into()),
            Rates::Custom {
                empty_lists,
                null_items,
            } => args.extend([
                "--empty-lists".into(),
                empty_lists.to_string(),
                "--null-items".into(),
                null_items.to_string(),
            ]),
        }
        args
    }

    /// Runs `shred-gen` into `dir`; checks the summary's record count and distribution.
    pub fn run(&self, dir: &Path) -> GenSummary {
        let out = run(Tool::ShredGen, self.args(dir));
        let summary: GenSummary = serde_json::from_str(&out).unwrap_or_else(|e| {
            panic!("shred-gen --json printed an unexpected summary ({e}):\n{out}")
        });
        assert_eq!(
            summary.records, self.records,
            "{}: records written",
            self.name
        );
        assert_eq!(
            summary.files.iter().map(|f| f.records).sum::<u64>(),
            self.records,
            "{}: records in the files",
            self.name
        );
        let used: Distribution = serde_json::from_value(summary.settings["distribution"].clone())
            .unwrap_or_else(|e| {
                panic!(
                    "{}: summary has no distribution ({e}): {}",
                    self.name, summary.settings
                )
            });
        assert_eq!(used, self.distribution(), "{}: distribution", self.name);
        summary
    }
}
