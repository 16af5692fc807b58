"""Toolkit download intents, shared by the web-server log, the Download Monitor log and the survey.

An intent is one person fetching one toolkit resource: the thing the ETL ends up counting. Each
comes from a client (IP + user agent): at work, an address inside the hospital's network range;
at home or on a phone, an address outside every range (counted but never attributed). The
writers add what each system layers on top (range requests, bots, page views, plugin statuses).

Signals: a hospital fetches more the more engaged it is (the same effect that drives training
reach); ~15% of member hospitals never fetch anything, so no request ever comes from their
ranges; the hotline posters are fetched at work only by hospitals with an emergency department.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from . import catalog
from .fmt import cat, rng_for, s, to_utc, where

TZ = "America/Chicago"
FIRST_DAY = np.datetime64("2025-01-01", "D")
END_DAY = np.datetime64("2026-11-01", "D")  # exclusive: the last log line is 2026-10-31 local
WEB_SHARE = 0.9  # of the tier's counted downloads; the rest are Kansas Download Monitor rows
HOME_SHARE = 0.3  # intents from outside every hospital range
SILENT_SHARE = 0.15  # member hospitals that never download
LATER_REPEAT = 0.05  # the same client fetches the same resource again hours or days later
POSTERS = ("TR12", "TR13")
FILES = "/toolkit/files/"  # the only resources the Kansas WordPress site serves
RESOURCE_IDS = [r[0] for r in catalog.TOOLKIT_RESOURCES]
# Popularity of TR01..TR21: the red-flag card, the screening tool and the posters lead.
RESOURCE_W = np.array(
    [6, 2.5, 3, 10, 8, 4, 2.5, 3, 3, 4, 5, 7, 3.5, 4, 3.5, 2.5, 4, 2, 2.5, 3, 12], dtype=float
)
# fmt: off
# Hour of day at work (day shift, a little at night) and at home (evenings).
WORK_HOUR_W = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 5, 8, 9, 9, 7,
                        6, 8, 9, 8, 6, 3, 1.5, 1, 0.8, 0.6, 0.4, 0.3])
HOME_HOUR_W = np.array([0.8, 0.4, 0.2, 0.2, 0.2, 0.4, 1.2, 2.5, 3, 3, 3, 3,
                        3.5, 3, 3, 3, 3.5, 4.5, 6, 7, 7.5, 6.5, 4, 2])
SEASON = np.array([1.2, 1.1, 1.15, 1.0, 0.9, 0.75, 0.6, 0.8, 1.15, 1.2, 0.95, 0.6])

# (user agent, weight at work, weight at home): Windows browsers at work, phones at home.
BROWSERS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 30, 4),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0", 15, 2),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", 25, 12),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 6, 4),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko", 3, 0),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15", 4, 12),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 8, 34),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36", 5, 20),
    ("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.6 Mobile/15E148 Safari/604.1", 4, 8),
]
WINDOWS_UAS = 5  # the first five: desktops where Word opens links from documents
BROWSER_UAS = [b[0] for b in BROWSERS]
# (user agent, share of bot lines, address block /24, how many hosts in it)
BOTS = [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0.35,
     (66, 249, 66), 254),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", 0.25,
     (157, 55, 39), 254),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 0.2,
     (54, 36, 148), 254),
    ("python-requests/2.31.0", 0.12, (192, 0, 2), 12),
    ("curl/8.5.0", 0.08, (192, 0, 2), 12),
]
# fmt: on
HEX16 = np.array([f"{i:x}" for i in range(65536)])


@dataclass
class Downloads:
    clients: pd.DataFrame  # ua (index into BROWSER_UAS), http2, hosp (-1 = outside every range)
    ips: pa.Array  # the address of each client
    web: pd.DataFrame  # intents on the collaborative's site: utc, local, client, resource, hosp
    dlm: pd.DataFrame  # intents on the Kansas association's WordPress site, same columns
    silent: np.ndarray  # hospital rows that never download
    engagement: np.ndarray  # per hospital row: mean reach logit of its staff, standardised


def bot_addresses() -> tuple[pa.Array, np.ndarray]:
    """Every bot host's address, and where each bot's hosts start in that list."""
    ips = pa.array([f"{a}.{b}.{c}.{h}" for _, _, (a, b, c), n in BOTS for h in range(1, n + 1)])
    return ips, np.concatenate([[0], np.cumsum([b[3] for b in BOTS])[:-1]])


def to_local(utc: np.ndarray) -> np.ndarray:
    idx = pd.DatetimeIndex(np.asarray(utc, dtype="datetime64[s]"))
    local = idx.tz_localize("UTC").tz_convert(TZ).tz_localize(None)
    return local.to_numpy().astype("datetime64[s]")


def simulate_downloads(
    hosp: pd.DataFrame, staff: pd.DataFrame, n_downloads: int, seed: int
) -> Downloads:
    rng = rng_for(seed, "downloads")
    nh = len(hosp)
    staff_n = np.bincount(staff["hosp"].to_numpy(), minlength=nh)
    member = hosp["is_member"].to_numpy()
    ed = (hosp["emergency"] == "Yes").to_numpy()
    eng = staff.groupby("hosp")["reach_logit"].mean().reindex(range(nh)).to_numpy()
    z = (eng - eng[member].mean()) / eng[member].std()

    # Low-engagement hospitals are likelier to be silent. Hospitals without an ED are kept
    # active so that "never a poster" is visible against their other downloads.
    cand = np.flatnonzero(member & ed)
    p = np.exp(-1.2 * z[cand])
    n_silent = max(1, round(SILENT_SHARE * int(member.sum())))
    silent = np.sort(rng.choice(cand, size=n_silent, replace=False, p=p / p.sum()))
    active = member.copy()
    active[silent] = False
    weight = np.where(active, staff_n**0.9 * np.exp(0.9 * z), 0.0)

    n_dlm = round((1 - WEB_SHARE) * n_downloads)
    n_web = round(WEB_SHARE * n_downloads / (1 + LATER_REPEAT))
    clients, ips, pool = _clients(rng, hosp, staff_n, active, n_web + n_dlm)
    web = _intents(rng, weight, ed, pool, n_web)
    web = _with_later_repeats(rng, web)
    web = _busy_missing_hour(rng, web, weight, ed, pool)
    ks = (hosp["state"] == "KS").to_numpy()
    files = RESOURCE_W * np.array([r[2].startswith(FILES) for r in catalog.TOOLKIT_RESOURCES])
    dlm = _intents(rng, np.where(ks, weight, 0.0), ed, pool, n_dlm, files)
    return Downloads(clients=clients, ips=ips, web=web, dlm=dlm, silent=silent, engagement=z)


def _ipv4_text(ip: np.ndarray) -> pa.Array:
    ip = np.asarray(ip, dtype=np.int64)
    return cat(s(ip >> 24), ".", s((ip >> 16) & 255), ".", s((ip >> 8) & 255), ".", s(ip & 255))


def _ipv6_text(rng, prefix: np.ndarray) -> pa.Array:
    """Prefix `2001:db8:x` + five random non-zero groups (so the text is already canonical)."""
    groups = HEX16[rng.integers(1, 65536, size=(len(prefix), 5))]
    return cat(prefix, *[f for g in groups.T for f in (":", g)])


def _cidr_base(cidr: str) -> tuple[int, int]:
    addr, bits = cidr.split("/")
    a, b, c, d = (int(x) for x in addr.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d, 2 ** (32 - int(bits))


def _clients(rng, hosp, staff_n, active, n_intents):
    """Person-ish clients: a pool per active hospital (inside its ranges), then one shared pool
    outside every range. Returns the client table and, per pool, (first row, size)."""
    nh = len(hosp)
    per_hosp = np.where(active, np.maximum(3, np.round(staff_n * 0.35)), 0).astype(np.int64)
    n_home = max(60, round(0.5 * HOME_SHARE * n_intents))
    h = np.repeat(np.arange(nh), per_hosp)
    n_work = len(h)
    base_size = [_cidr_base(c) for c in hosp["ipv4"]]
    base = np.array([b for b, _ in base_size], dtype=np.int64)[h]
    size = np.array([n for _, n in base_size], dtype=np.int64)[h]
    v4 = _ipv4_text(base + 1 + (rng.random(n_work) * (size - 2)).astype(np.int64))
    prefix = hosp["ipv6"].str.split("::").str[0].to_numpy()[h]
    use_v6 = (prefix != "") & (rng.random(n_work) < 0.5)
    work_ip = where(use_v6, _ipv6_text(rng, prefix), v4)

    u = rng.random(n_home)
    cgnat = (100 << 24) | (64 << 16)  # 100.64.0.0/10: phones behind carrier NAT
    mobile = _ipv4_text(cgnat + rng.integers(0, 2**22, n_home))
    test_nets = np.array([(198 << 24) | (51 << 16) | (100 << 8), (203 << 24) | (113 << 8)])
    broadband = _ipv4_text(test_nets[rng.integers(0, 2, n_home)] + rng.integers(1, 255, n_home))
    v6 = _ipv6_text(rng, np.full(n_home, "2001:db8:0"))  # member /48s never use group 0
    home_ip = where(u < 0.45, mobile, where(u < 0.75, broadband, v6))

    work_w = np.array([b[1] for b in BROWSERS], dtype=float)
    home_w = np.array([b[2] for b in BROWSERS], dtype=float)
    clients = pd.DataFrame(
        {
            "ua": np.concatenate(
                [
                    rng.choice(len(BROWSERS), n_work, p=work_w / work_w.sum()),
                    rng.choice(len(BROWSERS), n_home, p=home_w / home_w.sum()),
                ]
            ),
            "http2": rng.random(n_work + n_home) < 0.6,
            "hosp": np.concatenate([h, np.full(n_home, -1)]),
        }
    )
    start = np.concatenate([[0], np.cumsum(per_hosp)[:-1]])
    ips = pa.concat_arrays([work_ip, home_ip])
    return (
        clients,
        ips,
        {"start": start, "size": per_hosp, "home_start": n_work, "home_size": n_home},
    )


def _day_weights(home: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per calendar day: ramping up with the program, seasonal dips, fewer weekend days at work."""
    days = np.arange(FIRST_DAY, END_DAY)
    month = days.astype("datetime64[M]")
    i = (month - month[0]).astype(int)
    w = (0.35 + i / i.max()) * SEASON[month.astype(int) % 12]
    weekend = ((days.astype(int) + 3) % 7) >= 5  # 1970-01-01 was a Thursday
    w = w * np.where(weekend, 1.0 if home else 0.25, 0.8 if home else 1.0)
    return days, w / w.sum()


