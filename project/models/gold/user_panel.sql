{#
  One row per user: the lifetime profile, folded from the daily panel (folds: in schema.yml).
  No SQL here: a run that only adds new days folds them into the users' lifetime rows (cost of
  one day); a run that re-processes days (lookback, backfill, late events) recomputes the users
  those days touch from their daily rows.
#}
{{ config(materialized='panel', panel_of='daily_user_panel') }}
