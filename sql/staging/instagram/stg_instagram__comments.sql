-- Instagram comments (Graph API IG Comment) as canonical content: content_type 'comment' on a media, whose
-- owner is the parent author, or 'reply' when parent_id names another comment, whose author is the parent
-- author. Parents missing from the exports leave parent_account_id null.
-- grain: one row per comment
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have changed:
-- those landed since, those on media landed since (the owner), those replying to a comment landed since (its author),
-- and those mentioning a username that media or comments landed since show (the latest id seen for it).

with

changed as (
    select id from raw.instagram__comments where dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.instagram__comments as comments
    semi join raw.instagram__media as media on media.id = comments.media__id and media.dt >= getvariable('changed_since')
    union
    select replies.id
    from raw.instagram__comments as replies
    semi join raw.instagram__comments as parents on parents.id = replies.parent_id and parents.dt >= getvariable('changed_since')
    union
    select mentioning.id
    from (
        select id, lower(unnest(regexp_extract_all(text, '(?:^|[^A-Za-z0-9_.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)', 1))) as handle
        from raw.instagram__comments
        where text like '%@%'
    ) as mentioning
    semi join (
        select lower(username) as handle from raw.instagram__media where dt >= getvariable('changed_since')
        union all
        select lower(from__username) from raw.instagram__comments where dt >= getvariable('changed_since')
    ) as seen on seen.handle = mentioning.handle
),

source as (
    select * from raw.instagram__comments
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

media as (
    select * from raw.instagram__media
),

renamed as (
    select
        'instagram' as network,
        id as content_id,
        from__id as account_id,
        "timestamp" as created_at,
        case when parent_id is null then 'comment' else 'reply' end as content_type,
        text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        list_transform(
            regexp_extract_all(coalesce(text, ''), '(?:^|[^A-Za-z0-9_.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)', 1),
            lambda h: lower(h)
        ) as mentioned_handles,
        coalesce(parent_id, media__id) as parent_content_id,
        parent_id as parent_comment_id,
        media__id as media_id,
        from__username as username,
        like_count,
        hidden as is_hidden,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

media_owners as (
    select
        id as media_id,
        owner__id as owner_id
    from media
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

-- The author of each comment (its latest copy), for replies. Read from the lake, not from `deduplicated`, which on a
-- plain night holds only the changed comments.
comment_authors as (
    select
        id as content_id,
        from__id as account_id
    from raw.instagram__comments
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

-- The latest id seen for each username, from media owners and commenters (two seen at the same time: the later
-- landed, then the greater id, so that a tie never depends on the order DuckDB reads them in).
handles as (
    select handle, arg_max(account_id, (seen_at, dt, account_id)) as account_id
    from (
        select lower(username) as handle, owner__id as account_id, "timestamp" as seen_at, dt from raw.instagram__media where username is not null
        union all
        select lower(from__username), from__id, "timestamp", dt from raw.instagram__comments where from__username is not null
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
        deduplicated.parent_content_id,
        case
            when deduplicated.parent_comment_id is null then media_owners.owner_id
            else parent_comments.account_id
        end as parent_account_id,
        []::varchar[] as topic_hints,
        deduplicated.media_id,
        deduplicated.username,
        deduplicated.like_count,
        deduplicated.is_hidden
    from deduplicated
    left join mentioned
        on mentioned.content_id = deduplicated.content_id
    left join media_owners
        on deduplicated.media_id = media_owners.media_id
    left join comment_authors as parent_comments
        on deduplicated.parent_comment_id = parent_comments.content_id
)

select * from final
