"""The one door to the warehouse for pages and exports.

One in-memory root connection ATTACHes each warehouse version READ_ONLY under its own alias; every
query runs on its own cursor with `USE <alias>`. When the ETL swaps a new file in (os.replace), the
next query attaches it and new queries move there; the old alias is detached once no query uses it,
so queries in flight finish on the version they started on (DESIGN.md section 7).

`run()` binds the viewer's scope and the shared filters, rolls up what the viewer may not see by
name, applies suppression after aggregation, stamps the result with its version and caches it on
(version, query, viewer, filters).
"""

import copy
import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from etl.config import warehouse_path
from etl.warehouse import has_marts
from queries import spec as specs
from queries import suppress
from queries.filters import CUSTOM, Filters, Period, month_end, resolve_period
from queries.scope import COLLABORATIVE, MIN_PEERS, HospitalFrame, ScopeError, Viewer
from queries.spec import RELEASED

NARROWING = ("role", "module", "period")


class WarehouseMissing(FileNotFoundError):
    pass


class WarehouseOutdated(RuntimeError):
    """The warehouse's marts were built by another version of etl/marts.sql."""


@dataclass
class Result:
    frame: pd.DataFrame  # withheld cells are <NA>
    suppressed: pd.DataFrame  # True where a cell is withheld (shown as `<11`)
    version: str
    built_at: object
    period: Period | None = None
    filters: Filters | None = None
    notes: list[str] = field(default_factory=list)
    data_ms: float = 0.0
    detail: pd.DataFrame | None = None  # a detail spec's bins, of released cells only
    # the cached result this is a copy of, and statistics computed from it (Result.derive)
    _origin: "Result | None" = field(default=None, repr=False, compare=False)
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return self.frame.empty

    def derive(self, fn):
        """fn(frame, detail) of the cached result, computed once: a page seen again with the
        same filters reuses its statistics as it reuses the query. Computed on copies of the
        cached frames (a caller may have relabelled its own) and returned as a copy."""
        src = self._origin or self
        key = f"{fn.__module__}.{fn.__qualname__}"
        if key not in src._derived:
            detail = None if src.detail is None else src.detail.copy()
            src._derived[key] = fn(src.frame.copy(), detail)
        return copy.deepcopy(src._derived[key])

    def fresh(self) -> "Result":
        """A copy for the caller: pages relabel columns, and the cached result must not change."""
        return replace(
            self,
            frame=self.frame.copy(),
            suppressed=self.suppressed.copy(),
            notes=list(self.notes),
            detail=None if self.detail is None else self.detail.copy(),
            _origin=self._origin or self,
        )


@dataclass
class _Attached:
    alias: str
    stat: tuple
    version: str
    built_at: object
    hospitals: pd.DataFrame
    periods: list[Period]
    launch: date
    last_month: date
    roles: tuple[str, ...]
    refs: int = 0

    def resolve(self, f: Filters) -> Period:
        return resolve_period(f, self.periods, self.launch, self.last_month)


