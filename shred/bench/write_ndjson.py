"""Times NDJSON → uncompressed Parquet with `shred write`, DuckDB and pyarrow; prints a table.

The records' types for DuckDB (`read_ndjson`'s `columns`) and pyarrow (`read_json`'s explicit
schema) are those of `--parquet`, the file the NDJSON was exported from, so any dataset
works: Contact, or a preset of `shred-gen` such as Dremel's Document.

Each writer runs in a fresh child process, in turn (shred, DuckDB, pyarrow, shred, ...), so
the host's load falls on all of them alike. Per run: the wall time of the work and the
child's peak RSS (`ru_maxrss` from wait4). For `shred` the wall time is the whole process;
the Python writers time their own work (after the interpreter and the library have loaded,
which favours them by that start-up time) and their RSS includes the interpreter. Every
run writes a new file: the previous run's output is removed first, for every writer.
Replacing an existing file differs between writers and is not the work measured: `shred
write` renames its finished file over the old one, and ext4 then starts writing the new
file back inside the rename (its replace-via-rename safeguard, `auto_da_alloc`), about
40 ms at 1M Documents; DuckDB and pyarrow truncate the old file in place. After
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

COLUMNS = """
import sys, duckdb
rows = duckdb.sql("DESCRIBE SELECT * FROM read_parquet('" + sys.argv[1] + "')").fetchall()
print("{" + ", ".join("'" + name + "': '" + kind.replace("'", "''") + "'" for name, kind, *_ in rows) + "}")
"""

DUCKDB = """
import sys, time, duckdb
src, dst, columns = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("SET threads = 2")
start = time.perf_counter()
con.execute("COPY (SELECT * FROM read_ndjson('" + src + "', columns = " + columns + ")) "
            "TO '" + dst + "' (FORMAT parquet, COMPRESSION uncompressed)")
print(time.perf_counter() - start)
"""

PYARROW = """
import sys, time
import pyarrow as pa, pyarrow.json as pj, pyarrow.parquet as pq
src, dst, reference = sys.argv[1], sys.argv[2], sys.argv[3]
pa.set_cpu_count(2)

def plain(t):
    # The reference's types, dictionaries as their values and every field nullable: read_json
    # takes no dictionary, and refuses a null parent of a required child.
    if pa.types.is_dictionary(t):
        return t.value_type
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(pa.field(t.value_field.name, plain(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, plain(f.type)) for f in t])
    return t

schema = pa.schema([pa.field(f.name, plain(f.type)) for f in pq.read_schema(reference)])
start = time.perf_counter()
table = pj.read_json(src, parse_options=pj.ParseOptions(explicit_schema=schema))
pq.write_table(table, dst, compression="none")
print(time.perf_counter() - start)
"""


READBACK = """
import sys, duckdb, pyarrow.parquet as pq
shred_file, ndjson, columns = sys.argv[1], sys.argv[2], sys.argv[3]
ours = pq.read_table(shred_file)
duckdb.sql("SET enable_progress_bar = false")
theirs = duckdb.sql("SELECT * FROM read_ndjson('" + ndjson + "', columns = " + columns + ")").arrow()
if hasattr(theirs, "read_all"):
    theirs = theirs.read_all()
print("yes" if ours.num_rows == theirs.num_rows and ours.to_pylist() == theirs.to_pylist() else "NO")
"""


def child(script, *argv):
    """Runs `script` in a child and returns what it prints, so this process stays small: a
    forked child's peak RSS counts its parent's pages until it execs."""
    argv = [sys.executable, "-c", script, *argv]
    return subprocess.run(argv, capture_output=True, check=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shred", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--parquet", required=True, help="the file the inputs were exported from")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    columns = child(COLUMNS, args.parquet)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for ndjson in args.inputs:
            records = sum(1 for _ in open(ndjson, "rb"))
            out = {w: os.path.join(tmp, f"{w}.parquet") for w in ("shred", "duckdb", "pyarrow")}
            commands = {
                "shred write": [args.shred, "write", "--compression", "none", "--quiet",
                                "--schema", args.schema, ndjson, "-o", out["shred"]],
                "DuckDB read_ndjson → COPY": [sys.executable, "-c", DUCKDB, ndjson, out["duckdb"],
                                              columns],
                "pyarrow read_json + write_table": [sys.executable, "-c", PYARROW, ndjson, out["pyarrow"],
                                                    args.parquet],
            }
            writes = dict(zip(commands, (out["shred"], out["duckdb"], out["pyarrow"])))
            results = {name: [] for name in commands}
            for _ in range(args.runs):
                for name, argv in commands.items():
                    if os.path.exists(writes[name]):
                        os.remove(writes[name])
                    r = run(argv)
                    own = r.own if r.own is not None and name != "shred write" else r.wall
                    results[name].append((own, r.rss))
            same = child(READBACK, out["shred"], ndjson, columns) == "yes"
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
