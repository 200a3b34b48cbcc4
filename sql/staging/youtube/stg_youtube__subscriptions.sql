-- YouTube subscriptions (Data API v3 subscription resources) as canonical interactions: action 'subscribe'.
-- snippet.channelId is the subscriber (actor); snippet.resourceId.channelId the channel subscribed to (target).
-- grain: one row per subscription
-- key: interaction_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the subscriptions landed since.

with

changed as (
    select id from raw.youtube__subscriptions where dt >= getvariable('changed_since')
),

source as (
    select * from raw.youtube__subscriptions
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        'youtube' as network,
        id as interaction_id,
        snippet__channelId as actor_account_id,
        snippet__resourceId__channelId as target_account_id,
        null::varchar as target_content_id,
        'subscribe' as action,
        null::varchar as reaction_type,
        snippet__publishedAt as occurred_at,
        snippet__channelTitle as actor_title,
        snippet__title as target_title,
        dt,
        _source_line
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (partition by interaction_id order by dt desc, _source_line desc) = 1
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
        actor_title,
        target_title
    from deduplicated
)

select * from final
