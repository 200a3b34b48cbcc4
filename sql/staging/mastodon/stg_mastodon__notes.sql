-- Mastodon notes: the statuses carried by Create activities, as content. The HTML `content` is stripped to
-- plain text here (regexp_replace: <br> and paragraph breaks become newlines, other tags are dropped, the
-- five entities Mastodon escapes are decoded). A note with `inReplyTo` is a reply; its parent's author is
-- the author of the landed parent note, else read from a Mastodon status URI (<actor>/statuses/<id>),
-- else null. Mentions are the Mention tags' hrefs, which are actor URLs, i.e. account ids.
-- grain: one row per note (status)
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the notes that can have changed:
-- those whose Create landed since, and the replies to them (the parent's author may have been unknown or changed).

with

changed as (
    select object__id from raw.mastodon__activities
    where dt >= getvariable('changed_since') and type = 'Create'
    union
    select replies.object__id
    from raw.mastodon__activities as replies
    semi join raw.mastodon__activities as parents
        on parents.object__id = replies.object__inReplyTo
        and parents.type = 'Create'
        and parents.dt >= getvariable('changed_since')
    where replies.type = 'Create'
),

source as (
    select * from raw.mastodon__activities
    where getvariable('changed_since') is null
        or object__id in (select object__id from changed)
),

-- every landed note's author (its latest Create's, as in `deduplicated`), for the replies' parents: read from the
-- lake, since on a plain night `deduplicated` holds only the changed notes
note_authors as (
    select object__id as content_id, coalesce(object__attributedTo, actor) as account_id
    from raw.mastodon__activities
    where type = 'Create'
    qualify row_number() over (
        partition by object__id order by dt desc, _source_line desc, _source_file desc
    ) = 1
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
    left join note_authors as parent
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
