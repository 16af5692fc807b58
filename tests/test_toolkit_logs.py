"""Toolkit downloads from nginx/Apache logs and WordPress Download Monitor, counted by hand.

Fixture networks (tests/fixtures/reference/membership.csv): 198.18.1.0/24 Alpha 260001,
198.18.2.0/24 Heartland North 260002, 198.18.3.0/24 and 2001:db8:3::/48 Heartland South 260003,
198.18.4.0/24 Prairie 171300. Catalog: R01 /toolkit/files/policy.docx, R02 /toolkit/files/poster.pdf,
R03 /toolkit/. January is UTC-6 in Chicago.
"""

import gzip

from conftest import REFERENCE, load, query

FF = '"Mozilla/5.0 (Windows NT 10.0) Firefox/121.0"'
LOG = [
    # 1-4: one client, one resource: counted 10:00, repeat 10:10, counted 10:35 (35 min after the
    # last counted request, though only 25 after the previous one), repeat 11:00
    f'198.18.1.10 - - [14/Jan/2026:10:00:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
    f'198.18.1.10 - - [14/Jan/2026:10:10:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
    f'198.18.1.10 - - [14/Jan/2026:10:35:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
    f'198.18.1.10 - - [14/Jan/2026:11:00:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
    # 5-7: a PDF viewer: one 200 with a query string, then two 206 range requests = 1 download
    f'198.18.2.20 - - [14/Jan/2026:12:00:00 -0600] "GET /toolkit/files/poster.pdf?utm_source=newsletter HTTP/1.1" 200 90000 "https://x.org/toolkit/" {FF}',
    f'198.18.2.20 - - [14/Jan/2026:12:00:01 -0600] "GET /toolkit/files/poster.pdf HTTP/1.1" 206 65536 "-" {FF}',
    f'198.18.2.20 - - [14/Jan/2026:12:00:02 -0600] "GET /toolkit/files/poster.pdf HTTP/1.1" 206 24464 "-" {FF}',
    # 8: IPv6 client inside Heartland South's /48, toolkit home without its trailing slash
    f'2001:db8:3::17 - - [14/Jan/2026:12:30:00 -0600] "GET /toolkit HTTP/2.0" 200 3000 "-" {FF}',
    '66.249.66.1 - - [14/Jan/2026:12:31:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"',
    f'198.18.1.10 - - [14/Jan/2026:12:32:00 -0600] "HEAD /toolkit/files/policy.docx HTTP/1.1" 200 0 "-" {FF}',
    f'203.0.113.5 - - [14/Jan/2026:12:33:00 -0600] "GET /toolkit/files/old-poster.pdf HTTP/1.1" 404 150 "-" {FF}',
    f'203.0.113.5 - - [14/Jan/2026:12:34:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 304 0 "-" {FF}',
    f'203.0.113.5 - - [14/Jan/2026:12:35:00 -0600] "GET /about/ HTTP/1.1" 200 800 "-" {FF}',
    '203.0.113.9 - - [14/Jan/2026:12:36:00 -0600] "-" 400 0 "-" "-"',
    f'203.0.113.5 - - [14/Jan/2026:12:37:00 -0600] "POST /toolkit/files/policy.docx HTTP/1.1" 200 10 "-" {FF}',
    # 16: from home, outside every hospital range: counted, unattributed
    f'203.0.113.7 - - [14/Jan/2026:13:00:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
    "198.18.4.21 - - [14/Jan/2026:10:1",
    "",
    f'198.18.4.22 - - [14/Jan/2026:13:05:00 -0600] "GET /toolkit/files/policy.docx HTTP/1.1" 200 5120 "-" {FF}',
]


