-- relationships_orders_customer_id__id__ref_customers_ (count)
with child as (
  select customer_id as from_field
  from (select * from "main"."orders__tform_tmp" where ordered_at > '2024-01-01') tform_where
  where customer_id is not null
),
parent as (
  select id as to_field
  from "main"."customers"
)
select count(*) as failures
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null;

-- failing rows
with child as (
  select customer_id as from_field
  from (select * from "main"."orders__tform_tmp" where ordered_at > '2024-01-01') tform_where
  where customer_id is not null
),
parent as (
  select id as to_field
  from "main"."customers"
)
select child.from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
limit 5;
