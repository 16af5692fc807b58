"""The runner's faster paths against the definitions they replace, on the demo warehouse.

- The score guards read every role (or program period) in one statement (a UNION ALL of the
  query, one copy per part): each part's cells must equal those of the query run alone.
- Without its score statistics (scores=False) a query skips the guards: every other column and
  its suppression must be as with them.
- knowledge_by_hospital_module sums mart_knowledge_pair: it must equal the query it replaced,
  which joined pre- and post-tests of mart_quiz_learner learner by learner.
"""

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from queries import spec as specs
from queries.filters import CUSTOM, Filters
from queries.runner import PART, Runner, _span
from queries.scope import Viewer

SCORED = [n for n in specs.names() if specs.load(n).means and specs.load(n).scope == "hospital"]
EXTRA = {"policy": "first"}

# the definition before mart_knowledge_pair (runner header and comments left out)
OLD_KNOWLEDGE_BY_HOSPITAL_MODULE = """
with pre as (
    select learner_id, module_id, first_score_pct as pre_pct from mart_quiz_learner
    where phase = 'pre'
),
post as (
    select learner_id, module_id, hospital_ccn, role, first_month, first_score_pct as post_pct
    from mart_quiz_learner
    where phase = 'post'
)
select post.hospital_ccn, post.module_id, count(*) as n_pairs,
       sum(pre.pre_pct) as sum_pre_pct, sum(post.post_pct) as sum_post_pct,
       sum(post.post_pct - pre.pre_pct) as sum_change_pp,
       sum((post.post_pct - pre.pre_pct) ^ 2) as sumsq_change_pp
from post
join pre using (learner_id, module_id)
where list_contains($ccns, post.hospital_ccn)
  and post.first_month between $month_from and $month_to
  and ($role is null or post.role = $role)
  and ($module is null or post.module_id = $module)
group by all
order by post.hospital_ccn, post.module_id
"""


@pytest.fixture(scope="module")
def wh(demo_load):
    return demo_load[0]


@pytest.fixture(scope="module")
def runner(wh):
    return Runner(wh)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["hospital", *(c for c in frame.columns if c.endswith("_id") or c == "phase")]
    return frame.sort_values(keys, ignore_index=True)


@pytest.mark.parametrize("name", SCORED)
@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("partition", ["role", "period"])
def test_one_statement_for_every_part_gives_each_part_its_own_cells(runner, name, pool, partition):
    spec = specs.load(name)
    extra = {k: v for k, v in EXTRA.items() if k in spec.params}
    viewer = Viewer("state", runner.frame().hospitals["state"].iloc[0])
    with runner._cursor() as (cur, att):
        frame = runner._frame(att, viewer)
        if partition == "role":
            f = Filters(role="RN")
            alone = [replace(f, role=r) for r in (None, *att.roles) if r != "RN"]
            parts = [{"role": g.role} for g in alone]
        else:
            f = Filters(period=att.periods[0].key)
            alone = [f.widened("period")] + [replace(f, period=p.key) for p in att.periods[1:]]
            parts = [_span(att.resolve(g)) for g in alone]
        assert len(parts) >= 2
        together, _, _ = runner._cells(
            cur, spec, frame, f, att.resolve(f), extra, pool, False, parts
        )
        for i, g in enumerate(alone):
            own, _, _ = runner._cells(cur, spec, frame, g, att.resolve(g), extra, pool, False)
            mine = together[together[PART] == i].drop(columns=PART)
            pd.testing.assert_frame_equal(
                _ordered(mine[list(own.columns)]),
                _ordered(own),
                check_dtype=False,
            )


@pytest.mark.parametrize("name", [n for n in SCORED if not specs.load(n).detail])
def test_without_its_score_statistics_a_query_gives_every_other_column_as_with_them(wh, name):
    runner = Runner(wh)  # its own cache: other tests count the statements of a first run
    spec = specs.load(name)
    extra = {k: v for k, v in EXTRA.items() if k in spec.params}
    state = runner.frame().hospitals["state"].iloc[0]
    viewers = [Viewer("collaborative"), Viewer("state", state), Viewer("hospital", "260478")]
    filters = [Filters(), Filters(role="RN"), Filters(role="security"), Filters(module="M03")]
    filters += [Filters(period="FY2026"), Filters(role="RN", period="FY2026")]
    guarded = 0
    for viewer in viewers:
        for f in filters:
            for external in (False, True):
                kw = dict(external=external, **extra)
                full = runner.run(name, viewer, f, **kw)
                lean = runner.run(name, viewer, f, scores=False, **kw)
                assert not set(spec.mean_outputs) & set(lean.frame.columns)
                rest = full.frame.drop(columns=list(spec.mean_outputs))
                pd.testing.assert_frame_equal(lean.frame, rest)
                pd.testing.assert_frame_equal(
                    lean.suppressed, full.suppressed.drop(columns=list(spec.mean_outputs))
                )
                guarded += full.frame[list(spec.mean_outputs)].isna().to_numpy().sum()
    assert guarded > 0  # some score statistic was withheld: the guards had work to do


