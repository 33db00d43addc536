-- seed countries (seed) -> "main_raw"."countries"
-- pre: (none)
-- build: load seed into tmp
create table "main_raw"."countries__tform_tmp" as (
select * from read_csv('<PROJECT_DIR>/seeds/countries.csv', header = true, delim = ';', types = {'code': 'varchar(2)'})
);
-- publish (one transaction): swap
drop table if exists "main_raw"."countries";
-- publish (one transaction): swap
alter table "main_raw"."countries__tform_tmp" rename to "countries";
-- cleanup (on failure): drop tmp
drop table if exists "main_raw"."countries__tform_tmp";
