-- Module use per hospital: learner-modules started and completed, staff at the period's end, time
-- and days to complete where known, contact hours (the export's, else the catalog's per completion).
-- Grain: hospital_ccn x module_id. Parameters: $ccns, $role, $module, $month_from, $month_to, $as_of.
-- runner: scope=hospital counts=n_started,n_completed_of_started,n_completed,headcount
--         sums=n_timed,sum_time_spent_min,n_dated,sum_days_to_complete
--         measures=sum_contact_hours
--         pct.completion_rate_pct=n_completed_of_started/n_started
--         pct.completions_per_100_staff=n_completed/headcount
--         mean.mean_time_spent_min=sum_time_spent_min/n_timed follow.sum_contact_hours=n_completed
--         mean.mean_days_to_complete=sum_days_to_complete/n_dated
with use as (
    select hospital_ccn, module_id,
           coalesce(sum(n_learners) filter (where started_month between $month_from and $month_to),
                    0)::bigint as n_started,
           coalesce(sum(n_learners) filter (where started_month between $month_from and $month_to
                                            and is_completed), 0)::bigint as n_completed_of_started,
           coalesce(sum(n_learners)
                    filter (where completed_month between $month_from and $month_to), 0)::bigint
               as n_completed,
           coalesce(sum(n_timed) filter (where completed_month between $month_from and $month_to),
                    0)::bigint as n_timed,
           coalesce(sum(sum_time_spent_s)
                    filter (where completed_month between $month_from and $month_to), 0)::double
               / 60.0 as sum_time_spent_min,
           coalesce(sum(n_dated) filter (where completed_month between $month_from and $month_to),
                    0)::bigint as n_dated,
           coalesce(sum(sum_days_to_complete)
                    filter (where completed_month between $month_from and $month_to), 0)
               as sum_days_to_complete,
           coalesce(sum(sum_contact_hours)
                    filter (where completed_month between $month_from and $month_to), 0)
               as sum_contact_hours
    from mart_module_use
    where list_contains($ccns, hospital_ccn)
      and ($role is null or role = $role)
      and ($module is null or module_id = $module)
    group by all
),
snapshot as (  -- each hospital's latest headcount on or before the period's end
    select hospital_ccn, max(as_of_date) as as_of_date from staff_headcount
    where as_of_date <= $as_of and list_contains($ccns, hospital_ccn)
    group by all
),
staff as (
    select s.hospital_ccn, sum(s.headcount)::bigint as headcount
    from staff_headcount s join snapshot using (hospital_ccn, as_of_date)
    where $role is null or coalesce(s.role, 'other') = $role
    group by all
)
select u.hospital_ccn, u.module_id, u.n_started, u.n_completed_of_started, u.n_completed,
       coalesce(st.headcount, 0) as headcount, u.n_timed, u.sum_time_spent_min,
       u.n_dated, u.sum_days_to_complete,
       u.sum_contact_hours
from use u
left join staff st using (hospital_ccn)
order by u.hospital_ccn, u.module_id
