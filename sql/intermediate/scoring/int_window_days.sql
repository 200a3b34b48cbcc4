-- The days of the scoring window: the window_days days (int_model_parameters) ending on the run date,
-- both ends included, as dates and as UTC day numbers (days since 1970-01-01). Models keep what happened
-- in the window with
--     where floor(epoch(<timestamptz>) / 86400) in (select epoch_day from intermediate.int_window_days)
-- which is the same rows as comparing with the window's first and last instants in UTC (a build's time
-- zone). It is written this way for DuckDB's planner: a filter against a computed bounds row is estimated
-- at a few dozen rows, so the joins after it built their hash tables on the tens of millions of windowed
-- rows instead of the accounts table (at 1M people, int_engagements_windowed spent 110 of its 125 s
-- there). epoch() rather than a cast to date: the cast goes through the ICU calendar, 14 s for 84M rows.
-- grain: one row per day
-- key: day
with

params as (
    select window_days from intermediate.int_model_parameters
),

days as (
    select (getvariable('run_date')::date - to_days(days_back))::date as day
    from (select unnest(range(window_days)) as days_back from params)
),

final as (
    select day, day - date '1970-01-01' as epoch_day
    from days
)

select * from final
