-- The program's reporting periods (fiscal or grant years) from the targets file, in whole months.
-- Grain: one row per period. Parameters: none.
-- runner: scope=public
select period_id, any_value(label) as label,
       date_trunc('month', min(start_date))::date as month_from,
       date_trunc('month', max(end_date))::date as month_to
from target
where start_date is not null and end_date is not null
group by period_id
order by month_from, period_id
