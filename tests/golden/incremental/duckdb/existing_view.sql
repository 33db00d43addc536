-- config: {"unique_key":"id"}
-- existing: view
-- mode: rebuild (table)
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): swap
drop view if exists "analytics"."orders";
-- publish (one transaction): swap
alter table "analytics"."orders__tform_tmp" rename to "orders";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
