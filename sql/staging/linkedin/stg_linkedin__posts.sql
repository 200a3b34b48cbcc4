-- LinkedIn posts (Posts API): original posts and reshares. A post with a reshareContext is a reshare
-- (content_type repost) of reshareContext.parent, whose author is resolved from the landed posts.
-- Ids are the URNs' last part: urn:li:share:123 and urn:li:ugcPost:123 are content 123, urn:li:person:abc
-- is account abc (an organization author keeps its full URN). Text is the little-text commentary made plain.
-- grain: one row per post
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the posts that can have changed:
-- those landed since, and reshares of a post landed since (its author: the latest copy wins).
with

changed as (
    select regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id
    from raw.linkedin__posts
    where dt >= getvariable('changed_since')
    union
    select regexp_replace(reshares.id, '^urn:li:(share|ugcPost):', '')
    from raw.linkedin__posts as reshares
    semi join raw.linkedin__posts as parents
        on regexp_replace(parents.id, '^urn:li:(share|ugcPost):', '') = regexp_replace(reshares.reshareContext__parent, '^urn:li:(share|ugcPost):', '')
        and parents.dt >= getvariable('changed_since')
),

source as (
    select * from raw.linkedin__posts
    where getvariable('changed_since') is null
        or regexp_replace(id, '^urn:li:(share|ugcPost):', '') in (select content_id from changed)
),

renamed as (
    select
        'linkedin' as network,
        regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id,
        regexp_replace(author, '^urn:li:person:', '') as account_id,
        createdAt as created_at,
        case when reshareContext__parent is not null then 'repost' else 'post' end as content_type,
        nullif(commentary__text, '') as text,
        commentary__hashtags as hashtags,
        [regexp_replace(urn, '^urn:li:person:', '') for urn in commentary__mentions] as mentioned_account_ids,
        regexp_replace(reshareContext__parent, '^urn:li:(share|ugcPost):', '') as parent_content_id,
        regexp_replace(reshareContext__root, '^urn:li:(share|ugcPost):', '') as root_content_id,
        id as post_urn,
        author as author_urn,
        visibility,
        lifecycleState as lifecycle_state,
        publishedAt as published_at,
        lastModifiedAt as last_modified_at,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

-- The author of each post (its latest copy), for reshares. Read from the lake, not from `deduped`, which on a plain
-- night holds only the changed posts.
post_authors as (
    select content_id, account_id
    from (
        select
            regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id,
            regexp_replace(author, '^urn:li:person:', '') as account_id,
            dt,
            _source_line
        from raw.linkedin__posts
    )
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

resolved as (
    select
        post.*,
        parent.account_id as parent_account_id
    from deduped as post
    left join post_authors as parent on parent.content_id = post.parent_content_id
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
        root_content_id,
        post_urn,
        author_urn,
        visibility,
        lifecycle_state,
        published_at,
        last_modified_at
    from resolved
)

select * from final
