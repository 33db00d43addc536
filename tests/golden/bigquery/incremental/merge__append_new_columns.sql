-- config: {"incremental_strategy":"merge","unique_key":["id","k2"],"on_schema_change":"append_new_columns"}
-- existing: table
-- mode: incremental run
-- target columns: id INT64, k2 INT64, amount NUMERIC, note STRING, old_col STRING
-- tmp columns: id INT64, k2 INT64, amount FLOAT64, note STRING, new_col INT64
-- model orders (incremental) -> `acme-analytics`.`analytics`.`orders`
-- pre: (none)
-- build: create tmp table
create table `acme-analytics`.`analytics`.`orders__tform_tmp` as (
select *
from `acme-analytics`.`analytics`.`new_orders`
);
-- publish (one transaction): check no NULL keys
select case when exists (
select 1 from `acme-analytics`.`analytics`.`orders__tform_tmp` where `id` is null or `k2` is null
) then error('incremental model orders: new rows have a NULL in unique_key (id, k2); a NULL key never matches, so such rows would be added again on every run. Filter or coalesce them in the model.') end;
-- publish (one transaction): check unique keys
select case when exists (
select 1 from `acme-analytics`.`analytics`.`orders__tform_tmp` group by `id`, `k2` having count(*) > 1
) then error('incremental model orders: new rows repeat a unique_key (id, k2) value, so merge cannot tell which row to keep. Deduplicate them in the model, or use incremental_strategy \'delete+insert\'.') end;
-- publish (one transaction): add column
alter table `acme-analytics`.`analytics`.`orders` add column `new_col` INT64;
-- publish (one transaction): merge
merge into `acme-analytics`.`analytics`.`orders` as t
using `acme-analytics`.`analytics`.`orders__tform_tmp` as s
on t.`id` = s.`id` and t.`k2` = s.`k2`
when matched then update set `amount` = s.`amount`, `note` = s.`note`, `new_col` = s.`new_col`
when not matched then insert (`id`, `k2`, `amount`, `note`, `new_col`) values (s.`id`, s.`k2`, s.`amount`, s.`note`, s.`new_col`);
-- publish (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
