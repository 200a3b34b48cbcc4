-- Facebook shares (posts from /{post-id}/sharedposts) as canonical interactions: action share.
-- grain: one row per sharing post id (the latest landed copy: latest dt, then highest _source_line)
-- key: interaction_id (the sharing post's id)
-- The shared post's author comes from the landed posts (null when it never landed).
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the shares that can have changed:
-- those landed since, and those of posts landed since (the author may have been unknown).
with

changed as (
    select id from raw.facebook__shares where dt >= getvariable('changed_since')
    union
    select shares.id
    from raw.facebook__shares as shares
    semi join raw.facebook__posts as posts on posts.id = shares.parent_id and posts.dt >= getvariable('changed_since')
),

source as (
    select * from raw.facebook__shares
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

posts as (
    select * from raw.facebook__posts
),

renamed as (
    select
        id as interaction_id,
        from__id as actor_account_id,
        parent_id as target_content_id,
        created_time as occurred_at,
        message,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by interaction_id order by dt desc, _source_line desc) = 1
),

-- A post's author, as its latest landed copy names it (the copy stg_facebook__posts keeps).
post_authors as (
    select id, arg_max(from__id, (dt, _source_line)) as author_id
    from posts
    group by id
),

final as (
    select
        'facebook' as network,
        deduped.interaction_id,
        deduped.actor_account_id,
        post_authors.author_id as target_account_id,
        deduped.target_content_id,
        'share' as action,
        null::varchar as reaction_type,
        deduped.occurred_at,
        deduped.message
    from deduped
    left join post_authors on post_authors.id = deduped.target_content_id
)

select * from final
