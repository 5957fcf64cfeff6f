"""Writes nested Parquet files with pyarrow and DuckDB, each with its records as JSON.

Usage: write_fixtures.py OUT_DIR

For every case writes OUT_DIR/<case>.parquet and OUT_DIR/<case>.ndjson (the records the
file holds, in shred's canonical JSON, converted from the in-memory Arrow table the writer
was given, not read back from the file) and prints a manifest on stdout:

  {"cases": [{"name", "dataset", "writer", "file", "records", "rows", "compression",
              "row_group_size", "data_page_version", "dictionary_fallback", "encodings",
              "page_index", "page_checksum"}]}

Datasets (each covers the nulls and empties of every level it has):
  document   the Dremel paper's Document records r1, r2 (Figure 2), as Arrow lists
  contact    the Contact schema with all five definition states of phones.list.item.number
  lists      list<list<int32>>: null/empty outer list, null/empty inner list, null element
  maps       map<string, list<int64>>: null/empty map, null/empty/holey value list
  structs    struct<struct<int32>>: null outer, null inner, null leaf, present
  types      one column per physical type (bool, int8/32/64, uint32/64, float, double with
             NaN and infinities, string, non-UTF-8 binary, fixed_size_binary), nested in a list
  temporal   timestamp[ns] and date32, top-level and inside list<struct>, with values
             before the epoch and near the ends of the range (INT96 in the int96 variant)
  bulk       6000 contacts cycling through the five states, unique numbers, for several row
             groups, many pages and (pyarrow) dictionary fallback to plain

Writers: pyarrow (snappy pages v1; zstd with data page v2; uncompressed with 2-record row
groups; gzip, data page v2, no dictionary, DELTA_BINARY_PACKED / DELTA_BYTE_ARRAY /
BYTE_STREAM_SPLIT, page checksums and the page index; lz4 with DELTA_LENGTH_BYTE_ARRAY;
brotli without statistics; INT96 timestamps; bulk: 1000-record row groups, and with the dictionary on a
512-byte dictionary page limit, so the number column falls back from dictionary to plain)
and DuckDB (snappy; zstd with PARQUET_VERSION V2, i.e. delta encodings; uncompressed; bulk:
ROW_GROUP_SIZE 2048).
"""

import json
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from shredkit_json import arrow_record, dumps

# --- datasets -----------------------------------------------------------------------------

STRING = pa.string()


def document():
    language = pa.struct([pa.field("Code", STRING, nullable=False), pa.field("Country", STRING)])
    name = pa.struct(
        [
            pa.field("Language", pa.list_(pa.field("Language", language, nullable=False)), nullable=False),
            pa.field("Url", STRING),
        ]
    )
    links = pa.struct(
        [
            pa.field("Backward", pa.list_(pa.field("Backward", pa.int64(), nullable=False)), nullable=False),
            pa.field("Forward", pa.list_(pa.field("Forward", pa.int64(), nullable=False)), nullable=False),
        ]
    )
    schema = pa.schema(
        [
            pa.field("DocId", pa.int64(), nullable=False),
            pa.field("Links", links),
            pa.field("Name", pa.list_(pa.field("Name", name, nullable=False)), nullable=False),
        ]
    )
    rows = [
        {
            "DocId": 10,
            "Links": {"Backward": [], "Forward": [20, 40, 60]},
            "Name": [
                {"Language": [{"Code": "en-us", "Country": "us"}, {"Code": "en", "Country": None}], "Url": "http://A"},
                {"Language": [], "Url": "http://B"},
                {"Language": [{"Code": "en-gb", "Country": "gb"}], "Url": None},
            ],
        },
        {
            "DocId": 20,
            "Links": {"Backward": [10, 30], "Forward": [80]},
            "Name": [{"Language": [], "Url": "http://C"}],
        },
    ]
    return schema, rows


CONTACT = pa.schema(
    [
        pa.field("name", STRING),
        pa.field("phones", pa.list_(pa.struct([pa.field("number", STRING), pa.field("phone_type", STRING)]))),
    ]
)


