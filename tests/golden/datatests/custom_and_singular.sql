-- is_positive_orders_amount (count)
select count(*) as failures
from (
select * from (select * from "main"."orders__tform_tmp" where status = 'paid') tform_where where amount <= 0
) tform_test;

-- failing rows
select *
from (
select * from (select * from "main"."orders__tform_tmp" where status = 'paid') tform_where where amount <= 0
) tform_test
limit 5;

-- assert_x (count)
select count(*) as failures
from (
select * from "main"."orders" where amount < 0
) tform_test;

-- failing rows
select *
from (
select * from "main"."orders" where amount < 0
) tform_test
limit 5;
