#!/usr/bin/env bash
# Benchmark: the peak RSS of every reading command (shred-inspect's and shred verify) on every
# file of the vendored parquet-testing corpus, large_string_map.brotli.parquet (1 GiB strings)
# on its own row (see corpus_memory.py). Prints the table and appends it to
# shred/bench/corpus_memory.log. Needs about 10 GB of free memory for that file.
#
# Usage: shred/bench/corpus_memory.sh [--skip-large]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q --workspace --bins
{
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 shred/bench/corpus_memory.py --bin ./target/release "$@" tests/data/parquet-testing
} 2>&1 | tee -a shred/bench/corpus_memory.log
