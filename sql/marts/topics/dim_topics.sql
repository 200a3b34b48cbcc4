-- Every topic of the taxonomy (topics.taxonomy: Clout's seed, plus Klout's ontology once imported) with
-- its place in the hierarchy. A topic may have several parents.
--   parent_ids        the topic's direct parents (empty for a top-level topic)
--   depth             1 for a top-level topic, else 1 + the shortest path down from a top-level topic
--   top_level_ids     the top-level topics it belongs to (itself for a top-level topic)
--   child_count       direct children; descendant_count  every topic below it, each once
--   source            'clout' (our seed, matched Klout topics included) or 'klout' (Klout-only)
-- grain: one row per topic
-- key: topic_id
with

taxonomy as (
    select topic_id, slug, display_name, source, keywords, hashtags, klout_topic_id from topics.taxonomy
),

edges as (
    select parent_id, child_id from topics.edges
),

closure as (
    select ancestor_id, descendant_id, depth from intermediate.int_topic_closure
),

top_level as (
    select topic_id from taxonomy where topic_id not in (select child_id from edges)
),

parents as (
    select child_id as topic_id, list(parent_id order by parent_id) as parent_ids
    from edges
    group by child_id
),

children as (
    select parent_id as topic_id, count(*) as child_count
    from edges
    group by parent_id
),

descendants as (
    select ancestor_id as topic_id, count(*) - 1 as descendant_count
    from closure
    group by ancestor_id
),

placed as (
    select c.descendant_id as topic_id, min(c.depth) + 1 as depth, list(c.ancestor_id order by c.ancestor_id) as top_level_ids
    from closure as c
    join top_level as t on t.topic_id = c.ancestor_id
    group by c.descendant_id
),

final as (
    select
        t.topic_id,
        t.slug,
        t.display_name,
        coalesce(p.parent_ids, []::varchar[]) as parent_ids,
        pl.depth,
        pl.top_level_ids,
        t.source,
        coalesce(ch.child_count, 0) as child_count,
        coalesce(d.descendant_count, 0) as descendant_count,
        t.keywords,
        t.hashtags,
        t.klout_topic_id
    from taxonomy as t
    left join parents as p using (topic_id)
    left join children as ch using (topic_id)
    left join descendants as d using (topic_id)
    left join placed as pl using (topic_id)
)

select * from final
