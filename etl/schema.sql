-- Warehouse schema. Grain is stated per table; times are TIMESTAMPTZ (stored as UTC instants).
-- Only etl/ writes these tables. Personal data never lands here: learners are keyed HMACs and only the
-- e-mail *domain* is kept (for attribution).

-- one row per build of this file
create table if not exists warehouse_meta (
    version varchar,            -- build timestamp + content hash, stamped on every result
    built_at timestamptz,
    content_hash varchar,       -- hash over the sha256 of every file loaded so far
    key_fingerprint varchar,    -- which pseudonymization key built the learner ids
    schema_version integer
);

-- reference data: each file replaces its table wholesale ------------------------------------------
create table if not exists hospital (          -- one row per CCN (CMS Hospital General Information)
    ccn varchar primary key, name varchar, address varchar, city varchar, state varchar,
    zip varchar, county varchar, phone varchar, hospital_type varchar, ownership varchar,
    has_emergency_services boolean, overall_rating varchar
);
create table if not exists membership (        -- one row per member hospital
    ccn varchar primary key, state varchar, region varchar, health_system varchar,
    member_since date
);
create table if not exists hospital_domain (   -- one row per (e-mail domain, hospital)
    domain varchar, ccn varchar
);
-- A domain attributes a learner only when it names exactly one hospital (a health-system domain
-- shared by several attributes nobody). Used at load and when membership changes.
create or replace view hospital_domain_unique as
    select domain, any_value(ccn) as ccn from hospital_domain
    group by domain having count(distinct ccn) = 1;
create table if not exists hospital_network (  -- one row per (CIDR, hospital)
    cidr varchar, ccn varchar
);
create table if not exists source_rule (       -- one row per sources.csv line, first match wins
    rule_no integer, path_glob varchar, system varchar, tenant varchar, date_order varchar,
    timezone varchar, hospital_ccn varchar
);
create table if not exists module (
    module_id varchar primary key, module_no integer, title varchar, topic_tags varchar[],
    contact_hours double, protocol_elements varchar[]
);
create table if not exists module_alias (      -- one row per (system, kind, alias)
    module_id varchar, system varchar, kind varchar, alias varchar, alias_norm varchar,
    phase varchar, quiz_version varchar
);
create table if not exists quiz_item (         -- one row per (quiz version, position)
    quiz_version varchar, position integer, item_id varchar, module_id varchar,
    max_points double, item_text varchar
);
create table if not exists role (
    role varchar primary key, label varchar, soc_code varchar, is_front_line boolean
);
create table if not exists role_map (          -- one row per normalized job title
    job_title varchar, job_title_norm varchar, role varchar
);
create table if not exists requirement (       -- one row per (role, module)
    role varchar, module_id varchar, is_required boolean
);
create table if not exists protocol_element (
    element_id varchar primary key, name varchar, applies_to varchar, description varchar
);
create table if not exists toolkit_resource (
    resource_id varchar primary key, title varchar, url_path varchar, kind varchar,
    protocol_elements varchar[]
);
create table if not exists setting (key varchar primary key, value varchar);
create table if not exists target (
    period_id varchar, label varchar, start_date date, end_date date, metric varchar,
    target double
);

-- learners and their records -------------------------------------------------------------------
create table if not exists learner (           -- one row per pseudonymous learner
    learner_id varchar primary key,
    id_namespace varchar,        -- 'email' or '<system>:<tenant>'
    email_domain varchar,
    hospital_ccn varchar,
    attribution varchar,         -- file | facility | domain | none
    role varchar, job_title varchar, department varchar,
    last_file_id varchar
);

create table if not exists completion (        -- one row per (system, tenant, learner, course)
    system varchar, tenant varchar, learner_id varchar, course_key varchar,
    module_id varchar,
    hospital_ccn varchar, attribution varchar, email_domain varchar,
    role varchar, job_title varchar, department varchar,
    status varchar,              -- completed | in_progress | not_started
    is_started boolean, is_completed boolean,
    first_access_at timestamptz, completed_at timestamptz,
    score_pct double, time_spent_s bigint, contact_hours double,
    event_at timestamptz,        -- the latest time the source shows for this record
    export_at timestamptz, file_id varchar,
    row_hash ubigint             -- hash of the value columns: same hash, same record
);  -- unique on the key: enforced by the loader, checked by warehouse.verify before each swap

