"""Who is looking, and what that viewer may see by name (DESIGN.md section 6).

- collaborative staff: every member hospital by name;
- a state association: its state's hospitals by name, each other state as one anonymized group;
- a health system: its hospitals by name; all other member hospitals as one peer group;
- a hospital: itself by name; all other member hospitals as one peer group.

Peer groups are fixed by the viewer, not by the hospital filters, so no pair of filter settings can
isolate one hospital by subtraction; a group of fewer than MIN_PEERS hospitals is withheld.
"""

from dataclasses import dataclass, replace

import pandas as pd

from queries.filters import HOSPITAL_KEYS, Filters

ROLES = {
    "collaborative": "Collaborative staff",
    "state": "State association",
    "system": "Health system",
    "hospital": "Hospital",
}
MIN_PEERS = 5
PEERS = "Peer hospitals"


class ScopeError(PermissionError):
    pass


@dataclass(frozen=True)
class Viewer:
    role: str
    scope: str | None = None  # state code, health-system name or CCN

    def __post_init__(self):
        if self.role not in ROLES:
            raise ScopeError(f"unknown viewer role {self.role!r}")
        if (self.role == "collaborative") != (self.scope is None):
            raise ScopeError(
                f"a {self.role} viewer needs {'no' if self.scope is None else 'a'} scope"
            )

    @property
    def is_collaborative(self) -> bool:
        return self.role == "collaborative"


COLLABORATIVE = Viewer("collaborative")


class HospitalFrame:
    """The member hospitals of one warehouse version, seen by one viewer."""

    def __init__(self, hospitals: pd.DataFrame, viewer: Viewer):
        self.viewer = viewer
        h = hospitals.set_index("hospital_ccn", drop=False)
        own = {
            "collaborative": pd.Series(True, index=h.index),
            "state": h["state"] == viewer.scope,
            "system": h["health_system"] == viewer.scope,
            "hospital": h["hospital_ccn"] == viewer.scope,
        }[viewer.role]
        if not own.any():
            raise ScopeError(f"{ROLES[viewer.role]} {viewer.scope!r} has no member hospitals")
        self.hospitals = h
        self.own = h[own.fillna(False)]
        self.names = dict(zip(self.own["hospital_ccn"], self.own["hospital_name"], strict=True))
        others = h[~own.fillna(False)]
        if viewer.role == "state":
            labels = "Other hospitals in " + others["state"].astype(str)
        else:
            labels = pd.Series(PEERS, index=others.index, dtype=object)
        sizes = labels.map(labels.value_counts())
        self.groups = labels[sizes >= MIN_PEERS]  # ccn -> group label
        self.withheld = sorted(set(labels[sizes < MIN_PEERS]))
        self.group_sizes = labels.value_counts().to_dict()

    def options(self, key: str) -> list[str]:
        """Values a hospital filter may take for this viewer: only what it may see by name."""
        col = {"hospital": "hospital_ccn"}.get(key, key)
        return sorted(v for v in self.own[col].dropna().unique())

    def sanitize(self, f: Filters) -> Filters:
        """Drop hospital filter values outside the viewer's scope (URLs are user input)."""
        # only set keys are checked: listing a key's options costs more than the query's roll-up
        drop = {
            k: None
            for k in HOSPITAL_KEYS
            if getattr(f, k) is not None and getattr(f, k) not in self.options(k)
        }
        return replace(f, **drop) if drop else f

    def named(self, f: Filters) -> pd.DataFrame:
        sel = self.own
        for key in HOSPITAL_KEYS:
            value = getattr(f, key)
            if value is not None:
                sel = sel[sel["hospital_ccn" if key == "hospital" else key] == value]
        return sel

    def pool_label(self, f: Filters) -> str:
        """The name of the viewer's own hospitals pooled into one row."""
        named = self.named(f)
        if len(named) == 1:
            return str(named["hospital_name"].iloc[0])
        return "Hospitals in view" if self.viewer.is_collaborative else "Your hospitals"

    def ccns(self, f: Filters) -> list[str]:
        """Every CCN a hospital-scoped query may read: named ones and those in shown groups."""
        return sorted(set(self.named(f)["hospital_ccn"]) | set(self.groups.index))
