"""The shared filters: what the sidebar shows, what the URL carries, what every query binds.

Dates are whole months only: a period is a first month and a last month (inclusive), so two
overlapping filters never differ by a few days (DESIGN.md section 6).
"""

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date

# URL parameter names (short, stable: they end up in bookmarks)
URL_KEYS = {
    "state": "state",
    "region": "region",
    "health_system": "system",
    "hospital_type": "type",
    "hospital": "hospital",
    "role": "role",
    "module": "module",
    "period": "period",
    "month_from": "from",
    "month_to": "to",
}
HOSPITAL_KEYS = ("state", "region", "health_system", "hospital_type", "hospital")
LABELS = {  # what the sidebar and the workbooks' Notes call each filter
    "state": "State",
    "region": "Region",
    "health_system": "Health system",
    "hospital_type": "Hospital type",
    "hospital": "Hospital",
    "role": "Staff role",
    "module": "Module",
}
SINCE_LAUNCH = "launch"
CUSTOM = "custom"


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    region: str | None = None
    health_system: str | None = None
    hospital_type: str | None = None
    hospital: str | None = None  # CCN
    role: str | None = None
    module: str | None = None
    period: str = SINCE_LAUNCH  # 'launch', a period_id from the targets file, or 'custom'
    month_from: date | None = None  # only for 'custom'
    month_to: date | None = None

    def to_url(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name == "period" and value == SINCE_LAUNCH):
                continue
            out[URL_KEYS[f.name]] = value.strftime("%Y-%m") if isinstance(value, date) else value
        return out

    @classmethod
    def from_url(cls, params: dict[str, str]) -> "Filters":
        """Anything malformed is dropped, never raised: a URL is user input."""
        kw = {}
        for name, key in URL_KEYS.items():
            value = params.get(key)
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                continue
            if name in ("month_from", "month_to"):
                month = parse_month(value)
                if month:
                    kw[name] = month
            else:
                kw[name] = value.strip()
        return cls(**kw)

    def widened(self, name: str) -> "Filters":
        """The same filters with one of role, module or period set back to 'all'."""
        if name == "period":
            return replace(self, period=SINCE_LAUNCH, month_from=None, month_to=None)
        return replace(self, **{name: None})

    def as_dict(self) -> dict:
        return asdict(self)


def parse_month(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text.strip())
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    month_from: date
    month_to: date  # first day of the last month included


def resolve_period(f: Filters, periods: list[Period], launch: date, last: date) -> Period:
    """The months a filter covers; unknown period ids fall back to 'since launch'."""
    since = Period(SINCE_LAUNCH, "Since launch", month_start(launch), month_start(last))
    if f.period == CUSTOM and f.month_from and f.month_to:
        lo, hi = sorted((month_start(f.month_from), month_start(f.month_to)))
        # never wider than since launch: a range reaching before launch could be set against it
        lo, hi = max(lo, since.month_from), min(hi, since.month_to)
        if lo > hi:
            lo = hi = since.month_to
        return Period(CUSTOM, f"{lo:%b %Y} to {hi:%b %Y}", lo, hi)
    for p in periods:
        if p.key == f.period:
            return p
    return since
