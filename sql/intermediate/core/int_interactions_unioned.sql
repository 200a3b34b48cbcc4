-- Every engagement action across all networks in one canonical table: engager (actor) → author (target).
-- Three origins: the networks' interaction exports (likes, reactions, shares, follows, subscriptions,
-- check-ins with friends…); content that engages with a parent (a reply, comment, repost or quote is an
-- action on the parent's author); and mentions written into content (except the mention of the parent's
-- author that a reply carries, which is the reply itself). The last two come from int_content_interactions.
-- grain: one row per action
-- key: network, origin, interaction_id
-- Unique by construction, with no deduplication here: each staging model's interaction_id is its key
-- (tested beside it), a content action's id is its content key, and a content's mentions are made
-- distinct before they become actions. Two origins that happened to produce the same id string are two
-- actions and both are kept. (A window over all ~84M rows to pick one of them took 118 of this model's
-- 136 s at 1M people.)
-- Actions without a known actor or target (deleted authors, unresolvable parents) and actions on one's own
-- account are dropped here: they cannot say anything about anyone's influence.
-- Computed on a night from the actions its sources changed (changed_keys: network, interaction_id; README "Change
-- logs"): each row follows the source row of the same network and interaction_id. Outside the runner changed_keys is
-- NULL and every row is returned.
with

stg_twitter__likes as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_twitter__likes
),

stg_twitter__follows as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_twitter__follows
),

stg_facebook__reactions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_facebook__reactions
),

stg_facebook__shares as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_facebook__shares
),

stg_linkedin__reactions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_linkedin__reactions
),

stg_linkedin__connections as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_linkedin__connections
),

stg_foursquare__checkins_with as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_foursquare__checkins_with
),

stg_foursquare__likes as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_foursquare__likes
),

stg_foursquare__friends as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_foursquare__friends
),

stg_youtube__subscriptions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_youtube__subscriptions
),

stg_instagram__likes as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_instagram__likes
),

stg_instagram__follows as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_instagram__follows
),

stg_tiktok__shares as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_tiktok__shares
),

stg_tiktok__follows as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_tiktok__follows
),

stg_mastodon__interactions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_mastodon__interactions
),

stg_bluesky__interactions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_bluesky__interactions
),

stg_generic__interactions as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at from staging.stg_generic__interactions
),

exported as (
    select *, 'stg_twitter__likes' as origin from stg_twitter__likes
    union all
    select *, 'stg_twitter__follows' as origin from stg_twitter__follows
    union all
    select *, 'stg_facebook__reactions' as origin from stg_facebook__reactions
    union all
    select *, 'stg_facebook__shares' as origin from stg_facebook__shares
    union all
    select *, 'stg_linkedin__reactions' as origin from stg_linkedin__reactions
    union all
    select *, 'stg_linkedin__connections' as origin from stg_linkedin__connections
    union all
    select *, 'stg_foursquare__checkins_with' as origin from stg_foursquare__checkins_with
    union all
    select *, 'stg_foursquare__likes' as origin from stg_foursquare__likes
    union all
    select *, 'stg_foursquare__friends' as origin from stg_foursquare__friends
    union all
    select *, 'stg_youtube__subscriptions' as origin from stg_youtube__subscriptions
    union all
    select *, 'stg_instagram__likes' as origin from stg_instagram__likes
    union all
    select *, 'stg_instagram__follows' as origin from stg_instagram__follows
    union all
    select *, 'stg_tiktok__shares' as origin from stg_tiktok__shares
    union all
    select *, 'stg_tiktok__follows' as origin from stg_tiktok__follows
    union all
    select *, 'stg_mastodon__interactions' as origin from stg_mastodon__interactions
    union all
    select *, 'stg_bluesky__interactions' as origin from stg_bluesky__interactions
    union all
    select *, 'stg_generic__interactions' as origin from stg_generic__interactions
),

-- what content carries (replies, comments, reposts, quotes, mentions): int_content_interactions
from_content as (
    select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, occurred_at, origin
    from intermediate.int_content_interactions
),

unioned as (
    select * from exported
    union all
    select * from from_content
),

final as (
    select
        network,
        interaction_id,
        actor_account_id,
        target_account_id,
        -- a mention or a check-in "with" someone happens in the actor's own content: it engages the person,
        -- not a piece of their content
        case when action in ('mention', 'checkin_with') then null else target_content_id end as target_content_id,
        action,
        reaction_type,
        occurred_at,
        origin
    from unioned
    where actor_account_id is not null
      and target_account_id is not null
      and actor_account_id <> target_account_id
      -- On a night the runner sets changed_keys to the hashes of the (network, interaction_id) its sources wrote since
      -- this table's last build (README "Change logs"); elsewhere it is NULL and every row is returned. One filter
      -- here, not one per source: each would build its own set of the keys (at 120k people 2.6-3.3 s against 0.8 s
      -- for 75,000 keys; the same 0.8 s either way when NULL).
      and (getvariable('changed_keys') is null
          or hash(network, interaction_id) in (select unnest(getvariable('changed_keys')::ubigint[])))
)

select * from final
