-- config: {"incremental_strategy":"delete+insert","unique_key":["id","k2"]}
-- existing: table
-- mode: incremental run
-- target columns: id INT64, k2 INT64, amount NUMERIC, note STRING, old_col STRING
-- tmp columns: id INT64, k2 INT64, amount NUMERIC, note STRING, old_col STRING
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
-- publish (one transaction): delete matching rows
delete from `acme-analytics`.`analytics`.`orders` as t
where exists (select 1 from `acme-analytics`.`analytics`.`orders__tform_tmp` as s where s.`id` = t.`id` and s.`k2` = t.`k2`);
-- publish (one transaction): insert new rows
insert into `acme-analytics`.`analytics`.`orders` (`id`, `k2`, `amount`, `note`, `old_col`)
select `id`, `k2`, `amount`, `note`, `old_col`
from `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- publish (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
