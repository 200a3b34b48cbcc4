-- Facebook posts as canonical content (content_type post).
-- grain: one row per post id (the latest landed copy: latest dt, then highest _source_line)
-- key: content_id
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the posts landed since.
with

changed as (
    select id from raw.facebook__posts where dt >= getvariable('changed_since')
),

source as (
    select * from raw.facebook__posts
    where getvariable('changed_since') is null
        or id in (select id from changed)
),

renamed as (
    select
        id as content_id,
        from__id as account_id,
        created_time as created_at,
        'post' as content_type,
        message as text,
        hashtags,
        message_tags__id as mentioned_account_ids,
        from__name as account_name,
        status_type,
        permalink_url,
        shares__count as share_count,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        'facebook' as network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        hashtags,
        mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        []::varchar[] as topic_hints,
        account_name,
        status_type,
        permalink_url,
        share_count
    from deduped
)

select * from final
