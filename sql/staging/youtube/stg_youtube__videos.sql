-- YouTube videos (Data API v3 video resources) as canonical content: content_type 'video', the uploader's
-- tags as topic hints, @handles in the description resolved to channel ids where a comment shows that handle.
-- grain: one row per video
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the videos that can have changed:
-- those landed since, and those whose description names an @handle shown by a comment landed since (the channel
-- that handle resolves to may have changed).

with

-- the handles shown by the comments landed since, derived as in `handles` below
new_handles as (
    select distinct lower(ltrim(snippet__topLevelComment__snippet__authorDisplayName, '@')) as handle
    from raw.youtube__comment_threads
    where dt >= getvariable('changed_since')
        and snippet__topLevelComment__snippet__authorDisplayName like '@%'
),

changed as (
    select id from raw.youtube__videos where dt >= getvariable('changed_since')
    union
    -- the @handles of every landed copy's description, extracted as in `renamed` below (keep the two equal)
    select mentions.id
    from (
        select
            id,
            unnest(list_transform(
                regexp_extract_all(snippet__description, '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)', 1),
                lambda h: lower(h)
            )) as handle
        from raw.youtube__videos
        where getvariable('changed_since') is not null
            and contains(snippet__description, '@')
    ) as mentions
    semi join new_handles on new_handles.handle = mentions.handle
),

source as (
    select * from raw.youtube__videos
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

comment_threads as (
    select * from raw.youtube__comment_threads
),

renamed as (
    select
        'youtube' as network,
        id as content_id,
        snippet__channelId as account_id,
        snippet__publishedAt as created_at,
        'video' as content_type,
        snippet__description as text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        list_transform(
            regexp_extract_all(coalesce(snippet__description, ''), '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)', 1),
            lambda h: lower(h)
        ) as mentioned_handles,
        list_transform(coalesce(snippet__tags, []::varchar[]), lambda t: lower(t)) as topic_hints,
        snippet__title as title,
        snippet__channelTitle as channel_title,
        snippet__categoryId as category_id,
        statistics__viewCount as view_count,
        statistics__likeCount as like_count,
        statistics__commentCount as comment_count,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

-- Comment authors are shown by @handle (authorDisplayName): the only handle → channel link in the exports.
handles as (
    select
        lower(ltrim(snippet__topLevelComment__snippet__authorDisplayName, '@')) as handle,
        -- two comments shown at the same time: the later landed one
        arg_max(snippet__topLevelComment__snippet__authorChannelId__value, (snippet__topLevelComment__snippet__publishedAt, dt, _source_line)) as account_id
    from comment_threads
    where snippet__topLevelComment__snippet__authorDisplayName like '@%'
    group by 1
),

-- each content's distinct @handles in first-mention order, resolved to the latest id seen for the handle (the
-- handle itself when none is). A join, not a lookup in one map of every handle: map[key] scans the whole map,
-- so that lookup grew with handles × mentions.
mentions as (
    select content_id, handle, min(position) as position
    from (
        select content_id, unnest(mentioned_handles) as handle, generate_subscripts(mentioned_handles, 1) as position
        from deduplicated
    )
    group by content_id, handle
),

mentioned as (
    select m.content_id, list(coalesce(handles.account_id, m.handle) order by m.position) as mentioned_account_ids
    from mentions as m
    left join handles on handles.handle = m.handle
    group by m.content_id
),

final as (
    select
        deduplicated.network,
        deduplicated.content_id,
        deduplicated.account_id,
        deduplicated.created_at,
        deduplicated.content_type,
        deduplicated.text,
        deduplicated.hashtags,
        coalesce(mentioned.mentioned_account_ids, []::varchar[]) as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        deduplicated.topic_hints,
        deduplicated.title,
        deduplicated.channel_title,
        deduplicated.category_id,
        deduplicated.view_count,
        deduplicated.like_count,
        deduplicated.comment_count
    from deduplicated
    left join mentioned
        on mentioned.content_id = deduplicated.content_id
)

select * from final
