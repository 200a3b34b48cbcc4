-- Network score, step 1: the engagement graph of each network, ranked by weighted PageRank.
-- This file gives the edges (engager account → author account, weight = the saturated weight of what the
-- engager gave); the `pagerank` materialization (src/lib/pagerank.ts, networkx's conventions) iterates to
-- convergence and stores one row per account: graph (the network), node (account_id), rank (sums to 1
-- per network). Parameters in the .yml beside this file.
-- grain: one row per network account in the engagement graph
-- key: graph, node
with

params as (
    select * from intermediate.int_model_parameters
),

-- one row per engager account → engaged account, with the run date's weight of its actions together
pairs as (
    select network, actor_account_id, target_account_id, weight from intermediate.int_engagement_pair_weights
),

final as (
    select
        network as graph,
        actor_account_id as src,
        target_account_id as dst,
        1.0 - exp(-weight / (select saturation_weight from params)) as weight
    from pairs
    where weight > 0
)

select * from final
