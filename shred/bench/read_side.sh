#!/usr/bin/env bash
# Benchmark: the read side (`shred verify`, `shred-inspect cat --format json`) on the README's
# main-job file, 10M Contact records (snappy), against pyarrow `read_table` and DuckDB
# `COPY ... TO json` in the same run (see read_side.py). The file is made once and kept in
# /tmp/read_side (`shred-gen --target-records N`, seed 42). Prints the table and appends it to
# shred/bench/read_side.log.
#
# Usage: shred/bench/read_side.sh [RUNS] [RECORDS]   (default: 5 runs, 10000000 records)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
records="${2:-10000000}"
eval "$(bash .ci/python-env)"
cargo build --release -q --workspace --bins
dir="/tmp/read_side/$records"
if [[ ! -s "$dir/contacts.parquet" ]]; then
  ./target/release/shred-gen --target-records "$records" --output-dir "$dir" --quiet > /dev/null
fi
{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$SHREDKIT_PYTHON" shred/bench/read_side.py --runs "$runs" --bin ./target/release "$dir/contacts.parquet"
} 2>&1 | tee -a shred/bench/read_side.log
