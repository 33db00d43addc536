-- not_null_orders_id (count)
select count(*) as failures
from "main"."orders__tform_tmp"
where id is null;

-- failing rows
select *
from "main"."orders__tform_tmp"
where id is null
limit 5;
