-- YouTube top-level comments (Data API v3 commentThread resources) as canonical content: content_type
-- 'comment' on the video, whose channel is the parent author (from the videos export, else the thread's
-- own snippet.channelId). Replies inside a thread are not exported.
-- grain: one row per top-level comment
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have
-- changed: those landed since, those on videos landed since (the channel may have been unknown or changed), and
-- those whose text names an @handle shown by a comment landed since (the channel it resolves to may have changed).

with

-- the handles shown by the comments landed since, derived as in `handles` below
new_handles as (
    select distinct lower(ltrim(snippet__topLevelComment__snippet__authorDisplayName, '@')) as handle
    from raw.youtube__comment_threads
    where dt >= getvariable('changed_since')
        and snippet__topLevelComment__snippet__authorDisplayName like '@%'
),

changed as (
    select snippet__topLevelComment__id as id
    from raw.youtube__comment_threads
    where dt >= getvariable('changed_since')
    union
    select comments.snippet__topLevelComment__id
    from raw.youtube__comment_threads as comments
    semi join raw.youtube__videos as videos
        on videos.id = comments.snippet__videoId and videos.dt >= getvariable('changed_since')
    union
    -- the @handles of every landed copy's text, with the text and mention rules of `renamed` and `deduplicated`
    -- below (keep them equal)
    select mentions.id
    from (
        select
            snippet__topLevelComment__id as id,
            unnest(list_transform(
                regexp_extract_all(
                    coalesce(
                        snippet__topLevelComment__snippet__textOriginal,
                        replace(replace(replace(replace(replace(
                            regexp_replace(regexp_replace(snippet__topLevelComment__snippet__textDisplay, '<br\s*/?>', chr(10), 'gi'), '<[^>]+>', '', 'g'),
                            '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&')
                    ),
                    '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)', 1
                ),
                lambda h: lower(h)
            )) as handle
        from raw.youtube__comment_threads
        where getvariable('changed_since') is not null
            and (contains(snippet__topLevelComment__snippet__textOriginal, '@')
                or contains(snippet__topLevelComment__snippet__textDisplay, '@'))
    ) as mentions
    semi join new_handles on new_handles.handle = mentions.handle
),

source as (
    select * from raw.youtube__comment_threads
    where getvariable('changed_since') is null
        or snippet__topLevelComment__id in (select id from changed)
),

videos as (
    select * from raw.youtube__videos
),

renamed as (
    select
        'youtube' as network,
        snippet__topLevelComment__id as content_id,
        snippet__topLevelComment__snippet__authorChannelId__value as account_id,
        snippet__topLevelComment__snippet__publishedAt as created_at,
        'comment' as content_type,
        -- textOriginal is only guaranteed to the author; textDisplay may be HTML.
        coalesce(
            snippet__topLevelComment__snippet__textOriginal,
            replace(replace(replace(replace(replace(
                regexp_replace(regexp_replace(snippet__topLevelComment__snippet__textDisplay, '<br\s*/?>', chr(10), 'gi'), '<[^>]+>', '', 'g'),
                '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&')
        ) as text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        snippet__videoId as parent_content_id,
        snippet__channelId as thread_channel_id,
        id as thread_id,
        snippet__topLevelComment__snippet__authorDisplayName as author_display_name,
        snippet__topLevelComment__snippet__likeCount as like_count,
        snippet__totalReplyCount as reply_count,
        snippet__isPublic as is_public,
        snippet__topLevelComment__snippet__updatedAt as updated_at,
        dt,
        _source_line
    from source
),

deduplicated as (
    select
        *,
        list_transform(
            regexp_extract_all(coalesce(text, ''), '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)', 1),
            lambda h: lower(h)
        ) as mentioned_handles
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

video_channels as (
    select
        id as video_id,
        snippet__channelId as channel_id
    from videos
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

-- Comment authors are shown by @handle (authorDisplayName): the only handle → channel link in the exports.
handles as (
    select
        lower(ltrim(snippet__topLevelComment__snippet__authorDisplayName, '@')) as handle,
        -- two comments shown at the same time: the later landed one
        arg_max(snippet__topLevelComment__snippet__authorChannelId__value, (snippet__topLevelComment__snippet__publishedAt, dt, _source_line)) as account_id
    from raw.youtube__comment_threads
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
        deduplicated.parent_content_id,
        coalesce(video_channels.channel_id, deduplicated.thread_channel_id) as parent_account_id,
        []::varchar[] as topic_hints,
        deduplicated.thread_id,
        deduplicated.author_display_name,
        deduplicated.like_count,
        deduplicated.reply_count,
        deduplicated.is_public,
        deduplicated.updated_at
    from deduplicated
    left join mentioned
        on mentioned.content_id = deduplicated.content_id
    left join video_channels
        on deduplicated.parent_content_id = video_channels.video_id
)

select * from final
