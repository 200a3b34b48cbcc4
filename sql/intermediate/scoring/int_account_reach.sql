-- True reach: the people who actually act on an account's content, each counted once. What one person
-- gives an account saturates: 1 − exp(−Σ weight / saturation_weight), so one person engaging 1,000 times
-- counts at most 1, about as much as a few engagements. Follower counts never enter.
-- grain: one row per network account with an engaged audience in the window
-- key: network, account_id
with

params as (
    select * from intermediate.int_model_parameters
),

-- the engager accounts of each account, with the run date's weight of their actions together (one row per pair of
-- accounts: int_engagement_pair_weights sums int_engagements_weighted's weights by pair)
pairs as (
    select * from intermediate.int_engagement_pair_weights
),

per_engager as (
    select network, target_account_id as account_id, actor_person_id, sum(weight) as weight, cast(sum(weighted_actions) as bigint) as engagements
    from pairs
    group by all
),

final as (
    select
        e.network,
        e.account_id,
        sum(1.0 - exp(-e.weight / p.saturation_weight)) as true_reach,
        count(*) as engaged_people,
        sum(e.engagements) as engagements
    from per_engager as e
    cross join params as p
    group by all
)

select * from final
