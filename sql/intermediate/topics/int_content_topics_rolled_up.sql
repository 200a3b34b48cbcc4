-- Every topic each piece of content is about, directly or through a descendant topic: the direct
-- assignments (int_content_topics) rolled up the hierarchy (int_topic_closure). A piece of content counts
-- once per topic however many of its direct topics lie below it (tagged #painting and #watercolor, it is
-- one piece of Art content), with the strongest of their strengths.
--   is_direct  the topic was assigned itself, not only through a descendant
-- grain: one row per piece of content × topic
-- key: network, content_id, topic_id
with

content_topics as (
    select network, content_id, account_id, created_at, topic_id, strength from intermediate.int_content_topics
),

closure as (
    select ancestor_id, descendant_id, depth from intermediate.int_topic_closure
),

final as (
    select
        ct.network,
        ct.content_id,
        c.ancestor_id as topic_id,
        ct.account_id,
        ct.created_at,
        max(ct.strength) as strength,
        bool_or(c.depth = 0) as is_direct
    from content_topics as ct
    join closure as c on c.descendant_id = ct.topic_id
    group by ct.network, ct.content_id, c.ancestor_id, ct.account_id, ct.created_at
)

select * from final
