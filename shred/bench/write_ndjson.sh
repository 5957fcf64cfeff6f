#!/usr/bin/env bash
# Benchmark: NDJSON Contact records → uncompressed Parquet, three writers on the same input in
# the same run: `shred write` (this workspace, release), DuckDB (`read_ndjson` → `COPY TO`, 2
# threads) and pyarrow (`json.read_json` + `parquet.write_table`). Runs alternate between the
# writers; the table gives each one's median wall time and peak RSS (see write_ndjson.py).
#
# The input is made once per size and kept: `shred-gen --target-records N --compression none`
# (the Contact dataset, seed 42) exported to NDJSON by DuckDB, in /tmp/c1m, /tmp/c3m, ...
# (`c.ndjson`). With PRESET=NAME, a preset of shred-gen instead (e.g. `document`, Dremel's
# Document: lists of structs of lists), exported by `shred-inspect cat --format json` into
# /tmp/NAME1m, ..., with the schema `shred-inspect schema --format message` prints. Prints
# the table and appends it to shred/bench/write_ndjson.log.
#
# Usage: [PRESET=NAME] shred/bench/write_ndjson.sh [RUNS] [RECORDS...]
#        (default: 5 runs, 1000000 3000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000000 3000000)
eval "$(bash .ci/python-env)"
cargo build --release -q --workspace --bins
preset="${PRESET:-}"
inputs=()
for n in "${sizes[@]}"; do
  dir="/tmp/${preset:-c}${n}"
  [[ $((n % 1000000)) -eq 0 ]] && dir="/tmp/${preset:-c}$((n / 1000000))m"
  if [[ ! -s "$dir/c.ndjson" || ! -s "$dir/source.parquet" ]]; then
    mkdir -p "$dir"
    if [[ -n "$preset" ]]; then
      ./target/release/shred-gen --preset "$preset" --target-records "$n" --compression none \
        --num-writers 1 --output-filename source --output-dir "$dir" --quiet > /dev/null
      ./target/release/shred-inspect cat --format json --quiet "$dir/source.parquet" > "$dir/c.ndjson"
    else
      ./target/release/shred-gen --target-records "$n" --compression none --num-writers 1 \
        --output-filename source --output-dir "$dir" --quiet > /dev/null
      "$SHREDKIT_PYTHON" -c "import duckdb, sys; duckdb.sql(\"COPY (SELECT * FROM read_parquet('$dir/source.parquet')) TO '$dir/c.ndjson' (FORMAT json)\")"
    fi
  fi
  inputs+=("$dir/c.ndjson")
done
schema=shred/tests/data/contact.schema
if [[ -n "$preset" ]]; then
  schema="$dir/s.schema"
  ./target/release/shred-inspect schema --format message "$dir/source.parquet" > "$schema"
fi
{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD) ${preset:-contact} nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$SHREDKIT_PYTHON" shred/bench/write_ndjson.py --runs "$runs" --shred ./target/release/shred \
    --schema "$schema" --parquet "$dir/source.parquet" "${inputs[@]}"
} 2>&1 | tee -a shred/bench/write_ndjson.log
