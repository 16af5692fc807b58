-- Member hospitals with the attributes the shared filters select on (the runner's scope frame).
-- Grain: one row per member hospital. Parameters: none.
-- runner: scope=collaborative
select hospital_ccn, hospital_name, state, region, health_system, hospital_type,
       has_emergency_services, member_since, county
from mart_hospital
order by state, hospital_name
