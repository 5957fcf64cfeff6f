"""Times the read side on one Parquet file, against what users reach for; prints a table.

Rows, each a fresh child process, in turn (so the host's load falls on all alike):
- `shred verify` (every record through our column readers and FSM, compared with arrow-rs's
  reader), against pyarrow's `pq.read_table` (2 threads) of the same file;
- `shred-inspect cat --format json` to a file, against DuckDB's
  `COPY (FROM read_parquet(...)) TO 'x.json'` (2 threads).
Per row: the median wall time, the median CPU time (user + system), the peak RSS, records per
second and the ratio to its baseline. The Python baselines time their own work (after the
interpreter and library have loaded, which favours them by that start-up time); their RSS
includes the interpreter. Called by read_side.sh, which makes the input.
"""

import argparse
import os
import statistics
import sys
import tempfile

from bench_run import print_table, run

PYARROW = """
import sys, time
import pyarrow as pa, pyarrow.parquet as pq
pa.set_cpu_count(2)
start = time.perf_counter()
table = pq.read_table(sys.argv[1])
print(time.perf_counter() - start)
"""

DUCKDB = """
import sys, time, duckdb
con = duckdb.connect()
con.execute("SET threads = 2")
start = time.perf_counter()
con.execute("COPY (FROM read_parquet('" + sys.argv[1] + "')) TO '" + sys.argv[2] + "' (FORMAT json)")
print(time.perf_counter() - start)
"""

RECORDS = "import sys, pyarrow.parquet as pq; print(pq.ParquetFile(sys.argv[1]).metadata.num_rows)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bin", required=True, help="directory of the release binaries")
    parser.add_argument("file")
    args = parser.parse_args()
    records = int(run([sys.executable, "-c", RECORDS, args.file]).own)
    with tempfile.TemporaryDirectory() as tmp:
        json_out = os.path.join(tmp, "cat.json")
        commands = {
            "shred verify": ([os.path.join(args.bin, "shred"), "verify", "-q", args.file], None),
            "pyarrow read_table": ([sys.executable, "-c", PYARROW, args.file], None),
            "shred-inspect cat --format json": (
                [os.path.join(args.bin, "shred-inspect"), "cat", "-q", "--format", "json", args.file],
                json_out,
            ),
            "DuckDB COPY TO json": (
                [sys.executable, "-c", DUCKDB, args.file, os.path.join(tmp, "duckdb.json")],
                None,
            ),
        }
        results = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (argv, to_file) in commands.items():
                if to_file:
                    with open(to_file, "wb") as out:
                        results[name].append(run(argv, stdout=out))
                else:
                    results[name].append(run(argv))
    baseline = {"shred verify": "pyarrow read_table", "shred-inspect cat --format json": "DuckDB COPY TO json"}

    def seconds(name):
        # The Python baselines' own timing; our binaries' whole process.
        return statistics.median(r.own if r.own is not None else r.wall for r in results[name])

    rows = []
    for name, runs in results.items():
        wall = seconds(name)
        base = baseline.get(name)
        rows.append([
            name,
            f"{wall:.3f}",
            f"{statistics.median(r.cpu for r in runs):.2f}",
            f"{max(r.rss for r in runs):.0f}",
            f"{records / wall / 1e6:.2f}M",
            f"{wall / seconds(base):.2f}x {base}" if base else "",
        ])
    header = ["command", "median wall s", "median CPU s", "peak RSS MiB", "records/s", "wall vs"]
    print_table(
        f"{args.file}: {records:,} records, {args.runs} alternating runs, {os.cpu_count()} cores",
        header,
        rows,
    )


if __name__ == "__main__":
    main()
