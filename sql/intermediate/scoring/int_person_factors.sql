-- A person's raw score for the run date, split into factors that add up to it. Per network the person's
-- strongest account counts; networks are combined strongest first, the i-th counting decay^(i-1), so adding
-- a network can only add (the sorted sum with falling weights never drops when a term is added). Each
-- network's weighted subscore w·R·(1 + A + N) is split into three factors:
--   true_reach = w·R,   amplification = w·R·A,   network_score = w·R·N
-- Their sum over all factors is the person's raw score. History accumulates one day per run (incremental).
-- grain: one row per score date × person × network × component
-- key: score_date, person_id, network, component
with

params as (
    select * from intermediate.int_model_parameters
),

subscores as (
    select * from intermediate.int_account_subscores where subscore > 0
),

per_network as (
    select *
    from subscores
    qualify row_number() over (partition by person_id, network order by round(subscore, 9) desc, account_id) = 1
),

ordered as (
    select
        *,
        pow((select network_combination_decay from params), row_number() over (partition by person_id order by round(subscore, 9) desc, network) - 1) as network_weight
    from per_network
),

components as (
    select person_id, network, account_id, network_weight, 'true_reach' as component, network_weight * reach_term as value from ordered
    union all
    select person_id, network, account_id, network_weight, 'amplification', network_weight * reach_term * amplification_term from ordered
    union all
    select person_id, network, account_id, network_weight, 'network_score', network_weight * reach_term * network_term from ordered
),

final as (
    select
        getvariable('run_date')::date as score_date,
        person_id,
        network,
        component,
        account_id,
        network_weight,
        value
    from components
)

select * from final
