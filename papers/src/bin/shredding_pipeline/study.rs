//! The study's measurements, in order, and the results they produce.
//!
//! [`run`] measures, with the settings of [`Settings`]: (1) the single-core cost per record
//! of every stage, for each record batch size ([`crate::stages`]); (2) the throughput grid
//! of `shred-gen`'s pipeline, writers × batch size, with as many producers as cores and its
//! `dremel` encoder; (3) the producer:writer split at the reference batch size, for
//! the study's pipeline (one writer) and for `shred-gen`'s; (4) both encoders side by side
//! in `shred-gen`'s pipeline, at 1:1 and at its fastest split; (5) `perf stat` counters of
//! the baseline and of the fastest split, when `perf` runs ([`crate::perf`]).
//! Configurations shared by several parts are measured once. The baseline every ratio
//! refers to is measured in the same run: the study's pipeline
//! ([`crate::runs::Pipeline::Study`]) with one producer per core and its single writer, at
//! the reference batch size, which is the setting of the study's 2-core numbers.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;
use shred_gen::{Distribution, Generator};

use crate::machine::{Machine, cores_available, load_average, source_commit};
use crate::perf::{self, Counter, Hotspot, Support};
use crate::runs::{Pipeline, RunConfig, Runner, Series};
use crate::stages::{self, BatchResults, Encoder, StageConfig};

/// What to measure.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Records per end-to-end run.
    pub records: u64,
    /// Records per single-core pass.
    pub single_core_records: u64,
    /// Record batch sizes (the study's 1024, 2048, 4096, 8192).
    pub batch_sizes: Vec<usize>,
    /// The batch size of the split, encoder and breakdown measurements.
    pub reference_batch: usize,
    /// Records per row group.
    pub row_group_size: u64,
    /// Repetitions of every measurement (medians are reported).
    pub repetitions: usize,
    /// Dataset seed.
    pub seed: u64,
    /// Cores to plan for (writers up to this, producers up to twice this).
    pub cores: usize,
}

/// `perf stat` of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct PerfRun {
    /// The configuration.
    pub config: RunConfig,
    /// The counters.
    pub counters: Vec<Counter>,
}

/// A sampled profile of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileRun {
    /// The configuration.
    pub config: RunConfig,
    /// Functions with their share of the samples.
    pub hotspots: Vec<Hotspot>,
}

/// Everything measured.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The settings.
    pub settings: Settings,
    /// The machine.
    pub machine: Machine,
    /// The workspace commit when the study started ([`crate::machine::source_commit`]).
    pub commit: Option<String>,
    /// Load averages before and after.
    pub load_before: Option<[f64; 3]>,
    /// Load averages after.
    pub load_after: Option<[f64; 3]>,
    /// Cores a `cores`-thread busy loop got, before and after the end-to-end runs
    /// ([`crate::machine::cores_available`]).
    pub cores_available: [f64; 2],
    /// What perf can count.
    pub perf: PerfSupport,
    /// Single-core passes per batch size.
    pub single_core: Vec<BatchResults>,
    /// Every end-to-end configuration measured.
    pub series: Vec<Series>,
    /// `perf stat` runs (empty without perf).
    pub perf_runs: Vec<PerfRun>,
    /// Sampled profiles, one producer and one writer per encoder (empty without perf).
    pub profiles: Vec<ProfileRun>,
    /// perf runs that failed (the study goes on without them).
    pub perf_failures: Vec<String>,
}

/// [`Support`], serializable.
#[derive(Debug, Clone, Serialize)]
pub struct PerfSupport {
    /// `perf stat` runs.
    pub perf: bool,
    /// Hardware counters count.
    pub hardware: bool,
    /// How we found out.
    pub note: String,
}

impl From<&Support> for PerfSupport {
    fn from(s: &Support) -> Self {
        PerfSupport {
            perf: s.perf,
            hardware: s.hardware,
            note: s.note.clone(),
        }
    }
}

impl Results {
    /// The series of `config`, if measured.
    pub fn series(&self, config: &RunConfig) -> Option<&Series> {
        self.series.iter().find(|s| s.config == *config)
    }

    /// A `shred-gen` pipeline configuration at the reference batch size.
    pub fn config(&self, producers: usize, writers: u64, encoder: Encoder) -> RunConfig {
        config(
            &self.settings,
            Pipeline::Shredkit,
            producers,
            writers,
            self.settings.reference_batch,
            encoder,
        )
    }

    /// The baseline: the study's pipeline, one producer per core, one writer.
    pub fn baseline(&self) -> Option<&Series> {
        self.series(&baseline_config(&self.settings))
    }

    /// The fastest of `configs`, by median elapsed time.
    pub fn fastest(&self, configs: &[RunConfig]) -> Option<&Series> {
        configs
            .iter()
            .filter_map(|c| self.series(c))
            .min_by(|a, b| a.elapsed().median.total_cmp(&b.elapsed().median))
    }

