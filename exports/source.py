"""What a workbook is built from: one viewer's scope, one set of filters, one audience.

The scope is captured when the export is asked for and never widened afterwards: every figure
comes through the query runner, which applies the viewer's scope and suppression. For an outside
audience the runner withholds every staff count of 1-10 (own hospitals included) and this module
replaces the names of the viewer's own hospitals by codes; peer groups keep their anonymous labels.
"""

import random
from dataclasses import dataclass, field

import pandas as pd

from queries.filters import Filters
from queries.runner import Result, Runner
from queries.scope import ROLES, Viewer

AUDIENCES = {
    "internal": "Internal (the association's staff): hospitals named",
    "external": "External (members, funders): hospitals anonymized, all counts of 1-10 withheld",
}
THIS_HOSPITAL = "This hospital"


@dataclass
class Source:
    runner: Runner
    viewer: Viewer
    filters: Filters
    audience: str = "internal"
    policy: str = "first"  # which quiz attempt the knowledge figures use
    wave: str | None = None  # the protocol survey wave shown (None: the latest)
    _labels: dict = field(default_factory=dict, init=False)

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
        frame = self.runner.frame(self.viewer)
        self.filters = frame.sanitize(self.filters)
        self.version, self.built_at = self.runner.version()
        named = frame.named(self.filters)
        names = dict(zip(named["hospital_ccn"], named["hospital_name"], strict=True))
        self.own_names = sorted(names.values())
        self.pool_label = frame.pool_label(self.filters)
        if self.external:
            # Codes in a random order drawn anew for each workbook: anything derived from public
            # data (CCNs, names, the version printed in Notes) could be recomputed by a reader,
            # and codes shared by two workbooks would let their rows be linked.
            order = sorted(names)
            random.SystemRandom().shuffle(order)
            width = len(str(len(order)))
            self._labels = {
                names[c]: (THIS_HOSPITAL if len(order) == 1 else f"Hospital {i:0{width}d}")
                for i, c in enumerate(order, start=1)
            }
            self._labels[self.pool_label] = (
                THIS_HOSPITAL if len(order) == 1 else "Hospitals in this report"
            )

    @property
    def external(self) -> bool:
        return self.audience == "external"

    @property
    def who(self) -> str:
        label = ROLES[self.viewer.role]
        if self.viewer.scope is None:
            return label
        if self.external and self.viewer.role == "hospital":
            return f"{label}: {THIS_HOSPITAL}"
        if self.external and self.viewer.role == "system":
            return f"{label} (anonymized)"
        if self.viewer.role == "hospital":
            return f"{label}: {self.own_names[0]} ({self.viewer.scope})"
        return f"{label}: {self.viewer.scope}"

    def run(self, name: str, filters: Filters | None = None, totals=False, **kw) -> Result:
        """totals: the sheet shows only sums over this result's rows (per hospital, per role),
        so an outside audience's small counts are withheld on those sums (reports._swept), not
        here: a role's headcount of 7 would otherwise withhold its hospital's total of 400."""
        f = self.filters if filters is None else filters
        external = self.external and not totals
        return self.runner.run(name, self.viewer, f, external=external, **kw)

    def catalog(self, name: str) -> pd.DataFrame:
        """A query about no hospital (modules, roles, elements)."""
        return self.runner.run(name).frame

    def label(self, hospital: str) -> str:
        return self._labels.get(hospital, hospital)

    def relabel(self, frame: pd.DataFrame, column: str = "hospital") -> pd.DataFrame:
        if column in frame.columns and self._labels:
            frame = frame.assign(**{column: frame[column].map(self.label)})
        return frame
