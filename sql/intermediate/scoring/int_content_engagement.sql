-- What each piece of content earned in the window: weighted engagement, and the distinct people who engaged,
-- each saturated like true reach. Feeds amplification and the moments.
-- grain: one row per piece of content engaged with in the window
-- key: network, content_id
with

params as (
    select * from intermediate.int_model_parameters
),

engagements as (
    select * from intermediate.int_engagements_weighted where target_content_id is not null
),

per_engager as (
    select network, target_content_id as content_id, target_account_id as account_id, actor_person_id, sum(weight) as weight, count(*) as engagements
    from engagements
    group by all
),

final as (
    select
        e.network,
        e.content_id,
        e.account_id,
        sum(e.weight) as weighted_engagement,
        sum(1.0 - exp(-e.weight / p.saturation_weight)) as engaged_weight,
        count(*) as engaged_people,
        sum(e.engagements) as engagements
    from per_engager as e
    cross join params as p
    group by e.network, e.content_id, e.account_id
)

select * from final
