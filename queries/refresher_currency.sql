-- Refresher currency at the period's end among staff who completed all their required modules:
-- current, current but lapsing within 3 months, and lapsed (a required module past the window).
-- Grain: hospital_ccn x role. Parameters: $ccns, $role, $module, $month_to.
-- runner: scope=hospital counts=n_ever_covered,n_current,n_lapsing,n_lapsed
--         pct.current_pct=n_current/n_ever_covered pct.lapsed_pct=n_lapsed/n_ever_covered
with settings as (
    select coalesce(try_cast(max(value) filter (where key = 'refresher_months') as integer), 24)
               as refresher_months
    from setting
),
ever as (  -- every required module completed by the period's end (mart_required_done)
    select hospital_ccn, role, count(*) as n_ever_covered
    from mart_required_done
    where $module is null
      and list_contains($ccns, hospital_ccn) and ($role is null or role = $role)
      and all_done_month <= $month_to
    group by all
    union all
    select hospital_ccn, role, count(distinct learner_id)
    from mart_coverage_interval
    where module_id = $module and is_required
      and list_contains($ccns, hospital_ccn) and ($role is null or role = $role)
      and from_month <= $month_to
    group by all
),
current as (  -- every required module within the window: when the oldest one started
    select hospital_ccn, role, oldest_required_from as oldest
    from mart_coverage_segment
    where $module is null and is_covered
      and list_contains($ccns, hospital_ccn) and ($role is null or role = $role)
      and from_month <= $month_to and $month_to < to_month
    union all
    select hospital_ccn, role, from_month
    from mart_coverage_interval
    where module_id = $module and is_required
      and list_contains($ccns, hospital_ccn) and ($role is null or role = $role)
      and from_month <= $month_to and $month_to < to_month
),
now_ as (
    select c.hospital_ccn, c.role, count(*) as n_current,
           count(*) filter (
               where c.oldest <= $month_to + to_months(3) - to_months(s.refresher_months)
           ) as n_lapsing
    from current c, settings s
    group by all
)
select e.hospital_ccn, e.role, e.n_ever_covered, coalesce(n.n_current, 0) as n_current,
       coalesce(n.n_lapsing, 0) as n_lapsing,
       e.n_ever_covered - coalesce(n.n_current, 0) as n_lapsed
from ever e
left join now_ n using (hospital_ccn, role)
order by e.hospital_ccn, e.role
