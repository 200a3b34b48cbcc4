-- Posts from the generic input: rows whose action maps to `post` (the actor published content_id).
-- Every other action is in stg_generic__interactions.
-- grain: one row per post
-- key: network, content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the posts landed since.
with

changed as (
    select network, content_id from raw.generic__interactions
    where dt >= getvariable('changed_since') and action = 'post'
),

source as (
    select * from raw.generic__interactions
    where getvariable('changed_since') is null
        or (network, content_id) in (select (network, content_id) from changed)
),

renamed as (
    select
        network,
        content_id,
        actor_id as account_id,
        occurred_at as created_at,
        'post' as content_type,
        text,
        hashtags,
        []::varchar[] as mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        []::varchar[] as topic_hints,
        source_action,
        dt,
        _source_line
    from source
    where action = 'post'
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by network, content_id order by dt desc, _source_line desc) = 1
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
        source_action
    from deduplicated
)

select * from final
