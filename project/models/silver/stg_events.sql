-- Silver: typed, deduplicated events with the calendar day they belong to (UTC).
-- Built day by day (microbatch): each run processes the days not processed yet, the day
-- before them again (lookback: late events), and today so far; ref('brz_events') reads only
-- the batch's day because brz_events declares event_time.
{{ config(
    materialized='incremental',
    incremental_strategy='microbatch',
    event_time='event_ts',
    batch_size='day',
    begin='2024-03-01',
    lookback=1
) }}
with ranked as (
    select
        *,
        row_number() over (partition by event_id order by event_ts) as copy_no
    from {{ ref('brz_events') }}
)
select
    cast(event_id as bigint) as event_id,
    cast(user_id as bigint) as user_id,
    lower(event_type) as event_type,
    event_ts,
    {{ event_day('event_ts') }} as event_date,
    platform,
    upper(country) as country,
    coalesce(cast(coins_delta as integer), 0) as coins_delta,
    match_id
from ranked
where copy_no = 1
