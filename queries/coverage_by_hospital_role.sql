-- Required-training coverage at the period's end: staff with every required module completed
-- within the refresher window, and staff reached (any module), against the latest headcount.
-- Grain: hospital_ccn x role. Parameters: $ccns, $role, $module, $month_to, $as_of.
-- runner: scope=hospital counts=n_covered,n_reached,headcount
--         pct.coverage_pct=n_covered/headcount pct.reached_pct=n_reached/headcount
with settings as (
    select coalesce(try_cast(max(value) filter (where key = 'refresher_months') as integer), 24)
               as refresher_months
    from setting
),
required as (  -- mart_required_module: the requirement matrix, unrecorded role included
    select role, module_id from mart_required_module
    where $module is null or module_id = $module
),
done as (  -- completions that still count at the period's end
    select lm.hospital_ccn, lm.role, lm.learner_id, lm.module_id
    from mart_learner_module lm, settings s
    where list_contains($ccns, lm.hospital_ccn)
      and ($role is null or lm.role = $role)
      and lm.first_completed_at is not null
      and lm.completed_month <= $month_to
      and (case when lm.last_completed_month <= $month_to then lm.last_completed_month
                else lm.completed_month end) > $month_to - to_months(s.refresher_months)
),
per_learner as (
    select d.hospital_ccn, d.role, d.learner_id,
           count(distinct d.module_id) filter (where rq.module_id is not null) as n_required_done,
           (select count(*) from required r2 where r2.role = d.role) as n_required
    from done d
    left join required rq on rq.role = d.role and rq.module_id = d.module_id
    group by all
),
trained as (
    select hospital_ccn, role,
           count(*) filter (where n_required > 0 and n_required_done = n_required) as n_covered,
           count(*) as n_reached
    from per_learner
    group by all
),
snapshot as (
    select hospital_ccn, max(as_of_date) as as_of_date from staff_headcount
    where as_of_date <= $as_of and list_contains($ccns, hospital_ccn)
    group by all
),
staff as (
    select s.hospital_ccn, coalesce(s.role, 'other') as role, sum(s.headcount)::bigint as headcount
    from staff_headcount s join snapshot using (hospital_ccn, as_of_date)
    where $role is null or coalesce(s.role, 'other') = $role
    group by all
)
select hospital_ccn, role, coalesce(t.n_covered, 0) as n_covered,
       coalesce(t.n_reached, 0) as n_reached, coalesce(st.headcount, 0) as headcount
from trained t
full join staff st using (hospital_ccn, role)
order by hospital_ccn, role
