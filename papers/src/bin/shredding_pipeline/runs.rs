//! End-to-end runs of the two pipelines, one fresh process per run.
//!
//! Each configuration (pipeline, producers, writers, record batch size, encoder) runs as a
//! child process of this command (`shredding-pipeline run-one …`). The `shredkit` pipeline
//! plans the files (`shred_gen::plan`) and runs `shred_gen::pipeline::run`, the code the
//! `shred-gen` binary runs; the `study` pipeline is `shred_gen::baseline`, the study's
//! architecture (producers build Arrow batches, a single `ArrowWriter` thread encodes)
//! on the same records and writer properties. The child prints a JSON line with the
//! pipeline's own elapsed time. The parent
//! reaps it with `wait4` ([`crate::process`]) for its CPU time and peak RSS, so every run
//! starts from a cold heap, like a user's run, and memory is measured per run. Output goes
//! to a scratch directory and is deleted after each run (outside the timed part). The
//! study's settings throughout: the default distribution, uncompressed, dictionary and
//! statistics on.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use parquet::basic::Compression;
use serde::{Deserialize, Serialize};
use shred::writer_settings::WriterSettings;
use shred_gen::baseline::run_study_pipeline;
use shred_gen::pipeline::{PipelineConfig, run};
use shred_gen::plan::{Layout, Plan};
use shred_gen::{Distribution, Generator};

use crate::process::{self, Measured};
use crate::stages::Encoder;
use crate::stats::Summary;

/// Which pipeline architecture runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Pipeline {
    /// The study's: producers generate Arrow batches, one writer thread runs arrow-rs's
    /// `ArrowWriter` (`shred_gen::baseline`); always one writer, always arrow.
    Study,
    /// `shred-gen`'s: producers generate and encode whole row groups in parallel, writers
    /// only append them to their files (`shred_gen::pipeline`).
    Shredkit,
}

impl Pipeline {
    /// The `run-one --pipeline` value.
    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Study => "study",
            Pipeline::Shredkit => "shredkit",
        }
    }
}

/// One pipeline configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunConfig {
    /// The architecture.
    pub pipeline: Pipeline,
    /// Records to write.
    pub records: u64,
    /// Threads that generate and encode row groups (`--num-producers`).
    pub producers: usize,
    /// Files, each with its writer thread (`--num-writers`).
    pub writers: u64,
    /// Records generated at a time (`--record-batch-size`).
    pub batch_size: usize,
    /// Records per row group.
    pub row_group_size: u64,
    /// The write path.
    pub encoder: Encoder,
    /// Dataset seed.
    pub seed: u64,
}

impl RunConfig {
    /// The `run-one` arguments for this configuration, writing under `dir`.
    pub fn args(&self, dir: &Path) -> Vec<String> {
        vec![
            "run-one".into(),
            "--pipeline".into(),
            self.pipeline.name().into(),
            "--records".into(),
            self.records.to_string(),
            "--producers".into(),
            self.producers.to_string(),
            "--writers".into(),
            self.writers.to_string(),
            "--batch-size".into(),
            self.batch_size.to_string(),
            "--row-group-size".into(),
            self.row_group_size.to_string(),
            "--encoder".into(),
            self.encoder.name().into(),
            "--seed".into(),
            self.seed.to_string(),
            "--dir".into(),
            dir.display().to_string(),
        ]
    }

    /// `P producers : W writers`.
    pub fn split(&self) -> String {
        format!("{}:{}", self.producers, self.writers)
    }

    /// `pipeline encoder P:W`, e.g. `study arrow 2:1`.
    pub fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.pipeline.name(),
            self.encoder.name(),
            self.split()
        )
    }
}

/// What the child prints: the pipeline's own measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChildReport {
    /// Seconds spent in `pipeline::run` (planning to the last file renamed).
    pub elapsed_s: f64,
    /// Files written.
    pub files: u64,
    /// Bytes on disk, all files.
    pub bytes: u64,
    /// Records written.
    pub records: u64,
}

