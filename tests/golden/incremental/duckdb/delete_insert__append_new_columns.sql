-- config: {"incremental_strategy":"delete+insert","unique_key":"id","on_schema_change":"append_new_columns"}
-- existing: table
-- mode: incremental run
-- target columns: id INTEGER, k2 INTEGER, amount DECIMAL(10,2), note VARCHAR, old_col VARCHAR
-- tmp columns: id INTEGER, k2 INTEGER, amount DOUBLE, note VARCHAR, new_col BIGINT
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): check no NULL keys
select case when exists (
select 1 from "analytics"."orders__tform_tmp" where "id" is null
) then error('incremental model orders: new rows have a NULL in unique_key (id); a NULL key never matches, so such rows would be added again on every run. Filter or coalesce them in the model.') end;
-- publish (one transaction): add column
alter table "analytics"."orders" add column "new_col" BIGINT;
-- publish (one transaction): delete matching rows
delete from "analytics"."orders"
where "id" in (select "id" from "analytics"."orders__tform_tmp");
-- publish (one transaction): insert new rows
insert into "analytics"."orders" ("id", "k2", "amount", "note", "new_col")
select "id", "k2", "amount", "note", "new_col"
from "analytics"."orders__tform_tmp";
-- publish (one transaction): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
