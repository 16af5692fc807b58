"""REDCap protocol-adoption survey (`exports/redcap-protocol/`): data dictionary and raw exports.

One record per responding member hospital, one row per (record, event): `baseline_arm_1`
(Feb-Apr 2025) and `month_12_arm_1` (Feb-Apr 2026). Per protocol element a stage (0 not started,
1 in progress, 2 in place, 9 not applicable). Adoption rises between waves and with the
hospital's training coverage at the response date; PE12 (poster, ED only) is 9 or blank without
an ED. Planted: a second month-12 record of one hospital (later, some stages changed: it wins),
three incomplete forms, one complete form with an element left blank, comments needing quotes,
and an older baseline-only export in which two answers were later corrected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import catalog
from .activity import Activity
from .downloads import Downloads
from .fmt import quote, rng_for, s, to_utc, where, write_csv

PROJECT = "HTProtocolAdoption"
ELEMENTS = [e[0] for e in catalog.PROTOCOL_ELEMENTS]
POSTER_ELEMENT = ELEMENTS.index("PE12")
RESOURCES = [r[0] for r in catalog.TOOLKIT_RESOURCES]
WAVES = [  # (event, first day, last day)
    ("baseline_arm_1", "2025-02-03", "2025-04-30"),
    ("month_12_arm_1", "2026-02-02", "2026-04-30"),
]
ROLES = ["Nurse executive", "ED director", "Social work", "Quality or compliance", "Other"]
STAGES = "0, Not started | 1, In progress | 2, In place | 9, Not applicable"
COMMENTS = [
    "Policy approved by the board in March.",
    "Champion left in the fall; recruiting a new one.",
    "Waiting on legal review of the reporting workflow.",
    "Interpreter contract renewed, covers 200+ languages.",
    "Safety cards stocked in ED and L&D restrooms.",
    "Case review added to the quarterly quality meeting.",
]
PLANTED_COMMENTS = [
    "Poster is up in the ED, not yet in urgent care.\nPolicy goes to the board in May.",
    'We print the "Get Help Now" poster in English and Spanish.',
]
DICTIONARY_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
DATA_FILE = f"{PROJECT}_DATA_2026-10-31_0915.csv"
OLD_DATA_FILE = f"{PROJECT}_DATA_2025-06-30_1104.csv"
DICTIONARY_FILE = f"{PROJECT}_DataDictionary_2026-10-31.csv"


def _dictionary() -> list[list[str]]:
    def field(name, kind, label, choices="", section="", note="", required="", matrix=""):
        row = [name, "protocol_adoption", section, kind, label, choices, note]
        return row + ["", "", "", "", "", required, "", "", matrix, "", ""]

    titles = " | ".join(f"{r[0].lower()}, {r[1]}" for r in catalog.TOOLKIT_RESOURCES)
    rows = [
        field("record_id", "text", "Record ID"),
        field("ccn", "text", "Hospital CMS Certification Number (CCN)", required="y",
              note="Six characters, e.g. 260123"),
        field("respondent_role", "dropdown", "Your role",
              " | ".join(f"{i + 1}, {r}" for i, r in enumerate(ROLES)), required="y"),
    ]  # fmt: skip
    for i, (eid, name, *_) in enumerate(catalog.PROTOCOL_ELEMENTS):
        section = "Where does your hospital stand on each protocol element?" if i == 0 else ""
        rows.append(field(f"{eid.lower()}_stage", "radio", name, STAGES, section, matrix="stages"))
    rows.append(
        field(
            "resources_used", "checkbox", "Which toolkit resources has your hospital used?", titles
        )
    )
    rows.append(field("comments", "notes", "Comments"))
    return rows


def _coverage(staff: pd.DataFrame, act: Activity, hosp_idx: np.ndarray, when: np.ndarray):
    """Share of the hospital's staff with at least one completion by `when` (local time)."""
    done = act.enr[~np.isnat(act.enr["video_ts"].to_numpy())]
    first = done.groupby("person")["video_ts"].min()
    h = staff["hosp"].to_numpy()[first.index.to_numpy()]
    # One sorted key, hospital first, then epoch seconds (< 10**10): a search per response.
    key = h * 10**10 + first.to_numpy().astype("datetime64[s]").astype(np.int64)
    key.sort()
    q = hosp_idx * 10**10 + when.astype("datetime64[s]").astype(np.int64)
    n_done = np.searchsorted(key, q, side="right") - np.searchsorted(key, hosp_idx * 10**10)
    return n_done / np.bincount(staff["hosp"].to_numpy())[hosp_idx]


