-- Assert that every person scored on the latest score date (scores and topic affinities) is in dim_people.
-- (Older dates keep the person ids of their day: when an account is linked to a person later, its earlier
-- scores stay under the account's own person id.)
with

latest_scores as (
    select 'fct_person_scores' as mart, person_id, score_date from marts.fct_person_scores
    where score_date = (select max(score_date) from marts.fct_person_scores)
),

latest_affinity as (
    select 'fct_topic_affinity' as mart, person_id, score_date from marts.fct_topic_affinity
    where score_date = (select max(score_date) from marts.fct_topic_affinity)
),

checked as (
    select * from latest_scores
    union all
    select * from latest_affinity
)

select c.mart, c.person_id, c.score_date
from checked as c
where not exists (select 1 from marts.dim_people as p where p.person_id = c.person_id)
