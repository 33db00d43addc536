-- config: {"incremental_strategy":"merge","unique_key":["id","k2"],"on_schema_change":"sync_all_columns"}
-- existing: table
-- mode: incremental run
-- target columns: id integer, k2 integer, amount numeric(10,2), note text, old_col text
-- tmp columns: id integer, k2 integer, amount double precision, note text, new_col bigint
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish (one transaction): check no NULL keys
do $tform$
begin
  if exists (
select 1 from "analytics"."orders__tform_tmp" where "id" is null or "k2" is null
  ) then
    raise exception using message = 'incremental model orders: new rows have a NULL in unique_key (id, k2); a NULL key never matches, so such rows would be added again on every run. Filter or coalesce them in the model.';
  end if;
end
$tform$;
-- publish (one transaction): check unique keys
do $tform$
begin
  if exists (
select 1 from "analytics"."orders__tform_tmp" group by "id", "k2" having count(*) > 1
  ) then
    raise exception using message = 'incremental model orders: new rows repeat a unique_key (id, k2) value, so merge cannot tell which row to keep. Deduplicate them in the model, or use incremental_strategy ''delete+insert''.';
  end if;
end
$tform$;
-- publish (one transaction): add column
alter table "analytics"."orders" add column "new_col" bigint;
-- publish (one transaction): change column type
alter table "analytics"."orders" alter column "amount" type double precision using "amount"::double precision;
-- publish (one transaction): drop column
alter table "analytics"."orders" drop column "old_col";
-- publish (one transaction): merge
merge into "analytics"."orders" as t
using "analytics"."orders__tform_tmp" as s
on t."id" = s."id" and t."k2" = s."k2"
when matched then update set "amount" = s."amount", "note" = s."note", "new_col" = s."new_col"
when not matched then insert ("id", "k2", "amount", "note", "new_col") values (s."id", s."k2", s."amount", s."note", s."new_col");
-- publish (one transaction): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
