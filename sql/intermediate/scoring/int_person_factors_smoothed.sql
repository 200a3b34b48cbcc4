-- Day-to-day smoothing of the raw score factors: for the run date and the day before, each factor is the
-- weighted mean of its last smoothing_days daily values (weight smoothing_decay^k for the value k days back;
-- a day without a value counts 0). Smoothing each factor keeps the factors adding up to the smoothed raw
-- score, so the score's change can be explained factor by factor.
-- grain: one row per as-of date (run date, run date − 1) × person × network × component
-- key: as_of, person_id, network, component
with

params as (
    select * from intermediate.int_model_parameters
),

factors as (
    -- only the days the smoothing reaches, so that a night does not read every score date ever kept
    select * from intermediate.int_person_factors
    where score_date <= getvariable('run_date')::date
      and score_date > getvariable('run_date')::date - interval 1 day - to_days((select smoothing_days from params))
),

as_of_dates as (
    select getvariable('run_date')::date as as_of
    union all
    select (getvariable('run_date')::date - interval 1 day)::date
),

norm as (
    select sum(pow(p.smoothing_decay, k.range)) as total_weight
    from params as p, range(0, (select smoothing_days from params)) as k
),

lagged as (
    select
        d.as_of,
        f.person_id,
        f.network,
        f.component,
        f.value,
        date_diff('day', f.score_date, d.as_of) as days_back
    from as_of_dates as d
    join factors as f on f.score_date <= d.as_of and f.score_date > d.as_of - to_days((select smoothing_days from params))
),

final as (
    select
        l.as_of,
        l.person_id,
        l.network,
        l.component,
        sum(l.value * pow(p.smoothing_decay, l.days_back)) / any_value(n.total_weight) as value
    from lagged as l
    cross join params as p
    cross join norm as n
    group by l.as_of, l.person_id, l.network, l.component
)

select * from final
