"""Peak RSS of every reading command on every file of the parquet-testing corpus; prints a table.

Each command runs in a fresh child process on each file, output to /dev/null; its peak RSS is
the child's `ru_maxrss` (wait4). A command that rejects a file (a bad or encrypted file without
its keys) still counts: it must fail within the bound too. Per command: the largest peak RSS
over the corpus without `large_string_map.brotli.parquet` (and the file it was reached on), and
that file's peak RSS and wall time on its own row, since its pages hold strings of 1 GiB.
Called by corpus_memory.sh.
"""

import argparse
import os
import sys

from bench_run import print_table, run

LARGE = "large_string_map.brotli.parquet"


def commands(bin_dir):
    inspect = os.path.join(bin_dir, "shred-inspect")
    shred = os.path.join(bin_dir, "shred")
    return {
        "schema": [inspect, "schema"],
        "meta": [inspect, "meta"],
        "pages": [inspect, "pages"],
        "levels --format json": [inspect, "levels", "--format", "json"],
        "levels (table)": [inspect, "levels"],
        "histogram": [inspect, "histogram"],
        "record 0": [inspect, "record", "0"],
        "record --format json 0": [inspect, "record", "0", "--format", "json"],
        "cat --format json": [inspect, "cat", "-q", "--format", "json"],
        "cat (table)": [inspect, "cat", "-q"],
        "verify": [shred, "verify", "-q"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="directory of the release binaries")
    parser.add_argument("--skip-large", action="store_true", help="leave out " + LARGE)
    parser.add_argument("corpus")
    args = parser.parse_args()
    files = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(args.corpus)
        for name in names
        if ".parquet" in name
    )
    rows = []
    with open(os.devnull, "wb") as null:
        for name, argv in commands(args.bin).items():
            worst, worst_file, large = 0.0, "", None
            for path in files:
                is_large = os.path.basename(path) == LARGE
                if is_large and args.skip_large:
                    continue
                # record takes the record index after the file.
                line = argv + [path] if argv[1] != "record" else argv[:2] + [path] + argv[2:]
                r = run(line, stdout=null, check=False)
                if is_large:
                    large = r
                elif r.rss > worst:
                    worst, worst_file = r.rss, os.path.relpath(path, args.corpus)
            rows.append([
                name,
                f"{worst:.0f}",
                worst_file,
                f"{large.rss:.0f}" if large else "-",
                f"{large.wall:.1f}" if large else "-",
            ])
            print(f"  {name} done", file=sys.stderr)
    header = ["command", "peak RSS MiB (corpus)", "on", f"peak RSS MiB ({LARGE})", "its wall s"]
    print_table(f"{len(files)} files of {args.corpus}, {os.cpu_count()} cores", header, rows)


if __name__ == "__main__":
    main()
