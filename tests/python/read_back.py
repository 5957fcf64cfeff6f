"""Reads Parquet files with pyarrow and with DuckDB and dumps their records as canonical JSON.

Usage: read_back.py --out-dir DIR [--readers pyarrow,duckdb] FILE...

For every FILE and every reader, writes DIR/<stem>.<reader>.ndjson (one canonical record per
line, in file order; see shredkit_json.py) and prints on stdout one JSON document:

  {"files": [{"file": FILE,
              "pyarrow": {"rows", "metadata_rows", "row_groups", "schema", "dump"},
              "duckdb": {"rows", "schema", "dump"}}]}

where "schema" lists [field name, type as the reader prints it] for every top-level column.
pyarrow reads row group by row group (ParquetFile.read_row_group); DuckDB reads through read_parquet
ordered by file_row_number, so the order is the file's whatever DuckDB's thread count.
"""

import argparse
import json
import os
import sys

import duckdb
import pyarrow.parquet as pq

from shredkit_json import arrow_record, duckdb_value, dumps

BATCH = 8192


def stem(path):
    name = os.path.basename(path)
    return name[: -len(".parquet")] if name.endswith(".parquet") else name


def read_pyarrow(path, out):
    pf = pq.ParquetFile(path)
    schema = pf.schema_arrow
    rows = 0
    with open(out, "w", encoding="utf-8") as f:
        # Row group by row group: pyarrow 26's iter_batches fails on a nested dictionary
        # column (shred-gen's phone_type) when a batch spans two row groups ("Nested data
        # conversions not implemented for chunked array outputs").
        for group in range(pf.metadata.num_row_groups):
            for row in pf.read_row_group(group).to_pylist():
                f.write(dumps(arrow_record(row, schema)))
                f.write("\n")
                rows += 1
    return {
        "rows": rows,
        "metadata_rows": pf.metadata.num_rows,
        "row_groups": pf.metadata.num_row_groups,
        "schema": [[field.name, str(field.type)] for field in schema],
        "dump": out,
    }


def read_duckdb(path, out):
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * EXCLUDE (file_row_number) "
        "FROM read_parquet($path, file_row_number = true) ORDER BY file_row_number",
        params={"path": path},
    )
    names, types = rel.columns, rel.types
    rows = 0
    with open(out, "w", encoding="utf-8") as f:
        while True:
            chunk = rel.fetchmany(BATCH)
            if not chunk:
                break
            for row in chunk:
                record = {n: duckdb_value(v, t) for n, v, t in zip(names, row, types)}
                f.write(dumps(record))
                f.write("\n")
                rows += 1
    return {
        "rows": rows,
        "schema": [[n, str(t)] for n, t in zip(names, types)],
        "dump": out,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", required=True)
    parser.add_argument(
        "--readers",
        default="pyarrow,duckdb",
        help="comma-separated readers to run (DuckDB reads BYTE_STREAM_SPLIT only for floats)",
    )
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    readers = {"pyarrow": read_pyarrow, "duckdb": read_duckdb}
    chosen = args.readers.split(",")
    os.makedirs(args.out_dir, exist_ok=True)
    report = []
    for path in args.files:
        base = os.path.join(args.out_dir, stem(path))
        entry = {"file": path}
        for name in chosen:
            entry[name] = readers[name](path, base + "." + name + ".ndjson")
        report.append(entry)
    json.dump({"files": report}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
