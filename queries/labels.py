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
