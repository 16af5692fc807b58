"""Plain-language readings of the statistics, for pages and workbooks (DESIGN.md section 5):
percentage points, the n, the interval, and for a single-group pre/post design that the change
followed the training rather than that the module alone caused it."""

import math

CAUSAL_CAVEAT = (
    "Without a comparison group this shows change after training, not that the module alone "
    "caused it."
)


def chance(p: float) -> str:
    if p != p:  # NaN
        return "Too few learners, or too little variation, for a test."
    if p < 0.001:
        return "A change this large would be very unlikely by chance."
    if p < 0.05:
        return "A change this large would be unlikely by chance alone."
    return "A change this size could well be chance."


def gain(change_pp: float, lo: float, hi: float, n: int, p: float, what="the module") -> str:
    """e.g. 'Staff scored 24 percentage points higher after the module (95% CI 21 to 27;
    n = 412). A change this large would be very unlikely by chance. Without a comparison ...'"""
    if change_pp != change_pp:
        return f"Not enough matched learners to describe the change (n = {n:,})."
    direction = "higher" if change_pp >= 0 else "lower"
    ci = f"95% CI {_pp(lo)} to {_pp(hi)}; " if not math.isnan(lo) else ""
    return (
        f"Staff scored {abs(change_pp):.0f} percentage points {direction} after {what} "
        f"({ci}n = {n:,}). {chance(p)} {CAUSAL_CAVEAT}"
    )


def retention(ratio: float, followup_pct: float, pre_pct: float, post_pct: float, n: int) -> str:
    if followup_pct != followup_pct:
        return "Too few follow-up responses to describe retention."
    kept = (
        f" They kept {ratio:.0%} of their gain."
        if ratio == ratio
        else " The gain was under 5 points, so no share of it is given."
    )
    return (
        f"At follow-up, responders scored {followup_pct:.0f}% on average, against {pre_pct:.0f}% "
        f"before and {post_pct:.0f}% right after the module (n = {n:,}).{kept}"
    )


def bias(diff: float, p: float, what_a: str, what_b: str, test: str, n_a, n_b) -> str:
    """e.g. 'Learners without a post-test scored 8 points lower on the pre-test than those with
    one (n = 120 and 400): the matched results may flatter the module.'"""
    if diff != diff:
        return f"Too few {what_a} to compare with {what_b}."
    direction = "lower" if diff < 0 else "higher"
    if p != p:
        verdict = "too little variation for a test"
    elif p < 0.05:
        verdict = (
            "a difference this large would be unlikely by chance, so the matched learners may "
            "not represent everyone who started"
        )
    else:
        verdict = "no clear difference"
    return (
        f"{what_a.capitalize()} scored {abs(diff):.0f} percentage points {direction} on the "
        f"{test} than {what_b} (n = {int(n_a):,} and {int(n_b):,}): {verdict}."
    )


def _pp(v: float) -> str:
    whole = round(v) + 0  # + 0 turns -0 into 0
    return f"{whole:.0f}" if whole >= 0 else f"−{abs(whole):.0f}"