def write_log(folder, name, lines, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    path = folder / name
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def counts(r):
    return (r.rows_read, r.loaded, r.rows_excluded, r.rows_rejected, r.duplicate)


def test_a_gzip_access_log_is_counted_once_per_client_and_resource_per_30_minutes(
    tmp_path, warehouse
):
    log = write_log(tmp_path / "web", "access.log-20260201.gz", LOG, gz=True)
    res, _ = load([REFERENCE, log], warehouse)
    r = res["access.log-20260201.gz"]
    assert r.format == "access_log_combined" and r.status == "partial"
    # counted: lines 1, 3, 5, 8, 16, 19; everything else excluded by reason, line 17 rejected
    assert counts(r) == (19, 6, 12, 1, 0)
    assert r.excluded == {
        "repeat_within_30_min": 4,
        "bot": 1,
        "head_request": 1,
        "not_a_toolkit_resource": 3,
        "status_not_2xx": 1,
        "method_not_get": 1,
        "blank_line": 1,
    }
    assert r.rejects[0]["line"] == 17
    assert "not a combined-format log line" in r.rejects[0]["reason"]
    assert "198.18.4.21" not in r.rejects[0]["record"]
    rows = query(
        warehouse,
        """select hospital_ccn, attribution, resource_id, count(*), count(*) filter (is_counted)
           from download_event group by all order by all""",
    )
    assert rows == [
        ("171300", "network", "R01", 1, 1),
        ("260001", "network", "R01", 4, 2),
        ("260002", "network", "R02", 3, 1),
        ("260003", "network", "R03", 1, 1),
        (None, "none", "R01", 1, 1),
    ]
    assert query(
        warehouse,
        "select requested_at::varchar from download_event where is_counted order by 1 limit 1",
    ) == [("2026-01-14 16:00:00+00",)]
    # clients are keyed hashes; no address is stored anywhere in the event table
    assert query(warehouse, "select count(*) from download_event where client_id like '198.%'") == [
        (0,)
    ]
    assert query(warehouse, "select kind, value, n_rows from unmapped_value") == [
        ("url_path", "/toolkit/files/old-poster.pdf", 1)
    ]


def test_a_re_sent_log_with_overlapping_lines_adds_only_its_new_events(tmp_path, warehouse):
    first = write_log(tmp_path / "web", "access.log-20260115", LOG[:4])
    res, _ = load([REFERENCE, first], warehouse)
    assert counts(res["access.log-20260115"]) == (4, 2, 2, 0, 0)
    again = [
        LOG[0].replace("10:00:00", "09:50:00"),  # new: earlier than anything loaded so far
        LOG[2],  # already loaded
        LOG[3],  # already loaded
        LOG[0].replace("10:00:00", "11:40:00"),  # new
    ]
    resent = write_log(tmp_path / "web" / "resent", "access-resent.log.gz", again, gz=True)
    res, _ = load([REFERENCE, first, resent], warehouse)
    assert counts(res["access-resent.log.gz"]) == (4, 2, 0, 0, 2)
    assert res["access.log-20260115"].status == "unchanged"
    # Counted again over the whole history: 09:50, 10:35 (45 min later), 11:40. The 10:00
    # request, counted when it was alone, is now a repeat of 09:50.
    assert query(
        warehouse,
        """select strftime(requested_at at time zone 'America/Chicago', '%H:%M'), is_counted
           from download_event order by requested_at""",
    ) == [
        ("09:50", True),
        ("10:00", False),
        ("10:10", False),
        ("10:35", True),
        ("11:00", False),
        ("11:40", True),
    ]


def test_a_truncated_gzip_log_fails_with_a_clear_error_and_loads_nothing(tmp_path, warehouse):
    log = write_log(tmp_path / "web", "access.log-20260201.gz", LOG * 20, gz=True)
    log.write_bytes(log.read_bytes()[: log.stat().st_size // 2])
    res, _ = load([REFERENCE, log], warehouse)
    r = res["access.log-20260201.gz"]
    assert r.status == "failed"
    assert str(log) in r.message and "gzip stream is damaged or truncated" in r.message
    assert query(warehouse, "select count(*) from download_event") == [(0,)]


DLM = "\n".join(
    [
        '"Download ID","Download Title","Version ID","Filename","User ID","User Login","User Email","User IP","User Agent","Date","Status","Meta Data"',
        '"101","Policy template","102","policy.docx","0","-","-","198.18.4.9","Mozilla/5.0 Firefox","2026-01-14 10:00:00","completed",""',
        '"103","Hotline poster "Get Help" (English)","104","poster.pdf","7","jdoe","J.Doe@Alpha.org","203.0.113.50","Mozilla/5.0 Safari","2026-01-14 10:05:00","completed","version: 2.1',
        "referrer: https://kha.example/toolkit/",
        '"',
        '"103","Hotline poster "Get Help" (English)","104","poster.pdf","7","jdoe","J.Doe@Alpha.org","203.0.113.50","Mozilla/5.0 Safari","2026-01-14 10:15:00","redirected","version: 2.1',
        '"',
        '"101","Policy template","102","policy.docx","0","-","-","198.18.4.9","Googlebot/2.1","2026-01-14 11:00:00","completed",""',
        '"101","Policy template","102","policy.docx","0","-","-","198.18.4.9","Mozilla/5.0 Firefox","2026-01-14 12:00:00","failed - Access denied",""',
        '"999","Old flyer","1000","flyer.pdf","0","-","-","198.18.4.9","Mozilla/5.0 Firefox","2026-01-14 12:30:00","completed",""',
        '"101","Policy template","102","policy.docx","0","-","-","198.18.4.9","Mozilla/5.0 Firefox","14/01/2026 13:00","completed",""',
        '"101","Policy template","102","policy.docx","0","-","-","2001:db8:3::99","Mozilla/5.0 Firefox","2026-01-14 13:30:00","completed",""',
        '"105","Broken "," quote","106","policy.docx","0","-","-","198.18.4.9","x","2026-01-14 14:00:00","completed",""',
    ]
)  # the plugin writes no newline after the last record


def test_download_monitor_log_with_unescaped_quotes_and_multi_line_meta_data(tmp_path, warehouse):
    path = tmp_path / "dlm" / "download_log.csv"
    path.parent.mkdir()
    path.write_text(DLM, encoding="utf-8")
    res, _ = load([REFERENCE, path], warehouse)
    r = res["download_log.csv"]
    assert r.format == "wordpress_download_monitor"
    assert counts(r) == (9, 3, 4, 2, 0)
    assert r.excluded == {
        "repeat_within_30_min": 1,
        "bot": 1,
        "download_failed": 1,
        "not_a_toolkit_resource": 1,
    }
    assert [(x["line"], x["column"]) for x in r.rejects] == [(11, "Date"), (13, None)]
    assert "198.18.4.9" not in r.rejects[0]["record"]
    # logged-in user by e-mail domain, anonymous users by network range
    assert query(
        warehouse,
        """select hospital_ccn, attribution, email_domain, resource_id, is_counted,
                  requested_at::varchar
           from download_event order by requested_at""",
    ) == [
        ("171300", "network", None, "R01", True, "2026-01-14 16:00:00+00"),
        ("260001", "domain", "alpha.org", "R02", True, "2026-01-14 16:05:00+00"),
        ("260001", "domain", "alpha.org", "R02", False, "2026-01-14 16:15:00+00"),
        ("260003", "network", None, "R01", True, "2026-01-14 19:30:00+00"),
    ]
    assert query(warehouse, "select kind, value, n_rows from unmapped_value") == [
        ("download", "flyer.pdf (Old flyer)", 1)
    ]


def test_an_overlapping_download_monitor_export_adds_nothing_twice(tmp_path, warehouse):
    first = tmp_path / "dlm" / "download_log_2026-01-31.csv"
    first.parent.mkdir()
    first.write_text(DLM, encoding="utf-8")
    second = tmp_path / "dlm" / "download_log_2026-02-28.csv"
    second.write_text(
        DLM + '\n"101","Policy template","102","policy.docx","0","-","-","198.18.4.9",'
        '"Mozilla/5.0 Firefox","2026-02-02 09:00:00","completed",""',
        encoding="utf-8",
    )
    res, _ = load([REFERENCE, first, second], warehouse)
    # the 4 stored events of the first export are duplicates; one new download
    assert counts(res["download_log_2026-02-28.csv"]) == (10, 1, 3, 2, 4)
    assert query(
        warehouse, "select count(*), count(*) filter (is_counted) from download_event"
    ) == [(5, 4)]


def test_an_ipv4_client_logged_by_a_dual_stack_server_is_attributed_by_its_ipv4_range(
    tmp_path, warehouse
):
    line = LOG[0].replace("198.18.1.10", "::ffff:198.18.2.77")
    load([REFERENCE, write_log(tmp_path / "web", "access.log", [line])], warehouse)
    assert query(warehouse, "select hospital_ccn, attribution from download_event") == [
        ("260002", "network")
    ]


def test_a_download_monitor_export_re_saved_on_windows_reads_the_same(tmp_path, warehouse):
    # Excel or a text editor on Windows: CRLF line ends and a final newline
    path = tmp_path / "dlm" / "download_log.csv"
    path.parent.mkdir()
    path.write_bytes((DLM.replace("\n", "\r\n") + "\r\n").encode("utf-8"))
    res, _ = load([REFERENCE, path], warehouse)
    r = res["download_log.csv"]
    assert counts(r) == (9, 3, 4, 2, 0)
    assert [(x["line"], x["column"]) for x in r.rejects] == [(11, "Date"), (13, None)]


def test_a_scanner_path_with_non_utf8_escapes_is_just_not_a_toolkit_resource(tmp_path, warehouse):
    lines = [
        LOG[0],
        '45.148.10.1 - - [14/Jan/2026:10:05:00 -0600] "GET /cgi-bin/%c0%ae%c0%ae/etc/passwd HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
    ]
    res, _ = load([REFERENCE, write_log(tmp_path / "web", "access.log", lines)], warehouse)
    r = res["access.log"]
    assert counts(r) == (2, 1, 1, 0, 0) and r.excluded == {"not_a_toolkit_resource": 1}


def test_a_log_cut_mid_line_by_rotation_is_still_recognised(tmp_path, warehouse):
    lines = ["1.18.4.21 - - [14/Jan/2026:10:1", *LOG[:4]]
    res, _ = load([REFERENCE, write_log(tmp_path / "web", "access.log.1", lines)], warehouse)
    r = res["access.log.1"]
    assert r.format == "access_log_combined" and counts(r) == (5, 2, 2, 1, 0)


def test_the_same_log_found_under_another_folder_adds_nothing(tmp_path, warehouse):
    first = write_log(tmp_path / "web", "access.log-20260201.gz", LOG, gz=True)
    copy = tmp_path / "elsewhere" / "access.log-20260201.gz"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    load([REFERENCE, first], warehouse)
    # another folder can mean another tenant (sources.csv), but the requests are the same
    res, _ = load([REFERENCE, first, copy], warehouse, tenant="other")
    assert query(
        warehouse, "select count(*), count(*) filter (is_counted) from download_event"
    ) == [(10, 6)]


def test_no_client_address_is_stored_anywhere(tmp_path, warehouse):
    path = tmp_path / "dlm" / "download_log.csv"
    path.parent.mkdir()
    path.write_text(DLM, encoding="utf-8")
    log = write_log(tmp_path / "web", "access.log", LOG)
    load([REFERENCE, log, path], warehouse)
    for table in ("download_event", "rejected_row", "unmapped_value", "load_log"):
        text = query(warehouse, f"select string_agg(t::varchar, ' ') from {table} t")[0][0] or ""
        for address in ("198.18.", "203.0.113.", "2001:db8:", "66.249.", "J.Doe", "jdoe"):
            assert address not in text, (table, address)


def test_logged_in_colleagues_behind_one_address_are_different_clients(tmp_path, warehouse):
    head, rec = DLM.split("\n")[0], DLM.split("\n")[1]
    rows = [
        rec.replace('"0","-","-"', f'"{uid}","user{uid}","u{uid}@alpha.org"').replace(
            "10:00:00", f"10:0{uid % 10}:00"
        )
        for uid in (11, 12, 13)
    ]
    path = tmp_path / "dlm" / "download_log.csv"
    path.parent.mkdir()
    path.write_text("\n".join([head, *rows]), encoding="utf-8")
    res, _ = load([REFERENCE, path], warehouse)
    assert counts(res["download_log.csv"]) == (3, 3, 0, 0, 0)


def test_a_log_line_over_the_field_limit_is_rejected_by_line_and_one_at_the_limit_counts(
    tmp_path, warehouse
):
    head = (
        '198.18.2.20 - - [14/Jan/2026:12:00:00 -0600] "GET /toolkit/files/poster.pdf HTTP/1.1" '
        '200 90000 "-" "'
    )
    at_limit = head + "M" * (65_536 - len(head) - 1) + '"'
    over = head.replace("12:00:00", "12:40:00") + "M" * (65_537 - len(head) - 1) + '"'
    lines = [LOG[0], at_limit, over, LOG[15]]
    res, _ = load([REFERENCE, write_log(tmp_path / "web", "access.log", lines)], warehouse)
    r = res["access.log"]
    assert (len(at_limit), len(over)) == (65_536, 65_537), r.message
    assert counts(r) == (4, 3, 0, 1, 0)
    assert [(x["line"], x["column"], x["reason"]) for x in r.rejects] == [
        (
            3,
            "line",
            "line of 65,537 characters: expected at most 65,536, as a web server logs a request "
            "in a few hundred",
        )
    ]
    assert len(r.rejects[0]["record"]) < 400  # only the line's head is kept
    assert query(warehouse, "select count(*) from download_event where resource_id = 'R02'") == [
        (1,)
    ]
