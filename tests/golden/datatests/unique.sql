-- unique_orders_id (count)
select count(*) as failures
from (
select id as unique_field, count(*) as n_records
from "main"."orders__tform_tmp"
where id is not null
group by id
having count(*) > 1
) tform_test;

-- failing rows
select id as unique_field, count(*) as n_records
from "main"."orders__tform_tmp"
where id is not null
group by id
having count(*) > 1
limit 5;
