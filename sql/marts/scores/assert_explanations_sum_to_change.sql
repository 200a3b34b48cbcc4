-- Assert that each person's explanation factors add up to their score change (to 1e-6 points).
with

scores as (
    select score_date, person_id, score_change from marts.fct_person_scores
),

explained as (
    select score_date, person_id, sum(contribution) as explained_change from marts.fct_score_explanations group by all
)

select s.score_date, s.person_id, s.score_change, coalesce(e.explained_change, 0.0) as explained_change
from scores as s
left join explained as e using (score_date, person_id)
where abs(s.score_change - coalesce(e.explained_change, 0.0)) > 1e-6
