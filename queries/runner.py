"""The one door to the warehouse for pages and exports (minimal until the query-layer issue).

Each query is a .sql file in this folder with named parameters ($name). The warehouse is opened
read-only per call, so the ETL's atomic swap is picked up by the next query.
"""

from pathlib import Path

import duckdb
import pandas as pd

from etl.config import warehouse_path

SQL_DIR = Path(__file__).parent


def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def run(name: str, warehouse: str | Path | None = None, **params) -> pd.DataFrame:
    path = warehouse_path(warehouse)
    con = duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False})
    try:
        con.execute("set TimeZone = 'UTC'")
        # Through Arrow: DuckDB 2.0 .df() trips a pandas 3.1 deprecation on TIMESTAMPTZ columns.
        return con.sql(sql_text(name), params=params).to_arrow_table().to_pandas()
    finally:
        con.close()
