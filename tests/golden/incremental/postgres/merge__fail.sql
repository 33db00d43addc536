-- config: {"incremental_strategy":"merge","unique_key":["id","k2"],"on_schema_change":"fail"}
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
-- publish refused: orders: the model's columns no longer match the existing table and on_schema_change is 'fail': added new_col (bigint); removed old_col; type changed amount (numeric(10,2) -> double precision)
-- hint: run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns or sync_all_columns
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
