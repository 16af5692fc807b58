-- Rejected rows of the latest load of each file, with line, column and reason; records are masked.
-- Grain: one row per rejected source record. Parameters: $limit (rows at most).
-- runner: scope=collaborative
with latest as (
    select file_id, run_id from load_log
    qualify row_number() over (partition by file_id order by status = 'unchanged', loaded_at desc) = 1
)
select r.path, r.line, r.column_name, r.reason, r.record_masked
from rejected_row r
join latest l using (file_id, run_id)
order by r.path, r.line
limit $limit
