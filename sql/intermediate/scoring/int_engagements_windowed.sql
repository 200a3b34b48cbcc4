-- The actions inside the score date's window, with the people on both sides, each action's weight and
-- its time decay. Actions between two accounts of one person are dropped.
-- grain: one row per action in the window ending on the run date
-- key: network, origin, interaction_id (as in int_interactions_unioned)
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
        params.half_life_days
    from params
),

-- in the window (UTC days): see int_window_days for why this is a semi-join with the window's day numbers
windowed as (
    select i.*
    from interactions as i
    where floor(epoch(i.occurred_at) / 86400) in (select epoch_day from intermediate.int_window_days)
),

final as (
    select
        w.network,
        w.origin,
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
