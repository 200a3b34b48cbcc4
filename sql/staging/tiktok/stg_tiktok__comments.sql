-- TikTok comments (Research API Comment objects), one row per comment, as canonical content.
-- grain: one row per comment
-- key: content_id
-- The API gives a top-level comment the video's id as parent_comment_id: that is a `comment` on the video.
-- Any other parent_comment_id names the comment replied to: that is a `reply`. parent_account_id is the
-- video's creator or the parent comment's username, resolved from the landed videos and comments; null
-- when the parent is not landed or its author is unknown. The Research API does not name commenters; when
-- the export carries no username, account_id is null and the row is kept (it cannot be scored).
with

source as (
    select * from raw.tiktok__comments
),

videos as (
    select id, username
    from raw.tiktok__videos
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

renamed as (
    select
        id as content_id,
        username as account_id,
        create_time as created_at,
        case
            when parent_comment_id is null or parent_comment_id = video_id then 'comment'
            else 'reply'
        end as content_type,
        text,
        hashtags,
        case
            when parent_comment_id is null or parent_comment_id = video_id then video_id
            else parent_comment_id
        end as parent_content_id,
        video_id,
        like_count,
        reply_count,
        dt,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

resolved as (
    select
        deduplicated.*,
        case deduplicated.content_type
            when 'comment' then videos.username
            when 'reply' then parent_comments.account_id
        end as parent_account_id
    from deduplicated
    left join videos
        on videos.id = deduplicated.video_id
    -- Only an equality in the ON clause: a filter on the left side there (`and content_type = 'reply'`)
    -- turns this into a nested-loop join, quadratic in the comments landed. The CASE above does that check.
    left join deduplicated as parent_comments
        on parent_comments.content_id = deduplicated.parent_content_id
),

final as (
    select
        'tiktok' as network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        []::varchar[] as mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        []::varchar[] as topic_hints,
        video_id,
        like_count,
        reply_count
    from resolved
)

select * from final
