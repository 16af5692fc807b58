-- Marts: what the app reads repeatedly, rebuilt from the base tables at the end of every load, in
-- the build file, before the checks and the swap. Months are bucketed in the collaborative's time
-- zone (setting 'timezone', default America/Chicago). Learners carry their current attribution.

-- one row per member hospital: the dimension every scoped query joins through
create or replace table mart_hospital as
select m.ccn as hospital_ccn, coalesce(h.name, m.ccn) as hospital_name, m.state, m.region,
       m.health_system, coalesce(h.hospital_type, 'Unknown') as hospital_type,
       coalesce(h.has_emergency_services, false) as has_emergency_services, m.member_since, h.county
from membership m
left join hospital h on h.ccn = m.ccn;

-- one row per (learner, module) ever started or completed; the first completion counts
create or replace table mart_learner_module as
with tz as (
    select coalesce(max(value) filter (where key = 'timezone'), 'America/Chicago') as tz
    from setting
),
per_pair as (
    select c.learner_id, c.module_id,
           min(c.first_access_at) as first_access_at,
           min(c.completed_at) filter (where c.is_completed) as first_completed_at,
           max(c.completed_at) filter (where c.is_completed) as last_completed_at,
           -- an in-progress record may carry no date at all: then the export it first appeared in
           coalesce(min(c.event_at), min(c.export_at)) as first_event_at,
           bool_or(c.is_completed) as is_completed,
           arg_min(c.time_spent_s, c.completed_at) filter (where c.is_completed) as time_spent_s,
           max(c.contact_hours) filter (where c.is_completed) as contact_hours
    from completion c
    where c.module_id is not null and (c.is_started or c.is_completed)
    group by c.learner_id, c.module_id
)
select p.learner_id, p.module_id, l.hospital_ccn, coalesce(l.role, 'unrecorded') as role,
       l.department, p.is_completed, p.first_completed_at, p.last_completed_at, p.time_spent_s,
       p.contact_hours,
       date_diff('day', p.first_access_at, p.first_completed_at) as days_to_complete,
       date_trunc('month', timezone(tz.tz, coalesce(p.first_access_at, p.first_completed_at,
                                                     p.first_event_at)))::date as started_month,
       date_trunc('month', timezone(tz.tz, p.first_completed_at))::date as completed_month,
       date_trunc('month', timezone(tz.tz, p.last_completed_at))::date as last_completed_month