def _first_download(dl: Downloads, n_hosp: int) -> np.ndarray:
    """(hospital, resource) -> first fetch at work (UTC, NaT = never)."""
    ev = pd.concat([dl.web, dl.dlm])
    ev = ev[ev["hosp"].to_numpy() >= 0]
    first = ev.groupby(["hosp", "resource"])["utc"].min()
    out = np.full((n_hosp, len(RESOURCES)), np.datetime64("NaT"), dtype="datetime64[s]")
    out[first.index.get_level_values(0), first.index.get_level_values(1)] = first.to_numpy()
    return out


def _responses(rng, hosp: pd.DataFrame, dl: Downloads) -> pd.DataFrame:
    member = np.flatnonzero(hosp["is_member"].to_numpy())
    z = dl.engagement[member]
    frames = []
    answered = np.zeros(len(hosp), dtype=bool)
    for wave, (_, first, last) in enumerate(WAVES):
        share = 0.8 if wave == 0 else 0.85
        p = np.exp(0.6 * z) * np.where(answered[member], 2.0, 1.0)
        who = rng.choice(member, round(share * len(member)), replace=False, p=p / p.sum())
        answered[who] = True
        days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
        days = days[((days.astype(int) + 3) % 7) < 5]  # weekdays
        local = days[rng.integers(0, len(days), len(who))].astype("datetime64[s]") + (
            rng.integers(8 * 3600, 17 * 3600, len(who)).astype("timedelta64[s]")
        )
        frames.append(pd.DataFrame({"hosp": np.sort(who), "wave": wave, "local": local}))
    return pd.concat(frames, ignore_index=True)


def _stages(rng, resp, hosp, dl, coverage) -> np.ndarray:
    """Stage per response and element (-1 = left blank)."""
    n = len(resp)
    h = resp["hosp"].to_numpy()
    hosp_eff = rng.normal(0.0, 0.5, len(hosp))
    element_eff = rng.normal(0.0, 0.5, len(ELEMENTS))
    ed = (hosp["emergency"] == "Yes").to_numpy()[h]
    element_eff[POSTER_ELEMENT] += 0.8  # a poster is the easiest thing to put up
    latent = (
        -0.6
        + element_eff[None, :]
        + 0.4 * resp["wave"].to_numpy()[:, None]
        + 3.0 * coverage[:, None]
        + 0.5 * dl.engagement[h][:, None]
        + hosp_eff[h][:, None]
        + rng.normal(0.0, 0.9, (n, len(ELEMENTS)))
    )
    stage = np.where(latent < -0.3, 0, np.where(latent < 0.9, 1, 2)).astype(np.int8)
    no_ed = np.flatnonzero(~ed)
    blank = rng.random(len(no_ed)) < 0.25
    blank[-1:] = True  # at least one hospital without an ED skips the question instead
    stage[no_ed, POSTER_ELEMENT] = np.where(blank, -1, 9)
    return stage


def _plant(rng, resp, stage, ticks, comment, hosp) -> tuple:
    """The duplicate month-12 answer, incomplete forms, a blank element, quoted comments."""
    m12 = np.flatnonzero((resp["wave"] == 1).to_numpy())
    ed = (hosp["emergency"] == "Yes").to_numpy()[resp["hosp"].to_numpy()]
    early = m12[(resp["local"].to_numpy()[m12] < np.datetime64("2026-04-15")) & ed[m12]]
    dup = early[rng.integers(len(early))]
    again = resp.iloc[[dup]].copy()
    again["local"] += np.timedelta64(int(rng.integers(3, 11)) * 86400 + 5400, "s")
    new_stage = stage[dup].copy()
    changed = rng.choice(np.flatnonzero((new_stage >= 0) & (new_stage < 9)), 3, replace=False)
    new_stage[changed] = np.where(new_stage[changed] < 2, new_stage[changed] + 1, 1)
    resp = pd.concat([resp, again], ignore_index=True)
    stage = np.vstack([stage, new_stage])
    ticks = np.vstack([ticks, ticks[dup]])
    comment = np.append(comment, "Resubmitted after the protocol committee met.")
    resp["duplicate"] = False
    resp.loc[len(resp) - 1, "duplicate"] = True

    # The comments speak of an ED poster: only hospitals with an ED write them.
    others = np.setdiff1d(np.arange(len(resp) - 1), [dup])
    picks = rng.choice(others[ed[others]], 6, replace=False)
    incomplete = picks[:3]
    resp["complete"] = True
    resp.loc[incomplete, "complete"] = False
    for i in incomplete:
        stage[i, rng.integers(4, 13) :] = -1
        ticks[i] = False
        comment[i] = ""
    stage[picks[3], ELEMENTS.index("PE07")] = -1  # skipped one element: unknown, not 0
    comment[picks[4]], comment[picks[5]] = PLANTED_COMMENTS
    return resp, stage, ticks, comment


