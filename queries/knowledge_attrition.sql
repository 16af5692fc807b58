-- Learners with a finished pre-test at least two months before the latest one (time to finish), by
-- whether they went on to a post-test (filed under its month, else the pre-test's): pre-test sums.
-- Grain: hospital_ccn x module_id x has_post. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners,n_with_post detail=has_post stats=n_learners
--   sums=sum_pre_pct,sumsq_pre_pct min=min_pre_pct max=max_pre_pct
select hospital_ccn, module_id, post_pct is not null as has_post,
       sum(n_learners)::bigint as n_learners,
       coalesce(sum(n_learners) filter (where post_pct is not null), 0)::bigint as n_with_post,
       sum(n_learners * pre_pct) as sum_pre_pct,
       sum(n_learners * pre_pct * pre_pct) as sumsq_pre_pct,
       min(pre_pct) as min_pre_pct, max(pre_pct) as max_pre_pct
from mart_knowledge
where policy = $policy and pre_pct is not null and n_learners > 0
  and pre_month <= (select max(pre_month) from mart_knowledge) - interval 2 month
  and list_contains($ccns, hospital_ccn)
  and coalesce(post_month, pre_month) between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