class Runner:
    def __init__(
        self, warehouse: str | Path | None = None, cache_size: int = 512, memo_size: int = 64
    ):
        self.path = Path(warehouse_path(warehouse))
        self._root = duckdb.connect(
            ":memory:",
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        self._lock = threading.RLock()
        self._seq = 0
        self._current: _Attached | None = None
        self._cache: OrderedDict = OrderedDict()
        self._memo: OrderedDict = OrderedDict()
        self._cache_size = cache_size
        self._memo_size = memo_size
        self._frames: dict = {}

    # connection ---------------------------------------------------------------------------------
    def _refresh(self) -> _Attached:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise WarehouseMissing(f"no warehouse at {self.path}") from None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._current is not None and self._current.stat == key:
            return self._current
        self._seq += 1
        alias = f"wh_{self._seq}"  # our own identifier, never user input
        quoted = str(self.path).replace("'", "''")
        self._root.execute(f"attach '{quoted}' as {alias} (read_only)")
        cur = self._root.cursor()
        try:
            _use(cur, alias)
            att = _Attached(alias, key, *self._describe(cur))
        except Exception:
            cur.close()
            # an unreadable build (e.g. one made before the marts existed) must not stay attached:
            # every later call would attach it again under a new alias
            self._root.execute(f"detach {alias}")
            raise
        cur.close()
        old, self._current = self._current, att
        if old is not None and old.refs == 0:
            self._detach(old)
        self._frames.clear()
        return att

    @staticmethod
    def _describe(cur) -> tuple:
        if not has_marts(cur):
            raise WarehouseOutdated(
                "the warehouse's marts were built by another version of etl/marts.sql: load it "
                "again (python -m etl load with the same folders; unchanged files only rebuild "
                "the marts), or make run"
            )
        meta = cur.execute("select version, built_at from warehouse_meta limit 1").fetchall()
        version, built_at = meta[0] if meta else ("(empty)", None)
        hospitals = _fetch(cur, specs.load("hospitals"), {})
        periods = [
            Period(r.period_id, r.label, r.month_from, r.month_to)
            for r in _fetch(cur, specs.load("periods"), {}).itertuples()
        ]
        extent = _fetch(cur, specs.load("data_extent"), {}).iloc[0]
        today = date.today().replace(day=1)
        launch = extent["launch_month"] if pd.notna(extent["launch_month"]) else today
        last = extent["last_month"] if pd.notna(extent["last_month"]) else today
        roles = tuple(_fetch(cur, specs.load("roles"), {})["role"])
        return version, built_at, hospitals, periods, launch, max(last, launch), roles

    def _detach(self, att: _Attached) -> None:
        self._root.execute(f"detach {att.alias}")

    @contextmanager
    def _cursor(self):
        with self._lock:
            att = self._refresh()
            att.refs += 1
            cur = self._root.cursor()
        try:
            _use(cur, att.alias)
            yield cur, att
        finally:
            cur.close()
            with self._lock:
                att.refs -= 1
                if att is not self._current and att.refs == 0:
                    self._detach(att)

    # public API ---------------------------------------------------------------------------------
    def version(self) -> tuple[str, object]:
        with self._cursor() as (_, att):
            return att.version, att.built_at

    def frame(self, viewer: Viewer = COLLABORATIVE) -> HospitalFrame:
        with self._cursor() as (_, att):
            return self._frame(att, viewer)

    def periods(self) -> tuple[list[Period], date, date]:
        with self._cursor() as (_, att):
            return att.periods, att.launch, att.last_month

    def memo(self, key: tuple, fn):
        """fn(), computed once per warehouse version and key and served as a copy: what a page
        derives from several cached results (as Result.derive does from one) is reused when the
        view is seen again. `key` must name everything fn reads besides the warehouse: fn reads
        its inputs itself, through this runner, rather than taking frames from an earlier call
        (which may come from the version before a swap)."""
        with self._cursor() as (_, att):
            full = (att.version, att.alias, *key)
        with self._lock:
            hit = full in self._memo
            if hit:
                self._memo.move_to_end(full)
                value = self._memo[full]
        if hit:
            return copy.deepcopy(value)  # outside the lock: other sessions' queries go on
        # if a new version arrives while fn runs, the value is kept under the old version's
        # key, which no later call asks for (keys are made from the version attached then)
        value = fn()
        with self._lock:
            self._memo[full] = value
            while len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
        return copy.deepcopy(value)

    def clear_cache(self) -> None:
        """Forget every cached result and derived value (the warehouse stays attached)."""
        with self._lock:
            self._cache.clear()
            self._memo.clear()

    def run(
        self,
        name: str,
        viewer: Viewer = COLLABORATIVE,
        filters: Filters | None = None,
        pool: bool = False,
        external: bool = False,
        scores: bool = True,
        **extra,
    ) -> Result:
        """`pool`: the viewer's own hospitals as one row (peer groups stay as they are).
        `external`: for outside audiences (DESIGN.md section 6): staff counts of 1-10 are
        withheld in every row, the viewer's own hospitals included.
        `scores=False`: the caller reads no score statistics (mean.), so they are left out, and
        so are the statements that guard them under a role or period filter; every other column
        is as with them, since each column's suppression is decided on its own."""
        spec = specs.load(name)
        if not scores and spec.detail:
            raise ValueError(f"{name}: a histogram query's bins need their score statistics")
        if spec.scope == "collaborative" and not viewer.is_collaborative:
            raise ScopeError(f"{name} is for collaborative staff only")
        t0 = time.perf_counter()
        with self._cursor() as (cur, att):
            frame = self._frame(att, viewer)
            f = frame.sanitize(filters or Filters())
            key = (
                att.version,
                att.alias,
                name,
                viewer,
                f,
                pool,
                external,
                scores,
                tuple(sorted(extra.items())),
            )
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
            if hit is not None:
                served = hit.fresh()
                served.data_ms = (
                    time.perf_counter() - t0
                ) * 1000  # this call's time, not the miss's
                return served
            period = att.resolve(f)
            if spec.scope == "hospital":
                out, mask, notes, detail = self._scoped(
                    cur, att, spec, frame, f, period, extra, pool, external, scores
                )
            else:
                out = _fetch(cur, spec, _bind(spec, period, f, None, extra))
                mask, notes = pd.DataFrame(False, index=out.index, columns=out.columns), []
                detail = None
            result = Result(out, mask, att.version, att.built_at, period, f, notes, detail=detail)
        result.data_ms = (time.perf_counter() - t0) * 1000
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result.fresh()

    # internals ----------------------------------------------------------------------------------
    def _frame(self, att: _Attached, viewer: Viewer) -> HospitalFrame:
        key = (att.alias, viewer)
        with self._lock:
            if key not in self._frames:
                self._frames[key] = HospitalFrame(att.hospitals, viewer)
            return self._frames[key]

    def _rolled(
        self,
        cur,
        spec,
        frame: HospitalFrame,
        f: Filters,
        period: Period,
        extra,
        pool,
        cells_only=False,
        parts=None,
    ):
        """The query's rows per hospital the viewer may name (or pooled into one row), and per
        peer group, with each cell's count of contributing hospitals; then the derived means.
        `parts` (see _parts_sql): one statement for several values of a filter, its rows keyed
        by PART as well, so every part is rolled up exactly as if run alone."""
        named = frame.named(f)
        params = _bind(spec, period, f, frame.ccns(f), extra)
        sql = spec.sql
        if parts is not None:
            sql, params = _parts_sql(spec, params, parts)
        if cells_only:
            sql = _cells_sql(spec, sql)
        raw = _fetch(cur, spec, params, sql)
        keys = [c for c in raw.columns if c != "hospital_ccn" and c not in spec.rollup]
        cell = [k for k in keys if k not in spec.detail]
        shown = list(spec.counts + spec.measures)
        active = raw[shown].fillna(0).ne(0).any(axis=1)
        first = ~raw.assign(_a=active).duplicated(["hospital_ccn", *cell, "_a"])
        raw["_contributors"] = (active & first).astype("int64")  # once per hospital and cell
        names = named.set_index("hospital_ccn")["hospital_name"]
        mine = raw[raw["hospital_ccn"].isin(names.index)].copy()
        if pool and spec.stats_n:
            mine = mine[~_small_parts(mine, spec, cell)]
        if pool:
            mine["hospital"] = label = frame.pool_label(f)
            mine = self._group(mine, spec, keys, False, {label: len(names)})
        else:
            mine.insert(1, "hospital", mine["hospital_ccn"].map(names))
            mine.insert(2, "is_peer_group", False)
            mine.insert(3, "n_hospitals", 1)
            mine["_contributors"] = 1
        rest = raw[raw["hospital_ccn"].isin(frame.groups.index)].copy()
        rest["hospital"] = rest["hospital_ccn"].map(frame.groups)
        grouped = self._group(rest, spec, keys, True, frame.group_sizes)
        out = pd.concat([mine, grouped[list(mine.columns)]], ignore_index=True)
        out["hospital_ccn"] = out["hospital_ccn"].astype(object)
        for col in spec.additive:
            out[col] = pd.to_numeric(out[col])
        for name, s, n in spec.means:
            if s:
                out[name] = (out[s] / out[n].where(out[n] > 0)).astype("float64")
        for name, a, b in spec.pcts:
            out[name] = (100 * out[a] / out[b].where(out[b] > 0)).astype("float64")
        return out, keys

    @staticmethod
    def _group(rows: pd.DataFrame, spec, keys, is_peer: bool, sizes: dict) -> pd.DataFrame:
        # the guards' statements sum the bins away in DuckDB and carry no extremes
        how = {c: h for c, h in spec.rollup.items() if c in rows.columns} | {"_contributors": "sum"}
        grouped = rows.groupby(["hospital", *keys], dropna=False, sort=True)[list(how)]
        extremes = set(how.values()) - {"sum"}
        grouped = (grouped.agg(how) if extremes else grouped.sum()).reset_index()
        grouped.insert(0, "hospital_ccn", None)
        grouped.insert(2, "is_peer_group", is_peer)
        grouped.insert(3, "n_hospitals", grouped["hospital"].map(sizes))
        return grouped

    def _cells(self, cur, spec, frame, f, period, extra, pool, bins=True, parts=None):
        """_rolled, with a detail spec's bins summed into one row per cell (and kept aside, or,
        for the guards, which need only each cell's n, summed by DuckDB before they arrive)."""
        if spec.detail and not bins:
            out, keys = self._rolled(
                cur, spec, frame, f, period, extra, pool, cells_only=True, parts=parts
            )
            out[RELEASED] = 1.0
            return out, keys, None
        out, keys = self._rolled(cur, spec, frame, f, period, extra, pool, parts=parts)
        if not spec.detail:
            if spec.stats_n:  # each row is a whole cell
                out[RELEASED] = 1.0
            return out, keys, None
        cell = [k for k in keys if k not in spec.detail]
        ids = ["hospital_ccn", "hospital", "is_peer_group", "n_hospitals"]
        cells = (
            out.groupby([*ids, *cell], dropna=False, sort=False)[[*spec.additive, "_contributors"]]
            .sum()
            .reset_index()
        )
        cells["hospital_ccn"] = cells["hospital_ccn"].astype(object)
        cells[RELEASED] = 1.0
        return cells, cell, out

    def _scoped(
        self,
        cur,
        att,
        spec,
        frame: HospitalFrame,
        f,
        period: Period,
        extra,
        pool,
        external=False,
        scores=True,
    ):
        out, keys, bins = self._cells(cur, spec, frame, f, period, extra, pool)
        outside = out["is_peer_group"]
        mask = suppress.primary(out, outside | external, spec)
        notes = [
            f"{g}: withheld (fewer than {MIN_PEERS} hospitals, so it could identify one)"
            for g in frame.withheld
        ]
        narrowed = [n for n in NARROWING if f.widened(n) != f and _narrows(spec, n)]
        staff = [*spec.counts, *spec.mean_outputs]
        if narrowed and outside.any() and staff:
            # A narrower peer figure could be subtracted from the full one (or from another
            # narrow one): peers are benchmarks for all roles and modules since launch only.
            mask.loc[outside, staff] = True
            notes.append(
                "Peer figures about staff are shown for all roles and modules since launch only: "
                "under a role, module or period filter they could be subtracted from each other."
            )
        if narrowed and spec.means and scores:
            # Under a module filter a query keyed by module returns whole cells, the same as the
            # unfiltered query's cells of that module: no n differs, so no guard is needed.
            guarded = [n for n in narrowed if not (n == "module" and "module_id" in keys)]
            for name in guarded:
                self._guard_scores(
                    cur, att, spec, frame, f, name, out, mask, keys, extra, pool, notes
                )
        if pool and spec.stats_n and len(frame.named(f)) > 1:
            notes.append(
                "Pooled figures leave out any of your hospitals with 1-10 learners in a cell "
                "(or in a part of it), so that no two views can be subtracted to reveal them."
            )
        few = outside & out["_contributors"].between(1, MIN_PEERS - 1)
        if few.any():
            mask.loc[few, [*spec.counts, *spec.measures, *spec.mean_outputs]] = True
            notes.append(
                f"Peer cells with activity at fewer than {MIN_PEERS} hospitals are withheld."
            )
        suppress.complementary(mask, out, "hospital", keys, spec)
        suppress.derived(mask, spec)
        left_out = () if scores else spec.mean_outputs
        hidden = [
            c
            for c in (*spec.sums, *spec.mins, *spec.maxs, *left_out, "_contributors")
            if c in out.columns
        ]
        out = suppress.apply(out, mask).drop(columns=hidden)
        mask = mask.drop(columns=hidden)
        if bins is not None:
            ids = ["hospital", *keys]
            ok = out.loc[out[RELEASED].notna(), ids]
            bins = bins.merge(ok, on=ids, how="inner").drop(columns="_contributors")
        return out, mask, notes, bins

    def _guard_scores(self, cur, att, spec, frame, f, name, out, mask, keys, extra, pool, notes):
        """Score statistics under a role or period filter: withheld when the unfiltered figure,
        or any other cell of the same partition (every role; every program period and what lies
        outside them), rests on 1-10 learners more or fewer, since n x mean could be subtracted."""
        row_keys = ["hospital", *keys]
        wide_f = f.widened(name)
        wide_p = att.resolve(wide_f)
        partitioned = name == "role" or (
            name == "period" and f.period != CUSTOM and _disjoint(att.periods)
        )
        if not partitioned:  # a module, or a period that is not one of disjoint program periods
            wide, _, _ = self._cells(cur, spec, frame, wide_f, wide_p, extra, pool, False)
            suppress.across_filters(mask, out, wide, row_keys, spec)
            if name == "period":
                mask.loc[:, list(spec.mean_outputs)] = True
                notes.append(
                    "Score statistics are shown since launch or for a whole program period."
                )
            return
        if name == "role":
            parts = [{"role": r} for r in (None, *(r for r in att.roles if r != f.role))]
        else:
            others = [p for p in att.periods if p.key != f.period]
            parts = [_span(p) for p in (wide_p, *others)]
        # One statement for the unfiltered figure (part 0) and every other cell of the partition
        # instead of one each: the same rows, rolled up per part as a statement of its own would.
        cells, _, _ = self._cells(cur, spec, frame, f, att.resolve(f), extra, pool, False, parts)
        wide = cells[cells[PART] == 0].drop(columns=PART).reset_index(drop=True)
        suppress.across_filters(mask, out, wide, row_keys, spec)
        suppress.small_neighbours(mask, out, cells[cells[PART] > 0], row_keys, spec)
        if name == "period":  # the months before, between or after the program periods
            split = [cells[cells[PART] == i] for i in range(1, len(parts))]
            suppress.small_remainder(mask, out, wide, [out, *split], row_keys, spec)


def _use(cur, alias: str) -> None:
    cur.execute(f"use {alias}")  # alias is the runner's own wh_<n>, never user input
    cur.execute("set TimeZone = 'UTC'")


def _disjoint(periods) -> bool:
    spans = sorted((p.month_from, p.month_to) for p in periods)
    return all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))