def _at(rng, n: int, home: bool) -> np.ndarray:
    """Local wall-clock times for n intents."""
    days, w = _day_weights(home)
    hour_w = HOME_HOUR_W if home else WORK_HOUR_W
    day = days[rng.choice(len(days), n, p=w)].astype("datetime64[s]")
    secs = rng.choice(24, n, p=hour_w / hour_w.sum()) * 3600 + rng.integers(0, 3600, n)
    return day + secs.astype("timedelta64[s]")


def _resources(rng, allowed_posters: np.ndarray, weight=RESOURCE_W) -> np.ndarray:
    n = len(allowed_posters)
    out = np.empty(n, dtype=np.int64)
    no_poster = weight * ~np.isin(RESOURCE_IDS, POSTERS)
    for mask, w in ((allowed_posters, weight), (~allowed_posters, no_poster)):
        out[mask] = rng.choice(len(w), int(mask.sum()), p=w / w.sum())
    return out


def _frame(local, client, resource, hosp) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"utc": to_utc(local), "client": client, "resource": resource, "hosp": hosp}
    )
    frame["local"] = to_local(frame["utc"].to_numpy())  # the fall-back hour read back correctly
    return frame


def _intents(rng, weight, ed, pool, n: int, resource_w=RESOURCE_W) -> pd.DataFrame:
    n_home = rng.poisson(HOME_SHARE * n)
    counts = rng.poisson((n - n_home) * weight / weight.sum())
    h = np.repeat(np.arange(len(weight)), counts)
    client = pool["start"][h] + (rng.random(len(h)) * pool["size"][h]).astype(np.int64)
    home_client = pool["home_start"] + rng.integers(0, pool["home_size"], n_home)
    frame = _frame(
        np.concatenate([_at(rng, len(h), home=False), _at(rng, n_home, home=True)]),
        np.concatenate([client, home_client]),
        _resources(rng, np.concatenate([ed[h], np.ones(n_home, dtype=bool)]), resource_w),
        np.concatenate([h, np.full(n_home, -1)]),
    )
    return frame.sort_values("utc", kind="stable").reset_index(drop=True)


