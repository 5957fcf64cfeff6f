"""Values read by pyarrow and DuckDB, converted to shred's canonical JSON records.

shred's convention (shred/src/record.rs): groups are objects with every field present, in
schema order; LISTs and repeated fields are arrays; a MAP is an array of {"key", "value"}
objects in file order; leaves by physical type: integers as integers (unsigned as their
logical value), floats as numbers or "NaN" / "Infinity" / "-Infinity", bytes as a string
when they are UTF-8 and else as an array of byte values. Both converters are driven by the
reader's own types, never by guessing from the Python value (a DuckDB MAP and STRUCT are
both Python dicts).
"""

import datetime
import json
import math

import pyarrow as pa


def _float(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _bytes(b):
    try:
        return bytes(b).decode("utf-8")
    except UnicodeDecodeError:
        return list(bytes(b))


_EPOCH_DATE = datetime.date(1970, 1, 1)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6}


def _unscaled(d):
    """A decimal's unscaled integer (the reader's decimals carry the column's scale)."""
    sign, digits, _ = d.as_tuple()
    n = int("".join(map(str, digits)) or "0")
    return -n if sign else n


def _since_epoch(t, per_second):
    """A timestamp as an integer count of its unit since the epoch (UTC when naive)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    delta = t - _EPOCH
    return (delta.days * 86400 + delta.seconds) * per_second + delta.microseconds * per_second // 10**6


def arrow_value(value, typ):
    """Canonical JSON of one pyarrow `to_pylist` value of Arrow type `typ`."""
    if value is None:
        return None
    if pa.types.is_dictionary(typ):
        return arrow_value(value, typ.value_type)
    if pa.types.is_map(typ):
        return [
            {"key": arrow_value(k, typ.key_type), "value": arrow_value(v, typ.item_type)}
            for k, v in value
        ]
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        return [arrow_value(v, typ.value_type) for v in value]
    if pa.types.is_struct(typ):
        return {
            typ.field(i).name: arrow_value(value.get(typ.field(i).name), typ.field(i).type)
            for i in range(typ.num_fields)
        }
    if pa.types.is_floating(typ):
        return _float(value)
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_fixed_size_binary(typ):
        return _bytes(value)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return value
    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
        return value
    # Logical types as their physical values: DECIMAL on INT32/INT64 as the unscaled
    # integer, DATE as days, TIMESTAMP as units since the epoch, UUID as its 16 bytes.
    if pa.types.is_decimal(typ):
        return _unscaled(value)
    if pa.types.is_date32(typ):
        return (value - _EPOCH_DATE).days
    if pa.types.is_timestamp(typ) and typ.unit in _PER_SECOND:
        return _since_epoch(value, _PER_SECOND[typ.unit])
    if isinstance(typ, pa.BaseExtensionType):
        return arrow_value(getattr(value, "bytes", value), typ.storage_type)
    raise TypeError(f"no canonical JSON for Arrow type {typ}")


def arrow_record(row, schema):
    """Canonical JSON of one `to_pylist` row of a table with Arrow `schema`."""
    return {f.name: arrow_value(row.get(f.name), f.type) for f in schema}


def duckdb_value(value, typ):
    """Canonical JSON of one value DuckDB's Python client fetched, of DuckDBPyType `typ`."""
    if value is None:
        return None
    kind = typ.id
    if kind == "map":
        (_, key_type), (_, value_type) = typ.children
        return [
            {"key": duckdb_value(k, key_type), "value": duckdb_value(v, value_type)}
            for k, v in value.items()
        ]
    if kind in ("list", "array"):
        ((_, child),) = typ.children
        return [duckdb_value(v, child) for v in value]
    if kind == "struct":
        return {name: duckdb_value(value.get(name), child) for name, child in typ.children}
    if kind in ("float", "double"):
        return _float(value)
    if kind == "blob":
        return _bytes(value)
    if kind in (
        "varchar",
        "boolean",
        "tinyint",
        "smallint",
        "integer",
        "bigint",
        "utinyint",
        "usmallint",
        "uinteger",
        "ubigint",
    ):
        return value
    if kind == "decimal":
        return _unscaled(value)
    if kind == "date":
        return (value - _EPOCH_DATE).days
    if kind in ("timestamp", "timestamp with time zone"):
        return _since_epoch(value, 10**6)
    if kind == "uuid":
        return _bytes(value.bytes)
    raise TypeError(f"no canonical JSON for DuckDB type {typ}")


def dumps(record):
    """One NDJSON line."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
