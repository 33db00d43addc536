{{ config(materialized='ephemeral') }}
-- Purchases only; amounts under min_purchase_usd are store test purchases.
select
    event_id,
    user_id,
    event_ts,
    {{ event_day('event_ts') }} as event_date,
    cast(revenue_usd as decimal(10, 2)) as revenue_usd
from {{ ref('brz_events') }}
where event_type = 'purchase'
  and revenue_usd >= {{ var('min_purchase_usd') }}
