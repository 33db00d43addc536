-- model orders (table) -> "main"."orders"
-- pre: pre-hook
delete from audit where model = 'orders';
-- build: create tmp table
create table "main"."orders__tform_tmp" as (

select
  1 as order_id,
  10.5 as amount
);
-- publish (one transaction): swap
drop table if exists "main"."orders";
-- publish (one transaction): swap
alter table "main"."orders__tform_tmp" rename to "orders";
-- publish (one transaction): post-hook
analyze "main"."orders";
-- publish (one transaction): post-hook
insert into audit values ('"main"."orders"');
-- cleanup (on failure): drop tmp
drop table if exists "main"."orders__tform_tmp";
