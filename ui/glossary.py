"""Metric definitions (DESIGN.md section 5), shared by the Definitions page and the exports.

Each entry: the metric, its definition, how it is computed, and its level in RE-AIM (reach,
effectiveness, adoption, implementation, maintenance), Moore's outcome levels for continuing
education (1 participation, 2 satisfaction, 3A declarative knowledge, 3B procedural knowledge,
4 competence, 5 performance, 6 patient health, 7 community health) and Kirkpatrick's training
levels (1 reaction, 2 learning, 3 behaviour, 4 results).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    definition: str
    formula: str
    re_aim: str
    moore: str
    kirkpatrick: str


METRICS = [
    Metric(
        "Training coverage",
        "Share of staff who have completed every module required for "
        "their role within the refresher window (default 24 months), at the period's end.",
        "distinct staff with all required modules completed / headcount of the latest HR "
        "snapshot on or before the period's end; Wilson 95% CI; completers above headcount are "
        "capped and flagged",
        "Reach",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Staff reached",
        "Share of staff who completed at least one module.",
        "distinct staff with ≥ 1 module completed / headcount",
        "Reach",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Imprecise proportion",
        "A proportion is flagged when its denominator is under 30 or "
        "its 95% CI is 30 points wide or more (NCHS standards for proportions).",
        "n < 30 or CI width ≥ 30 percentage points",
        "—",
        "—",
        "—",
    ),
    Metric(
        "Completions per 100 staff",
        "First completions of a module in the period per 100 staff on the headcount.",
        "100 × completions / headcount",
        "Reach",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Completion rate",
        "Of the learner-modules started in the period, the share completed.",
        "completed / started",
        "Implementation",
        "Level 2 (satisfaction)",
        "Level 1",
    ),
    Metric(
        "Time spent",
        "Mean minutes spent on a module, and days from first access to "
        "completion, where the export carries them.",
        "sum of minutes / completions timed",
        "Implementation",
        "—",
        "—",
    ),
    Metric(
        "Refresher currency",
        "Of the staff who have completed every module their role requires, the share whose "
        "oldest required completion is still inside the refresher window at the period's end; "
        "also those lapsing within 3 months and those lapsed.",
        "staff with all required modules completed within the window / staff who ever "
        "completed all required modules (latest completion of each module counts)",
        "Maintenance",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Contact hours earned",
        "Continuing-education credit from completed modules in the period.",
        "sum over completions of the export's contact hours, else the module's catalog credit",
        "Reach",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Topic coverage",
        "Completions of the modules that cover each topic tag: form of trafficking (sex, labor, "
        "familial), population (minors, men and boys, LGBTQ+, rural) and response step "
        "(identify, respond, report, refer, document).",
        "completions of modules tagged with the topic / headcount x 100",
        "Reach",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Hospitals with completions",
        "Share of the member hospitals in view with at least one module completed in the "
        "period (program adoption by hospitals).",
        "hospitals with ≥ 1 completion / member hospitals in view",
        "Adoption",
        "—",
        "—",
    ),
    Metric(
        "Knowledge gain",
        "Matched learners (same learner and module; first finished attempt "
        "of each phase by default; first, best or last selectable): mean pre and post score "
        "and mean change in percentage points with a 95% t interval; paired t-test; Wilcoxon "
        "signed-rank (zero differences dropped and counted) with the matched-pairs "
        "rank-biserial correlation; Cohen's dz with a noncentral-t CI; d_av. No test below 10 "
        "pairs; Holm correction across modules in one view.",
        "mean(post − pre); dz = mean(d) / sd(d)",
        "Effectiveness",
        "Level 3A (declarative knowledge)",
        "Level 2 (learning)",
    ),
    Metric(
        "Class gain (Hake ⟨g⟩)",
        "The share of the possible gain that was achieved.",
        "(mean post% − mean pre%) / (100 − mean pre%); low < 0.3 ≤ medium < 0.7 ≤ high",
        "Effectiveness",
        "Level 3A (declarative knowledge)",
        "Level 2 (learning)",
    ),
    Metric(
        "Item facility and McNemar test",
        "Per quiz item, the share answering it fully right "
        "before and after; McNemar's exact test on the discordant pairs, Benjamini-Hochberg "
        "across the items of a module. A knowledge gap is an item whose post-test facility is "
        "below 0.70.",
        "binomtest(discordant pairs); false_discovery_control",
        "Effectiveness",
        "Level 3A (declarative knowledge)",
        "Level 2 (learning)",
    ),
    Metric(
        "Item analysis",
        "Moodle's quiz statistics on first attempts: facility index, item SD, "
        "discrimination index (item vs rest-of-test correlation × 100), discriminative "
        "efficiency, Cronbach's alpha, error ratio, standard error. Flags: discrimination < 0 "
        "or efficiency < 15%.",
        "as Moodle's quiz statistics report",
        "Implementation",
        "—",
        "Level 2 (learning)",
    ),
    Metric(
        "Retention",
        "Follow-up score against pre and post; retention ratio reported only when "
        "the gain is at least 5 points, with the follow-up response rate among invited learners "
        "(post-test older than the follow-up window, default 6 months).",
        "(follow-up − pre) / (post − pre)",
        "Maintenance",
        "Level 3A (declarative knowledge)",
        "Level 2 (learning)",
    ),
    Metric(
        "Bias checks",
        "Pre-test of learners without a post-test against those with one (pre-tests at least "
        "two months older than the latest, so that learners had time to finish); post-test of "
        "follow-up responders against eligible non-responders. Welch's t-test and interval.",
        "difference of means with its CI",
        "Effectiveness",
        "—",
        "—",
    ),
    Metric(
        "Toolkit downloads",
        "Human downloads of toolkit resources that succeeded, counted once "
        "per client and resource per 30 minutes; unique clients; share of member hospitals "
        "with at least one attributed download.",
        "counted downloads; distinct clients",
        "Adoption",
        "Level 1 (participation)",
        "—",
    ),
    Metric(
        "Protocol adoption index",
        "Share of the applicable protocol elements a hospital "
        "reports in place, among the elements it answered; unknown stays unknown.",
        "elements in place / applicable elements answered",
        "Adoption",
        "Level 5 (performance)",
        "Level 3 (behaviour)",
    ),
    Metric(
        "Suppression",
        "Counts of 1-10 staff outside the viewer's own scope, and every score "
        "statistic on fewer than 11 learners, are shown as <11; a second cell is withheld "
        "where a total would reveal the first, and a figure is withheld when removing a role, "
        "module or period filter changes it by 1-10 staff. Peers are shown only as groups of "
        "at least 5 hospitals; dates are whole months.",
        "—",
        "—",
        "—",
        "—",
    ),
]

LEVELS = {m.name: m for m in METRICS}


def levels(metric: str) -> str:
    """A metric's place in the three frameworks, for a caption beside the figure."""
    m = LEVELS[metric]
    return f"RE-AIM: {m.re_aim} · Moore: {m.moore} · Kirkpatrick: {m.kirkpatrick}"
