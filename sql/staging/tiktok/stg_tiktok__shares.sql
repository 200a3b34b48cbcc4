-- TikTok shares: a user sharing (reposting) a video, as canonical interactions with action `share`.
-- grain: one row per user, video and share time
-- key: interaction_id ('share:<username>:<video id>:<epoch seconds>', username and video id with '%' and ':'
--      percent-encoded; sql/staging/README.md)
-- The export has no share id, so interaction_id is built from its parts (username, video id, epoch
-- seconds). target_account_id is the video's creator, resolved from the landed videos; null when the
-- video is not landed.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the shares that can have changed:
-- those landed since, and those of videos landed since (the creator may have been unknown or changed).
with

-- interaction_id as `renamed` builds it (keep the two equal): the key the copies are deduplicated on
changed as (
    select concat_ws(':', 'share', replace(replace(username, '%', '%25'), ':', '%3A'), replace(replace(video_id, '%', '%25'), ':', '%3A'), epoch(create_time)::bigint) as interaction_id
    from raw.tiktok__shares
    where dt >= getvariable('changed_since')
    union
    select concat_ws(':', 'share', replace(replace(shares.username, '%', '%25'), ':', '%3A'), replace(replace(shares.video_id, '%', '%25'), ':', '%3A'), epoch(shares.create_time)::bigint)
    from raw.tiktok__shares as shares
    semi join raw.tiktok__videos as videos
        on videos.id = shares.video_id and videos.dt >= getvariable('changed_since')
),

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
        concat_ws(':', 'share', replace(replace(username, '%', '%25'), ':', '%3A'), replace(replace(video_id, '%', '%25'), ':', '%3A'), epoch(create_time)::bigint) as interaction_id,
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
    -- on the built key, not in `source`: every landed copy of a changed key is kept for the window below
    where getvariable('changed_since') is null
        or interaction_id in (select interaction_id from changed)
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
