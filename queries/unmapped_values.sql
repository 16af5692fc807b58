-- Worklist: values the reference data does not map yet (job titles, courses, quizzes, URL paths,
-- e-mail domains), with how many rows or learners they hold back. Grain: one row per (kind, value).
-- Parameters: none. Values mapped since their file was loaded drop off the list.
-- runner: scope=collaborative
with from_files as (
    select kind, value, sum(n_rows)::bigint as n_rows, count(distinct file_id) as n_files
    from unmapped_value
    where value is not null
    group by all
),
still_unmapped as (
    select * from from_files f
    where not (f.kind = 'job_title' and exists (
                   select 1 from role_map m
                   where m.job_title_norm = trim(regexp_replace(lower(f.value), '[^a-z0-9]+', ' ', 'g'))))
      and not (f.kind in ('course', 'quiz', 'module') and exists (
                   select 1 from module_alias a
                   where a.alias_norm
                         = trim(regexp_replace(lower(trim(f.value)), '[^a-z0-9]+', '_', 'g'), '_')))
      and not (f.kind = 'url_path' and exists (
                   select 1 from toolkit_resource t where t.url_path = f.value))
),
domains as (
    select 'email_domain' as kind, email_domain as value, count(*)::bigint as n_rows,
           null::bigint as n_files
    from learner
    where attribution = 'none' and email_domain is not null
    group by all
)
select kind, value, n_rows, n_files from still_unmapped
union all
select * from domains
order by kind, n_rows desc, value