def contact():
    rows = [
        {"name": "null list", "phones": None},
        {"name": "empty list", "phones": []},
        {"name": "null item", "phones": [None]},
        {"name": "null number", "phones": [{"number": None, "phone_type": "Work"}]},
        {"name": None, "phones": [{"number": "+91-0000000001", "phone_type": "Mobile"}]},
        {
            "name": "all five",
            "phones": [
                None,
                {"number": None, "phone_type": None},
                {"number": "+91-0000000002", "phone_type": None},
                {"number": "+91-0000000003", "phone_type": "Home"},
            ],
        },
    ]
    return CONTACT, rows


def lists():
    schema = pa.schema([pa.field("id", pa.int32(), nullable=False), pa.field("matrix", pa.list_(pa.list_(pa.int32())))])
    matrices = [None, [], [None], [[]], [[None]], [[1, 2], [3]], [None, [], [None, 4], [5]], [[6], None]]
    return schema, [{"id": i, "matrix": m} for i, m in enumerate(matrices)]


def maps():
    schema = pa.schema([pa.field("id", pa.int32(), nullable=False), pa.field("tags", pa.map_(STRING, pa.list_(pa.int64())))])
    values = [
        None,
        [],
        [("a", None)],
        [("b", [])],
        [("c", [None])],
        [("d", [1, 2]), ("e", [3]), ("f", None), ("g", [])],
        [("h", [None, -9223372036854775808, 9223372036854775807])],
    ]
    return schema, [{"id": i, "tags": v} for i, v in enumerate(values)]


def structs():
    inner = pa.struct([pa.field("x", pa.int32())])
    schema = pa.schema([pa.field("id", pa.int32(), nullable=False), pa.field("outer", pa.struct([pa.field("inner", inner)]))])
    # Not -2**31 next to 5: DuckDB 1.5.6 computes INT32 deltas in 64 bits (PARQUET_VERSION
    # V2), which pyarrow and arrow-rs both reject as corrupt (see tests/README.md).
    values = [None, {"inner": None}, {"inner": {"x": None}}, {"inner": {"x": 5}}, {"inner": {"x": -1000000}}]
    return schema, [{"id": i, "outer": v} for i, v in enumerate(values)]


def types():
    item = pa.struct(
        [
            pa.field("b", pa.bool_()),
            pa.field("i8", pa.int8()),
            pa.field("u32", pa.uint32()),
            pa.field("u64", pa.uint64()),
            pa.field("f", pa.float32()),
            pa.field("bin", pa.binary()),
            pa.field("fixed", pa.binary(4)),
        ]
    )
    schema = pa.schema(
        [
            pa.field("i32", pa.int32()),
            pa.field("i64", pa.int64()),
            pa.field("d", pa.float64()),
            pa.field("s", STRING),
            pa.field("items", pa.list_(item)),
        ]
    )
    full = {
        "b": True,
        "i8": -128,
        "u32": 4294967295,
        "u64": 18446744073709551615,
        "f": 1.5,
        "bin": b"\xff\x00\xfe",
        "fixed": b"abcd",
    }
    empty = {k: None for k in full}
    rows = [
        {"i32": None, "i64": None, "d": None, "s": None, "items": None},
        {"i32": 1, "i64": -1, "d": 0.25, "s": "h\u00e9llo \u2603", "items": [full, empty, None]},
        {"i32": -7, "i64": 1 << 40, "d": float("nan"), "s": "", "items": []},
        {"i32": 0, "i64": 0, "d": float("inf"), "s": "\"quoted\"\n", "items": [dict(full, b=False, bin=b"text", fixed=b"\x00\x01\x02\x03")]},
        {"i32": 2147483647, "i64": 7, "d": float("-inf"), "s": "x", "items": [empty]},
    ]
    return schema, rows


