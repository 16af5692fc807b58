-- Learners no hospital could be found for (kept, and attributed when a mapping arrives).
-- Grain: one row per (system, tenant, e-mail domain). Parameters: none.
-- runner: scope=collaborative
select coalesce(c.system, '') as system, coalesce(c.tenant, '') as tenant,
       coalesce(l.email_domain, '(no e-mail)') as email_domain,
       count(distinct l.learner_id) as n_learners,
       count(*) filter (where c.is_completed) as n_completions
from learner l
left join completion c using (learner_id)
where l.hospital_ccn is null
group by all
order by n_learners desc, system, tenant, email_domain
