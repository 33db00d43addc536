-- config: {"incremental_strategy":"append","on_schema_change":"sync_all_columns"}
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
-- publish (one transaction): add column
alter table `acme-analytics`.`analytics`.`orders` add column `new_col` INT64;
-- publish (one transaction): change column type
alter table `acme-analytics`.`analytics`.`orders` alter column `amount` set data type FLOAT64;
-- publish (one transaction): drop column
alter table `acme-analytics`.`analytics`.`orders` drop column `old_col`;
-- publish (one transaction): insert new rows
insert into `acme-analytics`.`analytics`.`orders` (`id`, `k2`, `amount`, `note`, `new_col`)
select `id`, `k2`, `amount`, `note`, `new_col`
from `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- publish (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
