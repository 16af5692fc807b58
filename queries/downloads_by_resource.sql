-- Counted toolkit downloads attributed to hospitals per resource over the period, with clients.
-- Grain: hospital_ccn x resource_id. Parameters: $ccns, $month_from, $month_to.
-- runner: scope=hospital measures=n_downloads,n_clients
select hospital_ccn, resource_id, sum(n_downloads)::bigint as n_downloads,
       count(distinct client_id) as n_clients  -- a client is attributed to one hospital
from mart_download
where list_contains($ccns, hospital_ccn) and month between $month_from and $month_to
group by all
order by hospital_ccn, resource_id
