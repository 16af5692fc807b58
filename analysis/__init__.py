"""Statistics for the knowledge evaluation (DESIGN.md section 5), in pure Python.

Every function takes a histogram: one row per distinct combination of scores (or of item points)
with a count column, the form in which DuckDB's marts and the query runner hand them over. A
histogram of raw rows (count 1 each) gives the same figures, so small fixtures and collaborative
size take the same code path.
"""
