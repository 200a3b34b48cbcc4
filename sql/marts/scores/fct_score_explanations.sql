-- Why a score changed since the day before, factor by factor. Each factor is one network's component
-- (true_reach, amplification, network_score) of the smoothed raw score; its contribution is its own change
-- times the calibration's slope between yesterday's and today's raw score:
--   contribution = (value_now − value_prev) × (score − score_prev) / (raw_score − raw_score_prev)
-- (the segment's slope when the raw score did not move). The contributions of a person add up to
-- score_change exactly.
-- grain: one row per score date × person × factor (factors that were non-zero on either day)
-- key: score_date, person_id, factor
with

params as (
    select * from intermediate.int_model_parameters
),

smoothed as (
    select * from intermediate.int_person_factors_smoothed
),

scores as (
    select * from marts.fct_person_scores where score_date = getvariable('run_date')::date
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

factors as (
    select
        person_id,
        network,
        component,
        sum(value) filter (where as_of = getvariable('run_date')::date) as value_now,
        sum(value) filter (where as_of < getvariable('run_date')::date) as value_prev
    from smoothed
    group by all
),

slopes as (
    select
        s.person_id,
        s.score_change,
        case
            when s.raw_score <> s.raw_score_prev then s.score_change / (s.raw_score - s.raw_score_prev)
            else (c.score_to - c.score_from) / (c.raw_to - c.raw_from)
        end as slope
    from scores as s
    asof join calibration as c on s.raw_score >= c.raw_from
),

final as (
    select
        getvariable('run_date')::date as score_date,
        f.person_id,
        f.network || ' ' || replace(f.component, '_', ' ') as factor,
        f.network,
        f.component,
        coalesce(f.value_prev, 0.0) as value_prev,
        coalesce(f.value_now, 0.0) as value_now,
        (coalesce(f.value_now, 0.0) - coalesce(f.value_prev, 0.0)) * s.slope as contribution
    from factors as f
    join slopes as s using (person_id)
)

select * from final
