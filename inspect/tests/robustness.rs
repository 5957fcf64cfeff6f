//! Robustness: thousands of truncated and mutated copies of real files, every subcommand,
//! run in process through the library entry point (`shred_inspect::run`).
//!
//! Each case must end in a correct-looking result (valid JSON output) or a clean error: a
//! single line that starts with the file's name, exit code 1 or 2. A truncated file must
//! always be an error. Panics are recorded by a panic hook: none may be raised in this
//! workspace's code (`inspect/`, `shred/`); panics raised inside the `parquet` crate are
//! caught at the library boundary, turned into the one-line error, and listed in the
//! summary with the workspace function that called into the crate.
//! The mutations are deterministic (a seeded generator), so a failure reproduces.

mod common;

use std::sync::Mutex;
use std::time::Instant;

use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use common::write_with_shred;

/// Panics seen by the hook: location (`file:line`), message, and for the first panic at
/// each location, the first frame of this workspace's code on the stack (who called
/// into the `parquet` crate).
static PANICS: Mutex<Vec<Panic>> = Mutex::new(Vec::new());

#[derive(Debug, Clone)]
struct Panic {
    location: String,
    message: String,
    caller: Option<String>,
}

/// The first frame of `shred` or `shred_inspect` code in a backtrace.
fn workspace_caller(backtrace: &str) -> Option<String> {
    let lines: Vec<&str> = backtrace.lines().collect();
    lines.iter().enumerate().find_map(|(i, l)| {
        let l = l.trim();
        let ours = l.contains(": shred::") || l.contains(": shred_inspect::");
        ours.then(|| {
            format!(
                "{} ({})",
                l.split_once(": ").map_or(l, |x| x.1),
                lines.get(i + 1).map_or("", |s| s.trim())
            )
        })
    })
}

fn base_files() -> Vec<(&'static str, Vec<u8>)> {
    let contacts: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let phones = match i % 4 {
                0 => json!(null),
                1 => json!([]),
                2 => json!([null, {"number": format!("+91-{i:010}"), "phone_type": "Mobile"}]),
                _ => json!([{"number": null, "phone_type": "Home"}]),
            };
            json!({"name": if i % 5 == 0 { None } else { Some(format!("Name {i}")) }, "phones": phones})
        })
        .collect();
    let nested = "message m {
      required int64 id;
      optional double score;
      optional int96 at;
      optional fixed_len_byte_array(3) code;
      optional boolean ok;
      optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
      optional group kv (MAP) { repeated group key_value { required binary key (STRING); optional int32 value; } }
    }";
    let nested_records: Vec<serde_json::Value> = (0..30)
        .map(|i| {
            json!({"id": i, "score": if i % 3 == 0 { None } else { Some(i as f64 / 3.0) }, "at": i * 1_000_000_007_i64,
                   "code": "abc", "ok": i % 2 == 0,
                   "tags": if i % 4 == 0 { json!(null) } else { json!(["x", null, "yy"]) },
                   "kv": [{"key": "a", "value": i}, {"key": "b", "value": null}]})
        })
        .collect();
    let small_pages = |codec| {
        WriterProperties::builder()
            .set_compression(codec)
            .set_data_page_row_count_limit(8)
            .set_write_batch_size(8)
    };
    let files = [
        (
            "contacts-snappy-v1",
            write_with_shred(
                shred::contact::CONTACT_SCHEMA,
                &contacts,
                &[15, 0, 25],
                small_pages(Compression::SNAPPY).build(),
            ),
        ),
        (
            "document-plain",
            write_with_shred(
                shred::fixtures::DOCUMENT_SCHEMA,
                &shred::fixtures::document_records(),
                &[2],
                WriterProperties::builder()
                    .set_dictionary_enabled(false)
                    .build(),
            ),
        ),
        (
            "nested-zstd-v2",
            write_with_shred(
                nested,
                &nested_records,
                &[10, 20],
                small_pages(Compression::ZSTD(Default::default()))
                    .set_writer_version(WriterVersion::PARQUET_2_0)
                    .build(),
            ),
        ),
        (
            "nested-gzip-v1",
            write_with_shred(
                nested,
                &nested_records,
                &[30],
                small_pages(Compression::GZIP(GzipLevel::default())).build(),
            ),
        ),
    ];
    files
        .into_iter()
        .map(|(name, f)| (name, std::fs::read(&f.path).unwrap()))
        .collect()
}

