-- model big_orders (view) -> `acme-analytics`.`analytics`.`big_orders`
-- pre: (none)
-- build: create tmp view
create view `acme-analytics`.`analytics`.`big_orders__tform_tmp` as (
with __tform_cte__base_orders as (
select 1 as order_id, 5 as amount
)
select *
from __tform_cte__base_orders
where amount > 1
);
-- publish (one transaction): swap
create or replace view `acme-analytics`.`analytics`.`big_orders` as (
with __tform_cte__base_orders as (
select 1 as order_id, 5 as amount
)
select *
from __tform_cte__base_orders
where amount > 1
);
-- publish (one transaction): swap
drop view if exists `acme-analytics`.`analytics`.`big_orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop view if exists `acme-analytics`.`analytics`.`big_orders__tform_tmp`;