    /// The fastest split of `shred-gen`'s pipeline.
    pub fn best_split(&self) -> Option<&Series> {
        self.fastest(&split_configs(&self.settings))
    }

    /// The fastest split of the study's pipeline.
    pub fn best_study_split(&self) -> Option<&Series> {
        self.fastest(&study_split_configs(&self.settings))
    }

    /// The single-core results at the reference batch size.
    pub fn reference_single_core(&self) -> Option<&BatchResults> {
        self.single_core
            .iter()
            .find(|b| b.batch_size == self.settings.reference_batch)
    }
}

fn config(
    settings: &Settings,
    pipeline: Pipeline,
    producers: usize,
    writers: u64,
    batch_size: usize,
    encoder: Encoder,
) -> RunConfig {
    RunConfig {
        pipeline,
        records: settings.records,
        producers,
        writers,
        batch_size,
        row_group_size: settings.row_group_size,
        encoder,
        seed: settings.seed,
    }
}

/// The baseline: the study's pipeline, producers = cores, one writer, reference batch.
pub fn baseline_config(settings: &Settings) -> RunConfig {
    config(
        settings,
        Pipeline::Study,
        settings.cores,
        1,
        settings.reference_batch,
        Encoder::Arrow,
    )
}

/// Grid: `shred-gen`'s pipeline, writers 1..=cores × every batch size, producers = cores,
/// the dremel encoder.
pub fn grid_configs(settings: &Settings) -> Vec<RunConfig> {
    let mut out = Vec::new();
    for writers in 1..=settings.cores as u64 {
        for &batch in &settings.batch_sizes {
            out.push(config(
                settings,
                Pipeline::Shredkit,
                settings.cores,
                writers,
                batch,
                Encoder::Dremel,
            ));
        }
    }
    out
}

/// Split of `shred-gen`'s pipeline: producers 1..=2·cores × writers 1..=cores, reference
/// batch, dremel.
pub fn split_configs(settings: &Settings) -> Vec<RunConfig> {
    let mut out = Vec::new();
    for producers in 1..=2 * settings.cores {
        for writers in 1..=settings.cores as u64 {
            out.push(config(
                settings,
                Pipeline::Shredkit,
                producers,
                writers,
                settings.reference_batch,
                Encoder::Dremel,
            ));
        }
    }
    out
}

/// Split of the study's pipeline: producers 1..=2·cores, its one writer, reference batch.
pub fn study_split_configs(settings: &Settings) -> Vec<RunConfig> {
    (1..=2 * settings.cores)
        .map(|producers| {
            config(
                settings,
                Pipeline::Study,
                producers,
                1,
                settings.reference_batch,
                Encoder::Arrow,
            )
        })
        .collect()
}

