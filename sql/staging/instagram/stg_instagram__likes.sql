-- Instagram likes as canonical interactions: action 'reaction', reaction_type 'like', target the media's
-- owner (null when the media is not in the exports). Likes are not a public Graph API object; the export
-- is a minimal {user_id, media_id, timestamp} record, so the id is built from its parts.
-- grain: one row per user per liked media
-- key: interaction_id ('like:<media_id>:<user_id>', the media id's '%' and ':' percent-encoded; sql/staging/README.md)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the likes that can have changed:
-- those landed since, and those of media landed since (the owner may have been unknown, and the latest copy wins).

with

changed as (
    select 'like:' || replace(replace(media_id, '%', '%25'), ':', '%3A') || ':' || user_id as interaction_id
    from raw.instagram__likes
    where dt >= getvariable('changed_since')
    union
    select 'like:' || replace(replace(likes.media_id, '%', '%25'), ':', '%3A') || ':' || likes.user_id
    from raw.instagram__likes as likes
    semi join raw.instagram__media as media on media.id = likes.media_id and media.dt >= getvariable('changed_since')
),

source as (
    select * from raw.instagram__likes
    where getvariable('changed_since') is null
        or 'like:' || replace(replace(media_id, '%', '%25'), ':', '%3A') || ':' || user_id in (select interaction_id from changed)
),

media as (
    select * from raw.instagram__media
),

renamed as (
    select
        'instagram' as network,
        'like:' || replace(replace(media_id, '%', '%25'), ':', '%3A') || ':' || user_id as interaction_id,
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
