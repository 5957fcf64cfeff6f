#!/usr/bin/env bash
# Benchmark: 10M Contact-shaped records, uncompressed, against the study's own pipeline in
# the same run (see study_pipeline.py): jcsherin/datablok's `parquet-nested-parallel`, the
# typed path (`shred-gen --compression none`) and the schema-driven path (`shred-gen --schema
# S --spec SPEC --compression none`, S and SPEC learned from a 1M-record Contact file).
#
# The study's release binary is not built here: pass its checkout (with
# `target/release/parquet-nested-parallel` built in it) as DATABLOK_DIR, the first argument,
# or point STUDY_BIN at the binary itself. The 1M-record file, its schema (`shred-inspect
# schema --format message`) and its spec (`shred-gen --profile F --emit-spec SPEC`) are made
# once and kept in /tmp/study_pipeline. Prints the tables and appends them to
# gen/bench/study_pipeline.log.
#
# Usage: gen/bench/study_pipeline.sh [DATABLOK_DIR] [RUNS] [RECORDS]
#        (default: $DATABLOK_DIR, 3 runs, 10000000 records)
set -euo pipefail
if [[ $# -gt 0 && -d "$1" ]]; then
  DATABLOK_DIR="$1"
  shift
fi
study="${STUDY_BIN:-${DATABLOK_DIR:+$DATABLOK_DIR/target/release/parquet-nested-parallel}}"
if [[ -z "$study" || ! -x "$study" ]]; then
  echo "study_pipeline.sh: no study binary (${study:-set DATABLOK_DIR or STUDY_BIN}): build" \
    "parquet-nested-parallel in release in the datablok checkout first" >&2
  exit 2
fi
study="$(realpath "$study")"
cd "$(dirname "$0")/../.."
runs="${1:-3}"
records="${2:-10000000}"
eval "$(bash .ci/python-env)"
cargo build --release -q --workspace --bins
dir=/tmp/study_pipeline
if [[ ! -s "$dir/contact.toml" ]]; then
  mkdir -p "$dir"
  ./target/release/shred-gen --target-records 1000000 --compression none --output-dir "$dir" \
    --quiet > /dev/null
  ./target/release/shred-inspect schema --format message "$dir/contacts.parquet" > "$dir/contact.schema"
  ./target/release/shred-gen --profile "$dir/contacts.parquet" --emit-spec "$dir/contact.toml" \
    --dry-run > /dev/null
fi
{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "study: $study ($("$study" --version), datablok commit $(git -C "$(dirname "$study")" rev-parse --short HEAD 2>/dev/null || echo unknown))"
  "$SHREDKIT_PYTHON" gen/bench/study_pipeline.py --runs "$runs" --records "$records" \
    --bin ./target/release --study "$study" --schema "$dir/contact.schema" --spec "$dir/contact.toml"
} 2>&1 | tee -a gen/bench/study_pipeline.log
