-- Required-training coverage at the period's end by department: staff with every module their
-- role requires completed within the refresher window, and staff reached, against headcount.
-- Grain: hospital_ccn x department. Parameters: $ccns, $role, $module, $month_to, $as_of.
-- runner: scope=hospital counts=n_covered,n_reached,headcount
--         pct.coverage_pct=n_covered/headcount pct.reached_pct=n_reached/headcount
with at_month as (  -- learners whose completions count at the period's end
    select hospital_ccn, department, count(*) filter (where is_covered) as n_covered_all,
           count(*) as n_reached
    from mart_coverage_segment
    where list_contains($ccns, hospital_ccn)
      and ($role is null or role = $role)
      and from_month <= $month_to and $month_to < to_month
    group by all
),
one_module as (  -- under a module filter: the learners whose role requires it and it counts
    select hospital_ccn, department, count(*) as n_covered
    from mart_coverage_interval
    where module_id = $module and is_required
      and list_contains($ccns, hospital_ccn)
      and ($role is null or role = $role)
      and from_month <= $month_to and $month_to < to_month
    group by all
),
trained as (
    select a.hospital_ccn, a.department,
           case when $module is null then a.n_covered_all else coalesce(m.n_covered, 0) end
               as n_covered,
           a.n_reached
    from at_month a
    left join one_module m using (hospital_ccn, department)
),
snapshot as (
    select hospital_ccn, max(as_of_date) as as_of_date from staff_headcount
    where as_of_date <= $as_of and list_contains($ccns, hospital_ccn)
    group by all
),
staff as (
    select s.hospital_ccn, coalesce(s.department, 'unrecorded') as department,
           sum(s.headcount)::bigint as headcount
    from staff_headcount s join snapshot using (hospital_ccn, as_of_date)
    where $role is null or coalesce(s.role, 'other') = $role
    group by all
)
select hospital_ccn, department, coalesce(t.n_covered, 0) as n_covered,
       coalesce(t.n_reached, 0) as n_reached, coalesce(st.headcount, 0) as headcount
from trained t
full join staff st using (hospital_ccn, department)
order by hospital_ccn, department
