"""Hospital attribution: the file's CCN, then a facility column, then a one-hospital domain."""

import shutil

from conftest import EXPORTS, REFERENCE, load, query


def test_a_domain_shared_by_a_health_system_attributes_nobody_but_is_kept(loaded):
    assert query(
        loaded, "select hospital_ccn, attribution from learner where email_domain = 'heartland.org'"
    ) == [(None, "none")]


def test_an_unmapped_domain_is_kept_so_a_later_mapping_can_attribute_it(loaded):
    assert query(
        loaded, "select hospital_ccn, attribution from learner where email_domain = 'gmail.com'"
    ) == [(None, "none")]


def test_the_ccn_given_for_a_file_wins_over_the_domain(warehouse):
    # Hal's transcript carries no e-mail at all: the sources.csv rule names hospital 260002.
    load([REFERENCE, EXPORTS / "hs/260002-transcript-2026-06.csv"], warehouse)
    assert query(warehouse, "select distinct hospital_ccn, attribution from completion") == [
        ("260002", "file")
    ]


def test_the_hospital_option_overrides_for_a_whole_file(warehouse):
    load([REFERENCE], warehouse)
    load([EXPORTS / "scorm"], warehouse, hospital="260001")
    assert query(warehouse, "select distinct hospital_ccn, attribution from completion") == [
        ("260001", "file")
    ]


def test_a_corrected_membership_file_re_attributes_without_re_keying(loaded, tmp_path):
    ids_before = query(loaded, "select learner_id from learner order by 1")
    ref = tmp_path / "ref"
    shutil.copytree(REFERENCE, ref)
    membership = ref / "membership.csv"
    # gmail.com is now (implausibly, but it proves the point) the domain of 260001 alone.
    membership.write_text(membership.read_text().replace("alpha.org,", "alpha.org;gmail.com,"))
    load(membership, loaded)
    assert query(
        loaded, "select hospital_ccn, attribution from completion where email_domain = 'gmail.com'"
    ) == [("260001", "domain")]
    assert query(loaded, "select learner_id from learner order by 1") == ids_before
    # The next load reads the export again (the reference changed) and finds its three valid
    # rows unchanged: re-attribution also renewed their fingerprints.
    res, _ = load(EXPORTS / "moodle-mha/completion-ht01.csv", loaded)
    r = res["moodle-mha/completion-ht01.csv"]
    assert (r.status, r.loaded, r.duplicate, r.rows_rejected) == ("partial", 0, 3, 1)


def test_the_same_person_in_two_systems_is_two_learners_without_a_crosswalk(loaded):
    # pat@prairie.org in SCORM Cloud and in the long quiz export share the e-mail namespace: one
    # learner. The HealthStream IDs have no e-mail: a namespace of their own.
    assert query(loaded, "select id_namespace, count(*) from learner group by 1 order by 1") == [
        ("email", 6),
        ("healthstream:heartland", 2),
    ]
