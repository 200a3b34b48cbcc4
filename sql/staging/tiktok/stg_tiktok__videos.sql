-- TikTok videos (Research API Video objects), one row per video, as canonical content.
-- grain: one row per video
-- key: content_id
-- TikTok research data names users by username only, so account_id is the creator's username.
-- like_count / comment_count / share_count / view_count are counts as the export reports them, not
-- engagements by people (there is no per-person likes file). TikTok has no topic evidence besides
-- hashtags, so topic_hints is empty.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the videos landed since.
with

changed as (
    select id from raw.tiktok__videos where dt >= getvariable('changed_since')
),

source as (
    select * from raw.tiktok__videos
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        'tiktok' as network,
        id as content_id,
        username as account_id,
        create_time as created_at,
        'video' as content_type,
        video_description as text,
        list_transform(coalesce(hashtag_names, []::varchar[]), lambda h: lower(ltrim(trim(h), '#'))) as hashtags_lowered,
        list_transform(coalesce(video_mention_list, []::varchar[]), lambda m: ltrim(m, '@')) as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        []::varchar[] as topic_hints,
        region_code,
        like_count,
        comment_count,
        share_count,
        view_count,
        dt,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
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
        -- drop empties and case duplicates (#Cats, #cats), keeping first-seen order
        list_filter(hashtags_lowered, lambda h, i: h <> '' and list_position(hashtags_lowered, h) = i) as hashtags,
        mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        topic_hints,
        region_code,
        like_count,
        comment_count,
        share_count,
        view_count
    from deduplicated
)

select * from final
