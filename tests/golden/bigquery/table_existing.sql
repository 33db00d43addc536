-- model orders (table) -> `acme-analytics`.`analytics_marts`.`orders`
-- pre: pre-hook
delete from audit.log where model = 'orders';
-- build: create tmp table
create table `acme-analytics`.`analytics_marts`.`orders__tform_tmp` as (

select
  1 as order_id,
  10.5 as amount
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics_marts","tableId":"orders__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics_marts","tableId":"orders"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics_marts`.`orders__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics_marts`.`orders` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics_marts`.`orders__tform_tmp`;
-- publish (one transaction): post-hook
insert into audit.log (model) values ('orders');
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics_marts`.`orders__tform_tmp`;
