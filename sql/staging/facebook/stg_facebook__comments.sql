-- Facebook comments as canonical content (content_type comment), on posts and on other comments.
-- grain: one row per comment id (the latest landed copy: latest dt, then highest _source_line)
-- key: content_id
-- The parent is the comment replied to (`parent`), else the post. Its author comes from the landed posts
-- and comments (Graph ids are unique across both), else from `parent.from`; null when neither knows.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have changed:
-- those landed since, and those whose parent (a post or a comment) landed since (its author may have been unknown).
with

changed as (
    select id from raw.facebook__comments where dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.facebook__comments as comments
    semi join (
        select id from raw.facebook__posts where dt >= getvariable('changed_since')
        union all
        select id from raw.facebook__comments where dt >= getvariable('changed_since')
    ) as parents on parents.id = coalesce(comments.parent__id, comments.post_id)
),

source as (
    select * from raw.facebook__comments
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

posts as (
    select * from raw.facebook__posts
),

renamed as (
    select
        id as content_id,
        from__id as account_id,
        created_time as created_at,
        'comment' as content_type,
        message as text,
        hashtags,
        message_tags__id as mentioned_account_ids,
        coalesce(parent__id, post_id) as parent_content_id,
        parent__from__id,
        post_id,
        from__name as account_name,
        like_count,
        comment_count,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

-- Who wrote each landed post or comment, as its latest landed copy names it (the copy its staging model keeps).
authors as (
    select id, arg_max(from__id, (dt, _source_line)) as author_id from posts group by id
    union all
    select id, arg_max(from__id, (dt, _source_line)) as author_id from raw.facebook__comments group by id
),

final as (
    select
        'facebook' as network,
        deduped.content_id,
        deduped.account_id,
        deduped.created_at,
        deduped.content_type,
        deduped.text,
        deduped.hashtags,
        deduped.mentioned_account_ids,
        deduped.parent_content_id,
        coalesce(authors.author_id, deduped.parent__from__id) as parent_account_id,
        []::varchar[] as topic_hints,
        deduped.post_id,
        deduped.account_name,
        deduped.like_count,
        deduped.comment_count
    from deduped
    left join authors on authors.id = deduped.parent_content_id
)

select * from final
