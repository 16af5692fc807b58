-- Each hospital's stage for each protocol element in each survey wave (unknown when unanswered;
-- ED-only elements do not apply without an ED). Grain: hospital_ccn x wave x element_id x stage.
-- Parameters: $ccns.
-- runner: scope=hospital measures=n_hospitals_at_stage
select a.hospital_ccn, a.wave, a.element_id,
       case when e.applies_to = 'emergency_services' and not h.has_emergency_services
            then 'not_applicable' else a.stage end as stage,
       1 as n_hospitals_at_stage
from mart_adoption a
join mart_hospital h using (hospital_ccn)
left join protocol_element e using (element_id)
where list_contains($ccns, a.hospital_ccn)
order by a.hospital_ccn, a.wave, a.element_id
