"""Read side of the warehouse: one result per .sql file, run by `queries.runner`."""
