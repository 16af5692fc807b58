"""The planted signals of the toolkit, survey and headcount sources, read back from a warehouse.

    python -m bench.sample_signals data/warehouse.duckdb

A check of the generator and the ETL together (the tests check each against hand-worked values);
the adoption index and coverage here are rough versions of the metrics the pages will define.
"""

import sys

import duckdb

ADOPTION = """
with cur as (
    select s.hospital_ccn, s.wave, p.element_id, p.stage from survey_response s
    join protocol_response p using (tenant, record_id, event_name) where s.is_current
), app as (
    select c.*, e.applies_to = 'all' or h.has_emergency_services as applies
    from cur c join protocol_element e using (element_id) join hospital h on h.ccn = c.hospital_ccn
), idx as (
    select hospital_ccn, wave,
           count(*) filter (where applies and stage = 'in_place')
           / nullif(count(*) filter (where applies
                    and stage in ('in_place', 'in_progress', 'not_started')), 0) as adoption
    from app group by all
)
"""
COVERAGE = """
, reach as (
    select hospital_ccn, count(distinct learner_id) as n_reached from completion
    where is_completed and hospital_ccn is not null group by 1
), hc as (
    select hospital_ccn, sum(headcount) as n_staff from staff_headcount
    where as_of_date = (select max(as_of_date) from staff_headcount) group by 1
), cov as (
    select hospital_ccn, least(coalesce(n_reached, 0) / n_staff, 1) as coverage
    from hc left join reach using (hospital_ccn)
)
"""
QUERIES = {
    "counted / stored download events by source": """
        select source, count(*) filter (where is_counted), count(*) from download_event
        group by 1 order by 1""",
    "member hospitals without a counted download / members": """
        select count(*), (select count(*) from membership) from membership
        where ccn not in (select hospital_ccn from download_event
                          where is_counted and hospital_ccn is not null)""",
    "hotline-poster downloads by Emergency Services of the hospital": """
        select h.has_emergency_services, count(*) from download_event e
        join hospital h on h.ccn = e.hospital_ccn join toolkit_resource r using (resource_id)
        where e.is_counted and list_contains(r.protocol_elements, 'PE12') group by 1 order by 1""",
    "adoption index by wave (mean, hospitals)": ADOPTION
    + "select wave, round(avg(adoption), 3), count(*) from idx group by 1 order by 1",
    "Spearman: month-12 adoption vs share of staff reached (rho, hospitals)": ADOPTION
    + COVERAGE
    + """, j as (select coverage, adoption from idx join cov using (hospital_ccn)
                 where wave = 'month_12')
         select round(corr(rc, ra), 2), count(*) from (
             select rank() over (order by coverage) as rc, rank() over (order by adoption) as ra
             from j)""",
    "current survey answers left blank (unknown)": """
        select count(*) from survey_response s
        join protocol_response p using (tenant, record_id, event_name)
        where s.is_current and p.stage = 'unknown'""",
    "headcount rows, hospitals, as-of dates": """
        select count(*), count(distinct hospital_ccn),
               list(distinct as_of_date::varchar order by as_of_date::varchar)
        from staff_headcount""",
}


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    for label, sql in QUERIES.items():
        print(f"{label}: {con.sql(sql).fetchall()}")


if __name__ == "__main__":
    main(sys.argv[1])
