//! Single-core cost of each stage of the pipeline, per record, measured in-process.
//!
//! The study splits a record's cost into generating it (~140 ns on one core) and writing
//! it (~130 ns). Here one thread runs passes over the same records with `shred-gen`'s
//! library, and each stage's cost is the difference of two passes that differ by that
//! stage only:
//!
//! | pass | what it does |
//! |---|---|
//! | `generate` | `Generator::fill`: records as `Contact` values, batch by batch (what the study's producers do first) |
//! | `build` | … then the Arrow builders (`ContactArrays::build`) or the typed Dremel shredder (`ContactStripes::shred`) |
//! | `fused` | records drawn straight into the Arrow builders (`generate_batch`) or the stripes (`Generator::fill_stripes`): how `shred-gen`'s encoders generate, with no `Contact` in between |
//! | `encode` | `fused`, then a whole Parquet file (`RowGroupEncoder`: uncompressed, dictionary and statistics on) into a sink that counts and drops the bytes |
//! | `snappy` / `zstd` | the same file compressed |
//! | `file` | the uncompressed file written to disk (into the page cache): the whole single-core job as `shred-gen` runs it |
//!
//! The study's *write* is everything after generation: build from the generated records
//! (`build − generate`) plus encode and write the file (`file − fused`). Times are the
//! thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`), which other processes on a shared
//! machine cannot inflate, except `fsync`, which waits for the disk and is wall time. The
//! passes of one repetition run back to back in a fixed order and every number is the
//! median over the repetitions.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use parquet::basic::{Compression, ZstdLevel};
use serde::Serialize;
use shred::contact::ContactStripes;
use shred::contact_arrow::ContactArrays;
use shred_gen::Generator;
use shred_gen::arrow_contacts::generate_batch;
use shred_gen::encoder::{EncoderKind, FileFormat, RowGroupEncoder};
use shred_gen::plan::split;

use crate::stats::Summary;

/// One pass over the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Pass {
    /// Generate `Contact` values only.
    Generate,
    /// Generate contacts, then build Arrow arrays (arrow) or shred them (dremel).
    Build(Encoder),
    /// Generate straight into Arrow builders (arrow) or stripes (dremel).
    Fused(Encoder),
    /// Generate and encode a whole file with `encoder` and `codec`, in memory or on disk.
    Encode {
        /// The write path.
        encoder: Encoder,
        /// The compression codec.
        codec: Codec,
        /// Where the file goes.
        sink: Sink,
    },
}

/// The two write paths (a serializable mirror of [`EncoderKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoder {
    /// Arrow builders → arrow-rs's column writers.
    Arrow,
    /// Typed Dremel shredder → the `parquet` crate's column writers.
    Dremel,
}

impl Encoder {
    /// Both, arrow first (the study's path).
    pub const ALL: [Encoder; 2] = [Encoder::Arrow, Encoder::Dremel];

    /// The `shred-gen` encoder.
    pub fn kind(self) -> EncoderKind {
        match self {
            Encoder::Arrow => EncoderKind::Arrow,
            Encoder::Dremel => EncoderKind::Dremel,
        }
    }

    /// The `--encoder` value.
    pub fn name(self) -> &'static str {
        match self {
            Encoder::Arrow => "arrow",
            Encoder::Dremel => "dremel",
        }
    }
}

/// Compression codecs measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Codec {
    /// Uncompressed (the study's setting).
    None,
    /// Snappy.
    Snappy,
    /// Zstandard level 1.
    Zstd1,
}

impl Codec {
    fn compression(self) -> Compression {
        match self {
            Codec::None => Compression::UNCOMPRESSED,
            Codec::Snappy => Compression::SNAPPY,
            Codec::Zstd1 => Compression::ZSTD(ZstdLevel::try_new(1).expect("level 1 is valid")),
        }
    }
}

/// Where an encoded file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sink {
    /// Nowhere: a writer that counts the bytes and drops them ([`Discard`]).
    Memory,
    /// A file in the scratch directory (page cache; `fsync` timed separately).
    File,
}

