-- config: {"incremental_strategy":"append"}
-- existing: table
-- mode: incremental run
-- target columns: id integer, k2 integer, amount numeric(10,2), note text, old_col text
-- tmp columns: id integer, k2 integer, amount numeric(10,2), note text, old_col text
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): insert new rows
insert into "analytics"."orders" ("id", "k2", "amount", "note", "old_col")
select "id", "k2", "amount", "note", "old_col"
from "analytics"."orders__tform_tmp";
-- publish (one transaction): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
