//! The `shred-gen` command line: flags (clap derive), their resolution into a plan and a
//! pipeline configuration, the generate command itself (dry run, progress bar, summary,
//! verification), and [`run`], which parses a command line and runs it against a writer
//! (as `shred::cli::run` and `shred_inspect::run` do).
//!
//! The writer flags (`--compression`, `--data-page-v2`, `--dictionary`, page limits,
//! `--encoding`, `--bloom-filter`) are `shred write`'s ([`shred::writer_settings`]); tables
//! are printed in the style every tool shares ([`shred::cli::table`]).
//!
//! Counts accept `_` separators and `k`/`M`/`G` suffixes (`--target-records 10M`). Defaults
//! derived from the machine: `--num-producers` = the cores available, `--num-writers` = one
//! file per 8 cores (at least 1); the records never depend on either, only the file split
//! depends on `--num-writers`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use shred::cli::ArgsErrors;
use shred::cli::progress::progress_bar;
use shred::cli::table::{render, render_rows};
use shred::codec::codec_name;
use shred::quantity::{parse_count, parse_count_usize};
use shred::usage;
use shred::writer_settings::WriterSettings;

use crate::Distribution;
use crate::baseline::run_study_pipeline;
use crate::bench::{BenchArgs, bench};
use crate::dataset::Dataset;
use crate::encoder::{EncoderKind, FileFormat};
use crate::error::{GenError, Result};
use crate::generator::{DEFAULT_SEED, Generator};
use crate::pipeline::{self, PipelineConfig};
use crate::plan::{Layout, Plan};
use crate::preset::Preset;
use crate::profile::{Profile, ProfileOptions};
use crate::schema_generator::SchemaGenerator;
use crate::spec::Spec;
use crate::summary::{RunSettings, Summary, group_digits};
use crate::verify::verify_dataset;

/// Generate the Contact dataset, or records of any schema, as Parquet: fast, parallel,
/// deterministic.
#[derive(Debug, Parser)]
#[command(name = "shred-gen", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A subcommand; without one, generate the dataset.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of the generate command.
    #[command(flatten)]
    pub generate: GenerateArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reproduce the study's two tables: single-core ns/record by batch size, and
    /// throughput by writers × batch size, with the study's pipeline as baseline.
    Bench(BenchArgs),
}

fn parse_part(text: &str) -> std::result::Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a part number (0, 1, …)"))
}

fn parse_rate(text: &str) -> std::result::Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{rate} is not a probability in [0, 1]"));
    }
    Ok(rate)
}

fn parse_key_value(text: &str) -> std::result::Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("{text:?} is not KEY=VALUE (e.g. name_null=0.1)"))
}

