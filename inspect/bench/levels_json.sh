#!/usr/bin/env bash
# Benchmark: `shred-inspect levels --format json` on a 10M-record Contact file
# (shred-gen, uncompressed, one file), output to /dev/null, on one core.
# Prints the bench table and the plain CLI run under /usr/bin/time; appends both to
# inspect/bench/levels_json.log.   Usage: inspect/bench/levels_json.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
records="${1:-10000000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
# The whole workspace: the feature set a workspace build already compiled, so nothing is rebuilt.
cargo build --release -q --workspace --bins
./target/release/shred-gen --target-records "$records" --output-dir "$dir" --compression none --num-writers 1 > /dev/null
file="$dir/contacts.parquet"
{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  ./target/release/shred-inspect bench --file "$file" --runs 3
  echo "entries printed: $(./target/release/shred-inspect levels "$file" --format json | wc -l)"
  for run in 1 2 3; do
    /usr/bin/time -f "shred-inspect levels --format json > /dev/null: wall %e s, user %U s, sys %S s, max RSS %M KiB" \
      ./target/release/shred-inspect levels "$file" --format json > /dev/null
  done
} 2>&1 | tee -a inspect/bench/levels_json.log
