"""Pseudonymous learner keys: the SQL HMAC the load uses is Python's hmac module's HMAC."""

import hashlib
import hmac

import duckdb
import pytest

from conftest import HS_HEADER, load, query
from etl.identity import learner_id_sql

TEXTS = ["email:sam.roe@example.org", "healthstream:default:777", "", "client:é ü 北京", "x" * 300]


def python_hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


# 64 bytes is SHA-256's block: a key up to it is padded, a longer one is hashed first.
@pytest.mark.parametrize("key", [b"k", b"test-key-not-secret", b"a" * 64, b"b" * 65, b"\xff" * 200])
def test_the_sql_key_is_hmac_sha256_for_short_block_sized_and_long_keys(key):
    expr, params = learner_id_sql(key, "v")
    con = duckdb.connect()
    got = con.execute(
        f"select v, {expr} from (select unnest($texts) as v) order by v",
        {"texts": TEXTS, **params},
    ).fetchall()
    assert got == sorted((t, python_hmac(key, t)) for t in TEXTS)


def test_a_null_id_has_no_key_rather_than_the_key_of_some_text():
    expr, params = learner_id_sql(b"k", "v")
    con = duckdb.connect()
    assert con.execute(f"select {expr} from (select null::varchar as v)", params).fetchall() == [
        (None,)
    ]


def test_a_loaded_learner_is_keyed_by_the_hmac_of_its_namespace_and_id(ref_only, tmp_path):
    path = tmp_path / "hs/260002-transcript-2026-10.csv"
    path.parent.mkdir()
    path.write_text(
        HS_HEADER + "000777,Roe,Sam,Emergency,Registered Nurse,HS-HT101,Human Trafficking 101,"
        "Complete,3/2/2026,95,1.0\n"
    )
    load(path, ref_only)
    [(namespace, learner_id)] = query(ref_only, "select id_namespace, learner_id from learner")
    # Leading zeros are not part of an employee ID (see test_snapshots); the key is over "777".
    assert learner_id == python_hmac(b"test-key-not-secret", f"{namespace}:777")
    assert query(ref_only, "select distinct learner_id from completion") == [(learner_id,)]
