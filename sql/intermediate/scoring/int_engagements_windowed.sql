-- The actions inside the score date's window, with the people on both sides, each action's weight and
-- its time decay. Actions between two accounts of one person are dropped.
-- grain: one row per action in the window ending on the run date
-- key: network, interaction_id
with

params as (
    select * from intermediate.int_model_parameters
),

interactions as (
    select * from intermediate.int_interactions_unioned
),

accounts as (
    select network, account_id, person_id from intermediate.int_accounts_resolved
),

weights as (
    select * from intermediate.int_action_weights
),

bounds as (
    select
        (getvariable('run_date')::date + interval 1 day)::timestamptz as window_end,
        (getvariable('run_date')::date - to_days(params.window_days - 1))::timestamptz as window_start,
        params.half_life_days
    from params
),

windowed as (
    select i.*
    from interactions as i, bounds as b
    where i.occurred_at >= b.window_start and i.occurred_at < b.window_end
),

final as (
    select
        w.network,
        w.interaction_id,
        w.actor_account_id,
        actor.person_id as actor_person_id,
        w.target_account_id,
        target.person_id as target_person_id,
        w.target_content_id,
        w.action,
        w.reaction_type,
        w.occurred_at,
        (epoch(b.window_end) - epoch(w.occurred_at)) / 86400.0 as age_days,
        coalesce(weights.action_weight, 0.0) as action_weight,
        pow(0.5, ((epoch(b.window_end) - epoch(w.occurred_at)) / 86400.0) / b.half_life_days) as decay
    from windowed as w
    cross join bounds as b
    join accounts as actor on actor.network = w.network and actor.account_id = w.actor_account_id
    join accounts as target on target.network = w.network and target.account_id = w.target_account_id
    left join weights on weights.action = w.action
    where actor.person_id <> target.person_id
)

select * from final
