-- One row per user: lifetime profile folded from the daily panel.
select
    user_id,
    min(event_date) as install_date,
    max(event_date) as last_active_date,
    count(*) as active_days,
    sum(sessions) as total_sessions,
    sum(matches) as total_matches,
    sum(purchases) as total_purchases,
    sum(revenue_usd) as total_revenue_usd,
    sum(coins_delta) as total_coins_delta,
    sum(revenue_usd) > 0 as is_payer
from {{ ref('daily_user_panel') }}
group by user_id
