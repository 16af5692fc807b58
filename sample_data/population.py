"""The staff population of a tier: one row per person, built once and shared by every writer.

Columns: person, hosp (row of the hospital table), ccn, state, kind, region, role, job_title,
department, employee_id, first_name, last_name, email, system (the LMS the person's hospital
uses), lms_email (the address of the person's LMS account), ability, reach_logit.
Later sources (HR headcount XLSX, toolkit logs, REDCap survey) take the same frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalog, names
from .fmt import rng_for
from .reference import SYSTEM_DOMAIN

# Which LMS a hospital's staff use, by state (Heartland hospitals: HealthStream).
STATE_SYSTEM = {"MO": "mha", "KS": "kha", "NE": "nha", "IL": "iha"}
KIND_SIZE = {"acute": 1.0, "cah": 0.18, "childrens": 1.3, "psych": 0.35}
KIND_REACH = {"acute": 0.0, "cah": -0.9, "childrens": 0.3, "psych": -0.6}
SYSTEM_REACH = {"mha": 0.2, "healthstream": 0.3, "kha": -0.1, "nha": 0.0, "iha": -0.3}


def _role_shares(kind: str) -> np.ndarray:
    share = {r[0]: r[4] for r in catalog.ROLES}
    if kind == "psych":  # no ED; more social work and nursing assistants
        share.update(
            ed_tech_emt=0.0,
            social_worker=0.08,
            cna_pct=0.2,
            physician=0.05,
            respiratory_therapist=0.0,
            registration=0.04,
        )
    elif kind == "cah":  # few physicians on staff, APPs cover the ED
        share.update(physician=0.03, APP=0.07, social_worker=0.01)
    elif kind == "childrens":
        share.update(social_worker=0.04, security=0.025)
    p = np.array([share[r] for r in catalog.ROLE_IDS], dtype=float)
    return p / p.sum()


def build_staff(hosp: pd.DataFrame, n_staff: int, seed: int) -> pd.DataFrame:
    rng = rng_for(seed, "staff")
    nh = len(hosp)
    kinds = hosp["kind"].to_numpy()
    size = np.array([KIND_SIZE[k] for k in kinds]) * rng.lognormal(0.0, 0.45, nh)
    counts = np.maximum(25, np.round(size / size.sum() * n_staff)).astype(int)
    h = np.repeat(np.arange(nh), counts)
    n = len(h)

    staff = pd.DataFrame({"person": np.arange(n), "hosp": h})
    for col in ("ccn", "state", "kind", "region", "heartland", "is_member"):
        staff[col] = hosp[col].to_numpy()[h]

    role = np.empty(n, dtype=object)
    for kind in np.unique(kinds):
        sel = kinds[h] == kind
        role[sel] = rng.choice(catalog.ROLE_IDS, size=int(sel.sum()), p=_role_shares(kind))
    staff["role"] = role.astype(str)

    title = np.empty(n, dtype=object)
    dept = np.empty(n, dtype=object)
    for r in catalog.ROLE_IDS:
        sel = staff["role"].to_numpy() == r
        titles = [(t, w) for t, rr, w, _ in catalog.JOB_TITLES if rr == r]
        w = np.array([x[1] for x in titles])
        title[sel] = rng.choice([x[0] for x in titles], size=int(sel.sum()), p=w / w.sum())
        dept[sel] = rng.choice(catalog.ROLE_DEPARTMENTS[r], size=int(sel.sum()))
    staff["job_title"] = title.astype(str)
    staff["department"] = dept.astype(str)

    staff["first_name"], staff["last_name"] = _names(rng, staff["state"].to_numpy())
    staff["employee_id"] = _employee_ids(rng, staff["heartland"].to_numpy())

    # Per-hospital and per-region engagement: the coverage map must not be flat.
    hosp_eff = rng.normal(0.0, 0.45, nh)
    regions = sorted(set(zip(hosp["state"], hosp["region"], strict=True)))
    region_eff = dict(zip(regions, rng.normal(0.0, 0.35, len(regions)), strict=True))
    reg = np.array([region_eff[(s, r)] for s, r in zip(hosp["state"], hosp["region"], strict=True)])
    system = np.where(
        staff["heartland"], "healthstream", staff["state"].map(STATE_SYSTEM).to_numpy()
    )
    staff["system"] = system
    staff["reach_logit"] = (
        hosp_eff[h]
        + reg[h]
        - 2.5 * ~staff["is_member"].to_numpy()
        + np.array([KIND_REACH[k] for k in kinds])[h]
        + staff["role"].map(catalog.ROLE_REACH).to_numpy()
        + pd.Series(system).map(SYSTEM_REACH).to_numpy()
    )
    staff["ability"] = staff["role"].map(catalog.ROLE_ABILITY).to_numpy() + rng.normal(0.0, 0.8, n)

    staff["email"] = _emails(rng, staff, hosp)
    staff["lms_email"] = _lms_emails(rng, staff)
    return staff


def _names(rng: np.random.Generator, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(state)
    first = np.array(names.FIRST)
    last = np.array(names.LAST)
    fw = np.array(names.FIRST_W) / sum(names.FIRST_W)
    lw = np.array(names.LAST_W) / sum(names.LAST_W)
    fi = rng.choice(len(first), size=n, p=fw)
    li = rng.choice(len(last), size=n, p=lw)
    # Kansas staff: only names cp1252 can encode (one KHA file is re-saved as cp1252).
    ks = state == "KS"
    ok_f = np.array([names.cp1252_ok(x) for x in first])
    ok_l = np.array([names.cp1252_ok(x) for x in last])
    bad = ks & ~(ok_f[fi] & ok_l[li])
    fi[bad] = rng.choice(np.flatnonzero(ok_f), size=int(bad.sum()))
    li[bad] = rng.choice(np.flatnonzero(ok_l), size=int(bad.sum()))
    # A few more O’Briens in Kansas so the cp1252 file is sure to show the U+2019 apostrophe.
    obrien = names.LAST.index("O’Brien")
    li[ks & (rng.random(n) < 0.012)] = obrien
    return first[fi], last[li]


def _employee_ids(rng: np.random.Generator, heartland: np.ndarray) -> np.ndarray:
    """Six-digit IDs; Heartland's (HealthStream tenant) from a low range: many leading zeros."""
    n = len(heartland)
    ids = rng.choice(np.arange(100_000, 1_000_000), size=n, replace=False)
    k = int(heartland.sum())
    ids[heartland] = rng.choice(np.arange(1_000, max(200_000, 3 * k)), size=k, replace=False)
    return np.char.zfill(ids.astype(str), 6)


