"""The shared back half of the toolkit-log adapters: clients, hospitals and the 30-minute rule.

An adapter leaves temp table `req`, one row per source record: `_line`, `_exclude` (a reason or
null), `_reject_col`/`_reject_reason` (null when valid) and, for valid rows, `resource_id`,
`ip`, `_client_text` (what identifies the client: IP and user agent, or a logged-in user),
`email_domain`, `requested_at`, `status_code` and `_content` (the record's text without the IP,
which keys the event). From there: keyed client hashes, attribution (file,
e-mail domain, network range), new events only, and the download count.

A download counts once per client and resource per 30 minutes: a request counts when it comes 30
minutes or more after the last *counted* request of the same client for the same resource. Repeats
are stored (flagged) because a log loaded later can hold an earlier request that moves the windows;
after every load the affected (client, resource) histories are counted again from scratch.
"""

import ipaddress
import json
import re

import pyarrow as pa

from etl.context import FileContext, FileResult, mask_free_text
from etl.identity import learner_id_sql
from etl.stage import temp_from_arrow

WINDOW_S = 30 * 60
# Crawlers, link checkers, feed readers and scripts (COUNTER's robot list covers the same ground).
BOT_RE = (
    r"(?i)(\bbot\b|bot/|bot;|crawl|spider|slurp|archiver|facebookexternalhit|python-requests|"
    r"python-urllib|curl/|wget/|go-http-client|java/|libwww|httpclient|headlesschrome|"
    r"pingdom|uptimerobot|scrapy|okhttp|feedfetcher|ahrefs|semrush|petalbot|yandex|baiduspider)"
)


def resource_paths(con) -> None:
    """Temp table `resource_path`: catalog paths folded the way request paths are."""
    con.execute(
        f"""create or replace temp table resource_path as
            select resource_id, {fold_path("url_path")} as path_norm from toolkit_resource
            where coalesce(url_path, '') <> ''"""
    )


def fold_path(expr: str) -> str:
    """Path without scheme, host, query or fragment, %-decoded, lower case, no trailing slash."""
    bare = f"regexp_replace(split_part(split_part({expr}, '?', 1), '#', 1), '^https?://[^/]+', '')"
    # A scanner's %c0%ae is not UTF-8: url_decode fails on it, so such a path stays as written.
    return f"nullif(rtrim(lower(coalesce(try(url_decode({bare})), {bare})), '/'), '')"


def finish(con, ctx: FileContext, res: FileResult, source: str) -> None:
    for reason, n in con.execute(
        "select _exclude, count(*) from req where _exclude is not null group by 1 order by 1"
    ).fetchall():
        res.exclude(reason, n)
    _networks(con)
    client_id, key_params = learner_id_sql(ctx.key, "'client:' || _client_text")
    con.execute(
        f"""
        create or replace temp table ev as
        -- The key is the request itself, not the folder the file came from: the same log copied
        -- elsewhere (another tenant by sources.csv) is still the same requests.
        select md5(concat_ws('|', $source, r.client_id, r._content)) as event_id,
               $source as source, $system as system, $tenant as tenant, r.resource_id,
               r.client_id,
               coalesce($file_ccn, d.ccn, n.ccn) as hospital_ccn,
               case when $file_ccn is not null then 'file' when d.ccn is not null then 'domain'
                    when n.ccn is not null then 'network' else 'none' end as attribution,
               r.email_domain, r.requested_at, r.status_code, r._line
        from (select *, {client_id} as client_id from req
              where _exclude is null and _reject_reason is null) r
        left join ip_hospital n on n.ip = r.ip
        left join hospital_domain_unique d on d.domain = r.email_domain
        """,
        {
            "system": ctx.system,
            "tenant": ctx.tenant,
            "source": source,
            "file_ccn": ctx.hospital_ccn,
            **key_params,
        },
    )
    # A log read again (after a change of network ranges or membership) re-attributes the events
    # it already holds; the events themselves stay as they are.
    con.execute(
        """update download_event set hospital_ccn = e.hospital_ccn, attribution = e.attribution
           from ev e where download_event.event_id = e.event_id
             and (download_event.hospital_ccn is distinct from e.hospital_ccn
                  or download_event.attribution is distinct from e.attribution)"""
    )
    # The same request twice in one file (identical line) and requests already loaded from an
    # overlapping file are duplicates; only new events go in.
    con.execute(
        """create or replace temp table new_ev as
           select * from ev qualify row_number() over (partition by event_id order by _line) = 1"""
    )
    con.execute("delete from new_ev where event_id in (select event_id from download_event)")
    res.duplicate += con.execute(
        "select (select count(*) from ev) - (select count(*) from new_ev)"
    ).fetchone()[0]
    con.execute(
        """insert into download_event
           select event_id, source, system, tenant, resource_id, client_id, hospital_ccn,
                  attribution, email_domain, requested_at, status_code, null, $file_id
           from new_ev""",
        {"file_id": ctx.file_id},
    )
    recount(con)
    counted, repeats, first_at, last_at = con.execute(
        """select count(*) filter (where e.is_counted), count(*) filter (where not e.is_counted),
                  min(e.requested_at), max(e.requested_at)
           from download_event e join new_ev n using (event_id)"""
    ).fetchone()
    res.loaded += counted
    res.exclude("repeat_within_30_min", repeats)
    times = con.execute("select min(requested_at), max(requested_at) from ev").fetchone()
    res.min_event_at, res.max_event_at = first_at or times[0], last_at or times[1]
    res.export_at = ctx.exported_at_override or times[1]


