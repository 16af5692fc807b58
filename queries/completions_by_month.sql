-- Completions per month (first completion of each learner and module), for trends.
-- Grain: hospital_ccn x month. Parameters: $ccns, $role, $module, $month_from, $month_to.
-- runner: scope=hospital counts=n_completed,n_started
select hospital_ccn, month, sum(n_completed)::bigint as n_completed,
       sum(n_started)::bigint as n_started
from mart_completion_month
where list_contains($ccns, hospital_ccn)
  and month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by hospital_ccn, month
