-- TikTok comments (Research API Comment objects), one row per comment, as canonical content.
-- grain: one row per comment
-- key: content_id
-- The API gives a top-level comment the video's id as parent_comment_id: that is a `comment` on the video.
-- Any other parent_comment_id names the comment replied to: that is a `reply`. parent_account_id is the
-- video's creator or the parent comment's username, resolved from the landed videos and comments; null
-- when the parent is not landed or its author is unknown. The Research API does not name commenters; when
-- the export carries no username, account_id is null and the row is kept (it cannot be scored).
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have
-- changed: those landed since, those on videos landed since and the replies to comments landed since (the
-- parent's author may have been unknown or changed).
with

changed as (
    select id from raw.tiktok__comments where dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.tiktok__comments as comments
    semi join raw.tiktok__videos as videos
        on videos.id = comments.video_id and videos.dt >= getvariable('changed_since')
    union
    select replies.id
    from raw.tiktok__comments as replies
    semi join raw.tiktok__comments as parents
        on parents.id = replies.parent_comment_id and parents.dt >= getvariable('changed_since')
),

source as (
    select * from raw.tiktok__comments
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

videos as (
    select id, username
    from raw.tiktok__videos
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

-- every landed comment's author (its latest copy's, as in `deduplicated`), for the replies' parents: read from the
-- lake, since on a plain night `deduplicated` holds only the changed comments
comment_authors as (
    select id as content_id, username as account_id
    from raw.tiktok__comments
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
    left join comment_authors as parent_comments
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
