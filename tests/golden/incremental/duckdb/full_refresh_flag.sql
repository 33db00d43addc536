-- config: {"unique_key":"id"}
-- existing: table, --full-refresh
-- mode: rebuild (table)
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: drop stale tmp
drop table if exists "analytics"."orders__tform_tmp";
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): swap
drop table if exists "analytics"."orders";
-- publish (one transaction): swap
alter table "analytics"."orders__tform_tmp" rename to "orders";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
