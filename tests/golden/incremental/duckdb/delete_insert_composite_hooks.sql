-- config: {"unique_key":["id","k2"],"grants":{"select":["reporter"]},"indexes":[{"columns":["id","k2"],"unique":true}]}
-- existing: table
-- mode: incremental run
-- target columns: id INTEGER, k2 INTEGER, amount DECIMAL(10,2), note VARCHAR, old_col VARCHAR
-- tmp columns: id INTEGER, k2 INTEGER, amount DECIMAL(10,2), note VARCHAR, old_col VARCHAR
-- model orders (incremental) -> "analytics"."orders"
-- pre: pre-hook
set x = 1;
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): check no NULL keys
select case when exists (
select 1 from "analytics"."orders__tform_tmp" where "id" is null or "k2" is null
) then error('incremental model orders: new rows have a NULL in unique_key (id, k2); a NULL key never matches, so such rows would be added again on every run. Filter or coalesce them in the model.') end;
-- publish (one transaction): delete matching rows
delete from "analytics"."orders"
where ("id", "k2") in (select "id", "k2" from "analytics"."orders__tform_tmp");
-- publish (one transaction): insert new rows
insert into "analytics"."orders" ("id", "k2", "amount", "note", "old_col")
select "id", "k2", "amount", "note", "old_col"
from "analytics"."orders__tform_tmp";
-- publish (one transaction): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
-- publish (one transaction): index
create unique index if not exists "orders__3f45fd49_idx" on "analytics"."orders" ("id", "k2");
-- publish (one transaction): post-hook
analyze "analytics"."orders";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
