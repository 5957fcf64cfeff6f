"""Times 10M Contact-shaped records, uncompressed, from three generators; prints a table.

The generators, each a fresh child process, in turn (study, typed, schema-driven, study,
...), so the host's load falls on all of them alike:
- the study's own pipeline, jcsherin/datablok's `parquet-nested-parallel` (producers build
  Arrow `RecordBatch`es on a rayon pool, one `ArrowWriter` thread per file; its defaults:
  batches of 4096, `ArrowWriter`'s default properties, so uncompressed, dictionary on);
- `shred-gen --compression none`, the typed Contact path;
- `shred-gen --schema S --spec SPEC --compression none`, the schema-driven path, with the
  schema and spec learned from a Contact file (made by study_pipeline.sh).
Every time is the whole process (start-up included), the CPU time is user + system of the
child (`wait4`), the peak RSS its `ru_maxrss` (bench_run.py). After the runs, one output of
each generator is read back (in a child, so this process stays small) for its record count
and the shape of its records: the shares of null names, of each phone-list length and of
each phone state, and the distinct names.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shred", "bench"))
from bench_run import print_table, run  # noqa: E402

STUDY = "study pipeline (parquet-nested-parallel)"
TYPED = "shred-gen (typed Contact)"
SCHEMA = "shred-gen --schema --spec"

SHAPE = """
import glob, json, os, sys
import pyarrow.compute as pc, pyarrow.parquet as pq
files = sorted(glob.glob(sys.argv[1] + "/*.parquet"))
t = pq.read_table(files, columns=["name", "phones"]) if len(files) > 1 else pq.read_table(files[0])
n = t.num_rows
phones = t.column("phones").combine_chunks()
lengths = pc.list_value_length(phones).fill_null(-1)
items = pc.list_flatten(phones)
number_null = pc.is_null(pc.struct_field(items, [0]))
type_null = pc.is_null(pc.struct_field(items, [1]))
both = pc.sum(pc.and_(pc.invert(number_null), pc.invert(type_null))).as_py() or 0
types = pc.value_counts(pc.cast(pc.struct_field(items, [1]), "string")).to_pylist()
count = lambda k: pc.sum(pc.equal(lengths, k)).as_py() or 0
print(json.dumps({
    "records": n,
    "files": len(files),
    "bytes": sum(os.path.getsize(f) for f in files),
    "name null": t.column("name").null_count / n,
    "distinct names": pc.count_distinct(t.column("name")).as_py(),
    "phones null": count(-1) / n,
    "0/1/2/3-5 phones": [count(0) / n, count(1) / n, count(2) / n, (pc.sum(pc.greater_equal(lengths, 3)).as_py() or 0) / n],
    "phone: both/number only/type only/neither": [
        both / max(len(items), 1),
        (pc.sum(pc.and_(pc.invert(number_null), type_null)).as_py() or 0) / max(len(items), 1),
        (pc.sum(pc.and_(number_null, pc.invert(type_null))).as_py() or 0) / max(len(items), 1),
        (pc.sum(pc.and_(number_null, type_null)).as_py() or 0) / max(len(items), 1),
    ],
    "types": {d["values"]: round(d["counts"] / max(len(items), 1), 3) for d in types},
}))
"""


def shape(directory):
    """The record count and shape of the Parquet files in `directory`, read in a child."""
    import json

    argv = [sys.executable, "-c", SHAPE, directory]
    return json.loads(subprocess.run(argv, capture_output=True, check=True, text=True).stdout)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--bin", required=True, help="directory of shred-gen's release binaries")
    parser.add_argument("--study", required=True, help="the study's parquet-nested-parallel binary")
    parser.add_argument("--schema", required=True, help="the Contact file's message type")
    parser.add_argument("--spec", required=True, help="the spec --profile learned of it")
    args = parser.parse_args()
    n = str(args.records)
    gen = os.path.join(args.bin, "shred-gen")
    load_before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = {name: os.path.join(tmp, str(i)) for i, name in enumerate((STUDY, TYPED, SCHEMA))}
        commands = {
            # The study's default of 4 writers needs more than 4 cores (producers = rayon's
            # threads − writers); on fewer, one writer thread and the rest producers.
            STUDY: [args.study, "--target-records", n, "--num-writers", "1", "--output-dir", out[STUDY]],
            TYPED: [gen, "--target-records", n, "--compression", "none", "--quiet",
                    "--output-dir", out[TYPED]],
            SCHEMA: [gen, "--schema", args.schema, "--spec", args.spec, "--target-records", n,
                     "--compression", "none", "--quiet", "--output-dir", out[SCHEMA]],
        }
        results = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                shutil.rmtree(out[name], ignore_errors=True)
                os.makedirs(out[name])
                results[name].append(run(argv))
        shapes = {name: shape(out[name]) for name in commands}
    load_after = loadavg()

    wall = {name: statistics.median(r.wall for r in runs) for name, runs in results.items()}
    cpu = {name: statistics.median(r.cpu for r in runs) for name, runs in results.items()}
    rows = []
    for name, runs in results.items():
        rows.append([
            name,
            f"{wall[name]:.3f}",
            f"{min(r.wall for r in runs):.3f}–{max(r.wall for r in runs):.3f}",
            f"{cpu[name]:.2f}",
            f"{cpu[name] / args.records * 1e9:.0f}",
            f"{max(r.rss for r in runs):.0f}",
            f"{args.records / wall[name] / 1e6:.2f}M",
            f"{wall[STUDY] / wall[name]:.2f}x",
            f"{cpu[name] / cpu[TYPED]:.2f}x" if name == SCHEMA else "",
        ])
    header = ["generator", "median wall s", "wall range s", "median CPU s", "CPU ns/record",
              "peak RSS MiB", "records/s", "speed-up vs study (wall)", "CPU vs typed"]
    print_table(
        f"{args.records:,} records, uncompressed, {args.runs} alternating runs, "
        f"{os.cpu_count()} cores, load average before {load_before}, after {load_after}",
        header,
        rows,
    )
    print()
    shape_rows = []
    for name, s in shapes.items():
        pct = lambda values: " / ".join(f"{100 * v:.1f}" for v in values)
        shape_rows.append([
            name, f"{s['records']:,}", str(s["files"]), f"{s['bytes'] / 2**20:.0f}",
            f"{100 * s['name null']:.1f}", f"{s['distinct names']:,}",
            f"{100 * s['phones null']:.1f}", pct(s["0/1/2/3-5 phones"]),
            pct(s["phone: both/number only/type only/neither"]),
            ", ".join(f"{k} {100 * v:.1f}" for k, v in sorted(s["types"].items(), key=str)),
        ])
    print_table(
        "What each wrote (one run's output; shares in %)",
        ["generator", "records", "files", "MiB", "name null", "distinct names", "phones null",
         "0 / 1 / 2 / 3-5 phones", "phone: both / number / type / neither", "phone_type"],
        shape_rows,
    )


if __name__ == "__main__":
    main()
