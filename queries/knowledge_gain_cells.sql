-- Matched pre/post pairs per module: the cells of knowledge_gains without their histograms,
-- for figures that need only the number of learners and the mean change (the Overview's).
-- Grain: hospital_ccn x module_id. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners stats=n_learners sums=sum_change_pp
--   mean.mean_change_pp=sum_change_pp/n_learners
select hospital_ccn, module_id,
       sum(n_learners)::bigint as n_learners,
       sum(n_learners * (post_pct - pre_pct)) as sum_change_pp
from mart_knowledge
where policy = $policy
  and pre_pct is not null and post_pct is not null
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
