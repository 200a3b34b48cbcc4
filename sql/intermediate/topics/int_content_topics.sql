-- Which topics each piece of content is about: its text's matches (int_text_topic_matches, where the
-- evidence is found: hashtags, topic hints, keywords in the text) given a strength.
-- strength: each distinct matched term adds hashtag_strength, hint_strength or keyword_strength below, and
-- the sum is capped at 1 — a hashtag or a hint is enough, one keyword is half the evidence, two are as good
-- as a hashtag. evidence_kind is the strongest kind that matched (hashtag, then hint, then keyword);
-- matched_terms lists what matched. Direct assignments only: int_content_topics_rolled_up adds ancestors.
-- grain: one row per piece of content × topic it is directly about
-- key: network, content_id, topic_id
with

params as (
    select
        1.0::double as hashtag_strength,
        1.0::double as hint_strength,
        0.5::double as keyword_strength
),

content as (
    select network, content_id, account_id, created_at, text_fingerprint from intermediate.int_content_unioned
),

matches as (
    select text_fingerprint, topic_id, evidence_kind, hashtag_terms, hint_terms, keyword_terms, matched_terms
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
        least(1.0, m.hashtag_terms * p.hashtag_strength + m.hint_terms * p.hint_strength + m.keyword_terms * p.keyword_strength) as strength,
        m.matched_terms
    from content as c
    join matches as m on m.text_fingerprint = c.text_fingerprint
    cross join params as p
)

select * from final
