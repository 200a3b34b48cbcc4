-- Topic matching, kept from night to night: which topics each distinct text is about. A night matches only the
-- texts it has not matched before (new or edited content), not all content ever landed; int_content_topics
-- gives every piece of content its text's topics. A "text" is what matching reads of a piece of content: its
-- text, hashtags and topic hints, whose md5 is int_content_unioned.text_fingerprint (copies such as retweets share it).
-- The evidence, matched against the taxonomy (topics.taxonomy: each topic's keywords, hashtags and slug):
--   hashtag  one of the content's hashtags is one of the topic's hashtags or its slug without dashes
--   hint     a topic hint (subreddit, venue category, video tag) is one of the topic's keywords or
--            hashtags, or its slug
--   keyword  one of the topic's keywords occurs in the text as whole words (case-insensitive)
-- Hashtags, hints and slugs are compared without dashes, spaces or punctuation ("street_art", "street art",
-- "streetart" and the slug "street-art" are one term); a leading "r/" of a subreddit is dropped.
-- strength: each distinct matched term adds hashtag_strength, hint_strength or keyword_strength below, and
-- the sum is capped at 1 — a hashtag or a hint is enough, one keyword is half the evidence, two are as good
-- as a hashtag. hashtag_terms, hint_terms and keyword_terms count the terms of each kind that matched;
-- evidence_kind is the strongest kind that matched (hashtag, then hint, then keyword); matched_terms lists what
-- matched. Direct assignments only: int_content_topics_rolled_up adds ancestors.
-- A text that matches no topic has one row with a null topic_id and no evidence, so it is not matched again.
-- What is kept: the rows of texts still in int_content_unioned (content that is gone, e.g. forgotten, leaves
-- the cache at the next build) and matched against the current taxonomy (taxonomy_md5, the md5 of its matched
-- columns: a changed taxonomy matches every text again). This model is `materialized: cache`: it reads its own
-- previous rows, and the runner empties it when this file or its .yml changes, or on --full-refresh (README.md, "The model runner").
-- Speed: the text is tokenised once into words — lowercase runs of letters and digits, anything else a
-- separator, so "photographer's" holds the word "photographer" and "art-deco" the word "art" — keywords
-- are tokenised the same way, every word of the text is hash-joined to the keywords starting with it,
-- and a phrase is kept where the words that follow are the phrase's. So a keyword matches whole words
-- only ("art" never matches "party" or "artist"), and the work grows with the text, not with the number
-- of keywords (about 13 s for a million 25-word posts on 2 threads). Every text to match and every
-- keyword gets a small integer key first, and only those keys travel through the word-level rows (one row
-- per word of every text: hundreds of millions at 1M people); the strings are joined back once per match.
-- Carrying the strings along made the 1M-people build spill past 30 GB of disk (docs/performance.md, tier m).
-- grain: one row per text fingerprint × topic it is directly about (one row with a null topic_id: none)
-- key: text_fingerprint, topic_id
with

params as (
    select
        1.0::double as hashtag_strength,
        1.0::double as hint_strength,
        0.5::double as keyword_strength
),

taxonomy as (
    select topic_id, slug, keywords, hashtags from topics.taxonomy
),

-- hashtags and slugs as compact terms: lowercase letters and digits only
tag_terms as (
    select distinct topic_id, term
    from (
        select topic_id, regexp_replace(lower(unnest(hashtags)), '[^\p{L}\p{N}]+', '', 'g') as term from taxonomy
        union all
        select topic_id, regexp_replace(lower(slug), '[^\p{L}\p{N}]+', '', 'g') from taxonomy
    )
    where term <> ''
),

keywords as (
    select topic_id, unnest(keywords) as keyword from taxonomy
),

-- what a hint is compared with: hashtags, slugs and keywords, all compact
hint_terms as (
    select topic_id, term from tag_terms
    union
    select topic_id, regexp_replace(lower(keyword), '[^\p{L}\p{N}]+', '', 'g') from keywords
),

-- each keyword as its words, tokenised as the text is
keyword_words as (
    select topic_id, keyword, regexp_extract_all(lower(keyword), '[\p{L}\p{N}]+') as words
    from keywords
),

-- each (topic, keyword) numbered, so the word-level rows below carry one small integer instead of strings;
-- materialized for the same reason as content
keyword_starts as materialized (
    select row_number() over () as keyword_key, topic_id, keyword, words, words[1] as first_word, words[2] as second_word, len(words) as word_count
    from keyword_words
    where len(words) > 0
),

taxonomy_version as (
    select md5(string_agg(to_json(struct_pack(topic_id, slug, keywords, hashtags))::varchar, chr(10) order by topic_id)) as taxonomy_md5
    from taxonomy
),

-- the rows kept from the last build: texts still present, matched against this taxonomy
kept as (
    select m.*
    from intermediate.int_text_topic_matches as m
    where m.taxonomy_md5 = (select taxonomy_md5 from taxonomy_version)
      and m.text_fingerprint in (select text_fingerprint from intermediate.int_content_unioned)
),

-- the texts to match: one piece of content (its rowid, content_key) per fingerprint not in the cache. The
-- rowid is the same in every read of int_content_unioned in this query (nothing writes to it during a build).
-- Each CTE below reads the table itself, only the columns it needs: a CTE of the content read several times
-- would be materialized, text and all (at 1M people that ran out of memory with an 8.4GB DuckDB limit;
-- docs/performance.md, sixth session).
to_match as (
    select min(c.rowid) as content_key, c.text_fingerprint
    from intermediate.int_content_unioned as c
    where not exists (
        select 1
        from intermediate.int_text_topic_matches as m
        where m.text_fingerprint = c.text_fingerprint
          and m.taxonomy_md5 = (select taxonomy_md5 from taxonomy_version)
    )
    group by c.text_fingerprint
),

text_words as (
    select rowid as content_key, regexp_extract_all(lower(text), '[\p{L}\p{N}]+') as words
    from intermediate.int_content_unioned
    where rowid in (select content_key from to_match)
      and text is not null and text <> ''
),

-- each word with the word after it (null after the last: the two lists unnest side by side)
text_positions as (
    select content_key, unnest(words) as word, unnest(words[2:]) as next_word, generate_subscripts(words, 1) as position
    from text_words
),

-- a keyword may start wherever its first word occurs, and a phrase only where its second word follows:
-- one hash join of every word with the keywords. (On the first word alone, phrases starting with a common
-- word gave 120M candidates at 1M people, each then joined back to its text's words.)
candidates as (
    select p.content_key, p.position, k.keyword_key, k.word_count
    from text_positions as p
    join keyword_starts as k on k.first_word = p.word and (k.word_count = 1 or k.second_word = p.next_word)
),

-- a one-word keyword matches where it occurs; a phrase where the words that follow are the phrase's
keyword_hits as (
    select distinct content_key, keyword_key
    from candidates
    where word_count = 1
    union
    select c.content_key, c.keyword_key
    from candidates as c
    join keyword_starts as k on k.keyword_key = c.keyword_key
    join intermediate.int_content_unioned as t on t.rowid = c.content_key
    where c.word_count > 1
      and regexp_extract_all(lower(t.text), '[\p{L}\p{N}]+')[c.position:c.position + c.word_count - 1] = k.words
),

keyword_matches as (
    select h.content_key, k.topic_id, 'keyword' as evidence_kind, k.keyword as term
    from keyword_hits as h
    join keyword_starts as k on k.keyword_key = h.keyword_key
),

content_hashtags as (
    select rowid as content_key, unnest(hashtags) as hashtag
    from intermediate.int_content_unioned
    where rowid in (select content_key from to_match)
),

hashtag_matches as (
    select distinct h.content_key, t.topic_id, 'hashtag' as evidence_kind, '#' || lower(h.hashtag) as term
    from content_hashtags as h
    join tag_terms as t on t.term = regexp_replace(lower(h.hashtag), '[^\p{L}\p{N}]+', '', 'g')
),

content_hints as (
    select rowid as content_key, unnest(topic_hints) as hint
    from intermediate.int_content_unioned
    where rowid in (select content_key from to_match)
),

hint_matches as (
    select distinct h.content_key, t.topic_id, 'hint' as evidence_kind, lower(h.hint) as term
    from content_hints as h
    join hint_terms as t on t.term = regexp_replace(regexp_replace(lower(h.hint), '^r/', ''), '[^\p{L}\p{N}]+', '', 'g')
),

matches as (
    select * from hashtag_matches
    union all
    select * from hint_matches
    union all
    select * from keyword_matches
),

-- the evidence per content key and topic, still narrow. Its matched terms: most pairs match one or two terms,
-- which min() and max() give; only the pairs with three or more are listed by list() in many_terms (DuckDB keeps
-- a list() per group in memory: over all 27M pairs at 1M people that ran out of memory with an 8.4GB limit)
evidence as (
    select
        content_key,
        topic_id,
        case
            when bool_or(evidence_kind = 'hashtag') then 'hashtag'
            when bool_or(evidence_kind = 'hint') then 'hint'
            else 'keyword'
        end as evidence_kind,
        count(*) filter (where evidence_kind = 'hashtag')::integer as hashtag_terms,
        count(*) filter (where evidence_kind = 'hint')::integer as hint_terms,
        count(*) filter (where evidence_kind = 'keyword')::integer as keyword_terms,
        least(1.0, sum(case evidence_kind when 'hashtag' then p.hashtag_strength when 'hint' then p.hint_strength else p.keyword_strength end)) as strength,
        count(*) as term_count,
        min(term) as first_term,
        max(term) as last_term
    from matches
    cross join params as p
    group by content_key, topic_id
),

many_terms as (
    select m.content_key, m.topic_id, list_sort(list(m.term)) as matched_terms
    from matches as m
    join evidence as e on e.content_key = m.content_key and e.topic_id = m.topic_id and e.term_count > 2
    group by m.content_key, m.topic_id
),

matched as (
    select
        k.text_fingerprint,
        e.topic_id,
        e.evidence_kind,
        e.strength,
        e.hashtag_terms,
        e.hint_terms,
        e.keyword_terms,
        case e.term_count
            when 1 then [e.first_term]
            when 2 then [e.first_term, e.last_term]
            else t.matched_terms
        end as matched_terms
    from evidence as e
    join to_match as k on k.content_key = e.content_key
    left join many_terms as t on t.content_key = e.content_key and t.topic_id = e.topic_id
),

unmatched as (
    select k.text_fingerprint, null::varchar as topic_id, null::varchar as evidence_kind, null::double as strength, 0 as hashtag_terms, 0 as hint_terms, 0 as keyword_terms, []::varchar[] as matched_terms
    from to_match as k
    where not exists (select 1 from evidence as e where e.content_key = k.content_key)
),

final as (
    select text_fingerprint, topic_id, evidence_kind, strength, hashtag_terms, hint_terms, keyword_terms, matched_terms, taxonomy_md5
    from kept
    union all
    select *, (select taxonomy_md5 from taxonomy_version) from matched
    union all
    select *, (select taxonomy_md5 from taxonomy_version) from unmatched
)

select * from final