/// The settings of the single-core measurements.
#[derive(Debug, Clone)]
pub struct StageConfig {
    /// Records per pass.
    pub records: u64,
    /// Records per row group.
    pub row_group_size: usize,
    /// Repetitions of every pass.
    pub repetitions: usize,
}

/// One pass's measurements.
#[derive(Debug, Clone, Serialize)]
pub struct PassResult {
    /// The pass.
    pub pass: Pass,
    /// Records per batch.
    pub batch_size: usize,
    /// Thread CPU ns per record, one per repetition.
    pub cpu_ns_per_record: Vec<f64>,
    /// Wall ns per record, one per repetition.
    pub wall_ns_per_record: Vec<f64>,
    /// `fsync` wall ns per record (file passes only).
    pub fsync_ns_per_record: Vec<f64>,
    /// Bytes produced (encode passes).
    pub bytes: u64,
}

impl PassResult {
    /// Median thread CPU ns per record.
    pub fn cpu(&self) -> f64 {
        Summary::of(&self.cpu_ns_per_record).map_or(f64::NAN, |s| s.median)
    }

    /// Median `fsync` ns per record.
    pub fn fsync(&self) -> f64 {
        Summary::of(&self.fsync_ns_per_record).map_or(f64::NAN, |s| s.median)
    }
}

/// All passes at one batch size.
#[derive(Debug, Clone, Serialize)]
pub struct BatchResults {
    /// Records per batch.
    pub batch_size: usize,
    /// Every pass run at this batch size.
    pub passes: Vec<PassResult>,
}

impl BatchResults {
    /// The median CPU ns per record of `pass` (NaN when it was not run).
    pub fn cpu(&self, pass: Pass) -> f64 {
        self.get(pass).map_or(f64::NAN, PassResult::cpu)
    }

    /// The result of `pass`.
    pub fn get(&self, pass: Pass) -> Option<&PassResult> {
        self.passes.iter().find(|p| p.pass == pass)
    }

    /// The study's *write*: build from the generated records, encode, write the file
    /// (`build − generate` + `file − fused`).
    pub fn write(&self, encoder: Encoder) -> f64 {
        self.cpu(Pass::Build(encoder)) - self.cpu(Pass::Generate) + self.cpu(file_pass(encoder))
            - self.cpu(Pass::Fused(encoder))
    }
}

/// One encoder's single-core cost per record, stage by stage (thread CPU ns, except
/// `fsync`, which is wall time).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Breakdown {
    /// Generating the records as `Contact` values.
    pub generate: f64,
    /// Arrow builders (arrow) or the typed shredder (dremel), from the generated records.
    pub build: f64,
    /// Generating straight into the builders or stripes (`shred-gen`'s way), in place of
    /// `generate` + `build`.
    pub fused: f64,
    /// Levels, dictionary, statistics and pages, uncompressed, into a discarding sink.
    pub encode: f64,
    /// Writing the bytes to a file in the page cache.
    pub io: f64,
    /// generate + build + encode + I/O: the study's way, records first.
    pub total_records_first: f64,
    /// fused + encode + I/O: the whole job as `shred-gen` runs it (the file pass).
    pub total: f64,
    /// What snappy compression adds.
    pub snappy: f64,
    /// What zstd level 1 adds.
    pub zstd: f64,
    /// `fsync` of the file (wall).
    pub fsync: f64,
}

/// One row of a breakdown table: a stage's name and its cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCost {
    /// The stage.
    pub stage: &'static str,
    /// ns per record.
    pub ns: f64,
}

