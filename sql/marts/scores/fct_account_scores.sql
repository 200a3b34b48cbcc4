-- Each network account's components for the score date and its network subscore: the 1–100 score this
-- network alone would give (its subscore through the same calibration as the Clout Score, unsmoothed).
-- grain: one row per score date × network × account (accounts with posts or an engaged audience in the window)
-- key: score_date, network, account_id
with

params as (
    select * from intermediate.int_model_parameters
),

subscores as (
    select * from intermediate.int_account_subscores
),

frozen as (
    select * from meta.score_calibration where model_version = (select model_version from params)
),

calibration as (
    select segment, raw_from, raw_to, score_from, score_to from frozen
    union all
    select segment, raw_from, raw_to, score_from, score_to from intermediate.int_calibration_candidate
    where not exists (select 1 from frozen)
),

final as (
    select
        getvariable('run_date')::date as score_date,
        s.network,
        s.account_id,
        s.person_id,
        s.true_reach,
        s.engaged_people,
        s.amplification,
        s.posts,
        s.network_score,
        s.subscore,
        least(100.0, c.score_from + (s.subscore - c.raw_from) / (c.raw_to - c.raw_from) * (c.score_to - c.score_from)) as network_subscore
    from subscores as s
    asof join calibration as c on s.subscore >= c.raw_from
)

select * from final
