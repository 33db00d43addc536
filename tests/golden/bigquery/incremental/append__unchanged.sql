-- config: {"incremental_strategy":"append"}
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
-- publish (one transaction): insert new rows
insert into `acme-analytics`.`analytics`.`orders` (`id`, `k2`, `amount`, `note`, `old_col`)
select `id`, `k2`, `amount`, `note`, `old_col`
from `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- publish (one transaction): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
