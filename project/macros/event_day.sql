{# The calendar day (UTC) an event timestamp falls on. #}
{% macro event_day(column) -%}
cast({{ column }} as date)
{%- endmacro %}
