"""ETL: read native exports, validate, pseudonymize and load them into the DuckDB warehouse."""
