-- model buckets (table) -> `acme-analytics`.`analytics`.`buckets`
-- pre: (none)
-- build: create tmp table
create table `acme-analytics`.`analytics`.`buckets__tform_tmp`
partition by range_bucket(`bucket`, generate_array(0, 100, 10))
as (

select 7 as bucket
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"buckets__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"buckets"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics`.`buckets__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics`.`buckets` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics`.`buckets__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`buckets__tform_tmp`;

-- model events (table) -> `acme-analytics`.`analytics`.`events`
-- pre: (none)
-- build: drop stale tmp
drop table if exists `acme-analytics`.`analytics`.`events__tform_tmp`;
-- build: create tmp table
create table `acme-analytics`.`analytics`.`events__tform_tmp`
partition by timestamp_trunc(`event_ts`, HOUR)
cluster by `country`, `platform`
as (

select current_timestamp() as event_ts, 'DE' as country, 'ios' as platform
);
-- publish (one transaction): swap
drop view if exists `acme-analytics`.`analytics`.`events`;
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"events__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"events"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics`.`events__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics`.`events` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics`.`events__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`events__tform_tmp`;

-- model monthly (table) -> `acme-analytics`.`analytics`.`monthly`
-- pre: (none)
-- build: create tmp table
create table `acme-analytics`.`analytics`.`monthly__tform_tmp`
partition by date_trunc(`day`, MONTH)
as (

select current_date() as day
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"monthly__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"monthly"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics`.`monthly__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics`.`monthly` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics`.`monthly__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`monthly__tform_tmp`;
