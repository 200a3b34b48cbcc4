-- The Clout Score of every person for the score date, 1–100.
--   raw score   the sum of the person's smoothed factors (int_person_factors_smoothed)
--   score       the raw score through the model version's calibration (meta.score_calibration; until the
--               version is frozen, the night's own candidate, and is_provisional is true)
--   score_change  score − the score the day before (the day before's smoothed raw, same calibration)
--   true_reach, amplification, network_score  the person's components on the score date, summed (reach)
--               or reach-weighted (the other two) over their networks
--   rank, percentile  among everyone scored that day (ties share a rank)
-- People without an engaged audience score 1.
-- grain: one row per score date × person
-- key: score_date, person_id
with

params as (
    select * from intermediate.int_model_parameters
),

people as (
    select distinct person_id from intermediate.int_accounts_resolved
),

smoothed as (
    select * from intermediate.int_person_factors_smoothed
),

frozen as (
    select * from meta.score_calibration where model_version = (select model_version from params)
),

candidate as (
    select model_version, calibrated_on, segment, raw_from, raw_to, score_from, score_to from intermediate.int_calibration_candidate
),

calibration as (
    select model_version, segment, raw_from, raw_to, score_from, score_to, false as is_provisional from frozen
    union all
    select model_version, segment, raw_from, raw_to, score_from, score_to, true from candidate
    where not exists (select 1 from frozen)
),

subscores as (
    select * from intermediate.int_account_subscores
),

raw_now as (
    select person_id, sum(value) as raw_score from smoothed where as_of = getvariable('run_date')::date group by person_id
),

raw_prev as (
    select person_id, sum(value) as raw_score from smoothed where as_of < getvariable('run_date')::date group by person_id
),

raws as (
    select p.person_id, coalesce(n.raw_score, 0.0) as raw_score, coalesce(r.raw_score, 0.0) as raw_score_prev
    from people as p
    left join raw_now as n using (person_id)
    left join raw_prev as r using (person_id)
),

mapped as (
    select
        r.*,
        least(100.0, c.score_from + (r.raw_score - c.raw_from) / (c.raw_to - c.raw_from) * (c.score_to - c.score_from)) as score,
        c.is_provisional
    from raws as r
    asof join calibration as c on r.raw_score >= c.raw_from
),

mapped_prev as (
    select
        r.person_id,
        least(100.0, c.score_from + (r.raw_score_prev - c.raw_from) / (c.raw_to - c.raw_from) * (c.score_to - c.score_from)) as score_prev
    from raws as r
    asof join calibration as c on r.raw_score_prev >= c.raw_from
),

components as (
    select
        person_id,
        sum(true_reach) as true_reach,
        sum(amplification * true_reach) / nullif(sum(true_reach), 0) as amplification,
        sum(network_score * true_reach) / nullif(sum(true_reach), 0) as network_score,
        list(distinct network order by network) filter (where subscore > 0) as scored_networks
    from subscores
    group by person_id
),

final as (
    select
        getvariable('run_date')::date as score_date,
        m.person_id,
        m.score,
        m.score - mp.score_prev as score_change,
        coalesce(c.true_reach, 0.0) as true_reach,
        coalesce(c.amplification, 0.0) as amplification,
        coalesce(c.network_score, 0.0) as network_score,
        coalesce(c.scored_networks, []) as scored_networks,
        m.raw_score,
        m.raw_score_prev,
        -- ranks compare scores to 9 decimals, so floating-point noise cannot split a tie
        rank() over (order by round(m.score, 9) desc) as rank,
        100.0 * percent_rank() over (order by round(m.score, 9)) as percentile,
        (select model_version from params) as model_version,
        m.is_provisional
    from mapped as m
    join mapped_prev as mp using (person_id)
    left join components as c using (person_id)
)

select * from final
