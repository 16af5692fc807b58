"""nginx combined access logs of the collaborative's website (`exports/toolkit-web/`).

Monthly logrotate with dateext: `access.log-YYYYMMDD.gz` is rotated on the 1st and holds the
previous month; October 2026 is the live `access.log`. Each download intent becomes its request
plus what a browser really sends around it (PDF range requests, quick re-fetches, 304s, the page
and its assets), and the site gets crawler, link-checker and scanner traffic on top.
Quirks: one truncated line (March 2026), one empty request `"-" 400` (November 2025), June 2026
missing 09:00-10:00 of June 3 and re-sent in `resent/` together with June 1-5.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import catalog
from .downloads import (
    BOTS,
    BROWSER_UAS,
    END_DAY,
    FIRST_DAY,
    MISSING_HOUR,
    WINDOWS_UAS,
    Downloads,
    bot_addresses,
    to_local,
)
from .fmt import _buffer, cat, pad, rng_for, s, to_utc, where

SITE = "https://www.example-collab.org"
QUERY = "?utm_source=newsletter&utm_medium=email"
OLD_POSTER = "/toolkit/files/hotline-poster.pdf"  # printed in a 2024 newsletter, since renamed
NOT_FOUND_BYTES = 153  # nginx's own 404 page
MONTHS = pa.array(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
)
RESOURCE_PATHS = [r[2] for r in catalog.TOOLKIT_RESOURCES]
# Bytes of each toolkit file (TR10 and TR21 are WordPress pages: a little jitter per request).
RESOURCE_BYTES = np.array(
    [48_213, 36_877, 41_502, 482_113, 655_340, 301_226, 287_904, 52_611, 398_077, 38_420,
     512_998, 1_204_551, 1_187_030, 934_208, 721_466, 344_118, 402_775, 44_006, 27_995,
     4_118_302, 36_540],
)  # fmt: skip
IS_PDF = np.array([p.endswith(".pdf") for p in RESOURCE_PATHS])
IS_OFFICE = np.array([p.endswith((".docx", ".xlsx", ".pptx")) for p in RESOURCE_PATHS])
IS_PAGE = np.array([not p.startswith("/toolkit/files/") for p in RESOURCE_PATHS])
POSTER_IDX = [i for i, r in enumerate(catalog.TOOLKIT_RESOURCES) if r[0] in ("TR12", "TR13")]
# (path, bytes, weight among page views, is an asset a returning browser revalidates)
OTHER_PATHS = [
    ("/", 48_213, 10, False),
    ("/about/", 31_877, 3, False),
    ("/events/", 27_604, 3, False),
    ("/news/", 29_911, 2, False),
    ("/contact/", 15_520, 1, False),
    ("/wp-content/themes/collab/style.css?ver=6.5.2", 18_342, 8, True),
    ("/wp-content/themes/collab/js/site.js?ver=6.5.2", 9_120, 5, True),
    ("/wp-includes/js/jquery/jquery.min.js?ver=3.7.1", 87_553, 4, True),
    ("/wp-content/uploads/2024/11/collab-logo.png", 24_311, 5, True),
    ("/favicon.ico", 1_150, 6, True),
]
BOT_ONLY_PATHS = [("/robots.txt", 67), ("/sitemap.xml", 2_210), ("/wp-login.php", 0), ("/.env", 0)]
PATHS = RESOURCE_PATHS + [p[0] for p in OTHER_PATHS] + [p[0] for p in BOT_ONLY_PATHS] + [OLD_POSTER]
OTHER0 = len(RESOURCE_PATHS)
BOT0 = OTHER0 + len(OTHER_PATHS)
OLD_IDX = len(PATHS) - 1
REFERERS = [
    "-",
    f"{SITE}/toolkit/",
    f"{SITE}/",
    "https://www.google.com/",
    f"{SITE}/toolkit/partners",
]
FILE_REF0 = len(REFERERS)  # then the URL of every resource (range requests name the file)
REFERERS += [SITE + p for p in RESOURCE_PATHS]
OFFICE_UA = "Microsoft Office Word 2014"
UAS = BROWSER_UAS + [OFFICE_UA] + [b[0] for b in BOTS]
OFFICE_UA_IDX = len(BROWSER_UAS)
BOT_UA0 = OFFICE_UA_IDX + 1
EMPTY_REQUEST = ("2025-11-14T03:12:45", "192.0.2.77")  # a scanner opening and closing a socket
TRUNCATED_MONTH = np.datetime64("2026-03", "M")


def _lines(**cols) -> pd.DataFrame:
    """Line table: `ip` indexes the address table (clients, then bots), the rest are codes."""
    n = len(cols["utc"])
    defaults = {"method": 0, "query": False, "referer": 0, "http2": False}
    return pd.DataFrame({**{k: np.full(n, v) for k, v in defaults.items()}, **cols})


def _secs(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64).astype("timedelta64[s]")


def _human_lines(dl: Downloads, rng) -> list[pd.DataFrame]:
    """The intents' own requests and what the browser sends around them."""
    ev = dl.web
    n = len(ev)
    ip = ev["client"].to_numpy()
    ua, http = (dl.clients[c].to_numpy()[ip] for c in ("ua", "http2"))
    res = ev["resource"].to_numpy()
    utc = ev["utc"].to_numpy()
    size_bytes = RESOURCE_BYTES[res] + np.where(IS_PAGE[res], rng.integers(-300, 300, n), 0)
    gone = rng.random(n) < 0.01  # a catalog file briefly missing: 404, nothing follows
    query = ~IS_PAGE[res] & (rng.random(n) < 0.11)
    u = rng.random(n)
    ref = np.where(u < 0.62, 1, np.where(u < 0.82, 0, np.where(u < 0.94, 3, 4)))
    ref = np.where(IS_PAGE[res], np.where(u < 0.5, 2, np.where(u < 0.75, 0, 3)), ref)
    ref = np.where(query, 0, ref)  # from the newsletter e-mail
    viewer = IS_PDF[res] & ~gone & (rng.random(n) < 0.2)
    # A viewer drops the first response once it knows it can ask for ranges.
    first_bytes = np.minimum(size_bytes, rng.integers(16_000, 70_000, n))
    out = [
        _lines(
            utc=utc,
            ip=ip,
            ua=ua,
            http2=http,
            path=res,
            query=query,
            status=np.where(gone, 404, 200),
            bytes=np.where(gone, NOT_FOUND_BYTES, np.where(viewer, first_bytes, size_bytes)),
            referer=ref,
        )
    ]

    # PDF viewer: 2-8 range requests for the same file within seconds.
    v = np.flatnonzero(viewer)
    k = rng.integers(2, 9, len(v))
    rep = np.repeat(v, k)
    step = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k) + 1
    chunk_bytes = np.array([65_536, 131_072, 196_608])[rng.integers(0, 3, len(rep))]
    out.append(
        _lines(
            utc=utc[rep] + _secs(step * rng.integers(1, 3, len(rep))),
            ip=ip[rep],
            ua=ua[rep],
            http2=http[rep],
            path=res[rep],
            query=query[rep],
            status=np.full(len(rep), 206),
            bytes=np.minimum(size_bytes[rep], chunk_bytes),
            referer=FILE_REF0 + res[rep],
        )
    )
    # Clicked again within 30 minutes (not a new download), or revalidated hours/days later.
    for share, lo_s, hi_s, status in ((0.05, 120, 1_740, 200), (0.04, 3_600, 259_200, 304)):
        r = np.flatnonzero(~gone & (rng.random(n) < share))
        out.append(
            _lines(
                utc=utc[r] + _secs(rng.integers(lo_s, hi_s, len(r))),
                ip=ip[r],
                ua=ua[r],
                http2=http[r],
                path=res[r],
                query=query[r],
                status=np.full(len(r), status),
                bytes=np.where(status == 304, 0, size_bytes[r]),
                referer=ref[r],
            )
        )
    # Word checks a link with HEAD before the browser opens it (links in Office documents).
    r = np.flatnonzero(IS_OFFICE[res] & ~gone & (ua < WINDOWS_UAS) & (rng.random(n) < 0.3))
    out.append(
        _lines(
            utc=utc[r] - _secs(rng.integers(1, 4, len(r))),
            ip=ip[r],
            ua=np.full(len(r), OFFICE_UA_IDX),
            method=np.ones(len(r), dtype=np.int64),
            path=res[r],
            status=np.full(len(r), 200),
            bytes=np.zeros(len(r), dtype=np.int64),
        )
    )
    # The old poster link from a printed newsletter, tried before finding the new one.
    r = np.flatnonzero(np.isin(res, POSTER_IDX) & (rng.random(n) < 0.06))
    out.append(
        _lines(
            utc=utc[r] - _secs(rng.integers(5, 60, len(r))),
            ip=ip[r],
            ua=ua[r],
            http2=http[r],
            path=np.full(len(r), OLD_IDX),
            status=np.full(len(r), 404),
            bytes=np.full(len(r), NOT_FOUND_BYTES),
        )
    )
    # Pages and assets viewed on the way to the toolkit.
    k = rng.poisson(0.9, n)
    rep = np.repeat(np.arange(n), k)
    out.append(_page_views(rng, utc[rep] - _secs(rng.integers(5, 600, len(rep))), ip[rep],
                           ua[rep], http[rep]))  # fmt: skip
    return out


