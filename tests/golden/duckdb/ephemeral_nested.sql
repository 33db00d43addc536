-- model raw_orders (table) -> "main"."raw_orders"
-- pre: (none)
-- build: create tmp table
create table "main"."raw_orders__tform_tmp" as (

select 1 as order_id, 5 as amount
);
-- publish (one transaction): swap
alter table "main"."raw_orders__tform_tmp" rename to "raw_orders";
-- cleanup (on failure): drop tmp
drop table if exists "main"."raw_orders__tform_tmp";

-- model report (view) -> "main"."report"
-- pre: (none)
-- build: create tmp view
create view "main"."report__tform_tmp" as (
with __tform_cte__eph_a as (
select * from "main"."raw_orders"
),
__tform_cte__eph_b as (
select order_id from __tform_cte__eph_a where amount > 0
)
select count(*) as n
from __tform_cte__eph_b
join __tform_cte__eph_a using (order_id)
);
-- publish (one transaction): swap
alter view "main"."report__tform_tmp" rename to "report";
-- cleanup (on failure): drop tmp
drop view if exists "main"."report__tform_tmp";
