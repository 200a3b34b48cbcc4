-- Mastodon notes: the statuses carried by Create activities, as content. The HTML `content` is stripped to
-- plain text here (regexp_replace: <br> and paragraph breaks become newlines, other tags are dropped, the
-- five entities Mastodon escapes are decoded). A note with `inReplyTo` is a reply; its parent's author is
-- the author of the landed parent note, else read from a Mastodon status URI (<actor>/statuses/<id>),
-- else null. Mentions are the Mention tags' hrefs, which are actor URLs, i.e. account ids.
-- grain: one row per note (status)
-- key: content_id

with source as (
    select * from raw.mastodon__activities
),

renamed as (
    select
        'mastodon' as network,
        object__id as content_id,
        coalesce(object__attributedTo, actor) as account_id,
        coalesce(object__published, published) as created_at,
        case when object__inReplyTo is not null then 'reply' else 'post' end as content_type,
        trim(
            replace(replace(replace(replace(replace(replace(replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(object__content, '<br\s*/?>', chr(10), 'gi'),
                        '</p>\s*<p[^>]*>', chr(10) || chr(10), 'gi'
                    ),
                    '<[^>]*>', '', 'g'
                ),
                '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&apos;', ''''), '&nbsp;', ' '), '&amp;', '&')
        ) as text,
        list_transform(coalesce(object__tag__hashtag_names, []), lambda t: lower(ltrim(t, '#'))) as hashtags,
        coalesce(object__tag__mention_hrefs, []) as mentioned_account_ids,
        object__inReplyTo as parent_content_id,
        []::varchar[] as topic_hints,
        id as activity_id,
        object__type as note_type,
        object__url as url,
        dt,
        _source_file,
        _source_line
    from source
    where type = 'Create'
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by content_id order by dt desc, _source_line desc, _source_file desc
    ) = 1
),

parent_resolved as (
    select
        child.*,
        coalesce(
            parent.account_id,
            nullif(regexp_extract(child.parent_content_id, '^(https?://[^/]+/users/[^/]+)/statuses/[^/]+$', 1), '')
        ) as parent_account_id
    from deduplicated as child
    left join deduplicated as parent
        on parent.content_id = child.parent_content_id
),

final as (
    select
        network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        hashtags,
        mentioned_account_ids,
        parent_content_id,
        parent_account_id,
        topic_hints,
        activity_id,
        note_type,
        url
    from parent_resolved
)

select * from final
