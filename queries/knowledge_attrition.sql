-- Learners with a finished pre-test: their pre-test score and whether they went on to a finished
-- post-test, filed under the month of the pre-test.
-- Grain: hospital_ccn x module_id x pre_pct x has_post. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners detail=pre_pct,has_post stats=n_learners
select hospital_ccn, module_id, pre_pct, post_pct is not null as has_post,
       sum(n_learners)::bigint as n_learners
from mart_knowledge
where policy = $policy and pre_pct is not null
  and list_contains($ccns, hospital_ccn)
  and pre_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
