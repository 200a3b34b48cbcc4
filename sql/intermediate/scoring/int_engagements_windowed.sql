-- The actions inside the score date's window, with the people on both sides and each action's weight.
-- Actions between two accounts of one person are dropped. The time decay, which changes every day for every
-- row, is int_engagements_weighted's: without it a night changes only the rows entering and leaving the window.
-- Computed on a night from what changed (changed_keys: network, interaction_id; README "Change logs"): the actions
-- int_interactions_unioned wrote, and through changed_keys_via (this model's .yml) the actions of the days that
-- entered or left int_window_days and of the accounts int_account_people moved to another person. Outside the runner
-- changed_keys is NULL and every action in the window is returned.
-- grain: one row per action in the window ending on the run date
-- key: network, origin, interaction_id (as in int_interactions_unioned)
with

interactions as (
    select * from intermediate.int_interactions_unioned
    where getvariable('changed_keys') is null
        or hash(network, interaction_id) in (select unnest(getvariable('changed_keys')::ubigint[]))
),

accounts as (
    select network, account_id, person_id from intermediate.int_account_people
),

weights as (
    select * from intermediate.int_action_weights
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
        coalesce(weights.action_weight, 0.0) as action_weight
    from windowed as w
    join accounts as actor on actor.network = w.network and actor.account_id = w.actor_account_id
    join accounts as target on target.network = w.network and target.account_id = w.target_account_id
    left join weights on weights.action = w.action
    where actor.person_id <> target.person_id
)

select * from final
