-- The program's targets per reporting period and metric (from the targets reference file).
-- Grain: one row per (period, metric). Parameters: none.
-- runner: scope=public
select period_id, label, metric, target from target order by period_id, metric
