-- publish of batch 2024-03-02 (one transaction): check rows inside the batch
select case when exists (
select 1 from `acme-analytics`.`analytics`.`daily_user_panel__tform_tmp` where `event_date` is null or not (`event_date` >= date '2024-03-02' and `event_date` < date '2024-03-03')
) then error('daily_user_panel: new rows have event_date outside the batch [2024-03-02 00:00:00, 2024-03-03 00:00:00) or NULL; such rows would not be replaced when the batch runs again. Refs to models with event_time are filtered to the batch; filter anything else with model.batch.event_time_start / event_time_end.') end;
-- publish of batch 2024-03-02 (one transaction): check no NULL entity
select case when exists (
select 1 from `acme-analytics`.`analytics`.`daily_user_panel__tform_tmp` where `user_id` is null
) then error('panel daily_user_panel: new rows have a NULL entity (user_id); a panel has one row per entity and interval. Filter or coalesce them in the model.') end;
-- publish of batch 2024-03-02 (one transaction): check one row per entity and interval
select case when exists (
select 1 from `acme-analytics`.`analytics`.`daily_user_panel__tform_tmp` group by `user_id`, `event_date` having count(*) > 1
) then error('panel daily_user_panel: new rows repeat an entity within one day (user_id, event_date); a panel has one row per entity and interval. Group by them in the model.') end;
-- publish of batch 2024-03-02 (one transaction): overwrite rows of the batch
merge into `acme-analytics`.`analytics`.`daily_user_panel` as t
using `acme-analytics`.`analytics`.`daily_user_panel__tform_tmp` as s
on false
when not matched by source and t.`event_date` >= date '2024-03-02' and t.`event_date` < date '2024-03-03' then delete
when not matched then insert (`user_id`, `event_date`, `sessions`) values (s.`user_id`, s.`event_date`, s.`sessions`);
-- publish of batch 2024-03-02 (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`daily_user_panel__tform_tmp`;
