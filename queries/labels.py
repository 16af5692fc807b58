"""Display names for codes the warehouse stores (formats, statuses); pages never show raw codes."""

FORMAT = {
    "cms_hospital_general_information": "Hospitals (CMS)",
    "membership": "Collaborative membership",
    "sources": "Source settings",
    "modules": "Module catalog",
    "module_aliases": "Module aliases",
    "quiz_items": "Quiz item catalog",
    "roles": "Roles",
    "role_map": "Job title to role map",
    "requirements": "Role x module requirements",
    "protocol_elements": "Protocol elements",
    "toolkit_resources": "Toolkit resources",
    "settings": "Program settings",
    "targets": "Program targets",
    "moodle_completion": "Moodle course completion",
    "moodle_quiz_grades": "Moodle quiz grades",
    "healthstream_transcript": "HealthStream transcript",
    "scormcloud_registrations": "SCORM Cloud registrations",
    "quiz_long": "Quiz responses (long format)",
    "unknown": "Unrecognized file",
}


def format_label(code: str) -> str:
    return FORMAT.get(code, code.replace("_", " ").capitalize())


FORMAT.update(
    {
        "access_log_combined": "Toolkit web-server log",
        "wordpress_download_monitor": "Toolkit downloads (Download Monitor)",
        "redcap_data_dictionary": "Protocol survey: data dictionary",
        "redcap_records": "Protocol survey: responses",
        "hr_headcount_xlsx": "HR headcount workbook",
    }
)

COLUMN = {
    "path": "File",
    "file": "File",
    "format": "Source",
    "system": "System",
    "tenant": "Tenant",
    "status": "Status",
    "rows_read": "Rows read",
    "rows_loaded": "Loaded",
    "rows_excluded": "Excluded",
    "rows_rejected": "Rejected",
    "rows_duplicate": "Duplicate",
    "message": "Message",
    "export_at": "Exported (UTC)",
    "min_event_at": "First event (UTC)",
    "max_event_at": "Last event (UTC)",
    "loaded_at": "Loaded (UTC)",
    "last_export_at": "Newest export (UTC)",
    "last_event_at": "Newest event (UTC)",
    "last_loaded_at": "Last load (UTC)",
    "n_files": "Files",
    "n_rows": "Rows",
    "reason": "Reason",
    "line": "Line",
    "column_name": "Column",
    "record_masked": "Record (masked)",
    "email_domain": "E-mail domain",
    "n_learners": "Learners",
    "n_completions": "Completions",
    "n_downloads": "Downloads",
    "n_clients": "Clients",
    "source": "Source",
    "kind": "What",
    "value": "Value",
    "hospital": "Hospital",
    "hospital_ccn": "CCN",
    "module_id": "Module",
    "role": "Role",
    "headcount": "Staff (headcount)",
    "n_started": "Started",
    "n_completed": "Completed",
    "n_pairs": "Matched learners",
}

REASON = {
    "summary_row": "Summary or total row",
    "blank_row": "Blank row",
    "unfinished_attempt": "Unfinished quiz attempt",
    "course_not_in_catalog": "Course not in the module catalog",
    "quiz_not_in_catalog": "Quiz not in the module catalog",
    "module_not_in_catalog": "Module not in the catalog",
    "not_a_toolkit_resource": "Not a toolkit resource",
    "bot": "Bot or crawler",
    "head_request": "HEAD request",
    "other_method": "Other HTTP method",
    "status_not_2xx": "Not a successful response (non-2xx)",
    "download_failed": "Failed download",
    "repeat_within_30_min": "Repeat within 30 minutes",
    "form_incomplete": "Survey form not completed",
    "older_response_same_wave": "Older answer in the same wave",
    "repeating_instrument_row": "Repeating-instrument row",
}

KIND = {
    "job_title": "Job title (role map)",
    "course": "Course (module aliases)",
    "quiz": "Quiz (module aliases)",
    "module": "Module name (module aliases)",
    "url_path": "Toolkit URL path (resources)",
    "download": "Download Monitor file (resources)",
    "email_domain": "E-mail domain (membership)",
}


def column_label(name: str) -> str:
    return COLUMN.get(name, name.replace("_", " ").capitalize())


def reason_label(code: str) -> str:
    return REASON.get(code, str(code).replace("_", " ").capitalize())


def kind_label(code: str) -> str:
    return KIND.get(code, str(code).replace("_", " ").capitalize())