/// Runs the whole study; `log` receives progress lines.
pub fn run(
    settings: Settings,
    runner: &mut Runner,
    scratch: &std::path::Path,
    log: &mut dyn FnMut(&str),
) -> Result<Results> {
    // Read first: the code this process runs is what the checkout held when it was built,
    // which is HEAD (+changes) at start for `cargo run`, not whatever HEAD is at the end.
    let commit = source_commit();
    let machine = Machine::detect();
    let load_before = load_average();
    let support = perf::detect();
    log(&format!("machine: {}", machine.summary()));
    log(&format!("perf: {}", support.note));

    let generator = Generator::new(settings.seed, Distribution::default());
    let stage_config = StageConfig {
        records: settings.single_core_records,
        row_group_size: settings.row_group_size as usize,
        repetitions: settings.repetitions,
    };
    let mut single_core = Vec::new();
    for &batch in &settings.batch_sizes {
        let full = batch == settings.reference_batch;
        log(&format!(
            "single core, batch {batch}: {} passes x {} repetitions of {} records",
            stages::passes(full).len(),
            settings.repetitions,
            settings.single_core_records
        ));
        single_core.push(stages::measure(
            &generator,
            &stage_config,
            batch,
            &stages::passes(full),
            scratch,
        )?);
    }

    let available_before = cores_available(settings.cores, 300);
    log(&format!(
        "cores available to a {}-thread busy loop: {available_before:.2}",
        settings.cores
    ));

    // Every end-to-end configuration, each measured once even if several tables use it.
    let baseline = baseline_config(&settings);
    let mut configs: Vec<RunConfig> = Vec::new();
    let mut wanted = vec![baseline];
    wanted.extend(study_split_configs(&settings));
    wanted.extend(grid_configs(&settings));
    wanted.extend(split_configs(&settings));
    for c in wanted {
        if !configs.contains(&c) {
            configs.push(c);
        }
    }
    let total = configs.len() * settings.repetitions;
    log(&format!(
        "end to end: {} configurations x {} repetitions of {} records",
        configs.len(),
        settings.repetitions,
        settings.records
    ));
    let mut done = 0;
    let mut series = runner.series(&configs, settings.repetitions, &mut || {
        done += 1;
        if done % 10 == 0 || done == total {
            eprintln!("  {done}/{total} runs");
        }
    })?;

    // The encoders: arrow next to dremel in shred-gen's pipeline, at 1:1 and at the
    // fastest split.
    let best = fastest_of(&series, &split_configs(&settings)).unwrap_or(baseline);
    let mut encoder_configs = Vec::new();
    for (producers, writers) in [(1, 1), (best.producers, best.writers)] {
        let arrow = config(
            &settings,
            Pipeline::Shredkit,
            producers,
            writers,
            settings.reference_batch,
            Encoder::Arrow,
        );
        let dremel = RunConfig {
            encoder: Encoder::Dremel,
            ..arrow
        };
        for c in [arrow, dremel] {
            if !configs.contains(&c) && !encoder_configs.contains(&c) {
                encoder_configs.push(c);
            }
        }
    }
    log(&format!(
        "encoders: {} more configurations",
        encoder_configs.len()
    ));
    series.extend(runner.series(&encoder_configs, settings.repetitions, &mut || {})?);

    // perf is an extra: where it runs but is not allowed to (perf_event_paranoid, a
    // container), the study still completes and says why the perf tables are missing.
    let mut perf_failures = Vec::new();
    let mut perf_runs = Vec::new();
    if support.perf {
        let best_arrow = RunConfig {
            encoder: Encoder::Arrow,
            ..best
        };
        for config in [baseline, best_arrow, best] {
            log(&format!("perf stat: {}", config.label()));
            let dir = scratch.join("perf-run");
            let result = perf::stat(
                &support.events(),
                &runner.exe.display().to_string(),
                &config.args(&dir),
            );
            std::fs::remove_dir_all(&dir).ok();
            match result {
                Ok((_, counters)) => perf_runs.push(PerfRun { config, counters }),
                Err(e) => perf_failures.push(format!("perf stat of {}: {e:#}", config.label())),
            }
        }
    }
    let mut profiles = Vec::new();
    if support.perf {
        for encoder in Encoder::ALL {
            let config = RunConfig {
                records: settings.single_core_records,
                ..config(
                    &settings,
                    Pipeline::Shredkit,
                    1,
                    1,
                    settings.reference_batch,
                    encoder,
                )
            };
            log(&format!("perf record: {}", config.label()));
            let dir = scratch.join("profile-run");
            let result = perf::profile(&runner.exe.display().to_string(), &config.args(&dir), 0.5);
            std::fs::remove_dir_all(&dir).ok();
            match result {
                Ok(hotspots) => profiles.push(ProfileRun { config, hotspots }),
                Err(e) => perf_failures.push(format!("perf record of {}: {e:#}", config.label())),
            }
        }
    }

    let available_after = cores_available(settings.cores, 300);
    Ok(Results {
        cores_available: [available_before, available_after],
        commit,
        load_before,
        load_after: load_average(),
        perf: PerfSupport::from(&support),
        machine,
        settings,
        single_core,
        series,
        perf_runs,
        profiles,
        perf_failures,
    })
}

fn fastest_of(series: &[Series], configs: &[RunConfig]) -> Option<RunConfig> {
    series
        .iter()
        .filter(|s| configs.contains(&s.config))
        .min_by(|a, b| a.elapsed().median.total_cmp(&b.elapsed().median))
        .map(|s| s.config)
}

/// The batch sizes as a sorted, de-duplicated list (for tables).
pub fn sorted_batches(settings: &Settings) -> Vec<usize> {
    settings
        .batch_sizes
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The scratch directory under `base` (or the system temporary directory).
pub fn scratch_dir(base: Option<&PathBuf>) -> Result<tempfile::TempDir> {
    Ok(match base {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            tempfile::tempdir_in(dir)?
        }
        None => tempfile::tempdir()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            records: 1000,
            single_core_records: 1000,
            batch_sizes: vec![1024, 4096],
            reference_batch: 4096,
            row_group_size: 500,
            repetitions: 1,
            seed: 1,
            cores: 2,
        }
    }

    #[test]
    fn grid_covers_writers_times_batches() {
        let grid = grid_configs(&settings());
        assert_eq!(grid.len(), 4);
        assert!(grid.iter().all(|c| c.producers == 2
            && c.encoder == Encoder::Dremel
            && c.pipeline == Pipeline::Shredkit));
    }

    #[test]
    fn split_goes_to_twice_the_cores_of_producers() {
        let split = split_configs(&settings());
        assert_eq!(split.len(), 8);
        assert_eq!(split.last().unwrap().split(), "4:2");
        assert!(split.iter().all(|c| c.batch_size == 4096));
        let study = study_split_configs(&settings());
        assert_eq!(study.len(), 4);
        assert!(
            study
                .iter()
                .all(|c| c.writers == 1 && c.encoder == Encoder::Arrow)
        );
    }

    #[test]
    fn the_baseline_is_the_study_pipeline_on_every_core() {
        let b = baseline_config(&settings());
        assert_eq!(b.label(), "study arrow 2:1");
        assert!(study_split_configs(&settings()).contains(&b));
    }
}
