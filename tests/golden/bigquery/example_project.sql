-- compiled: models/bronze/brz_events.sql (view) -> `acme-games`.`game`.`brz_events`
-- Bronze: the raw event fact exactly as received, with the load's own columns only.
select
    event_id,
    user_id,
    event_type,
    event_ts,
    platform,
    country,
    revenue_usd,
    coins_delta,
    match_id
from `acme-games`.`game_raw`.`raw_events`

-- compiled: models/gold/daily_kpis.sql (table) -> `acme-games`.`game_gold`.`daily_kpis`
-- One row per day: the studio's headline numbers.
select
    event_date,
    count(distinct user_id) as dau,
    sum(sessions) as sessions,
    sum(matches) as matches,
    sum(revenue_usd) as revenue_usd,
    round(sum(revenue_usd) / count(distinct user_id), 4) as arpdau_usd,
    count(distinct user_id) filter (where revenue_usd > 0) as payers
from `acme-games`.`game_gold`.`daily_user_panel`
group by event_date
order by event_date

-- compiled: models/gold/daily_user_panel.sql (panel) -> `acme-games`.`game_gold`.`daily_user_panel`
-- One row per user per day: what each player did that day. A panel: maintained day by day,
-- one batch per day, refs filtered to that day; a NULL user_id or two rows of one user and day
-- are refused before anything is written.

with __tform_cte__stg_purchases as (
-- Purchases only; amounts under min_purchase_usd are store test purchases.
select
    event_id,
    user_id,
    event_ts,
    cast(event_ts as date) as event_date,
    cast(revenue_usd as decimal(10, 2)) as revenue_usd
from `acme-games`.`game`.`brz_events`
where event_type = 'purchase'
  and revenue_usd >= 0.5
),
activity as (
    select
        user_id,
        event_date,
        count(*) filter (where event_type = 'session_start') as sessions,
        count(*) filter (where event_type = 'match_end') as matches,
        sum(coins_delta) as coins_delta
    from `acme-games`.`game_silver`.`stg_events`
    group by user_id, event_date
),
spend as (
    select user_id, event_date, sum(revenue_usd) as revenue_usd, count(*) as purchases
    from __tform_cte__stg_purchases
    group by user_id, event_date
)
select
    a.user_id,
    a.event_date,
    a.sessions,
    a.matches,
    coalesce(s.purchases, 0) as purchases,
    coalesce(s.revenue_usd, 0) as revenue_usd,
    a.coins_delta
from activity a
left join spend s using (user_id, event_date)

-- compiled: models/silver/stg_events.sql (incremental) -> `acme-games`.`game_silver`.`stg_events`
-- Silver: typed, deduplicated events with the calendar day they belong to (UTC).
-- Built day by day (microbatch): each run processes the days not processed yet, the day
-- before them again (lookback: late events), and today so far; ref('brz_events') reads only
-- the batch's day because brz_events declares event_time.

with ranked as (
    select
        *,
        row_number() over (partition by event_id order by event_ts) as copy_no
    from `acme-games`.`game`.`brz_events`
)
select
    cast(event_id as bigint) as event_id,
    cast(user_id as bigint) as user_id,
    lower(event_type) as event_type,
    event_ts,
    cast(event_ts as date) as event_date,
    platform,
    upper(country) as country,
    coalesce(cast(coins_delta as integer), 0) as coins_delta,
    match_id
from ranked
where copy_no = 1

-- compiled: models/silver/stg_purchases.sql (ephemeral) -> 

-- Purchases only; amounts under min_purchase_usd are store test purchases.
select
    event_id,
    user_id,
    event_ts,
    cast(event_ts as date) as event_date,
    cast(revenue_usd as decimal(10, 2)) as revenue_usd
from `acme-games`.`game`.`brz_events`
where event_type = 'purchase'
  and revenue_usd >= 0.5

-- compiled: models/gold/user_panel.sql (panel) -> `acme-games`.`game_gold`.`user_panel`



