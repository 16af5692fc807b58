"""What the runner needs to know about a .sql file, read from its header.

Every query starts with 2-3 comment lines (purpose, grain, parameters) and one `-- runner:` line:

    -- runner: scope=hospital counts=n_started,n_completed measures=n_downloads
    --         mean.mean_pre_pct=sum_pre_pct/n_pairs pct.completion_rate_pct=n_completed/n_started

scope   hospital: rows carry hospital_ccn; the runner binds $ccns and rolls up what the viewer
                  may not see by name into anonymized groups;
        collaborative: only collaborative staff may run it; public: no hospital data at all.
counts  numbers of staff: shown within the viewer's scope, `<11` outside it when 1-10.
measures  additive numbers that are not about staff (downloads, elements, hospitals).
sums    sufficient statistics (summed across hospitals, never shown).
min, max  extremes of a value (the least and the greatest across hospitals, never shown): with
        them a spread of exactly zero is told from the rounding error of a sum of squares.
mean.X=S/N  X = S / N, a score statistic: `<11` when N < 11.
pct.X=A/B   X = 100 * A / B, suppressed when A or B is.
follow.X=Y  X (a measure that would give Y away, like contact hours per module) is withheld with Y.
detail=A,B  key columns inside a statistic (histogram bins of scores): summed across hospitals like
            the rest, but suppression is decided per cell (the other keys), and a withheld cell's
            rows never leave the runner. Needs stats=N.
stats=N     the cell's statistics rest on N learners: `released` is withheld (score statistic
            rules) when N < 11, and the analysis layer computes the figures from the bins. A
            pooled row leaves out a hospital whose cell has 1-10 learners. Without detail= each
            row is a whole cell: figures come from its means, pooled under the same rule.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent
SCOPES = {"hospital", "collaborative", "public"}
RELEASED = "released"  # 1 where a stats spec's cell may be analysed, <NA> where withheld
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class Spec:
    name: str
    sql: str
    scope: str
    params: tuple[str, ...]
    counts: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    mins: tuple[str, ...] = ()
    maxs: tuple[str, ...] = ()
    means: tuple[tuple[str, str, str], ...] = ()  # (output, sum column, n column)
    pcts: tuple[tuple[str, str, str], ...] = ()  # (output, numerator, denominator)
    follows: tuple[tuple[str, str], ...] = ()  # (column, the column it is withheld with)
    detail: tuple[str, ...] = ()  # histogram bins inside each cell
    header: tuple[str, ...] = field(default=(), compare=False)

    @property
    def additive(self) -> tuple[str, ...]:
        return self.counts + self.measures + self.sums

    @property
    def rollup(self) -> dict[str, str]:
        """How each value column is rolled up across hospitals and bins."""
        return (
            dict.fromkeys(self.additive, "sum")
            | dict.fromkeys(self.mins, "min")
            | dict.fromkeys(self.maxs, "max")
        )

    @property
    def stats_n(self) -> str | None:
        """A detail spec's n column (stats=N): the learners its cells' statistics rest on."""
        return next((n for out, _, n in self.means if out == RELEASED), None)

    @property
    def mean_outputs(self) -> tuple[str, ...]:
        return tuple(out for out, _, _ in self.means)


def names() -> list[str]:
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))


@cache
def load(name: str) -> Spec:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SpecError(f"not a query name: {name!r}")
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise SpecError(f"no query {name!r} in {SQL_DIR}")
    return parse(name, path.read_text())


def parse(name: str, sql: str) -> Spec:
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line[2:].strip())
    runner_at = [i for i, h in enumerate(header) if h.startswith("runner:")]
    if not runner_at or runner_at[0] < 2:
        raise SpecError(
            f"{name}.sql: header needs 2-3 lines (purpose, grain, parameters) and a "
            "'-- runner:' line"
        )
    opts = " ".join(header[runner_at[0] :])[len("runner:") :].split()
    kw: dict = {
        "counts": (),
        "measures": (),
        "sums": (),
        "min": (),
        "max": (),
        "detail": (),
        "means": [],
        "pcts": [],
        "follows": [],
    }
    scope = None
    for opt in opts:
        key, _, value = opt.partition("=")
        if key == "scope":
            scope = value
        elif key in ("counts", "measures", "sums", "min", "max", "detail"):
            kw[key] = tuple(v for v in value.split(",") if v)
        elif key == "stats":
            kw["means"].append((RELEASED, "", value))
        elif key.startswith("follow."):
            kw["follows"].append((key.split(".", 1)[1], value))
        elif key.startswith(("mean.", "pct.")):
            kind, out = key.split(".", 1)
            a, _, b = value.partition("/")
            if not (a and b):
                raise SpecError(f"{name}.sql: {opt!r} should read {kind}.OUT=A/B")
            kw[kind + "s"].append((out, a, b))
        else:
            raise SpecError(f"{name}.sql: unknown runner option {opt!r}")
    if kw["detail"] and not any(out == RELEASED for out, _, _ in kw["means"]):
        raise SpecError(f"{name}.sql: detail= needs stats=")
    if scope not in SCOPES:
        raise SpecError(f"{name}.sql: scope must be one of {sorted(SCOPES)}, not {scope!r}")
    params = tuple(dict.fromkeys(_PARAM.findall(strip_comments(sql))))
    if scope == "hospital" and "ccns" not in params:
        raise SpecError(f"{name}.sql: a hospital-scoped query must filter on $ccns")
    return Spec(
        name=name,
        sql=sql,
        scope=scope,
        params=params,
        counts=kw["counts"],
        measures=kw["measures"],
        sums=kw["sums"],
        mins=kw["min"],
        maxs=kw["max"],
        means=tuple(kw["means"]),
        pcts=tuple(kw["pcts"]),
        follows=tuple(kw["follows"]),
        detail=kw["detail"],
        header=tuple(header[: runner_at[0]]),
    )


def strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
