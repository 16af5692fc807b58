-- Counted toolkit downloads attributed to hospitals, per resource and month, for trends.
-- Grain: hospital_ccn x resource_id x month. Parameters: $ccns, $month_from, $month_to.
-- runner: scope=hospital measures=n_downloads
select hospital_ccn, resource_id, month, sum(n_downloads)::bigint as n_downloads
from mart_download
where list_contains($ccns, hospital_ccn) and month between $month_from and $month_to
group by all
order by hospital_ccn, resource_id, month
