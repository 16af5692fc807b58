-- The rules of sources.csv, for the upload form: files loaded under a rule get its system, tenant,
-- date order, time zone and hospital. Grain: one row per rule. Parameters: none.
-- runner: scope=collaborative
select rule_no, path_glob, system, tenant, coalesce(date_order, '') as date_order,
       coalesce(timezone, '') as timezone, coalesce(hospital_ccn, '') as hospital_ccn
from source_rule
order by rule_no