from per_pair p
join learner l using (learner_id)
cross join tz
-- stored in the order queries filter by, so a role's rows sit in few row groups and DuckDB's
-- min/max statistics skip the rest (a role filter, and the runner's one statement per role)
order by role, hospital_ccn, module_id;

-- Learner-modules counted per (hospital, role, module, month started, month completed): module
-- use over any months sums this instead of every learner's row (a fifth of the rows at state size).
-- Contact hours are the export's, else the catalog's per completion.
create or replace table mart_module_use as
select lm.hospital_ccn, lm.role, lm.module_id, lm.started_month, lm.completed_month,
       lm.is_completed, count(*) as n_learners, count(lm.time_spent_s) as n_timed,
       coalesce(sum(lm.time_spent_s), 0)::bigint as sum_time_spent_s,
       count(lm.days_to_complete) as n_dated,
       coalesce(sum(lm.days_to_complete), 0)::bigint as sum_days_to_complete,
       coalesce(sum(coalesce(lm.contact_hours, m.contact_hours)), 0) as sum_contact_hours
from mart_learner_module lm
left join module m using (module_id)
group by all
order by lm.role, lm.hospital_ccn, lm.module_id;

-- one row per (hospital, role, module, month): additive counts for utilization over any months
create or replace table mart_completion_month as
with started as (
    select hospital_ccn, role, module_id, started_month as month, count(*) as n_started
    from mart_learner_module group by all
),
completed as (
    select hospital_ccn, role, module_id, completed_month as month, count(*) as n_completed,
           count(time_spent_s) as n_timed, sum(time_spent_s)::bigint as sum_time_spent_s,
           count(days_to_complete) as n_days_known,
           sum(days_to_complete)::bigint as sum_days_to_complete,
           sum(contact_hours) as sum_contact_hours
    from mart_learner_module where is_completed group by all
)
select hospital_ccn, role, module_id, month,
       coalesce(n_started, 0)::bigint as n_started, coalesce(n_completed, 0)::bigint as n_completed,
       coalesce(n_timed, 0)::bigint as n_timed, coalesce(sum_time_spent_s, 0)::bigint as sum_time_spent_s,
       coalesce(n_days_known, 0)::bigint as n_days_known,
       coalesce(sum_days_to_complete, 0)::bigint as sum_days_to_complete,
       coalesce(sum_contact_hours, 0) as sum_contact_hours
from started full join completed using (hospital_ccn, role, module_id, month);

-- one row per (learner, module, phase) with a finished attempt: first, best and last score
create or replace table mart_quiz_learner as
with tz as (
    select coalesce(max(value) filter (where key = 'timezone'), 'America/Chicago') as tz
    from setting
)
select q.learner_id, q.module_id, q.phase, l.hospital_ccn, coalesce(l.role, 'unrecorded') as role,
       min(q.finished_at) as first_finished_at,
       date_trunc('month', timezone(any_value(tz.tz), min(q.finished_at)))::date as first_month,
       arg_min(q.score_pct, q.finished_at) as first_score_pct,
       max(q.score_pct) as best_score_pct,
       arg_max(q.score_pct, q.finished_at) as last_score_pct,
       count(*) as n_attempts
from quiz_attempt q
join learner l using (learner_id)
cross join tz
where q.state = 'finished' and q.module_id is not null and q.score_pct is not null
group by q.learner_id, q.module_id, q.phase, l.hospital_ccn, l.role;

-- one row per (hospital, resource, month, client): counted downloads
create or replace table mart_download as
with tz as (
    select coalesce(max(value) filter (where key = 'timezone'), 'America/Chicago') as tz
    from setting
)
select d.hospital_ccn, d.resource_id,
       date_trunc('month', timezone(tz.tz, d.requested_at))::date as month, d.client_id,
       count(*)::bigint as n_downloads
from download_event d
cross join tz
where d.is_counted
group by all;

-- The Data page's lists of learners and downloads no hospital could be found for: a few rows,
-- read from the largest base tables, so kept here instead of scanned on every visit.
create or replace table mart_unattributed_learner as
select coalesce(c.system, '') as system, coalesce(c.tenant, '') as tenant,
       coalesce(l.email_domain, '(no e-mail)') as email_domain,
       count(distinct l.learner_id) as n_learners,
       count(*) filter (where c.is_completed) as n_completions
from learner l
left join completion c using (learner_id)
where l.hospital_ccn is null
group by all;

create or replace table mart_unattributed_download as
select source, coalesce(tenant, '') as tenant, coalesce(email_domain, '(anonymous)') as email_domain,
       count(*) as n_downloads, count(distinct client_id) as n_clients
from download_event
where is_counted and hospital_ccn is null
group by all;

-- one row per (hospital, wave, element) from the hospital's current answer in that wave
-- an ED-only element does not apply to a hospital without an ED, whatever was answered
create or replace table mart_adoption as
select r.hospital_ccn, r.wave, p.element_id,
       case when e.applies_to = 'emergency_services' and not h.has_emergency_services
            then 'not_applicable' else p.stage end as stage,
       r.submitted_at
from survey_response r
join protocol_response p using (tenant, record_id, event_name)
join mart_hospital h using (hospital_ccn)
left join protocol_element e using (element_id)
where r.is_current and r.hospital_ccn is not null;

-- Required training: the role x module matrix (without one, every module for every role); staff
-- whose export names no job title (role 'unrecorded') owe the modules every role owes.
create or replace table mart_required_module as
with matrix as (
    select r.role, m.module_id
    from role r cross join module m
    left join requirement q on q.role = r.role and q.module_id = m.module_id
    where coalesce(q.is_required, not exists (select 1 from requirement))
)
select role, module_id from matrix
union all
select 'unrecorded', module_id from matrix
group by module_id having count(*) = (select count(*) from role);

-- Training coverage at any month's end (DESIGN.md section 5) without a pass over every learner
-- at query time. A completion counts from its month for the refresher window and a later one
-- restarts it; only the first and last completion are known, so each (learner, module) counts
-- over at most two spans of months: [first, min(last, first + window)) and [last, last + window).
create or replace table mart_coverage_interval as
with settings as (
    select coalesce(try_cast(max(value) filter (where key = 'refresher_months') as integer), 24)
               as refresher_months
    from setting
),
done as (
    select lm.*, coalesce(lm.department, 'unrecorded') as dept,
           to_months(s.refresher_months) as window_months
    from mart_learner_module lm, settings s
    where lm.first_completed_at is not null
),
spans as (
    select hospital_ccn, role, dept, learner_id, module_id, completed_month as from_month,
           least(last_completed_month, completed_month + window_months)::date as to_month
    from done
    union all
    select hospital_ccn, role, dept, learner_id, module_id, last_completed_month,
           (last_completed_month + window_months)::date
    from done
)
select s.hospital_ccn, s.role, s.dept as department, s.learner_id, s.module_id, s.from_month,
       s.to_month, rq.module_id is not null as is_required
from spans s
left join mart_required_module rq on rq.role = s.role and rq.module_id = s.module_id
where s.from_month < s.to_month
order by s.module_id, s.role, s.hospital_ccn;  -- a module filter's rows sit together

-- Each learner's months as spans of constant state while any completion counts: covered when
-- every module their role requires counts, and then the start of the oldest required module's
-- current span (the completion that lapses first). One row per (learner, span); a learner is in
-- at most one span at any month's end, so counting rows counts learners.
create or replace temp table coverage_span as
with events as (
    select learner_id, hospital_ccn, role, department, from_month as month, 1 as d_any,
           is_required::integer as d_required
    from mart_coverage_interval
    union all
    select learner_id, hospital_ccn, role, department, to_month, -1, -is_required::integer
    from mart_coverage_interval
),
per_month as (
    select learner_id, hospital_ccn, role, department, month, sum(d_any) as d_any,
           sum(d_required) as d_required
    from events
    group by all
),
running as (
    select *, sum(d_any) over w as n_counting, sum(d_required) over w as n_required_done,
           lead(month) over w as to_month
    from per_month
    window w as (partition by learner_id order by month)
),
owed as (select role, count(*) as n_required from mart_required_module group by role)
select r.learner_id, r.hospital_ccn, r.role, r.department, r.month as from_month, r.to_month,
       coalesce(o.n_required > 0 and r.n_required_done = o.n_required, false) as is_covered
from running r
left join owed o using (role)
where r.n_counting > 0;

create or replace table mart_coverage_segment as
with oldest as (  -- covered spans only: the required spans they lie in, by learner
    select s.learner_id, s.from_month, min(i.from_month) as oldest_required_from
    from (select learner_id, from_month from coverage_span where is_covered) s
    join (
        select learner_id, from_month, to_month from mart_coverage_interval where is_required
    ) i on i.learner_id = s.learner_id
       and i.from_month <= s.from_month and s.from_month < i.to_month
    group by s.learner_id, s.from_month
)
select s.hospital_ccn, s.role, s.department, s.from_month, s.to_month, s.is_covered,
       o.oldest_required_from  -- null unless covered
from coverage_span s
left join oldest o using (learner_id, from_month)
order by s.role, s.hospital_ccn, s.from_month;

drop table coverage_span;

-- The month each learner had completed every module their role requires at least once (ever
-- covered, the refresher figures' base), one row per such learner.
create or replace table mart_required_done as
with first_done as (  -- a (learner, module)'s first completion opens its earliest span
    select learner_id, hospital_ccn, role, module_id, min(from_month) as done_month
    from mart_coverage_interval
    where is_required
    group by all
)
select f.hospital_ccn, f.role, max(f.done_month) as all_done_month
from first_done f
join (select role, count(*) as n_required from mart_required_module group by role) o
    using (role)
group by f.learner_id, f.hospital_ccn, f.role, o.n_required
having count(*) = o.n_required
order by f.role, f.hospital_ccn;

-- Knowledge (DESIGN.md section 5). One row per (learner, module, phase, policy): the finished
-- attempt each policy picks. first = earliest; best = highest score, earliest among equals;
-- last = latest. Ties in time fall to the attempt id, so every build picks the same one.
create or replace temp table quiz_pick as
with fin as (
    select attempt_id, learner_id, module_id, phase, finished_at, score_pct
    from quiz_attempt
    where state = 'finished' and module_id is not null and score_pct is not null
),
ranked as (
    select *,
           row_number() over (partition by learner_id, module_id, phase
                              order by finished_at, attempt_id) as r_first,
           row_number() over (partition by learner_id, module_id, phase
                              order by score_pct desc, finished_at, attempt_id) as r_best,
           row_number() over (partition by learner_id, module_id, phase
                              order by finished_at desc, attempt_id desc) as r_last
    from fin
)
select 'first' as policy, * exclude (r_first, r_best, r_last) from ranked where r_first = 1
union all
select 'best', * exclude (r_first, r_best, r_last) from ranked where r_best = 1
union all
select 'last', * exclude (r_first, r_best, r_last) from ranked where r_last = 1;

-- one row per (learner, module) with a finished pre- or post-test: when each phase was first
-- finished (the months a pair is filed under, whatever the policy) and follow-up eligibility
create or replace temp table quiz_learner_months as
with tz as (
    select coalesce(max(value) filter (where key = 'timezone'), 'America/Chicago') as tz,
           coalesce(try_cast(max(value) filter (where key = 'followup_window_months') as integer),
                    6) as window_months
    from setting
),
extent as (select max(finished_at) as last_at from quiz_pick)
select p.learner_id, p.module_id,
       date_trunc('month', timezone(any_value(tz.tz),
                                    min(p.finished_at) filter (where p.phase = 'pre')))::date
           as pre_month,
       date_trunc('month', timezone(any_value(tz.tz),
                                    min(p.finished_at) filter (where p.phase = 'post')))::date
           as post_month,
       -- invited: the post-test is older than the follow-up window, counted back from the
       -- latest finished attempt in the warehouse (the data's own "now")
       min(p.finished_at) filter (where p.phase = 'post')
           <= any_value(extent.last_at) - to_months(any_value(tz.window_months))
           as is_followup_eligible
from quiz_pick p
cross join tz
cross join extent
where p.policy = 'first' and p.phase in ('pre', 'post')
group by p.learner_id, p.module_id;

-- Joint histogram of scores: one row per (policy, hospital, role, module, months, pre, post,
-- follow-up, eligibility) with its number of learners. The sufficient statistics of every
-- knowledge figure (gain, signed ranks, retention, attrition); pre or post is null when missing.
create or replace table mart_knowledge as
select pol.policy, l.hospital_ccn, coalesce(l.role, 'unrecorded') as role, m.module_id,
       m.pre_month, m.post_month, pre.score_pct as pre_pct, post.score_pct as post_pct,
       fu.score_pct as fu_pct, coalesce(m.is_followup_eligible, false) as is_followup_eligible,
       count(*)::bigint as n_learners
from quiz_learner_months m
cross join (values ('first'), ('best'), ('last')) pol(policy)
join learner l on l.learner_id = m.learner_id
left join quiz_pick pre
    on pre.learner_id = m.learner_id and pre.module_id = m.module_id and pre.phase = 'pre'
   and pre.policy = pol.policy
left join quiz_pick post
    on post.learner_id = m.learner_id and post.module_id = m.module_id and post.phase = 'post'
   and post.policy = pol.policy
left join quiz_pick fu
    on fu.learner_id = m.learner_id and fu.module_id = m.module_id and fu.phase = 'followup'
   and fu.policy = 'first'
group by all
order by policy, role, hospital_ccn, module_id, post_month;  -- filter order (as above)

-- Matched pairs under the first-attempt policy as additive sums per (hospital, role, module,
-- post-test month): n, sum pre, sum post, sum d, sum d^2 (DESIGN.md section 8), so a view over
-- any months sums a small table instead of joining pre- and post-tests learner by learner.
create or replace table mart_knowledge_pair as
select hospital_ccn, role, module_id, post_month, sum(n_learners)::bigint as n_pairs,
       sum(pre_pct * n_learners) as sum_pre_pct, sum(post_pct * n_learners) as sum_post_pct,
       sum((post_pct - pre_pct) * n_learners) as sum_change_pp,
       sum((post_pct - pre_pct) ^ 2 * n_learners) as sumsq_change_pp
from mart_knowledge
where policy = 'first' and pre_pct is not null and post_pct is not null
group by all
order by role, hospital_ccn, module_id, post_month;

-- Per item of matched pairs: one row per (policy, hospital, role, module, post month, item,
-- correct before, correct after) with its number of learners: facilities and McNemar's
-- discordant pairs. An unanswered item is not correct.
create or replace table mart_item_change as
select pre.policy, l.hospital_ccn, coalesce(l.role, 'unrecorded') as role, m.module_id,
       m.post_month, a.item_id, a.is_correct as is_correct_pre, b.is_correct as is_correct_post,
       count(*)::bigint as n_learners
from quiz_learner_months m
join learner l on l.learner_id = m.learner_id
join quiz_pick pre
    on pre.learner_id = m.learner_id and pre.module_id = m.module_id and pre.phase = 'pre'
join quiz_pick post
    on post.learner_id = m.learner_id and post.module_id = m.module_id
   and post.phase = 'post' and post.policy = pre.policy
join quiz_item_response a on a.attempt_id = pre.attempt_id and a.item_id is not null
join quiz_item_response b on b.attempt_id = post.attempt_id and b.item_id = a.item_id
group by all
order by policy, role, hospital_ccn, module_id, post_month;  -- filter order (as above)

-- Moodle item analysis on first attempts: one row per (hospital, module, phase, item, item
-- points, rest-of-test points) with its number of attempts. Unanswered items score 0.
create or replace table mart_item_quality as
with att as (
    select p.attempt_id, p.module_id, p.phase, l.hospital_ccn
    from quiz_pick p
    join learner l using (learner_id)
    where p.policy = 'first'
),
resp as (
    select r.attempt_id, r.item_id, r.max_points, coalesce(r.points, 0) as item_points,
           sum(coalesce(r.points, 0)) over (partition by r.attempt_id) as total_points
    from quiz_item_response r
    where r.item_id is not null and r.attempt_id in (select attempt_id from att)
)
select a.hospital_ccn, a.module_id, a.phase, r.item_id, r.max_points, r.item_points,
       r.total_points - r.item_points as rest_points, count(*)::bigint as n_attempts
from att a
join resp r using (attempt_id)
group by all;

drop table quiz_learner_months;
drop table quiz_pick;
