-- Protocol adoption per hospital and survey wave: elements by stage, and the adoption index
-- (in place / applicable elements answered; unknown stays unknown; an ED-only element does not
-- apply to a hospital without an ED, whatever was answered). Grain: hospital_ccn x wave; $ccns.
-- runner: scope=hospital measures=n_in_place,n_in_progress,n_not_started,n_not_applicable,n_unknown,n_applicable_answered
--         pct.adoption_index_pct=n_in_place/n_applicable_answered
select hospital_ccn, wave,
       count(*) filter (where stage = 'in_place') as n_in_place,
       count(*) filter (where stage = 'in_progress') as n_in_progress,
       count(*) filter (where stage = 'not_started') as n_not_started,
       count(*) filter (where stage = 'not_applicable') as n_not_applicable,
       count(*) filter (where stage = 'unknown') as n_unknown,
       count(*) filter (where stage in ('in_place', 'in_progress', 'not_started'))
           as n_applicable_answered
from mart_adoption  -- stages with ED-only elements already not applicable without an ED
where list_contains($ccns, hospital_ccn)
group by all
order by hospital_ccn, wave
