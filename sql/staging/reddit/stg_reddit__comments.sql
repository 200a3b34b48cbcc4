-- Reddit comments (Pushshift dump lines), one row per comment, as canonical content of type `reply`.
-- grain: one row per comment
-- key: content_id (the bare base36 id; the Reddit fullname is 't1_' || content_id)
-- A comment replies to its parent_id: a submission (t3_…) or a comment (t1_…). parent_content_id is that
-- id without its prefix; parent_account_id is the parent's author, resolved from the landed submissions and
-- comments, null when the parent is not landed or its author is '[deleted]'. Deleted accounts: author
-- '[deleted]' gives account_id null and is_author_deleted true; the row is kept (its replies still point
-- at it) but no person is scored for it. topic_hints is the lowercased subreddit (the comment's own, else
-- its submission's), except profile subreddits 'u_<name>'.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the comments that can have
-- changed: those landed since, those whose parent (submission or comment) landed since (its author may have been
-- unknown or changed) and those in submissions landed since (the subreddit may have been unknown or changed).
with

changed as (
    select id from raw.reddit__comments where dt >= getvariable('changed_since')
    union
    select replies.id
    from raw.reddit__comments as replies
    semi join raw.reddit__comments as parents
        on 't1_' || parents.id = replies.parent_id and parents.dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.reddit__comments as comments
    semi join raw.reddit__submissions as submissions
        on 't3_' || submissions.id = comments.parent_id and submissions.dt >= getvariable('changed_since')
    union
    select comments.id
    from raw.reddit__comments as comments
    semi join raw.reddit__submissions as submissions
        on submissions.id = substr(comments.link_id, 4) and submissions.dt >= getvariable('changed_since')
),

source as (
    select * from raw.reddit__comments
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

submissions as (
    select id, author, subreddit
    from raw.reddit__submissions
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

-- every landed comment's author (its latest copy's, as in `deduplicated`), for the replies' parents: read from the
-- lake, since on a plain night `deduplicated` holds only the changed comments
comment_authors as (
    select id, author
    from raw.reddit__comments
    qualify row_number() over (partition by id order by dt desc, _source_line desc) = 1
),

renamed as (
    select
        id as content_id,
        author,
        nullif(author, '[deleted]') as account_id,
        created_utc as created_at,
        case when body in ('[removed]', '[deleted]') then null else body end as text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        parent_id,
        substr(parent_id, 4) as parent_content_id,
        substr(link_id, 4) as submission_id,
        subreddit,
        score,
        permalink,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

parents as (
    select 't3_' || id as fullname, author from submissions
    union all
    select 't1_' || id as fullname, author from comment_authors
),

resolved as (
    select
        deduplicated.*,
        nullif(parents.author, '[deleted]') as parent_account_id,
        coalesce(deduplicated.subreddit, submissions.subreddit) as resolved_subreddit
    from deduplicated
    left join parents
        on parents.fullname = deduplicated.parent_id
    left join submissions
        on submissions.id = deduplicated.submission_id
),

final as (
    select
        'reddit' as network,
        content_id,
        account_id,
        created_at,
        'reply' as content_type,
        text,
        hashtags,
        []::varchar[] as mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        case
            when resolved_subreddit is null or lower(resolved_subreddit) like 'u\_%' escape '\' then []::varchar[]
            else [lower(resolved_subreddit)]
        end as topic_hints,
        submission_id,
        starts_with(parent_id, 't3_') as is_top_level,
        resolved_subreddit as subreddit,
        score,
        permalink,
        author = '[deleted]' as is_author_deleted
    from resolved
)

select * from final
