-- The actions that content carries, one row each: a reply, comment, repost or quote is an action on its parent's
-- author; a mention written into content is an action on the mentioned account (except the mention of the parent's
-- author that a reply carries, which is the reply itself). int_interactions_unioned adds them to the networks'
-- exported actions.
-- grain: one row per action carried by a piece of content
-- key: network, origin, interaction_id
-- content_id names the content the action was read from, so that a night can recompute the actions of the content
-- that changed (changed_keys: network, content_id; README "Change logs"). Outside the runner changed_keys is NULL
-- and every row is returned.
-- The two CTEs below read int_content_unioned themselves, only the columns they need: one CTE of the content read
-- by both would be materialized by DuckDB, every column of 28M rows at tier m (text included).
with

from_content as (
    select
        network,
        'content:' || content_id as interaction_id,
        account_id as actor_account_id,
        parent_account_id as target_account_id,
        parent_content_id as target_content_id,
        content_type as action,
        null::varchar as reaction_type,
        created_at as occurred_at,
        'content' as origin,
        content_id
    from intermediate.int_content_unioned
    where content_type in ('reply', 'comment', 'repost', 'quote')
),

mentions as (
    select
        network,
        'mention:' || replace(replace(content_id, '%', '%25'), ':', '%3A') || ':' || mentioned as interaction_id,
        account_id as actor_account_id,
        mentioned as target_account_id,
        -- the mentioning post is the actor's content, not the target's: a mention engages a person
        null::varchar as target_content_id,
        'mention' as action,
        null::varchar as reaction_type,
        created_at as occurred_at,
        'mention' as origin,
        content_id
    -- a content that mentions one account twice is one mention of them
    from (
        select network, content_id, account_id, parent_account_id, created_at, unnest(list_distinct(mentioned_account_ids)) as mentioned
        from intermediate.int_content_unioned
    )
    -- the @author a reply or quote carries is part of that reply, not a second action on them
    where mentioned is distinct from parent_account_id
),

final as (
    select * from from_content
    union all
    select * from mentions
)

select * from final
-- on a night, only the actions of the content that changed (changed_keys; NULL elsewhere: every row)
where getvariable('changed_keys') is null
    or hash(network, content_id) in (select unnest(getvariable('changed_keys')::ubigint[]))