/// Runs one configuration in this process (the `run-one` subcommand).
pub fn run_here(config: &RunConfig, dir: &Path) -> Result<ChildReport> {
    let generator = Generator::try_new(config.seed, Distribution::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = Instant::now();
    let layout = Layout {
        target_records: config.records,
        parts: 1,
        part: 0,
        writers: config.writers,
        row_group_size: config.row_group_size,
    };
    let written = match config.pipeline {
        Pipeline::Shredkit => {
            let plan = Plan::new(&layout, dir, "contacts")?;
            let pipeline = PipelineConfig {
                record_batch_size: config.batch_size,
                producers: config.producers,
                writer: WriterSettings::with_compression(Compression::UNCOMPRESSED),
                encoder: config.encoder.kind(),
                row_group_size: config.row_group_size,
            };
            run(&pipeline, &plan, &generator, &|_| {})?
        }
        Pipeline::Study => {
            if config.writers != 1 || config.encoder != Encoder::Arrow {
                anyhow::bail!("the study's pipeline has one writer and the arrow encoder");
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
            vec![run_study_pipeline(
                &dir.join("contacts.parquet"),
                &generator,
                config.records,
                config.batch_size,
                config.producers,
                Compression::UNCOMPRESSED,
            )?]
        }
    };
    let elapsed_s = start.elapsed().as_secs_f64();
    Ok(ChildReport {
        elapsed_s,
        files: written.len() as u64,
        bytes: written.iter().map(|f| f.bytes).sum(),
        records: written.iter().map(|f| f.records).sum(),
    })
}

/// One measured run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// The pipeline's elapsed time and output.
    pub report: ChildReport,
    /// Wall seconds of the whole child process.
    pub process_wall_s: f64,
    /// CPU seconds (user + system) of the child.
    pub cpu_s: f64,
    /// Peak RSS of the child in MiB.
    pub max_rss_mib: f64,
}

/// Every repetition of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// The configuration.
    pub config: RunConfig,
    /// One result per repetition.
    pub runs: Vec<RunResult>,
}

impl Series {
    fn summary(&self, f: impl Fn(&RunResult) -> f64) -> Summary {
        let samples: Vec<f64> = self.runs.iter().map(f).collect();
        Summary::of(&samples).unwrap_or(Summary {
            median: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
            count: 0,
        })
    }

    /// Median elapsed seconds.
    pub fn elapsed(&self) -> Summary {
        self.summary(|r| r.report.elapsed_s)
    }

    /// Median records per second.
    pub fn records_per_s(&self) -> f64 {
        self.config.records as f64 / self.elapsed().median
    }

    /// Median CPU seconds.
    pub fn cpu(&self) -> Summary {
        self.summary(|r| r.cpu_s)
    }

    /// Median CPU ns per record.
    pub fn cpu_ns_per_record(&self) -> f64 {
        self.cpu().median * 1e9 / self.config.records as f64
    }

    /// Cores the run kept busy: median of CPU seconds / elapsed seconds.
    pub fn cores_used(&self) -> f64 {
        self.summary(|r| r.cpu_s / r.report.elapsed_s).median
    }

    /// Median peak RSS in MiB.
    pub fn rss(&self) -> Summary {
        self.summary(|r| r.max_rss_mib)
    }

    /// Bytes written (the same every run: the output is deterministic).
    pub fn bytes(&self) -> u64 {
        self.runs.first().map_or(0, |r| r.report.bytes)
    }
}

/// Runs configurations as child processes of `exe`.
#[derive(Debug)]
pub struct Runner {
    /// This program.
    pub exe: PathBuf,
    /// Where runs write their files (each run in its own subdirectory, removed after).
    pub scratch: PathBuf,
    /// Runs so far (names the subdirectories).
    pub count: usize,
}

