-- One row per day: the studio's headline numbers.
select
    event_date,
    count(distinct user_id) as dau,
    sum(sessions) as sessions,
    sum(matches) as matches,
    sum(revenue_usd) as revenue_usd,
    round(sum(revenue_usd) / count(distinct user_id), 4) as arpdau_usd,
    count(distinct user_id) filter (where revenue_usd > 0) as payers
from {{ ref('daily_user_panel') }}
group by event_date
order by event_date
