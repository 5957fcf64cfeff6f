"""Runs the shredding-pipeline study's queries in DuckDB on a Contact Parquet file.

Usage: duckdb_queries.py FILE

Prints one JSON object of counts, each from one SQL query over read_parquet(FILE):

  rows                count(*)
  null_lists          rows where len(phones) IS NULL (a null list has no length)
  empty_lists         rows where len(phones) = 0 (an empty list has length 0)
  phones              sum(len(phones)): list items, null items included
  unnest_rows         rows of the recursive UNNEST of phones (one per list item; a null
                      item gives a row of NULLs; null and empty lists give none)
  unnest_numbers      non-null numbers among them
  left_join_rows      rows of `contacts c LEFT JOIN UNNEST(c.phones) AS p(phone) ON true`:
                      one per item, and one (with a NULL phone) for a contact whose
                      list is null or empty
  left_join_contacts  distinct contacts (file_row_number) in that join: every contact
  left_join_no_phone  rows of the join whose phone is NULL (null/empty lists, null items)
  by_phone_type       {"Mobile": n, "Work": n, "Home": n, "null": n}: UNNEST of phones
                      grouped by phone_type; "null" counts null items and null types
"""

import json
import sys

import duckdb


def main():
    path = sys.argv[1]
    con = duckdb.connect()
    quoted = path.replace("'", "''")
    con.execute(f"CREATE VIEW contacts AS SELECT * FROM read_parquet('{quoted}', file_row_number = true)")
    join = "contacts c LEFT JOIN UNNEST(c.phones) AS p(phone) ON true"

    def one(sql):
        (value,) = con.execute(sql).fetchone()
        return 0 if value is None else int(value)

    result = {
        "rows": one("SELECT count(*) FROM contacts"),
        "null_lists": one("SELECT count(*) FROM contacts WHERE len(phones) IS NULL"),
        "empty_lists": one("SELECT count(*) FROM contacts WHERE len(phones) = 0"),
        "phones": one("SELECT sum(len(phones)) FROM contacts"),
        "unnest_rows": one("SELECT count(*) FROM (SELECT UNNEST(phones, recursive := true) FROM contacts)"),
        "unnest_numbers": one(
            "SELECT count(number) FROM (SELECT UNNEST(phones, recursive := true) FROM contacts)"
        ),
        "left_join_rows": one(f"SELECT count(*) FROM {join}"),
        "left_join_contacts": one(f"SELECT count(DISTINCT c.file_row_number) FROM {join}"),
        "left_join_no_phone": one(f"SELECT count(*) FROM {join} WHERE p.phone IS NULL"),
        "by_phone_type": {
            ("null" if t is None else t): n
            for t, n in con.execute(
                "SELECT phone.phone_type, count(*) FROM (SELECT UNNEST(phones) AS phone FROM contacts) "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        },
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
