-- model orders (table) -> "main"."orders"
-- pre: (none)
-- build: drop stale tmp
drop table if exists "main"."orders__tform_tmp";
-- build: create tmp table
create table "main"."orders__tform_tmp" as (

select 1 as order_id
);
-- publish (one transaction): swap
drop view if exists "main"."orders";
-- publish (one transaction): swap
alter table "main"."orders__tform_tmp" rename to "orders";
-- cleanup (on failure): drop tmp
drop table if exists "main"."orders__tform_tmp";
