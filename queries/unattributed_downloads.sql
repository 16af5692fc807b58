-- Counted toolkit downloads that no network range or e-mail domain ties to a hospital.
-- Grain: one row per (source, tenant, e-mail domain). Parameters: none.
-- runner: scope=collaborative
select source, tenant, email_domain, n_downloads, n_clients
from mart_unattributed_download
order by n_downloads desc, source, tenant, email_domain