def temporal():
    # Values are given as integers in the column's unit (nanoseconds, days), which is also
    # their canonical JSON: shred prints TIMESTAMP/DATE leaves as the stored integer and
    # INT96 as nanoseconds since the epoch.
    event = pa.struct([pa.field("at", pa.timestamp("ns")), pa.field("day", pa.date32())])
    schema = pa.schema(
        [
            pa.field("id", pa.int32(), nullable=False),
            pa.field("created", pa.timestamp("ns")),
            pa.field("events", pa.list_(event)),
        ]
    )
    ns = [0, -1, 1_704_164_645_678_901_234, -9_000_000_000_000_000_001, 9_000_000_000_000_000_000]
    rows = [
        {"id": 0, "created": None, "events": None},
        {"id": 1, "created": ns[2], "events": []},
        {"id": 2, "created": ns[0], "events": [None, {"at": None, "day": None}]},
        {"id": 3, "created": ns[1], "events": [{"at": ns[3], "day": -1}, {"at": ns[4], "day": 19724}]},
    ]
    raw = pa.schema(
        [
            pa.field("id", pa.int32(), nullable=False),
            pa.field("created", pa.int64()),
            pa.field("events", pa.list_(pa.struct([pa.field("at", pa.int64()), pa.field("day", pa.int32())]))),
        ]
    )
    return schema, rows, raw


PHONE_TYPES = ["Mobile", "Work", "Home", None]


def bulk():
    rows = []
    for i in range(6000):
        state = i % 6
        name = None if i % 7 == 0 else f"Name {i % 50}"
        if state == 0:
            phones = None
        elif state == 1:
            phones = []
        else:
            phones = []
            for k in range(1 + i % 4):
                if (i + k) % 9 == 0:
                    phones.append(None)
                else:
                    number = None if (i + k) % 11 == 0 else f"+91-{i * 16 + k:010d}"
                    phones.append({"number": number, "phone_type": PHONE_TYPES[(i + k) % 4]})
        rows.append({"name": name, "phones": phones})
    return CONTACT, rows


DATASETS = {
    "document": document,
    "contact": contact,
    "lists": lists,
    "maps": maps,
    "structs": structs,
    "types": types,
    "temporal": temporal,
    "bulk": bulk,
}

# --- writers ------------------------------------------------------------------------------

# Options of pq.write_table besides compression; "encodings" picks per-column encodings
# by physical type (dictionary off): "delta" (DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY,
# BYTE_STREAM_SPLIT) or "delta-length" (the same with DELTA_LENGTH_BYTE_ARRAY).
PYARROW_VARIANTS = [
    {"name": "snappy", "compression": "snappy"},
    {"name": "zstd-v2", "compression": "zstd", "data_page_version": "2.0"},
    {"name": "none", "compression": "none", "row_group_size": 2},
    {
        "name": "delta-gzip-v2",
        "compression": "gzip",
        "data_page_version": "2.0",
        "encodings": "delta",
        "write_page_checksum": True,
        "write_page_index": True,
    },
    {"name": "delta-length-lz4", "compression": "lz4", "encodings": "delta-length", "write_page_checksum": True},
    {"name": "brotli", "compression": "brotli", "write_statistics": False},
    {"name": "int96", "compression": "snappy", "use_deprecated_int96_timestamps": True},
]

DUCKDB_VARIANTS = [
    # name, compression, extra COPY options
    ("snappy", "snappy", ""),
    ("zstd-v2", "zstd", ", PARQUET_VERSION V2"),
    ("none", "uncompressed", ""),
]

ENCODINGS = {
    "delta": {
        "INT32": "DELTA_BINARY_PACKED",
        "INT64": "DELTA_BINARY_PACKED",
        "BYTE_ARRAY": "DELTA_BYTE_ARRAY",
        "FIXED_LEN_BYTE_ARRAY": "DELTA_BYTE_ARRAY",
        "FLOAT": "BYTE_STREAM_SPLIT",
        "DOUBLE": "BYTE_STREAM_SPLIT",
    },
    "delta-length": {
        "INT32": "DELTA_BINARY_PACKED",
        "INT64": "DELTA_BINARY_PACKED",
        "BYTE_ARRAY": "DELTA_LENGTH_BYTE_ARRAY",
        "FLOAT": "BYTE_STREAM_SPLIT",
        "DOUBLE": "BYTE_STREAM_SPLIT",
    },
}


def column_encodings(table, path, kind):
    """Per-leaf encodings of `kind` for the columns `table` gives when written to `path`."""
    pq.write_table(table, path)
    schema = pq.ParquetFile(path).schema
    by_type = ENCODINGS[kind]
    leaves = (schema.column(i) for i in range(len(schema)))
    return {c.path: by_type[c.physical_type] for c in leaves if c.physical_type in by_type}