def test_a_histogram_query_keeps_its_score_statistics(runner):
    with pytest.raises(ValueError, match="bins need their score statistics"):
        runner.run("knowledge_gains", scores=False, policy="first")


@pytest.mark.parametrize(
    "role, module, months",
    [
        (None, None, None),
        ("RN", None, None),
        (None, "M03", None),
        ("unrecorded", None, (date(2025, 7, 1), date(2026, 6, 1))),
        ("security", "M01", (date(2025, 1, 1), date(2025, 12, 1))),
    ],
)
def test_knowledge_by_hospital_module_from_its_mart_equals_the_learner_by_learner_join(
    wh, role, module, months
):
    con = duckdb.connect(str(wh), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        ccns = [r[0] for r in con.execute("select hospital_ccn from mart_hospital").fetchall()]
        lo, hi = months or (date(2000, 1, 1), date(2099, 12, 1))
        params = {"ccns": ccns, "role": role, "module": module, "month_from": lo, "month_to": hi}
        new = con.sql(specs.load("knowledge_by_hospital_module").sql, params=params).df()
        old = con.sql(OLD_KNOWLEDGE_BY_HOSPITAL_MODULE, params=params).df()
    finally:
        con.close()
    assert len(old) > 0
    pd.testing.assert_frame_equal(new, old, check_dtype=False, rtol=1e-12)


def test_the_partition_covers_a_custom_range_by_the_unfiltered_figure_alone(runner):
    # a custom range is not a cell of the program-period partition: its guard reads only the
    # unfiltered figure and withholds every score statistic (as before the one-statement path)
    f = Filters(period=CUSTOM, month_from=date(2025, 1, 1), month_to=date(2025, 6, 1))
    res = runner.run("knowledge_by_hospital_module", Viewer("collaborative"), f)
    assert res.suppressed["mean_change_pp"].all()
    assert any("whole program period" in n for n in res.notes)


def _select_list(sql: str) -> str:
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return body.split("\nfrom ")[0]


MODULE_KEYED = [n for n in SCORED if "module_id" in _select_list(specs.load(n).sql)]


@pytest.mark.parametrize("name", MODULE_KEYED)
@pytest.mark.parametrize("pool", [False, True])
def test_a_module_filter_on_a_module_keyed_query_gives_that_modules_cells_without_a_guard(
    runner, monkeypatch, name, pool
):
    # why the module guard is skipped: the filtered cells are the unfiltered query's cells of
    # that module, so no n can differ between the two views
    import queries.runner as runner_module

    spec = specs.load(name)
    extra = {k: v for k, v in EXTRA.items() if k in spec.params}
    viewer = Viewer("collaborative")
    statements = []
    fetch = runner_module._fetch
    monkeypatch.setattr(
        runner_module, "_fetch", lambda *a, **k: statements.append(1) or fetch(*a, **k)
    )
    full = runner.run(name, viewer, Filters(), pool=pool, **extra)
    statements.clear()
    one = runner.run(name, viewer, Filters(module="M03"), pool=pool, **extra)
    assert len(statements) == 1  # the query itself, no guard statement

    def own(res, frame):
        keep = ~res.frame["is_peer_group"].astype(bool) & (res.frame["module_id"] == "M03")
        out = frame[keep.to_numpy()].reset_index(drop=True)
        numeric = out.select_dtypes("number").columns  # Float64 <NA> and float64 NaN alike
        return out.astype(dict.fromkeys(numeric, "float64"))

    assert len(own(one, one.frame)) > 0
    pd.testing.assert_frame_equal(own(one, one.frame), own(full, full.frame))
    pd.testing.assert_frame_equal(own(one, one.suppressed), own(full, full.suppressed))
    if spec.detail:
        mine = lambda d: d[~d["is_peer_group"] & (d["module_id"] == "M03")]  # noqa: E731
        pd.testing.assert_frame_equal(
            mine(one.detail).reset_index(drop=True), mine(full.detail).reset_index(drop=True)
        )


REPLACED = Path(__file__).parent / "fixtures" / "replaced_queries"


@pytest.fixture(scope="module")
def retakes(wh, tmp_path_factory):
    """The demo warehouse with refresher retakes (the demo has none): learner-modules whose last
    completion is 0, 3, 23, 24 or 31 months after the first, and the coverage marts rebuilt."""
    from etl.warehouse import MARTS_SQL

    path = tmp_path_factory.mktemp("retakes") / "w.duckdb"
    shutil.copy(wh, path)
    start = MARTS_SQL.index("-- Training coverage at any month's end")
    marts = MARTS_SQL[start : MARTS_SQL.index("-- Knowledge (DESIGN.md section 5)")]
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "update mart_learner_module set last_completed_month = completed_month "
            "+ to_months([0, 3, 23, 24, 31][(hash(learner_id || module_id) % 5)::bigint + 1]) "
            "where completed_month is not null"
        )
        con.execute(marts)
    finally:
        con.close()
    return path