def _table(resp, stage, ticks, comment, hosp) -> list:
    ts = np.datetime_as_string(resp["local"].to_numpy().astype("datetime64[s]"))
    cols = [
        s(resp["record_id"].to_numpy()),
        s(np.array([w[0] for w in WAVES])[resp["wave"].to_numpy()]),
        "",
        where(
            resp["complete"].to_numpy(), pa.array(np.char.replace(ts, "T", " ")), "[not completed]"
        ),
        s(hosp["ccn"].to_numpy()[resp["hosp"].to_numpy()]),
        s(resp["role"].to_numpy()),
    ]
    cols += [where(stage[:, e] < 0, "", s(stage[:, e])) for e in range(len(ELEMENTS))]
    cols += [where(ticks[:, r], "1", "0") for r in range(len(RESOURCES))]
    cols += [quote(comment), where(resp["complete"].to_numpy(), "2", "0")]
    return cols


def _header() -> list[str]:
    return (
        ["record_id", "redcap_event_name", "redcap_survey_identifier"]
        + ["protocol_adoption_timestamp", "ccn", "respondent_role"]
        + [f"{e.lower()}_stage" for e in ELEMENTS]
        + [f"resources_used___{r.lower()}" for r in RESOURCES]
        + ["comments", "protocol_adoption_complete"]
    )


def write_redcap(
    out: Path, hosp: pd.DataFrame, staff: pd.DataFrame, act: Activity, dl: Downloads, seed: int
) -> list:
    rng = rng_for(seed, "redcap")
    resp = _responses(rng, hosp, dl)
    h = resp["hosp"].to_numpy()
    coverage = _coverage(staff, act, h, resp["local"].to_numpy())
    stage = _stages(rng, resp, hosp, dl, coverage)
    fetched = _first_download(dl, len(hosp))[h] <= to_utc(resp["local"].to_numpy())[:, None]
    ed = (hosp["emergency"] == "Yes").to_numpy()[h]
    ticks = rng.random(fetched.shape) < np.where(fetched, 0.75, 0.06)
    ticks[:, [RESOURCES.index("TR12"), RESOURCES.index("TR13")]] &= ed[:, None]
    comment = np.where(rng.random(len(resp)) < 0.15, rng.choice(COMMENTS, len(resp)), "")
    comment = comment.astype(object)  # planted comments are longer than any template
    resp, stage, ticks, comment = _plant(rng, resp, stage, ticks, comment, hosp)
    resp["role"] = rng.choice(5, len(resp), p=[0.35, 0.25, 0.15, 0.2, 0.05]) + 1

    # Record ids in order of first response; the duplicate is a record of its own.
    key = np.where(resp["duplicate"], -1 - np.arange(len(resp)), resp["hosp"].to_numpy())
    first = pd.Series(resp["local"].to_numpy()).groupby(key).transform("min").to_numpy()
    by_first = np.lexsort((key, first))
    record = np.empty(len(resp), dtype=np.int64)
    record[by_first] = pd.factorize(key[by_first])[0] + 1
    resp["record_id"] = record
    order = np.lexsort((resp["wave"].to_numpy(), record))
    resp, stage, ticks, comment = resp.iloc[order], stage[order], ticks[order], comment[order]
    resp = resp.reset_index(drop=True)

    folder = out / "exports" / "redcap-protocol"
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(
        ",".join('"' + f.replace('"', '""') + '"' for f in row) + "\n"
        for row in [DICTIONARY_HEADER, *_dictionary()]
    )
    (folder / DICTIONARY_FILE).write_text(text, encoding="utf-8")
    stats = [(folder / DICTIONARY_FILE, len(_dictionary()))]
    cols = _table(resp, stage, ticks, comment, hosp)
    stats.append((folder / DATA_FILE, write_csv(folder / DATA_FILE, _header(), cols)))

    # Before two answers were corrected: the older export shows the first answers.
    base = np.flatnonzero((resp["wave"] == 0).to_numpy())
    old_stage = stage[base].copy()
    complete = resp["complete"].to_numpy()[base]
    answered = np.flatnonzero(((old_stage[:, :POSTER_ELEMENT] >= 0) & complete[:, None]).ravel())
    for cell in rng.choice(answered, 2, replace=False):
        i, e = divmod(int(cell), POSTER_ELEMENT)
        old_stage[i, e] = (old_stage[i, e] + 1 + rng.integers(0, 2)) % 3
    old = resp.iloc[base].reset_index(drop=True)
    cols = _table(old, old_stage, ticks[base], comment[base], hosp)
    stats.append((folder / OLD_DATA_FILE, write_csv(folder / OLD_DATA_FILE, _header(), cols)))
    return stats
