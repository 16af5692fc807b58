-- Matched learners invited to the follow-up (post-test older than the follow-up window): pre,
-- post and follow-up score (null: did not respond), filed under the month of the post-test.
-- Grain: hospital_ccn x module_id x pre_pct x post_pct x fu_pct. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners detail=pre_pct,post_pct,fu_pct stats=n_learners
select hospital_ccn, module_id, pre_pct, post_pct, fu_pct, sum(n_learners)::bigint as n_learners
from mart_knowledge
where policy = $policy and is_followup_eligible
  and pre_pct is not null and post_pct is not null
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
