"""Static catalogs behind the sample data: protocol elements, modules, roles, job titles, toolkit.

Modelled on public curricula (DESIGN.md section 9), not on any association's own material.
Kept as plain Python data so the reference CSVs and the simulation read the same source.
"""

from __future__ import annotations

# fmt: off
# (element_id, name, applies_to, description)
PROTOCOL_ELEMENTS = [
    ("PE01", "Written policy and procedure", "all",
     "Board-approved policy for identifying and responding to suspected trafficking"),
    ("PE02", "Leadership statement", "all",
     "Signed statement of executive support for the response program"),
    ("PE03", "Multidisciplinary team with a named champion", "all",
     "Standing team (nursing, ED, social work, security, legal) with a named champion"),
    ("PE04", "Required education at onboarding plus refresher", "all",
     "Training required for new hires and repeated within the refresher window"),
    ("PE05", "Indicator (red-flag) reference", "all",
     "Quick reference of physical, behavioral and situational indicators"),
    ("PE06", "Screening tool or structured conversation", "all",
     "Validated screening questions or a structured conversation such as PEARR"),
    ("PE07", "Private interview away from companions", "all",
     "Procedure to speak with the patient alone, away from anyone accompanying them"),
    ("PE08", "Professional interpreter access", "all",
     "Qualified interpreters; companions are never used to interpret"),
    ("PE09", "Patient and staff safety plan", "all",
     "Safety planning for the patient and for staff, including security involvement"),
    ("PE10", "Mandatory-reporting workflow per state law", "all",
     "Steps for reports required by state law (minors, vulnerable adults)"),
    ("PE11", "Referral pathway and community-partner directory", "all",
     "Warm hand-off to shelters, legal aid and victim services; current partner list"),
    ("PE12", "Hotline poster in ED and urgent care", "emergency_services",
     "National hotline poster displayed where required (RSMo 595.120 in Missouri)"),
    ("PE13", "Multilingual patient safety cards", "all",
     "Discreet cards with hotline numbers in the languages patients speak"),
    ("PE14", "Documentation guidance with ICD-10-CM codes", "all",
     "Coding guidance: T74.5x/T74.6x confirmed, T76.5x/T76.6x suspected, Z04.81/Z04.82, "
     "Z91.42, Z62.813, Y07.6"),
    ("PE15", "EHR privacy and confidential records", "all",
     "Restricted charts, confidential contact details and careful after-visit summaries"),
    ("PE16", "Trauma- and survivor-informed care", "all",
     "Care practices that avoid re-traumatization and respect patient choice"),
    ("PE17", "Protocol evaluation and case review", "all",
     "Regular review of cases and of the protocol itself"),
]

# (module_id, title, topic_tags, contact_hours, protocol_elements, short title for LMS catalogs)
MODULES = [
    ("M01", "Human Trafficking 101: Definitions and Scope",
     "form:sex;form:labor;form:familial;step:identify", 1.0, "PE04;PE05", "Trafficking Basics"),
    ("M02", "Sex Trafficking", "form:sex;step:identify", 1.0, "PE05;PE06", "Sex Trafficking"),
    ("M03", "Labor Trafficking: Farm, Construction, Factory and Restaurant Work",
     "form:labor;pop:rural;step:identify", 1.0, "PE05;PE06", "Labor Trafficking"),
    ("M04", "Trafficking of Minors", "form:sex;form:familial;pop:minors;step:identify;step:report",
     1.25, "PE05;PE10", "Trafficking of Minors"),
    ("M05", "Under-Recognized Populations: Men and Boys, LGBTQ+ People, Rural Communities",
     "pop:men_boys;pop:lgbtq;pop:rural;step:identify", 0.75, "PE05;PE16",
     "Under-Recognized Populations"),
    ("M06", "Health Consequences and Clinical Red Flags", "form:sex;form:labor;step:identify", 1.0,
     "PE05;PE06", "Clinical Red Flags"),
    ("M07", "Trauma-Informed, Survivor-Centered Care", "step:respond", 1.0, "PE16;PE08",
     "Trauma-Informed Care"),
    ("M08", "Screening and Patient Interviewing", "step:identify;step:respond", 1.25,
     "PE06;PE07;PE08", "Screening and Interviewing"),
    ("M09", "Patient and Staff Safety", "step:respond", 0.75, "PE09;PE13", "Safety"),
    ("M10", "Mandatory Reporting and State Law", "pop:minors;step:report", 1.0, "PE10;PE01",
     "Mandatory Reporting"),
    ("M11", "Referral, Community Partners and the Hotline", "step:refer", 0.75, "PE11;PE12;PE13",
     "Referral and Hotline"),
    ("M12", "Documentation, ICD-10-CM Coding and EHR Privacy", "step:document", 1.0, "PE14;PE15",
     "Documentation and Coding"),
    ("M13", "Building the Hospital Protocol and Team", "step:respond;step:refer", 1.5,
     "PE01;PE02;PE03;PE04;PE17", "Building the Protocol"),
    ("M14", "Case Scenarios: ED, Labor and Delivery, Urgent Care, Behavioral Health",
     "form:sex;form:labor;form:familial;pop:minors;step:identify;step:respond;step:report;"
     "step:refer;step:document",
     1.5, "PE06;PE07;PE09;PE10;PE11", "Case Scenarios"),
]

