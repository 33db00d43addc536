-- publish of batch 2024-03-02 (one transaction): check rows inside the batch
select case when exists (
select 1 from `acme-analytics`.`analytics`.`stg_events__tform_tmp` where `event_ts` is null or not (`event_ts` >= timestamp '2024-03-02 00:00:00' and `event_ts` < timestamp '2024-03-03 00:00:00')
) then error('stg_events: new rows have event_ts outside the batch [2024-03-02 00:00:00, 2024-03-03 00:00:00) or NULL; such rows would not be replaced when the batch runs again. Refs to models with event_time are filtered to the batch; filter anything else with model.batch.event_time_start / event_time_end.') end;
-- publish of batch 2024-03-02 (one transaction): add column
alter table `acme-analytics`.`analytics`.`stg_events` add column `country` STRING;
-- publish of batch 2024-03-02 (one transaction): overwrite rows of the batch
merge into `acme-analytics`.`analytics`.`stg_events` as t
using `acme-analytics`.`analytics`.`stg_events__tform_tmp` as s
on false
when not matched by source and t.`event_ts` >= timestamp '2024-03-02 00:00:00' and t.`event_ts` < timestamp '2024-03-03 00:00:00' then delete
when not matched then insert (`event_id`, `event_ts`, `country`) values (s.`event_id`, s.`event_ts`, s.`country`);
-- publish of batch 2024-03-02 (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`stg_events__tform_tmp`;
-- the interval fingerprints, read from tmp before the transaction:
select cast(floor(unix_seconds(cast(t.`event_ts` as timestamp)) / 900) as bigint) as b, count(*) as n, cast(sum(cast(farm_fingerprint(to_json_string(t)) as bignumeric)) as string) as h
from `acme-analytics`.`analytics`.`stg_events__tform_tmp` t
where t.`event_ts` is not null
group by 1;