impl Breakdown {
    /// The stages in table order, then the extras that are not part of the study's settings.
    pub fn rows(&self) -> [StageCost; 10] {
        let row = |stage, ns| StageCost { stage, ns };
        [
            row("generate records", self.generate),
            row("build arrow arrays / shred into stripes", self.build),
            row("encode (uncompressed)", self.encode),
            row("I/O (write to page cache)", self.io),
            row(
                "total, records first (the study's way)",
                self.total_records_first,
            ),
            row("generate straight into arrays / stripes", self.fused),
            row("total, as shred-gen runs it", self.total),
            row("+ snappy compression", self.snappy),
            row("+ zstd(1) compression", self.zstd),
            row("+ fsync (wall)", self.fsync),
        ]
    }
}

impl BatchResults {
    /// The stage-by-stage cost of `encoder` (NaN for passes that were not run).
    pub fn breakdown(&self, encoder: Encoder) -> Breakdown {
        let generate = self.cpu(Pass::Generate);
        let build = self.cpu(Pass::Build(encoder)) - generate;
        let fused = self.cpu(Pass::Fused(encoder));
        let encoded = self.cpu(memory_pass(encoder, Codec::None));
        let total = self.cpu(file_pass(encoder));
        let (encode, io) = (encoded - fused, total - encoded);
        Breakdown {
            generate,
            build,
            fused,
            encode,
            io,
            total_records_first: generate + build + encode + io,
            total,
            snappy: self.cpu(memory_pass(encoder, Codec::Snappy)) - encoded,
            zstd: self.cpu(memory_pass(encoder, Codec::Zstd1)) - encoded,
            fsync: self
                .get(file_pass(encoder))
                .map_or(f64::NAN, PassResult::fsync),
        }
    }
}

/// The uncompressed file pass of `encoder`.
pub fn file_pass(encoder: Encoder) -> Pass {
    Pass::Encode {
        encoder,
        codec: Codec::None,
        sink: Sink::File,
    }
}

/// The in-memory pass of `encoder` with `codec`.
pub fn memory_pass(encoder: Encoder, codec: Codec) -> Pass {
    Pass::Encode {
        encoder,
        codec,
        sink: Sink::Memory,
    }
}

/// The passes needed for the per-batch-size table (`full`: also every breakdown pass).
pub fn passes(full: bool) -> Vec<Pass> {
    let mut passes = vec![Pass::Generate];
    for encoder in Encoder::ALL {
        passes.extend([Pass::Build(encoder), Pass::Fused(encoder)]);
        if full {
            for codec in [Codec::None, Codec::Snappy, Codec::Zstd1] {
                passes.push(memory_pass(encoder, codec));
            }
        }
        passes.push(file_pass(encoder));
    }
    passes
}

/// Runs `passes` at `batch_size`, `config.repetitions` times each, interleaved.
pub fn measure(
    generator: &Generator,
    config: &StageConfig,
    batch_size: usize,
    passes: &[Pass],
    scratch: &Path,
) -> Result<BatchResults> {
    let mut results: Vec<PassResult> = passes
        .iter()
        .map(|&pass| PassResult {
            pass,
            batch_size,
            cpu_ns_per_record: Vec::new(),
            wall_ns_per_record: Vec::new(),
            fsync_ns_per_record: Vec::new(),
            bytes: 0,
        })
        .collect();
    let n = config.records.max(1) as f64;
    for _ in 0..config.repetitions {
        for result in &mut results {
            let timing = run_pass(generator, config, batch_size, result.pass, scratch)?;
            result.cpu_ns_per_record.push(timing.cpu_ns / n);
            result.wall_ns_per_record.push(timing.wall_ns / n);
            if let Some(fsync) = timing.fsync_ns {
                result.fsync_ns_per_record.push(fsync / n);
            }
            result.bytes = timing.bytes;
        }
    }
    Ok(BatchResults {
        batch_size,
        passes: results,
    })
}

/// A sink that counts the bytes written to it and keeps none (no allocation, no copy).
#[derive(Debug, Default)]
pub struct Discard {
    /// Bytes written so far.
    pub bytes: u64,
}

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Timing {
    cpu_ns: f64,
    wall_ns: f64,
    fsync_ns: Option<f64>,
    bytes: u64,
}

