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
from {{ source('game', 'raw_events') }}
