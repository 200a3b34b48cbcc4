-- X user profiles as canonical accounts.
-- grain: one row per user id (the latest landed profile: latest dt, then highest _source_line)
-- key: account_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the users landed since.
with

changed as (
    select id from raw.twitter__users where dt >= getvariable('changed_since')
),

source as (
    select * from raw.twitter__users
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        'twitter' as network,
        id as account_id,
        username as handle,
        name as display_name,
        created_at as account_created_at,
        public_metrics__followers_count as follower_count,
        public_metrics__following_count as following_count,
        description,
        location,
        verified as is_verified,
        protected as is_protected,
        public_metrics__tweet_count as tweet_count,
        public_metrics__listed_count as listed_count,
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
    select * exclude (dt, _source_line)
    from deduped
)

select * from final
