-- model big_orders (view) -> "main"."big_orders"
-- pre: (none)
-- build: create tmp view
create view "main"."big_orders__tform_tmp" as (
with __tform_cte__base_orders as (
select 1 as order_id, 5 as amount
)
select *
from __tform_cte__base_orders
where amount > 1
);
-- publish (one transaction): swap
alter view "main"."big_orders__tform_tmp" rename to "big_orders";
-- cleanup (on failure): drop tmp
drop view if exists "main"."big_orders__tform_tmp";
