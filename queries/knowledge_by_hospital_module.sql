-- Matched pre/post knowledge scores (first finished attempt of each phase) per hospital and module,
-- as sufficient statistics from mart_knowledge_pair; pairs whose post-test falls in the period.
-- Grain: hospital_ccn x module_id. Parameters: $ccns, $role, $module, $month_from, $month_to.
-- runner: scope=hospital counts=n_pairs sums=sum_pre_pct,sum_post_pct,sum_change_pp,sumsq_change_pp
--         mean.mean_pre_pct=sum_pre_pct/n_pairs mean.mean_post_pct=sum_post_pct/n_pairs
--         mean.mean_change_pp=sum_change_pp/n_pairs
select hospital_ccn, module_id, sum(n_pairs)::bigint as n_pairs,
       sum(sum_pre_pct) as sum_pre_pct, sum(sum_post_pct) as sum_post_pct,
       sum(sum_change_pp) as sum_change_pp, sum(sumsq_change_pp) as sumsq_change_pp
from mart_knowledge_pair
where list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by hospital_ccn, module_id
