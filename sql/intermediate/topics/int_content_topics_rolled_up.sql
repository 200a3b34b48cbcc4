-- Every topic each piece of content is about, directly or through a descendant topic: its text's direct
-- topics (int_text_topic_matches) rolled up the hierarchy (int_topic_closure). A piece of content counts
-- once per topic however many of its direct topics lie below it (tagged #painting and #watercolor, it is
-- one piece of Art content), with the strongest of their strengths.
--   is_direct  the topic was assigned itself, not only through a descendant
-- The roll-up is done once per distinct text (copies such as retweets share it), then joined to the content:
-- at 1M people 14.9M (text, topic) rows instead of 27.2M (content, topic) rows, 33–34 s instead of 44–45 s
-- (docs/performance.md, ninth session).
-- grain: one row per piece of content × topic
-- key: network, content_id, topic_id
with

-- On a night the runner sets changed_keys to the hashes of the (network, content_id) int_content_unioned changed since
-- this table's last build (README "Change logs"): only that content, and its texts' topics, are computed.
content as (
    select network, content_id, account_id, created_at, text_fingerprint from intermediate.int_content_unioned
    where getvariable('changed_keys') is null
        or hash(network, content_id) in (select unnest(getvariable('changed_keys')::ubigint[]))
),

matches as (
    select text_fingerprint, topic_id, strength from intermediate.int_text_topic_matches
    where topic_id is not null
        and (getvariable('changed_keys') is null or text_fingerprint in (select text_fingerprint from content))
),

closure as (
    select ancestor_id, descendant_id, depth from intermediate.int_topic_closure
),

text_topics as (
    select
        m.text_fingerprint,
        c.ancestor_id as topic_id,
        max(m.strength) as strength,
        bool_or(c.depth = 0) as is_direct
    from matches as m
    join closure as c on c.descendant_id = m.topic_id
    group by m.text_fingerprint, c.ancestor_id
),

final as (
    select
        c.network,
        c.content_id,
        t.topic_id,
        c.account_id,
        c.created_at,
        t.strength,
        t.is_direct
    from content as c
    join text_topics as t on t.text_fingerprint = c.text_fingerprint
)

select * from final
