-- Each network account's three components and its network subscore for the run date:
--   true_reach      from int_account_reach (0 without an engaged audience)
--   amplification   from int_account_amplification
--   network_score   PageRank × nodes in that network's graph (1 = an average account; > 1 = an audience
--                   that is itself engaged with)
--   subscore        ln(1 + true_reach) × (1 + w_a·ln(1 + amplification) + w_n·ln(1 + network_score))
-- Without an engaged audience the subscore is 0, whatever else: nobody acting on you means no influence.
-- grain: one row per network account with an engaged audience or posts in the window
-- key: network, account_id
with

params as (
    select * from intermediate.int_model_parameters
),

reach as (
    select * from intermediate.int_account_reach
),

amplification as (
    select * from intermediate.int_account_amplification
),

ranks as (
    select * from intermediate.int_account_pagerank
),

graph_size as (
    select graph, count(*) as nodes from ranks group by graph
),

accounts as (
    select network, account_id, person_id from intermediate.int_accounts_resolved
),

joined as (
    select
        a.network,
        a.account_id,
        acc.person_id,
        coalesce(r.true_reach, 0.0) as true_reach,
        coalesce(r.engaged_people, 0) as engaged_people,
        a.amplification,
        a.posts,
        coalesce(pr.rank * g.nodes, 0.0) as network_score
    from amplification as a
    join accounts as acc on acc.network = a.network and acc.account_id = a.account_id
    left join reach as r on r.network = a.network and r.account_id = a.account_id
    left join ranks as pr on pr.graph = a.network and pr.node = a.account_id
    left join graph_size as g on g.graph = a.network
),

final as (
    select
        j.*,
        ln(1.0 + j.true_reach) as reach_term,
        p.amplification_weight * ln(1.0 + j.amplification) as amplification_term,
        p.network_score_weight * ln(1.0 + j.network_score) as network_term,
        ln(1.0 + j.true_reach) * (1.0 + p.amplification_weight * ln(1.0 + j.amplification) + p.network_score_weight * ln(1.0 + j.network_score)) as subscore
    from joined as j
    cross join params as p
)

select * from final