def recount(con) -> None:
    """Count the downloads again for every (client, resource) that gained an event in `new_ev`."""
    con.execute(
        """
        create or replace temp table sess as
        with hist as (
            select e.event_id, e.requested_at, e.system, e.tenant, e.client_id, e.resource_id,
                   lag(e.requested_at) over w as prev_at,
                   row_number() over w as nth
            from download_event e
            join (select distinct system, tenant, client_id, resource_id from new_ev) a
              using (system, tenant, client_id, resource_id)
            window w as (partition by e.system, e.tenant, e.client_id, e.resource_id
                         order by e.requested_at, e.event_id)
        ), marked as (
            select *, sum(case when prev_at is null
                                 or requested_at - prev_at >= interval 30 minute then 1 else 0 end)
                      over (partition by system, tenant, client_id, resource_id order by nth)
                      as session_no
            from hist
        )
        select *, min(requested_at) over s as session_start,
                  max(requested_at) over s as session_end,
                  row_number() over (partition by system, tenant, client_id, resource_id,
                                     session_no order by nth) as nth_in_session
        from marked
        window s as (partition by system, tenant, client_id, resource_id, session_no)
        """
    )
    # A run of requests with gaps under 30 minutes that spans less than 30 minutes counts once
    # (its first request). Only longer runs need the request-by-request rule, done in Python.
    con.execute(
        """create or replace temp table flag as
           select event_id, nth_in_session = 1 as is_counted from sess
           where session_end - session_start < interval 30 minute"""
    )
    long_runs = con.execute(
        """select event_id, epoch(requested_at), system, tenant, client_id, resource_id,
                  session_no
           from sess where session_end - session_start >= interval 30 minute
           order by system, tenant, client_id, resource_id, session_no, nth"""
    ).fetchall()
    ids, flags = [], []
    run, last_counted = None, None
    for event_id, t, *run_key in long_runs:
        if run_key != run:
            run, last_counted = run_key, None
        counted = last_counted is None or t - last_counted >= WINDOW_S
        if counted:
            last_counted = t
        ids.append(event_id)
        flags.append(counted)
    if ids:
        temp_from_arrow(con, "long_flags", pa.table({"event_id": ids, "is_counted": flags}))
        con.execute("insert into flag select * from long_flags")
    con.execute(
        """update download_event set is_counted = f.is_counted from flag f
           where download_event.event_id = f.event_id
             and download_event.is_counted is distinct from f.is_counted"""
    )


def _networks(con) -> None:
    """Temp table `ip_hospital`: each distinct client IP and the one hospital whose ranges hold
    it. An address inside ranges of two hospitals (a shared health-system range) names none."""
    by_prefix: dict[tuple[int, int], dict[int, set[str]]] = {}
    for cidr, ccn in con.execute("select cidr, ccn from hospital_network").fetchall():
        net = ipaddress.ip_network(cidr, strict=False)
        by_prefix.setdefault((net.version, net.prefixlen), {}).setdefault(
            int(net.network_address), set()
        ).add(ccn)
    ips = [
        r[0]
        for r in con.execute(
            "select distinct ip from req where _exclude is null and _reject_reason is null"
        ).fetchall()
    ]
    out_ip, out_ccn = [], []
    for text in ips:
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            continue
        # A dual-stack server logs IPv4 clients as ::ffff:a.b.c.d
        addr = getattr(addr, "ipv4_mapped", None) or addr
        found: set[str] = set()
        value = int(addr)
        bits = addr.max_prefixlen
        for (version, length), nets in by_prefix.items():
            if version == addr.version:
                found |= nets.get(value >> (bits - length) << (bits - length), set())
        if len(found) == 1:
            out_ip.append(text)
            out_ccn.append(found.pop())
    temp_from_arrow(
        con,
        "ip_hospital",
        pa.table({"ip": pa.array(out_ip, pa.string()), "ccn": pa.array(out_ccn, pa.string())}),
    )


# IPv4 anywhere; IPv6 as the line's first field or wherever it is unambiguous (has '::' or seven
# colons) so that a time like 10:15:02 is left alone.
_IP = (
    r"\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]*"
    r"|\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}\b"
)


def mask_line(text: str) -> str:
    """A raw log record for the rejects table: addresses, the ident and user fields, query
    strings (which can carry e-mail addresses and names) and e-mail local parts removed."""
    text = re.sub(r"^(\S+) (\S+) (\S+)", "*** *** ***", text or "")
    text = re.sub(r"\?[^\s\"]*", "?***", text)
    return json.dumps({"line": re.sub(_IP, "***", mask_free_text(text) or "")}, ensure_ascii=False)
