-- Matched pre/post scores as a joint histogram (the sufficient statistics of every gain figure);
-- pairs filed under the month of the first finished post-test; $policy picks each phase's attempt.
-- Grain: hospital_ccn x module_id x pre_pct x post_pct. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners detail=pre_pct,post_pct stats=n_learners
select hospital_ccn, module_id, pre_pct, post_pct, sum(n_learners)::bigint as n_learners
from mart_knowledge
where policy = $policy
  and pre_pct is not null and post_pct is not null
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
