"""Per-hospital charts draw at most 40 of the viewer's hospitals (the lowest) and the peers."""

import pandas as pd

from ui import program


def _per(n_own: int) -> pd.DataFrame:
    own = pd.DataFrame(
        {
            "hospital": [f"H{i:03d}" for i in range(n_own)],
            "is_peer_group": False,
            # H000 withheld; then 100, 99, 98 ... so the lowest are the last rows
            "value": [None] + [100.0 - i for i in range(1, n_own)],
        }
    )
    peer = pd.DataFrame({"hospital": ["Peers: KS"], "is_peer_group": [True], "value": [50.0]})
    return pd.concat([own, peer], ignore_index=True)


def test_forty_hospitals_are_all_drawn_without_a_note():
    per = _per(40)
    shown, note = program.chart_hospitals(per, "value")
    assert shown == list(per["hospital"])
    assert note == ""


def test_of_forty_five_the_forty_lowest_are_drawn_with_the_peer_group_and_a_note():
    per = _per(45)
    shown, note = program.chart_hospitals(per, "value")
    # values: H001=99 ... H044=56; the 40 lowest are H005 (95) to H044 (56); H000 is withheld
    # and goes last, so it is not among them; H001-H004 (99-96) are the 4 highest
    assert shown == [f"H{i:03d}" for i in range(5, 45)] + ["Peers: KS"]
    assert note.startswith("The chart shows the 40 of your 45 hospitals with the lowest figures")


def test_a_headline_counts_one_in_the_singular_and_staff_either_way():
    from analysis.overview import Figure

    def note(n, label):
        fig = Figure("Adoption", "m", "x", 100.0, "%", n, label)
        return program.headline_note(fig, None, None, "").split(";")[0]

    assert note(1, "hospitals") == "n = 1 hospital"
    assert note(2, "hospitals") == "n = 2 hospitals"
    assert note(1, "learner-modules") == "n = 1 learner-module"
    assert note(1, "elements answered") == "n = 1 element answered"
    assert note(1, "staff (headcount)") == "n = 1 staff (headcount)"
    assert note(1, "staff ever fully trained") == "n = 1 staff ever fully trained"