/// CPU time of the calling thread, in nanoseconds.
fn thread_cpu_ns() -> f64 {
    shred::usage::thread_cpu_time().as_nanos() as f64
}

fn run_pass(
    generator: &Generator,
    config: &StageConfig,
    batch_size: usize,
    pass: Pass,
    scratch: &Path,
) -> Result<Timing> {
    let records = config.records;
    let batch_size = batch_size.max(1);
    let mut batch = Vec::new();
    let (cpu0, wall0) = (thread_cpu_ns(), Instant::now());
    let mut bytes = 0;
    let mut fsync_ns = None;
    match pass {
        Pass::Generate => {
            for range in split(0..records, batch_size as u64) {
                let (start, count) = (range.start, (range.end - range.start) as usize);
                generator.fill(start, count, &mut batch);
                std::hint::black_box(&batch);
            }
        }
        Pass::Build(Encoder::Dremel) => {
            let mut stripes = ContactStripes::default();
            for range in split(0..records, batch_size as u64) {
                let (start, count) = (range.start, (range.end - range.start) as usize);
                generator.fill(start, count, &mut batch);
                stripes.shred(&batch);
                std::hint::black_box(&stripes);
            }
        }
        Pass::Build(Encoder::Arrow) => {
            let mut arrays = ContactArrays::default();
            for range in split(0..records, batch_size as u64) {
                let (start, count) = (range.start, (range.end - range.start) as usize);
                generator.fill(start, count, &mut batch);
                std::hint::black_box(arrays.build(&batch));
            }
        }
        Pass::Fused(Encoder::Dremel) => {
            let mut stripes = ContactStripes::default();
            for range in split(0..records, batch_size as u64) {
                let (start, count) = (range.start, (range.end - range.start) as usize);
                generator.fill_stripes(start, count, &mut stripes);
                std::hint::black_box(&stripes);
            }
        }
        Pass::Fused(Encoder::Arrow) => {
            let mut arrays = ContactArrays::default();
            for range in split(0..records, batch_size as u64) {
                let (start, count) = (range.start, (range.end - range.start) as usize);
                std::hint::black_box(generate_batch(&mut arrays, generator, start, count));
            }
        }
        Pass::Encode {
            encoder,
            codec,
            sink,
        } => {
            let format = Arc::new(FileFormat::new(codec.compression(), config.row_group_size));
            let encoder = RowGroupEncoder::new(encoder.kind(), Arc::clone(&format));
            let mut worker = encoder.worker();
            let rg = config.row_group_size as u64;
            match sink {
                Sink::Memory => {
                    let mut writer = format.open(Discard::default())?;
                    for rows in split(0..records, rg) {
                        let encoded = worker.encode(generator, rows, batch_size, |_| {})?;
                        worker.recycle(encoded.append_to(&mut writer)?);
                    }
                    bytes = writer.into_inner()?.bytes;
                }
                Sink::File => {
                    let path = scratch.join("single-core.parquet");
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("{}: cannot create", path.display()))?;
                    let mut writer = format.open(BufWriter::with_capacity(1 << 20, file))?;
                    for rows in split(0..records, rg) {
                        let encoded = worker.encode(generator, rows, batch_size, |_| {})?;
                        worker.recycle(encoded.append_to(&mut writer)?);
                    }
                    let mut buffered = writer.into_inner()?;
                    buffered.flush()?;
                    let file = buffered.into_inner().map_err(|e| e.into_error())?;
                    let cpu = thread_cpu_ns() - cpu0;
                    let wall = wall0.elapsed().as_nanos() as f64;
                    let synced = Instant::now();
                    file.sync_all()
                        .with_context(|| format!("{}: cannot sync", path.display()))?;
                    fsync_ns = Some(synced.elapsed().as_nanos() as f64);
                    bytes = file.metadata()?.len();
                    drop(file);
                    std::fs::remove_file(&path)
                        .with_context(|| format!("{}: cannot remove", path.display()))?;
                    return Ok(Timing {
                        cpu_ns: cpu,
                        wall_ns: wall,
                        fsync_ns,
                        bytes,
                    });
                }
            }
        }
    }
    Ok(Timing {
        cpu_ns: thread_cpu_ns() - cpu0,
        wall_ns: wall0.elapsed().as_nanos() as f64,
        fsync_ns,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred_gen::{DEFAULT_SEED, Distribution};

    fn tiny() -> StageConfig {
        StageConfig {
            records: 3000,
            row_group_size: 1000,
            repetitions: 2,
        }
    }

    #[test]
    fn every_pass_runs_and_costs_something() {
        let generator = Generator::new(DEFAULT_SEED, Distribution::default());
        let dir = tempfile::tempdir().unwrap();
        let r = measure(&generator, &tiny(), 512, &passes(true), dir.path()).unwrap();
        assert_eq!(r.passes.len(), passes(true).len());
        for p in &r.passes {
            assert_eq!(p.cpu_ns_per_record.len(), 2, "{:?}", p.pass);
            assert!(p.cpu() > 0.0, "{:?}", p.pass);
        }
        let file = r.get(file_pass(Encoder::Dremel)).unwrap();
        assert!(file.bytes > 0 && file.fsync_ns_per_record.len() == 2);
        // The compressed file is smaller than the uncompressed one.
        let none = r
            .get(memory_pass(Encoder::Arrow, Codec::None))
            .unwrap()
            .bytes;
        let zstd = r
            .get(memory_pass(Encoder::Arrow, Codec::Zstd1))
            .unwrap()
            .bytes;
        assert!(zstd < none, "{zstd} vs {none}");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "scratch file removed"
        );
    }

    #[test]
    fn breakdown_measures_every_stage() {
        let generator = Generator::new(DEFAULT_SEED, Distribution::default());
        let dir = tempfile::tempdir().unwrap();
        let r = measure(&generator, &tiny(), 1024, &passes(true), dir.path()).unwrap();
        for encoder in Encoder::ALL {
            let b = r.breakdown(encoder);
            // Every stage was measured. A stage is the difference of two noisy passes, so
            // on a tiny run it may come out negative; only the passes themselves must cost
            // something.
            assert!(b.rows().iter().all(|row| row.ns.is_finite()), "{b:?}");
            assert!(b.generate > 0.0 && b.fused > 0.0 && b.total > 0.0, "{b:?}");
            // Each stage is the difference of the two passes that differ by it only.
            let encoded = r.cpu(memory_pass(encoder, Codec::None));
            assert_eq!(b.build, r.cpu(Pass::Build(encoder)) - b.generate);
            assert_eq!(b.encode, encoded - b.fused);
            assert_eq!(b.io, b.total - encoded);
            assert_eq!(b.zstd, r.cpu(memory_pass(encoder, Codec::Zstd1)) - encoded);
            assert_eq!(b.rows()[6].ns, b.total);
        }
        // Without the breakdown passes, encode is unknown, not made up.
        let short = measure(&generator, &tiny(), 1024, &passes(false), dir.path()).unwrap();
        assert!(short.breakdown(Encoder::Arrow).encode.is_nan());
        assert!(short.write(Encoder::Arrow).is_finite());
    }

    #[test]
    fn both_encoders_write_files_of_similar_size() {
        let generator = Generator::new(DEFAULT_SEED, Distribution::default());
        let dir = tempfile::tempdir().unwrap();
        let r = measure(&generator, &tiny(), 1024, &passes(false), dir.path()).unwrap();
        let a = r.get(file_pass(Encoder::Arrow)).unwrap().bytes as f64;
        let d = r.get(file_pass(Encoder::Dremel)).unwrap().bytes as f64;
        assert!((a / d - 1.0).abs() < 0.1, "{a} vs {d}");
        assert!(r.write(Encoder::Arrow).is_finite());
    }
}
