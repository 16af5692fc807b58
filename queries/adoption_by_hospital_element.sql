-- Each hospital's stage for each protocol element in each survey wave (unknown when unanswered;
-- ED-only elements do not apply without an ED). Grain: hospital_ccn x wave x element_id x stage.
-- Parameters: $ccns.
-- runner: scope=hospital measures=n_hospitals_at_stage
select hospital_ccn, wave, element_id, stage, 1 as n_hospitals_at_stage
from mart_adoption  -- ED-only elements already not applicable to hospitals without an ED
where list_contains($ccns, hospital_ccn)
order by hospital_ccn, wave, element_id
