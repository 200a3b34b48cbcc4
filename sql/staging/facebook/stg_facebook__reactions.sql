-- Facebook reactions (LIKE, LOVE, WOW, HAHA, SAD, ANGRY, CARE…) as canonical interactions: action reaction.
-- grain: one row per (reacting profile, object): a profile has one reaction per post or comment, and a
--        changed reaction replaces the earlier one (latest dt, then highest _source_line, wins)
-- key: interaction_id ('reaction:<object_id>:<profile id>', the object id's '%' and ':' percent-encoded;
--      sql/staging/README.md)
-- The target author comes from the landed posts and comments (null when the object never landed).
-- Without created_time, occurred_at is the first date the reaction landed.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the reactions that can have changed:
-- those landed since, and those on a post or comment landed since (its author may have been unknown).
with

changed as (
    select id, object_id from raw.facebook__reactions where dt >= getvariable('changed_since')
    union
    select reactions.id, reactions.object_id
    from raw.facebook__reactions as reactions
    semi join (
        select id from raw.facebook__posts where dt >= getvariable('changed_since')
        union all
        select id from raw.facebook__comments where dt >= getvariable('changed_since')
    ) as targets on targets.id = reactions.object_id
),

source as (
    select * from raw.facebook__reactions
    where getvariable('changed_since') is null
        or (id, object_id) in (select (id, object_id) from changed)
),

posts as (
    select * from raw.facebook__posts
),

comments as (
    select * from raw.facebook__comments
),

renamed as (
    select
        id as actor_account_id,
        object_id as target_content_id,
        lower(type) as reaction_type,
        created_time,
        name as actor_name,
        dt,
        _source_line
    from source
),

deduped as (
    select
        *,
        min(dt) over (partition by actor_account_id, target_content_id) as first_landed_date
    from renamed
    qualify row_number() over (partition by actor_account_id, target_content_id order by dt desc, _source_line desc) = 1
),

-- Who wrote each landed post or comment, as its latest landed copy names it (the copy its staging model keeps).
authors as (
    select id, arg_max(from__id, (dt, _source_line)) as author_id from posts group by id
    union all
    select id, arg_max(from__id, (dt, _source_line)) as author_id from comments group by id
),

final as (
    select
        'facebook' as network,
        'reaction:' || replace(replace(deduped.target_content_id, '%', '%25'), ':', '%3A') || ':' || deduped.actor_account_id as interaction_id,
        deduped.actor_account_id,
        authors.author_id as target_account_id,
        deduped.target_content_id,
        'reaction' as action,
        deduped.reaction_type,
        coalesce(deduped.created_time, deduped.first_landed_date::timestamptz) as occurred_at,
        deduped.actor_name
    from deduped
    left join authors on authors.id = deduped.target_content_id
)

select * from final
