-- config: {"incremental_strategy":"append","on_schema_change":"fail"}
-- existing: table
-- mode: incremental run
-- target columns: id INTEGER, k2 INTEGER, amount DECIMAL(10,2), note VARCHAR, old_col VARCHAR
-- tmp columns: id INTEGER, k2 INTEGER, amount DOUBLE, note VARCHAR, new_col BIGINT
-- model orders (incremental) -> "analytics"."orders"
-- pre: (none)
-- build: create tmp table
create table "analytics"."orders__tform_tmp" as (
select *
from "analytics"."new_orders"
);
-- publish refused: orders: the model's columns no longer match the existing table and on_schema_change is 'fail': added new_col (BIGINT); removed old_col; type changed amount (DECIMAL(10,2) -> DOUBLE)
-- hint: run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns or sync_all_columns
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
