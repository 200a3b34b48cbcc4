-- LinkedIn posts (Posts API): original posts and reshares. A post with a reshareContext is a reshare
-- (content_type repost) of reshareContext.parent, whose author is resolved from the landed posts.
-- Ids are the URNs' last part: urn:li:share:123 and urn:li:ugcPost:123 are content 123, urn:li:person:abc
-- is account abc (an organization author keeps its full URN). Text is the little-text commentary made plain.
-- grain: one row per post
-- key: content_id
with

source as (
    select * from raw.linkedin__posts
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

resolved as (
    select
        post.*,
        parent.account_id as parent_account_id
    from deduped as post
    left join deduped as parent on parent.content_id = post.parent_content_id
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
