-- Each pair of accounts with weighted actions in the window, with the run date's weight of all of them together:
--   weight = weight_at_reference × 0.5^((window_end − reference) / half_life_days) × busy_discount(engager)
--            × (1 − bot_likelihood(engager))
-- which is the sum of int_engagements_weighted's weight over the pair's actions (int_engagement_pairs: the decay
-- of each action taken at a fixed reference, int_model_parameters.decay_reference_at, so that only this factor
-- changes with the run date).
-- A view, like int_engagements_weighted: every row's weight changes every night.
-- grain: one row per (network, actor account, target account) with weighted actions in the window
-- key: network, actor_account_id, target_account_id
with

pairs as (
    select * from intermediate.int_engagement_pairs where weighted_actions > 0
),

-- the end of the run date, UTC, from the window the build wrote (as in int_engagements_weighted), in half-lives
-- from the pairs' reference time
bounds as (
    select
        ((epoch(timezone('UTC', ((select max(day) from intermediate.int_window_days) + interval 1 day)::timestamp))
            - epoch(decay_reference_at)) / 86400.0) / half_life_days as half_lives
    from intermediate.int_model_parameters
),

behaviour as (
    select network, account_id, busy_discount, bot_likelihood from intermediate.int_account_behaviour
),

final as (
    select
        p.network,
        p.actor_account_id,
        p.actor_person_id,
        p.target_account_id,
        p.target_person_id,
        p.weighted_actions,
        p.weight_at_reference * pow(0.5, bounds.half_lives) * b.busy_discount * (1.0 - b.bot_likelihood) as weight
    from pairs as p
    cross join bounds
    join behaviour as b on b.network = p.network and b.account_id = p.actor_account_id
)

select * from final
