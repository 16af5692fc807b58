-- Staff roles for the role filter and labels, front-line roles flagged.
-- Grain: one row per role. Parameters: none.
-- runner: scope=public
select role, label, soc_code, is_front_line from role order by label
