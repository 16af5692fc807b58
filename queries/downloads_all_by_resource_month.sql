-- Every counted toolkit download per resource and month, attributed to a hospital or not.
-- Grain: resource_id x month. Parameters: $month_from, $month_to.
-- runner: scope=collaborative
select resource_id, month, sum(n_downloads)::bigint as n_downloads,
       coalesce(sum(n_downloads) filter (where hospital_ccn is null), 0)::bigint as n_unattributed,
       count(distinct client_id) as n_clients
from mart_download
where month between $month_from and $month_to
group by all
order by resource_id, month