-- seed raw_events (seed) -> `acme-games`.`game_raw`.`raw_events`
-- pre: (none)
-- build: load seed into tmp
-- tform:job {"load":{"file":"<PROJECT_DIR>/seeds/raw_events.csv","destination":{"projectId":"acme-games","datasetId":"game_raw","tableId":"raw_events__tform_tmp"},"fields":[{"name":"event_id","type":"INTEGER","mode":"NULLABLE"},{"name":"user_id","type":"INTEGER","mode":"NULLABLE"},{"name":"event_type","type":"STRING","mode":"NULLABLE"},{"name":"event_ts","type":"TIMESTAMP","mode":"NULLABLE"},{"name":"platform","type":"STRING","mode":"NULLABLE"},{"name":"country","type":"STRING","mode":"NULLABLE"},{"name":"revenue_usd","type":"NUMERIC","mode":"NULLABLE","precision":"10","scale":"2"},{"name":"coins_delta","type":"INTEGER","mode":"NULLABLE"},{"name":"match_id","type":"STRING","mode":"NULLABLE"}],"fieldDelimiter":",","skipLeadingRows":1,"writeDisposition":"WRITE_TRUNCATE"}}
-- load job: the CSV file into `acme-games`.`game_raw`.`raw_events__tform_tmp` (event_id INTEGER, user_id INTEGER, event_type STRING, event_ts TIMESTAMP, platform STRING, country STRING, revenue_usd NUMERIC, coins_delta INTEGER, match_id STRING);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-games","datasetId":"game_raw","tableId":"raw_events__tform_tmp"},"destination":{"projectId":"acme-games","datasetId":"game_raw","tableId":"raw_events"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-games`.`game_raw`.`raw_events__tform_tmp` replaces the rows and schema of `acme-games`.`game_raw`.`raw_events` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-games`.`game_raw`.`raw_events__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-games`.`game_raw`.`raw_events__tform_tmp`;

-- model brz_events (view) -> `acme-games`.`game`.`brz_events`
-- pre: (none)
-- build: create tmp view
create view `acme-games`.`game`.`brz_events__tform_tmp` as (
-- Bronze: the raw event fact exactly as received, with the load's own columns only.
select
    event_id,
    user_id,
    event_type,
    event_ts,
    platform,
    country,
    revenue_usd,
    coins_delta,
    match_id
from `acme-games`.`game_raw`.`raw_events`
);
-- publish (one transaction): swap
create or replace view `acme-games`.`game`.`brz_events` as (
-- Bronze: the raw event fact exactly as received, with the load's own columns only.
select
    event_id,
    user_id,
    event_type,
    event_ts,
    platform,
    country,
    revenue_usd,
    coins_delta,
    match_id
from `acme-games`.`game_raw`.`raw_events`
);
-- publish (one transaction): swap
drop view if exists `acme-games`.`game`.`brz_events__tform_tmp`;
-- cleanup (on failure): drop tmp
drop view if exists `acme-games`.`game`.`brz_events__tform_tmp`;

-- model stg_events (incremental) -> `acme-games`.`game_silver`.`stg_events`
-- pre: (none)
-- build: (none)
-- publish (one transaction): (none)
-- cleanup (on failure): (none)

-- model daily_user_panel (panel) -> `acme-games`.`game_gold`.`daily_user_panel`
-- pre: (none)
-- build: (none)
-- publish (one transaction): (none)
-- cleanup (on failure): (none)

-- model daily_kpis (table) -> `acme-games`.`game_gold`.`daily_kpis`
-- pre: (none)
-- build: create tmp table
create table `acme-games`.`game_gold`.`daily_kpis__tform_tmp` as (
-- One row per day: the studio's headline numbers.
select
    event_date,
    count(distinct user_id) as dau,
    sum(sessions) as sessions,
    sum(matches) as matches,
    sum(revenue_usd) as revenue_usd,
    round(sum(revenue_usd) / count(distinct user_id), 4) as arpdau_usd,
    count(distinct user_id) filter (where revenue_usd > 0) as payers
from `acme-games`.`game_gold`.`daily_user_panel`
group by event_date
order by event_date
);
-- publish (one transaction): swap
-- tform:job {"copy":{"source":{"projectId":"acme-games","datasetId":"game_gold","tableId":"daily_kpis__tform_tmp"},"destination":{"projectId":"acme-games","datasetId":"game_gold","tableId":"daily_kpis"},"writeDisposition":"WRITE_TRUNCATE"}}
-- copy job: `acme-games`.`game_gold`.`daily_kpis__tform_tmp` replaces the rows and schema of `acme-games`.`game_gold`.`daily_kpis` atomically (WRITE_TRUNCATE; not billed as a query);
-- publish (one transaction): swap
drop table if exists `acme-games`.`game_gold`.`daily_kpis__tform_tmp`;
-- cleanup (on failure): drop tmp
drop table if exists `acme-games`.`game_gold`.`daily_kpis__tform_tmp`;

-- model user_panel (panel) -> `acme-games`.`game_gold`.`user_panel`
-- pre: (none)
-- build: (none)
-- publish (one transaction): (none)
-- cleanup (on failure): (none)
