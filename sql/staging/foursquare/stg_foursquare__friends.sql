-- Foursquare friendships as follows. A friendship is mutual, so each friend-list entry is staged as a
-- follow in both directions: user -> friend as exported, and friend -> user mirrored (is_mirrored). When
-- both users' lists name each other, each direction still appears once, preferring the actor's own list.
-- grain: one row per ordered pair of friends
-- key: interaction_id ('<actor_account_id>-><target_account_id>', the actor's '%' and '>' percent-encoded so
--      that no two pairs share a key; sql/staging/README.md)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the pairs that can have changed:
-- both directions of every friendship landed since, read from every landed copy of either direction.
with

-- both orders of each pair landed since: a row of either direction feeds both directed rows
changed as (
    select user__id, friend__id from raw.foursquare__friends where dt >= getvariable('changed_since')
    union
    select friend__id, user__id from raw.foursquare__friends where dt >= getvariable('changed_since')
),

source as (
    select * from raw.foursquare__friends
    where getvariable('changed_since') is null
        or (user__id, friend__id) in (select (user__id, friend__id) from changed)
),

renamed as (
    select
        user__id as user_account_id,
        friend__id as friend_account_id,
        createdAt as befriended_at,
        dt,
        _source_file,
        _source_line
    from source
),

directed as (
    select
        user_account_id as actor_account_id,
        friend_account_id as target_account_id,
        false as is_mirrored,
        befriended_at,
        dt,
        _source_file,
        _source_line
    from renamed
    union all
    select
        friend_account_id as actor_account_id,
        user_account_id as target_account_id,
        true as is_mirrored,
        befriended_at,
        dt,
        _source_file,
        _source_line
    from renamed
),

deduped as (
    select * from directed
    qualify row_number() over (
        partition by actor_account_id, target_account_id
        order by is_mirrored, dt desc, _source_line desc, _source_file desc
    ) = 1
),

final as (
    select
        'foursquare' as network,
        replace(replace(actor_account_id, '%', '%25'), '>', '%3E') || '->' || target_account_id as interaction_id,
        actor_account_id,
        target_account_id,
        null::varchar as target_content_id,
        'follow' as action,
        null::varchar as reaction_type,
        befriended_at as occurred_at,
        is_mirrored
    from deduped
)

select * from final
