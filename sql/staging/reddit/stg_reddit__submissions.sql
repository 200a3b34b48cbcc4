-- Reddit submissions (Pushshift dump lines), one row per submission, as canonical content of type `post`.
-- grain: one row per submission
-- key: content_id (the bare base36 id; the Reddit fullname is 't3_' || content_id)
-- account_id is the author's username. Deleted accounts: Pushshift writes author '[deleted]'; such rows
-- are kept (they are content others reply to) with account_id null and is_author_deleted true, so no
-- person is scored for them. text is the title, then a blank line and the self text when there is one
-- ('[removed]' / '[deleted]' bodies count as none). topic_hints is the lowercased subreddit, except
-- profile posts (subreddit 'u_<name>'), which carry no topic.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the submissions landed since.
with

changed as (
    select id from raw.reddit__submissions where dt >= getvariable('changed_since')
),

source as (
    select * from raw.reddit__submissions
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        id as content_id,
        nullif(author, '[deleted]') as account_id,
        created_utc as created_at,
        case
            when coalesce(selftext, '') in ('', '[removed]', '[deleted]') then title
            else title || chr(10) || chr(10) || selftext
        end as text,
        coalesce(hashtags, []::varchar[]) as hashtags,
        case
            when lower(subreddit) like 'u\_%' escape '\' then []::varchar[]
            else [lower(subreddit)]
        end as topic_hints,
        subreddit,
        title,
        score,
        num_comments,
        permalink,
        author = '[deleted]' as is_author_deleted,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        'reddit' as network,
        content_id,
        account_id,
        created_at,
        'post' as content_type,
        text,
        hashtags,
        []::varchar[] as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        topic_hints,
        subreddit,
        title,
        score,
        num_comments,
        permalink,
        is_author_deleted
    from deduplicated
)

select * from final
