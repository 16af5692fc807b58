-- Learners with a finished pre-test at least two months before the latest one (time to finish),
-- by whether they went on to a post-test; filed under the post-test month, else the pre-test's.
-- Grain: hospital_ccn x module_id x has_post x pre_pct. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners,n_with_post detail=has_post,pre_pct stats=n_learners
select hospital_ccn, module_id, post_pct is not null as has_post, pre_pct,
       sum(n_learners)::bigint as n_learners,
       coalesce(sum(n_learners) filter (where post_pct is not null), 0)::bigint as n_with_post
from mart_knowledge
where policy = $policy and pre_pct is not null
  and pre_month <= (select max(pre_month) from mart_knowledge) - interval 2 month
  and list_contains($ccns, hospital_ccn)
  and coalesce(post_month, pre_month) between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