def _page_views(rng, utc, ip, ua, http) -> pd.DataFrame:
    n = len(utc)
    w = np.array([p[2] for p in OTHER_PATHS], dtype=float)
    which = rng.choice(len(OTHER_PATHS), n, p=w / w.sum())
    asset = np.array([p[3] for p in OTHER_PATHS])[which]
    cached = asset & (rng.random(n) < 0.1)
    return _lines(
        utc=utc,
        ip=ip,
        ua=ua,
        http2=http,
        path=OTHER0 + which,
        status=np.where(cached, 304, 200),
        bytes=np.where(cached, 0, np.array([p[1] for p in OTHER_PATHS])[which]),
        referer=np.where(asset, 2, np.where(rng.random(n) < 0.6, 0, 3)),
    )


def _uniform_utc(rng, n: int) -> np.ndarray:
    start = FIRST_DAY.astype("datetime64[s]")
    span_s = int((END_DAY - FIRST_DAY).astype(int)) * 86400
    return to_utc(start + _secs(rng.integers(0, span_s, n)))


def _background(dl: Downloads, rng, n_human: int) -> list[pd.DataFrame]:
    """Visitors from outside who never open the toolkit, and the bots (~10% of all lines)."""
    cl = dl.clients
    home = np.flatnonzero(cl["hosp"].to_numpy() < 0)
    n_visits = round(0.07 * n_human)
    c = home[rng.integers(0, len(home), n_visits)]
    visits = _page_views(
        rng, _uniform_utc(rng, n_visits), c, cl["ua"].to_numpy()[c], cl["http2"].to_numpy()[c]
    )
    n_bot = round((n_human + n_visits) / 9)
    bot = rng.choice(len(BOTS), n_bot, p=np.array([b[1] for b in BOTS]))
    first_host = len(dl.ips) + bot_addresses()[1]
    ip = first_host[bot] + (rng.random(n_bot) * np.array([b[3] for b in BOTS])[bot]).astype(int)
    u = rng.random(n_bot)
    toolkit = u < 0.45
    path = np.where(
        toolkit,
        rng.integers(0, OTHER0, n_bot),
        np.where(u < 0.85, OTHER0 + rng.integers(0, len(OTHER_PATHS), n_bot),
                 BOT0 + rng.integers(0, len(BOT_ONLY_PATHS), n_bot)),
    )  # fmt: skip
    # Scripts (python-requests, curl) check links with HEAD and probe for the WordPress login
    # and leaked secrets; crawlers ask for robots.txt instead.
    scripted = bot >= 3
    path = np.where(~scripted & (path >= BOT0 + 2), BOT0, path)
    head = scripted & toolkit & (rng.random(n_bot) < 0.8)
    all_bytes = np.concatenate(
        [RESOURCE_BYTES, [p[1] for p in OTHER_PATHS], [p[1] for p in BOT_ONLY_PATHS], [0]]
    )
    missing = path >= BOT0 + 2
    bots = _lines(
        utc=_uniform_utc(rng, n_bot),
        ip=ip,
        ua=BOT_UA0 + bot,
        method=head.astype(np.int64),
        path=path,
        status=np.where(missing, 404, 200),
        bytes=np.where(missing, NOT_FOUND_BYTES, np.where(head, 0, all_bytes[path])),
    )
    return [visits, bots]