def _narrows(spec, name: str) -> bool:
    if name == "period":
        return bool({"month_from", "month_to", "as_of"} & set(spec.params))
    return name in spec.params


BOUND = ("ccns", "role", "module", "month_from", "month_to", "as_of")


def _bind(spec, period: Period, f: Filters, ccns, extra) -> dict:
    """The runner's own values, never a caller's: scope and filters go through their checks."""
    wrong = [k for k in extra if k in BOUND or k not in spec.params]
    if wrong:
        raise TypeError(f"{spec.name}.sql: {wrong} cannot be passed; use the viewer and filters")
    values = {
        "ccns": ccns,
        "role": f.role,
        "module": f.module,
        "month_from": period.month_from,
        "month_to": period.month_to,
        "as_of": month_end(period.month_to),
        **extra,
    }
    missing = [p for p in spec.params if p not in values]
    if missing:
        raise TypeError(f"{spec.name}.sql needs parameters {missing}")
    return {p: values[p] for p in spec.params}


def _small_parts(rows: pd.DataFrame, spec, cell: list[str]) -> pd.Series:
    """Rows of (hospital, cell)s that may not join a pooled row: the cell's learners, or any
    count the query splits them by, number 1-10 at that hospital. Any two pools (hospital
    filters, or a pool against per-hospital figures) then differ by whole hospitals with at least
    11 learners in each such part, so no difference describes fewer than 11 learners."""
    n = spec.stats_n
    parts = [c for c in spec.counts if c != n]
    per = rows.groupby(["hospital_ccn", *cell], dropna=False)[[n, *parts]].transform("sum")
    return per.apply(lambda col: col.between(1, suppress.THRESHOLD - 1)).any(axis=1)


