"""Writes VARIANT files with DuckDB and prints what DuckDB reads back from them.

Usage: variant_files.py OUT_DIR

DuckDB (1.5) shreds a VARIANT column when it writes Parquet: by default with a typed_value
layout it infers from the data, or with the layout a COPY's SHREDDING option gives. Each
case below is one query written to OUT_DIR/<name>.parquet. Prints one JSON document:

  {"files": [{"name", "file", "rows": [[id, JSON text of v or null], ...],
              "types": [variant_typeof(v) per row]}]}

where the JSON text is DuckDB's own `v::JSON` of the value it reads back, in id order.
"""

import json
import os
import sys

import duckdb

# Objects with a stable core (a, b, t.u), some with extra keys, arrays of mixed elements,
# strings, SQL NULLs and variant nulls.
EVENTS = """
SELECT i AS id, CASE
  WHEN i % 7 = 0 THEN NULL
  WHEN i % 7 = 1 THEN ('s' || i)::VARIANT
  WHEN i % 7 = 2 THEN {'a': i, 'c': [i::VARIANT, 'x'::VARIANT, NULL::VARIANT]}::VARIANT
  WHEN i % 7 = 3 THEN {'a': i, 'b': 'x' || i, 'extra': true}::VARIANT
  WHEN i % 7 = 4 THEN [{'a': i}::VARIANT, 2.5::DOUBLE::VARIANT]::VARIANT
  ELSE {'a': i, 'b': 'x' || i, 't': {'u': i * 1.5::DOUBLE}}::VARIANT END AS v
FROM range(60) t(i)
"""

# One primitive type per row: DuckDB shreds the dominant one, the rest go to value.
PRIMITIVES = """
SELECT i AS id, CASE i % 12
  WHEN 0 THEN (i::TINYINT)::VARIANT
  WHEN 1 THEN (i::SMALLINT)::VARIANT
  WHEN 2 THEN (i::INTEGER)::VARIANT
  WHEN 3 THEN (i::BIGINT * 1000000000)::VARIANT
  WHEN 4 THEN (i / 4)::DOUBLE::VARIANT
  WHEN 5 THEN (i / 8)::FLOAT::VARIANT
  WHEN 6 THEN (i::DECIMAL(9, 2) / 4)::VARIANT
  WHEN 7 THEN (DATE '2024-01-30' + i::INTEGER)::VARIANT
  WHEN 8 THEN (i % 2 = 0)::VARIANT
  WHEN 9 THEN ('text ' || i)::VARIANT
  WHEN 10 THEN ('unicode é ' || i)::VARIANT
  ELSE (i::BIGINT)::VARIANT END AS v
FROM range(48) t(i)
"""

CASES = [
    ("events_inferred", EVENTS, ""),
    (
        "events_declared",
        EVENTS,
        ", SHREDDING {'v': 'STRUCT(a BIGINT, b VARCHAR, t STRUCT(u DOUBLE), c VARCHAR[])'}",
    ),
    ("events_as_string", EVENTS, ", SHREDDING {'v': 'VARCHAR'}"),
    ("primitives_inferred", PRIMITIVES, ""),
    ("primitives_as_bigint", PRIMITIVES, ", SHREDDING {'v': 'BIGINT'}"),
]


def main():
    out_dir = sys.argv[1]
    con = duckdb.connect()
    files = []
    for name, query, options in CASES:
        path = os.path.join(out_dir, name + ".parquet")
        con.sql(f"COPY ({query}) TO '{path}' (FORMAT parquet{options})")
        rows = con.sql(
            f"SELECT id, v::JSON, variant_typeof(v) FROM read_parquet('{path}') ORDER BY id"
        ).fetchall()
        files.append(
            {
                "name": name,
                "file": path,
                "rows": [[r[0], r[1]] for r in rows],
                "types": [r[2] for r in rows],
            }
        )
    json.dump({"files": files}, sys.stdout)


if __name__ == "__main__":
    main()
