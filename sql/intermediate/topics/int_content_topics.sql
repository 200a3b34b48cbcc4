-- Which topics each piece of content is about: its text's direct topics as topic matching found them
-- (int_text_topic_matches: the evidence — hashtags, topic hints, keywords in the text — its strength and the
-- terms that matched). Direct assignments only: int_content_topics_rolled_up adds ancestors.
-- A view: nothing in the build reads it (int_content_topics_rolled_up works per text and joins the content
-- once), so it is computed only when someone asks; its tests are the cache's (one row per text and topic) and
-- int_content_unioned's (one row per content).
-- grain: one row per piece of content × topic it is directly about
-- key: network, content_id, topic_id
with

content as (
    select network, content_id, account_id, created_at, text_fingerprint from intermediate.int_content_unioned
),

matches as (
    select text_fingerprint, topic_id, evidence_kind, strength, matched_terms
    from intermediate.int_text_topic_matches
    where topic_id is not null
),

final as (
    select
        c.network,
        c.content_id,
        m.topic_id,
        c.account_id,
        c.created_at,
        m.evidence_kind,
        m.strength,
        m.matched_terms
    from content as c
    join matches as m on m.text_fingerprint = c.text_fingerprint
)

select * from final
