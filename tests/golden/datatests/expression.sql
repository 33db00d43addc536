-- expression_orders_amount_0 (count)
select count(*) as failures
from (select * from "main"."orders__tform_tmp" where status <> 'test') tform_where
where not (amount >= 0);

-- failing rows
select *
from (select * from "main"."orders__tform_tmp" where status <> 'test') tform_where
where not (amount >= 0)
limit 5;
