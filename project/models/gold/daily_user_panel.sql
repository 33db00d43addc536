-- One row per user per day: what each player did that day. A panel: maintained day by day,
-- one batch per day, refs filtered to that day; a NULL user_id or two rows of one user and day
-- are refused before anything is written.
{{ config(
    materialized='panel',
    entity='user_id',
    event_time='event_date',
    batch_size='day',
    begin='2024-03-01',
    lookback=1
) }}
with activity as (
    select
        user_id,
        event_date,
        count(*) filter (where event_type = 'session_start') as sessions,
        count(*) filter (where event_type = 'match_end') as matches,
        sum(coins_delta) as coins_delta
    from {{ ref('stg_events') }}
    group by user_id, event_date
),
spend as (
    select user_id, event_date, sum(revenue_usd) as revenue_usd, count(*) as purchases
    from {{ ref('stg_purchases') }}
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
