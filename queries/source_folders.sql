-- Folders named in sources.csv, for the upload form: a file placed there gets that rule's system,
-- tenant, date order, time zone and hospital. Grain: one row per folder. Parameters: none.
-- runner: scope=collaborative
select regexp_replace(path_glob, '/[^/]*$', '') as folder,
       string_agg(distinct system || ' / ' || tenant, ', ') as source
from source_rule
where contains(path_glob, '/')
group by all
order by folder