/// Flags of the generate command.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Records in the whole dataset (all parts together); with --profile too, whatever the
    /// profiled file's count.
    #[arg(long, default_value = "10000000", value_parser = parse_count, value_name = "N")]
    pub target_records: u64,
    /// Records generated and encoded at a time.
    #[arg(long, default_value = "4096", value_parser = parse_count_usize, value_name = "N")]
    pub record_batch_size: usize,
    /// Output files per part (default: one per 8 cores, at least 1).
    #[arg(long, value_parser = parse_count, value_name = "N")]
    pub num_writers: Option<u64>,
    /// Threads that generate and encode (default: the cores available).
    #[arg(long, value_parser = parse_count_usize, value_name = "N")]
    pub num_producers: Option<usize>,
    /// Directory of the output files (created if missing).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub output_dir: PathBuf,
    /// File name stem: `NAME.parquet`, or `NAME-00000-of-00004.parquet` for several files
    /// (default: `contacts`, the preset's name, or the --schema file's stem).
    #[arg(long, value_name = "NAME")]
    pub output_filename: Option<String>,
    /// Print the resolved configuration and the planned files; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Seed: the records are a pure function of (seed, record index, distribution).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Compression, pages, dictionary, encodings and bloom filters (`shred write`'s flags).
    #[command(flatten)]
    pub writer: WriterSettings,
    /// Records per row group.
    #[arg(long, default_value_t = shred::DEFAULT_ROW_GROUP_SIZE as u64, value_parser = parse_count, value_name = "N")]
    pub row_group_size: u64,
    /// Write path: arrow (Arrow builders → ArrowColumnWriter), dremel (typed Dremel
    /// shredder → stripes → parquet column writers) or direct (the same stripes → shred's
    /// hand-written chunk encoder; byte-identical files to dremel, less CPU).
    #[arg(long, value_enum, default_value_t = EncoderKind::Direct)]
    pub encoder: EncoderKind,
    /// Write only part K (0-based) of the dataset split into --parts N.
    #[arg(long, value_parser = parse_part, value_name = "K", requires = "parts")]
    pub part: Option<u64>,
    /// Number of parts the dataset is split into (for N machines or jobs).
    #[arg(long, value_parser = parse_count, value_name = "N")]
    pub parts: Option<u64>,
    /// Read every file back and check records and levels against the seed.
    #[arg(long)]
    pub verify: bool,
    /// Print the summary (or the dry-run plan) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Set one rate of the distribution, e.g. `--rate name_null=0.1` (repeatable; keys:
    /// name_null, phones_null, phones_empty, phones_one, phones_two, phones_many, many_min,
    /// many_max, item_null, both_present, number_only, type_only, neither_present, mobile,
    /// work, home).
    #[arg(long = "rate", value_parser = parse_key_value, value_name = "KEY=VALUE")]
    pub rates: Vec<(String, String)>,
    /// Turn this share of all records from null phone lists into empty lists.
    #[arg(long, value_parser = parse_rate, value_name = "RATE")]
    pub empty_lists: Option<f64>,
    /// Make each phone list item null with this probability.
    #[arg(long, value_parser = parse_rate, value_name = "RATE")]
    pub null_items: Option<f64>,
    /// Shorthand for 5% empty lists and 2% null items: all five definition states occur.
    #[arg(long)]
    pub all_def_states: bool,
    /// Never show the progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Generate records of any schema: the Parquet message type in FILE (the text `shred`
    /// takes), drawn as --spec says.
    #[arg(long, value_name = "FILE", conflicts_with = "preset")]
    pub schema: Option<PathBuf>,
    /// The distribution spec of --schema (TOML keyed by field path; gen/README.md, "Any
    /// schema"); without it every node gets the defaults.
    #[arg(long, value_name = "FILE", requires = "schema")]
    pub spec: Option<PathBuf>,
    /// A shipped dataset: contact (the default), document, tpch or events.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Generate a look-alike of FILE.parquet: its schema, with a spec learned from its
    /// levels and value ranges (no value of the file is kept); --target-records records
    /// (default 10M, not the file's count: pass that for a same-size clone).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["preset", "schema"])]
    pub profile: Option<PathBuf>,
    /// Write the spec --profile learned to FILE (TOML), to edit and pass to --spec.
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub emit_spec: Option<PathBuf>,
    /// With --profile: keep the file's frequent strings in the learned spec instead of
    /// synthetic tokens of the same lengths.
    #[arg(long, requires = "profile")]
    pub keep_values: bool,
    /// Write with the study's pipeline instead (Arrow batches → one `ArrowWriter` thread);
    /// the bench command's baseline. One file only.
    #[arg(long, hide = true)]
    pub study_pipeline: bool,
}

/// A schema-driven dataset resolved from `--schema`/`--spec` or `--preset`.
#[derive(Debug, Clone)]
pub struct SchemaDataset {
    /// The compiled schema and spec.
    pub generator: SchemaGenerator,
    /// Where the schema and spec come from, for the summary (`preset tpch`, `s.schema with
    /// s.toml`).
    pub about: String,
    /// The default output file name: the preset's name, the schema file's stem, or the
    /// profiled file's stem and `-lookalike`.
    pub stem: String,
}

/// Everything a generate run needs, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Settings echoed in reports.
    pub settings: RunSettings,
    /// Files to write.
    pub plan: Plan,
    /// The Contact generator (the seed's, also for a schema-driven run).
    pub generator: Generator,
    /// The schema-driven generator, for `--schema` and the schema-driven presets.
    pub schema: Option<SchemaGenerator>,
    /// Pipeline configuration.
    pub pipeline: PipelineConfig,
}

