-- model odd (table) -> `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2`
-- pre: (none)
-- build: create tmp table
create table `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2__tform_tmp` as (

select 1 as `Weird col`
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics_Sales","tableId":"Order `Items` v2__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics_Sales","tableId":"Order `Items` v2"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2__tform_tmp`;
-- publish (one transaction): grant
grant `roles/bigquery.dataViewer` on table `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2` to 'user:ana@example.com', 'group:bi@example.com';
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics_Sales`.`Order \`Items\` v2__tform_tmp`;
