-- Counted toolkit downloads that no network range or e-mail domain ties to a hospital.
-- Grain: one row per (source, tenant, e-mail domain). Parameters: none.
-- runner: scope=collaborative
select source, coalesce(tenant, '') as tenant, coalesce(email_domain, '(anonymous)') as email_domain,
       count(*) as n_downloads, count(distinct client_id) as n_clients
from download_event
where is_counted and hospital_ccn is null
group by all
order by n_downloads desc, source, tenant, email_domain
