-- Staff roles for the role filter and labels, front-line roles flagged; learners whose export
-- carries no job title form their own role, so the roles still partition the learners.
-- Grain: one row per role. Parameters: none.
-- runner: scope=public
select role, label, soc_code, is_front_line from role
union all
select 'unrecorded', 'Role not recorded', null, false
order by role = 'unrecorded', label
