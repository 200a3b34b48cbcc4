-- Each pair of accounts in the window (engager account → engaged account) with what its actions add up to, free of
-- the run date: how many actions, with weight and follows, and their decayed weight taken at a fixed reference time
-- instead of at the end of the run date:
--   weight_at_reference = Σ action_weight × 2^((occurred_at − reference) / half_life_days), weighted actions only
-- int_engagement_pair_weights multiplies it by 0.5^((window_end − reference) / half_life_days), which gives
-- Σ action_weight × 0.5^((window_end − occurred_at) / half_life_days): the pair's sum of int_engagements_weighted's
-- action_weight × decay.
-- A pair's row changes only when one of its actions enters, leaves or changes in the window, so this is a merge
-- table computed on a night from int_engagements_windowed's change log, kept by this model's three key columns
-- (changed_keys; README "Change logs"). The nightly decay, which changes every row of a weight taken at the run
-- date, is applied by the reader. Its readers (int_account_behaviour, int_account_reach, int_account_pagerank)
-- group these rows, not the actions: 6.4M pairs for 14.3M actions at 240k people.
-- The reference is int_model_parameters.decay_reference_at, 2020-01-01 UTC. A term 2^e overflows a double past
-- e = 1023, so an action more than 1,000 half-lives from it fails the build (error()) rather than giving infinity;
-- with the 30-day half-life that is the years 1938 to 2102.
-- A pair's terms are added in ascending order (list_sum of the sorted list): a plain or compensated sum (fsum) adds
-- them in whatever order the threads meet them, and a pair computed on a night then differed from the same pair
-- computed whole in the last bit (test/e2e/nightly.test.ts compares every row). At 240k people, 14.3M actions:
-- sum 3.6 s, fsum 3.1 s, the sorted list 5.6 s, sum(… order by …) 17.2 s; on a night only changed pairs are summed.
-- grain: one row per (network, actor account, target account) with actions in the window
-- key: network, actor_account_id, target_account_id
with

params as (
    select half_life_days, decay_reference_at, epoch(decay_reference_at) as reference from intermediate.int_model_parameters
),

engagements as (
    select
        e.*,
        ((epoch(e.occurred_at) - p.reference) / 86400.0) / p.half_life_days as half_lives,
        p.decay_reference_at
    from intermediate.int_engagements_windowed as e
    cross join params as p
    where getvariable('changed_keys') is null
        or hash(e.network, e.actor_account_id, e.target_account_id) in (select unnest(getvariable('changed_keys')::ubigint[]))
),

final as (
    select
        network,
        actor_account_id,
        actor_person_id,
        target_account_id,
        target_person_id,
        count(*) as actions,
        count(*) filter (where action_weight > 0) as weighted_actions,
        count(*) filter (where action in ('follow', 'subscribe')) as follows,
        coalesce(list_sum(list_sort(list(action_weight * case
            when abs(half_lives) <= 1000 then pow(2.0, half_lives)
            else error('int_engagement_pairs: an action at ' || occurred_at::varchar || ' is more than 1,000 half-lives from ' || decay_reference_at::varchar)
        end) filter (where action_weight > 0))), 0.0) as weight_at_reference
    from engagements
    group by network, actor_account_id, actor_person_id, target_account_id, target_person_id
)

select * from final
