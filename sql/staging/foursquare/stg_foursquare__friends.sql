-- Foursquare friendships as follows. A friendship is mutual, so each friend-list entry is staged as a
-- follow in both directions: user -> friend as exported, and friend -> user mirrored (is_mirrored). When
-- both users' lists name each other, each direction still appears once, preferring the actor's own list.
-- grain: one row per ordered pair of friends
-- key: interaction_id (actor_account_id || '->' || target_account_id)
with

source as (
    select * from raw.foursquare__friends
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
        actor_account_id || '->' || target_account_id as interaction_id,
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
