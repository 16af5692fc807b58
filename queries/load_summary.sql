-- Row accounting of the latest load of every file, for the data-status page.
-- Grain: one row per (format, system, tenant), exports first. Parameters: none.
-- runner: scope=collaborative
with latest as (
    select * from load_log
    qualify row_number() over (partition by coalesce(file_id, path) order by status = 'unchanged', loaded_at desc) = 1
),
summary as (
    select
        format,
        coalesce(system, '') as system,
        coalesce(tenant, '') as tenant,
        count(*) as n_files,
        sum(rows_read)::bigint as rows_read,
        sum(rows_loaded)::bigint as rows_loaded,
        sum(rows_excluded)::bigint as rows_excluded,
        sum(rows_rejected)::bigint as rows_rejected,
        sum(rows_duplicate)::bigint as rows_duplicate,
        count(*) filter (where status = 'failed') as n_failed_files,
        max(loaded_at) as last_loaded_at
    from latest
    group by all
)
select * from summary
order by system = 'reference', system, tenant, format
