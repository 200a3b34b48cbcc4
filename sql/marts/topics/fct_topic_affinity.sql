-- Each person's affinity for each topic on the score date, from what they post and, weighted higher,
-- what others engage with them about, over the window ending on the score date (int_model_parameters):
--   evidence  = topic_post_weight    × Σ over their own content on the topic of strength × decay
--             + topic_engaged_weight × Σ over engagement others gave them on content of the topic
--                                      of weight × strength
--   where a topic counts the content of all its descendants, each piece once (int_content_topics_rolled_up),
--   strength is how surely the content is about the topic (0..1), decay = 0.5^(age_days / half_life_days)
--   as for engagement, and weight is the engagement's final weight (int_engagements_weighted), summed per piece
--   of content (int_content_engagement).
--   affinity    = evidence / the person's total evidence over the top-level topics: 0..1, summing to 1
--                 over the top-level topics
--   topic_score = 1 + (score − 1) × sqrt(affinity), with score the person's Clout Score of the date
--                 (fct_person_scores): their influence, scaled by how much of it is about the topic
--   topic_rank  the person's place among the rows kept for the topic, by topic_score (1 = best; ties share)
-- Only rows with affinity ≥ 0.01 are kept, so the table stays small at a million people.
-- grain: one row per score date × person × topic
-- key: score_date, person_id, topic_id
with

params as (
    select * from intermediate.int_model_parameters
),

bounds as (
    select
        (getvariable('run_date')::date + interval 1 day)::timestamptz as window_end,
        half_life_days,
        topic_post_weight,
        topic_engaged_weight
    from params
),

accounts as (
    select network, account_id, person_id from intermediate.int_accounts_resolved
),

top_level as (
    select topic_id from marts.dim_topics where depth = 1
),

scores as (
    select person_id, score from marts.fct_person_scores where score_date = getvariable('run_date')::date
),

posted as (
    select
        a.person_id,
        ct.topic_id,
        -- epoch(a) − epoch(b), not epoch(a − b): subtracting timestamptz goes through the ICU calendar, ~300× slower
        sum(ct.strength * pow(0.5, ((epoch(b.window_end) - epoch(ct.created_at)) / 86400.0) / b.half_life_days)) as posted_evidence
    -- int_content_topics_rolled_up is read here and in engaged, not through one shared CTE: DuckDB materializes a
    -- CTE read twice, all 69.9M rows of it at 1M people (docs/performance.md, tier m)
    from intermediate.int_content_topics_rolled_up as ct
    cross join bounds as b
    join accounts as a on a.network = ct.network and a.account_id = ct.account_id
    -- in the window (UTC days): see int_window_days for why this is a semi-join with the window's day numbers
    where floor(epoch(ct.created_at) / 86400) in (select epoch_day from intermediate.int_window_days)
    group by a.person_id, ct.topic_id
),

-- the engagement each piece of content earned in the window, with the person behind its account.
-- int_content_engagement has summed int_engagements_weighted's weights per piece of content already; summing them
-- here again computed every weight of the window a second time
-- (docs/performance.md, "Topic affinity from int_content_engagement")
engaged_content as (
    select e.network, e.content_id as target_content_id, a.person_id as target_person_id, e.weighted_engagement as weight
    from intermediate.int_content_engagement as e
    join intermediate.int_accounts_resolved as a on a.network = e.network and a.account_id = e.account_id
),

engaged as (
    select
        e.target_person_id as person_id,
        ct.topic_id,
        sum(e.weight * ct.strength) as engaged_evidence
    from engaged_content as e
    join intermediate.int_content_topics_rolled_up as ct on ct.network = e.network and ct.content_id = e.target_content_id
    group by e.target_person_id, ct.topic_id
),

evidence as (
    select
        person_id,
        topic_id,
        coalesce(p.posted_evidence, 0.0) as posted_evidence,
        coalesce(e.engaged_evidence, 0.0) as engaged_evidence,
        b.topic_post_weight * coalesce(p.posted_evidence, 0.0) + b.topic_engaged_weight * coalesce(e.engaged_evidence, 0.0) as evidence
    from posted as p
    full outer join engaged as e using (person_id, topic_id)
    cross join bounds as b
),

totals as (
    select ev.person_id, sum(ev.evidence) as total_evidence
    from evidence as ev
    join top_level as t using (topic_id)
    group by ev.person_id
),

kept as (
    select
        ev.person_id,
        ev.topic_id,
        ev.posted_evidence,
        ev.engaged_evidence,
        ev.evidence,
        ev.evidence / t.total_evidence as affinity,
        coalesce(s.score, 1.0) as score
    from evidence as ev
    join totals as t using (person_id)
    left join scores as s using (person_id)
    where t.total_evidence > 0 and ev.evidence / t.total_evidence >= 0.01
),

scored as (
    select *, 1.0 + (score - 1.0) * sqrt(affinity) as topic_score
    from kept
),

final as (
    select
        getvariable('run_date')::date as score_date,
        person_id,
        topic_id,
        affinity,
        topic_score,
        rank() over (partition by topic_id order by round(topic_score, 9) desc) as topic_rank,
        evidence,
        posted_evidence,
        engaged_evidence
    from scored
)

select * from final