/// The default `--num-writers` for `cores` cores.
pub fn default_writers(cores: usize) -> u64 {
    (cores as u64).div_ceil(8).max(1)
}

impl GenerateArgs {
    /// The distribution the flags describe.
    pub fn distribution(&self) -> Result<Distribution> {
        let mut d = if self.all_def_states {
            Distribution::all_def_states()
        } else {
            Distribution::default()
        };
        if let Some(rate) = self.empty_lists {
            if rate > d.phones_null + d.phones_empty {
                return Err(GenError::Usage(format!(
                    "--empty-lists {rate} exceeds the share of records without phones ({})",
                    d.phones_null + d.phones_empty
                )));
            }
            // The rate is the share of all records: move it from null to empty lists.
            d.phones_null += d.phones_empty;
            d.phones_empty = 0.0;
            d = d.with_empty_lists(rate);
        }
        if let Some(rate) = self.null_items {
            d = d.with_null_items(rate);
        }
        for (key, value) in &self.rates {
            d.set_unchecked(key, value)?;
        }
        d.validate()?;
        Ok(d)
    }

    /// The schema-driven dataset the flags ask for; `None` for Contact.
    pub fn schema_dataset(&self) -> Result<Option<SchemaDataset>> {
        let (schema, spec, about, stem, file_metadata) = match (&self.schema, &self.preset) {
            (None, None) if self.profile.is_some() => {
                let path = self.profile.as_deref().expect("checked");
                let options = ProfileOptions {
                    keep_values: self.keep_values,
                };
                let profile = Profile::of_file(path, options)?;
                if let Some(out) = &self.emit_spec {
                    std::fs::write(out, &profile.spec_text).map_err(|source| GenError::Io {
                        path: out.clone(),
                        source,
                    })?;
                }
                let spec = Spec::parse(
                    &format!("the spec learned from {}", path.display()),
                    &profile.spec_text,
                )?;
                let stem = path
                    .file_stem()
                    .map(|s| format!("{}-lookalike", s.to_string_lossy()))
                    .unwrap_or_else(|| "lookalike".into());
                (
                    profile.schema,
                    spec,
                    format!("profile of {}", path.display()),
                    stem,
                    profile.file_metadata,
                )
            }
            (Some(path), _) => {
                let schema = shred::Schema::from_file(path)
                    .map_err(|e| GenError::Usage(format!("--schema: {e}")))?;
                let spec = match &self.spec {
                    Some(spec) => Spec::from_file(spec)?,
                    None => Spec::parse("the default spec", "")?,
                };
                let about = match &self.spec {
                    Some(spec) => format!("{} with {}", path.display(), spec.display()),
                    None => format!("{} with the default spec", path.display()),
                };
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "records".into());
                (schema, spec, about, stem, Vec::new())
            }
            (None, Some(name)) => {
                let preset = Preset::find(name).map_err(GenError::Usage)?;
                let (Some(schema), Some(spec)) = (preset.schema, preset.spec) else {
                    return Ok(None);
                };
                let schema = shred::Schema::parse(schema)
                    .map_err(|e| GenError::Failed(format!("preset {name}: {e}")))?;
                let spec = Spec::parse(&format!("preset {name}"), spec)?;
                let about = format!("preset {name}");
                (schema, spec, about, name.clone(), Vec::new())
            }
            (None, None) => return Ok(None),
        };
        let contact_only = [
            (!self.rates.is_empty(), "--rate"),
            (self.empty_lists.is_some(), "--empty-lists"),
            (self.null_items.is_some(), "--null-items"),
            (self.all_def_states, "--all-def-states"),
            (self.study_pipeline, "--study-pipeline"),
        ];
        if let Some((_, flag)) = contact_only.iter().find(|(set, _)| *set) {
            return Err(GenError::Usage(format!(
                "{flag} sets the Contact dataset's distribution; a schema-driven dataset takes a --spec"
            )));
        }
        Ok(Some(SchemaDataset {
            generator: SchemaGenerator::new(self.seed, schema, &spec)?
                .with_file_metadata(file_metadata),
            about,
            stem,
        }))
    }

    /// The file format the writer settings give the dataset: a usage error when one does
    /// not fit its schema, or when the study's pipeline, which takes only the codec, would
    /// ignore it.
    fn writer_format(&self, schema: Option<&SchemaDataset>) -> Result<FileFormat> {
        if self.study_pipeline
            && let Some(flag) = self.writer.flag_beyond_compression()
        {
            return Err(GenError::Usage(format!(
                "--study-pipeline writes with the study's writer properties: {flag} does not apply"
            )));
        }
        let row_group_size = usize::try_from(self.row_group_size).unwrap_or(usize::MAX);
        match schema {
            Some(dataset) => FileFormat::for_schema(
                dataset.generator.schema(),
                dataset.generator.file_metadata(),
                &self.writer,
                row_group_size,
            ),
            None => FileFormat::contact(&self.writer, row_group_size),
        }
        .map_err(|e| GenError::Usage(e.to_string()))
    }

    /// Resolves defaults, the distribution and the plan.
    pub fn resolve(&self) -> Result<Resolved> {
        let cores = usage::cores();
        let writers = self.num_writers.unwrap_or_else(|| default_writers(cores));
        let producers = self.num_producers.unwrap_or(cores);
        let parts = self.parts.unwrap_or(1);
        let part = self.part.unwrap_or(0);
        let schema = self.schema_dataset()?;
        let distribution = self.distribution()?;
        let generator = Generator::try_new(self.seed, distribution)?;
        let output_filename = match (&self.output_filename, &schema) {
            (Some(name), _) => name.clone(),
            (None, Some(dataset)) => dataset.stem.clone(),
            (None, None) => "contacts".to_string(),
        };
        let layout = Layout {
            target_records: self.target_records,
            parts,
            part,
            writers,
            row_group_size: self.row_group_size,
        };
        let plan = Plan::new(&layout, &self.output_dir, &output_filename)?;
        let format = self.writer_format(schema.as_ref())?;
        let settings = RunSettings {
            seed: self.seed,
            target_records: self.target_records,
            part,
            parts,
            num_writers: writers,
            num_producers: producers,
            record_batch_size: self.record_batch_size,
            row_group_size: self.row_group_size,
            compression: codec_name(self.writer.compression),
            encoder: if self.study_pipeline {
                "study pipeline".into()
            } else if schema.is_some() {
                "shred row groups".into()
            } else if self.encoder == EncoderKind::Direct && !format.direct_covers() {
                "dremel (direct does not cover these writer settings)".into()
            } else {
                self.encoder.to_string()
            },
            distribution: schema.is_none().then_some(distribution),
            dataset: schema.as_ref().map(|dataset| dataset.about.clone()),
        };
        let pipeline = PipelineConfig {
            record_batch_size: self.record_batch_size,
            producers,
            writer: self.writer.clone(),
            encoder: self.encoder,
            row_group_size: self.row_group_size,
        };
        Ok(Resolved {
            settings,
            plan,
            generator,
            schema: schema.map(|dataset| dataset.generator),
            pipeline,
        })
    }
}

