"""WordPress Download Monitor logs of the Kansas association's site (`exports/dlm-kha/`).

Bytes as the plugin's `DLM_Log_Export_CSV` builds them: every field wrapped in quotes with no
escaping of quotes inside, records joined with `\\n` and no newline after the last, newest first
(the log repository orders by download_date DESC). Meta Data lines each end with `\\n` inside
the field. Two exports saved by the admin overlap by April 2026.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import catalog
from .downloads import BOTS, BROWSER_UAS, END_DAY, FILES, FIRST_DAY, Downloads, bot_addresses
from .fmt import _buffer, cat, rng_for, s, where

HEADER = [
    "Download ID",
    "Download Title",
    "Version ID",
    "Filename",
    "User ID",
    "User Login",
    "User Email",
    "User IP",
    "User Agent",
    "Date",
    "Status",
    "Meta Data",
]
# (file name, first day, last day) of each export, both ends inclusive
EXPORTS = [
    ("download_log_2026-04-30.csv", "2025-01-01", "2026-04-30"),
    ("download_log_2026-10-31.csv", "2026-04-01", "2026-10-31"),
]
# The site's own titles: the poster uploads carry their campaign name in quotes.
TITLES = {
    "TR12": 'Hotline poster "Get Help Now" (English)',
    "TR13": 'Hotline poster "Get Help Now" (Spanish)',
}
VERSIONS = ["2.1", "1.0", "1.3", "3.0", "2.0", "1.1"]
REFERRERS = ["https://www.kha-net.org/toolkit/", "https://www.kha-net.org/education/trafficking/"]
STATUSES = ["completed", "redirected", "failed - Access denied", "failed - File not found"]
UAS = BROWSER_UAS + [b[0] for b in BOTS]
CRAWLERS = 3  # the first three bots: crawlers that follow download links


def _resource_table() -> pd.DataFrame:
    """Download ID / Version ID are WordPress post ids: fixed per file, a property of the site."""
    rows = []
    for i, (rid, title, path, *_) in enumerate(catalog.TOOLKIT_RESOURCES):
        if path.startswith(FILES):
            post = 1042 + 3 * len(rows)
            rows.append((i, post, TITLES.get(rid, title), post + 1, path.rsplit("/", 1)[1]))
    frame = pd.DataFrame(rows, columns=["resource", "download_id", "title", "version_id", "file"])
    frame["version"] = [VERSIONS[i % len(VERSIONS)] for i in range(len(frame))]
    return frame.set_index("resource")


def _users(rng, staff: pd.DataFrame, person: np.ndarray) -> pd.DataFrame:
    """WordPress accounts of the people who logged in: id, login and profile e-mail; person -1
    is the anonymous visitor as the export shows it (`0`, `-`, `-`)."""
    people = np.unique(person)
    local = pd.Series(staff["email"].to_numpy()[people]).str.split("@").str[0]
    first, rest = local.str[0], local.str.split(".", n=1).str[1]
    login = first + rest
    login = (login + np.where(login.duplicated(), people.astype(str), "")).to_numpy()
    personal = rng.random(len(people)) < 0.1  # some registered with a gmail address
    email = np.where(
        personal,
        local.str.replace(".", "", regex=False) + "@gmail.com",
        staff["email"].to_numpy()[people],
    )
    ids = 14 + np.cumsum(rng.integers(1, 4, len(people)))
    accounts = pd.DataFrame({"id": ids, "login": login, "email": email}, index=people)
    anonymous = pd.DataFrame({"id": [0], "login": ["-"], "email": ["-"]}, index=[-1])
    return pd.concat([anonymous, accounts])


def _rows(dl: Downloads, staff: pd.DataFrame, rng) -> pd.DataFrame:
    ev = dl.dlm
    n = len(ev)
    hosp = ev["hosp"].to_numpy()
    at_work = hosp >= 0
    # Staff rows are grouped by hospital: pick someone of the downloading hospital.
    first = np.searchsorted(staff["hosp"].to_numpy(), np.arange(hosp.max() + 2))
    h = np.where(at_work, hosp, 0)
    person = first[h] + (rng.random(n) * (first[h + 1] - first[h])).astype(np.int64)
    logged_in = rng.random(n) < np.where(at_work, 0.25, 0.0)
    client = ev["client"].to_numpy()
    rows = pd.DataFrame(
        {
            "local": ev["local"].to_numpy(),
            "resource": ev["resource"].to_numpy(),
            "ip": client,  # index into the clients' addresses, then the bots'
            "ua": dl.clients["ua"].to_numpy()[client],  # index into UAS
            "person": np.where(logged_in, person, -1),
        }
    )
    # Crawlers follow the download links too (the plugin logs them unless told not to).
    n_bot = round(0.04 * n)
    bot = rng.integers(0, CRAWLERS, n_bot)
    start = FIRST_DAY.astype("datetime64[s]")
    span_s = int((END_DAY - FIRST_DAY).astype(int)) * 86400
    hosts = np.array([b[3] for b in BOTS])[bot]
    files = _resource_table().index.to_numpy()
    bots = pd.DataFrame(
        {
            "local": start + rng.integers(0, span_s, n_bot).astype("timedelta64[s]"),
            "resource": files[rng.integers(0, len(files), n_bot)],
            "ip": len(dl.ips) + bot_addresses()[1][bot] + (rng.random(n_bot) * hosts).astype(int),
            "ua": len(BROWSER_UAS) + bot,
            "person": -1,
        }
    )
    rows = pd.concat([rows, bots], ignore_index=True)
    m = len(rows)
    anonymous = rows["person"].to_numpy() < 0
    u = rng.random(m)
    status = np.where(u < 0.91, 0, np.where(u < 0.96, 1, np.where(u < 0.985, 2, 3)))
    rows["status"] = np.where((status == 2) & ~anonymous, 0, status)
    rows["meta"] = rng.integers(0, 3, m)  # none, version only, version and referrer
    rows["referrer"] = rng.integers(0, len(REFERRERS), m)
    # Newest first; equal times keep the later-logged row first, as the table's id would.
    order = np.lexsort((np.arange(m), rows["local"].to_numpy()))[::-1]
    return rows.iloc[order].reset_index(drop=True)


def _records(rows: pd.DataFrame, users: pd.DataFrame, ips: pa.Array) -> pa.Array:
    res = _resource_table().loc[rows["resource"].to_numpy()]
    u = users.loc[rows["person"].to_numpy()]
    version = res["version"].to_numpy()
    meta = rows["meta"].to_numpy()
    meta_text = where(
        meta == 0,
        "",
        cat(
            "version: ",
            version,
            "\n",
            where(
                meta == 2,
                cat("referrer: ", np.array(REFERRERS)[rows["referrer"].to_numpy()], "\n"),
                "",
            ),
        ),
    )
    date = pc.replace_substring(
        s(np.datetime_as_string(rows["local"].to_numpy().astype("datetime64[s]"))), "T", " "
    )
    fields = [
        s(res["download_id"].to_numpy()),
        s(res["title"].to_numpy()),
        s(res["version_id"].to_numpy()),
        s(res["file"].to_numpy()),
        s(u["id"].to_numpy()),
        s(u["login"].to_numpy()),
        s(u["email"].to_numpy()),
        ips.take(pa.array(rows["ip"].to_numpy())),
        pa.array(UAS).take(pa.array(rows["ua"].to_numpy())),
        date,
        pa.array(STATUSES).take(pa.array(rows["status"].to_numpy())),
        meta_text,
    ]
    return cat('"', pc.binary_join_element_wise(*fields, '","'), '"')


def write_dlm(out: Path, dl: Downloads, staff: pd.DataFrame, seed: int) -> list:
    rng = rng_for(seed, "dlm-kha")
    rows = _rows(dl, staff, rng)
    people = rows["person"].to_numpy()
    users = _users(rng, staff, people[people >= 0])
    records = _records(rows, users, pa.concat_arrays([dl.ips, bot_addresses()[0]]))
    local = rows["local"].to_numpy()
    stats = []
    for name, first, last in EXPORTS:
        lo, hi = np.datetime64(first, "s"), np.datetime64(last, "s") + np.timedelta64(86399, "s")
        part = records.filter(pa.array((local >= lo) & (local <= hi)))
        path = out / "exports" / "dlm-kha" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        head = '"' + '","'.join(HEADER) + '"'
        body = b"\n" + _buffer(cat(part, "\n"))[:-1] if len(part) else b""
        path.write_bytes(head.encode() + body)
        stats.append((path, len(part)))
    return stats
