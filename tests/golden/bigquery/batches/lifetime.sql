-- full
select p.`user_id` as `user_id`,
  min(p.`event_date`) as `install_date`,
  count(p.`event_date`) as `active_days`,
  sum(p.`revenue`) as `total_revenue`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` limit 1)[safe_offset(0)] as `first_platform`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` desc limit 1)[safe_offset(0)] as `last_platform`
from `acme-analytics`.`analytics`.`daily_user_panel` p
group by p.`user_id`;
-- fold of 2024-03-02
with n as (
select p.`user_id` as `user_id`,
  min(p.`event_date`) as `install_date`,
  count(p.`event_date`) as `active_days`,
  sum(p.`revenue`) as `total_revenue`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` limit 1)[safe_offset(0)] as `first_platform`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` desc limit 1)[safe_offset(0)] as `last_platform`
from `acme-analytics`.`analytics`.`daily_user_panel` p
where ((p.`event_date` >= date '2024-03-02' and p.`event_date` < date '2024-03-03'))
group by p.`user_id`
)
select n.`user_id` as `user_id`,
  case when o.`install_date` is null or n.`install_date` < o.`install_date` then n.`install_date` else o.`install_date` end as `install_date`,
  coalesce(o.`active_days`, 0) + n.`active_days` as `active_days`,
  case when o.`total_revenue` is null then n.`total_revenue` when n.`total_revenue` is null then o.`total_revenue` else o.`total_revenue` + n.`total_revenue` end as `total_revenue`,
  coalesce(o.`first_platform`, n.`first_platform`) as `first_platform`,
  coalesce(n.`last_platform`, o.`last_platform`) as `last_platform`
from n
left join `acme-analytics`.`analytics`.`user_panel` o on o.`user_id` = n.`user_id`;
-- recompute of 2024-03-02
select p.`user_id` as `user_id`,
  min(p.`event_date`) as `install_date`,
  count(p.`event_date`) as `active_days`,
  sum(p.`revenue`) as `total_revenue`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` limit 1)[safe_offset(0)] as `first_platform`,
  array_agg(p.`platform` ignore nulls order by p.`event_date` desc limit 1)[safe_offset(0)] as `last_platform`
from `acme-analytics`.`analytics`.`daily_user_panel` p
where p.`user_id` in (select distinct c.`user_id` from `acme-analytics`.`analytics`.`daily_user_panel` c where ((c.`event_date` >= date '2024-03-02' and c.`event_date` < date '2024-03-03')))
group by p.`user_id`;
