-- Each engagement in the window with its final weight:
--   weight = action_weight × decay × busy_discount(engager) × (1 − bot_likelihood(engager))
--   decay  = 0.5^(age_days / half_life_days), age_days from occurred_at to the end of the run date (UTC)
-- Follows and subscriptions (action weight 0) are left out.
-- grain: one row per weighted engagement in the window
-- key: network, origin, interaction_id (as in int_interactions_unioned)
with

engagements as (
    select * from intermediate.int_engagements_windowed
),

bounds as (
    select
        (getvariable('run_date')::date + interval 1 day)::timestamptz as window_end,
        half_life_days
    from intermediate.int_model_parameters
),

behaviour as (
    select network, account_id, busy_discount, bot_likelihood from intermediate.int_account_behaviour
),

decayed as (
    select
        e.*,
        pow(0.5, ((epoch(b.window_end) - epoch(e.occurred_at)) / 86400.0) / b.half_life_days) as decay
    from engagements as e
    cross join bounds as b
    where e.action_weight > 0
),

final as (
    select
        e.network,
        e.origin,
        e.interaction_id,
        e.actor_account_id,
        e.actor_person_id,
        e.target_account_id,
        e.target_person_id,
        e.target_content_id,
        e.action,
        e.occurred_at,
        e.action_weight,
        e.decay,
        b.busy_discount,
        b.bot_likelihood as actor_bot_likelihood,
        e.action_weight * e.decay * b.busy_discount * (1.0 - b.bot_likelihood) as weight
    from decayed as e
    join behaviour as b on b.network = e.network and b.account_id = e.actor_account_id
)

select * from final