create table if not exists quiz_attempt (      -- one row per (system, tenant, learner, quiz, attempt)
    attempt_id varchar,          -- md5 of the key; unique (checked before each swap)
    system varchar, tenant varchar, learner_id varchar, quiz_key varchar, attempt_key varchar,
    module_id varchar, phase varchar, quiz_version varchar,
    hospital_ccn varchar, attribution varchar, email_domain varchar,
    state varchar, started_at timestamptz, finished_at timestamptz, duration_s bigint,
    grade_points double, grade_max double, score_pct double,
    event_at timestamptz,        -- the latest time the source shows for this record
    export_at timestamptz, file_id varchar,
    row_hash ubigint             -- hash of the value columns: same hash, same record
);

create table if not exists quiz_item_response ( -- one row per (attempt, position)
    attempt_id varchar, position integer, item_id varchar,
    points double, max_points double, is_answered boolean, is_correct boolean
);

-- toolkit downloads -------------------------------------------------------------------------------
create table if not exists download_event (    -- one row per qualifying toolkit request
    -- Qualifying: a human GET (or Download Monitor download) of a catalog resource that succeeded.
    -- Repeats are kept (flagged) so that a log loaded later can still move the 30-minute windows.
    event_id varchar,            -- md5 of the request's content: one line in two files is one event
    source varchar,              -- access_log | download_monitor
    system varchar, tenant varchar,
    resource_id varchar,
    client_id varchar,           -- HMAC of IP + user agent; the IP itself is never stored
    hospital_ccn varchar,
    attribution varchar,         -- file | domain | network | none
    email_domain varchar,        -- logged-in Download Monitor users only
    requested_at timestamptz,
    status_code integer,
    is_counted boolean,          -- first request of this client and resource within 30 minutes
    file_id varchar
);

-- protocol-adoption survey (REDCap) -----------------------------------------------------------------
create table if not exists survey_field (      -- one row per (project, field) of the data dictionary
    tenant varchar, field_name varchar, form_name varchar, field_type varchar,
    field_label varchar, choices varchar, element_id varchar, file_id varchar
);
create table if not exists survey_response (   -- one row per (project, record, event)
    tenant varchar, record_id varchar, event_name varchar,
    wave varchar,                -- the event without its arm: baseline, month_12 ...
    hospital_ccn varchar, respondent_role varchar,
    submitted_at timestamptz,    -- null for '[not completed]'
    complete_status integer,     -- REDCap <form>_complete: 0 incomplete, 1 unverified, 2 complete
    is_current boolean,          -- the hospital's newest submitted response in this wave
    export_at timestamptz, file_id varchar,
    row_hash ubigint
);
create table if not exists protocol_response ( -- one row per (project, record, event, element asked)
    tenant varchar, record_id varchar, event_name varchar, element_id varchar,
    stage_code integer,          -- 0, 1, 2, 9 as answered; null when left blank
    stage varchar                -- not_started | in_progress | in_place | not_applicable | unknown
);
create table if not exists survey_checkbox (   -- one row per (project, record, event, field, choice)
    tenant varchar, record_id varchar, event_name varchar, field_name varchar, code varchar,
    resource_id varchar,         -- when the choice names a toolkit resource
    is_checked boolean
);

-- staff headcount (HR workbooks) --------------------------------------------------------------------
create table if not exists staff_headcount (   -- one row per (hospital, as-of date, department, job)
    hospital_ccn varchar, as_of_date date, department varchar, job_title varchar,
    role varchar,                -- via the role map (job title) or the role list (label or code)
    headcount bigint, fte double,
    export_at timestamptz, file_id varchar
);

-- accounting --------------------------------------------------------------------------------------
create table if not exists load_log (          -- one row per file per load run
    file_id varchar,             -- sha256 of the file's bytes
    path varchar, format varchar, system varchar, tenant varchar,
    rows_read bigint, rows_loaded bigint, rows_excluded bigint, rows_rejected bigint,
    rows_duplicate bigint,
    status varchar,              -- ok | partial | unchanged | failed
    message varchar, export_at timestamptz, min_event_at timestamptz, max_event_at timestamptz,
    loaded_at timestamptz, run_id varchar,
    load_context varchar         -- hash of how it was read: name, source, hospital, reference
);
create table if not exists load_exclusion (    -- one row per (file, reason)
    file_id varchar, run_id varchar, reason varchar, n_rows bigint
);
create table if not exists rejected_row (      -- one row per rejected source record
    file_id varchar, run_id varchar, path varchar, line bigint, column_name varchar,
    reason varchar, record_masked varchar
);
create table if not exists unmapped_value (    -- what the reference data does not map, per file
    file_id varchar, kind varchar, value varchar, n_rows bigint
);
