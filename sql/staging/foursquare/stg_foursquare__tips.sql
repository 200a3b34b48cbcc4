-- Foursquare tips (v2 Tip) as content of type tip: advice left at a venue, the venue's category names
-- (lowercased) as topic hints.
-- grain: one row per tip
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the tips landed since.
with

changed as (
    select id from raw.foursquare__tips where dt >= getvariable('changed_since')
),

source as (
    select * from raw.foursquare__tips
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        'foursquare' as network,
        id as content_id,
        user__id as account_id,
        createdAt as created_at,
        'tip' as content_type,
        nullif(text, '') as text,
        text__hashtags as hashtags,
        []::varchar[] as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        [lower(category) for category in venue__categories__name] as topic_hints,
        venue__id as venue_id,
        venue__name as venue_name,
        canonicalUrl as canonical_url,
        likes__count as like_count,
        agreeCount as agree_count,
        disagreeCount as disagree_count,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        hashtags,
        mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        topic_hints,
        venue_id,
        venue_name,
        canonical_url,
        like_count,
        agree_count,
        disagree_count
    from deduped
)

select * from final
