-- config: {"incremental_strategy":"append","on_schema_change":"ignore"}
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
-- publish refused: orders: the existing table has column old_col that the model no longer produces (on_schema_change 'ignore' writes the table's columns)
-- hint: set on_schema_change to append_new_columns (leaves them NULL in new rows) or sync_all_columns (drops them), or run with --full-refresh
-- cleanup (on failure): drop tmp
drop table if exists "analytics"."orders__tform_tmp";
