-- Interactions from the generic input (data/exports/generic/<date>/interactions.*): any source mapped
-- onto canonical actions by its GenericMapping (pipelines/networks/generic.ts). `post` rows are content
-- and live in stg_generic__content instead.
-- grain: one row per action
-- key: network, interaction_id (the source's own id, else an md5 of the JSON list [actor, source action, target,
--      content, time], so the same row delivered on two dates is one action and no two rows share one)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the actions landed since.
with

-- interaction_id as `renamed` builds it (keep the two equal): the key the copies are deduplicated on
changed as (
    select
        network,
        coalesce(
            interaction_id,
            md5(to_json([actor_id, coalesce(source_action, action), target_id, content_id, epoch_ms(occurred_at)::varchar])::varchar)
        ) as interaction_id
    from raw.generic__interactions
    where dt >= getvariable('changed_since') and action <> 'post'
),

source as (
    select * from raw.generic__interactions
),

renamed as (
    select
        network,
        coalesce(
            interaction_id,
            md5(to_json([actor_id, coalesce(source_action, action), target_id, content_id, epoch_ms(occurred_at)::varchar])::varchar)
        ) as interaction_id,
        actor_id as actor_account_id,
        target_id as target_account_id,
        content_id as target_content_id,
        action,
        -- a source value mapped to `reaction` (LIKE, love, …) is the reaction's type
        case
            when action = 'reaction' and source_action is not null and lower(source_action) <> 'reaction'
                then lower(source_action)
        end as reaction_type,
        occurred_at,
        source_action,
        text,
        dt,
        _source_line
    from source
    where action <> 'post'
),

deduplicated as (
    select *
    from renamed
    -- on the built key, not in `source`: every landed copy of a changed key is kept for the window below
    where getvariable('changed_since') is null
        or (network, interaction_id) in (select (network, interaction_id) from changed)
    qualify row_number() over (partition by network, interaction_id order by dt desc, _source_line desc) = 1
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
        source_action,
        text
    from deduplicated
)

select * from final
