-- All content from every network in one canonical table: posts, replies, comments, reposts, quotes, videos,
-- check-ins and tips, each with its author and (for replies, comments, reposts, quotes) its parent.
-- grain: one row per piece of content
-- key: network, content_id
-- text_fingerprint: the md5 of the text, hashtags and topic hints, the key of topic matching's cache.
-- Rows whose author is unknown (a Reddit [deleted] author) are kept here with a null account_id; scoring
-- ignores them.
-- Computed on a night from the content rows its staging models changed (changed_keys: network, content_id).
with

stg_twitter__tweets as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_twitter__tweets
),

stg_facebook__posts as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_facebook__posts
),

stg_facebook__comments as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_facebook__comments
),

stg_linkedin__posts as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_linkedin__posts
),

stg_linkedin__comments as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_linkedin__comments
),

stg_foursquare__checkins as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_foursquare__checkins
),

stg_foursquare__tips as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_foursquare__tips
),

stg_youtube__videos as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_youtube__videos
),

stg_youtube__comment_threads as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_youtube__comment_threads
),

stg_instagram__media as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_instagram__media
),

stg_instagram__comments as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_instagram__comments
),

stg_tiktok__videos as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_tiktok__videos
),

stg_tiktok__comments as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_tiktok__comments
),

stg_reddit__submissions as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_reddit__submissions
),

stg_reddit__comments as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_reddit__comments
),

stg_mastodon__notes as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_mastodon__notes
),

stg_bluesky__posts as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_bluesky__posts
),

stg_generic__content as (
    select network, content_id, account_id, created_at, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_generic__content
),

unioned as (
    select * from stg_twitter__tweets
    union all
    select * from stg_facebook__posts
    union all
    select * from stg_facebook__comments
    union all
    select * from stg_linkedin__posts
    union all
    select * from stg_linkedin__comments
    union all
    select * from stg_foursquare__checkins
    union all
    select * from stg_foursquare__tips
    union all
    select * from stg_youtube__videos
    union all
    select * from stg_youtube__comment_threads
    union all
    select * from stg_instagram__media
    union all
    select * from stg_instagram__comments
    union all
    select * from stg_tiktok__videos
    union all
    select * from stg_tiktok__comments
    union all
    select * from stg_reddit__submissions
    union all
    select * from stg_reddit__comments
    union all
    select * from stg_mastodon__notes
    union all
    select * from stg_bluesky__posts
    union all
    select * from stg_generic__content
),

final as (
    select
        network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        coalesce(hashtags, []) as hashtags,
        coalesce(mentioned_account_ids, []) as mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        coalesce(topic_hints, []) as topic_hints,
        -- what topic matching reads (text, hashtags, topic hints) as one md5: equal for copies of one text, such as
        -- retweets, so int_text_topic_matches matches each distinct text once and keeps the result
        md5_number(to_json(struct_pack(text, hashtags := coalesce(hashtags, []), topic_hints := coalesce(topic_hints, [])))::varchar) as text_fingerprint
    from unioned
    -- On a night the runner sets changed_keys to the hashes of the (network, content_id) its staging models wrote
    -- since this table's last build (README "Change logs"); elsewhere it is NULL and every row is returned.
    where getvariable('changed_keys') is null
        or hash(network, content_id) in (select unnest(getvariable('changed_keys')::ubigint[]))
)

select * from final
