-- Bluesky interactions: reposts (app.bsky.feed.repost → repost), likes (app.bsky.feed.like → reaction
-- 'like') and follows (app.bsky.graph.follow → follow) created in Jetstream commit events, with deletes
-- applied (an unlike, un-repost or unfollow removes the row, whatever date either landed on). The target of
-- a repost or like is the DID inside the subject post's AT URI; a follow's subject is the followed DID.
-- Replies, quotes and mentions are posts: see stg_bluesky__posts.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the records an event landed since
-- names: each as its row, or, when a delete of it has landed on any date, as a tombstone (`_deleted` true), whose row
-- the runner deletes. Computed whole it returns no tombstones, and the table never holds the `_deleted` column.
-- grain: one row per repost, like or follow still present (not deleted)
-- key: interaction_id

with

-- the records an event landed since names, created, landed again or deleted (the key deduplication and deletes
-- match on: did + collection + rkey)
changed as (
    select did, commit__collection, commit__rkey
    from raw.bluesky__events
    where dt >= getvariable('changed_since')
        and commit__collection in ('app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow')
),

source as (
    select * from raw.bluesky__events
    where commit__collection in ('app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow')
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
        'at://' || did || '/' || commit__collection || '/' || commit__rkey as interaction_id,
        did as actor_account_id,
        case
            when commit__collection = 'app.bsky.graph.follow' then commit__record__subject
            else nullif(regexp_extract(commit__record__subject__uri, '^at://([^/]+)/', 1), '')
        end as target_account_id,
        commit__record__subject__uri as target_content_id,
        case commit__collection
            when 'app.bsky.feed.repost' then 'repost'
            when 'app.bsky.feed.like' then 'reaction'
            when 'app.bsky.graph.follow' then 'follow'
        end as action,
        case when commit__collection = 'app.bsky.feed.like' then 'like' end as reaction_type,
        commit__record__createdAt as occurred_at,
        commit__cid as cid,
        time_us as indexed_at,
        did,
        commit__collection,
        commit__rkey,
        dt,
        _source_file,
        _source_line
    from source
    where commit__operation = 'create'
        and commit__collection in ('app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow')
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by interaction_id order by dt desc, _source_line desc, _source_file desc
    ) = 1
),

undeleted as (
    select interaction.*
    from deduplicated as interaction
    anti join deletes
        on deletes.did = interaction.did
        and deletes.commit__collection = interaction.commit__collection
        and deletes.commit__rkey = interaction.commit__rkey
),

-- on a night computed from the new partitions, the changed records a delete removes, whatever date it landed on:
-- tombstones, whose rows the runner deletes from the table (tombstone_column in the .yml). A whole build has none.
tombstones as (
    select 'at://' || did || '/' || commit__collection || '/' || commit__rkey as interaction_id
    from deletes
    where getvariable('changed_since') is not null
),

final as (
    select
        network,
        interaction_id,
        actor_account_id,
        target_account_id,
        target_content_id,
        action,
        reaction_type,
        occurred_at,
        cid,
        indexed_at,
        false as _deleted
    from undeleted
    union all
    select 'bluesky', interaction_id, null, null, null, null, null, null, null, null, true
    from tombstones
)

select * from final
