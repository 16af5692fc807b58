"""Learning activity of the staff population: enrolments, course progress and quiz attempts.

Everything is simulated once, in local wall-clock time (America/Chicago), up to the last cut
(2026-10-31). Each writer then takes a *snapshot* at its export's cut date, so an older
re-export is the same history seen earlier: fewer completions, attempts still in progress.
No loop runs per person or per row: loops go over modules and phases only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import catalog
from .fmt import rng_for

LAUNCH = np.datetime64("2025-01-06T00:00:00", "s")
CUT = np.datetime64("2026-10-31T23:59:59", "s")
NAT = np.datetime64("NaT", "s")
QUIZ_SYSTEMS = ("mha", "kha", "nha")
FOLLOWUP_SYSTEMS = ("mha", "kha")
PHASES = ("pre", "post", "followup")
N_MODULES = len(catalog.MODULES)
MODULE_IDS = [m[0] for m in catalog.MODULES]
# When staff train: day shift, evenings at home, a little at night.
HOUR_W = np.array(
    [1, 0.5, 0.3, 0.3, 0.5, 1, 3, 6, 9, 10, 10, 9, 8, 9, 10, 10, 9, 7, 6, 6, 6, 5, 3, 2],
    dtype=float,
)
SEASON = np.array([1.2, 1.1, 1.15, 1.0, 0.9, 0.75, 0.6, 0.8, 1.15, 1.2, 0.95, 0.6])


@dataclass
class Activity:
    enr: pd.DataFrame  # one row per (person, module, system) enrolment
    att: pd.DataFrame  # one row per quiz attempt, ordered by enrolment, phase, start
    points: np.ndarray  # (attempts, 10) int8 points per position; -1 = not answered


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _secs(x) -> np.ndarray:
    return np.asarray(np.round(x), dtype=np.int64).astype("timedelta64[s]")


def _time_of_day(rng, n) -> np.ndarray:
    hour = rng.choice(24, size=n, p=HOUR_W / HOUR_W.sum())
    return _secs(hour * 3600 + rng.integers(0, 3600, n))


def _later_day(ts: np.ndarray, days: np.ndarray, rng) -> np.ndarray:
    """A later day at a fresh time of day (coming back to the course another day)."""
    day = ts.astype("datetime64[D]").astype("datetime64[s]")
    return day + _secs(np.asarray(days) * 86400) + _time_of_day(rng, len(ts))


def _start_days(rng, n, ramp_from: float = 0.25) -> np.ndarray:
    """Program start day per person: ramping up from launch, with seasonal dips."""
    months = np.arange("2025-01", "2026-11", dtype="datetime64[M]")
    i = np.arange(len(months))
    w = (ramp_from + i / (len(months) - 1)) * SEASON[i % 12]
    m = rng.choice(len(months), size=n, p=w / w.sum())
    first = months[m].astype("datetime64[D]")
    ndays = ((months[m] + 1).astype("datetime64[D]") - first).astype(int)
    day = first + (rng.random(n) * ndays).astype(int)
    return np.maximum(day, LAUNCH.astype("datetime64[D]")).astype("datetime64[s]")


def simulate(staff: pd.DataFrame, cfg: dict, seed: int) -> Activity:
    enr = _enrolments(staff, cfg, rng_for(seed, "enrolments"))
    enr = _progress(enr, staff, cfg, rng_for(seed, "progress"))
    att, points = _attempts(enr, cfg, rng_for(seed, "attempts"))
    _force_in_flight(enr, att)
    return Activity(enr=enr, att=att, points=points)


def _enrolments(staff: pd.DataFrame, cfg: dict, rng) -> pd.DataFrame:
    n = len(staff)
    logit = cfg["reach_base"] + staff["reach_logit"].to_numpy()
    reached = rng.random(n) < _sigmoid(logit)
    full = reached & (
        rng.random(n) < _sigmoid(cfg["full_base"] + 0.6 * (logit - cfg["reach_base"]))
    )
    who = np.flatnonzero(reached)
    nr = len(who)
    day0 = _start_days(rng, nr)

    order = np.argsort(np.arange(N_MODULES) + rng.normal(0.0, 2.5, (nr, N_MODULES)), axis=1)
    rank = np.argsort(order, axis=1)
    role_idx = pd.Categorical(staff["role"], categories=catalog.ROLE_IDS).codes[who]
    req = np.array(
        [[(r, m) not in catalog.NOT_REQUIRED for m in MODULE_IDS] for r in catalog.ROLE_IDS]
    )[role_idx]
    f = full[who][:, None]
    k_partial = 1 + rng.binomial(12, 0.22, nr)
    enrolled = np.where(f, req | (rng.random((nr, N_MODULES)) < 0.4), rank < k_partial[:, None])
    # Gaps between consecutive modules: bursts of same-day modules, then pauses.
    mean_gap = np.where(f, cfg["gap_full"], cfg["gap_partial"])
    gaps = np.where(
        rng.random((nr, N_MODULES)) < 0.45,
        rng.random((nr, N_MODULES)) * 0.3,
        rng.exponential(1.0, (nr, N_MODULES)) * mean_gap,
    )
    gaps[:, 0] = 0.0
    offset = np.floor(np.take_along_axis(np.cumsum(gaps, axis=1), rank, axis=1))
    # Whole days after the person's first day, at a fresh time of day (staff train on shift).
    tod = _time_of_day(rng, nr * N_MODULES).reshape(nr, N_MODULES)
    ts = day0[:, None] + _secs(offset * 86400) + tod
    pi, mi = np.nonzero(enrolled & (ts <= CUT))
    enr = pd.DataFrame(
        {
            "person": who[pi],
            "module": mi.astype(np.int8),
            "enrol_ts": ts[pi, mi],
            "full": full[who][pi],
            "extra": False,
        }
    )

    # Enrolled but never started: cohort enrolments of staff who never opened the course.
    idle = np.flatnonzero(~reached & (rng.random(n) < cfg["idle_rate"]))
    idle_mod = np.where(rng.random(len(idle)) < 0.6, 0, rng.integers(0, N_MODULES, len(idle)))
    idle_ts = _start_days(rng, len(idle), ramp_from=0.6) + _time_of_day(rng, len(idle))
    enr = pd.concat(
        [
            enr,
            pd.DataFrame(
                {
                    "person": idle,
                    "module": idle_mod.astype(np.int8),
                    "enrol_ts": idle_ts,
                    "full": False,
                    "extra": True,
                }
            ),
        ],
        ignore_index=True,
    )
    enr["system"] = staff["system"].to_numpy()[enr["person"].to_numpy()]

    # Some Heartland staff also took one or two modules on the MHA Moodle (two learners then).
    hs = (enr["system"] == "healthstream").to_numpy() & ~enr["extra"].to_numpy()
    cross_people = np.unique(enr.loc[hs, "person"].to_numpy())
    cross_people = cross_people[rng.random(len(cross_people)) < 0.12]
    dup = enr[
        hs & np.isin(enr["person"].to_numpy(), cross_people) & (rng.random(len(enr)) < 0.3)
    ].copy()
    dup["system"] = "mha"
    dup["enrol_ts"] = np.maximum(
        dup["enrol_ts"].to_numpy() - _secs(rng.integers(5, 40, len(dup)) * 86400),
        LAUNCH + _secs(8 * 3600),
    )
    enr = pd.concat([enr, dup], ignore_index=True)
    return enr.sort_values(["person", "module", "system"], kind="stable").reset_index(drop=True)


def _progress(enr: pd.DataFrame, staff: pd.DataFrame, cfg: dict, rng) -> pd.DataFrame:
    n = len(enr)
    person = enr["person"].to_numpy()
    extra = enr["extra"].to_numpy()
    started = ~extra & (rng.random(n) < 0.96)
    completes = started & (rng.random(n) < np.where(enr["full"], 0.985, 0.85))
    delay = np.where(rng.random(n) < 0.6, 0, rng.geometric(0.3, n))
    session = enr["enrol_ts"].to_numpy() + _secs(delay * 86400 + rng.integers(0, 600, n))
    quiz = (
        started & enr["system"].isin(QUIZ_SYSTEMS).to_numpy() & (rng.random(n) < cfg["quiz_rate"])
    )
    theta = staff["ability"].to_numpy()[person] + rng.normal(0.0, 0.5, n)

    pre_dur = np.clip(rng.lognormal(np.log(360), 0.5, n), 60, 2400)
    video_start = session + _secs(np.where(quiz, pre_dur + rng.integers(5, 120, n), 0))
    video_dur = np.clip(rng.lognormal(np.log(1200), 0.45, n), 180, 5400)
    multi = rng.random(n) < 0.25
    video_ts = np.where(
        multi, _later_day(video_start, rng.geometric(0.25, n), rng), video_start
    ) + _secs(video_dur)
    video_ts = np.where(completes & (video_ts <= CUT), video_ts, NAT)

    # Attrition: learners with weaker pre-tests skip the post-test more often.
    drop = rng.random(n) < _sigmoid(cfg["drop_base"] - 1.1 * theta)
    post_at = np.where(
        rng.random(n) < 0.8,
        video_ts + _secs(rng.integers(30, 600, n)),
        _later_day(video_ts, rng.integers(1, 8, n), rng),
    )
    post_start = np.where(quiz & ~np.isnat(video_ts) & ~drop, post_at, NAT)

    enr["started"] = started
    enr["session_ts"] = np.where(started, session, NAT)
    enr["quiz"] = quiz
    enr["theta"] = theta
    enr["pre_dur"] = np.round(pre_dur).astype(np.int64)
    enr["video_ts"] = video_ts
    enr["post_start"] = post_start
    enr["seconds"] = np.round(video_dur * rng.uniform(0.8, 1.3, n)).astype(np.int64)
    enr["score"] = np.clip(
        np.round(100 * _sigmoid(theta + 1.7 + rng.normal(0, 0.3, n))), 40, 100
    ).astype(np.int64)
    return enr


def _attempts(enr: pd.DataFrame, cfg: dict, rng) -> tuple[pd.DataFrame, np.ndarray]:
    """Attempts of every phase (finished, and abandoned ones), with item points."""
    q = np.flatnonzero(enr["quiz"].to_numpy())
    session = enr["session_ts"].to_numpy()
    frames = []

    def add(idx, phase, start, dur, state):
        frames.append(
            pd.DataFrame(
                {
                    "enr": idx,
                    "phase": np.int8(phase),
                    "start": start,
                    "dur": np.asarray(dur, dtype=np.int64),
                    "state": state,
                }
            )
        )

    add(q, 0, session[q], enr["pre_dur"].to_numpy()[q], "Finished")
    p = np.flatnonzero(~np.isnat(enr["post_start"].to_numpy()))
    post_start = enr["post_start"].to_numpy()[p]
    keep = post_start <= CUT
    p, post_start = p[keep], post_start[keep]
    add(p, 1, post_start, np.clip(rng.lognormal(np.log(420), 0.5, len(p)), 60, 2700), "Finished")
    att = pd.concat(frames, ignore_index=True)
    points = _score(att, enr, rng)
    frames = [att]

    # A second post-test attempt, mostly by learners who scored under 70% the first time.
    first_post = att[att["phase"] == 1]
    pts = points[first_post.index.to_numpy()]
    pct = np.where(pts < 0, 0, pts).sum(axis=1) * 10
    retake = rng.random(len(first_post)) < np.where(pct < 70, 0.4, 0.03)
    r = first_post[retake]
    end1 = r["start"].to_numpy() + _secs(r["dur"].to_numpy())
    start2 = np.where(
        rng.random(len(r)) < 0.6,
        end1 + _secs(rng.integers(60, 1200, len(r))),
        _later_day(end1, rng.integers(1, 10, len(r)), rng),
    )
    ok = start2 <= CUT
    add(
        r["enr"].to_numpy()[ok],
        1,
        start2[ok],
        np.clip(rng.lognormal(np.log(400), 0.5, int(ok.sum())), 60, 2700),
        "Finished",
    )
    # Follow-up 3-6 months after the post-test (Moodle tenants only), about a third respond.
    fp = first_post[enr["system"].to_numpy()[first_post["enr"].to_numpy()] != "nha"]
    fstart = (fp["start"].to_numpy() + _secs(rng.integers(90, 181, len(fp)) * 86400)).astype(
        "datetime64[D]"
    ).astype("datetime64[s]") + _time_of_day(rng, len(fp))
    ok = (fstart <= CUT) & (rng.random(len(fp)) < cfg["followup_rate"])
    add(
        fp["enr"].to_numpy()[ok],
        2,
        fstart[ok],
        np.clip(rng.lognormal(np.log(380), 0.5, int(ok.sum())), 60, 2700),
        "Finished",
    )
    # Abandoned attempts (Moodle only). Before a finished pre-test: closed as Never submitted
    # or Overdue (Moodle allows a new attempt only then). After a finished post-test: a
    # review attempt left open, still In progress, or closed.
    moodle = enr["system"].to_numpy()[att["enr"].to_numpy()] != "nha"
    ab = att[moodle & (rng.random(len(att)) < cfg["abandon_rate"])]
    pre = (ab["phase"] == 0).to_numpy()
    x = len(ab)
    state = np.where(
        pre,
        rng.choice(["Never submitted", "Overdue"], size=x, p=[0.7, 0.3]),
        rng.choice(["In progress", "Never submitted", "Overdue"], size=x, p=[0.5, 0.35, 0.15]),
    )
    shift = _secs(rng.integers(1, 4, x) * 86400 + rng.integers(0, 3600, x))
    ab_start = np.where(
        pre,
        np.maximum(ab["start"].to_numpy() - shift, LAUNCH + _secs(28800)),
        ab["start"].to_numpy() + _secs(ab["dur"].to_numpy()) + shift,
    )
    ok = ab_start <= CUT
    add(
        ab["enr"].to_numpy()[ok],
        ab["phase"].to_numpy()[ok],
        ab_start[ok],
        np.zeros(int(ok.sum())),
        state[ok],
    )
    # The course enrolment precedes any attempt.
    first = pd.Series(ab_start[ok]).groupby(ab["enr"].to_numpy()[ok]).min()
    enrol = enr["enrol_ts"].to_numpy().copy()
    enrol[first.index.to_numpy()] = np.minimum(enrol[first.index.to_numpy()], first.to_numpy())
    enr["enrol_ts"] = enrol

    new = pd.concat(frames[1:], ignore_index=True)
    new_points = _score(new, enr, rng)
    att = pd.concat([att, new], ignore_index=True)
    points = np.vstack([points, new_points])
    # Second attempts score better: re-score them with the retake bonus.
    att["attempt_order"] = np.arange(len(att))
    att = att.sort_values(["enr", "phase", "start"], kind="stable")
    points = points[att["attempt_order"].to_numpy()]
    att = att.drop(columns="attempt_order").reset_index(drop=True)
    att["attempt"] = att.groupby(["enr", "phase"]).cumcount().to_numpy() + 1
    retry = (
        (att["phase"] == 1).to_numpy()
        & (att["attempt"] > 1).to_numpy()
        & (att["state"] == "Finished").to_numpy()
    )
    points[retry] = _score(att[retry], enr, rng, bonus=0.6)
    points[(att["state"] != "Finished").to_numpy()] = -1
    att["end"] = np.where(
        att["state"] == "Finished", att["start"].to_numpy() + _secs(att["dur"].to_numpy()), NAT
    )
    return att, points


def _score(att: pd.DataFrame, enr: pd.DataFrame, rng, bonus: float = 0.0):
    """Item points per position. Logit = ability - difficulty (+ module gain after training)."""
    points = np.full((len(att), 10), -1, dtype=np.int8)
    module = enr["module"].to_numpy()[att["enr"].to_numpy()]
    theta = enr["theta"].to_numpy()[att["enr"].to_numpy()]
    phase = att["phase"].to_numpy()
    for m, mid in enumerate(MODULE_IDS):
        n_items = 5 if mid == "M14" else 10
        diff = _difficulty(mid, n_items)
        adj = np.array(
            [catalog.HARD_ITEMS.get(f"{mid}-I{k + 1:02d}", (0, 0))[1] for k in range(n_items)]
        )
        sel = np.flatnonzero(module == m)
        if len(sel) == 0:
            continue
        gain = catalog.MODULE_GAIN[mid] + adj[None, :] + bonus
        shift = np.where(
            phase[sel, None] == 0,
            0.0,
            np.where(phase[sel, None] == 1, gain, gain * catalog.MODULE_RETAIN[mid]),
        )
        logit = theta[sel, None] - diff[None, :] + shift
        prob = _sigmoid(logit)
        trials = 2 if mid == "M14" else 1
        pts = rng.binomial(trials, prob).astype(np.int8)
        pts[rng.random(pts.shape) < 0.01] = -1  # not answered -> shown as "-"
        # Items in pre-test order (item k at column k); the writer maps them to positions.
        points[sel, :n_items] = pts
    return points


_DIFF_CACHE: dict[str, np.ndarray] = {}


def _difficulty(mid: str, n_items: int) -> np.ndarray:
    if mid not in _DIFF_CACHE:
        rng = np.random.default_rng([7, int(mid[1:])])  # fixed: item difficulty is a property
        # of the item, not of the tier's seed; capped so only the designated items stay hard
        diff = np.clip(rng.normal(-0.35, 0.45, n_items), -1.3, -0.05)
        for k in range(n_items):
            hard = catalog.HARD_ITEMS.get(f"{mid}-I{k + 1:02d}")
            if hard:
                diff[k] = hard[0]
        _DIFF_CACHE[mid] = diff
    return _DIFF_CACHE[mid]


IN_FLIGHT_START = np.datetime64("2026-06-30T23:38:12", "s")


def _force_in_flight(enr: pd.DataFrame, att: pd.DataFrame) -> None:
    """One MHA HT02 post-test attempt runs across the 2026-06 cut: In progress in the June
    re-export, Finished (same Started on) in the current file."""
    sys_ = enr["system"].to_numpy()[att["enr"].to_numpy()]
    mod = enr["module"].to_numpy()[att["enr"].to_numpy()]
    counts = att.groupby(["enr"])["phase"].transform("size").to_numpy()
    cand = np.flatnonzero(
        (sys_ == "mha")
        & (mod == 1)
        & (att["phase"] == 1).to_numpy()
        & (counts == 2)
        & (att["state"] == "Finished").to_numpy()
        & (att["start"] >= np.datetime64("2026-06-01")).to_numpy()
        & (att["start"] < np.datetime64("2026-06-30")).to_numpy()
    )
    if len(cand) == 0:
        return
    i = cand[0]
    att.loc[i, "start"] = IN_FLIGHT_START
    att.loc[i, "dur"] = 1373
    att.loc[i, "end"] = IN_FLIGHT_START + np.timedelta64(1373, "s")
