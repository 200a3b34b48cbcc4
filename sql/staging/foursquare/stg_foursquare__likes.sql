-- Foursquare likes of check-ins and tips, and "agree" votes on tips, as interactions of action reaction
-- (reaction_type like or agree). The liked item is looked up by id among the landed check-ins and tips
-- for its author; target_account_id stays null when it was never landed.
-- grain: one row per like
-- key: interaction_id (the like's id)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the likes that can have changed:
-- those landed since, and those of check-ins or tips landed since (their author and type may have been unknown).
with

changed as (
    select id from raw.foursquare__likes where dt >= getvariable('changed_since')
    union
    select likes.id
    from raw.foursquare__likes as likes
    semi join raw.foursquare__checkins as checkins
        on checkins.id = likes.target__object__id and checkins.dt >= getvariable('changed_since')
    union
    select likes.id
    from raw.foursquare__likes as likes
    semi join raw.foursquare__tips as tips
        on tips.id = likes.target__object__id and tips.dt >= getvariable('changed_since')
),

source as (
    select * from raw.foursquare__likes
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

checkins as (
    select * from raw.foursquare__checkins
),

tips as (
    select * from raw.foursquare__tips
),

renamed as (
    select
        'foursquare' as network,
        id as interaction_id,
        user__id as actor_account_id,
        target__object__id as target_content_id,
        'reaction' as action,
        type as reaction_type,
        createdAt as occurred_at,
        target__type as target_type,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by interaction_id order by dt desc, _source_line desc) = 1
),

content_authors as (
    select content_id, min(account_id) as account_id, min(content_type) as content_type
    from (
        select id as content_id, user__id as account_id, 'checkin' as content_type from checkins
        union all
        select id, user__id, 'tip' from tips
    )
    group by content_id
),

resolved as (
    select
        liked.*,
        target.account_id as target_account_id,
        coalesce(liked.target_type, target.content_type) as target_content_type
    from deduped as liked
    left join content_authors as target on target.content_id = liked.target_content_id
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
        target_content_type
    from resolved
)

select * from final
