"""Nested files for `shred-gen --profile`, and what an independent reader sees in any file.

Usage: profile_files.py write OUT_DIR
       profile_files.py stats FILE...

`write` writes the same 20 000 records with pyarrow (OUT_DIR/nested.pyarrow.parquet, row
groups of 6000) and with DuckDB (OUT_DIR/nested.duckdb.parquet) and prints their paths as a
JSON list. Columns: `a` a list with null, empty and null-element states; `b` a list of
structs holding a list; `m` a map; `c` three nested lists; `s` strings with about 1500
distinct values, a few of them frequent; `price` decimal(12,2), `day` date32, `ts`
timestamp[us, UTC] and `score` float64, all with nulls; `id` int64, never null. The
top-level fields carry field ids 1, 2, … (pyarrow writes them, DuckDB does not).

`stats` reads each FILE with pyarrow and prints one JSON document:

  {"files": [{"file", "rows", "arrow_schema",
              "columns": [{"path", "def": {level: entries}, "rep": {level: entries},
                           "entries", "distinct"}]}]}

`arrow_schema` is `pq.read_schema(FILE)` printed with its field and schema metadata. The
levels of every leaf column are computed here from the Arrow values (the Dremel
shredding of the Parquet format's "Nested Encoding": an optional node adds one to the
definition level when present, a repeated node one when it has an element, and each
element after a list's first repeats at that list's depth), not read from the file, so
they check the file's levels independently of shredkit's and of the Parquet readers'
level decoding. `distinct` counts the distinct non-null values of the leaf.
"""

import json
import os
import random
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 20000


def nested_table():
    rng = random.Random(7)

    def maybe(p, f):
        return None if rng.random() < p else f()

    def lst(p_null, p_empty, n, item):
        def make():
            if rng.random() < p_empty:
                return []
            return [item() for _ in range(rng.randint(1, n))]

        return maybe(p_null, make)

    names = [f"user-{i:04d}-{'x' * (i % 7)}" for i in range(1500)]
    frequent = ["alpha", "beta", "gamma"]

    def name():
        r = rng.random()
        if r < 0.3:
            return frequent[0]
        if r < 0.4:
            return frequent[1]
        if r < 0.45:
            return frequent[2]
        return rng.choice(names)

    epoch = datetime(2020, 1, 1, tzinfo=timezone.utc)
    columns = {
        "id": pa.array(range(ROWS), type=pa.int64()),
        "a": [lst(0.2, 0.1, 4, lambda: maybe(0.15, lambda: rng.randint(0, 99))) for _ in range(ROWS)],
        "b": [
            lst(0.1, 0.05, 3, lambda: maybe(0.1, lambda: {
                "x": maybe(0.3, lambda: rng.randint(0, 9)),
                "tags": lst(0.2, 0.2, 2, lambda: rng.choice(["p", "q", "r"]))}))
            for _ in range(ROWS)
        ],
        "m": pa.array(
            [
                maybe(0.25, lambda: [(k, maybe(0.1, lambda: rng.randint(0, 5)))
                                     for k in rng.sample(["k1", "k2", "k3", "k4", "k5"], rng.randint(0, 5))])
                for _ in range(ROWS)
            ],
            type=pa.map_(pa.string(), pa.int64()),
        ),
        "c": [
            lst(0.1, 0.1, 2, lambda: lst(0.1, 0.1, 2, lambda: lst(0.1, 0.1, 3,
                lambda: maybe(0.1, lambda: rng.randint(0, 3)))))
            for _ in range(ROWS)
        ],
        "s": pa.array([maybe(0.05, name) for _ in range(ROWS)], type=pa.string()),
        "price": pa.array(
            [maybe(0.1, lambda: Decimal(rng.randint(50, 99999)) / 100) for _ in range(ROWS)],
            type=pa.decimal128(12, 2),
        ),
        "day": pa.array(
            [maybe(0.1, lambda: date(2019, 1, 1) + timedelta(days=rng.randint(0, 800))) for _ in range(ROWS)],
            type=pa.date32(),
        ),
        "ts": pa.array(
            [maybe(0.1, lambda: epoch + timedelta(microseconds=rng.randint(0, 10**13))) for _ in range(ROWS)],
            type=pa.timestamp("us", tz="UTC"),
        ),
        "score": pa.array([maybe(0.2, lambda: rng.gauss(50, 10)) for _ in range(ROWS)], type=pa.float64()),
    }
    table = pa.table(columns)
    # Field ids on the top-level fields (pyarrow writes them into the Parquet schema).
    with_ids = pa.schema(
        [f.with_metadata({"PARQUET:field_id": str(i + 1)}) for i, f in enumerate(table.schema)]
    )
    return pa.Table.from_arrays(table.columns, schema=with_ids)


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    table = nested_table()
    by_pyarrow = os.path.join(out_dir, "nested.pyarrow.parquet")
    pq.write_table(table, by_pyarrow, row_group_size=6000)
    by_duckdb = os.path.join(out_dir, "nested.duckdb.parquet")
    con = duckdb.connect()
    con.register("source", table)
    quoted = by_duckdb.replace("'", "''")
    con.execute(f"COPY (SELECT * FROM source) TO '{quoted}' (FORMAT parquet)")
    con.close()
    print(json.dumps([by_pyarrow, by_duckdb]))


