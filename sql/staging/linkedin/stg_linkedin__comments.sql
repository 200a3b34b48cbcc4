-- LinkedIn comments (socialActions/comments) as content of type comment. The parent is the comment
-- replied to (parentComment) or else the post commented on (object); its author is resolved from the landed
-- posts and comments, and stays null when the parent was never landed.
-- grain: one row per comment
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have changed:
-- those landed since, and those whose parent (a post or a comment) landed since (its author may have been unknown).
with

changed as (
    select id from raw.linkedin__comments where dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.linkedin__comments as comments
    semi join (
        select regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id
        from raw.linkedin__posts
        where dt >= getvariable('changed_since')
        union all
        select id from raw.linkedin__comments where dt >= getvariable('changed_since')
    ) as parents on parents.content_id = regexp_replace(
        regexp_replace(coalesce(comments.parentComment, comments.object), '^urn:li:comment:\(.*,\s*([^,)]+)\)$', '\1'),
        '^urn:li:(share|ugcPost|activity):', ''
    )
),

source as (
    select * from raw.linkedin__comments
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

posts as (
    select * from raw.linkedin__posts
),

renamed as (
    select
        'linkedin' as network,
        id as content_id,
        regexp_replace(actor, '^urn:li:person:', '') as account_id,
        created__time as created_at,
        'comment' as content_type,
        nullif(message__text, '') as text,
        message__hashtags as hashtags,
        [regexp_replace(urn, '^urn:li:person:', '') for urn in message__mentions] as mentioned_account_ids,
        -- urn:li:comment:(urn:li:activity:1,2) names comment 2; post and activity URNs name content by their last part.
        regexp_replace(
            regexp_replace(coalesce(parentComment, object), '^urn:li:comment:\(.*,\s*([^,)]+)\)$', '\1'),
            '^urn:li:(share|ugcPost|activity):', ''
        ) as parent_content_id,
        parentComment is not null as is_reply_to_comment,
        commentUrn as comment_urn,
        object as object_urn,
        actor as actor_urn,
        lastModified__time as last_modified_at,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

-- The author of each comment (its latest copy). Read from the lake, not from `deduped`, which on a plain night holds
-- only the changed comments.
comment_authors as (
    select id as content_id, regexp_replace(actor, '^urn:li:person:', '') as account_id
    from raw.linkedin__comments
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

content_authors as (
    select content_id, min(account_id) as account_id
    from (
        select
            regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id,
            regexp_replace(author, '^urn:li:person:', '') as account_id
        from posts
        union all
        select content_id, account_id from comment_authors
    )
    group by content_id
),

resolved as (
    select
        comment.*,
        parent.account_id as parent_account_id
    from deduped as comment
    left join content_authors as parent on parent.content_id = comment.parent_content_id
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
        []::varchar[] as topic_hints,
        is_reply_to_comment,
        comment_urn,
        object_urn,
        actor_urn,
        last_modified_at
    from resolved
)

select * from final
