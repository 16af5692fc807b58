"""No names or full e-mail addresses anywhere in the warehouse."""

import re

from conftest import query

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+\.[A-Za-z]")
# Every personal name in the fixtures (first and last), as whole words.
NAMES = [
    "Ann",
    "Lee",
    "Bo",
    "Diaz",
    "Cy",
    "Dee",
    "Di",
    "Eve",
    "Flo",
    "O’Brien",
    "Hal",
    "Gee",
    "Jo",
    "Ivy",
    "Lu",
    "Kay",
    "Mo",
    "Ned",
    "Pat",
    "Ray",
]
NAME = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")


def text_cells(warehouse):
    columns = query(
        warehouse,
        """select table_name, column_name from information_schema.columns
                                  where data_type = 'VARCHAR' and table_schema = 'main'""",
    )
    assert len(columns) > 60
    for table, column in columns:
        for (value,) in query(
            warehouse, f'select distinct "{column}" from {table} where "{column}" is not null'
        ):
            yield table, column, value


def test_no_text_column_holds_an_email_address(loaded):
    hits = [(t, c, v) for t, c, v in text_cells(loaded) if EMAIL.search(v)]
    assert hits == []


def test_no_text_column_holds_a_personal_name(loaded):
    hits = [(t, c, v) for t, c, v in text_cells(loaded) if NAME.search(v)]
    assert hits == []


def test_rejected_rows_keep_the_domain_but_mask_the_person(loaded):
    records = [r for (r,) in query(loaded, "select record_masked from rejected_row")]
    assert any('"Email address": "***@beta.org"' in r for r in records)
    assert any('"Last Name": "***"' in r for r in records)
