-- Matched learners (the cells of knowledge_gains) by follow-up eligibility (post-test older than the
-- follow-up window) and response: counts, and the sums, squares and extremes the statistics need.
-- Grain: hospital_ccn x module_id x is_followup_eligible x is_responded. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners,n_eligible,n_not_eligible,n_responded
--   detail=is_followup_eligible,is_responded stats=n_learners
--   sums=sum_pre_pct,sum_post_pct,sumsq_post_pct,sum_fu_pct,sum_fu_vs_pre_pp,sumsq_fu_vs_pre_pp,sum_fu_vs_post_pp,sumsq_fu_vs_post_pp
--   min=min_post_pct,min_fu_vs_pre_pp,min_fu_vs_post_pp max=max_post_pct,max_fu_vs_pre_pp,max_fu_vs_post_pp
select hospital_ccn, module_id, is_followup_eligible, fu_pct is not null as is_responded,
       sum(n_learners)::bigint as n_learners,
       coalesce(sum(n_learners) filter (where is_followup_eligible), 0)::bigint as n_eligible,
       coalesce(sum(n_learners) filter (where not is_followup_eligible), 0)::bigint
           as n_not_eligible,
       coalesce(sum(n_learners) filter (where is_followup_eligible and fu_pct is not null), 0)
           ::bigint as n_responded,
       sum(n_learners * pre_pct) as sum_pre_pct,
       sum(n_learners * post_pct) as sum_post_pct,
       sum(n_learners * post_pct * post_pct) as sumsq_post_pct,
       sum(n_learners * fu_pct) as sum_fu_pct,
       sum(n_learners * (fu_pct - pre_pct)) as sum_fu_vs_pre_pp,
       sum(n_learners * (fu_pct - pre_pct) * (fu_pct - pre_pct)) as sumsq_fu_vs_pre_pp,
       sum(n_learners * (fu_pct - post_pct)) as sum_fu_vs_post_pp,
       sum(n_learners * (fu_pct - post_pct) * (fu_pct - post_pct)) as sumsq_fu_vs_post_pp,
       min(post_pct) as min_post_pct, max(post_pct) as max_post_pct,
       min(fu_pct - pre_pct) as min_fu_vs_pre_pp, max(fu_pct - pre_pct) as max_fu_vs_pre_pp,
       min(fu_pct - post_pct) as min_fu_vs_post_pp, max(fu_pct - post_pct) as max_fu_vs_post_pp
from mart_knowledge
where policy = $policy
  and pre_pct is not null and post_pct is not null and n_learners > 0
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