def leaf_steps(typ, steps):
    """The leaves under a type: for each, the struct field names and map sides leading to it."""
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return leaf_steps(typ.value_type, steps)
    if pa.types.is_map(typ):
        return [steps + ["key"]] + leaf_steps(typ.item_type, steps + ["value"])
    if pa.types.is_struct(typ):
        out = []
        for i in range(typ.num_fields):
            field = typ.field(i)
            out += leaf_steps(field.type, steps + [field.name])
        return out
    return [steps]


def shred(value, typ, nullable, steps, r, d, depth, entries, values):
    """Appends the (r, d) entries of one leaf for `value`, and its present values."""
    if nullable:
        if value is None:
            entries.append((r, d))
            return
        d += 1
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_map(typ):
        if len(value) == 0:
            entries.append((r, d))
            return
        for i, item in enumerate(value):
            at = r if i == 0 else depth + 1
            if pa.types.is_map(typ):
                key, val = item
                if steps[0] == "key":
                    shred(key, typ.key_type, typ.key_field.nullable, steps[1:], at, d + 1, depth + 1, entries, values)
                else:
                    shred(val, typ.item_type, typ.item_field.nullable, steps[1:], at, d + 1, depth + 1, entries, values)
            else:
                shred(item, typ.value_type, typ.value_field.nullable, steps, at, d + 1, depth + 1, entries, values)
        return
    if pa.types.is_struct(typ):
        field = typ.field(steps[0])
        shred(value[steps[0]], field.type, field.nullable, steps[1:], r, d, depth, entries, values)
        return
    entries.append((r, d))
    values.add(value)


def stats(path):
    table = pq.read_table(path)
    schema = pq.read_schema(path)
    columns = []
    for field in table.schema:
        rows = table.column(field.name).to_pylist()
        for steps in leaf_steps(field.type, []):
            entries, values = [], set()
            for row in rows:
                shred(row, field.type, field.nullable, steps, 0, 0, 0, entries, values)
            defs, reps = {}, {}
            for r, d in entries:
                defs[d] = defs.get(d, 0) + 1
                reps[r] = reps.get(r, 0) + 1
            columns.append({
                "path": ".".join([field.name] + steps),
                "def": defs,
                "rep": reps,
                "entries": len(entries),
                "distinct": len(values),
            })
    return {
        "file": path,
        "rows": table.num_rows,
        "arrow_schema": schema.to_string(show_field_metadata=True, show_schema_metadata=True),
        "columns": columns,
    }


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "stats":
        print(json.dumps({"files": [stats(p) for p in sys.argv[2:]]}))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
