-- X follows as canonical interactions: action follow.
-- grain: one row per (follower, followed account); a follow landed on two dates counts once
-- key: interaction_id ('follow:<source_user_id>:<target_user_id>', the source id's '%' and ':' percent-encoded;
--      sql/staging/README.md)
-- X gives no time for a follow unless the export adds one; without it occurred_at is the first landing date.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the follows landed since.
with

changed as (
    select source_user_id, target_user_id from raw.twitter__follows where dt >= getvariable('changed_since')
),

source as (
    select * from raw.twitter__follows
    where getvariable('changed_since') is null
        or (source_user_id, target_user_id) in (select (source_user_id, target_user_id) from changed)
),

renamed as (
    select
        source_user_id as actor_account_id,
        target_user_id as target_account_id,
        created_at,
        dt,
        _source_line
    from source
),

deduped as (
    select
        *,
        min(dt) over (partition by actor_account_id, target_account_id) as first_landed_date
    from renamed
    qualify row_number() over (partition by actor_account_id, target_account_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        'twitter' as network,
        'follow:' || replace(replace(actor_account_id, '%', '%25'), ':', '%3A') || ':' || target_account_id as interaction_id,
        actor_account_id,
        target_account_id,
        null::varchar as target_content_id,
        'follow' as action,
        null::varchar as reaction_type,
        coalesce(created_at, first_landed_date::timestamptz) as occurred_at
    from deduped
)

select * from final
