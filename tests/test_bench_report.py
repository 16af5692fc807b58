"""BENCHMARKS.md's budget verdicts, from a tiny hand-made result (no timing is run here)."""

import json

from bench import report


def _stats(p95):
    return {"n": 20, "p50_ms": p95 / 2, "p95_ms": p95, "max_ms": p95}


def _page(data_p95, script_p95, kinds=(("cold", 1), ("warm", 2))):
    """Warm runs: half the cold ones."""
    return {
        kind: {
            "data_ms": {"all": _stats(data_p95 / d), "hospital": _stats(data_p95 / d)},
            "script_ms": {"all": _stats(script_p95 / d), "hospital": _stats(script_p95 / d)},
        }
        for kind, d in kinds
    }


STATE = {
    "tier": "state",
    "commit": "abc1234",
    "measured_at": "2026-11-21T00:00:00+00:00",
    "machine": {"cores": 2, "memory_gib": 23.5, "cpu": "x", "python": "3.11", "duckdb": "2.0"},
    "step_seconds": {"etl": 300.0},
    "etl": {
        "files": 3,
        "rows_read": 1000,
        "generate_s": None,
        "load_s": 44.9,
        "rows_per_s": 22,
        "load_peak_mb": 4096,
        "reload_unchanged_s": 1.0,
        "warehouse_mb": 5,
        "duckdb_raw_read_s": 20.0,
        "raw_read_files_skipped": 1,
        "ratio_to_raw_read": 2.2,
    },
    "pages": {"pages": {"Overview": _page(149.9, 1000.0), "Knowledge": _page(151.0, 999.0)}},
}


def test_each_budget_is_judged_against_design_section_8():
    verdicts = {row[0]: (row[2], row[3]) for row in report.budgets("state", STATE)}
    assert verdicts == {
        "full load": ("44.9 s", "**yes**"),  # under 45 s
        "load peak memory": ("4.00 GiB", "**no**"),  # not under 4 GiB
        "load / DuckDB raw read": ("2.2x", "**no**"),  # over 2x
        "page data time p95 (cold)": ("worst Knowledge 151 ms; over: Knowledge", "**no**"),
        "whole page script run p95 (cold)": ("worst Overview 1,000 ms; over: Overview", "**no**"),
        "page data time p95 (warm)": ("worst Knowledge 76 ms", "**yes**"),
        "whole page script run p95 (warm)": ("worst Overview 500 ms", "**yes**"),
    }


def test_the_demo_tier_has_no_budgets():
    assert report.budgets("demo", {**STATE, "tier": "demo"}) == []


def test_notes_written_by_hand_survive_a_rewrite(tmp_path):
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    dest = tmp_path / "BENCHMARKS.md"
    report.write(tmp_path, dest)
    dest.write_text(dest.read_text() + "What dominates: the hash join.\n")
    report.write(tmp_path, dest)
    text = dest.read_text()
    assert text.count(report.NOTES) == 1
    assert text.endswith(report.NOTES + "\nWhat dominates: the hash join.\n")
    assert "| full load | < 45 s | 44.9 s | **yes** |" in text


def test_uncached_runs_are_judged_in_rows_of_their_own_and_tabled_between_cold_and_warm(tmp_path):
    kinds = (("cold", 1), ("warm", 2), ("uncached", 1.5))
    pages = {"Overview": _page(149.9, 1000.0, kinds), "Knowledge": _page(151.0, 999.0, kinds)}
    result = {**STATE, "pages": {"pages": pages}}
    verdicts = {row[0]: (row[2], row[3]) for row in report.budgets("state", result)}
    assert verdicts["page data time p95 (uncached)"] == ("worst Knowledge 101 ms", "**yes**")
    assert verdicts["whole page script run p95 (uncached)"] == ("worst Overview 667 ms", "**yes**")
    assert len(verdicts) == 9
    (tmp_path / "state.json").write_text(json.dumps(result))
    report.write(tmp_path, tmp_path / "BENCHMARKS.md")
    text = (tmp_path / "BENCHMARKS.md").read_text()
    head = "| page | data cold | data uncached | data warm | script cold | script uncached |"
    assert head in text
    assert "| Knowledge | 76 / 151 | 50 / 101 | 38 / 76 | 500 / 999 | 333 / 666 |" in text
