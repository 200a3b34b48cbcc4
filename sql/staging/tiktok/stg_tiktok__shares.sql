-- TikTok shares: a user sharing (reposting) a video, as canonical interactions with action `share`.
-- grain: one row per user, video and share time
-- key: interaction_id
-- The export has no share id, so interaction_id is built from its parts (username, video id, epoch
-- seconds). target_account_id is the video's creator, resolved from the landed videos; null when the
-- video is not landed.
with

source as (
    select * from raw.tiktok__shares
),

videos as (
    select id, username
    from raw.tiktok__videos
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

renamed as (
    select
        concat_ws(':', 'share', username, video_id, epoch(create_time)::bigint) as interaction_id,
        username as actor_account_id,
        video_id as target_content_id,
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

resolved as (
    select
        deduplicated.*,
        videos.username as target_account_id
    from deduplicated
    left join videos
        on videos.id = deduplicated.target_content_id
),

final as (
    select
        'tiktok' as network,
        interaction_id,
        actor_account_id,
        target_account_id,
        target_content_id,
        'share' as action,
        null::varchar as reaction_type,
        occurred_at
    from resolved
)

select * from final
