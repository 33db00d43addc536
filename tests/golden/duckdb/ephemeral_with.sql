-- model totals (view) -> "main"."totals"
-- pre: (none)
-- build: create tmp view
create view "main"."totals__tform_tmp" as (
-- totals per order
WITH __tform_cte__base_orders as (
select 1 as order_id, 5 as amount
),
t AS (
  select order_id, sum(amount) as total from __tform_cte__base_orders group by 1
)
select * from t
);
-- publish (one transaction): swap
alter view "main"."totals__tform_tmp" rename to "totals";
-- cleanup (on failure): drop tmp
drop view if exists "main"."totals__tform_tmp";
