-- accepted_values_orders_status__placed__it_s_shipped (count)
select len(list_filter(list(distinct status), tform_v -> tform_v not in ('placed', 'it''s shipped'))) as failures
from "main"."orders__tform_tmp";

-- failing rows
select status as value_field, count(*) as n_records
from "main"."orders__tform_tmp"
where status not in ('placed', 'it''s shipped')
group by status
limit 20;