/// One mutated or truncated copy of `original`; true when it is a truncation.
fn mutate(rng: &mut StdRng, original: &[u8]) -> (Vec<u8>, bool) {
    let n = original.len();
    let footer_len = u32::from_le_bytes(original[n - 8..n - 4].try_into().unwrap()) as usize;
    let footer_start = n - 8 - footer_len;
    let mut bytes = original.to_vec();
    match rng.random_range(0..6) {
        0 => {
            bytes.truncate(rng.random_range(0..n));
            return (bytes, true);
        }
        1 => {
            // A few random bytes anywhere.
            for _ in 0..rng.random_range(1..=4) {
                let i = rng.random_range(0..n);
                bytes[i] = rng.random();
            }
        }
        2 | 3 => {
            // A few random bytes in the footer (thrift metadata).
            for _ in 0..rng.random_range(1..=3) {
                let i = rng.random_range(footer_start..n - 8);
                bytes[i] = rng.random();
            }
        }
        4 => {
            // A few random bytes in the column data (page headers and pages).
            for _ in 0..rng.random_range(1..=3) {
                let i = rng.random_range(4..footer_start);
                bytes[i] = rng.random();
            }
        }
        _ => {
            // A run of 0x00 or 0xff.
            let start = rng.random_range(0..n - 8);
            let len = rng.random_range(1..=16).min(n - 8 - start);
            let fill = if rng.random_bool(0.5) { 0 } else { 0xff };
            bytes[start..start + len].iter_mut().for_each(|b| *b = fill);
        }
    }
    (bytes, false)
}

#[test]
fn mutated_and_truncated_files_never_panic() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map_or("?".into(), |l| format!("{}:{}", l.file(), l.line()));
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let mut panics = PANICS.lock().unwrap();
        let first = !panics.iter().any(|p| p.location == location);
        let caller = first
            .then(|| workspace_caller(&std::backtrace::Backtrace::force_capture().to_string()))
            .flatten();
        panics.push(Panic {
            location,
            message,
            caller,
        });
    }));

    let started = Instant::now();
    let bases = base_files();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.parquet");
    let p = path.to_str().unwrap();
    let commands: [&[&str]; 7] = [
        &["schema", p, "--format", "json"],
        &["meta", p, "--format", "json"],
        &["pages", p, "--format", "json"],
        &["levels", p, "--format", "json"],
        &["record", p, "3", "--format", "json"],
        &["histogram", p, "--format", "json"],
        &["levels", p],
    ];
    let mut rng = StdRng::seed_from_u64(0x5eed_1e55);
    let cases_per_file = 800;
    let (mut ok, mut errors, mut exit1) = (0usize, 0usize, 0usize);
    for (name, original) in &bases {
        for case in 0..cases_per_file {
            let (bytes, truncated) = mutate(&mut rng, original);
            std::fs::write(&path, &bytes).unwrap();
            for args in commands {
                match common::run(args) {
                    Ok(out) => {
                        assert!(
                            !truncated,
                            "{name} case {case}: {args:?} succeeded on a truncated file"
                        );
                        if args.contains(&"json") {
                            for line in out.lines() {
                                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| {
                                    panic!("{name} case {case}: {args:?} printed invalid JSON ({e}): {line}")
                                });
                            }
                        }
                        ok += 1;
                    }
                    Err((message, code)) => {
                        assert!(code == 1 || code == 2, "{name} case {case}: exit {code}");
                        exit1 += usize::from(code == 1);
                        assert!(
                            message.starts_with(&format!("{p}: ")) && !message.contains('\n'),
                            "{name} case {case}: {args:?} error is not one line naming the file: {message}"
                        );
                        errors += 1;
                    }
                }
            }
        }
    }
    let panics = PANICS.lock().unwrap().clone();
    let in_workspace = |loc: &str| {
        loc.starts_with("inspect/")
            || loc.starts_with("shred/")
            || loc.contains("/inspect/src/")
            || loc.contains("/shred/src/")
    };
    let ours: Vec<&Panic> = panics
        .iter()
        .filter(|p| in_workspace(&p.location))
        .collect();
    let cases = bases.len() * cases_per_file;
    println!(
        "{cases} cases x {} commands in {:.1}s: {ok} results, {errors} clean errors ({exit1} with exit 1); {} panics in the parquet crate caught at the library boundary:",
        commands.len(),
        started.elapsed().as_secs_f64(),
        panics.len()
    );
    for first in panics.iter().filter(|p| {
        p.caller.is_some()
            || !panics
                .iter()
                .any(|q| q.location == p.location && q.caller.is_some())
    }) {
        let count = panics
            .iter()
            .filter(|p| p.location == first.location)
            .count();
        println!(
            "  {count} x {} \"{}\", called from {}",
            first.location,
            first.message,
            first.caller.as_deref().unwrap_or("?")
        );
    }
    assert!(ours.is_empty(), "panics in our code: {ours:?}");
    assert!(cases >= 3000);
    assert!(errors > 0 && ok > 0, "both outcomes occur");
}
