-- Moodle item analysis input: each learner's first finished attempt of each quiz, as item points
-- x rest-of-test points per item. All roles and months (a property of the quiz, not of a period).
-- Grain: hospital_ccn x module_id x phase x item_id x item_points x rest_points. Parameters: $ccns, $module.
-- runner: scope=hospital counts=n_attempts detail=max_points,item_points,rest_points stats=n_attempts
select hospital_ccn, module_id, phase, item_id, max_points, item_points, rest_points,
       sum(n_attempts)::bigint as n_attempts
from mart_item_quality
where list_contains($ccns, hospital_ccn)
  and ($module is null or module_id = $module)
group by all
order by all
