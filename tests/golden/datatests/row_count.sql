-- row_count_orders_1000000__1 (count)
select case when count(*) < 1 or count(*) > 1000000 then 1 else 0 end as failures
from "main"."orders__tform_tmp";

-- failing rows
select count(*) as row_count
from "main"."orders__tform_tmp"
having count(*) < 1 or count(*) > 1000000;