impl Resolved {
    /// The records the run writes.
    pub fn dataset(&self) -> Dataset<'_> {
        match &self.schema {
            Some(generator) => Dataset::Schema(generator),
            None => Dataset::Contact(&self.generator),
        }
    }
}

fn dry_run_text(resolved: &Resolved) -> String {
    let s = &resolved.settings;
    let mut config: Vec<[String; 2]> = [
        ("seed", s.seed.to_string()),
        ("target records", group_digits(s.target_records)),
        ("part", format!("{} of {}", s.part, s.parts)),
        (
            "records of this part",
            format!(
                "{}..{}",
                resolved.plan.records.start, resolved.plan.records.end
            ),
        ),
        ("writers (files)", s.num_writers.to_string()),
        ("producers (threads)", s.num_producers.to_string()),
        ("record batch size", s.record_batch_size.to_string()),
        ("row group size", s.row_group_size.to_string()),
        ("compression", s.compression.clone()),
        ("encoder", s.encoder.clone()),
    ]
    .map(|(key, value)| [key.to_string(), value])
    .into();
    if let Some(dataset) = &s.dataset {
        config.insert(1, ["dataset".into(), dataset.clone()]);
    }
    let files: Vec<Vec<String>> = resolved
        .plan
        .files
        .iter()
        .map(|file| {
            vec![
                file.path.display().to_string(),
                format!("{}..{}", file.records.start, file.records.end),
                file.row_group_count().to_string(),
            ]
        })
        .collect();
    format!(
        "{}\n{}\n(dry run: nothing written)\n",
        render_rows(&config),
        render(&["file", "records", "row groups"], &files)
    )
}

