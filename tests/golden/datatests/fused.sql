-- t0: expression_orders_amount_0
-- t1: row_count_orders_1000000__1
-- t2: not_null_orders_id
-- t3: unique_orders_id
-- t4: accepted_values_orders_status__placed__it_s_shipped
-- not fused: freshness_orders_1__day___loaded_at__6__hour, percent_change_orders_a77c90bb89348820dd6a4add6579dfaa, percent_change_orders_hour__3__50__ordered_at, relationships_orders_customer_id__id__ref_customers_
select t0, t1, t2, t3, t4
from (
  select
    count(case when (status <> 'test') and not (amount >= 0) then 1 end) as t0,
    case when count(*) < 1 or count(*) > 1000000 then 1 else 0 end as t1,
    count(*) - count(id) as t2,
    len(list_filter(list(distinct status), tform_v -> tform_v not in ('placed', 'it''s shipped'))) as t4
  from "main"."orders__tform_tmp"
) tform_scan
cross join (
  select count(*) as t3
  from (
    select id
    from "main"."orders__tform_tmp"
    where id is not null
    group by id
    having count(*) > 1
  ) tform_dups
) tform_unique_0;
