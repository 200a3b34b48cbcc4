-- Every ancestor of every topic, the topic itself included: the transitive closure of the topic hierarchy
-- (topics.edges), so that evidence on a topic rolls up to each of its ancestors exactly once, however many
-- paths lead there (a topic may have several parents, and those parents may share an ancestor).
--   depth  the length of the shortest path from the ancestor down to the descendant (0 = the topic itself)
-- grain: one row per ancestor × descendant
-- key: ancestor_id, descendant_id
with recursive

taxonomy as (
    select topic_id from topics.taxonomy
),

edges as (
    select parent_id, child_id from topics.edges
),

-- walk down one level at a time; `union` drops repeats of the same (ancestor, descendant, length), and
-- the length guard would end the walk even on a cycle (loadTopicSources refuses cycles)
walked(ancestor_id, descendant_id, depth) as (
    select topic_id, topic_id, 0 from taxonomy
    union
    select walked.ancestor_id, edges.child_id, walked.depth + 1
    from walked
    join edges on edges.parent_id = walked.descendant_id
    where walked.depth < 64
),

final as (
    select ancestor_id, descendant_id, min(depth) as depth
    from walked
    group by ancestor_id, descendant_id
)

select * from final