/// Parses a command line (program name first) and runs it, writing to `out` what the
/// command prints on stdout (bench progress goes to stderr).
///
/// Process-wide setup is the binary's: the Ctrl-C handler ([`crate::interrupt::install`])
/// and the allocator setting of [`crate::usage::return_large_buffers_to_os`]. `bench`
/// measures its pipeline runs in child processes of the running executable, so it runs
/// from the `shred-gen` binary only.
pub fn run<I, T>(args: I, out: &mut dyn Write) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let errors = ArgsErrors {
        usage: GenError::Usage,
        output: output_error,
    };
    shred::cli::run_with(args, out, errors, run_cli)
}

/// Runs a parsed command line, writing to `out`.
pub fn run_cli(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    let text = match &cli.command {
        None => generate(&cli.generate)?,
        Some(Command::Bench(args)) => {
            let report = bench(args, &mut |line| eprintln!("{line}"))?;
            if args.json {
                format!("{}\n", serde_json::to_string_pretty(&report).expect("JSON"))
            } else {
                report.tables(args)
            }
        }
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(output_error)
}

/// A failure to write the command's output.
fn output_error(source: std::io::Error) -> GenError {
    GenError::Io {
        path: "standard output".into(),
        source,
    }
}

/// True when the error is the output closing early (`shred-gen --dry-run | head`): not a
/// failure of the work.
pub fn is_broken_pipe(error: &GenError) -> bool {
    matches!(error, GenError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Runs the generate command; returns what to print on stdout.
pub fn generate(args: &GenerateArgs) -> Result<String> {
    let resolved = args.resolve()?;
    if args.dry_run {
        return Ok(if args.json {
            let value = serde_json::json!({
                "settings": resolved.settings,
                "records": resolved.plan.records,
                "files": resolved.plan.files.iter().map(|f| serde_json::json!({
                    "path": f.path,
                    "records": f.records,
                    "row_groups": f.row_group_count(),
                })).collect::<Vec<_>>(),
                "dry_run": true,
            });
            format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON"))
        } else {
            dry_run_text(&resolved)
        });
    }
    if args.study_pipeline && resolved.plan.files.len() != 1 {
        return Err(GenError::Usage(
            "--study-pipeline writes one file: use --num-writers 1 without --parts".into(),
        ));
    }
    let bar = progress_bar(resolved.plan.len(), "records", args.quiet);
    usage::reset_peak_rss();
    let cpu_before = usage::cpu_time();
    let started = Instant::now();
    let files = if args.study_pipeline {
        let file = &resolved.plan.files[0];
        std::fs::create_dir_all(&args.output_dir).map_err(|source| GenError::Io {
            path: args.output_dir.clone(),
            source,
        })?;
        run_study_pipeline(
            &file.path,
            &resolved.generator,
            file.len(),
            args.record_batch_size,
            resolved.pipeline.producers,
            args.writer.compression,
        )
        .map(|written| vec![written])
    } else {
        pipeline::run_dataset(
            &resolved.pipeline,
            &resolved.plan,
            resolved.dataset(),
            &|n| bar.inc(n),
        )
    };
    let elapsed = started.elapsed();
    let cpu = usage::cpu_time().saturating_sub(cpu_before);
    bar.finish_and_clear();
    let files = files?;
    let mut summary = Summary::new(
        resolved.settings.clone(),
        files,
        elapsed,
        cpu,
        usage::cores(),
        usage::peak_rss(),
    );
    if args.verify {
        let started = Instant::now();
        let cpu_before = usage::cpu_time();
        let bar = progress_bar(resolved.plan.len(), "records verified", args.quiet);
        let verified = verify_dataset(
            &resolved.plan.files,
            resolved.dataset(),
            args.record_batch_size,
            resolved.pipeline.producers,
            &|n| bar.inc(n),
        );
        bar.finish_and_clear();
        summary.verified = Some(verified?);
        summary.verify_s = Some(started.elapsed().as_secs_f64());
        summary.verify_cpu_s = Some(usage::cpu_time().saturating_sub(cpu_before).as_secs_f64());
    }
    Ok(if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&summary).expect("JSON")
        )
    } else {
        format!("{}\n", summary.table())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> std::result::Result<Cli, clap::Error> {
        Cli::try_parse_from(["shred-gen"].iter().chain(extra))
    }

    #[test]
    fn defaults() {
        let cli = args(&[]).unwrap();
        let g = &cli.generate;
        assert_eq!(g.target_records, 10_000_000);
        assert_eq!(g.record_batch_size, 4096);
        assert_eq!(g.output_filename, None);
        assert_eq!(g.writer, shred::writer_settings::WriterSettings::default());
        assert_eq!(g.seed, DEFAULT_SEED);
        assert_eq!(default_writers(2), 1);
        assert_eq!(default_writers(16), 2);
    }

    #[test]
    fn bench_defaults_are_the_studys_grid() {
        let cli = args(&["bench"]).unwrap();
        let Some(Command::Bench(bench)) = cli.command else {
            panic!("bench subcommand expected")
        };
        assert_eq!(bench.writers, vec![1, 2, 4]);
        assert_eq!(bench.batch_sizes, vec![1024, 2048, 4096, 8192]);
        assert_eq!(bench.records, 10_000_000);
    }

    #[test]
    fn zero_writers_is_rejected_by_clap() {
        let err = args(&["--num-writers", "0"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--num-writers"), "{err}");
        assert!(err.to_string().contains("must be at least 1"), "{err}");
    }

    #[test]
    fn part_requires_parts() {
        assert!(args(&["--part", "1"]).is_err());
        let cli = args(&["--part", "1", "--parts", "3"]).unwrap();
        assert_eq!((cli.generate.part, cli.generate.parts), (Some(1), Some(3)));
    }

    #[test]
    fn empty_lists_are_a_share_of_all_records() {
        let cli = args(&["--empty-lists", "0.1", "--null-items", "0.02"]).unwrap();
        let d = cli.generate.distribution().unwrap();
        assert!((d.phones_empty - 0.1).abs() < 1e-12);
        assert!((d.phones_null - 0.3).abs() < 1e-12);
        assert_eq!(d.item_null, 0.02);
        let cli = args(&["--empty-lists", "0.5"]).unwrap();
        assert_eq!(cli.generate.distribution().unwrap_err().exit_code(), 2);
    }

    #[test]
    fn rates_are_applied_then_validated() {
        let cli = args(&["--rate", "mobile=0.6", "--rate", "work=0.3"]).unwrap();
        let d = cli.generate.distribution().unwrap();
        assert_eq!((d.mobile, d.work), (0.6, 0.3));
        let cli = args(&["--rate", "mobile=0.6"]).unwrap();
        let err = cli.generate.distribution().unwrap_err();
        assert!(
            err.to_string()
                .contains("mobile + work + home must sum to 1"),
            "{err}"
        );
    }

    #[test]
    fn dry_run_lists_the_planned_files() {
        let cli = args(&[
            "--dry-run",
            "--target-records",
            "1000",
            "--num-writers",
            "2",
            "--output-dir",
            "/x",
        ])
        .unwrap();
        let out = generate(&cli.generate).unwrap();
        assert!(out.starts_with("┌"), "the shared table style: {out}");
        assert!(out.contains("/x/contacts-00000-of-00002.parquet"), "{out}");
        assert!(out.contains("500..1000"), "{out}");
        assert!(out.contains("nothing written"), "{out}");
        assert!(!std::path::Path::new("/x").exists());
    }
}
