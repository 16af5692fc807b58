"""Reference data: the hospital list (CMS layout), membership, sources and the catalogs.

`build_hospitals` returns the internal hospital table the simulation uses; `write_reference`
writes every file of `reference/` exactly as sample_data/README.md specifies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import catalog, geo
from .fmt import rng_for
from .items import ITEM_STEMS

SYSTEM_NAME = "Heartland Health System"
SYSTEM_DOMAIN = "heartlandhealth.org"
HS_TENANT = "heartland"


def _mix(n_hospitals: int | None) -> dict[tuple[str, str], int]:
    """Hospital count per (state, type): the demo mix scaled to the tier's size."""
    demo_total = sum(sum(t.values()) for t in geo.DEMO_MIX.values())
    factor = 1.0 if n_hospitals is None else n_hospitals / demo_total
    return {
        (st, kind): max(1, round(n * factor))
        for st, kinds in geo.DEMO_MIX.items()
        for kind, n in kinds.items()
    }


def build_hospitals(seed: int, n_hospitals: int | None = None) -> pd.DataFrame:
    """One row per hospital (including the corrupted, non-member one), in CCN order per state."""
    rng = rng_for(seed, "hospitals")
    prefixes = [p.strip() for p in geo.NAME_PREFIXES.replace("\n", "").split("|")]
    prefixes = [prefixes[i] for i in rng.permutation(len(prefixes))]
    used_names: set[str] = set()
    rows = []
    j = 0
    for (state, kind), count in _mix(n_hospitals).items():
        lo, hi = geo.CCN_RANGES[kind]
        numbers = np.sort(rng.choice(np.arange(lo, hi + 1), size=count, replace=False))
        counties = geo.COUNTIES[state]
        rural_ok = (
            [c for c in counties if c[5]] if kind == "cah" else [c for c in counties if not c[5]]
        )
        for number in numbers:
            county = rural_ok[rng.integers(len(rural_ok))]
            # Prefixes in turn, so a small tier never repeats one; (prefix, suffix) is unique.
            suffixes = geo.NAME_SUFFIXES[kind]
            while True:
                prefix = prefixes[j % len(prefixes)]
                j += 1
                free = [x for x in suffixes if f"{prefix} {x[0]}" not in used_names]
                if free:
                    suffix, abbrev = free[rng.integers(len(free))]
                    break
            name = f"{prefix} {suffix}"
            used_names.add(name)
            domain = prefix.lower().replace(" ", "") + abbrev + ".org"
            rows.append(
                {
                    "ccn": f"{geo.STATE_CODES[state]}{number:04d}",
                    "name": name,
                    "kind": kind,
                    "state": state,
                    "county": county[0],
                    "city": county[1],
                    "area": county[2],
                    "zip": f"{county[3]}{rng.integers(0, 100):02d}",
                    "region": county[4],
                    "rural": county[5],
                    "domain": domain,
                    "address": f"{rng.integers(100, 9900)} "
                    f"{geo.STREETS[rng.integers(len(geo.STREETS))]}",
                    "phone": f"({county[2]}) 555-01{rng.integers(0, 100):02d}",
                    "ownership": geo.OWNERSHIP[kind][rng.integers(len(geo.OWNERSHIP[kind]))],
                }
            )
    hosp = pd.DataFrame(rows)
    n = len(hosp)
    acute = (hosp["kind"] == "acute").to_numpy()
    hosp["emergency"] = np.where(hosp["kind"] == "psych", "No", "Yes")
    # One acute hospital without an ED (a surgical specialty hospital): outside Missouri so the
    # poster element (applies only where there is an ED) varies across states too.
    no_ed = np.flatnonzero(acute & (hosp["state"] == "IL").to_numpy())
    hosp.loc[no_ed[rng.permutation(len(no_ed))[: max(1, n // 40)]], "emergency"] = "No"
    hosp["birthing"] = np.where(acute & (rng.random(n) < 0.45), "Y", "")
    rating = rng.choice(["1", "2", "3", "4", "5"], size=n, p=[0.08, 0.2, 0.35, 0.27, 0.1])
    hosp["rating"] = np.where(acute & (rng.random(n) < 0.9), rating, "Not Available")

    # The corrupted row: an MO acute hospital whose CCN lost a character in Excel. It is not a
    # member, but some of its staff use the MHA Moodle with its (unmapped) e-mail domain.
    mo_acute = np.flatnonzero(acute & (hosp["state"] == "MO").to_numpy())
    corrupt = mo_acute[-1]
    hosp["is_member"] = True
    hosp.loc[corrupt, "is_member"] = False
    hosp.loc[corrupt, "ccn"] = hosp.loc[corrupt, "ccn"][:3] + hosp.loc[corrupt, "ccn"][4:]

    # Heartland Health System: ~4 MO acute hospitals per 31 (scales with the tier).
    n_system = max(4, round(4 * n / 31))
    hosp["heartland"] = False
    hosp.loc[mo_acute[:n_system], "heartland"] = True
    hosp["own_domain"] = ~hosp["heartland"]
    hl = np.flatnonzero(hosp["heartland"].to_numpy())
    hosp.loc[hl[::2], "own_domain"] = True  # every other system hospital has a second domain

    order = rng.permutation(n)  # /24 (or /25 above 512 hospitals) from 198.18.0.0/15
    hosp["ipv4"] = [_ipv4(int(i), n) for i in order]
    v6 = rng.random(n) < 0.3
    hosp["ipv6"] = [
        f"2001:db8:{int(x):x}::/48" if has else ""
        for x, has in zip(rng.choice(np.arange(1, 65536), n, replace=False), v6, strict=True)
    ]
    hosp["member_since"] = (
        np.datetime64("2018-01-01") + rng.integers(0, 7 * 365, n).astype("timedelta64[D]")
    ).astype(str)
    return hosp.reset_index(drop=True)


def _ipv4(i: int, n: int) -> str:
    if n <= 512:
        return f"198.{18 + i // 256}.{i % 256}.0/24"
    block = i * 128
    return f"198.{18 + block // 65536}.{(block // 256) % 256}.{block % 256}/25"


def hospital_domains(hosp: pd.DataFrame) -> list[str]:
    out = []
    for row in hosp.itertuples():
        domains = [SYSTEM_DOMAIN] if row.heartland else []
        if row.own_domain:
            domains.append(row.domain)
        out.append(";".join(domains))
    return out


def sources_rows(hosp: pd.DataFrame) -> list[tuple]:
    rows = [
        ("exports/moodle-mha/*", "moodle", "mha", "dmy", "America/Chicago", ""),
        ("exports/moodle-kha/*", "moodle", "kha", "mdy", "America/Chicago", ""),
    ]
    for ccn in hosp.loc[hosp["heartland"], "ccn"]:
        rows.append(
            (
                f"exports/healthstream-{HS_TENANT}/{ccn}-*",
                "healthstream",
                HS_TENANT,
                "mdy",
                "America/Chicago",
                ccn,
            )
        )
    rows += [
        ("exports/scormcloud-nha/*", "scormcloud", "nha", "", "UTC", ""),
        ("exports/scormcloud-iha/*", "scormcloud", "iha", "", "UTC", ""),
        ("exports/quizlong-nha/*", "quizlong", "nha", "", "UTC", ""),
        ("exports/toolkit-web/*", "toolkit_web", "collab", "", "America/Chicago", ""),
        ("exports/dlm-kha/*", "download_monitor", "kha", "", "America/Chicago", ""),
        ("exports/redcap-protocol/*", "redcap", "protocol", "", "America/Chicago", ""),
        ("exports/hr-headcount/*", "hr", "collab", "", "America/Chicago", ""),
    ]
    return rows


def course_names(module_no: int) -> dict[str, str]:
    """LMS course ids and titles of one module, per system/tenant."""
    mid, title, *_, short = catalog.MODULES[module_no - 1]
    return {
        "mha_id": f"HT{module_no:02d}",
        "mha_title": title,
        "kha_id": f"KHA-HTM-{module_no:02d}",
        "kha_title": f"HTM {module_no:02d}: {short}",
        "hs_id": f"HS-HT{100 + module_no}",
        "hs_title": f"Human Trafficking Response {100 + module_no}: {short}",
        "nha_id": f"NHA-HT{module_no:02d}",
        "nha_title": f"NHA Human Trafficking {mid}: {title}",
        "iha_id": f"IHA-HT{module_no:02d}",
        "iha_title": f"IHA HT Module {module_no} - {short}",
    }


QUIZ_NAMES = {"pre": "Pre-test", "post": "Post-test", "followup": "Follow-up"}


def quiz_layout(seed: int) -> pd.DataFrame:
    """Every quiz version's positions -> items (post and follow-up shuffle the pre order)."""
    rng = rng_for(seed, "quiz_layout")
    rows = []
    for mid, *_ in catalog.MODULES:
        stems = ITEM_STEMS[mid]
        n = len(stems)
        for phase in QUIZ_NAMES:
            perm = np.arange(n) if phase == "pre" else rng.permutation(n)
            for pos, k in enumerate(perm, start=1):
                rows.append(
                    {
                        "quiz_version": f"{mid}-{phase}-v1",
                        "position": pos,
                        "item_id": f"{mid}-I{k + 1:02d}",
                        "module_id": mid,
                        "max_points": "2.00" if mid == "M14" else "1.00",
                        "item_text": stems[k],
                        "phase": phase,
                        "k": int(k),
                    }
                )
    return pd.DataFrame(rows)


def write_reference(ref: Path, hosp: pd.DataFrame, layout: pd.DataFrame) -> dict[str, int]:
    ref.mkdir(parents=True, exist_ok=True)
    out: dict[str, pd.DataFrame] = {}
    out["hospitals"] = pd.DataFrame(
        {
            "Facility ID": hosp["ccn"],
            "Facility Name": hosp["name"],
            "Address": hosp["address"],
            "City/Town": hosp["city"],
            "State": hosp["state"],
            "ZIP Code": hosp["zip"],
            "County/Parish": hosp["county"],
            "Telephone Number": hosp["phone"],
            "Hospital Type": hosp["kind"].map(geo.HOSPITAL_TYPES),
            "Hospital Ownership": hosp["ownership"],
            "Emergency Services": hosp["emergency"],
            "Meets criteria for birthing friendly designation": hosp["birthing"],
            "Hospital overall rating": hosp["rating"],
        }
    )
    mem = hosp[hosp["is_member"]]
    out["membership"] = pd.DataFrame(
        {
            "ccn": mem["ccn"],
            "state": mem["state"],
            "region": mem["region"],
            "health_system": np.where(mem["heartland"], SYSTEM_NAME, ""),
            "member_since": mem["member_since"],
            "email_domains": hospital_domains(mem),
            "network_ranges": [
                ";".join(x for x in (a, b) if x)
                for a, b in zip(mem["ipv4"], mem["ipv6"], strict=True)
            ],
        }
    )
    out["sources"] = pd.DataFrame(
        sources_rows(hosp),
        columns=["path_glob", "system", "tenant", "date_order", "timezone", "hospital_ccn"],
    )
    out["modules"] = pd.DataFrame(
        [(m[0], i + 1, m[1], m[2], f"{m[3]:.2f}", m[4]) for i, m in enumerate(catalog.MODULES)],
        columns=[
            "module_id",
            "module_no",
            "title",
            "topic_tags",
            "contact_hours",
            "protocol_elements",
        ],
    )
    out["module_aliases"] = _aliases()
    out["quiz_items"] = layout[
        ["quiz_version", "position", "item_id", "module_id", "max_points", "item_text"]
    ]
    out["roles"] = pd.DataFrame(
        [r[:4] for r in catalog.ROLES], columns=["role", "label", "soc_code", "is_front_line"]
    )
    out["role_map"] = pd.DataFrame(
        [(t, r) for t, r, _, mapped in catalog.JOB_TITLES if mapped], columns=["job_title", "role"]
    )
    out["requirements"] = pd.DataFrame(
        [
            (r, m[0], "N" if (r, m[0]) in catalog.NOT_REQUIRED else "Y")
            for r in catalog.ROLE_IDS
            for m in catalog.MODULES
        ],
        columns=["role", "module_id", "is_required"],
    )
    out["protocol_elements"] = pd.DataFrame(
        catalog.PROTOCOL_ELEMENTS, columns=["element_id", "name", "applies_to", "description"]
    )
    out["toolkit_resources"] = pd.DataFrame(
        catalog.TOOLKIT_RESOURCES,
        columns=["resource_id", "title", "url_path", "kind", "protocol_elements"],
    )
    out["settings"] = pd.DataFrame(
        [
            ("timezone", "America/Chicago"),
            ("refresher_months", "24"),
            ("knowledge_gap_facility", "0.70"),
            ("followup_window_months", "6"),
            ("program_launch", "2025-01-06"),
        ],
        columns=["key", "value"],
    )
    targets = {
        "FY2025": ("Grant year 2025", "2025-01-01", "2025-12-31", (25, 60, 15, 40)),
        "FY2026": ("Grant year 2026", "2026-01-01", "2026-12-31", (45, 85, 15, 60)),
    }
    metrics = [
        "coverage_pct",
        "hospitals_with_completion_pct",
        "mean_gain_pp",
        "adoption_index_pct",
    ]
    out["targets"] = pd.DataFrame(
        [
            (pid, label, start, end, metric, str(val))
            for pid, (label, start, end, vals) in targets.items()
            for metric, val in zip(metrics, vals, strict=True)
        ],
        columns=["period_id", "label", "start_date", "end_date", "metric", "target"],
    )
    for name, frame in out.items():
        frame.to_csv(ref / f"{name}.csv", index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in out.items()}


def _aliases() -> pd.DataFrame:
    rows = []
    for no, (mid, *_) in enumerate(catalog.MODULES, start=1):
        c = course_names(no)
        for system, tenant in (
            ("moodle", "mha"),
            ("moodle", "kha"),
            ("healthstream", "hs"),
            ("scormcloud", "nha"),
            ("scormcloud", "iha"),
        ):
            rows.append((mid, system, "course_id", c[f"{tenant}_id"], "", ""))
            rows.append((mid, system, "course_title", c[f"{tenant}_title"], "", ""))
        for tenant in ("mha", "kha"):
            for phase, quiz in QUIZ_NAMES.items():
                rows.append(
                    (
                        mid,
                        "moodle",
                        "quiz",
                        f"{c[f'{tenant}_id']}-{quiz}",
                        phase,
                        f"{mid}-{phase}-v1",
                    )
                )
    return pd.DataFrame(
        rows, columns=["module_id", "system", "kind", "alias", "phase", "quiz_version"]
    )
