-- LinkedIn reactions (Reactions API) as interactions of action reaction; reaction_type is LinkedIn's
-- reactionType lowercased (like, praise, empathy, interest, appreciation, entertainment, maybe). The
-- target's author is resolved from the landed posts and comments (null when the target was never landed).
-- grain: one row per reactor per reacted-to post or comment
-- key: interaction_id (the reaction URN)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the reactions that can have changed:
-- those landed since, and those on a post or comment landed since (its author may have been unknown).
with

changed as (
    select id from raw.linkedin__reactions where dt >= getvariable('changed_since')
    union
    select reactions.id
    from raw.linkedin__reactions as reactions
    semi join (
        select regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id
        from raw.linkedin__posts
        where dt >= getvariable('changed_since')
        union all
        select id from raw.linkedin__comments where dt >= getvariable('changed_since')
    ) as targets on targets.content_id = regexp_replace(
        regexp_replace(reactions.root, '^urn:li:comment:\(.*,\s*([^,)]+)\)$', '\1'),
        '^urn:li:(share|ugcPost|activity):', ''
    )
),

source as (
    select * from raw.linkedin__reactions
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

posts as (
    select * from raw.linkedin__posts
),

comments as (
    select * from raw.linkedin__comments
),

renamed as (
    select
        'linkedin' as network,
        id as interaction_id,
        regexp_replace(created__actor, '^urn:li:person:', '') as actor_account_id,
        regexp_replace(
            regexp_replace(root, '^urn:li:comment:\(.*,\s*([^,)]+)\)$', '\1'),
            '^urn:li:(share|ugcPost|activity):', ''
        ) as target_content_id,
        'reaction' as action,
        lower(reactionType) as reaction_type,
        created__time as occurred_at,
        root as target_urn,
        lastModified__time as last_modified_at,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by interaction_id order by dt desc, _source_line desc) = 1
),

content_authors as (
    select content_id, min(account_id) as account_id
    from (
        select
            regexp_replace(id, '^urn:li:(share|ugcPost):', '') as content_id,
            regexp_replace(author, '^urn:li:person:', '') as account_id
        from posts
        union all
        select id, regexp_replace(actor, '^urn:li:person:', '') from comments
    )
    group by content_id
),

resolved as (
    select
        reaction.*,
        target.account_id as target_account_id
    from deduped as reaction
    left join content_authors as target on target.content_id = reaction.target_content_id
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
        target_urn,
        last_modified_at
    from resolved
)

select * from final
