-- seed countries (seed) -> `acme-analytics`.`analytics_raw`.`countries`
-- pre: (none)
-- build: load seed into tmp
-- tform:job {"load":{"file":"<PROJECT_DIR>/seeds/countries.csv","destination":{"projectId":"acme-analytics","datasetId":"analytics_raw","tableId":"countries__tform_tmp"},"fields":[{"name":"code","type":"STRING","mode":"NULLABLE","maxLength":"2"},{"name":"name","type":"STRING","mode":"NULLABLE"},{"name":"population","type":"INTEGER","mode":"NULLABLE"},{"name":"share","type":"NUMERIC","mode":"NULLABLE","precision":"5","scale":"4"},{"name":"joined","type":"DATE","mode":"NULLABLE"},{"name":"active","type":"BOOLEAN","mode":"NULLABLE"}],"fieldDelimiter":";","skipLeadingRows":1,"writeDisposition":"WRITE_TRUNCATE"}}
-- load job: the CSV file into `acme-analytics`.`analytics_raw`.`countries__tform_tmp` (code STRING, name STRING, population INTEGER, share NUMERIC, joined DATE, active BOOLEAN);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-analytics","datasetId":"analytics_raw","tableId":"countries__tform_tmp"},"destination":{"projectId":"acme-analytics","datasetId":"analytics_raw","tableId":"countries"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-analytics`.`analytics_raw`.`countries__tform_tmp` replaces the rows and schema of `acme-analytics`.`analytics_raw`.`countries` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-analytics`.`analytics_raw`.`countries__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-analytics`.`analytics_raw`.`countries__tform_tmp`;