def _time_local(utc: np.ndarray) -> pa.Array:
    """`05/Mar/2026:14:02:11 -0600`."""
    local = to_local(utc)
    idx = pd.DatetimeIndex(local)
    offset_h = (local - utc).astype(np.int64) // 3600
    return cat(
        pad(np.asarray(idx.day), 2),
        "/",
        MONTHS.take(pa.array(np.asarray(idx.month) - 1)),
        "/",
        s(np.asarray(idx.year)),
        ":",
        pad(np.asarray(idx.hour), 2),
        ":",
        pad(np.asarray(idx.minute), 2),
        ":",
        pad(np.asarray(idx.second), 2),
        " -",
        pad(-offset_h, 2),
        "00",
    )


def _format(lines: pd.DataFrame, ips: pa.Array) -> pa.Array:
    request = cat(
        pa.array(["GET", "HEAD"]).take(pa.array(lines["method"].to_numpy())),
        " ",
        pa.array(PATHS).take(pa.array(lines["path"].to_numpy())),
        where(lines["query"].to_numpy(), QUERY, ""),
        " ",
        where(lines["http2"].to_numpy(), "HTTP/2.0", "HTTP/1.1"),
    )
    return cat(
        ips.take(pa.array(lines["ip"].to_numpy())),
        " - - [",
        _time_local(lines["utc"].to_numpy()),
        '] "',
        request,
        '" ',
        s(lines["status"].to_numpy()),
        " ",
        s(lines["bytes"].to_numpy()),
        ' "',
        pa.array(REFERERS).take(pa.array(lines["referer"].to_numpy())),
        '" "',
        pa.array(UAS).take(pa.array(lines["ua"].to_numpy())),
        '"',
    )


