-- X likes as canonical interactions: action reaction, reaction_type like.
-- grain: one row per (liking user, liked tweet); a like landed on two dates counts once
-- key: interaction_id ('like:<user_id>:<tweet_id>', the user id's '%' and ':' percent-encoded; sql/staging/README.md)
-- The liked tweet's author comes from the landed tweets (null when the tweet never landed). X gives no
-- time for a like unless the export adds one; without it occurred_at is the first landing date.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the likes that can have changed:
-- those landed since, and those of tweets landed since (the author may have been unknown).
with

changed as (
    select user_id, tweet_id from raw.twitter__likes where dt >= getvariable('changed_since')
    union
    select likes.user_id, likes.tweet_id
    from raw.twitter__likes as likes
    semi join raw.twitter__tweets as tweets on tweets.id = likes.tweet_id and tweets.dt >= getvariable('changed_since')
),

source as (
    select * from raw.twitter__likes
    where getvariable('changed_since') is null
        or (user_id, tweet_id) in (select (user_id, tweet_id) from changed)
),

tweets as (
    select * from raw.twitter__tweets
),

renamed as (
    select
        user_id as actor_account_id,
        tweet_id as target_content_id,
        created_at,
        dt,
        _source_line
    from source
),

deduped as (
    select
        *,
        min(dt) over (partition by actor_account_id, target_content_id) as first_landed_date
    from renamed
    qualify row_number() over (partition by actor_account_id, target_content_id order by dt desc, _source_line desc) = 1
),

-- A tweet's author, as its latest landed copy names it (the copy stg_twitter__tweets keeps).
tweet_authors as (
    select id, arg_max(author_id, (dt, _source_line)) as author_id
    from tweets
    -- on a plain night only the tweets the changed likes name
    where getvariable('changed_since') is null
        or id in (select tweet_id from changed)
    group by id
),

final as (
    select
        'twitter' as network,
        'like:' || replace(replace(deduped.actor_account_id, '%', '%25'), ':', '%3A') || ':' || deduped.target_content_id as interaction_id,
        deduped.actor_account_id,
        tweet_authors.author_id as target_account_id,
        deduped.target_content_id,
        'reaction' as action,
        'like' as reaction_type,
        coalesce(deduped.created_at, deduped.first_landed_date::timestamptz) as occurred_at
    from deduped
    left join tweet_authors on tweet_authors.id = deduped.target_content_id
)

select * from final
