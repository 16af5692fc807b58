"""Moodle exports: course-completion reports and quiz "Grades" reports, per tenant.

MHA (site language `en`, day-first dates) shows the custom profile field `Job title`; KHA
(`en_us`, month-first) shows no identity extras and one of its files was re-saved as cp1252.
An older MHA re-export (cut 2026-06-30) of three courses and one quiz sits in `2026-06/`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import fmt
from .activity import CUT, IN_FLIGHT_START, MODULE_IDS, Activity
from .fmt import cat, quote, s, where
from .reference import QUIZ_NAMES, course_names

TENANTS = {"mha": {"order": "dmy", "job_title": True}, "kha": {"order": "mdy", "job_title": False}}
REEXPORT_CUT = np.datetime64("2026-06-30T23:59:59", "s")
REEXPORT_COURSES = (0, 1, 2)  # HT01-HT03
REEXPORT_QUIZ = (1, "post")  # HT02-Post-test: holds the attempt in flight at the cut
CP1252_COURSE = ("kha", 0)  # completion-kha_htm_01.csv
BAD_DATE_QUIZ = ("mha", 4, "pre")  # HT05-Pre-test: one row with `31 February 2026`
ACTIVITIES = ("Pre-test", "Module video", "Post-test")


def short_name(tenant: str, module: int) -> str:
    return course_names(module + 1)[f"{tenant}_id"]


def write_moodle(
    out: Path, staff: pd.DataFrame, act: Activity, layout: pd.DataFrame, seed: int
) -> dict[str, list]:
    stats: dict[str, list] = {"moodle completion": [], "moodle quiz": []}
    for tenant, opts in TENANTS.items():
        users = _users(staff, act.enr, tenant, fmt.rng_for(seed, f"moodle-users-{tenant}"))
        folder = out / "exports" / f"moodle-{tenant}"
        for m in range(len(MODULE_IDS)):
            name = f"completion-{short_name(tenant, m).lower().replace('-', '_')}.csv"
            cuts = [(folder, CUT)]
            if tenant == "mha" and m in REEXPORT_COURSES:
                cuts.append((folder / "2026-06", REEXPORT_CUT))
            for where_to, cut in cuts:
                rng = fmt.rng_for(seed, f"completion-{tenant}-{m}-{cut}")
                path = where_to / name
                rows = _completion(path, staff, act, users, tenant, m, cut, opts, rng)
                stats["moodle completion"].append((path, rows))
            for phase in QUIZ_NAMES:
                cuts = [(folder / "quiz", CUT)]
                if tenant == "mha" and (m, phase) == REEXPORT_QUIZ:
                    cuts.append((folder / "2026-06" / "quiz", REEXPORT_CUT))
                for where_to, cut in cuts:
                    rng = fmt.rng_for(seed, f"quiz-{tenant}-{m}-{phase}-{cut}")
                    path = where_to / f"{short_name(tenant, m)}-{QUIZ_NAMES[phase]}-grades.csv"
                    rows = _grades(path, staff, act, users, layout, tenant, m, phase, cut, rng)
                    stats["moodle quiz"].append((path, rows))
    return stats


def _users(staff: pd.DataFrame, enr: pd.DataFrame, tenant: str, rng) -> pd.DataFrame:
    """Moodle accounts of the tenant: user id (in order of first enrolment) and the e-mail as
    the account shows it (a few typed in mixed case)."""
    mine = enr[enr["system"] == tenant]
    first = mine.groupby("person")["enrol_ts"].min().sort_values(kind="stable")
    n = len(first)
    ids = 2 + np.cumsum(1 + rng.geometric(0.7, n) - 1)
    email = pd.Series(staff["lms_email"].to_numpy()[first.index.to_numpy()])
    u = rng.random(n)
    email = np.where(u < 0.02, email.str.title(), np.where(u < 0.03, email.str.upper(), email))
    # The MHA profile field Job title is optional: some learners left it empty.
    title = np.where(rng.random(n) < 0.15, "", staff["job_title"].to_numpy()[first.index])
    return pd.DataFrame({"id": ids, "email": email, "job_title": title}, index=first.index)


def _spaced(emails: np.ndarray, rng) -> np.ndarray:
    """A few addresses with a leading or trailing space (copied from a form into the profile)."""
    u = rng.random(len(emails))
    e = pd.Series(emails, dtype=object)
    return np.where(u < 0.008, " " + e, np.where(u < 0.016, e + " ", e))


def _finished_by(act: Activity, cut) -> pd.DataFrame:
    att = act.att
    done = (att["state"] == "Finished").to_numpy() & (att["end"] <= cut).to_numpy()
    a = att[done]
    pts = act.points[done]
    grade = np.where(pts < 0, 0, pts).sum(axis=1)
    return pd.DataFrame(
        {
            "enr": a["enr"].to_numpy(),
            "phase": a["phase"].to_numpy(),
            "end": a["end"].to_numpy(),
            "grade": grade,
        }
    )


def _completion(path, staff, act, users, tenant, m, cut, opts, rng) -> int:
    enr = act.enr
    sel = (
        (enr["system"] == tenant).to_numpy()
        & (enr["module"] == m).to_numpy()
        & (enr["enrol_ts"] <= cut).to_numpy()
    )
    rows = enr[sel]
    idx = rows.index.to_numpy()
    person = rows["person"].to_numpy()
    fin = _finished_by(act, cut)
    fin = fin[np.isin(fin["enr"].to_numpy(), idx)]
    first_end = fin.groupby(["enr", "phase"])["end"].min()
    best = fin.groupby(["enr", "phase"])["grade"].max()

    def lookup(series, phase, fill):
        key = pd.MultiIndex.from_arrays([idx, np.full(len(idx), phase, dtype=np.int8)])
        return (
            series.reindex(key).fillna(fill).to_numpy() if len(series) else np.full(len(idx), fill)
        )

    pre_ts = lookup(first_end, 0, np.datetime64("NaT")).astype("datetime64[s]")
    post_ts = lookup(first_end, 1, np.datetime64("NaT")).astype("datetime64[s]")
    post_best = lookup(best, 1, 0)
    video = rows["video_ts"].to_numpy()
    video = np.where(video <= cut, video, np.datetime64("NaT"))
    order = opts["order"]

    u = users.loc[person]
    last = staff["last_name"].to_numpy()[person]
    cols = {
        "ID": s(u["id"].to_numpy()),
        "Name": quote(cat(staff["first_name"].to_numpy()[person], " ", last)),
        "Email address": quote(_spaced(u["email"].to_numpy(), rng)),
    }
    if opts["job_title"]:
        cols["Job title"] = quote(u["job_title"].to_numpy())
    post_state = np.where(
        post_best >= 7, "Completed (achieved pass grade)", "Completed (did not achieve pass grade)"
    )
    for name, ts, done_state in (
        ("Pre-test", pre_ts, "Completed"),
        ("Module video", video, "Completed"),
        ("Post-test", post_ts, post_state),
    ):
        done = ~np.isnat(ts)
        cols[name] = where(
            done, s(done_state) if not isinstance(done_state, str) else done_state, "Not completed"
        )
        cols[f"{name} - Completion date"] = quote(fmt.moodle_completion_date(ts, order))
    cols["Course complete"] = where(~np.isnat(video), "Completed", "Not completed")

    sort = np.lexsort((u["id"].to_numpy(), staff["first_name"].to_numpy()[person], last))
    columns = [c.take(sort) for c in cols.values()]
    if (tenant, m) == CP1252_COURSE:  # re-saved in Excel: cp1252, no BOM, CRLF
        names = pc.match_substring(cols["Name"], "O’Brien")
        if not pc.any(names).as_py():
            raise RuntimeError("the cp1252 file must hold an O’Brien")
        return fmt.write_csv(path, list(cols), columns, encoding="cp1252", newline="\r\n")
    return fmt.write_csv(path, list(cols), columns, bom=True)


def _grades(path, staff, act, users, layout, tenant, m, phase, cut, rng) -> int:
    enr, att = act.enr, act.att
    ph = list(QUIZ_NAMES).index(phase)
    e = att["enr"].to_numpy()
    sel = (
        (enr["system"].to_numpy()[e] == tenant)
        & (enr["module"].to_numpy()[e] == m)
        & (att["phase"].to_numpy() == ph)
        & (att["start"] <= cut).to_numpy()
    )
    a = att[sel]
    pts = act.points[sel]
    person = enr["person"].to_numpy()[a["enr"].to_numpy()]
    state = a["state"].to_numpy().copy()
    running = (state == "Finished") & (a["end"] > cut).to_numpy()
    state[running] = "In progress"
    finished = state == "Finished"

    version = layout[layout["quiz_version"] == f"{MODULE_IDS[m]}-{phase}-v1"]
    ks = version["k"].to_numpy()  # position p shows item k
    max_pts = 2 if MODULE_IDS[m] == "M14" else 1
    shown = pts[:, ks].astype(np.int64)
    grade = np.where(shown < 0, 0, shown).sum(axis=1) * (10 // (len(ks) * max_pts))

    u = users.loc[person]
    cols = {
        "Surname": quote(staff["last_name"].to_numpy()[person]),
        "First name": quote(staff["first_name"].to_numpy()[person]),
        "Email address": quote(_spaced(u["email"].to_numpy(), rng)),
        "State": s(state),
        "Started on": fmt.moodle_quiz_date(a["start"].to_numpy()),
        "Completed": fmt.moodle_quiz_date(
            np.where(finished, a["end"].to_numpy(), np.datetime64("NaT"))
        ),
        "Time taken": where(finished, fmt.moodle_duration(a["dur"].to_numpy()), "-"),
        "Grade/10.00": where(finished, fmt.hundredths(grade * 100), "-"),
    }
    for p in range(len(ks)):
        answered = finished & (shown[:, p] >= 0)
        cols[f"Q. {p + 1} /{max_pts}.00"] = where(answered, fmt.hundredths(shown[:, p] * 100), "-")
    if (tenant, m, phase) == BAD_DATE_QUIZ and cut == CUT:
        feb = np.flatnonzero(
            finished
            & (a["start"].dt.month == 2).to_numpy()
            & (a["start"].dt.year == 2026).to_numpy()
        )
        if len(feb):
            text = cols["Started on"][int(feb[0])].as_py()
            bad = np.zeros(len(a), dtype=bool)
            bad[feb[0]] = True
            cols["Started on"] = where(bad, "31 " + text.split(" ", 1)[1], cols["Started on"])
    if cut != CUT and (a["start"] == IN_FLIGHT_START).any():
        assert (state[(a["start"] == IN_FLIGHT_START).to_numpy()] == "In progress").all()

    sort = np.lexsort(
        (
            a["start"].to_numpy(),
            staff["first_name"].to_numpy()[person],
            staff["last_name"].to_numpy()[person],
        )
    )
    columns = [c.take(sort) for c in cols.values()]
    # Moodle's summary row: averages of the finished attempts.
    avg = ["Overall average"] + [""] * 6
    g = grade[finished]
    avg.append(f"{np.mean(g):.2f}" if len(g) else "-")
    for p in range(len(ks)):
        col = shown[finished, p]
        avg.append(f"{np.mean(np.where(col < 0, 0, col)):.2f}" if len(col) else "-")
    return fmt.write_csv(path, list(cols), columns, bom=True, trailer=[",".join(avg)])
