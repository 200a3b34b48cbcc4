-- Facebook users with their friends edge, as canonical accounts (the only profile export Facebook has).
-- grain: one row per user id (the latest landed copy: latest dt, then highest _source_line)
-- key: account_id
-- Graph has no usernames, creation dates or follower counts for users. Friendship is mutual, so the
-- friend count (summary.total_count, else the friends listed) stands for both follower_count and
-- following_count.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the users landed since.
with

changed as (
    select id from raw.facebook__friends where dt >= getvariable('changed_since')
),

source as (
    select * from raw.facebook__friends
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        id as account_id,
        name as display_name,
        coalesce(friends__summary__total_count, len(friends__data__id)) as friend_count,
        friends__data__id as friend_account_ids,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by account_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        'facebook' as network,
        account_id,
        null::varchar as handle,
        display_name,
        null::timestamptz as account_created_at,
        friend_count as follower_count,
        friend_count as following_count,
        friend_account_ids
    from deduped
)

select * from final
