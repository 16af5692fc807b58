-- The question stem of every quiz item (catalog data, no learner figures).
-- Grain: item_id. Parameters: none.
-- runner: scope=public
select item_id, any_value(module_id) as module_id, any_value(item_text) as item_text
from quiz_item
where item_id is not null
group by item_id
order by item_id
