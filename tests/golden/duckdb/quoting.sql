-- model odd (table) -> "main_Sales"."Order ""Items"" v2"
-- pre: (none)
-- build: create tmp table
create table "main_Sales"."Order ""Items"" v2__tform_tmp" as (

select 1 as "Weird ""col"""
);
-- publish (one transaction): swap
alter table "main_Sales"."Order ""Items"" v2__tform_tmp" rename to "Order ""Items"" v2";
-- cleanup (on failure): drop tmp
drop table if exists "main_Sales"."Order ""Items"" v2__tform_tmp";
