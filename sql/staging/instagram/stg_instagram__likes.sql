-- Instagram likes as canonical interactions: action 'reaction', reaction_type 'like', target the media's
-- owner (null when the media is not in the exports). Likes are not a public Graph API object; the export
-- is a minimal {user_id, media_id, timestamp} record, so the id is built from its parts.
-- grain: one row per user per liked media
-- key: interaction_id

with

source as (
    select * from raw.instagram__likes
),

media as (
    select * from raw.instagram__media
),

renamed as (
    select
        'instagram' as network,
        'like:' || media_id || ':' || user_id as interaction_id,
        user_id as actor_account_id,
        media_id as target_content_id,
        'reaction' as action,
        'like' as reaction_type,
        "timestamp" as occurred_at,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by interaction_id order by dt desc, _source_line desc) = 1
),

media_owners as (
    select
        id as media_id,
        owner__id as owner_id
    from media
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

final as (
    select
        deduplicated.network,
        deduplicated.interaction_id,
        deduplicated.actor_account_id,
        media_owners.owner_id as target_account_id,
        deduplicated.target_content_id,
        deduplicated.action,
        deduplicated.reaction_type,
        deduplicated.occurred_at
    from deduplicated
    left join media_owners
        on deduplicated.target_content_id = media_owners.media_id
)

select * from final
