-- Instagram media (Graph API IG Media) as canonical content: VIDEO media are content_type 'video', images
-- and carousels 'post'. @usernames in the caption are resolved to IG user ids where the exports show that
-- username (media owners, commenters), else kept as the username.
-- grain: one row per media
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the media that can have changed:
-- those landed since, and those whose caption mentions a username that media or comments landed since show (the
-- latest id seen for it may have changed).

with

changed as (
    select id from raw.instagram__media where dt >= getvariable('changed_since')
    union
    select mentioning.id
    from (
        select id, lower(unnest(regexp_extract_all(caption, '(?:^|[^A-Za-z0-9_.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)', 1))) as handle
        from raw.instagram__media
        where caption like '%@%'
    ) as mentioning
    semi join (
        select lower(username) as handle from raw.instagram__media where dt >= getvariable('changed_since')
        union all
        select lower(from__username) from raw.instagram__comments where dt >= getvariable('changed_since')
    ) as seen on seen.handle = mentioning.handle
),

source as (
    select * from raw.instagram__media
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

comments as (
    select * from raw.instagram__comments
),

renamed as (
    select
        'instagram' as network,
        id as content_id,
        owner__id as account_id,
        "timestamp" as created_at,
        case when media_type = 'VIDEO' then 'video' else 'post' end as content_type,
        caption as text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        list_transform(
            regexp_extract_all(coalesce(caption, ''), '(?:^|[^A-Za-z0-9_.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)', 1),
            lambda h: lower(h)
        ) as mentioned_handles,
        username,
        media_type,
        media_product_type,
        like_count,
        comments_count,
        permalink,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

-- The latest id seen for each username, from media owners and commenters (two seen at the same time: the later
-- landed, then the greater id, so that a tie never depends on the order DuckDB reads them in).
handles as (
    select handle, arg_max(account_id, (seen_at, dt, account_id)) as account_id
    from (
        select lower(username) as handle, owner__id as account_id, "timestamp" as seen_at, dt from raw.instagram__media where username is not null
        union all
        select lower(from__username), from__id, "timestamp", dt from comments where from__username is not null
    )
    group by handle
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
        []::varchar[] as topic_hints,
        deduplicated.username,
        deduplicated.media_type,
        deduplicated.media_product_type,
        deduplicated.like_count,
        deduplicated.comments_count,
        deduplicated.permalink
    from deduplicated
    left join mentioned
        on mentioned.content_id = deduplicated.content_id
)

select * from final
