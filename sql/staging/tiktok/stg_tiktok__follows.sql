-- TikTok follows, as canonical interactions with action `follow`.
-- grain: one row per follower and followed account
-- key: interaction_id
-- A follow is a relation, not an event: the same pair exported on several dates is one row (the latest
-- landed record wins, so its create_time is the one kept). interaction_id is built from the two usernames.
with

source as (
    select * from raw.tiktok__follows
),

renamed as (
    select
        concat_ws(':', 'follow', follower_username, following_username) as interaction_id,
        follower_username as actor_account_id,
        following_username as target_account_id,
        create_time as occurred_at,
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
        'tiktok' as network,
        interaction_id,
        actor_account_id,
        target_account_id,
        null::varchar as target_content_id,
        'follow' as action,
        null::varchar as reaction_type,
        occurred_at
    from deduplicated
)

select * from final
