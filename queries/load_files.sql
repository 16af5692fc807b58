-- Row accounting of the latest load of every file: what went in, what was left out, and why.
-- Grain: one row per file: its latest load that read it (a later 'unchanged' reload read
-- nothing new). Parameters: none.
-- runner: scope=collaborative
select path, format, coalesce(system, '') as system, coalesce(tenant, '') as tenant, status,
       rows_read, rows_loaded, rows_excluded, rows_rejected, rows_duplicate, message, export_at,
       min_event_at, max_event_at, loaded_at, file_id
from load_log
qualify row_number() over (partition by coalesce(file_id, path) order by status = 'unchanged', loaded_at desc) = 1
order by loaded_at desc, path
