-- Foursquare check-ins (v2 Checkin) as content of type checkin: the shout is the text, the venue's
-- category names (lowercased) are the topic hints. The friends checked in with (`with`) are staged as
-- checkin_with interactions in stg_foursquare__checkins_with, not as mentions, so they count once.
-- grain: one row per check-in
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the check-ins landed since.
with

changed as (
    select id from raw.foursquare__checkins where dt >= getvariable('changed_since')
),

source as (
    select * from raw.foursquare__checkins
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        'foursquare' as network,
        id as content_id,
        user__id as account_id,
        createdAt as created_at,
        'checkin' as content_type,
        nullif(shout, '') as text,
        shout__hashtags as hashtags,
        []::varchar[] as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        [lower(category) for category in venue__categories__name] as topic_hints,
        venue__id as venue_id,
        venue__name as venue_name,
        with__id as with_account_ids,
        timeZoneOffset as time_zone_offset_minutes,
        likes__count as like_count,
        comments__count as comment_count,
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
        with_account_ids,
        time_zone_offset_minutes,
        like_count,
        comment_count
    from deduped
)

select * from final
