"""The REDCap protocol-adoption survey: dictionary, raw export, waves and the newest answer.

Fixture elements: PE01 (all hospitals) and PE12 (hotline poster, hospitals with an ED).
"""

from conftest import REFERENCE, load, query

Q = '"'
DICTIONARY = "\n".join(
    [
        ",".join(
            Q + h + Q
            for h in [
                "Variable / Field Name",
                "Form Name",
                "Section Header",
                "Field Type",
                "Field Label",
                "Choices, Calculations, OR Slider Labels",
                "Field Note",
                "Text Validation Type OR Show Slider Number",
                "Text Validation Min",
                "Text Validation Max",
                "Identifier?",
                "Branching Logic (Show field only if...)",
                "Required Field?",
                "Custom Alignment",
                "Question Number (surveys only)",
                "Matrix Group Name",
                "Matrix Ranking?",
                "Field Annotation",
            ]
        ),
        '"record_id","protocol_adoption","","text","Record ID","","","","","","","","","","","","",""',
        '"ccn","protocol_adoption","","text","Hospital CCN","","","","","","","","y","","","","",""',
        '"respondent_role","protocol_adoption","","dropdown","Your role","1, Nurse executive | 2, ED director | 3, Social work","","","","","","","","","","","",""',
        '"pe01_stage","protocol_adoption","Stages","radio","Written policy and procedure","0, Not started | 1, In progress | 2, In place | 9, Not applicable","","","","","","","","","","stages","",""',
        '"pe12_stage","protocol_adoption","","radio","Hotline poster in ED","0, Not started | 1, In progress | 2, In place | 9, Not applicable","","","","","","","","","","stages","",""',
        '"resources_used","protocol_adoption","","checkbox","Resources used","r01, Policy template | r02, Hotline poster","","","","","","","","","","","",""',
        '"comments","protocol_adoption","","notes","Comments","","","","","","","","","","","","",""',
    ]
)
HEADER = (
    "record_id,redcap_event_name,redcap_survey_identifier,protocol_adoption_timestamp,ccn,"
    "respondent_role,pe01_stage,pe12_stage,resources_used___r01,resources_used___r02,comments,"
    "protocol_adoption_complete"
)
RECORDS = [
    "1,baseline_arm_1,,2025-03-01 09:00:00,260001,1,0,1,1,0,,2",  # line 2
    "2,baseline_arm_1,,[not completed],260002,2,1,,0,0,,0",  # 3: incomplete form
    '3,baseline_arm_1,,2025-03-05 10:00:00,171300,3,2,,0,1,"Poster up in ED, not yet\nin urgent care",2',  # 4-5: PE12 blank
    "1,month_12_arm_1,,2026-03-01 09:00:00,260001,1,2,2,1,1,,2",  # 6: superseded by record 4
    "4,month_12_arm_1,,2026-03-20 15:00:00,260001,2,1,2,1,1,second response,2",  # 7
    "3,month_12_arm_1,,2026-03-02 08:00:00,26004,3,2,2,0,0,,2",  # 8: 5-character CCN
    "5,month_12_arm_1,,2026-03-03 08:00:00,260003,1,7,2,0,0,,2",  # 9: 7 is no stage code
]


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def counts(r):
    return (r.rows_read, r.loaded, r.rows_excluded, r.rows_rejected, r.duplicate)


def survey(tmp_path, name="HTProtocol_DATA_2026-10-31_0915.csv", rows=RECORDS):
    folder = tmp_path / "redcap"
    write(folder, "HTProtocol_DataDictionary_2026-10-31.csv", DICTIONARY)
    return write(folder, name, HEADER + "\n" + "\n".join(rows) + "\n")


def test_a_redcap_export_loads_through_its_dictionary_with_every_row_accounted(tmp_path, warehouse):
    data = survey(tmp_path)
    res, _ = load([REFERENCE, data.parent], warehouse)
    d = res["HTProtocol_DataDictionary_2026-10-31.csv"]
    assert d.format == "redcap_data_dictionary" and counts(d) == (7, 7, 0, 0, 0)
    r = res["HTProtocol_DATA_2026-10-31_0915.csv"]
    assert r.format == "redcap_records"
    assert counts(r) == (7, 3, 2, 2, 0)
    assert r.excluded == {"form_incomplete": 1, "older_response_same_wave": 1}
    assert [(x["line"], x["column"]) for x in r.rejects] == [(8, "ccn"), (9, "pe01_stage")]
    assert query(
        warehouse,
        """select hospital_ccn, wave, record_id, respondent_role, is_current,
                  submitted_at::varchar
           from survey_response order by wave, hospital_ccn, record_id""",
    ) == [
        ("171300", "baseline", "3", "Social work", True, "2025-03-05 16:00:00+00"),
        ("260001", "baseline", "1", "Nurse executive", True, "2025-03-01 15:00:00+00"),
        ("260002", "baseline", "2", "ED director", False, None),
        ("260001", "month_12", "1", "Nurse executive", False, "2026-03-01 15:00:00+00"),
        ("260001", "month_12", "4", "ED director", True, "2026-03-20 20:00:00+00"),
    ]
    assert query(
        warehouse,
        """select s.hospital_ccn, s.wave, p.element_id, p.stage
           from protocol_response p join survey_response s using (record_id, event_name)
           where s.is_current order by all""",
    ) == [
        ("171300", "baseline", "PE01", "in_place"),
        ("171300", "baseline", "PE12", "unknown"),
        ("260001", "baseline", "PE01", "not_started"),
        ("260001", "baseline", "PE12", "in_progress"),
        ("260001", "month_12", "PE01", "in_progress"),
        ("260001", "month_12", "PE12", "in_place"),
    ]
    assert query(
        warehouse,
        """select record_id, event_name, resource_id, is_checked from survey_checkbox
           where record_id = '3' order by resource_id""",
    ) == [("3", "baseline_arm_1", "R01", False), ("3", "baseline_arm_1", "R02", True)]


