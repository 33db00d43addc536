-- config: {"incremental_strategy":"append","on_schema_change":"sync_all_columns"}
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
-- publish (one transaction): add column
alter table "analytics"."orders" add column "new_col" BIGINT;
-- publish (one transaction): change column type
alter table "analytics"."orders" alter column "amount" type DOUBLE;
-- publish (one transaction): drop column
alter table "analytics"."orders" drop column "old_col";
-- publish (one transaction): insert new rows
insert into "analytics"."orders" ("id", "k2", "amount", "note", "new_col")
select "id", "k2", "amount", "note", "new_col"
from "analytics"."orders__tform_tmp";
-- publish (one transaction): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
