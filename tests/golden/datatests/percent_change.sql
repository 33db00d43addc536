-- percent_change_orders_a77c90bb89348820dd6a4add6579dfaa (percent_change)
select
  date_trunc('day', ordered_at) as period_start,
  sum(amount) as metric_value,
  count(*) as row_count
from "main"."orders__tform_tmp"
where ordered_at >= timestamp '2024-03-02 00:00:00'
  and ordered_at < timestamp '2024-03-10 00:00:00'
group by date_trunc('day', ordered_at)
order by date_trunc('day', ordered_at);

-- percent_change_orders_hour__3__50__ordered_at (percent_change)
select
  date_trunc('hour', ordered_at) as period_start,
  count(*) as metric_value,
  count(*) as row_count
from "main"."orders__tform_tmp"
where ordered_at >= timestamp '2024-03-10 02:00:00'
  and ordered_at < timestamp '2024-03-10 06:00:00'
group by date_trunc('hour', ordered_at)
order by date_trunc('hour', ordered_at);