impl Runner {
    /// Runs `config` once.
    pub fn run(&mut self, config: &RunConfig) -> Result<RunResult> {
        let dir = self.scratch.join(format!("run-{}", self.count));
        self.count += 1;
        let measured = process::run(&self.exe.display().to_string(), &config.args(&dir))?;
        let result = parse_child(&measured)?;
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("{}: cannot remove", dir.display()))?;
        if result.report.records != config.records {
            anyhow::bail!(
                "run {config:?} wrote {} records, expected {}",
                result.report.records,
                config.records
            );
        }
        Ok(result)
    }

    /// Runs each configuration `repetitions` times, round-robin (so a slow spell on the
    /// shared machine hits every configuration alike), calling `progress` after each run.
    pub fn series(
        &mut self,
        configs: &[RunConfig],
        repetitions: usize,
        progress: &mut dyn FnMut(),
    ) -> Result<Vec<Series>> {
        let mut series: Vec<Series> = configs
            .iter()
            .map(|&config| Series {
                config,
                runs: Vec::new(),
            })
            .collect();
        for _ in 0..repetitions {
            for s in &mut series {
                s.runs.push(self.run(&s.config)?);
                progress();
            }
        }
        Ok(series)
    }
}

/// Reads the child's JSON line and combines it with the parent's measurements.
fn parse_child(measured: &Measured) -> Result<RunResult> {
    let line = measured
        .stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .with_context(|| format!("run-one printed no JSON: {:?}", measured.stdout))?;
    let report: ChildReport =
        serde_json::from_str(line).with_context(|| format!("run-one printed {line:?}"))?;
    Ok(RunResult {
        report,
        process_wall_s: measured.wall_s,
        cpu_s: measured.cpu_s(),
        max_rss_mib: measured.max_rss_mib,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RunConfig {
        RunConfig {
            pipeline: Pipeline::Shredkit,
            records: 5000,
            producers: 2,
            writers: 2,
            batch_size: 1024,
            row_group_size: 1000,
            encoder: Encoder::Dremel,
            seed: 7,
        }
    }

    #[test]
    fn run_here_writes_every_record_into_the_planned_files() {
        let dir = tempfile::tempdir().unwrap();
        let report = run_here(&config(), dir.path()).unwrap();
        assert_eq!((report.records, report.files), (5000, 2));
        assert!(report.bytes > 0 && report.elapsed_s > 0.0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn both_encoders_write_the_same_number_of_bytes_give_or_take() {
        let dir = tempfile::tempdir().unwrap();
        let arrow = run_here(
            &RunConfig {
                encoder: Encoder::Arrow,
                ..config()
            },
            &dir.path().join("a"),
        )
        .unwrap();
        let dremel = run_here(&config(), &dir.path().join("d")).unwrap();
        let ratio = arrow.bytes as f64 / dremel.bytes as f64;
        assert!((ratio - 1.0).abs() < 0.1, "{ratio}");
    }

    #[test]
    fn the_study_pipeline_writes_one_file_and_needs_one_writer() {
        let dir = tempfile::tempdir().unwrap();
        let study = RunConfig {
            pipeline: Pipeline::Study,
            writers: 1,
            encoder: Encoder::Arrow,
            ..config()
        };
        let report = run_here(&study, dir.path()).unwrap();
        assert_eq!((report.records, report.files), (5000, 1));
        let two_writers = RunConfig {
            writers: 2,
            ..study
        };
        let err = run_here(&two_writers, &dir.path().join("x")).unwrap_err();
        assert!(err.to_string().contains("one writer"), "{err}");
    }

    #[test]
    fn child_output_is_parsed_from_its_last_json_line() {
        let measured = Measured {
            wall_s: 1.5,
            user_s: 1.0,
            sys_s: 0.5,
            max_rss_mib: 30.0,
            stdout: "noise\n{\"elapsed_s\":1.25,\"files\":1,\"bytes\":10,\"records\":4}\n".into(),
        };
        let r = parse_child(&measured).unwrap();
        assert_eq!(r.report.records, 4);
        assert_eq!(r.cpu_s, 1.5);
        let bad = Measured {
            stdout: "no json".into(),
            ..measured
        };
        assert!(parse_child(&bad).is_err());
    }

    #[test]
    fn args_name_every_setting() {
        let args = config().args(Path::new("/tmp/x"));
        for flag in [
            "--records",
            "--producers",
            "--writers",
            "--batch-size",
            "--encoder",
            "--dir",
        ] {
            assert!(args.iter().any(|a| a == flag), "{flag}");
        }
        assert_eq!(config().split(), "2:2");
        assert_eq!(config().label(), "shredkit dremel 2:2");
    }
}