# (role, label, soc_code, is_front_line, share of staff in an acute care hospital)
ROLES = [
    ("RN", "Registered nurse", "29-1141", "Y", 0.33),
    ("LPN", "Licensed practical nurse", "29-2061", "N", 0.05),
    ("APP", "Advanced practice provider (NP/PA)", "29-1171;29-1071", "N", 0.04),
    ("physician", "Physician", "29-1210", "N", 0.08),
    ("social_worker", "Social worker", "21-1022", "N", 0.02),
    ("ed_tech_emt", "ED technician / EMT", "29-2042", "Y", 0.04),
    ("cna_pct", "CNA / patient care technician", "31-1131", "N", 0.14),
    ("security", "Security", "33-9032", "Y", 0.03),
    ("registration", "Registration / front desk", "43-4111", "Y", 0.07),
    ("respiratory_therapist", "Respiratory therapist", "29-1126", "N", 0.03),
    ("pharmacist", "Pharmacist", "29-1051", "N", 0.02),
    ("other", "Other staff", "", "N", 0.15),
]
ROLE_IDS = [r[0] for r in ROLES]

# Reach (logit) per role: the signal "RN, social worker, ED tech high; security,
# registration and physicians low" must be visible in the coverage views.
ROLE_REACH = {
    "RN": 0.9, "LPN": 0.3, "APP": -0.1, "physician": -1.1, "social_worker": 1.2,
    "ed_tech_emt": 0.8, "cna_pct": 0.0, "security": -1.3, "registration": -1.2,
    "respiratory_therapist": -0.3, "pharmacist": -0.5, "other": -0.7,
}

# Prior knowledge (logit) per role: clinicians start from a higher pre-test score.
ROLE_ABILITY = {
    "RN": 0.3, "LPN": 0.1, "APP": 0.4, "physician": 0.4, "social_worker": 0.6, "ed_tech_emt": 0.1,
    "cna_pct": -0.2, "security": -0.3, "registration": -0.4, "respiratory_therapist": 0.0,
    "pharmacist": 0.1, "other": -0.3,
}

