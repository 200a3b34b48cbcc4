-- Bluesky posts: the app.bsky.feed.post records created in Jetstream commit events, as content, with deletes
-- applied: a delete commit of the same did + collection + rkey removes the post, whatever date either
-- landed on. A post with a reply parent is a reply; one embedding another post (app.bsky.embed.record) is
-- a quote; else a post. The parent's author is the DID inside its AT URI (at://<did>/<collection>/<rkey>).
-- Hashtags are the tag facets plus the record's extra tags; mentions are the mention facets' DIDs.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the records an event landed since
-- names: each as its row, or, when a delete of it has landed on any date, as a tombstone (`_deleted` true), whose row
-- the runner deletes. Computed whole it returns no tombstones, and the table never holds the `_deleted` column.
-- grain: one row per post still present (not deleted)
-- key: content_id

with

-- the records an event landed since names, created, landed again or deleted (the key deduplication and deletes
-- match on: did + collection + rkey)
changed as (
    select did, commit__collection, commit__rkey
    from raw.bluesky__events
    where dt >= getvariable('changed_since')
        and commit__collection = 'app.bsky.feed.post'
),

source as (
    select * from raw.bluesky__events
    where commit__collection = 'app.bsky.feed.post'
        and (getvariable('changed_since') is null
            or (did, commit__collection, commit__rkey) in (select (did, commit__collection, commit__rkey) from changed))
),

deletes as (
    select distinct did, commit__collection, commit__rkey
    from source
    where commit__operation = 'delete'
),

renamed as (
    select
        'bluesky' as network,
        'at://' || did || '/' || commit__collection || '/' || commit__rkey as content_id,
        did as account_id,
        commit__record__createdAt as created_at,
        case
            when commit__record__reply__parent__uri is not null then 'reply'
            when commit__record__embed__record__uri like 'at://%/app.bsky.feed.post/%' then 'quote'
            else 'post'
        end as content_type,
        commit__record__text as text,
        list_transform(
            list_concat(coalesce(commit__record__facets__tags, []), coalesce(commit__record__tags, [])),
            lambda t: lower(ltrim(t, '#'))
        ) as all_hashtags,
        coalesce(commit__record__facets__mention_dids, []) as all_mentions,
        coalesce(
            commit__record__reply__parent__uri,
            case when commit__record__embed__record__uri like 'at://%/app.bsky.feed.post/%' then commit__record__embed__record__uri end
        ) as parent_content_id,
        []::varchar[] as topic_hints,
        commit__record__reply__root__uri as root_content_id,
        commit__record__embed__record__uri as embedded_record_uri,
        commit__cid as cid,
        commit__record__langs as langs,
        time_us as indexed_at,
        did,
        commit__collection,
        commit__rkey,
        dt,
        _source_file,
        _source_line
    from source
    where commit__operation = 'create'
        and commit__collection = 'app.bsky.feed.post'
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by content_id order by dt desc, _source_line desc, _source_file desc
    ) = 1
),

undeleted as (
    select post.*
    from deduplicated as post
    anti join deletes
        on deletes.did = post.did
        and deletes.commit__collection = post.commit__collection
        and deletes.commit__rkey = post.commit__rkey
),

-- on a night computed from the new partitions, the changed records a delete removes, whatever date it landed on:
-- tombstones, whose rows the runner deletes from the table (tombstone_column in the .yml). A whole build has none.
tombstones as (
    select 'at://' || did || '/' || commit__collection || '/' || commit__rkey as content_id
    from deletes
    where getvariable('changed_since') is not null
),

final as (
    select
        network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        -- the same tag or DID can be faceted twice in one post; keep the first of each
        list_filter(all_hashtags, lambda h, i: list_position(all_hashtags, h) = i) as hashtags,
        list_filter(all_mentions, lambda m, i: list_position(all_mentions, m) = i) as mentioned_account_ids,
        parent_content_id,
        nullif(regexp_extract(parent_content_id, '^at://([^/]+)/', 1), '') as parent_account_id,
        topic_hints,
        root_content_id,
        embedded_record_uri,
        cid,
        langs,
        indexed_at,
        false as _deleted
    from undeleted
    union all
    select 'bluesky', content_id, null, null, null, null, null, null, null, null, null, null, null, null, null, null, true
    from tombstones
)

select * from final
