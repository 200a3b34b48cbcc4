-- Tweets as canonical content: posts, replies, retweets (content_type repost) and quote tweets.
-- grain: one row per tweet id (the latest landed copy: latest dt, then highest _source_line)
-- key: content_id
-- A tweet that both replies and quotes is a reply. The parent author comes from the landed parent tweet,
-- else `in_reply_to_user_id` (replies), else the `RT @author` mention X puts first in a retweet. That
-- prefix mention is the retweet's parent, not a mention the retweeter wrote, so it is left out of
-- mentioned_account_ids. Mentions without an id are resolved by username through the landed users.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the tweets that can have changed:
-- those landed since, those referencing a tweet landed since (the parent author), and those with a mention lacking
-- an id whose username a user landed since with (the username's holder).
with

changed as (
    select id from raw.twitter__tweets where dt >= getvariable('changed_since')
    union
    select refs.id
    from (select id, unnest(referenced_tweets__id) as referenced_id from raw.twitter__tweets) as refs
    semi join raw.twitter__tweets as parents on parents.id = refs.referenced_id and parents.dt >= getvariable('changed_since')
    union
    select lookups.id
    from (
        select id, lower(unnest(entities__mentions__username)) as username_key
        from raw.twitter__tweets
        where len(coalesce(entities__mentions__username, [])) <> len(list_filter(coalesce(entities__mentions__id, []), lambda id: id <> ''))
    ) as lookups
    semi join raw.twitter__users as users on lower(users.username) = lookups.username_key and users.dt >= getvariable('changed_since')
),

source as (
    select * from raw.twitter__tweets
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

users as (
    select * from raw.twitter__users
),

renamed as (
    select
        id as content_id,
        author_id as account_id,
        created_at,
        case
            when list_contains(referenced_tweets__type, 'retweeted') then 'repost'
            when list_contains(referenced_tweets__type, 'replied_to') then 'reply'
            when list_contains(referenced_tweets__type, 'quoted') then 'quote'
            else 'post'
        end as content_type,
        text,
        list_sort(list_distinct(list_transform(coalesce(entities__hashtags__tag, []), lambda tag: lower(tag)))) as hashtags,
        referenced_tweets__type,
        referenced_tweets__id,
        entities__mentions__username,
        entities__mentions__id,
        in_reply_to_user_id,
        conversation_id,
        lang,
        public_metrics__retweet_count as retweet_count,
        public_metrics__reply_count as reply_count,
        public_metrics__like_count as like_count,
        public_metrics__quote_count as quote_count,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

with_parent as (
    select
        *,
        referenced_tweets__id[list_position(
            referenced_tweets__type,
            case content_type when 'repost' then 'retweeted' when 'reply' then 'replied_to' when 'quote' then 'quoted' end
        )] as parent_content_id,
        -- X sends an id with every mention; only a tweet with a mention lacking one needs the username lookup
        len(coalesce(entities__mentions__username, [])) = len(list_filter(coalesce(entities__mentions__id, []), lambda id: id <> '')) as mentions_have_ids,
        content_type = 'repost' and text like 'RT @%' and len(coalesce(entities__mentions__username, [])) > 0 as has_retweet_prefix
    from deduped
),

-- The current holder of each username, for mentions that carry no id.
users_by_username as (
    select lower(username) as username_key, id as user_id
    from users
    qualify row_number() over (partition by lower(username) order by dt desc, _source_line desc) = 1
),

-- One row per mention of the tweets that need the lookup (the others are read straight from their lists).
mentions as (
    select
        content_id,
        content_type,
        text,
        unnest(entities__mentions__username) as username,
        nullif(unnest(entities__mentions__id), '') as mentioned_id,
        generate_subscripts(entities__mentions__username, 1) as position
    from with_parent
    where not mentions_have_ids
),

mentions_resolved as (
    select
        mentions.content_id,
        mentions.position,
        mentions.username,
        coalesce(mentions.mentioned_id, users_by_username.user_id) as account_id,
        mentions.content_type = 'repost' and mentions.position = 1 and mentions.text like 'RT @%' as is_retweet_prefix
    from mentions
    left join users_by_username on users_by_username.username_key = lower(mentions.username)
),

mentions_per_tweet as (
    select
        content_id,
        list(coalesce(account_id, username) order by position) filter (where not is_retweet_prefix) as mentioned_account_ids,
        any_value(account_id) filter (where is_retweet_prefix) as retweeted_account_id
    from mentions_resolved
    group by content_id
),

-- A tweet's author, as its latest landed copy names it: the copy `deduplicated` keeps, so a reply's parent author
-- agrees with the parent's own row even if two copies disagree. (Read from the lake here, not from `source`: a CTE
-- read twice is materialized by DuckDB, every landed column of every copy.)
tweet_authors as (
    select id, arg_max(author_id, (dt, _source_line)) as author_id
    from raw.twitter__tweets
    -- on a plain night only the tweets the changed tweets reference
    where getvariable('changed_since') is null
        or id in (select unnest(referenced_tweets__id) from raw.twitter__tweets where id in (select id from changed))
    group by id
),

final as (
    select
        'twitter' as network,
        with_parent.content_id,
        with_parent.account_id,
        with_parent.created_at,
        with_parent.content_type,
        with_parent.text,
        with_parent.hashtags,
        coalesce(
            case
                when with_parent.mentions_have_ids and with_parent.has_retweet_prefix
                    then list_slice(with_parent.entities__mentions__id, 2, len(with_parent.entities__mentions__id))
                when with_parent.mentions_have_ids then with_parent.entities__mentions__id
            end,
            mentions_per_tweet.mentioned_account_ids,
            []::varchar[]
        ) as mentioned_account_ids,
        with_parent.parent_content_id,
        coalesce(
            tweet_authors.author_id,
            case when with_parent.content_type = 'reply' then with_parent.in_reply_to_user_id end,
            case when with_parent.content_type = 'repost' and with_parent.mentions_have_ids and with_parent.has_retweet_prefix
                then with_parent.entities__mentions__id[1] end,
            case when with_parent.content_type = 'repost' then mentions_per_tweet.retweeted_account_id end
        ) as parent_account_id,
        []::varchar[] as topic_hints,
        with_parent.conversation_id,
        with_parent.lang,
        with_parent.retweet_count,
        with_parent.reply_count,
        with_parent.like_count,
        with_parent.quote_count
    from with_parent
    left join tweet_authors on tweet_authors.id = with_parent.parent_content_id
    left join mentions_per_tweet on mentions_per_tweet.content_id = with_parent.content_id
)

select * from final
