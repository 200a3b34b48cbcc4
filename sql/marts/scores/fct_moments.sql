-- A person's top moments: the content that earned them the most weighted engagement in the window ending
-- on the score date (up to 10 per person).
-- grain: one row per score date × person × content
-- key: score_date, person_id, network, content_id
with

engagement as (
    select * from intermediate.int_content_engagement
),

content as (
    select network, content_id, account_id, created_at, content_type, text from intermediate.int_content_unioned
),

accounts as (
    select network, account_id, person_id from intermediate.int_accounts_resolved
),

-- each person's content ranked first, on engagement alone, and only the top 10 joined to int_content_unioned for its
-- type, time and text: joining every engaged piece of content first carried the text of all of them through the sort
ranked as (
    select
        a.person_id,
        e.network,
        e.content_id,
        e.account_id,
        e.weighted_engagement,
        e.engaged_people,
        e.engagements,
        -- ranked on 9 decimals so that floating-point noise cannot swap two equal moments
        row_number() over (partition by a.person_id order by round(e.weighted_engagement, 9) desc, e.network, e.content_id) as moment_rank
    from engagement as e
    join accounts as a on a.network = e.network and a.account_id = e.account_id
    where e.weighted_engagement > 1e-9
    qualify moment_rank <= 10
),

final as (
    select
        getvariable('run_date')::date as score_date,
        r.person_id,
        r.network,
        r.content_id,
        r.account_id,
        c.content_type,
        c.created_at,
        left(c.text, 280) as text,
        r.weighted_engagement,
        r.engaged_people,
        r.engagements,
        r.moment_rank
    from ranked as r
    left join content as c on c.network = r.network and c.content_id = r.content_id
)

select * from final