def test_an_unanswered_element_is_unknown_and_never_counted_as_not_started(tmp_path, warehouse):
    load([REFERENCE, survey(tmp_path).parent], warehouse)
    # Prairie (171300) left the poster question blank at baseline: unknown, not 'not started'.
    assert query(
        warehouse,
        """select p.stage, p.stage_code from protocol_response p
           join survey_response s using (record_id, event_name)
           where s.hospital_ccn = '171300' and p.element_id = 'PE12'""",
    ) == [("unknown", None)]
    assert query(
        warehouse,
        """select count(*) from protocol_response p
           join survey_response s using (record_id, event_name)
           where s.is_current and p.stage = 'not_started'""",
    ) == [(1,)]  # only Alpha's PE01 at baseline, answered 0


def test_an_older_export_loaded_after_a_newer_one_changes_nothing(tmp_path, warehouse):
    newer = survey(tmp_path)
    load([REFERENCE, newer.parent], warehouse)
    # Alpha's baseline answer for PE01 was 1 in June 2025 and corrected to 0 later
    older = write(
        tmp_path / "later",
        "HTProtocol_DATA_2025-06-30_1104.csv",
        HEADER + "\n" + RECORDS[0].replace(",260001,1,0,1,", ",260001,1,1,1,") + "\n",
    )
    res, _ = load([REFERENCE, newer.parent, older], warehouse)
    assert counts(res[older.name]) == (1, 0, 0, 0, 1)
    assert query(
        warehouse,
        """select stage_code from protocol_response
           where record_id = '1' and event_name = 'baseline_arm_1' and element_id = 'PE01'""",
    ) == [(0,)]


def test_an_export_without_its_dictionary_fails_and_says_what_to_load(tmp_path, warehouse):
    path = write(
        tmp_path / "redcap", "HTProtocol_DATA_2026-10-31_0915.csv", HEADER + "\n" + RECORDS[0]
    )
    res, _ = load([REFERENCE, path], warehouse)
    r = res[path.name]
    assert r.status == "failed"
    assert "no REDCap data dictionary is loaded" in r.message and "DataDictionary" in r.message


def test_a_bad_survey_time_is_rejected_with_its_line_and_column(tmp_path, warehouse):
    rows = [RECORDS[0].replace("2025-03-01 09:00:00", "March 1st")]
    res, _ = load([REFERENCE, survey(tmp_path, rows=rows).parent], warehouse)
    r = res["HTProtocol_DATA_2026-10-31_0915.csv"]
    assert [(x["line"], x["column"]) for x in r.rejects] == [(2, "protocol_adoption_timestamp")]
    assert "expected a time like 2026-03-05 14:02:11 or [not completed]" in r.rejects[0]["reason"]


def test_an_api_export_without_survey_timestamps_loads(tmp_path, warehouse):
    header = HEADER.replace("redcap_survey_identifier,protocol_adoption_timestamp,", "")
    rows = ["1,baseline_arm_1,260001,1,0,1,1,0,,2"]
    folder = tmp_path / "redcap"
    write(folder, "HTProtocol_DataDictionary_2026-10-31.csv", DICTIONARY)
    write(folder, "HTProtocol_DATA_2026-10-31_0915.csv", header + "\n" + "\n".join(rows) + "\n")
    res, _ = load([REFERENCE, folder], warehouse)
    assert counts(res["HTProtocol_DATA_2026-10-31_0915.csv"]) == (1, 1, 0, 0, 0)


def test_rows_of_a_repeating_instrument_do_not_overwrite_the_response(tmp_path, warehouse):
    header = HEADER.replace(
        "redcap_event_name,", "redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
    )
    rows = [
        "1,baseline_arm_1,,,,2025-03-01 09:00:00,260001,1,0,1,1,0,,2",
        "1,baseline_arm_1,contact_log,1,,,,,,,,,,",
    ]
    folder = tmp_path / "redcap"
    write(folder, "HTProtocol_DataDictionary_2026-10-31.csv", DICTIONARY)
    write(folder, "HTProtocol_DATA_2026-10-31_0915.csv", header + "\n" + "\n".join(rows) + "\n")
    res, _ = load([REFERENCE, folder], warehouse)
    r = res["HTProtocol_DATA_2026-10-31_0915.csv"]
    assert counts(r) == (2, 1, 1, 0, 0) and r.excluded == {"repeating_instrument_row": 1}
    assert query(warehouse, "select complete_status, is_current from survey_response") == [
        (2, True)
    ]


def test_free_text_of_a_rejected_response_is_masked(tmp_path, warehouse):
    rows = [
        "5,month_12_arm_1,,2026-03-03 08:00:00,260003,1,7,2,0,0,Call Jane Smith at jane@alpha.org,2"
    ]
    res, _ = load([REFERENCE, survey(tmp_path, rows=rows).parent], warehouse)
    (reject,) = res["HTProtocol_DATA_2026-10-31_0915.csv"].rejects
    assert "Jane" not in reject["record"] and '"comments": "***@alpha.org"' in reject["record"]