# Job titles as HealthStream / Moodle spell them: (title, role, weight within role, mapped?).
# Unmapped titles are left out of role_map.csv on purpose: the ETL must report them.
JOB_TITLES = [
    ("Registered Nurse", "RN", 5, True),
    ("RN - Emergency Dept", "RN", 2, True),
    ("Staff Nurse II", "RN", 2, True),
    ("Charge Nurse", "RN", 1, True),
    ("RN Case Manager", "RN", 1, True),
    ("Labor & Delivery RN", "RN", 1, True),
    ("Clinical Nurse Educator", "RN", 0.5, True),
    ("SANE Nurse", "RN", 0.3, True),
    ("Float Pool Resource", "RN", 0.4, False),
    ("Licensed Practical Nurse", "LPN", 3, True),
    ("LPN", "LPN", 2, True),
    ("Nurse Practitioner", "APP", 3, True),
    ("Physician Assistant", "APP", 2, True),
    ("APRN", "APP", 1, True),
    ("Physician", "physician", 2, True),
    ("Emergency Physician", "physician", 1, True),
    ("Hospitalist", "physician", 2, True),
    ("Resident Physician", "physician", 1, True),
    ("Social Worker", "social_worker", 2, True),
    ("LCSW", "social_worker", 1, True),
    ("Medical Social Worker", "social_worker", 1, True),
    ("ED Tech", "ed_tech_emt", 3, True),
    ("Paramedic", "ed_tech_emt", 2, True),
    ("EMT-Basic", "ed_tech_emt", 1, True),
    ("Emergency Room Technician", "ed_tech_emt", 1, True),
    ("CNA", "cna_pct", 3, True),
    ("Certified Nursing Assistant", "cna_pct", 2, True),
    ("Patient Care Tech", "cna_pct", 3, True),
    ("PCT", "cna_pct", 1, True),
    ("Patient Sitter", "cna_pct", 0.5, False),
    ("Security Officer", "security", 4, True),
    ("Public Safety Officer", "security", 1, True),
    ("Patient Access Rep", "registration", 4, True),
    ("Registration Clerk", "registration", 2, True),
    ("ED Registrar", "registration", 1, True),
    ("Front Desk Coordinator", "registration", 1, True),
    ("Unit Clerk II", "registration", 0.6, False),
    ("Respiratory Therapist", "respiratory_therapist", 3, True),
    ("RRT", "respiratory_therapist", 1, True),
    ("Pharmacist", "pharmacist", 2, True),
    ("Clinical Pharmacist", "pharmacist", 1, True),
    ("Chaplain", "other", 1, True),
    ("Interpreter", "other", 1, True),
    ("Environmental Services Tech", "other", 3, True),
    ("Radiology Technologist", "other", 2, True),
    ("Dietitian", "other", 1, True),
    ("Lab Assistant", "other", 2, True),
]

# Department per role (HealthStream's Department column; HR headcounts later).
ROLE_DEPARTMENTS = {
    "RN": [
        "Emergency Department", "Med/Surg", "ICU", "Labor and Delivery", "Pediatrics",
        "Behavioral Health", "Case Management",
    ],
    "LPN": [
        "Med/Surg", "Clinic", "Behavioral Health",
    ],
    "APP": [
        "Emergency Department", "Hospitalist Service", "Clinic",
    ],
    "physician": [
        "Emergency Department", "Hospitalist Service", "Obstetrics", "Pediatrics",
    ],
    "social_worker": [
        "Case Management", "Behavioral Health",
    ],
    "ed_tech_emt": [
        "Emergency Department",
    ],
    "cna_pct": [
        "Med/Surg", "ICU", "Emergency Department", "Behavioral Health",
    ],
    "security": [
        "Security",
    ],
    "registration": [
        "Patient Access", "Emergency Department",
    ],
    "respiratory_therapist": [
        "Respiratory Care",
    ],
    "pharmacist": [
        "Pharmacy",
    ],
    "other": [
        "Environmental Services", "Imaging", "Laboratory", "Spiritual Care", "Language Services",
        "Nutrition Services",
    ],
}

# Modules a role is NOT required to complete (every other pair is required).
NOT_REQUIRED = {
    ("other", "M12"), ("other", "M14"), ("pharmacist", "M14"), ("registration", "M12"),
    ("security", "M07"), ("security", "M12"),
}