def _filter_grid(ccns, spans, few):
    """Parameters of a replaced query and its mart-based successor: each (month_from, month_to)
    span x 4 role/module filters, every other span over the first `few` hospitals only."""
    for i, (month_from, month_to) in enumerate(spans):
        for role, module in [(None, None), ("RN", None), (None, "M01"), ("unrecorded", "M03")]:
            yield {
                "ccns": ccns if i % 2 else ccns[:few],
                "role": role,
                "module": module,
                "month_from": month_from,
                "month_to": month_to,
                "as_of": (pd.Timestamp(month_to) + pd.offsets.MonthEnd(0)).date(),
            }


@pytest.mark.parametrize(
    "name",
    ["coverage_by_hospital_role", "coverage_by_hospital_department", "refresher_currency"],
)
def test_coverage_from_its_marts_equals_the_learner_by_learner_query_in_every_month(retakes, name):
    new_sql = specs.load(name).sql
    old_sql = (REPLACED / f"{name}.sql").read_text()
    con = duckdb.connect(str(retakes), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        ccns = [r[0] for r in con.execute("select hospital_ccn from mart_hospital").fetchall()]
        lo, hi = con.execute(
            "select min(completed_month), max(last_completed_month) from mart_learner_module"
        ).fetchall()[0]
        assert con.execute(
            "select count(*) from mart_learner_module where last_completed_month "
            ">= completed_month + interval 24 month"
        ).fetchall()[0][0]
        months = pd.date_range(lo, hi + pd.DateOffset(months=26), freq="4MS").date
        covered = lapsing = 0
        for params in _filter_grid(ccns, [(None, m) for m in months], few=4):
            params = {k: v for k, v in params.items() if f"${k}" in old_sql}
            old = con.execute(old_sql, params).df()
            new = con.execute(new_sql, params).df()
            pd.testing.assert_frame_equal(new, old, check_dtype=False)
            covered += int(old.filter(like="n_").iloc[:, 0].sum())
            lapsing += int(old.get("n_lapsing", pd.Series([0])).sum())
    finally:
        con.close()
    assert covered > 0
    assert lapsing > 0 or name != "refresher_currency"


def test_module_use_from_its_mart_equals_the_learner_by_learner_query(wh):
    name = "utilization_by_hospital_module"
    new_sql = specs.load(name).sql
    old_sql = (REPLACED / f"{name}.sql").read_text()
    con = duckdb.connect(str(wh), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        ccns = [r[0] for r in con.execute("select hospital_ccn from mart_hospital").fetchall()]
        lo, hi = con.execute(
            "select min(started_month), max(completed_month) from mart_learner_module"
        ).fetchall()[0]
        months = list(pd.date_range(lo, hi, freq="5MS").date) + [hi]
        spans = [(lo, hi), *zip(months, months[1:], strict=False), (hi, hi), (months[2], hi)]
        checked = 0
        for params in _filter_grid(ccns, spans, few=5):
            old = con.execute(old_sql, params).df()
            new = con.execute(new_sql, params).df()
            pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12)
            checked += int(old["n_completed"].sum() + old["n_started"].sum())
    finally:
        con.close()
    assert checked > 1000


@pytest.mark.parametrize("name", ["unattributed_learners", "unattributed_downloads"])
def test_the_unattributed_lists_from_their_marts_equal_the_queries_over_the_base_tables(wh, name):
    con = duckdb.connect(str(wh), read_only=True)
    try:
        old = con.execute((REPLACED / f"{name}.sql").read_text()).df()
        new = con.execute(specs.load(name).sql).df()
    finally:
        con.close()
    assert len(old) > 0
    pd.testing.assert_frame_equal(new, old)
