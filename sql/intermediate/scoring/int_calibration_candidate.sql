-- The calibration the run date's distribution would give: a piecewise-linear map from the smoothed raw
-- score to 1–100 through anchors among people with an engaged audience:
--   raw 0 → 1,  median → 40,  95th percentile → 63,  99.9th percentile → 90,  maximum → 99,
--   and past the maximum the top slope continues up to 100.
-- meta.score_calibration freezes the first warm one per model_version (see score_calibration.sql); until a
-- version is frozen, scores use this one and are marked provisional.
-- grain: one row per segment of the map
-- key: segment
with

params as (
    select * from intermediate.int_model_parameters
),

smoothed as (
    select * from intermediate.int_person_factors_smoothed where as_of = getvariable('run_date')::date
),

raw as (
    select person_id, sum(value) as raw_score from smoothed group by person_id having sum(value) > 0
),

stats as (
    select
        count(*) as people,
        quantile_cont(raw_score, 0.5) as p50,
        quantile_cont(raw_score, 0.95) as p95,
        quantile_cont(raw_score, 0.999) as p999,
        max(raw_score) as pmax
    from raw
),

-- the window's days (UTC) with at least one weighted engagement: int_engagements_weighted's rows are the windowed
-- actions with weight, read here without the view's decay and behaviour join, and the day as a UTC day number
-- rather than `occurred_at::date`, a cast through the ICU calendar (docs/performance.md, "Pairs of accounts")
warmth as (
    select count(distinct floor(epoch(occurred_at) / 86400)) as days_with_engagement
    from intermediate.int_engagements_windowed
    where action_weight > 0
),

anchors as (
    select 1 as i, 0.0 as raw_at, 1.0 as score_at from stats
    union all select 2, p50, 40.0 from stats
    union all select 3, p95, 63.0 from stats
    union all select 4, p999, 90.0 from stats
    union all select 5, pmax, 99.0 from stats
),

-- keep strictly increasing anchors (small worlds can have p99.9 = max)
increasing as (
    select *
    from anchors
    qualify raw_at > coalesce(max(raw_at) over (order by i rows between unbounded preceding and 1 preceding), -1.0)
),

segments as (
    select
        row_number() over (order by i) as segment,
        raw_at as raw_from,
        lead(raw_at) over (order by i) as raw_to,
        score_at as score_from,
        lead(score_at) over (order by i) as score_to
    from increasing
),

-- the open top segment continues the last slope to 100
closed as (
    select segment, raw_from, raw_to, score_from, score_to from segments where raw_to is not null
    union all
    select
        s.segment,
        s.raw_from,
        s.raw_from + (100.0 - s.score_from) * coalesce((prev.raw_to - prev.raw_from) / nullif(prev.score_to - prev.score_from, 0), 1.0),
        s.score_from,
        100.0
    from segments as s
    left join segments as prev on prev.segment = s.segment - 1
    where s.raw_to is null
),

final as (
    select
        p.model_version,
        getvariable('run_date')::date as calibrated_on,
        c.segment,
        c.raw_from,
        c.raw_to,
        c.score_from,
        c.score_to,
        st.people as calibration_people,
        w.days_with_engagement,
        st.people >= p.calibration_min_people and w.days_with_engagement >= p.calibration_min_days as is_warm
    from closed as c
    cross join params as p
    cross join stats as st
    cross join warmth as w
)

select * from final