# (resource_id, title, url_path, kind, protocol_elements)
TOOLKIT_RESOURCES = [
    ("TR01", "Human trafficking response policy template",
     "/toolkit/files/ht-policy-template.docx", "policy_template", "PE01;PE10;PE11"),
    ("TR02", "Leadership statement template", "/toolkit/files/leadership-statement.docx",
     "policy_template", "PE02"),
    ("TR03", "Response team charter and champion role", "/toolkit/files/team-charter.docx",
     "policy_template", "PE03;PE17"),
    ("TR04", "Red-flag indicator quick reference", "/toolkit/files/red-flag-indicators.pdf",
     "reference_card", "PE05"),
    ("TR05", "Screening tool and PEARR structured conversation",
     "/toolkit/files/screening-tool-pearr.pdf", "screening_tool", "PE06;PE07"),
    ("TR06", "Interviewing the patient alone: checklist", "/toolkit/files/private-interview.pdf",
     "checklist", "PE07;PE08"),
    ("TR07", "Interpreter access guide", "/toolkit/files/interpreter-guide.pdf", "guide", "PE08"),
    ("TR08", "Patient and staff safety plan template", "/toolkit/files/safety-plan.docx",
     "policy_template", "PE09"),
    ("TR09", "Mandatory reporting flowchart (Missouri)",
     "/toolkit/files/mandatory-reporting-mo.pdf", "flowchart", "PE10"),
    ("TR10", "Community partner directory", "/toolkit/partners", "web_page", "PE11"),
    ("TR11", "Referral pathway flowchart", "/toolkit/files/referral-pathway.pdf", "flowchart",
     "PE11"),
    ("TR12", "Hotline poster (English)", "/toolkit/files/hotline-poster-en.pdf", "poster", "PE12"),
    ("TR13", "Hotline poster (Spanish)", "/toolkit/files/hotline-poster-es.pdf", "poster",
     "PE12;PE13"),
    ("TR14", "Patient safety cards (English, Spanish, Vietnamese)",
     "/toolkit/files/safety-cards-multilingual.pdf", "safety_card", "PE13"),
    ("TR15", "ICD-10-CM coding guide for trafficking", "/toolkit/files/icd10cm-coding-guide.pdf",
     "guide", "PE14"),
    ("TR16", "EHR privacy and confidential records checklist",
     "/toolkit/files/ehr-privacy-checklist.pdf", "checklist", "PE15"),
    ("TR17", "Trauma-informed care tip sheet", "/toolkit/files/trauma-informed-care.pdf",
     "tip_sheet", "PE16"),
    ("TR18", "Case review worksheet", "/toolkit/files/case-review-worksheet.docx", "worksheet",
     "PE17"),
    ("TR19", "Onboarding and refresher training plan", "/toolkit/files/training-plan.xlsx",
     "worksheet", "PE04"),
    ("TR20", "Toolkit overview slides", "/toolkit/files/toolkit-overview.pptx", "slides",
     "PE01;PE03;PE04"),
    ("TR21", "Toolkit home", "/toolkit/", "web_page", ""),
]

# Knowledge model per module: logit gain pre -> post and share of the gain kept at follow-up.
# M05 and M10 gain little (about 10 points), the rest 20-35 points.
MODULE_GAIN = {
    "M01": 1.8, "M02": 1.7, "M03": 1.6, "M04": 1.75, "M05": 0.5, "M06": 1.65, "M07": 1.9,
    "M08": 1.7, "M09": 1.55, "M10": 0.55, "M11": 1.95, "M12": 1.5, "M13": 1.65, "M14": 1.6,
}
MODULE_RETAIN = {m: 0.4 + 0.2 * ((i * 7) % 10) / 9 for i, m in enumerate(MODULE_GAIN)}

# Items that stay hard after training: item_id -> (pre difficulty, post gain adjustment).
# M03-I04: labor trafficking vs labor exploitation; M12-I06: ICD-10-CM code for confirmed
# forced labor; M05-I03: men and boys are rarely screened.
HARD_ITEMS = {
    "M03-I04": (1.2, -0.95),
    "M12-I06": (1.3, -0.9),
    "M05-I03": (1.3, -0.2),
}

# Courses outside the catalog that HealthStream transcripts also carry (excluded by the ETL).
HS_OTHER_COURSES = [
    ("HS-FS2026", "Annual Fire Safety 2026", "0.50"),
    ("HS-HIPAA-R", "HIPAA Privacy Refresher", "0.75"),
    ("HS-BBP26", "Bloodborne Pathogens 2026", "0.50"),
]
# fmt: on
