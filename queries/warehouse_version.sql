-- The build stamped on every result.
-- Grain: one row. Parameters: none.
select version, built_at from warehouse_meta limit 1
