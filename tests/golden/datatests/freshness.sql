-- freshness_orders_1__day___loaded_at__6__hour (freshness)
select
  count(*) as row_count,
  max(_loaded_at) as max_loaded_at,
  case when max(_loaded_at) is null or max(_loaded_at) < timestamp '2024-03-10 00:30:00' then 1 else 0 end as warn_stale,
  case when max(_loaded_at) is null or max(_loaded_at) < timestamp '2024-03-09 06:30:00' then 1 else 0 end as error_stale
from "main"."orders__tform_tmp";
