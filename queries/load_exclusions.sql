-- Rows left out by a documented rule (bot, summary row, repeat within 30 minutes ...), by reason.
-- Grain: one row per (reason, format) over the latest load of every file. Parameters: none.
-- runner: scope=collaborative
with latest as (
    select file_id, run_id, format from load_log
    qualify row_number() over (partition by file_id order by status = 'unchanged', loaded_at desc) = 1
)
select e.reason, l.format, count(distinct e.file_id) as n_files, sum(e.n_rows)::bigint as n_rows
from load_exclusion e
join latest l using (file_id, run_id)
group by all
order by n_rows desc, reason
