-- Instagram follows as canonical interactions: action 'follow'. Follows are not a public Graph API object;
-- the export is a minimal {follower_id, followed_id, timestamp} record, so the id is built from its parts.
-- grain: one row per follower per followed account
-- key: interaction_id ('follow:<follower_id>:<followed_id>', the follower id's '%' and ':' percent-encoded;
--      sql/staging/README.md)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the follows landed since.

with

changed as (
    select 'follow:' || replace(replace(follower_id, '%', '%25'), ':', '%3A') || ':' || followed_id as interaction_id
    from raw.instagram__follows
    where dt >= getvariable('changed_since')
),

source as (
    select * from raw.instagram__follows
    where getvariable('changed_since') is null
        or 'follow:' || replace(replace(follower_id, '%', '%25'), ':', '%3A') || ':' || followed_id in (select interaction_id from changed)
),

renamed as (
    select
        'instagram' as network,
        'follow:' || replace(replace(follower_id, '%', '%25'), ':', '%3A') || ':' || followed_id as interaction_id,
        follower_id as actor_account_id,
        followed_id as target_account_id,
        null::varchar as target_content_id,
        'follow' as action,
        null::varchar as reaction_type,
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

final as (
    select
        network,
        interaction_id,
        actor_account_id,
        target_account_id,
        target_content_id,
        action,
        reaction_type,
        occurred_at
    from deduplicated
)

select * from final
