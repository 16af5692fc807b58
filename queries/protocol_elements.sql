-- Protocol elements with the toolkit resources and modules that address each (for gap lists).
-- Grain: one row per element. Parameters: none.
-- runner: scope=public
select e.element_id, e.name, e.applies_to,
       coalesce((select list(r.title order by r.resource_id) from toolkit_resource r
                 where list_contains(r.protocol_elements, e.element_id)), []) as resources,
       coalesce((select list(m.module_no || '. ' || m.title order by m.module_no) from module m
                 where list_contains(m.protocol_elements, e.element_id)), []) as modules
from protocol_element e
order by e.element_id
