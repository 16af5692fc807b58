-- The toolkit's resources with the protocol elements each supports, for labels and gap lists.
-- Grain: one row per resource. Parameters: none.
-- runner: scope=public
select resource_id, title, kind, url_path, protocol_elements from toolkit_resource
order by resource_id
