-- Each engagement in the window with its final weight:
--   weight = action_weight × decay × busy_discount(engager) × (1 − bot_likelihood(engager))
--   decay  = 0.5^(age_days / half_life_days), age_days from occurred_at to the end of the run date (UTC)
-- Follows and subscriptions (action weight 0) are left out.
-- A view (materialized: view): every row's decay changes every night, so as a table it was rewritten whole each
-- night (10.8 s of a 120k-person build, 5.6M rows; 102-109 s at 1M people); its six readers compute it instead
-- (docs/performance.md, "int_engagements_weighted as a view" and "... at tier m": builds 0.88x the table's at both sizes).
-- grain: one row per weighted engagement in the window
-- key: network, origin, interaction_id (as in int_interactions_unioned)
with

engagements as (
    select * from intermediate.int_engagements_windowed
),

-- the end of the run date, UTC, taken from the window the build wrote (int_window_days ends on the run date): this
-- model is a view, and so gives the build's weights in any session, not only in one that sets run_date
bounds as (
    select
        timezone('UTC', ((select max(day) from intermediate.int_window_days) + interval 1 day)::timestamp) as window_end,
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