def _emails(rng: np.random.Generator, staff: pd.DataFrame, hosp: pd.DataFrame) -> np.ndarray:
    """first.last@domain; a repeated name in one domain gets first.last2, first.last3 ..."""
    own = hosp["domain"].to_numpy()[staff["hosp"].to_numpy()]
    has_own = hosp["own_domain"].to_numpy()[staff["hosp"].to_numpy()]
    use_system = staff["heartland"].to_numpy() & (~has_own | (rng.random(len(staff)) < 0.5))
    domain = np.where(use_system, SYSTEM_DOMAIN, own)
    fl = {x: names.ascii_local(x) for x in set(names.FIRST) | set(names.LAST)}
    local = (staff["first_name"].map(fl) + "." + staff["last_name"].map(fl)).to_numpy()
    frame = pd.DataFrame({"local": local, "domain": domain})
    nth = frame.groupby(["domain", "local"], sort=False).cumcount().to_numpy()
    suffix = np.where(nth == 0, "", (nth + 1).astype(str))
    return (frame["local"] + suffix + "@" + frame["domain"]).to_numpy()


def _lms_emails(rng: np.random.Generator, staff: pd.DataFrame) -> np.ndarray:
    """Some Moodle accounts were opened with a personal address (not attributable)."""
    n = len(staff)
    personal = staff["system"].isin(["mha", "kha"]).to_numpy() & (rng.random(n) < 0.04)
    provider = np.where(rng.random(n) < 0.6, "gmail.com", "yahoo.com")
    local = staff["email"].str.split("@").str[0].to_numpy()
    digits = rng.integers(1, 99, n).astype(str)
    addr = pd.Series(local).str.replace(".", "", regex=False) + digits + "@" + provider
    addr = pd.Series(np.where(personal, addr.to_numpy(), staff["email"].to_numpy()))
    # Two people cannot share one account: a repeated personal address gets a letter appended.
    nth = addr.groupby(addr, sort=False).cumcount().to_numpy()
    extra = np.array(list("abcdefghijklmnopqrstuvwxyz"))[np.minimum(nth, 25)]
    fixed = addr.str.split("@").str[0] + extra + "@" + addr.str.split("@").str[1]
    return np.where(nth > 0, fixed.to_numpy(), addr.to_numpy())
