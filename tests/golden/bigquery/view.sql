-- model customers (view) -> `acme-analytics`.`analytics`.`customers`
-- pre: (none)
-- build: create tmp view
create view `acme-analytics`.`analytics`.`customers__tform_tmp` as (
select 1 as id, 'a' as name
);
-- publish (one transaction): swap
create or replace view `acme-analytics`.`analytics`.`customers` as (
select 1 as id, 'a' as name
);
-- publish (one transaction): swap
drop view if exists `acme-analytics`.`analytics`.`customers__tform_tmp`;
-- cleanup (on failure): drop tmp
drop view if exists `acme-analytics`.`analytics`.`customers__tform_tmp`;
