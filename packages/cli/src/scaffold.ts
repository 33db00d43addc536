/** Files of a new project: a working DuckDB pipeline from a seed through bronze, silver and gold. */
export function scaffold(name: string): Record<string, string> {
  return {
    'tform_project.yml': `name: ${name}
profile: ${name}
version: '1.0'

model-paths: [models]
seed-paths: [seeds]
macro-paths: [macros]
target-path: target

vars:
  min_revenue: 0

seeds:
  +schema: raw

models:
  bronze:
    +materialized: view
  silver:
    +materialized: view
  gold:
    +materialized: table
`,
    'profiles.yml': `${name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: target/${name}.duckdb
      schema: main
      threads: 4
`,
    'seeds/raw_orders.csv': `order_id,user_id,ordered_at,amount
1,10,2024-01-01 10:00:00,9.99
2,11,2024-01-01 11:30:00,4.99
3,10,2024-01-02 09:15:00,19.99
4,12,2024-01-02 17:45:00,0.99
`,
    'models/sources.yml': `version: 2
sources:
  - name: raw
    schema: "{{ target.schema }}_raw"
    tables:
      - name: raw_orders
`,
    'models/bronze/brz_orders.sql': `select * from {{ source('raw', 'raw_orders') }}
`,
    'models/silver/slv_orders.sql': `select
  order_id,
  user_id,
  cast(ordered_at as timestamp) as ordered_at,
  cast(amount as decimal(12, 2)) as amount
from {{ ref('brz_orders') }}
where amount > {{ var('min_revenue') }}
`,
    'models/gold/daily_revenue.sql': `select
  {{ day('ordered_at') }} as day,
  count(*) as orders,
  sum(amount) as revenue
from {{ ref('slv_orders') }}
group by 1
order by 1
`,
    'macros/day.sql': `{% macro day(column) %}cast({{ column }} as date){% endmacro %}
`,
  };
}
