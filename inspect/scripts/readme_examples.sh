#!/usr/bin/env bash
# Regenerates the example outputs of inspect/README.md: writes document.parquet (shred
# write, the Dremel Document records) and contacts.parquet (shred-gen, 1000 records, three
# row groups) into a temporary directory and prints every example command with its output
# as markdown console blocks.   Usage: inspect/scripts/readme_examples.sh > examples.md
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p shred -p shred-gen -p shred-inspect
bin="$PWD/target/release"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$bin/shred" write --schema shred/tests/data/document.schema shred/tests/data/document.ndjson -o "$dir/document.parquet" > /dev/null
"$bin/shred-gen" --target-records 1000 --output-dir "$dir" --compression none --num-writers 1 --row-group-size 400 > /dev/null
cd "$dir"
head -c 20000 contacts.parquet > cut.parquet
run() {
  echo '```console'
  echo "\$ shred-inspect $*"
  "$bin/shred-inspect" "$@" 2>&1 || true
  echo '```'
  echo
}
run schema contacts.parquet
run schema document.parquet --format json
run meta contacts.parquet
run pages document.parquet
run pages contacts.parquet --column name --format json
run levels document.parquet --column Name.Language
run levels document.parquet --column Links --format json
run levels contacts.parquet --records 4..7 --column phones
run record contacts.parquet 5
run record document.parquet 1 --format json
run histogram contacts.parquet
run histogram document.parquet --format json
echo '```console'
for args in "levels cut.parquet" "meta missing.parquet" "levels contacts.parquet --column phones.number" "record document.parquet 2"; do
  echo "\$ shred-inspect $args"
  # shellcheck disable=SC2086
  "$bin/shred-inspect" $args 2>&1 && code=0 || code=$?
  echo "\$ echo \$?"
  echo "$code"
done
echo '```'
