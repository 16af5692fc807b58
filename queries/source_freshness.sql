-- How current each source is: the newest export, the newest event in it, and the last load.
-- Grain: one row per (format, system) of export files; tenants, which name organisations, are
-- left out because every viewer sees this. Parameters: none.
-- runner: scope=public
with latest as (
    select * from load_log
    where status in ('ok', 'partial', 'unchanged') and coalesce(system, '') <> 'reference'
    qualify row_number() over (partition by file_id order by status = 'unchanged', loaded_at desc) = 1
)
select format, coalesce(system, '') as system,
       count(*) as n_files, max(export_at) as last_export_at, max(max_event_at) as last_event_at,
       max(loaded_at) as last_loaded_at
from latest
group by all
order by last_event_at nulls first, format, system
