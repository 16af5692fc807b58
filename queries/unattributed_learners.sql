-- Learners no hospital could be found for (kept, and attributed when a mapping arrives).
-- Grain: one row per (system, tenant, e-mail domain). Parameters: none.
-- runner: scope=collaborative
select system, tenant, email_domain, n_learners, n_completions
from mart_unattributed_learner
order by n_learners desc, system, tenant, email_domain
