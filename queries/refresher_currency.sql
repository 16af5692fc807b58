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
required as (  -- mart_required_module: the requirement matrix, unrecorded role included
    select role, module_id from mart_required_module
    where $module is null or module_id = $module
),
latest as (  -- each required module's latest completion on or before the period's end
    select lm.hospital_ccn, lm.role, lm.learner_id, lm.module_id,
           case when lm.last_completed_month <= $month_to then lm.last_completed_month
                else lm.completed_month end as done_month
    from mart_learner_module lm
    join required rq on rq.role = lm.role and rq.module_id = lm.module_id
    where list_contains($ccns, lm.hospital_ccn)
      and ($role is null or lm.role = $role)
      and lm.first_completed_at is not null
      and lm.completed_month <= $month_to
),
per_learner as (
    select l.hospital_ccn, l.role, l.learner_id, count(*) as n_done, min(l.done_month) as oldest,
           (select count(*) from required r2 where r2.role = l.role) as n_required
    from latest l
    group by all
),
status as (
    select p.*, p.oldest > $month_to - to_months(s.refresher_months) as is_current,
           p.oldest <= $month_to + to_months(3) - to_months(s.refresher_months) as lapses_soon
    from per_learner p, settings s
    where p.n_done = p.n_required
)
select hospital_ccn, role, count(*) as n_ever_covered,
       count(*) filter (where is_current) as n_current,
       count(*) filter (where is_current and lapses_soon) as n_lapsing,
       count(*) filter (where not is_current) as n_lapsed
from status
group by all
order by hospital_ccn, role
