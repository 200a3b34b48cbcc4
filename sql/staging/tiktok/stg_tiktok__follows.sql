-- TikTok follows, as canonical interactions with action `follow`.
-- grain: one row per follower and followed account
-- key: interaction_id ('follow:<follower>:<following>', the follower's '%' and ':' percent-encoded;
--      sql/staging/README.md)
-- A follow is a relation, not an event: the same pair exported on several dates is one row (the latest
-- landed record wins, so its create_time is the one kept). interaction_id is built from the two usernames.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the follows landed since.
with

-- interaction_id as `renamed` builds it (keep the two equal): the key the copies are deduplicated on
changed as (
    select concat_ws(':', 'follow', replace(replace(follower_username, '%', '%25'), ':', '%3A'), following_username) as interaction_id
    from raw.tiktok__follows
    where dt >= getvariable('changed_since')
),

source as (
    select * from raw.tiktok__follows
),

renamed as (
    select
        concat_ws(':', 'follow', replace(replace(follower_username, '%', '%25'), ':', '%3A'), following_username) as interaction_id,
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
    -- on the built key, not in `source`: every landed copy of a changed key is kept for the window below
    where getvariable('changed_since') is null
        or interaction_id in (select interaction_id from changed)
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
