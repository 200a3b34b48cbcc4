-- Every account Clout has seen on any network, resolved to the person behind it.
-- An account linked in identities.csv belongs to that person; any other account is a person of its own,
-- with person_id '<network>:<account_id>' (ingest rejects a link whose person_id has that shape, so the two never
-- meet). Handles and names come from profile exports where a network
-- has one, from the identities file, or (Reddit, TikTok, whose account ids are usernames) the id itself.
-- grain: one row per network account
-- key: network, account_id
with

content as (
    select network, account_id, created_at as seen_at from intermediate.int_content_unioned where account_id is not null
),

-- Both ends of every interaction, from one scan (read twice, DuckDB would materialize all 84M rows at tier m).
interaction_ends as (
    select network, unnest([actor_account_id, target_account_id]) as account_id, occurred_at
    from intermediate.int_interactions_unioned
),

links as (
    select * from staging.stg_identities__links
),

twitter_users as (
    select network, account_id, handle, display_name, follower_count, following_count from staging.stg_twitter__users
),

facebook_friends as (
    select network, account_id, handle, display_name, follower_count, following_count from staging.stg_facebook__friends
),

profiles as (
    select network, account_id, handle, display_name, follower_count, following_count from twitter_users
    union all
    select * from facebook_friends
),

seen as (
    select network, account_id, seen_at from content
    union all
    select network, account_id, occurred_at from interaction_ends
    union all
    select network, account_id, null from links
    union all
    select network, account_id, null from profiles
),

first_last as (
    select network, account_id, min(seen_at) as first_seen_at, max(seen_at) as last_seen_at
    from seen
    group by network, account_id
),

-- Followers as the network reports them: kept for comparison, never used to raise a score.
profile_one as (
    select network, account_id, min(handle) as handle, min(display_name) as display_name,
           max(follower_count) as follower_count, max(following_count) as following_count
    from profiles
    group by network, account_id
),

final as (
    select
        s.network,
        s.account_id,
        coalesce(l.person_id, s.network || ':' || s.account_id) as person_id,
        l.person_id is not null as is_linked,
        coalesce(p.handle, case when s.network in ('reddit', 'tiktok') then s.account_id end) as handle,
        coalesce(p.display_name, l.display_name, p.handle, case when s.network in ('reddit', 'tiktok') then s.account_id end) as display_name,
        p.follower_count,
        p.following_count,
        s.first_seen_at,
        s.last_seen_at
    from first_last as s
    left join links as l using (network, account_id)
    left join profile_one as p using (network, account_id)
)

select * from final