def _span(p: Period) -> dict:
    return {"month_from": p.month_from, "month_to": p.month_to, "as_of": month_end(p.month_to)}


PART = "_part"  # the number of the part a row of a partitioned statement belongs to
_PART_PARAM = re.compile(r"\$(role|month_from|month_to|as_of)\b")


def _parts_sql(spec, params: dict, parts: list[dict]) -> tuple[str, dict]:
    """The query once per part in one statement: a UNION ALL of its body, each copy reading the
    filter values its part sets ($role, or $month_from, $month_to and $as_of) from parameters of
    its own, its rows labelled PART (0, 1, ...). One statement and one roll-up instead of one
    each; each copy keeps its constant filter, which DuckDB pushes into the scan (a LATERAL join
    over a list of parts would be one scan, but with `$role is null or role = $role` turned into a
    nested-loop join over every part). Values stay bound: only parameter names are rewritten."""
    names = set(parts[0]) & set(spec.params)
    body = specs.strip_comments(spec.sql)
    bound = {k: v for k, v in params.items() if k not in names}
    copies = []
    for i, part in enumerate(parts):
        copies.append(
            f"select *, {i} as {PART} from ("
            + _PART_PARAM.sub(lambda m, i=i: f"$_p{i}_{m[1]}" if m[1] in names else m[0], body)
            + ")"
        )
        bound.update({f"_p{i}_{k}": v for k, v in part.items() if k in names})
    return "\nunion all\n".join(copies), bound


def _cells_sql(spec, sql: str | None = None) -> str:
    """A detail spec's query with its bins summed away in DuckDB: one row per hospital and cell."""
    body = specs.strip_comments(sql or spec.sql)
    # the guards read only the counts; sums of scores stay as DuckDB sums them
    sums = ", ".join(
        f"sum({c})::bigint as {c}" if c in spec.counts else f"sum({c}) as {c}"
        for c in spec.additive
    )
    drop = ", ".join((*spec.detail, *spec.rollup))
    return f"select * exclude ({drop}), {sums} from ({body}) group by all"


def _fetch(cur, spec, params: dict, sql: str | None = None) -> pd.DataFrame:
    # Through Arrow: DuckDB 2.0 .df() trips a pandas 3.1 deprecation on TIMESTAMPTZ columns.
    return cur.sql(sql or spec.sql, params=params).to_arrow_table().to_pandas()
