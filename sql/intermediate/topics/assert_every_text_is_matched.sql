-- Topic matching's cache is complete and current: every piece of content's text fingerprint has rows in
-- int_text_topic_matches (a missing one would silently lose the content's topics), and all its rows are for
-- one taxonomy. Returns the content missing, or one row when the cache mixes taxonomies.
select c.network, c.content_id, c.text_fingerprint::varchar as problem
from intermediate.int_content_unioned as c
where not exists (select 1 from intermediate.int_text_topic_matches as m where m.text_fingerprint = c.text_fingerprint)
union all
select null, null, 'taxonomies in the cache: ' || count(distinct taxonomy_md5)::varchar
from intermediate.int_text_topic_matches
having count(distinct taxonomy_md5) > 1
