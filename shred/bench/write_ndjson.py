"""Times NDJSON → uncompressed Parquet with `shred write`, DuckDB and pyarrow; prints a table.

Each writer runs in a fresh child process, in turn (shred, DuckDB, pyarrow, shred, ...), so
the host's load falls on all of them alike. Per run: the wall time of the work and the
child's peak RSS (`ru_maxrss` from wait4). For `shred` the wall time is the whole process;
the Python writers time their own work (after the interpreter and the library have loaded,
which favours them by that start-up time) and their RSS includes the interpreter. After
the runs, pyarrow reads `shred write`'s file back and it must equal, record for record, what
DuckDB reads from the NDJSON. Called by write_ndjson.sh, which makes the inputs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench_run import print_table, run

DUCKDB_COLUMNS = "{'name': 'VARCHAR', 'phones': 'STRUCT(number VARCHAR, phone_type VARCHAR)[]'}"

DUCKDB = """
import sys, time, duckdb
src, dst, columns = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET threads = 2")
start = time.perf_counter()
con.execute("COPY (SELECT * FROM read_ndjson('" + src + "', columns = " + columns + ")) "
            "TO '" + dst + "' (FORMAT parquet, COMPRESSION uncompressed)")
print(time.perf_counter() - start)
"""

PYARROW = """
import sys, time
import pyarrow as pa, pyarrow.json as pj, pyarrow.parquet as pq
src, dst = sys.argv[1], sys.argv[2]
pa.set_cpu_count(2)
phone = pa.struct([("number", pa.string()), ("phone_type", pa.string())])
schema = pa.schema([("name", pa.string()), ("phones", pa.list_(phone))])
start = time.perf_counter()
table = pj.read_json(src, parse_options=pj.ParseOptions(explicit_schema=schema))
pq.write_table(table, dst, compression="none")
print(time.perf_counter() - start)
"""


READBACK = """
import sys, duckdb, pyarrow.parquet as pq
shred_file, ndjson, columns = sys.argv[1], sys.argv[2], sys.argv[3]
ours = pq.read_table(shred_file)
theirs = duckdb.sql("SELECT * FROM read_ndjson('" + ndjson + "', columns = " + columns + ")").arrow()
if hasattr(theirs, "read_all"):
    theirs = theirs.read_all()
print("yes" if ours.num_rows == theirs.num_rows and ours.to_pylist() == theirs.to_pylist() else "NO")
"""


def readback_equal(shred_file, ndjson):
    """In a child, so this process stays small: a forked child's peak RSS counts its parent's
    pages until it execs."""
    argv = [sys.executable, "-c", READBACK, shred_file, ndjson, DUCKDB_COLUMNS]
    return subprocess.run(argv, capture_output=True, check=True, text=True).stdout.strip() == "yes"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shred", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for ndjson in args.inputs:
            records = sum(1 for _ in open(ndjson, "rb"))
            out = {w: os.path.join(tmp, f"{w}.parquet") for w in ("shred", "duckdb", "pyarrow")}
            commands = {
                "shred write": [args.shred, "write", "--compression", "none", "--quiet",
                                "--schema", args.schema, ndjson, "-o", out["shred"]],
                "DuckDB read_ndjson → COPY": [sys.executable, "-c", DUCKDB, ndjson, out["duckdb"],
                                              DUCKDB_COLUMNS],
                "pyarrow read_json + write_table": [sys.executable, "-c", PYARROW, ndjson, out["pyarrow"]],
            }
            results = {name: [] for name in commands}
            for _ in range(args.runs):
                for name, argv in commands.items():
                    r = run(argv)
                    own = r.own if r.own is not None and name != "shred write" else r.wall
                    results[name].append((own, r.rss))
            same = readback_equal(out["shred"], ndjson)
            base = statistics.median(t for t, _ in results["DuckDB read_ndjson → COPY"])
            for name, runs in results.items():
                wall = statistics.median(t for t, _ in runs)
                rows.append([f"{records:,}", name, f"{wall:.3f}",
                             f"{min(t for t, _ in runs):.3f}–{max(t for t, _ in runs):.3f}",
                             f"{max(r for _, r in runs):.0f}", f"{base / wall:.2f}x"])
            rows.append([f"{records:,}", "pyarrow reads shred's file = DuckDB reads the NDJSON",
                         "yes" if same else "NO", "", "", ""])
    header = ["records", "writer", "median wall s", "range s", "peak RSS MiB", "vs DuckDB"]
    print_table(f"{args.runs} alternating runs per writer, {os.cpu_count()} cores", header, rows)

if __name__ == "__main__":
    main()
