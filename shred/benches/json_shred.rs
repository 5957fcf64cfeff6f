//! Parse + shred throughput of NDJSON records: the reference path (`serde_json::Value` +
//! `record::normalize` + `Shredder`) against the JSON shredder (its own tokenizer walked by
//! the schema plan) on one thread, and the JSON reader (splitter + workers + row group
//! assembly) on 1 and 2 threads, all in the same run. Prints one table: median wall seconds
//! over the runs, records/s, records/s per thread, CPU ns per record, peak RSS.
//!
//! ```text
//! target/release/shred-gen --target-records 1000000 --output-dir /tmp/c1m
//! eval "$(bash .ci/python-env)"
//! $SHREDKIT_PYTHON -c "import duckdb; duckdb.sql(\"COPY (FROM read_parquet('/tmp/c1m/contacts.parquet')) TO '/tmp/c1m/c.ndjson' (FORMAT json)\")"
//! cargo bench -p shred --bench json_shred -- [/tmp/c1m/c.ndjson] [--schema S] [--runs 5] [--only NAME]
//! ```
//!
//! The records are Contacts (`shred::contact::CONTACT_SCHEMA`), or of the message type in
//! `--schema S` (e.g. the Document input `write_ndjson.sh` makes with `PRESET=document`); one
//! row group holds them all.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use shred::Schema;
use shred::json_reader::{JsonReader, ReadOptions};
use shred::json_shredder::{JsonShredder, RecordAt};
use shred::schema_plan::SchemaPlan;
use shred::shredder::Shredder;
use shred::usage::{cpu_time, peak_rss, reset_peak_rss};

struct Args {
    /// `cargo bench` passes `--bench`; `cargo test --all-targets` runs the target without
    /// it, and then there is nothing to measure.
    bench: bool,
    input: PathBuf,
    /// The records' schema file; Contact's when absent.
    schema: Option<PathBuf>,
    runs: usize,
    only: Option<String>,
}

fn args() -> Args {
    let mut input = PathBuf::from("/tmp/c1m/c.ndjson");
    let mut runs = 5;
    let mut only = None;
    let mut schema = None;
    let mut bench = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--only" => only = it.next(),
            "--schema" => schema = it.next().map(PathBuf::from),
            "--bench" => bench = true,
            other if !other.starts_with('-') => input = PathBuf::from(other),
            _ => {}
        }
    }
    Args {
        bench,
        input,
        schema,
        runs,
        only,
    }
}

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

fn main() {
    let args = args();
    if !args.bench {
        println!("json_shred: a benchmark; run it with `cargo bench -p shred --bench json_shred`");
        return;
    }
    let data = std::fs::read(&args.input).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (see the module doc for how to make it)",
            args.input.display()
        )
    });
    let records = lines(&data).count();
    let schema_text = match &args.schema {
        Some(path) => {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        None => shred::contact::CONTACT_SCHEMA.to_string(),
    };
    let schema = Schema::parse(&schema_text).unwrap();
    let plan = Arc::new(SchemaPlan::new(&schema));
    let name = args.input.display().to_string();

    type Run<'a> = Box<dyn FnMut() -> usize + 'a>;
    let mut configs: Vec<(&str, usize, Run)> = Vec::new();
    configs.push((
        "reference: Value + normalize + Shredder",
        1,
        Box::new(|| {
            let mut shredder = Shredder::new(&schema);
            for (i, line) in lines(&data).enumerate() {
                let value: serde_json::Value = serde_json::from_slice(line).unwrap();
                let canonical = shred::record::normalize(&schema, &value, i, Some(i + 1)).unwrap();
                shredder.shred(&canonical).unwrap();
            }
            shredder.num_records()
        }),
    ));
    configs.push((
        "json_shredder, no reader",
        1,
        Box::new(|| {
            let mut shredder = JsonShredder::new(&plan);
            for (i, line) in lines(&data).enumerate() {
                let at = RecordAt {
                    source: &name,
                    record: i,
                    line: Some(i + 1),
                };
                shredder.shred(line, &at).unwrap();
            }
            shredder.num_records()
        }),
    ));
    for threads in [1, 2] {
        let label: &'static str = if threads == 1 {
            "json_reader, 1 thread"
        } else {
            "json_reader, 2 threads"
        };
        let (plan, input) = (plan.clone(), args.input.clone());
        configs.push((
            label,
            threads,
            Box::new(move || {
                let options = ReadOptions {
                    row_group_size: 1 << 30,
                    threads,
                    ..ReadOptions::default()
                };
                let reader = JsonReader::open(plan.clone(), &input, options).unwrap();
                reader.map(|rg| rg.unwrap().records).sum()
            }),
        ));
    }

    println!(
        "{records} records, {} MB, {} cores, median of {} runs\n",
        data.len() / 1_000_000,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.runs
    );
    println!(
        "| {:<40} | {:>7} | {:>10} | {:>13} | {:>11} | {:>8} |",
        "path", "wall s", "records/s", "rec/s/thread", "CPU ns/rec", "peak MiB"
    );
    println!(
        "|{:-<42}|{:-<9}|{:-<12}|{:-<15}|{:-<13}|{:-<10}|",
        "", "", "", "", "", ""
    );
    for (label, threads, run) in &mut configs {
        if args.only.as_deref().is_some_and(|o| !label.contains(o)) {
            continue;
        }
        let _ = reset_peak_rss();
        let mut samples = Vec::new();
        for _ in 0..args.runs {
            let (wall, cpu) = (Instant::now(), cpu_time());
            let n = run();
            assert_eq!(n, records, "{label}");
            samples.push((wall.elapsed(), cpu_time() - cpu));
        }
        samples.sort();
        let (wall, cpu) = samples[samples.len() / 2];
        let rate = records as f64 / wall.as_secs_f64();
        println!(
            "| {:<40} | {:>7.3} | {:>10.0} | {:>13.0} | {:>11.0} | {:>8.0} |",
            label,
            wall.as_secs_f64(),
            rate,
            rate / *threads as f64,
            cpu.as_nanos() as f64 / records as f64,
            peak_rss().unwrap_or(0) as f64 / (1024.0 * 1024.0)
        );
    }
}
