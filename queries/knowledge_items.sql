-- Per item of matched pairs: correct on the pre-test x correct on the post-test (facilities and
-- McNemar's discordant pairs); pairs filed under the month of the first finished post-test.
-- Grain: hospital_ccn x module_id x item_id x is_correct_pre x is_correct_post. Parameters: $ccns, $role, $module, $month_from, $month_to, $policy.
-- runner: scope=hospital counts=n_learners detail=is_correct_pre,is_correct_post stats=n_learners
select hospital_ccn, module_id, item_id, is_correct_pre, is_correct_post,
       sum(n_learners)::bigint as n_learners
from mart_item_change
where policy = $policy
  and list_contains($ccns, hospital_ccn)
  and post_month between $month_from and $month_to
  and ($role is null or role = $role)
  and ($module is null or module_id = $module)
group by all
order by all
