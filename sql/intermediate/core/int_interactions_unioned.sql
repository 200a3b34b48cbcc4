-- Every engagement action across all networks in one canonical table: engager (actor) → author (target).
-- Three origins: the networks' interaction exports (likes, reactions, shares, follows, subscriptions,
-- check-ins with friends…); content that engages with a parent (a reply, comment, repost or quote is an
-- action on the parent's author); and mentions written into content (except the mention of the parent's
-- author that a reply carries, which is the reply itself).
-- grain: one row per action
-- key: network, origin, interaction_id
-- Unique by construction, with no deduplication here: each staging model's interaction_id is its key
-- (tested beside it), a content action's id is its content key, and a content's mentions are made
-- distinct before they become actions. Two origins that happened to produce the same id string are two
-- actions and both are kept. (A window over all ~84M rows to pick one of them took 118 of this model's
-- 136 s at 1M people.)
-- Actions without a known actor or target (deleted authors, unresolvable parents) and actions on one's own
-- account are dropped here: they cannot say anything about anyone's influence.
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

-- The two CTEs below read int_content_unioned themselves, only the columns they need: one CTE of the content
-- read by both would be materialized by DuckDB, every column of 28M rows at tier m (text included).
from_content as (
    select
        network,
        'content:' || content_id as interaction_id,
        account_id as actor_account_id,
        parent_account_id as target_account_id,
        parent_content_id as target_content_id,
        content_type as action,
        null::varchar as reaction_type,
        created_at as occurred_at,
        'content' as origin
    from intermediate.int_content_unioned
    where content_type in ('reply', 'comment', 'repost', 'quote')
),

mentions as (
    select
        network,
        'mention:' || replace(replace(content_id, '%', '%25'), ':', '%3A') || ':' || mentioned as interaction_id,
        account_id as actor_account_id,
        mentioned as target_account_id,
        -- the mentioning post is the actor's content, not the target's: a mention engages a person
        null::varchar as target_content_id,
        'mention' as action,
        null::varchar as reaction_type,
        created_at as occurred_at,
        'mention' as origin
    -- a content that mentions one account twice is one mention of them
    from (
        select network, content_id, account_id, parent_account_id, created_at, unnest(list_distinct(mentioned_account_ids)) as mentioned
        from intermediate.int_content_unioned
    )
    -- the @author a reply or quote carries is part of that reply, not a second action on them
    where mentioned is distinct from parent_account_id
),

unioned as (
    select * from exported
    union all
    select * from from_content
    union all
    select * from mentions
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
)

select * from final