def _write(path: Path, text: pa.Array) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _buffer(cat(text, "\n")) if len(text) else b""
    if path.suffix == ".gz":
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=6) as gz,
        ):
            gz.write(data)
    else:
        path.write_bytes(data)
    return len(text)


def _quirks(month, text: pa.Array, utc: np.ndarray) -> pa.Array:
    if month == TRUNCATED_MONTH:  # the disk filled up mid-write: `... [12/Mar/2026:10:1`
        i = len(text) // 2
        line = text[i].as_py()
        cut = line.index("[") + len("[12/Mar/2026:10:1")
        text = pa.concat_arrays([text[:i], pa.array([line[:cut]]), text[i + 1 :]])
    when, ip = EMPTY_REQUEST
    if month == np.datetime64(when[:7], "M"):
        at = to_utc(np.array([np.datetime64(when, "s")]))
        i = int(np.searchsorted(utc, at[0], side="right"))
        line = f'{ip} - - [{_time_local(at)[0].as_py()}] "-" 400 0 "-" "-"'
        text = pa.concat_arrays([text[:i], pa.array([line]), text[i:]])
    return text


def write_toolkit_web(out: Path, dl: Downloads, seed: int) -> list:
    rng = rng_for(seed, "toolkit-web")
    human = _human_lines(dl, rng)
    n_human = sum(len(f) for f in human)
    lines = pd.concat(human + _background(dl, rng, n_human), ignore_index=True)
    lines["local"] = to_local(lines["utc"].to_numpy())
    keep = (lines["local"] >= FIRST_DAY.astype("datetime64[s]")) & (
        lines["local"] < END_DAY.astype("datetime64[s]")
    )
    lines = lines[keep.to_numpy()].sort_values("utc", kind="stable").reset_index(drop=True)
    ips = pa.concat_arrays([dl.ips, bot_addresses()[0]])
    # Rotation happens at local midnight, so files split by local month (monotonic in UTC).
    months = np.arange(FIRST_DAY, END_DAY, dtype="datetime64[M]")
    bounds = np.searchsorted(lines["local"].to_numpy().astype("datetime64[M]"), months)
    folder = out / "exports" / "toolkit-web"
    stats = []
    for m, lo, hi in zip(months, bounds, [*bounds[1:], len(lines)], strict=True):
        part = lines.iloc[lo:hi]
        local = part["local"].to_numpy()
        text = _quirks(m, _format(part, ips), part["utc"].to_numpy())
        rotated = (m + 1).astype("datetime64[D]")
        name = "access.log" if m == months[-1] else f"access.log-{str(rotated).replace('-', '')}.gz"
        if m == MISSING_HOUR[0].astype("datetime64[M]"):
            lost = (local >= MISSING_HOUR[0]) & (local < MISSING_HOUR[1])
            first5 = local < np.datetime64("2026-06-06T00:00:00", "s")
            resent = folder / "resent" / "access.log-20260603-resent.gz"
            stats.append((resent, _write(resent, text.filter(pa.array(first5)))))
            text = text.filter(pa.array(~lost))
        stats.append((folder / name, _write(folder / name, text)))
    return stats
