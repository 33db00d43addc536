-- migration 1: create the state schema (meta, intervals, runs)
create schema if not exists `acme-analytics`.`tform_state`
options (location = 'EU');
create table if not exists `acme-analytics`.`tform_state`.`meta` (
  `key` string not null,
  `value` string not null
);
create table if not exists `acme-analytics`.`tform_state`.`intervals` (
  `model_id` string not null,
  `interval_start` timestamp not null,
  `interval_end` timestamp not null,
  `status` string not null,
  `run_id` string not null,
  `rows_affected` int64,
  `processed_at` timestamp not null
);
create table if not exists `acme-analytics`.`tform_state`.`runs` (
  `run_id` string not null,
  `model_id` string not null,
  `started_at` timestamp not null,
  `ended_at` timestamp,
  `status` string not null,
  `rows_affected` int64,
  `message` string
);
-- migration 2: interval checksums; raw files loaded into sources
alter table `acme-analytics`.`tform_state`.`intervals` add column `checksum` string;
create table if not exists `acme-analytics`.`tform_state`.`files` (
  `source_id` string not null,
  `path` string not null,
  `size_bytes` int64 not null,
  `content_hash` string not null,
  `rows_loaded` int64,
  `run_id` string not null,
  `loaded_at` timestamp not null
);
-- migration 3: the run log (run_results.json entries of every run, in the warehouse)
create table if not exists `acme-analytics`.`tform_state`.`run_log` (
  `run_id` string not null,
  `seq` int64 not null,
  `command` string not null,
  `args` string,
  `target` string,
  `node_id` string not null,
  `resource_type` string not null,
  `status` string not null,
  `started_at` timestamp,
  `ended_at` timestamp,
  `execution_time` float64,
  `rows_affected` int64,
  `failures` int64,
  `message` string,
  `compiled_path` string,
  `tform_version` string not null,
  `logged_at` timestamp not null
);
-- layout version
merge into `acme-analytics`.`tform_state`.`meta` as t
using (
  select `key`, `value` from `acme-analytics`.`tform_state`.`meta` where false
  union all select 'layout_version', '3'
) as s
on t.`key` = s.`key`
when matched then update set `value` = s.`value`
when not matched then insert (`key`, `value`) values (s.`key`, s.`value`);
-- run lock: create
create schema if not exists `acme-analytics`.`tform_state`
options (location = 'EU');
create table if not exists `acme-analytics`.`tform_state`.`run_locks` (
  `lock_key` string not null,
  `token` string not null,
  `pid` int64,
  `host` string,
  `command` string,
  `started_at` timestamp not null,
  `expires_at` timestamp not null
);
-- run lock: who holds it
select `token` as token, `pid` as pid, `host` as host, `command` as command, `started_at` as started_at,
  `expires_at` < current_timestamp() as expired
from `acme-analytics`.`tform_state`.`run_locks`
where `lock_key` = 'tform:proj:dev';
-- run lock: take
merge into `acme-analytics`.`tform_state`.`run_locks` as t
using (select 'tform:proj:dev' as `lock_key`) as s
on t.`lock_key` = s.`lock_key`
when matched and t.`expires_at` < current_timestamp() then update set `token` = 'tform_lock_0123', `pid` = 4242, `host` = 'ci-runner', `command` = 'tform build', `started_at` = current_timestamp(), `expires_at` = timestamp_add(current_timestamp(), interval 600 second)
when not matched then insert (`lock_key`, `token`, `pid`, `host`, `command`, `started_at`, `expires_at`) values ('tform:proj:dev', 'tform_lock_0123', 4242, 'ci-runner', 'tform build', current_timestamp(), timestamp_add(current_timestamp(), interval 600 second));
-- run lock: heartbeat
update `acme-analytics`.`tform_state`.`run_locks` set `expires_at` = timestamp_add(current_timestamp(), interval 600 second)
where `lock_key` = 'tform:proj:dev' and `token` = 'tform_lock_0123';
-- run lock: release
delete from `acme-analytics`.`tform_state`.`run_locks`
where `lock_key` = 'tform:proj:dev' and `token` = 'tform_lock_0123';
