-- Amplification: how much an account's content moves its audience — distinct (saturated) engagers per post,
-- shrunk toward the network's mean so a handful of posts cannot spike it:
--   amplification = (Σ engaged_weight over posts + k × network mean) / (posts + k),  k = amplification_prior_posts
-- Posts are the account's own content created in the window (reposts excluded: they carry someone else's).
-- 100 reactions on 10 posts beat 100 on 1,000. An account with an audience but no known posts (a generic
-- source without content) gets the network mean.
-- grain: one row per network account that posted or was engaged with in the window
-- key: network, account_id
with

params as (
    select * from intermediate.int_model_parameters
),

content as (
    select * from intermediate.int_content_unioned
),

engagement as (
    select * from intermediate.int_content_engagement
),

reach as (
    select network, account_id from intermediate.int_account_reach
),

posts as (
    select c.network, c.account_id, c.content_id, coalesce(e.engaged_weight, 0.0) as engaged_weight
    from content as c
    left join engagement as e on e.network = c.network and e.content_id = c.content_id
    where c.account_id is not null
      and c.content_type <> 'repost'
      and c.created_at >= (getvariable('run_date')::date - to_days((select window_days from params) - 1))::timestamptz
      and c.created_at < (getvariable('run_date')::date + interval 1 day)::timestamptz
),

network_mean as (
    select network, avg(engaged_weight) as mean_engaged_per_post from posts group by network
),

per_account as (
    select network, account_id, count(*) as posts, sum(engaged_weight) as engaged_weight
    from posts
    group by all
),

accounts as (
    select network, account_id from per_account
    union
    select network, account_id from reach
),

final as (
    select
        a.network,
        a.account_id,
        coalesce(pa.posts, 0) as posts,
        coalesce(pa.engaged_weight, 0.0) as engaged_weight_on_posts,
        coalesce(m.mean_engaged_per_post, 0.0) as network_mean_per_post,
        (coalesce(pa.engaged_weight, 0.0) + p.amplification_prior_posts * coalesce(m.mean_engaged_per_post, 0.0))
            / (coalesce(pa.posts, 0) + p.amplification_prior_posts) as amplification
    from accounts as a
    cross join params as p
    left join per_account as pa on pa.network = a.network and pa.account_id = a.account_id
    left join network_mean as m on m.network = a.network
)

select * from final
