-- config: {"unique_key":"id","partition_by":{"field":"day","data_type":"date","granularity":"day"}}
-- existing: (none)
-- mode: rebuild (table)
-- model orders (incremental) -> `acme-analytics`.`analytics`.`orders`
-- pre: (none)
-- build: create tmp table
create table `acme-analytics`.`analytics`.`orders__tform_tmp`
partition by `day`
as (
select *
from `acme-analytics`.`analytics`.`new_orders`
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"orders__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics","tableId":"orders"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics`.`orders__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics`.`orders` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics`.`orders__tform_tmp`;
