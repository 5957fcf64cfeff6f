"""Reads a Parquet file with a VARIANT column `v` (and an integer `id`) with DuckDB and pyarrow.

Usage: variant_read_back.py FILE

Prints one JSON document:

  {"duckdb": {"type": DuckDB's type of v, "rows": [[id, JSON text of v or null], ...]},
   "pyarrow": {"rows": row count, "v": pyarrow's type of v}}

DuckDB reads v as a VARIANT and prints it with `v::JSON` (a SQL NULL as null), in id order;
pyarrow reads the whole file (it shows v as its raw struct of binaries and typed columns).
"""

import json
import sys

import duckdb
import pyarrow.parquet as pq


def main():
    path = sys.argv[1]
    quoted = path.replace("'", "''")
    con = duckdb.connect()
    types = dict(
        (name, kind)
        for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{quoted}')").fetchall()
    )
    rows = con.execute(
        f"SELECT id, CASE WHEN v IS NULL THEN NULL ELSE v::JSON END FROM read_parquet('{quoted}') ORDER BY id"
    ).fetchall()
    table = pq.read_table(path)
    print(
        json.dumps(
            {
                "duckdb": {"type": types["v"], "rows": [[i, text] for i, text in rows]},
                "pyarrow": {"rows": table.num_rows, "v": str(table.schema.field("v").type)},
            }
        )
    )


if __name__ == "__main__":
    main()
