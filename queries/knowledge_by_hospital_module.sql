-- Matched pre/post knowledge scores (first finished attempt of each phase) per hospital and module,
-- as sufficient statistics; pairs whose post-test falls in the period.
-- Grain: hospital_ccn x module_id. Parameters: $ccns, $role, $module, $month_from, $month_to.
-- runner: scope=hospital counts=n_pairs sums=sum_pre_pct,sum_post_pct,sum_change_pp,sumsq_change_pp
--         mean.mean_pre_pct=sum_pre_pct/n_pairs mean.mean_post_pct=sum_post_pct/n_pairs
--         mean.mean_change_pp=sum_change_pp/n_pairs
with pre as (
    select learner_id, module_id, first_score_pct as pre_pct from mart_quiz_learner
    where phase = 'pre'
),
post as (
    select learner_id, module_id, hospital_ccn, role, first_month, first_score_pct as post_pct
    from mart_quiz_learner
    where phase = 'post'
)
select post.hospital_ccn, post.module_id, count(*) as n_pairs,
       sum(pre.pre_pct) as sum_pre_pct, sum(post.post_pct) as sum_post_pct,
       sum(post.post_pct - pre.pre_pct) as sum_change_pp,
       sum((post.post_pct - pre.pre_pct) ^ 2) as sumsq_change_pp
from post
join pre using (learner_id, module_id)
where list_contains($ccns, post.hospital_ccn)
  and post.first_month between $month_from and $month_to
  and ($role is null or post.role = $role)
  and ($module is null or post.module_id = $module)
group by all
order by post.hospital_ccn, post.module_id
