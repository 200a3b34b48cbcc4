-- Mastodon interactions: the activities that are engagement but not content. Announce is a repost (boost),
-- Like a reaction of type 'favourite', Follow a follow. Mentions are not rows here: they live in the
-- notes' mentioned_account_ids. The target of a boost or favourite is the author of the landed note it
-- names, else read from a Mastodon status URI (<actor>/statuses/<id>), else null; a follow's target is
-- the followed actor's URL.
-- grain: one row per activity (boost, favourite or follow)
-- key: interaction_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the interactions that can have
-- changed: those landed since, and the boosts and favourites of notes whose Create landed since (the author may
-- have been unknown).

with

changed as (
    select id from raw.mastodon__activities
    where dt >= getvariable('changed_since') and type in ('Announce', 'Like', 'Follow')
    union
    select activities.id
    from raw.mastodon__activities as activities
    semi join raw.mastodon__activities as notes
        on notes.object__id = activities.object__id
        and notes.type = 'Create'
        and notes.dt >= getvariable('changed_since')
    where activities.type in ('Announce', 'Like')
),

source as (
    select * from raw.mastodon__activities
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

-- read from the lake, not from `source`: on a plain night that holds only the changed interactions
notes as (
    select
        object__id as content_id,
        -- as its latest landed Create names it (the copy stg_mastodon__notes keeps)
        arg_max(coalesce(object__attributedTo, actor), (dt, _source_line, _source_file)) as account_id
    from raw.mastodon__activities
    where type = 'Create'
    group by object__id
),

renamed as (
    select
        'mastodon' as network,
        id as interaction_id,
        actor as actor_account_id,
        case when type = 'Follow' then object__id end as followed_account_id,
        case when type in ('Announce', 'Like') then object__id end as target_content_id,
        case type when 'Announce' then 'repost' when 'Like' then 'reaction' when 'Follow' then 'follow' end as action,
        case when type = 'Like' then 'favourite' end as reaction_type,
        published as occurred_at,
        type as activity_type,
        dt,
        _source_file,
        _source_line
    from source
    where type in ('Announce', 'Like', 'Follow')
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by interaction_id order by dt desc, _source_line desc, _source_file desc
    ) = 1
),

target_resolved as (
    select
        interaction.*,
        coalesce(
            interaction.followed_account_id,
            note.account_id,
            nullif(regexp_extract(interaction.target_content_id, '^(https?://[^/]+/users/[^/]+)/statuses/[^/]+$', 1), '')
        ) as target_account_id
    from deduplicated as interaction
    left join notes as note
        on note.content_id = interaction.target_content_id
),

final as (
    select
        network,
        interaction_id,
        actor_account_id,
        target_account_id,
        target_content_id,
        action,
        reaction_type,
        occurred_at,
        activity_type
    from target_resolved
)

select * from final
