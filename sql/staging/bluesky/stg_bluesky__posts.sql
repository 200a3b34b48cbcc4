-- Bluesky posts: the app.bsky.feed.post records created in Jetstream commit events, as content, with deletes
-- applied: a delete commit of the same did + collection + rkey removes the post, whatever date either
-- landed on. A post with a reply parent is a reply; one embedding another post (app.bsky.embed.record) is
-- a quote; else a post. The parent's author is the DID inside its AT URI (at://<did>/<collection>/<rkey>).
-- Hashtags are the tag facets plus the record's extra tags; mentions are the mention facets' DIDs.
-- grain: one row per post still present (not deleted)
-- key: content_id

with source as (
    select * from raw.bluesky__events
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
        indexed_at
    from undeleted
)

select * from final
