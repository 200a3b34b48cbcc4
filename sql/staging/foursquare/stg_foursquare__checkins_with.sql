-- Foursquare check-ins with friends as interactions of action checkin_with: one row per friend in a
-- check-in's `with` list; the actor is who checked in, the target the friend, the content the check-in.
-- grain: one row per check-in per friend checked in with
-- key: interaction_id ('<check-in id>:<friend's user id>', the check-in id's '%' and ':' percent-encoded;
--      sql/staging/README.md)
with

source as (
    select * from raw.foursquare__checkins
),

renamed as (
    select
        id as checkin_id,
        user__id as account_id,
        createdAt as created_at,
        with__id as with_account_ids,
        venue__id as venue_id,
        dt,
        _source_line
    from source
),

deduped as (
    select * from renamed
    qualify row_number() over (partition by checkin_id order by dt desc, _source_line desc) = 1
),

companions as (
    select
        checkin_id,
        account_id,
        created_at,
        venue_id,
        unnest(with_account_ids) as friend_account_id
    from deduped
),

final as (
    select
        'foursquare' as network,
        replace(replace(checkin_id, '%', '%25'), ':', '%3A') || ':' || friend_account_id as interaction_id,
        account_id as actor_account_id,
        friend_account_id as target_account_id,
        checkin_id as target_content_id,
        'checkin_with' as action,
        null::varchar as reaction_type,
        created_at as occurred_at,
        venue_id
    from companions
    -- Checking in "with" oneself is not an interaction.
    where friend_account_id <> account_id
)

select * from final
