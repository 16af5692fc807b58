-- Matched learners (the cells of knowledge_gains) by follow-up eligibility (post-test older than the
-- follow-up window): pre, post and follow-up score (null: did not respond), by post-test month.
-- Grain: hospital_ccn x module_id x eligibility x pre_pct x post_pct x fu_pct. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners,n_eligible,n_not_eligible,n_responded detail=is_followup_eligible,pre_pct,post_pct,fu_pct stats=n_learners
select hospital_ccn, module_id, is_followup_eligible, pre_pct, post_pct, fu_pct,
       sum(n_learners)::bigint as n_learners,
       coalesce(sum(n_learners) filter (where is_followup_eligible), 0)::bigint as n_eligible,
       coalesce(sum(n_learners) filter (where not is_followup_eligible), 0)::bigint
           as n_not_eligible,
       coalesce(sum(n_learners) filter (where is_followup_eligible and fu_pct is not null), 0)
           ::bigint as n_responded
from mart_knowledge
where policy = $policy
  and pre_pct is not null and post_pct is not null
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
