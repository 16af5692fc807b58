"""HealthStream transcripts (Heartland), SCORM Cloud registrations (NHA, IHA) and the long quiz
format (NHA)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import catalog, fmt
from .activity import CUT, MODULE_IDS, Activity
from .fmt import cat, quote, s, where
from .reference import HS_TENANT, course_names

HS_CUTS = (np.datetime64("2026-06-30T23:59:59", "s"), np.datetime64("2026-09-30T23:59:59", "s"))
HS_HEADER = [
    "Student ID",
    "Last Name",
    "First Name",
    "Department",
    "Job Title",
    "Course ID",
    "Course Title",
    "Status",
    "Completion Date",
    "Score",
    "Contact Hours",
]
SCORM_HEADER = [
    "Registration ID",
    "Course ID",
    "Course Title",
    "Learner ID",
    "Learner Email",
    "Learner First Name",
    "Learner Last Name",
    "Completion",
    "Success",
    "Score",
    "Total Seconds Tracked",
    "First Access",
    "Completed Date",
    "Last Access",
]
LONG_HEADER = [
    "learner",
    "module",
    "phase",
    "attempt",
    "item",
    "points",
    "max_points",
    "submitted_at",
]


def _other_courses(staff: pd.DataFrame, rng) -> pd.DataFrame:
    """Non-catalog HealthStream courses (fire safety, HIPAA ...) assigned to Heartland staff."""
    people = np.flatnonzero(staff["heartland"].to_numpy())
    frames = []
    for c in range(len(catalog.HS_OTHER_COURSES)):
        who = people[rng.random(len(people)) < 0.5]
        assigned = (
            np.datetime64("2026-01-05") + rng.integers(0, 240, len(who)).astype("timedelta64[D]")
        ).astype("datetime64[s]")
        done = assigned + (rng.integers(0, 30, len(who)) * 86400).astype("timedelta64[s]")
        done = np.where(rng.random(len(who)) < 0.85, done, np.datetime64("NaT"))
        frames.append(
            pd.DataFrame({"person": who, "course": c, "assigned": assigned, "done": done})
        )
    return pd.concat(frames, ignore_index=True)


def _transcript_rows(staff: pd.DataFrame, act: Activity, rng) -> pd.DataFrame:
    """Every HealthStream record of the tenant: catalog modules plus the other courses."""
    enr = act.enr[act.enr["system"] == "healthstream"]
    names = [course_names(k) for k in range(1, len(MODULE_IDS) + 1)]
    mods = enr["module"].to_numpy()
    other = _other_courses(staff, rng)
    oc = other["course"].to_numpy()
    extra = catalog.HS_OTHER_COURSES
    rows = pd.DataFrame(
        {
            "person": np.concatenate([enr["person"].to_numpy(), other["person"].to_numpy()]),
            "course_id": np.concatenate(
                [np.array([n["hs_id"] for n in names])[mods], np.array([x[0] for x in extra])[oc]]
            ),
            "title": np.concatenate(
                [
                    np.array([n["hs_title"] for n in names])[mods],
                    np.array([x[1] for x in extra])[oc],
                ]
            ),
            "hours": np.concatenate(
                [
                    np.array([f"{m[3]:.2f}" for m in catalog.MODULES])[mods],
                    np.array([x[2] for x in extra])[oc],
                ]
            ),
            "assigned": np.concatenate([enr["enrol_ts"].to_numpy(), other["assigned"].to_numpy()]),
            "done": np.concatenate([enr["video_ts"].to_numpy(), other["done"].to_numpy()]),
            "score": np.concatenate([enr["score"].to_numpy(), np.zeros(len(other), dtype=int)]),
            "scored": np.concatenate([np.ones(len(enr), bool), np.zeros(len(other), bool)]),
        }
    )
    rows["hosp"] = staff["hosp"].to_numpy()[rows["person"].to_numpy()]
    # One uniform number per record, so both cuts show a record's score the same way.
    rows["u"] = rng.random(len(rows))
    return rows


def write_healthstream(
    out: Path, staff: pd.DataFrame, hosp: pd.DataFrame, act: Activity, seed: int
) -> list:
    rows = _transcript_rows(staff, act, fmt.rng_for(seed, "healthstream"))
    folder = out / "exports" / f"healthstream-{HS_TENANT}"
    stats = []
    for i, h in enumerate(np.flatnonzero(hosp["heartland"].to_numpy())):
        ccn = hosp.loc[h, "ccn"]
        style = ("plain", "percent", "mixed")[i % 3]  # how this hospital's export shows scores
        for c, cut in enumerate(HS_CUTS):
            r = rows[(rows["hosp"] == h).to_numpy() & (rows["assigned"] <= cut).to_numpy()]
            r = r.sort_values(["person", "course_id"], kind="stable")
            person = r["person"].to_numpy()
            u = r["u"].to_numpy()
            done_ts = np.where(r["done"] <= cut, r["done"].to_numpy(), np.datetime64("NaT"))
            done = ~np.isnat(done_ts)
            pct = {"plain": u < 0, "percent": u >= 0, "mixed": u < 0.5}[style]
            score = s(r["score"].to_numpy())
            score_txt = where(pct, cat(score, "%"), score)
            shown = done & r["scored"].to_numpy() & (u < 0.96)
            score_txt = where(shown, score_txt, where(done, "N/A", ""))
            ids = s(staff["employee_id"].to_numpy()[person])
            if c == 0 and i % 2 == 0:  # opened and re-saved in Excel: leading zeros gone
                ids = pc.utf8_ltrim(ids, characters="0")
            if c == 1 and i == 0:  # one row lost its Student ID (rejected by the ETL)
                ids = where(np.arange(len(r)) == len(r) // 2, "", ids)
            cols = [
                ids,
                quote(staff["last_name"].to_numpy()[person]),
                quote(staff["first_name"].to_numpy()[person]),
                quote(staff["department"].to_numpy()[person]),
                quote(staff["job_title"].to_numpy()[person]),
                s(r["course_id"].to_numpy()),
                quote(r["title"].to_numpy()),
                where(done, "Complete", "Incomplete"),
                fmt.us_date(done_ts),
                score_txt,
                s(r["hours"].to_numpy()),
            ]
            sort = np.lexsort(
                (
                    r["course_id"].to_numpy(),
                    staff["first_name"].to_numpy()[person],
                    staff["last_name"].to_numpy()[person],
                )
            )
            cols = [col.take(sort) for col in cols]
            path = folder / f"{ccn}-transcript-{str(cut)[:7]}.csv"
            trailer = [f"Total Records: {len(r)}" + "," * (len(HS_HEADER) - 1)]
            utf16 = i == 1  # this hospital's HR system exports UTF-16
            n = fmt.write_csv(
                path,
                HS_HEADER,
                cols,
                newline="\r\n",
                trailer=trailer,
                encoding="utf-16-le" if utf16 else "utf-8",
                bom=utf16,
            )
            stats.append((path, n))
    return stats


def _post_percent(act: Activity) -> np.ndarray:
    """First finished post-test score in percent per enrolment (-1 when none)."""
    att = act.att
    first = (att["phase"] == 1).to_numpy() & (att["state"] == "Finished").to_numpy()
    a = att[first].drop_duplicates("enr")
    pts = act.points[a.index.to_numpy()]
    out = np.full(len(act.enr), -1, dtype=np.int64)
    # Every quiz is out of 10 points (10 x 1 point, or 5 x 2 points for M14).
    out[a["enr"].to_numpy()] = np.where(pts < 0, 0, pts).sum(axis=1) * 10
    return out


def write_scormcloud(out: Path, staff: pd.DataFrame, act: Activity, seed: int) -> list:
    stats = []
    post_pct = _post_percent(act)
    for tenant in ("nha", "iha"):
        rng = fmt.rng_for(seed, f"scorm-{tenant}")
        enr = act.enr[act.enr["system"] == tenant].sort_values("enrol_ts", kind="stable")
        n = len(enr)
        person = enr["person"].to_numpy()
        names = [course_names(int(k)) for k in range(1, len(MODULE_IDS) + 1)]
        mods = enr["module"].to_numpy()
        started = enr["started"].to_numpy()
        done_ts = enr["video_ts"].to_numpy()
        done = ~np.isnat(done_ts)
        pp = post_pct[enr.index.to_numpy()]
        score = np.where(pp >= 0, pp, enr["score"].to_numpy())
        completion = np.where(done, "COMPLETED", np.where(started, "INCOMPLETE", "UNKNOWN"))
        success = np.where(done, np.where(score >= 70, "PASSED", "FAILED"), "UNKNOWN")
        secs = np.where(
            done,
            enr["seconds"].to_numpy(),
            np.where(
                started, (enr["seconds"].to_numpy() * rng.uniform(0.05, 0.7, n)).astype(np.int64), 0
            ),
        )
        first = np.where(started, enr["session_ts"].to_numpy(), np.datetime64("NaT"))
        last = np.where(done, done_ts, first + secs.astype("timedelta64[s]"))
        post_end = act.att[(act.att["phase"] == 1).to_numpy()].groupby("enr")["end"].max()
        pe = post_end.reindex(enr.index.to_numpy()).to_numpy().astype("datetime64[s]")
        last = np.where(~np.isnat(pe) & (pe > last), pe, last)
        email = staff["lms_email"].to_numpy()[person]
        cols = [
            fmt.uuid_like(rng, n),
            s(np.array([x[f"{tenant}_id"] for x in names])[mods]),
            quote(np.array([x[f"{tenant}_title"] for x in names])[mods]),
            quote(email),
            quote(email),
            quote(staff["first_name"].to_numpy()[person]),
            quote(staff["last_name"].to_numpy()[person]),
            s(completion),
            s(success),
            where(done, s(score), ""),
            s(secs),
            fmt.iso_z(fmt.to_utc(first)),
            fmt.iso_z(fmt.to_utc(done_ts)),
            fmt.iso_z(fmt.to_utc(last)),
        ]
        path = out / "exports" / f"scormcloud-{tenant}" / f"registrations-{str(CUT)[:7]}.csv"
        stats.append((path, fmt.write_csv(path, SCORM_HEADER, cols)))
    return stats


def write_quizlong(
    out: Path, staff: pd.DataFrame, act: Activity, layout: pd.DataFrame, seed: int
) -> list:
    """NHA pre- and post-test item responses, one row per item, learner = e-mail."""
    enr, att = act.enr, act.att
    e = att["enr"].to_numpy()
    keep = (
        (enr["system"].to_numpy()[e] == "nha")
        & (att["state"] == "Finished").to_numpy()
        & (att["end"] <= CUT).to_numpy()
        & (att["phase"] < 2).to_numpy()
    )
    body = []
    for m, mid in enumerate(MODULE_IDS):
        sel = np.flatnonzero(keep & (enr["module"].to_numpy()[e] == m))
        if len(sel) == 0:
            continue
        a = att.iloc[sel]
        n_items = 5 if mid == "M14" else 10
        pts = act.points[sel, :n_items]
        rep = np.repeat(np.arange(len(sel)), n_items)
        k = np.tile(np.arange(n_items), len(sel))
        person = enr["person"].to_numpy()[a["enr"].to_numpy()]
        phase = np.array(["pre", "post"])[a["phase"].to_numpy()]
        learner = quote(staff["lms_email"].to_numpy()[person]).take(rep)
        submitted = fmt.iso_z(fmt.to_utc(a["end"].to_numpy()), millis=False).take(rep)
        items = np.array([f"{mid}-I{j + 1:02d}" for j in range(n_items)])[k]
        p = pts[rep, k]
        body.append(
            fmt.lines(
                [
                    learner,
                    course_names(m + 1)["nha_id"],
                    s(phase[rep]),
                    s(a["attempt"].to_numpy()[rep]),
                    s(items),
                    s(np.where(p < 0, 0, p)),
                    "2" if mid == "M14" else "1",
                    submitted,
                ]
            )
        )
    path = out / "exports" / "quizlong-nha" / f"responses-{str(CUT)[:7]}.csv"
    return [(path, fmt.write_csv(path, LONG_HEADER, body=body))]
