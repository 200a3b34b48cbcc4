-- How each account behaves in the window, and what that says about whether it is a bot. Clout never reads
-- any bot label: the likelihood comes from behaviour alone, three patterns, the strongest one winning:
--   ring   — a closed audience: nearly everyone who engages it is someone it engages, repeatedly
--            (engagement rings that like and repost each other);
--   spray  — it engages far more than anyone engages it back, across many people (reply-bait bots,
--            engage-everything accounts);
--   follow farm — it follows en masse and never engages.
-- The same behaviour gives the busy-reactor discount: engaging many distinct people makes each
-- engagement worth less.
-- Integer counts are cast to double before dividing: DuckDB (and Spark) divide integers exactly anyway,
-- Trino truncates (docs/scaling.md).
-- grain: one row per network account that acted or was acted on in the window
-- key: network, account_id
with

params as (
    select * from intermediate.int_model_parameters
),

-- One pass over the window's pairs of accounts (int_engagement_pairs: one row per engager account and engaged account,
-- with its counts) per side, grouping by the person on the other side: how many actions with weight, and follows, each
-- account gave each person, and with weight each account received from each person. The counts per account below are
-- sums and counts of these rows: grouping twice cost less than count(distinct …) per account, and given_by_person
-- also gives engaged_pairs (docs/performance.md, "int_account_behaviour: grouping twice instead of count distinct").
-- An account has one person (int_accounts_resolved's key), so actor_person_id in the key splits no group.
-- int_engagement_pairs is read once for each side, not through one shared CTE: DuckDB materializes a CTE read more
-- than once. given_by_person is read twice and materialized (24.8M rows at 1M people).
given_by_person as (
    select
        network,
        actor_account_id,
        actor_person_id,
        target_person_id,
        cast(sum(weighted_actions) as bigint) as weighted,
        cast(sum(follows) as bigint) as follows
    from intermediate.int_engagement_pairs
    group by all
),

received_by_person as (
    select
        network,
        target_account_id,
        actor_person_id,
        cast(sum(weighted_actions) as bigint) as weighted
    from intermediate.int_engagement_pairs
    group by all
),

given as (
    select
        network,
        actor_account_id as account_id,
        cast(sum(weighted) as bigint) as given_count,
        count(*) filter (where weighted > 0) as given_people,
        cast(sum(follows) as bigint) as follows_given
    from given_by_person
    group by all
),

received as (
    select
        network,
        target_account_id as account_id,
        cast(sum(weighted) as bigint) as received_count,
        count(*) filter (where weighted > 0) as received_people
    from received_by_person
    group by all
),

-- engagers of an account that the account engages too (by person)
engaged_pairs as (
    select network, actor_account_id, target_person_id, actor_person_id
    from given_by_person
    where weighted > 0
),

reciprocal as (
    select a.network, a.actor_account_id as account_id, count(distinct a.target_person_id) as reciprocal_people
    from engaged_pairs as a
    join engaged_pairs as b
      on b.network = a.network and b.actor_person_id = a.target_person_id and b.target_person_id = a.actor_person_id
    group by all
),

joined as (
    select
        coalesce(g.network, r.network) as network,
        coalesce(g.account_id, r.account_id) as account_id,
        coalesce(g.given_count, 0) as given_count,
        coalesce(g.given_people, 0) as given_people,
        coalesce(g.follows_given, 0) as follows_given,
        coalesce(r.received_count, 0) as received_count,
        coalesce(r.received_people, 0) as received_people,
        coalesce(x.reciprocal_people, 0) as reciprocal_people
    from given as g
    full outer join received as r on r.network = g.network and r.account_id = g.account_id
    left join reciprocal as x on x.network = coalesce(g.network, r.network) and x.account_id = coalesce(g.account_id, r.account_id)
),

scored as (
    select
        j.*,
        case when j.received_people > 0 then cast(j.reciprocal_people as double) / j.received_people else 0 end as closed_audience_share,
        case when j.given_people > 0 then cast(j.given_count as double) / j.given_people else 0 end as repeat_per_person,
        -- ring: closed audience², scaled up to 1 as the ring reaches bot_ring_min_people and the repeat rate bot_ring_min_repeat
        pow(case when j.received_people > 0 then cast(j.reciprocal_people as double) / j.received_people else 0 end, 2)
            * least(1.0, cast(j.received_people as double) / p.bot_ring_min_people)
            * least(1.0, (case when j.given_people > 0 then cast(j.given_count as double) / j.given_people else 0 end) / p.bot_ring_min_repeat)
            as bot_ring,
        -- spray: 0 at 10× more given than received, 1 at 1000×, scaled by how many people it sprays
        least(1.0, greatest(0.0, log10((j.given_count + 1.0) / (j.received_count + 1.0)) - 1.0) / 2.0)
            * least(1.0, cast(j.given_people as double) / p.bot_spray_min_people)
            as bot_spray,
        case when j.given_count = 0 then least(1.0, cast(j.follows_given as double) / p.bot_follow_farm_follows) else 0.0 end as bot_follow_farm,
        least(1.0, sqrt(cast(p.busy_reactor_threshold as double) / greatest(j.given_people, 1))) as busy_discount
    from joined as j
    cross join params as p
),

final as (
    select
        *,
        greatest(bot_ring, bot_spray, bot_follow_farm) as bot_likelihood
    from scored
)

select * from final