def _with_later_repeats(rng, web: pd.DataFrame) -> pd.DataFrame:
    """Returning to a resource hours or days later counts again (beyond the 30-minute rule)."""
    again = web[rng.random(len(web)) < LATER_REPEAT]
    gap = rng.integers(2 * 3600, 6 * 86400, len(again)).astype("timedelta64[s]")
    later = _frame(
        to_local(again["utc"].to_numpy() + gap),
        again["client"].to_numpy(),
        again["resource"].to_numpy(),
        again["hosp"].to_numpy(),
    )
    later = later[later["local"] < END_DAY.astype("datetime64[s]")]
    web = pd.concat([web, later], ignore_index=True)
    return web.sort_values("utc", kind="stable").reset_index(drop=True)


MISSING_HOUR = (
    np.datetime64("2026-06-03T09:00:00", "s"),
    np.datetime64("2026-06-03T10:00:00", "s"),
)


def _busy_missing_hour(rng, web, weight, ed, pool) -> pd.DataFrame:
    """The hour the original June log lost must hold downloads at work, at every tier size."""
    n = 8
    h = rng.choice(len(weight), n, p=weight / weight.sum())
    client = pool["start"][h] + (rng.random(n) * pool["size"][h]).astype(np.int64)
    local = MISSING_HOUR[0] + np.sort(rng.integers(0, 3000, n)).astype("timedelta64[s]")
    extra = _frame(local, client, _resources(rng, ed[h]), h)
    web = pd.concat([web, extra], ignore_index=True)
    return web.sort_values("utc", kind="stable").reset_index(drop=True)
