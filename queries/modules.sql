-- The education modules for the module filter and labels.
-- Grain: one row per module. Parameters: none.
-- runner: scope=public
select module_id, module_no, title, topic_tags, contact_hours from module order by module_no