def write_pyarrow(table, path, variant, row_group_size, fallback):
    options = {k: v for k, v in variant.items() if k not in ("name", "encodings", "row_group_size")}
    if "encodings" in variant:
        options["use_dictionary"] = False
        options["column_encoding"] = column_encodings(table, path, variant["encodings"])
    if fallback:
        options.update(dictionary_pagesize_limit=512, data_page_size=4096)
    pq.write_table(table, path, row_group_size=row_group_size, **options)


def without_fixed_size_binary(typ):
    """`typ` with every fixed_size_binary replaced by binary, recursively.

    DuckDB has no fixed-size binary type (it writes BLOBs either way), and DuckDB 1.5.6
    writes zeros for a fixed_size_binary value inside list<struct> after two nulls, so the
    DuckDB writer gets the values as binary (see tests/README.md).
    """
    if pa.types.is_fixed_size_binary(typ):
        return pa.binary()
    if pa.types.is_list(typ):
        return pa.list_(typ.value_field.with_type(without_fixed_size_binary(typ.value_type)))
    if pa.types.is_struct(typ):
        return pa.struct([f.with_type(without_fixed_size_binary(f.type)) for f in typ])
    if pa.types.is_map(typ):
        return pa.map_(typ.key_field, typ.item_field.with_type(without_fixed_size_binary(typ.item_type)))
    return typ


def write_duckdb(table, path, compression, extra, row_group_size):
    schema = pa.schema([f.with_type(without_fixed_size_binary(f.type)) for f in table.schema])
    con = duckdb.connect()
    con.register("source", table.cast(schema))
    rg = f", ROW_GROUP_SIZE {row_group_size}" if row_group_size else ""
    quoted = path.replace("'", "''")
    con.execute(f"COPY (SELECT * FROM source) TO '{quoted}' (FORMAT parquet, COMPRESSION {compression}{rg}{extra})")
    con.close()


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    for dataset, make in DATASETS.items():
        schema, rows, *raw = make()
        # A dataset with temporal columns also gives the schema of their stored integers:
        # the rows are built in that view, cast to the real types for writing, and the
        # records are taken from the integer view (to_pylist would give datetimes).
        view = raw[0] if raw else schema
        raw_table = pa.Table.from_pylist(rows, schema=view)
        table = raw_table.cast(schema)
        records = [arrow_record(row, view) for row in raw_table.to_pylist()]
        is_bulk = dataset == "bulk"
        variants = [("pyarrow", v) for v in PYARROW_VARIANTS] + [("duckdb", v) for v in DUCKDB_VARIANTS]
        for writer, variant in variants:
            if writer == "pyarrow":
                variant_name, compression = variant["name"], variant["compression"]
                row_group_size = 1000 if is_bulk else variant.get("row_group_size")
                page_version = variant.get("data_page_version", "1.0")
                dictionary = "encodings" not in variant
            else:
                variant_name, compression, extra = variant
                row_group_size = 2048 if is_bulk else None
                page_version = "1.0"
                dictionary = True
            name = f"{dataset}.{writer}-{variant_name}"
            if row_group_size:
                name += f"-rg{row_group_size}"
            path = os.path.join(out_dir, name + ".parquet")
            records_path = os.path.join(out_dir, name + ".ndjson")
            fallback = is_bulk and writer == "pyarrow" and dictionary
            if writer == "pyarrow":
                write_pyarrow(table, path, variant, row_group_size, fallback)
            else:
                write_duckdb(table, path, compression, extra, row_group_size)
            with open(records_path, "w", encoding="utf-8") as f:
                for record in records:
                    f.write(dumps(record))
                    f.write("\n")
            cases.append(
                {
                    "name": name,
                    "dataset": dataset,
                    "writer": writer,
                    "file": path,
                    "records": records_path,
                    "rows": len(records),
                    "compression": compression,
                    "row_group_size": row_group_size,
                    "data_page_version": page_version,
                    "dictionary_fallback": fallback,
                    "encodings": variant.get("encodings") if writer == "pyarrow" else None,
                    "page_index": writer == "pyarrow" and variant.get("write_page_index", False),
                    "page_checksum": writer == "pyarrow" and variant.get("write_page_checksum", False),
                }
            )
    json.dump({"cases": cases}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
