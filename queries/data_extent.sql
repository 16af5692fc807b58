-- First and last month of program data: "since launch" runs from the launch month to the last.
-- Grain: one row. Parameters: none.
-- runner: scope=public
with launch as (
    select date_trunc('month', try_cast(max(value) as date))::date as m
    from setting where key = 'program_launch'
),
months as (
    select month from mart_completion_month
    union all select month from mart_download
    union all select first_month from mart_quiz_learner
)
select coalesce((select m from launch), min(month)) as launch_month, max(month) as last_month
from months
