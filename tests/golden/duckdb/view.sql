-- model customers (view) -> "main"."customers"
-- pre: (none)
-- build: create tmp view
create view "main"."customers__tform_tmp" as (
select 1 as id, 'a' as name
);
-- publish (one transaction): swap
alter view "main"."customers__tform_tmp" rename to "customers";
-- cleanup (on failure): drop tmp
drop view if exists "main"."customers__tform_tmp";
