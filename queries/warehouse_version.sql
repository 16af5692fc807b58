-- The build stamped on every result.
-- Grain: one row. Parameters: none.
-- runner: scope=public
select version, built_at from warehouse_meta limit 1
