-- What is being discussed: activity on each topic on the score date, and its change against the prior
-- week. A topic counts the content of all its descendants, each piece once (int_content_topics_rolled_up).
--   posts           content about the topic created on the score date
--   engagements     Σ weight of the engagements on the score date with content about the topic, without
--                   time decay: action weight × busy discount × (1 − bot likelihood) (int_engagements_weighted)
--   people          distinct people who posted about the topic or engaged with its content that day
--   posts_7d        content about the topic created in the 7 days ending on the score date
--   posts_prior_7d  … in the 7 days before those
--   change_vs_prior_week = (posts_7d − posts_prior_7d) / posts_prior_7d, null when posts_prior_7d is 0
-- A topic with no posts and no engagement in those 14 days has no row.
-- grain: one row per score date × topic
-- key: score_date, topic_id
with

-- The tables are read in each CTE below with the dates written into the filter, so that DuckDB filters the scans
-- themselves. (A shared content_topics CTE, read twice, made DuckDB materialize all of
-- int_content_topics_rolled_up: 69.9M rows at 1M people, where this model took the night to 17.8 GB with a
-- 12GB limit; docs/performance.md, tier m.)
recent_posts as (
    select
        topic_id,
        network,
        account_id,
        created_at >= getvariable('run_date')::date::timestamptz as is_today,
        created_at >= (getvariable('run_date')::date - interval 6 day)::timestamptz as is_this_week
    from intermediate.int_content_topics_rolled_up
    where created_at >= (getvariable('run_date')::date - interval 13 day)::timestamptz
      and created_at < (getvariable('run_date')::date + interval 1 day)::timestamptz
),

post_counts as (
    select
        topic_id,
        count(*) filter (where is_today) as posts,
        count(*) filter (where is_this_week) as posts_7d,
        count(*) filter (where not is_this_week) as posts_prior_7d
    from recent_posts
    group by topic_id
),

todays_engagements as (
    select ct.topic_id, e.actor_person_id, e.weight / e.decay as undecayed_weight
    from intermediate.int_engagements_weighted as e
    join intermediate.int_content_topics_rolled_up as ct on ct.network = e.network and ct.content_id = e.target_content_id
    where e.occurred_at >= getvariable('run_date')::date::timestamptz
      and e.occurred_at < (getvariable('run_date')::date + interval 1 day)::timestamptz
),

engagement_sums as (
    select topic_id, sum(undecayed_weight) as engagements
    from todays_engagements
    group by topic_id
),

todays_people as (
    select p.topic_id, a.person_id
    from recent_posts as p
    join intermediate.int_accounts_resolved as a on a.network = p.network and a.account_id = p.account_id
    where p.is_today
    union
    select topic_id, actor_person_id from todays_engagements
),

people_counts as (
    select topic_id, count(distinct person_id) as people
    from todays_people
    group by topic_id
),

final as (
    select
        getvariable('run_date')::date as score_date,
        topic_id,
        coalesce(pc.posts, 0) as posts,
        coalesce(es.engagements, 0.0) as engagements,
        coalesce(pp.people, 0) as people,
        coalesce(pc.posts_7d, 0) as posts_7d,
        coalesce(pc.posts_prior_7d, 0) as posts_prior_7d,
        (coalesce(pc.posts_7d, 0) - pc.posts_prior_7d) / nullif(pc.posts_prior_7d, 0)::double as change_vs_prior_week
    from post_counts as pc
    full outer join engagement_sums as es using (topic_id)
    left join people_counts as pp using (topic_id)
)

select * from final
